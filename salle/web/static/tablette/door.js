/* The tablet at the door: a scan (keyboard-wedge, camera, search pick, « Reprendre ») asks the server for its
   verdict; an admission waits for the identity document shown; offline, the entry is queued with the time seen. */
"use strict";

/* A scan always wins: a question still open (which identity document?) is left unrecorded, visibly, and the
   new code is handled; an answer that comes back after a newer scan only goes to the journal. */
let question = null;   // {code, who, then, reason}: waiting for a deliberate tap
let current = null;    // {code, seq}: the scan whose answer is awaited
let seq = 0;
let live = null;       // the live connection (Live.connect), once the salle is known
const ARM_MS = 400;    // a question's buttons wait this long: a tap meant for the previous question lands on none

const OFFLINE = {
  server: ["SERVEUR INDISPONIBLE", "Vérifiez la convocation et la pièce d'identité : l'entrée sera enregistrée "
    + "dès que le serveur répondra."],
  network: ["HORS LIGNE", "Vérifiez la convocation et la pièce d'identité : l'entrée sera enregistrée au retour "
    + "du réseau."],
};

async function scan(code, extra = {}) {
  if (!extra.pieces_produites && ((question && question.code === code) || (current && current.code === code))) {
    return; // the same convocation read twice: its question stays
  }
  const mine = current = { code, seq: ++seq };
  const seenAt = Clock.localIso(Clock.now()); // R3: if the entry is recorded later, the doors are judged now
  const heard = Clock.heard; // the server's last word before this scan: seenAt cannot be before it (issue 16)
  const path = `/api/v1/salles/${salle}/scans`;
  // The request leaves first (the verdict waits on it). A preview goes over the live connection when it is up
  // (about 5 ms sooner than HTTP), else, or unanswered, by HTTP with the same client id (a refusal the server
  // recorded is answered again, not recorded twice).
  const body = { code, client_id: Api.uuid(), ...extra };
  const request = Live.ask(live, "apercu", { salle, ...body })
    .then((v) => v || Api.command("POST", path, body))
    .catch(() => null); // offline: below
  // The open question is closed now: a tap meant for it lands on nothing (`question` is gone). Its panel goes
  // with the answer, a few milliseconds later; its buttons look disarmed only if the answer is slow. Nothing on
  // screen changes with the Enter: a change would call for a frame, and Chromium gives the frame after a key
  // precedence over the answer's message (measured: the answer then waited up to 16 ms for it).
  const left = question;
  question = null;
  if (left) setTimeout(() => { if (current === mine && !question) disarm(); }, 100);
  const v = await request;
  closeLeft(left, "nouveau scan avant le choix de la pièce");
  if (current !== mine) return overtaken(code, v);
  current = null;
  if (!v || Api.serverDown(v)) {
    // offline, or the server cannot record just now: the surveillant checks the convocation by eye; the entry
    // is queued with the ID shown and sent by itself later
    renderNet(Object.assign(queue, { online: false, serverDown: !!v }));
    verdict("wait", ...OFFLINE[v ? "server" : "network"], code);
    askPiece({ code, who: code, title: `Pièce d'identité présentée (${v ? "serveur indisponible" : "hors ligne"})`,
               then: (piece) => send(path, { code, piece_identite: piece, heure_constatee: seenAt,
                                                   derniere_liaison: heard, ...extra },
                                     `Entrée ${code}`) });
    return;
  }
  answered(v, code, path, extra);
}

/* A scan's answer shown: the verdict, then what it asks (the identity document, missing papers). Also for a
   door scanner's read (`scan_lu`), previewed by the server for this salle's tablets. */
function answered(v, code, path = `/api/v1/salles/${salle}/scans`, extra = {}) {
  showAnswer(v);
  if (v.http) { note(`Scan ${code} : ${Api.errorText(v)}`, "bad"); return; }
  const c = v.candidat;
  if (v.verdict === "admis" && !v.enregistre) {
    const who = `${c.nom.toUpperCase()} ${c.prenom}`;
    askPiece({ code, who, title: `Pièce d'identité présentée — ${who}`,
               then: (piece) => send(path, { code, piece_identite: piece, ...extra }, `Entrée ${c.nom.toUpperCase()}`,
                                     { show: true }) });
    return;
  }
  note(`Scan ${c ? c.nom.toUpperCase() : code} : ${WORDS[v.verdict] || v.verdict}`
       + `${v.enregistre ? "" : " (rien d'enregistré)"}`, v.ok ? "ok" : "bad");
  if (v.verdict === "pieces_manquantes" && !extra.pieces_produites && c) {
    $("pm-text").textContent = v.message;
    $("pm").hidden = false;
    $("pm-ok").onclick = () => scan(code, { pieces_produites: true });
    $("pm-no").onclick = () => {
      hidePanels(); verdict("bad", "REFUSÉ", "Pièces non produites : accès refusé, le refus est enregistré.", c.nom);
    };
  }
  if (v.enregistre) refresh();
}

