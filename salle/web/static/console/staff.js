/* The console: staff and their signed-in devices — sign out a lost tablet, unlock a locked code; the door
   scanners and relays. Sign-ins are not pushed live: read again every 30 s (start.js). */
"use strict";

const ROLES = { surveillant: "surveillant", kiosk: "borne", responsable: "responsable", admin: "organisateur" };

function personnelRow(p, msg) {
  const motif = el("input", { size: 24, "aria-label": `Motif de la déconnexion de ${p.nom}`,
                              placeholder: "Motif (tablette perdue…)" });
  const mine = me.role === "admin" || ["surveillant", "kiosk"].includes(p.role);
  const canRevoke = p.appareils > 0 && mine;
  const unlock = p.verrouille && mine ? el("button", { class: "danger", onclick: () =>
    post(`/api/v1/personnel/${p.id}/deverrouillage`, {}, msg, loadPersonnel) }, "Débloquer le code") : "";
  const revoke = () => post(`/api/v1/personnel/${p.id}/deconnexion`, { motif: motif.value }, msg, loadPersonnel);
  return el("tr", { "data-personnel": p.id },
    el("td", {}, p.nom, p.verrouille ? el("strong", {}, " — CODE VERROUILLÉ") : ""),
    el("td", {}, ROLES[p.role] || p.role), el("td", {}, p.salle || "—"),
    el("td", { "data-k": "appareils" },
      p.appareils ? `${p.appareils} (dernier à ${hhmm(p.derniere_connexion)})` : "aucun"),
    el("td", {}, canRevoke ? [motif, el("button", { class: "danger", onclick: revoke }, "Déconnecter")] : "", unlock));
}

async function loadPersonnel() {
  let r;
  try { r = await Api.request("GET", "/api/v1/personnel"); } catch (e) { return; }
  if (r.status !== 200) return;
  const rows = r.data.personnel.filter((p) => p.site === site || !p.site);
  const locked = rows.filter((p) => p.verrouille).length;
  $("tab-personnel").textContent = locked ? `Personnel et appareils (${locked} code(s) verrouillé(s))`
    : "Personnel et appareils";
  const msg = $("personnel-message");
  $("personnel").replaceChildren(el("table", { class: "impressions" },
    el("thead", {}, el("tr", {}, ["Personne", "Rôle", "Salle", "Appareils connectés", ""].map((h) => el("th", {}, h)))),
    el("tbody", {}, rows.map((p) => personnelRow(p, msg)))));
  try { r = await Api.request("GET", "/api/v1/appareils"); } catch (e) { return; }
  if (r.status !== 200) return;
  $("appareils").replaceChildren(r.data.appareils.length ? el("ul", {}, r.data.appareils.map((a) =>
    el("li", {}, `${a.nom} (${a.salle || a.site || "site"}) : ${a.en_ligne ? "en ligne" : "HORS LIGNE"}`
      + ` — ${a.message || ""}`)))
    : el("p", { class: "muted" }, "Aucun lecteur de porte ni relais déclaré."));
}
