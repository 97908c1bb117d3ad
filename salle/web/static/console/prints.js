/* The console: the accueil borne's prints — convocations printed, reprints flagged, failed jobs printed again
   (R6). */
"use strict";

async function loadImpressions() {
  let r;
  try { r = await Api.request("GET", `/api/v1/sites/${site}/convocations-imprimees`); } catch (e) { return; }
  if (r.status !== 200) return;
  const rows = r.data.candidats;
  const box = $("impressions");
  const fails = rows.reduce((n, c) => n + c.impressions.filter((j) => j.statut === "echec").length, 0);
  $("tab-borne").textContent = fails ? `Borne d'accueil (${fails} en échec)` : "Borne d'accueil";
  if (!rows.length) {
    box.replaceChildren(el("p", { class: "muted" }, "Aucune convocation demandée à la borne.")); return;
  }
  const msg = el("div", { class: "verdict info", role: "status", hidden: true });
  const reprint = (j) => el("button", { onclick: () => post(`/api/v1/kiosk/impressions/${j.job}/reimprimer`, {}, msg,
                                                             loadImpressions) }, `Réimprimer (${j.erreur || "échec"})`);
  box.replaceChildren(msg, el("table", { class: "impressions" },
    el("thead", {}, el("tr", {},
      ["Candidat", "Numéro", "Imprimées", "", "Travaux en échec"].map((h) => el("th", {}, h)))),
    el("tbody", {}, rows.map((c) => el("tr", { class: c.reimpression ? "reprint" : "" },
      el("td", {}, `${(c.nom || "").toUpperCase()} ${c.prenom || ""}`), el("td", {}, c.numero),
      el("td", {}, String(c.imprimees)),
      el("td", {}, c.reimpression ? el("b", { class: "flag" }, "RÉIMPRESSION") : ""),
      el("td", {}, c.impressions.filter((j) => j.statut === "echec").map(reprint)))))));
}

let impressionsTimer = null;
function impressionsSoon() { // at most one reload a second
  if (!impressionsTimer) impressionsTimer = setTimeout(() => { impressionsTimer = null; loadImpressions(); }, 1000);
}
