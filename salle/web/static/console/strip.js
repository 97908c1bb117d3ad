/* The console's countdown strip and the day's actions (R3, R9): the doors closed now or their closing moved,
   the subjects opened; an action done is shown as done, with its time, and no longer offered. */
"use strict";

const clockText = (ms) => {
  const t = Math.max(0, Math.round(ms / 1000)), h = Math.floor(t / 3600), m = Math.floor((t % 3600) / 60), s = t % 60;
  return `${h ? `${h}:${String(m).padStart(2, "0")}` : m}:${String(s).padStart(2, "0")}`;
};

/* What the strip says now: {label, big, info, phase}. */
function phaseOf(now, t, p) {
  const closeAt = p.heure_fermeture ? new Date(p.heure_fermeture) : null;
  const info = [];
  const at = (d) => hhmm(Clock.localIso(d));
  if (!doorsClosed() && closeAt) {
    info.push(`fermeture des portes à ${hhmm(p.heure_fermeture)}`);
    return { label: "Fermeture des portes dans", big: clockText(closeAt - now), info,
             phase: closeAt - now <= 5 * MIN ? "soon" : "" };
  }
  if (!t.started) {
    return { label: "Portes fermées — sujets pas encore ouverts", big: hhmm(p.fermees_a || p.heure_fermeture), info,
             phase: "wait" };
  }
  if (now < t.end) {
    info.push(`fin à ${at(t.end)}`, `quinze dernières minutes à ${at(t.last15)}`);
    return { label: now >= t.last15 ? "Quinze dernières minutes — fin dans" : "Fin de l'épreuve dans",
             big: clockText(t.end - now), info, phase: now >= t.last15 ? "last15" : "" };
  }
  if (t.tiers && now < t.endTiers) {
    return { label: "Fin des tiers-temps dans", big: clockText(t.endTiers - now), info,
             phase: now >= t.endTiers - 15 * MIN ? "last15" : "" };
  }
  return { label: "Épreuve terminée — ramassage, recomptage, libération", big: at(t.end), info, phase: "ended" };
}

function tick() { // every second and with each repaint; writes only what changed
  const now = Clock.now();
  setText($("clock"), now.toTimeString().slice(0, 8));
  const t = times();
  if (!t) return;
  const p = portes();
  const { label, big, info, phase } = phaseOf(now, t, p);
  if (t.tiers) info.push(`tiers-temps jusqu'à ${hhmm(Clock.localIso(t.endTiers))}`);
  if (t.started) info.push(`sujets ouverts à ${hhmm(p.debut)}`);
  setText($("strip-label"), label); setText($("strip-time"), big);
  setText($("countdown"), info.join(" · "));
  setAttr($("strip"), "class", `strip ${phase}`);
  // An action done is shown as done, with its time, and no longer offered.
  const closed = doorsClosed();
  const show = (id, yes) => setHidden($(id), !yes);
  show("close-now", !closed); show("move-open", !closed);
  if (closed) show("move-form", false);
  show("doors-done", closed);
  setText($("doors-done"), closed ? `Portes fermées à ${hhmm(p.fermees_a || p.heure_fermeture)}` : "");
  show("start", !t.started); show("start-done", t.started);
  setText($("start-done"), t.started ? `Sujets ouverts à ${hhmm(p.debut)}` : "");
  const moment = `${closed}${ended()}`; // counters change meaning with the hour: draw the tiles again then
  if (moment !== tick.moment) { tick.moment = moment; render(); }
}

const sitePath = (what) => `/api/v1/epreuves/${epreuve.code}/sites/${site}/${what}`;
$("move-open").onclick = () => {
  const f = $("move-form"); f.hidden = !f.hidden; $("move-open").setAttribute("aria-expanded", String(!f.hidden));
};
$("move").onclick = () => post(sitePath("fermeture"), { heure: $("new-time").value, motif: $("motif").value },
                               $("message"), loadSalles);
$("close-now").onclick = () => post(sitePath("portes-fermees"), {}, $("message"), loadSalles);
$("start").onclick = () => post(sitePath("debut"), {}, $("message"), loadSalles);
