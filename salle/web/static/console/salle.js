/* The console: one salle opened from its tile — its counts, its seat map (tap a seat for its candidate), its
   émargement sheet. */
"use strict";

const STATES = { attendu: "attendu", absent: "absent", present: "présent", toilettes: "dehors", sorti: "sorti",
                 emarge: "émargé", refuse: "refusé" };

function seatState(c) {
  if (!c) return "vide";
  if (c.emargement) return "emarge";
  if (c.statut === "attendu") return doorsClosed() ? "absent" : "attendu";
  return c.statut;
}

async function openSalle(code) {
  opened = code;
  $("salle-view").hidden = false;
  $("release-confirm").hidden = true; $("sv-message").hidden = true;
  await loadSeats(code);
  renderSalle(); loadFin();
  $("sv-close").focus();
}
$("sv-close").onclick = () => {
  $("salle-view").hidden = true;
  const t = $("salles").querySelector(`[data-salle="${opened}"]`);
  opened = null;
  if (t) t.focus();
};

function seatInfo(place, c, state) {
  if (!c) return `${place} : place libre`;
  return `${place} — ${c.nom.toUpperCase()} ${c.prenom} (${c.numero}) : ${STATES[state]}`
    + (c.entree ? `, entré(e) à ${hhmm(c.entree)}` : "") + (c.refus ? `, refusé(e) à ${hhmm(c.refus.a)}` : "")
    + (c.toilettes_depuis ? `, dehors depuis ${hhmm(c.toilettes_depuis)} avec ${c.accompagnateur}` : "")
    + (c.emargement ? `, émargé à ${hhmm(c.emargement)} (${c.copies} copie(s))` : "")
    + (c.tiers_temps ? `, ${c.temps_majore || "tiers-temps"}` : "");
}

function renderSalle() {
  const s = summaries[opened];
  if (!s) return;
  const list = seats[opened] || [];
  const closed = doorsClosed();
  setText($("sv-title"), `${s.libelle}${s.acces ? ` — ${s.acces}` : ""}`);
  const arrived = list.filter((c) => c.statut !== "attendu").length;
  $("sv-counts").replaceChildren(...[["Attendus", s.attendus], ["Présents", s.presents],
    [closed ? "Absents" : "Pas encore arrivés", closed ? s.absents : s.attendus - arrived],
    ["Dehors", s.toilettes], ["Sortis", s.sortis], ["Refusés", list.filter((c) => c.statut === "refuse").length]]
    .map(([k, v]) => el("span", {}, `${k} `, el("b", {}, v))));
  const byPlace = Object.fromEntries(list.map((c) => [c.place, c]));
  let grid = $("sv-seats").firstElementChild;
  if (!grid || grid.dataset.salle !== opened) { // the seats made once per salle opened, then updated in place
    grid = el("div", { class: "seats", "data-salle": opened, "aria-label": `Plan de ${s.libelle}` });
    grid.style.gridTemplateColumns = `repeat(${s.colonnes}, minmax(44px, 1fr))`;
    for (let r = 0; r < s.rangees; r++) {
      for (let col = 0; col < s.colonnes; col++) {
        const place = `${String.fromCharCode(65 + r)}${col + 1}`;
        grid.append(el("button", { class: "seat", "data-place": place, onclick: () => showSeat(place) },
          el("span", { class: "pl" }, place), " ", el("span", { class: "nm" })));
      }
    }
    $("sv-seats").replaceChildren(grid);
  }
  for (const seat of grid.children) {
    const place = seat.dataset.place, c = byPlace[place], state = seatState(c);
    const name = c ? `${c.nom.toUpperCase()} ${c.prenom}` : "";
    setAttr(seat, "class", `seat ${state}`);
    setAttr(seat, "aria-label", c ? `${place} ${name}, ${STATES[state]}` : `${place} libre`);
    setText(seat.lastChild, c ? c.nom.toUpperCase() : "");
  }
}

function showSeat(place) { // what the seat holds now, read when tapped
  const c = (seats[opened] || []).find((x) => x.place === place);
  $("seat-info").textContent = seatInfo(place, c, seatState(c));
}

const sheetPath = (filled) => `/api/v1/salles/${opened}/feuille-emargement.pdf?epreuve=${epreuve.code}`
  + (filled ? "&remplie=1" : "");
$("sheet").onclick = () => download(sheetPath(false), $("sv-message"));
$("sheet-filled").onclick = () => download(sheetPath(true), $("sv-message"));
