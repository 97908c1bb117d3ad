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

/* A row of the list. `kept`: the row shown for this candidat before the list was read again; unchanged, it is kept
   where it is (only its candidat is updated): a tap landing while the list is rebuilt (a reconnection, a push)
   still selects, where a row replaced under the finger loses it (Chromium forgets a press on a removed node). */
function candidatRow(c, kept) {
  const name = `${c.nom.toUpperCase()} ${c.prenom}${c.date_naissance ? ` (né(e) le ${frDate(c.date_naissance)})` : ""}`;
  const cls = selected && selected.numero === c.numero ? "sel" : "";
  const statut = statutOf(c);
  const sig = [cls, c.place, name, statut.className, statut.textContent].join("|");
  if (kept && kept.dataset.sig === sig) { kept.candidat = c; return kept; }
  const row = el("tr", { class: cls, tabindex: 0, "data-numero": c.numero, "data-sig": sig,
                         onclick: () => select(row.candidat),
                         onkeydown: (e) => { if (e.key === "Enter") select(row.candidat); } },
    el("td", {}, c.place), el("td", {}, name), el("td", {}, c.numero), el("td", {}, statut));
  row.candidat = c;
  return row;
}

function renderCandidats() {
  const body = $("candidats");
  const focused = document.activeElement && document.activeElement.dataset && document.activeElement.dataset.numero;
  const shown = new Map([...body.children].map((row) => [row.dataset.numero, row]));
  const rows = candidats.filter(FILTERS[filter]).map((c) => candidatRow(c, shown.get(c.numero)));
  let at = body.firstElementChild; // kept rows in their place stay in the document: a press on one is not lost
  for (const row of rows) {
    if (row === at) { at = at.nextElementSibling; continue; }
    body.insertBefore(row, at);
  }
  while (at) { const next = at.nextElementSibling; at.remove(); at = next; }
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
