/* Salle — the console's « Vérification du matin » panel (issue 17): POST /api/v1/verification and its French
   checklist. A separate script: it adds its own section to the console and uses only Salle.api. */
"use strict";

(() => {
  const MARK = { ok: "✔", attention: "!", a_corriger: "✘" };

  function node(tag, text) {
    const n = document.createElement(tag);
    if (text !== undefined) n.textContent = text;
    return n;
  }

  function show(out, data) {
    out.replaceChildren();
    out.append(node("p", data.resume ? `${data.resume} (vérifié en ${data.duree_s} s)` : ""));
    const list = node("ul");
    for (const p of data.points || []) {
      const item = node("li", `${MARK[p.etat] || "?"} ${p.point} : ${p.detail}`);
      if (p.a_faire) item.append(node("br"), document.createTextNode(`→ ${p.a_faire}`));
      list.append(item);
    }
    out.append(list);
  }

  async function verify(out, buttons, imprimer) {
    buttons.forEach((b) => { b.disabled = true; });
    out.replaceChildren(node("p", "Vérification en cours (moins de 30 s)…"));
    try {
      const { status, data } = await Salle.api("POST", "/api/v1/verification", { imprimer, attendre_scan: 0 });
      if (status === 200) show(out, data);
      else out.replaceChildren(node("p", data.erreur ? data.erreur.message : `Erreur ${status}.`));
    } catch (e) {
      out.replaceChildren(node("p", "Serveur injoignable : vérifiez le réseau."));
    } finally {
      buttons.forEach((b) => { b.disabled = false; });
    }
  }

  function install() {
    const tabs = document.querySelector("nav.tabs");  // below the strip, the tiles and the alerts
    if (!tabs) return;
    const section = node("section");
    section.className = "card";
    section.id = "verification";
    const row = node("div");
    row.className = "row";
    const run = node("button", "Vérifier le site (ticket d'essai)");
    const quiet = node("button", "Vérifier sans imprimer");
    const out = node("div");
    out.id = "verification-resultat";
    out.setAttribute("aria-live", "polite");
    run.addEventListener("click", () => verify(out, [run, quiet], true));
    quiet.addEventListener("click", () => verify(out, [run, quiet], false));
    row.append(run, quiet);
    section.append(node("h2", "Vérification du matin — avant l'ouverture des portes"), row, out);
    tabs.before(section);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", install);
  else install();
})();
