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

function onResult(action, v) {
  const replayed = Date.now() - action.at > 1500;
  const done = v.http ? Api.errorText(v) : (WORDS[v.verdict] || v.message || "fait");
  note(`${action.label} : ${done}${replayed ? " (renvoyé)" : ""}`, v.ok !== false ? "ok" : "bad");
  if (!replayed || action.context.show) showAnswer(v);
  if (!replayed && v.ok !== false && v.candidat && v.candidat.salle === salle && SELECTING.includes(v.verdict)) {
    select({ ...v.candidat, statut: "present" }, { scroll: false });
  }
  refresh();
}

const queue = new Api.Queue("salle.tablette.queue", onResult, renderNet);

async function send(path, body, label, context) {
  await queue.push(path, body, label, context);
  if (!queue.online) {
    verdict("wait", "EN ATTENTE", queue.serverDown
      ? "Le serveur n'a pas pu l'enregistrer : action gardée sur la tablette, renvoyée toute seule."
      : "Hors ligne : action gardée sur la tablette, envoyée au retour du réseau.", label);
  }
}