/* A door scanner's read at this salle (its own verdict, previewed by the server): like a scan here, unless this
   tablet is already handling that code. */
function doorScannerRead(v) {
  const code = v.code || v.candidat.numero;
  if ((question && question.code === code) || (current && current.code === code)) return;
  leaveQuestion("nouveau scan avant le choix de la pièce");
  hidePanels();
  answered(v, code);
}

/* The answer to a scan that a newer scan overtook: nothing shown, everything in the journal. */
function overtaken(code, v) {
  if (!v || Api.serverDown(v) || (v.verdict === "admis" && !v.enregistre)) {
    const who = v && v.candidat ? `${v.candidat.nom.toUpperCase()} ${v.candidat.prenom}` : code;
    note(`${who} — non enregistré (nouveau scan avant le choix de la pièce)`, "lost", code);
  } else if (v.http) {
    note(`Scan ${code} : ${Api.errorText(v)}`, "bad");
  } else {
    const who = v.candidat ? v.candidat.nom.toUpperCase() : code;
    note(`Scan ${who} : ${WORDS[v.verdict] || v.verdict}${v.enregistre ? "" : " (rien d'enregistré)"}`, "bad");
    if (v.enregistre) refresh();
  }
}

/* Ask which identity document was shown; nothing is recorded until a deliberate tap on one of them. */
function askPiece(q) {
  question = q;
  const box = $("pieces");
  $("pieces-title").textContent = q.title;
  box.dataset.code = q.code;
  box.hidden = false;
  const buttons = box.querySelectorAll("button[data-piece]");
  buttons.forEach((b) => { b.disabled = true; });
  setTimeout(() => { if (question === q) buttons.forEach((b) => { b.disabled = false; }); }, ARM_MS);
}

/* A question a new scan closed: its panels go (unless a newer question is already up), the journal says it. */
function closeLeft(q, reason) {
  if (!question) hidePanels();
  if (q) noteLeft(q, reason);
}

/* The open question is dropped: the candidate stays unrecorded, and the journal says so with a way back. */
function leaveQuestion(reason) {
  const q = question;
  if (!q) return;
  question = null;
  $("pieces").hidden = true;
  noteLeft(q, reason);
}

/* In the journal, with a way back to it (« Reprendre ») when it was an arrival. */
function noteLeft(q, reason) {
  note(`${q.who} — non enregistré (${reason})`, "lost", q.arrival === false ? null : q.code);
}

$("pieces").addEventListener("click", (e) => {
  const piece = e.target.dataset && e.target.dataset.piece;
  if (!piece || !question || e.target.disabled) return;
  const q = question; question = null;
  $("pieces").hidden = true;
  q.then(piece);
});
$("pieces-cancel").onclick = () => {
  if (!question) { $("pieces").hidden = true; return; }
  leaveQuestion("annulé");
  verdict("info", "ANNULÉ", "Rien n'a été enregistré.");
};

function disarm() { $("pieces").querySelectorAll("button[data-piece]").forEach((b) => { b.disabled = true; }); }

function hidePanels() { ["pieces", "pm"].forEach((id) => { $(id).hidden = true; }); }

/* The scanner is read from the sign-in on (a tablet reloaded at the door is scanned at once, before its list is
   back); its codes wait for the salle to be known, in order. Before the sign-in, typing is the code's. */
let salleKnown;
const whenSalleKnown = new Promise((resolve) => { salleKnown = resolve; });
const wedge = new Wedge.Reader($("scan"), { onScan: (code) => whenSalleKnown.then(() => scan(code)),
                                            onText: (text) => whenSalleKnown.then(() => search(text)) });
wedge.enabled = false; // until the sign-in
window.wedge = wedge;
