/* The tablet's writes: every action goes through the offline queue (Api.Queue), its answer is shown and
   journaled; the bar says whether the tablet is online and what waits. */
"use strict";

function renderNet(q) {
  const n = q.items().length;
  const net = $("net");
  net.classList.toggle("off", !q.online);
  net.textContent = q.online ? (n ? `Envoi de ${n} action(s)…` : Api.base() ? "En ligne (portable de secours)"
    : "En ligne") : `${q.serverDown ? "Serveur indisponible" : "Hors ligne"} — ${n} action(s) en attente`;
}

const SELECTING = ["admis", "toilettes_autorisees", "retour_enregistre", "sortie_autorisee", "emargement_enregistre"];

/* An action's answer: in the journal always. On screen when it is this action's moment — not replayed (it waited
   in the queue: a cut, a server down, an earlier page), or asked to be shown (`show`) — and the door is not
   handling another candidat now (a scan awaited, a question open: that screen is theirs). Its candidat's card
   opens if no scan came since it was sent. A slow first answer is still this action's: an entry answered after
   2 s on a busy network shows its verdict and its card. */
function onResult(action, v, replayed) {
  const done = v.http ? Api.errorText(v) : (WORDS[v.verdict] || v.message || "fait");
  note(`${action.label} : ${done}${replayed ? " (renvoyé)" : ""}`, v.ok !== false ? "ok" : "bad");
  const doorBusy = current !== null || question !== null; // door.js
  if (!doorBusy && (!replayed || action.context.show)) showAnswer(v);
  if (!doorBusy && !replayed && action.context.seq === seq && v.ok !== false && v.candidat && v.candidat.salle === salle
      && SELECTING.includes(v.verdict)) {
    select({ ...v.candidat, statut: "present" }, { scroll: false });
  }
  refresh();
}

const queue = new Api.Queue("salle.tablette.queue", onResult, renderNet);

async function send(path, body, label, context) {
  await queue.push(path, body, label, { ...context, seq }); // seq: the door's scans so far (door.js)
  if (!queue.online) {
    verdict("wait", "EN ATTENTE", queue.serverDown
      ? "Le serveur n'a pas pu l'enregistrer : action gardée sur la tablette, renvoyée toute seule."
      : "Hors ligne : action gardée sur la tablette, envoyée au retour du réseau.", label);
  }
}
