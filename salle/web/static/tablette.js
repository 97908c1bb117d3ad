/* The surveillant's tablet: scans (keyboard-wedge, camera, search), admission with the ID shown, toilets,
   exits, émargement with a signature, incidents; every write queued offline and replayed (client ids). */
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const { el, hhmm } = Salle;
  const WORDS = {
    admis: "ADMIS", deja_present: "DÉJÀ ENTRÉ", mauvaise_salle: "MAUVAISE SALLE", mauvais_site: "MAUVAIS SITE",
    non_convoque: "NON CONVOQUÉ", inconnu: "INCONNU", portes_fermees: "REFUSÉ — RETARD",
    pieces_manquantes: "PIÈCES MANQUANTES", illisible: "ILLISIBLE", sortie_autorisee: "SORTIE",
    toilettes_autorisees: "TOILETTES", retour_enregistre: "RETOUR", emargement_enregistre: "ÉMARGÉ",
    incident_enregistre: "CONSIGNÉ",
  };
  const STATUTS = { attendu: "attendu", present: "présent", toilettes: "dehors", sorti: "sorti", refuse: "refusé" };
  const PIECES = { cni: "carte d'identité", passeport: "passeport", permis: "permis de conduire",
                   titre_sejour: "titre de séjour", aucune: "sans pièce d'identité" };
  const REFUS = { portes_fermees: "arrivé(e) après la fermeture des portes", pieces_manquantes: "pièces non produites" };
  let salle = null, me = null, candidats = [], selected = null, epreuveType = "ecrit";

  const queue = new Salle.Queue("salle.tablette.queue", onResult, renderNet);
  const pad = new Salle.SignaturePad($("sign"));
  const contre = new Salle.SignaturePad($("contre"));

  // --- verdicts ----------------------------------------------------------------------------------------

  /* One verdict per scan: the colour says one thing (green: admitted, nothing to follow; amber: admitted, something
     to follow up; red: refused; blue: a question or information; grey: waiting for the server), the word says it
     again, the message says what to do; a short sound and a vibration per colour (mutable on the tablet). */
  function verdict(kind, word, message, who) {
    const box = $("verdict");
    box.className = `verdict ${kind}`;
    $("v-word").textContent = word; $("v-msg").textContent = message || ""; $("v-who").textContent = who || "";
    Salle.signal(kind);
  }

  function showAnswer(data, status) {
    if (status >= 500) { // the server's trouble, not the candidat's: never « REFUSÉ »
      verdict("wait", "RÉESSAYEZ", Salle.errorMessage(data));
      return;
    }
    if (status >= 400 || data.erreur) {
      const e = data.erreur || {};
      const from = e.details && e.details.autorise_a_partir_de ? ` Possible à partir de ${hhmm(e.details.autorise_a_partir_de)}.` : "";
      verdict("bad", "REFUSÉ", Salle.errorMessage(data) + from);
      return;
    }
    const c = data.candidat;
    const who = c ? `${c.nom.toUpperCase()} ${c.prenom} — ${c.numero}${c.place ? ", place " + c.place : ""}` : "";
    const from = data.autorise_a_partir_de ? ` Possible à partir de ${hhmm(data.autorise_a_partir_de)}.` : "";
    const [kind, word] = classify(data);
    verdict(kind, word, (data.message || "") + from, who);
  }

  /* The colour and the word of an answer. */
  function classify(data) {
    if (data.verdict === "admis" && !data.enregistre) return ["info", "VÉRIFIER L'IDENTITÉ"];
    if (data.verdict === "admis") {
      if (data.alerte) return ["warn", "ADMIS SANS PIÈCE"];  // the responsable controls the identity (R5)
      if (data.hors_ligne) return ["warn", "ADMIS — À CONFIRMER"];  // let in offline before the closing (R3)
      if (data.candidat && data.candidat.pieces_manquantes) return ["warn", "ADMIS — PIÈCES PRODUITES"];  // R7
      return ["ok", "ADMIS"];
    }
    if (data.verdict === "deja_present" && data.ailleurs) return ["bad", "DÉJÀ UTILISÉE AILLEURS"];
    if (data.verdict === "deja_present") return ["info", "DÉJÀ ENTRÉ"];
    return [data.ok ? "ok" : "bad", WORDS[data.verdict] || (data.ok ? "OK" : "REFUSÉ")];
  }

  /* The tablet's journal: what was recorded, and every scan left unrecorded (« non enregistré », with a way back
     to it). Kept on the tablet, so a reload keeps it. */
  const journalKey = () => `salle.tablette.journal.${salle}`;
  const journal = () => JSON.parse(localStorage.getItem(journalKey()) || "[]");

  function note(text, kind = "info", code = null) {
    const entry = { heure: Salle.now().toTimeString().slice(0, 5), text, kind, code };
    localStorage.setItem(journalKey(), JSON.stringify([entry, ...journal()].slice(0, 60)));
    renderJournal();
  }

  function renderJournal() {
    $("log").replaceChildren(...journal().map((j) => el("li", { class: `j-${j.kind}`, "data-code": j.code }, `${j.heure} — ${j.text} `,
      j.code ? el("button", { type: "button", onclick: () => scan(j.code) }, "Reprendre") : "")));
  }

  function renderNet(q) {
    const n = q.items().length;
    const net = $("net");
    net.classList.toggle("off", !q.online);
    net.textContent = q.online ? (n ? `Envoi de ${n} action(s)…` : "En ligne")
      : `${q.serverDown ? "Serveur indisponible" : "Hors ligne"} — ${n} action(s) en attente`;
  }

  // --- the queue's answers -------------------------------------------------------------------------------

  function onResult(action, { status, data }) {
    const replayed = Date.now() - action.at > 1500;
    const done = status < 400 ? (WORDS[data.verdict] || data.message || "fait") : Salle.errorMessage(data);
    note(`${action.label} : ${done}${replayed ? " (renvoyé)" : ""}`, status < 400 && data.ok !== false ? "ok" : "bad");
    if (!replayed || action.context.show) showAnswer(data, status);
    if (!replayed && status < 400 && data.candidat && data.candidat.salle === salle
        && ["admis", "toilettes_autorisees", "retour_enregistre", "sortie_autorisee", "emargement_enregistre"].includes(data.verdict)) {
      select({ ...data.candidat, statut: "present" }, { scroll: false });
    }
    refresh();
  }

  async function send(path, body, label, context) {
    await queue.push(path, body, label, context);
    if (!queue.online) {
      verdict("wait", "EN ATTENTE", queue.serverDown
        ? "Le serveur n'a pas pu l'enregistrer : action gardée sur la tablette, renvoyée toute seule."
        : "Hors ligne : action gardée sur la tablette, envoyée au retour du réseau.", label);
    }
  }

  // --- scans -----------------------------------------------------------------------------------------------

  /* A scan always wins: a question still open (which identity document?) is left unrecorded, visibly, and the
     new code is handled; an answer that comes back after a newer scan only goes to the journal. */
  let question = null;   // {code, who, then, reason}: waiting for a deliberate tap
  let current = null;    // {code, seq}: the scan whose answer is awaited
  let seq = 0;
  const ARM_MS = 400;    // a question's buttons wait this long: a tap meant for the previous question lands on none

  async function scan(code, extra = {}) {
    if (!extra.pieces_produites && ((question && question.code === code) || (current && current.code === code))) {
      return; // the same convocation read twice: its question stays
    }
    const mine = current = { code, seq: ++seq };
    const seenAt = Salle.localIso(Salle.now()); // R3: if the entry is recorded later, the doors are judged at this time
    // The request leaves first (the verdict waits on it); the open question is closed while it travels.
    const request = Salle.api("POST", `/api/v1/salles/${salle}/scans`, { code, client_id: Salle.uuid(), ...extra })
      .catch(() => null); // offline: below
    leaveQuestion("nouveau scan avant le choix de la pièce");
    hidePanels();
    const answer = await request;
    if (current !== mine) return overtaken(code, answer);
    current = null;
    if (!answer || Salle.serverDown(answer.status)) {
      // offline, or the server cannot record just now: the surveillant checks the convocation by eye; the entry
      // is queued with the ID shown and sent by itself later
      renderNet(Object.assign(queue, { online: false, serverDown: !!answer }));
      if (answer) verdict("wait", "SERVEUR INDISPONIBLE", "Vérifiez la convocation et la pièce d'identité : l'entrée sera enregistrée dès que le serveur répondra.", code);
      else verdict("wait", "HORS LIGNE", "Vérifiez la convocation et la pièce d'identité : l'entrée sera enregistrée au retour du réseau.", code);
      askPiece({ code, who: code, title: `Pièce d'identité présentée (${answer ? "serveur indisponible" : "hors ligne"})`,
                 then: (piece) => send(`/api/v1/salles/${salle}/scans`, { code, piece_identite: piece, heure_constatee: seenAt, ...extra }, `Entrée ${code}`) });
      return;
    }
    const { status, data } = answer;
    showAnswer(data, status);
    if (status >= 400) { note(`Scan ${code} : ${Salle.errorMessage(data)}`, "bad"); return; }
    const c = data.candidat;
    if (data.verdict === "admis" && !data.enregistre) {
      const who = `${c.nom.toUpperCase()} ${c.prenom}`;
      askPiece({ code, who, title: `Pièce d'identité présentée — ${who}`,
                 then: (piece) => send(`/api/v1/salles/${salle}/scans`, { code, piece_identite: piece, ...extra }, `Entrée ${c.nom.toUpperCase()}`, { show: true }) });
      return;
    }
    note(`Scan ${c ? c.nom.toUpperCase() : code} : ${WORDS[data.verdict] || data.verdict}${data.enregistre ? "" : " (rien d'enregistré)"}`,
         data.ok ? "ok" : "bad");
    if (data.verdict === "pieces_manquantes" && !extra.pieces_produites && c) {
      $("pm-text").textContent = data.message;
      $("pm").hidden = false;
      $("pm-ok").onclick = () => scan(code, { pieces_produites: true });
      $("pm-no").onclick = () => { hidePanels(); verdict("bad", "REFUSÉ", "Pièces non produites : accès refusé, le refus est enregistré.", c.nom); };
    }
    if (data.enregistre) refresh();
  }

  /* The answer to a scan that a newer scan overtook: nothing shown, everything in the journal. */
  function overtaken(code, answer) {
    const data = answer && answer.data;
    if (!data || Salle.serverDown(answer.status) || (data.verdict === "admis" && !data.enregistre)) {
      const who = data && data.candidat ? `${data.candidat.nom.toUpperCase()} ${data.candidat.prenom}` : code;
      note(`${who} — non enregistré (nouveau scan avant le choix de la pièce)`, "lost", code);
    } else if (data.erreur) {
      note(`Scan ${code} : ${Salle.errorMessage(data)}`, "bad");
    } else {
      const who = data.candidat ? data.candidat.nom.toUpperCase() : code;
      note(`Scan ${who} : ${WORDS[data.verdict] || data.verdict}${data.enregistre ? "" : " (rien d'enregistré)"}`, "bad");
      if (data.enregistre) refresh();
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

  /* The open question is dropped: the candidate stays unrecorded, and the journal says so with a way back. */
  function leaveQuestion(reason) {
    const q = question;
    if (!q) return;
    question = null;
    $("pieces").hidden = true;
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

  function hidePanels() { ["pieces", "pm"].forEach((id) => { $(id).hidden = true; }); }

  const wedge = new Wedge.Reader($("scan"), { onScan: (code) => scan(code), onText: (text) => search(text) });
  wedge.enabled = false; // until the salle is known
  window.wedge = wedge;

  /* A search pick: a candidat of another salle is told where to go (nothing recorded); one of this salle not yet
     in is admitted through the same path as a scan; one already in opens their card. */
  function pick(c) {
    if (c.autre_salle || !c.convoque) {
      verdict("info", c.convoque ? "AUTRE SALLE" : "NON CONVOQUÉ", c.convoque
        ? `Convoqué(e) en salle ${c.salle}, place ${c.place} : indiquez-lui sa salle.`
        : "Pas convoqué(e) à cette épreuve.", `${c.nom.toUpperCase()} ${c.prenom} — ${c.numero}`);
      return;
    }
    if (c.statut === "attendu") { scan(c.code); return; }
    select(c);
  }

  async function search(q) {
    const box = $("search-results");
    box.replaceChildren();
    let r;
    try { r = await Salle.api("GET", `/api/v1/salles/${salle}/recherche?q=${encodeURIComponent(q)}`); } catch (e) {
      box.append(el("p", { class: "muted" }, "Recherche impossible hors ligne.")); return;
    }
    if (r.status !== 200) { box.append(el("p", { class: "muted" }, Salle.errorMessage(r.data))); return; }
    if (!r.data.candidats.length) { box.append(el("p", {}, `Aucun candidat trouvé pour « ${q} » sur ce site.`)); return; }
    box.append(el("ul", {}, r.data.candidats.map((c) => el("li", {},
      `${c.nom.toUpperCase()} ${c.prenom} — ${c.numero} — salle ${c.salle}, place ${c.place} (${STATUTS[c.statut] || c.statut}) `,
      el("button", { onclick: () => { box.replaceChildren(); pick(c); } }, "Choisir")))));
  }
  $("search-btn").onclick = () => { const v = $("scan").value.trim(); if (v) { $("scan").value = ""; search(v); } else $("scan").focus(); };

  // --- camera: frames to the images endpoint until a code is read -------------------------------------------

  let stream = null;
  $("camera-btn").onclick = async () => {
    if (stream) return stopCamera();
    try { stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }); } catch (e) {
      verdict("bad", "CAMÉRA", "Caméra indisponible : utilisez la douchette ou la recherche."); return;
    }
    const video = $("video"); video.srcObject = stream; video.hidden = false; await video.play();
    $("camera-btn").textContent = "Arrêter la caméra";
    const canvas = document.createElement("canvas");
    const tick = async () => {
      if (!stream) return;
      canvas.width = video.videoWidth || 640; canvas.height = video.videoHeight || 480;
      canvas.getContext("2d").drawImage(video, 0, 0, canvas.width, canvas.height);
      const blob = await new Promise((res) => canvas.toBlob(res, "image/jpeg", 0.8));
      const form = new FormData(); form.append("image", blob, "frame.jpg"); form.append("client_id", Salle.uuid());
      try {
        const r = await Salle.api("POST", `/api/v1/salles/${salle}/images`, form);
        if (r.status === 200 && r.data.codes && r.data.codes.length) { stopCamera(); return scan(r.data.codes[0]); }
      } catch (e) { /* offline: keep looking */ }
      setTimeout(tick, 400);
    };
    tick();
  };
  function stopCamera() {
    if (stream) stream.getTracks().forEach((t) => t.stop());
    stream = null; $("video").hidden = true; $("camera-btn").textContent = "Caméra";
  }

  // --- the selected candidate: toilets, exits, émargement, incidents ------------------------------------------

  /* The candidate's card: where they stand, and the actions that apply now (the others say from when). It opens
     after a recorded admission, a search pick or a tap on a row, in view; it follows live updates. */
  const ACTIONS = { toilettes: "act-toilettes", sortie: "act-sortie", emargement: "act-emarge" };
  let card = null;

  async function select(c, { scroll = true } = {}) {
    if (!selected || selected.numero !== c.numero) card = null;
    selected = c;
    $("selected").hidden = false;
    renderCandidats();
    renderCard();
    if (scroll) $("selected").scrollIntoView({ block: "nearest" });
    await loadCard();
  }

  async function loadCard() {
    if (!selected) return;
    const numero = selected.numero;
    try {
      const r = await Salle.api("GET", `/api/v1/salles/${salle}/candidats/${encodeURIComponent(numero)}`);
      if (!selected || selected.numero !== numero) return;
      card = r.status === 200 ? r.data : null;
    } catch (e) { card = null; } // offline: every action stays offered, the server decides when it gets them
    renderCard();
  }

  function renderCard() {
    const c = selected;
    const statut = card ? card.statut : c.statut;
    const info = card ? card : c;
    $("sel-name").textContent = `${c.nom.toUpperCase()} ${c.prenom} — ${c.numero}, place ${c.place}`;
    // the card knows presences only: a refusal comes from the list's row (statut « refuse », with its time)
    const refused = c.refus ? `Refusé(e) à ${hhmm(c.refus.a)} (${REFUS[c.refus.verdict] || c.refus.verdict}).` : "Refusé(e).";
    const etat = {
      attendu: c.refus ? refused : "Attendu(e) : pas encore entré(e).",
      present: `Présent(e) depuis ${hhmm(info.entree)}${info.piece_identite ? ` (${PIECES[info.piece_identite] || info.piece_identite})` : ""}.`,
      toilettes: `Aux toilettes depuis ${hhmm(info.toilettes_depuis)}, avec ${info.accompagnateur || "—"}.`,
      sorti: `Sorti(e) à ${hhmm(info.sortie)}.`,
      refuse: refused,
    }[statut] || statut;
    const emarge = info.emargement ? ` Émargé à ${hhmm(info.emargement)} : ${info.copies} copie(s).` : "";
    const fin = card && card.fin ? ` ${c.tiers_temps ? "Tiers-temps : fin" : "Fin"} à ${hhmm(card.fin)}.` : "";
    $("sel-etat").textContent = etat + emarge + fin;
    $("sel-etat").className = `etat st-${statut}`;
    const inside = statut === "present";
    $("act-admettre").hidden = !(statut === "attendu" || statut === "refuse");
    $("act-retour").hidden = statut !== "toilettes";
    $("accompagnateur-row").hidden = !inside;
    for (const [name, id] of Object.entries(ACTIONS)) {
      const a = card && card.actions[name];
      const shown = name === "emargement" ? inside || statut === "toilettes" : inside;
      $(id).hidden = !shown;
      $(id).disabled = !!(card && a && !a.possible);
      $(`hint-${name}`).textContent = shown && a && !a.possible ? whenPossible(name, a) : "";
    }
  }

  function whenPossible(name, a) {
    const what = { toilettes: "Toilettes possibles", sortie: "Sortie possible", emargement: "Émargement possible" }[name];
    return a.a_partir_de ? `${what} à partir de ${hhmm(a.a_partir_de)}.` : a.message;
  }

  const movement = (path, label, extra = {}) => send(`/api/v1/salles/${salle}/${path}`, { numero: selected.numero, ...extra }, `${label} ${selected.nom.toUpperCase()}`, { show: true });
  $("act-toilettes").onclick = () => movement("toilettes", "Toilettes", { accompagnateur: $("accompagnateur").value.trim() });
  $("act-retour").onclick = () => movement("toilettes/retour", "Retour");
  $("act-admettre").onclick = () => scan(selected.code || selected.numero);
  $("act-sortie").onclick = () => {
    leaveQuestion("remplacé par la sortie");
    const who = `${selected.nom.toUpperCase()} ${selected.prenom}`;
    askPiece({ code: selected.numero, who: `Sortie de ${who}`, arrival: false, title: `Sortie de ${who} : pièce d'identité vérifiée`,
               then: (piece) => movement("sorties", "Sortie", { piece_identite: piece }) });
  };
  $("act-emarge").onclick = () => {
    $("em-name").textContent = `${selected.nom.toUpperCase()} ${selected.prenom}`;
    $("abandon-label").hidden = epreuveType !== "oral";
    pad.clear(); $("copies").value = 1; $("blanche").checked = false; $("abandon").checked = false;
    $("emargement").hidden = false; $("emargement").scrollIntoView();
  };
  $("em-clear").onclick = () => pad.clear();
  $("em-cancel").onclick = () => { $("emargement").hidden = true; };
  $("em-ok").onclick = () => {
    if (pad.isEmpty()) { verdict("bad", "SIGNATURE", "Le candidat doit signer dans le cadre."); return; }
    const body = { numero: selected.numero, signature: pad.value() };
    if ($("abandon").checked) body.abandon = true;
    else if ($("blanche").checked) body.copie_blanche = true;
    else body.copies = Number($("copies").value);
    $("emargement").hidden = true;
    send(`/api/v1/salles/${salle}/emargements`, body, `Émargement ${selected.nom.toUpperCase()}`, { show: true });
  };

  $("act-incident").onclick = () => openIncident(selected && selected.numero);
  function openIncident(numero) {
    $("inc-numero").value = numero || ""; $("inc-texte").value = ""; contre.clear(); $("refus").checked = false;
    $("incident").hidden = false; toggleIncident(); $("incident").scrollIntoView();
  }
  function toggleIncident() {
    $("inc-fraude").hidden = $("inc-type").value !== "fraude";
    if (!$("inc-fraude").hidden && !$("heure-faits").value) $("heure-faits").value = Salle.now().toTimeString().slice(0, 5);
    $("inc-alarme").hidden = $("inc-type").value !== "alarme_incendie";
  }
  $("inc-type").onchange = toggleIncident;
  $("contre-clear").onclick = () => contre.clear();
  $("inc-cancel").onclick = () => { $("incident").hidden = true; };
  $("inc-ok").onclick = () => {
    const type = $("inc-type").value;
    const body = { type, texte: $("inc-texte").value };
    if ($("inc-numero").value.trim()) body.numero = $("inc-numero").value.trim();
    if (type === "alarme_incendie") { body.debut = $("inc-debut").value || null; if ($("inc-fin").value) body.fin = $("inc-fin").value; }
    if (type === "fraude") {
      if ($("refus").checked) body.refus_de_signer = true; else body.contresignature = contre.value();
      body.heure_faits = $("heure-faits").value || Salle.now().toTimeString().slice(0, 5);
    }
    $("incident").hidden = true;
    send(`/api/v1/salles/${salle}/incidents`, body, `Incident (${type})`, { show: true });
  };

  // --- the salle's candidates and who is out now ------------------------------------------------------------

  /* The salle's list, read again after an action or a live update; calls that come while one is on its way are
     served by one more read after it (a burst of scans costs two reads, not one per scan). */
  let reading = null, again = false;
  function refresh() {
    if (reading) { again = true; return reading; }
    reading = (async () => {
      try {
        const r = await Salle.api("GET", `/api/v1/salles/${salle}/candidats`);
        if (r.status === 200) { candidats = r.data.candidats; renderCandidats(); if (selected) loadCard(); }
      } catch (e) { /* offline: keep the last list */ }
    })().finally(() => { reading = null; if (again) { again = false; refresh(); } });
    return reading;
  }

  const FILTERS = { tous: () => true, attendu: (c) => c.statut === "attendu", present: (c) => c.statut === "present",
                    toilettes: (c) => c.statut === "toilettes", refuse: (c) => c.statut === "refuse",
                    sorti: (c) => c.statut === "sorti", emarge: (c) => !!c.emargement };
  let filter = "tous";

  function statutOf(c) {
    const word = c.emargement ? `émargé (${c.copies} copie${c.copies > 1 ? "s" : ""})` : STATUTS[c.statut] || c.statut;
    return el("span", { class: `chip st-${c.emargement ? "emarge" : c.statut}` }, word);
  }

  function renderCandidats() {
    const body = $("candidats");
    const focused = document.activeElement && document.activeElement.dataset && document.activeElement.dataset.numero;
    body.replaceChildren(...candidats.filter(FILTERS[filter]).map((c) => {
      const name = `${c.nom.toUpperCase()} ${c.prenom}${c.date_naissance ? ` (né(e) le ${frDate(c.date_naissance)})` : ""}`;
      return el("tr", { class: selected && selected.numero === c.numero ? "sel" : "", tabindex: 0, "data-numero": c.numero,
                        onclick: () => select(c), onkeydown: (e) => { if (e.key === "Enter") select(c); } },
        el("td", {}, c.place), el("td", {}, name), el("td", {}, c.numero), el("td", {}, statutOf(c)));
    }));
    if (focused) { const row = body.querySelector(`tr[data-numero="${CSS.escape(focused)}"]`); if (row) row.focus(); }
    const n = (k) => candidats.filter(FILTERS[k]).length;
    $("counts").textContent = `— ${candidats.length} convoqués : ${n("present")} présents, ${n("toilettes")} dehors, `
      + `${n("attendu")} attendus, ${n("refuse")} refusés, ${n("sorti")} sortis, ${n("emarge")} émargés`;
    document.querySelectorAll("#filtres button").forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.filtre === filter)));
    $("dehors").replaceChildren(...candidats.filter((c) => c.statut === "toilettes").map((c) =>
      el("li", {}, `${c.nom.toUpperCase()} ${c.prenom} — depuis ${hhmm(c.toilettes_depuis)} avec ${c.accompagnateur} `,
        el("button", { onclick: () => { select(c, { scroll: false }); movement("toilettes/retour", "Retour"); } }, "Retour"))));
    if (!$("dehors").children.length) $("dehors").append(el("li", { class: "muted" }, "Personne."));
    if (selected) { const s = candidats.find((c) => c.numero === selected.numero); if (s) selected = s; }
  }
  const frDate = (iso) => iso.split("-").reverse().join("/");
  $("filtres").addEventListener("click", (e) => {
    if (!e.target.dataset.filtre) return;
    filter = e.target.dataset.filtre; renderCandidats();
  });

  // --- start ----------------------------------------------------------------------------------------------------

  function tickClock() { $("clock").textContent = Salle.now().toTimeString().slice(0, 8); renderDoors(); }

  /* The door in the bar: open with a countdown to its closing, then closed (R3) — at the closing second, without
     waiting for the server; the server's word (live summary) follows. */
  let portes = null;
  function renderDoors() {
    const box = $("portes");
    if (!portes || !portes.heure_fermeture) { box.hidden = true; return; }
    box.hidden = false;
    const closeAt = new Date(portes.fermees_a || portes.heure_fermeture);
    const left = Math.round((closeAt - Salle.now()) / 1000);
    if (portes.fermees || left <= 0) {
      box.className = "portes fermees"; box.textContent = `Portes fermées depuis ${hhmm(portes.fermees_a || portes.heure_fermeture)}`;
      return;
    }
    const mm = Math.floor(left / 60), ss = String(left % 60).padStart(2, "0");
    box.className = `portes${left <= 300 ? " bientot" : ""}`;
    box.textContent = left < 3600 ? `Portes ouvertes — fermeture dans ${mm} min ${ss} s` : `Fermeture des portes à ${hhmm(portes.heure_fermeture)}`;
  }
  function noteSummary(summary) {
    if (!summary || summary.salle !== salle) return;
    portes = summary.portes; epreuveType = summary.epreuve.type; renderDoors();
  }

  async function start() {
    me = Salle.personnel();
    salle = me.salle || null; // a surveillant's salle is known at once: no scan may leave without it
    $("login-card").hidden = true;
    $("who").textContent = me.nom;
    $("accompagnateur").value = me.nom;
    const wanted = new URLSearchParams(location.search).get("salle");
    try {
      const s = await Salle.api("GET", "/api/v1/session");
      if (s.status === 401) { Salle.logout(false); return; } // the sign-in is no longer valid: back to the code
      if (s.status !== 200) throw new Error(Salle.errorMessage(s.data));
      const salles = s.data.salles || [];
      salle = me.salle || (salles.find((x) => x.code === wanted) || salles[0] || {}).code;
      const info = salles.find((x) => x.code === salle);
      $("salle-name").textContent = info ? info.libelle : salle;
      const st = await Salle.api("GET", `/api/v1/salles/${salle}`);
      if (st.status === 200) noteSummary(st.data);
    } catch (e) { salle = me.salle; $("salle-name").textContent = salle || "—"; }
    $("app").hidden = false; // shown once the salle is known (the scan field is inside)
    wedge.enabled = true;
    renderJournal();
    await refresh();
    Salle.live({ salle_etat: (summary) => { noteSummary(summary); refresh(); }, evenement: () => {} });
    queue.flush();
    $("scan").focus();
  }

  $("login-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    try {
      await Salle.login($("code").value, "tablette");
      $("code").value = "";
      start();
    } catch (err) { $("login-error").hidden = false; $("login-error").textContent = err.message; }
  });
  $("logout").onclick = () => Salle.logout();
  function renderSon() {
    $("son").textContent = Salle.muted() ? "Son : non" : "Son : oui";
    $("son").setAttribute("aria-pressed", String(!Salle.muted()));
  }
  $("son").onclick = () => { Salle.setMuted(!Salle.muted()); renderSon(); };

  /* The scanner's settings, kept on this tablet: its prefix, how its codes end, its speed. */
  function renderDouchette() {
    const s = Wedge.settings();
    $("d-prefixe").value = s.prefixe; $("d-fin").value = s.fin; $("d-ecart").value = String(s.ecart);
    const last = wedge.last[0];
    $("d-dernier").textContent = last ? `Dernière saisie rapide : ${last.length} caractères, ${last.median} ms entre touches `
      + `(${last.scan ? "lue comme un scan" : "lue comme une frappe"}).` : "";
  }
  $("d-ok").onclick = () => {
    Wedge.saveSettings({ prefixe: $("d-prefixe").value, fin: $("d-fin").value, ecart: Number($("d-ecart").value), fin_vue: false });
    renderDouchette();
    verdict("info", "DOUCHETTE", "Réglages enregistrés sur cette tablette : scannez une convocation pour essayer.");
  };
  renderDouchette();
  renderSon();
  $("pdf-btn").onclick = async () => {
    const r = await fetch(`/api/v1/salles/${salle}/feuille-emargement.pdf`, { headers: { Authorization: `Bearer ${Salle.token()}` }, cache: "no-store" });
    if (r.ok) window.open(URL.createObjectURL(await r.blob()));
  };

  setInterval(tickClock, 1000); tickClock();
  setInterval(() => { if (selected && !$("selected").hidden) loadCard(); }, 30000); // « possible à partir de » moves on
  renderNet(queue);
  if (Salle.token() && Salle.personnel()) start(); else $("code").focus();
})();
