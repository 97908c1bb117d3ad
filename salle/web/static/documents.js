/* Salle — the console's « Documents avant l'épreuve » panel: the list to post at the site's entrance, the door
   labels, each salle's table labels, one candidat's convocation; downloaded with the sign-in's token and saved
   under their own names. A separate script: it adds its own section and uses only Salle.api's token. */
"use strict";

(() => {
  function node(tag, attrs = {}, text) {
    const n = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, v);
    if (text !== undefined) n.textContent = text;
    return n;
  }

  async function download(path, status) {
    status.textContent = "Préparation du document…";
    try {
      const r = await fetch(path, { headers: { Authorization: `Bearer ${Salle.token()}` }, cache: "no-store" });
      if (!r.ok) {
        const data = await r.json().catch(() => ({}));
        status.textContent = data.erreur ? data.erreur.message : `Erreur ${r.status}.`;
        return;
      }
      const name = (r.headers.get("Content-Disposition") || "").match(/filename="([^"]+)"/);
      const link = node("a", { href: URL.createObjectURL(await r.blob()), download: name ? name[1] : "document.pdf" });
      document.body.append(link); link.click(); link.remove();
      status.textContent = `Téléchargé : ${name ? name[1] : "document.pdf"}.`;
    } catch (e) { status.textContent = "Serveur injoignable : vérifiez le réseau."; }
  }

  const site = () => new URLSearchParams(location.search).get("site") || (Salle.personnel() || {}).site || "";

  function field(id, label, size) {
    return [node("label", { for: id }, label), node("input", { id, size, autocomplete: "off" })];
  }

  function install() {
    const panel = document.getElementById("panel-documents");  // the console's « Documents » tab
    if (!panel || document.getElementById("documents")) return;
    const box = node("div", { id: "documents" });
    const status = node("p", { class: "muted", role: "status" });
    const row = node("div", { class: "row" });
    const button = (label, path) => {
      const b = node("button", { type: "button" }, label);
      b.addEventListener("click", () => download(path(), status));
      return b;
    };
    row.append(button("Liste à afficher à l'entrée", () => `/api/v1/documents/sites/${site()}/liste.pdf`),
               button("Étiquettes de porte", () => `/api/v1/documents/sites/${site()}/portes.pdf`));
    const [salleLabel, salle] = field("doc-salle", "Étiquettes de table de la salle", 6);
    const [numeroLabel, numero] = field("doc-numero", "Convocation du candidat n°", 14);
    const tables = button("Télécharger", () => `/api/v1/documents/salles/${encodeURIComponent(salle.value.trim())}/tables.pdf`);
    const convocation = button("Télécharger", () => `/api/v1/documents/convocations/${encodeURIComponent(numero.value.trim())}.pdf`);
    tables.id = "doc-tables"; convocation.id = "doc-convocation";
    box.append(node("h3", {}, "Avant l'épreuve"), row,
               node("div", { class: "row" }), status);
    box.children[2].append(salleLabel, salle, tables, numeroLabel, numero, convocation);
    panel.append(box);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", install);
  else install();
})();
