/* The tablet: the salle's candidates (read again after an action or a live update), their filters, and who is
   out now (toilets) with a return button. */
"use strict";

/* Calls that come while a read is on its way are served by one more read after it (a burst of scans costs two
   reads, not one per scan). */
const refresh = Api.coalesced(async () => {
  const r = await Api.request("GET", `/api/v1/salles/${salle}/candidats`);
  if (r.status === 200) { candidats = r.data.candidats; renderCandidats(); if (selected) loadCard(); }
});

const FILTERS = { tous: () => true, attendu: (c) => c.statut === "attendu", present: (c) => c.statut === "present",
                  toilettes: (c) => c.statut === "toilettes", refuse: (c) => c.statut === "refuse",
                  sorti: (c) => c.statut === "sorti", emarge: (c) => !!c.emargement };
let filter = "tous";

/* At an oral, the passage as the jury moves it (R28): called to which jury, in preparation, before the jury… */
const ORAL_STATUTS = { attendu: "attendu", present: "en salle d'attente", en_retard: "en retard — jury prévenu",
  en_preparation: "en préparation", en_passage: "devant le jury", termine: "passage terminé", absent: "absent (jury)",
  abandon: "abandon", reporte: "reporté", renonce: "renonciation" };
function oralWord(o) {
  const called = o.appel_a && ["present", "en_preparation"].includes(o.statut);
  return called ? `appelé(e) à ${hhmm(o.appel_a)} → ${o.jury_libelle}, ${o.salle_libelle}`
    : `${ORAL_STATUTS[o.statut] || o.statut} — ${o.jury_libelle}`;
}

function statutOf(c) {
  if (c.oral) return el("span", { class: `chip st-${c.statut} oral-${c.oral.statut}` }, oralWord(c.oral));
  const word = c.emargement ? `émargé (${c.copies} copie${c.copies > 1 ? "s" : ""})` : STATUTS[c.statut] || c.statut;
  return el("span", { class: `chip st-${c.emargement ? "emarge" : c.statut}` }, word);
}
const frDate = (iso) => iso.split("-").reverse().join("/");

function candidatRow(c) {
  const name = `${c.nom.toUpperCase()} ${c.prenom}${c.date_naissance ? ` (né(e) le ${frDate(c.date_naissance)})` : ""}`;
  return el("tr", { class: selected && selected.numero === c.numero ? "sel" : "", tabindex: 0, "data-numero": c.numero,
                    onclick: () => select(c), onkeydown: (e) => { if (e.key === "Enter") select(c); } },
    el("td", {}, c.place), el("td", {}, name), el("td", {}, c.numero), el("td", {}, statutOf(c)));
}

function renderCandidats() {
  const body = $("candidats");
  const focused = document.activeElement && document.activeElement.dataset && document.activeElement.dataset.numero;
  body.replaceChildren(...candidats.filter(FILTERS[filter]).map(candidatRow));
  if (focused) { // the focused row keeps the focus, and a live update never moves the page
    const row = body.querySelector(`tr[data-numero="${CSS.escape(focused)}"]`);
    if (row) row.focus({ preventScroll: true });
  }
  const n = (k) => candidats.filter(FILTERS[k]).length;
  $("counts").textContent = `— ${candidats.length} convoqués : ${n("present")} présents, ${n("toilettes")} dehors, `
    + `${n("attendu")} attendus, ${n("refuse")} refusés, ${n("sorti")} sortis, ${n("emarge")} émargés`;
  document.querySelectorAll("#filtres button").forEach((b) => {
    b.setAttribute("aria-pressed", String(b.dataset.filtre === filter));
  });
  $("dehors").replaceChildren(...candidats.filter((c) => c.statut === "toilettes").map((c) =>
    el("li", {}, `${c.nom.toUpperCase()} ${c.prenom} — depuis ${hhmm(c.toilettes_depuis)} avec ${c.accompagnateur} `,
      el("button", { onclick: () => { select(c, { scroll: false }); movement("toilettes/retour", "Retour"); } },
        "Retour"))));
  if (!$("dehors").children.length) $("dehors").append(el("li", { class: "muted" }, "Personne."));
  if (selected) { const s = candidats.find((c) => c.numero === selected.numero); if (s) selected = s; }
}
$("filtres").addEventListener("click", (e) => {
  if (!e.target.dataset.filtre) return;
  filter = e.target.dataset.filtre; renderCandidats();
});
