/* The tablet's bar: the clock, the doors (open with a countdown to their closing, then closed, R3) and the
   « Son » switch. */
"use strict";

function tickClock() { $("clock").textContent = Clock.now().toTimeString().slice(0, 8); renderDoors(); }

/* The doors close at the closing second, without waiting for the server; the server's word (live summary)
   follows. */
let portes = null;
function renderDoors() {
  const box = $("portes");
  if (!portes || !portes.heure_fermeture) { box.hidden = true; return; }
  box.hidden = false;
  const closeAt = new Date(portes.fermees_a || portes.heure_fermeture);
  const left = Math.round((closeAt - Clock.now()) / 1000);
  if (portes.fermees || left <= 0) {
    box.className = "portes fermees";
    box.textContent = `Portes fermées depuis ${hhmm(portes.fermees_a || portes.heure_fermeture)}`;
    return;
  }
  const mm = Math.floor(left / 60), ss = String(left % 60).padStart(2, "0");
  box.className = `portes${left <= 300 ? " bientot" : ""}`;
  box.textContent = left < 3600 ? `Portes ouvertes — fermeture dans ${mm} min ${ss} s`
    : `Fermeture des portes à ${hhmm(portes.heure_fermeture)}`;
}
function noteSummary(summary) {
  if (!summary || summary.salle !== salle) return;
  portes = summary.portes; epreuveType = summary.epreuve.type; renderDoors();
}

function renderSon() {
  $("son").textContent = Signal.muted() ? "Son : non" : "Son : oui";
  $("son").setAttribute("aria-pressed", String(!Signal.muted()));
}
$("son").onclick = () => { Signal.setMuted(!Signal.muted()); renderSon(); };
