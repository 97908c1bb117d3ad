/* The tablet's journal: what was recorded, and every scan left unrecorded (« non enregistré », with a way back
   to it). Kept on the tablet, so a reload keeps it. */
"use strict";

const journalKey = () => `salle.tablette.journal.${salle}`;
const journal = () => JSON.parse(localStorage.getItem(journalKey()) || "[]");

const JOURNAL_SIZE = 60;

function note(text, kind = "info", code = null) {
  const entry = { heure: Clock.now().toTimeString().slice(0, 5), text, kind, code };
  localStorage.setItem(journalKey(), JSON.stringify([entry, ...journal()].slice(0, JOURNAL_SIZE)));
  // One line added, not the list redrawn, and after the frame that paints the verdict (the journal is on the first
  // screen: its new line, laid out and painted in that frame, held the verdict back). Kept first in storage.
  afterPaint(() => {
    const log = $("log");
    log.prepend(line(entry));
    while (log.children.length > JOURNAL_SIZE) log.lastElementChild.remove();
  });
}

/* Once the next frame is painted (a task after its animation frame). */
function afterPaint(f) { requestAnimationFrame(() => setTimeout(f, 0)); }

function line(j) {
  const resume = el("button", { type: "button", onclick: () => scan(j.code) }, "Reprendre");
  return el("li", { class: `j-${j.kind}`, "data-code": j.code }, `${j.heure} — ${j.text} `, j.code ? resume : "");
}

function renderJournal() {
  $("log").replaceChildren(...journal().map(line));
}
