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
  const STATUTS = { attendu: "attendu", present: "présent", toilettes: "aux toilettes", sorti: "sorti" };
  const SCAN_GAP_MS = 30; // a keyboard-wedge scanner types faster than this per character on average (no pause)
  let salle = null, me = null, candidats = [], selected = null, pending = null, epreuveType = "ecrit";
  let keyTimes = [];

  const queue = new Salle.Queue("salle.tablette.queue", onResult, renderNet);
  const pad = new Salle.SignaturePad($("sign"));
  const contre = new Salle.SignaturePad($("contre"));

  // --- verdicts ----------------------------------------------------------------------------------------

  function verdict(kind, word, message, who) {
    const box = $("verdict");
    box.className = `verdict ${kind}`;
    $("v-word").textContent = word; $("v-msg").textContent = message || ""; $("v-who").textContent = who || "";
  }

  function showAnswer(data, status) {
    if (status >= 500) { // the server's trouble, not the candidat's: never « REFUSÉ »
      verdict("wait", "RÉESSAYEZ", Salle.errorMessage(data));
      return;
    }
    if (status >= 400 || data.erreur) {
      const e = data.erreur || {};
      const from = e.details && e.details.autorise_a_partir_de ? ` Autorisé à partir de ${hhmm(e.details.autorise_a_partir_de)}.` : "";
      verdict("bad", "REFUSÉ", Salle.errorMessage(data) + from);
      return;
    }
    const c = data.candidat;
    const who = c ? `${c.nom.toUpperCase()} ${c.prenom} — ${c.numero}${c.place ? ", place " + c.place : ""}` : "";
    const from = data.autorise_a_partir_de ? ` Autorisé à partir de ${hhmm(data.autorise_a_partir_de)}.` : "";
    const kind = data.ok ? (data.verdict === "admis" && !data.enregistre ? "warn" : "ok") : "bad";
    const word = data.verdict === "admis" && !data.enregistre ? "VÉRIFIER L'IDENTITÉ" : (WORDS[data.verdict] || (data.ok ? "OK" : "REFUSÉ"));
    verdict(kind, word, (data.message || "") + from, who);
  }

  function log(text) {
    const li = el("li", {}, `${Salle.now().toTimeString().slice(0, 5)} — ${text}`);
    $("log").prepend(li);
    while ($("log").children.length > 30) $("log").lastChild.remove();
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
    log(`${action.label} : ${status < 400 ? (WORDS[data.verdict] || data.message || "fait") : Salle.errorMessage(data)}${replayed ? " (renvoyé)" : ""}`);
    if (!replayed || action.context.show) showAnswer(data, status);
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

  async function scan(code, extra = {}) {
    hidePanels();
    const seenAt = Salle.localIso(Salle.now()); // R3: if the entry is recorded later, the doors are judged at this time
    let answer = null;
    try {
      answer = await Salle.api("POST", `/api/v1/salles/${salle}/scans`, { code, client_id: Salle.uuid(), ...extra });
    } catch (e) { /* offline: below */ }
    if (!answer || Salle.serverDown(answer.status)) {
      // offline, or the server cannot record just now: the surveillant checks the convocation by eye; the entry
      // is queued with the ID shown and sent by itself later
      renderNet(Object.assign(queue, { online: false, serverDown: !!answer }));
      if (answer) verdict("wait", "SERVEUR INDISPONIBLE", "Vérifiez la convocation et la pièce d'identité : l'entrée sera enregistrée dès que le serveur répondra.", code);
      else verdict("wait", "HORS LIGNE", "Vérifiez la convocation et la pièce d'identité : l'entrée sera enregistrée au retour du réseau.", code);
      askPiece(`Pièce d'identité présentée (${answer ? "serveur indisponible" : "hors ligne"})`, (piece) => send(`/api/v1/salles/${salle}/scans`, { code, piece_identite: piece, heure_constatee: seenAt, ...extra }, `Entrée ${code}`));
      return;
    }
    const { status, data } = answer;
    showAnswer(data, status);
    if (status >= 400) return;
    log(`Scan ${code} : ${WORDS[data.verdict] || data.verdict}`);
    if (data.verdict === "admis" && !data.enregistre) {
      askPiece("Pièce d'identité présentée (R5)", (piece) => send(`/api/v1/salles/${salle}/scans`, { code, piece_identite: piece, ...extra }, `Entrée ${data.candidat.nom.toUpperCase()}`, { show: true }));
    } else if (data.verdict === "pieces_manquantes" && !extra.pieces_produites && data.candidat) {
      $("pm-text").textContent = data.message;
      $("pm").hidden = false;
      $("pm-ok").onclick = () => scan(code, { pieces_produites: true });
      $("pm-no").onclick = () => { hidePanels(); verdict("bad", "REFUSÉ", "Pièces non produites : accès refusé (R7).", data.candidat.nom); };
    }
    if (data.enregistre) refresh();
  }

  function askPiece(title, then) {
    $("pieces-title").textContent = title;
    $("pieces").hidden = false;
    pending = then;
    $("pieces").querySelector("button").focus();
  }

  $("pieces").addEventListener("click", (e) => {
    const piece = e.target.dataset && e.target.dataset.piece;
    if (!piece || !pending) return;
    const then = pending; pending = null; $("pieces").hidden = true;
    then(piece);
    $("scan").focus();
  });
  $("pieces-cancel").onclick = () => { pending = null; hidePanels(); verdict("info", "ANNULÉ", "Rien n'a été enregistré."); $("scan").focus(); };

  function hidePanels() { ["pieces", "pm"].forEach((id) => { $(id).hidden = true; }); pending = null; }

  /* Keyboard wedge: characters typed faster than SCAN_GAP_MS on average, none paused more than three times
     that, and ended by Enter or Tab, are a scan;
     slower typing ended by Enter is a search by name or numéro. */
  $("scan").addEventListener("keydown", (e) => {
    if (e.key === "Enter" || e.key === "Tab") {
      const value = $("scan").value.trim();
      if (!value) return;
      e.preventDefault();
      const gaps = keyTimes.slice(1).map((t, i) => t - keyTimes[i]);
      const mean = gaps.reduce((a, g) => a + g, 0) / (gaps.length || 1);
      const fast = keyTimes.length >= 3 && mean < SCAN_GAP_MS && gaps.every((g) => g < 3 * SCAN_GAP_MS);
      $("scan").value = ""; keyTimes = [];
      if (fast) scan(value); else search(value);
    } else if (e.key.length === 1) {
      if ($("scan").value === "") keyTimes = [];
      keyTimes.push(e.timeStamp);
    }
  });

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
      el("button", { onclick: () => { box.replaceChildren(); scan(c.code); } }, "Choisir")))));
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

  function select(c) {
    selected = c;
    $("selected").hidden = false;
    $("sel-name").textContent = `${c.nom.toUpperCase()} ${c.prenom} — ${c.numero}, place ${c.place} (${STATUTS[c.statut] || c.statut})`;
    renderCandidats();
  }

  const movement = (path, label, extra = {}) => send(`/api/v1/salles/${salle}/${path}`, { numero: selected.numero, ...extra }, `${label} ${selected.nom.toUpperCase()}`, { show: true });
  $("act-toilettes").onclick = () => movement("toilettes", "Toilettes", { accompagnateur: $("accompagnateur").value.trim() });
  $("act-retour").onclick = () => movement("toilettes/retour", "Retour");
  $("act-sortie").onclick = () => askPiece("Sortie : pièce d'identité vérifiée (R8)", (piece) => movement("sorties", "Sortie", { piece_identite: piece }));
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
      body.exclusion = document.querySelector("input[name=exclusion]:checked").value === "oui";
      if ($("refus").checked) body.refus_de_signer = true; else body.contresignature = contre.value();
      body.heure_faits = Salle.now().toTimeString().slice(0, 5);
    }
    $("incident").hidden = true;
    send(`/api/v1/salles/${salle}/incidents`, body, `Incident (${type})`, { show: true });
  };

  // --- the salle's candidates and who is out now ------------------------------------------------------------

  async function refresh() {
    try {
      const r = await Salle.api("GET", `/api/v1/salles/${salle}/candidats`);
      if (r.status === 200) { candidats = r.data.candidats; renderCandidats(); }
    } catch (e) { /* offline: keep the last list */ }
  }

  function renderCandidats() {
    const body = $("candidats");
    body.replaceChildren(...candidats.map((c) => {
      const statut = c.emargement ? `${STATUTS[c.statut]}, émargé (${c.copies} copie(s))` : STATUTS[c.statut] || c.statut;
      const tr = el("tr", { class: selected && selected.numero === c.numero ? "sel" : "", tabindex: 0,
                            onclick: () => select(c), onkeydown: (e) => { if (e.key === "Enter") select(c); } },
        el("td", {}, c.place), el("td", {}, `${c.nom.toUpperCase()} ${c.prenom}`), el("td", {}, c.numero), el("td", {}, statut));
      return tr;
    }));
    const n = (s) => candidats.filter((c) => c.statut === s).length;
    $("counts").textContent = `— ${candidats.length} attendus, ${n("present")} présents, ${n("toilettes")} dehors, ${n("sorti")} sortis`;
    $("dehors").replaceChildren(...candidats.filter((c) => c.statut === "toilettes").map((c) =>
      el("li", {}, `${c.nom.toUpperCase()} ${c.prenom} — depuis ${hhmm(c.toilettes_depuis)} avec ${c.accompagnateur} `,
        el("button", { onclick: () => { select(c); movement("toilettes/retour", "Retour"); } }, "Retour"))));
    if (!$("dehors").children.length) $("dehors").append(el("li", { class: "muted" }, "Personne."));
    if (selected) { const s = candidats.find((c) => c.numero === selected.numero); if (s) selected = s; }
  }

  // --- start ----------------------------------------------------------------------------------------------------

  function tickClock() { $("clock").textContent = Salle.now().toTimeString().slice(0, 8); }

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
      if (st.status === 200) epreuveType = st.data.epreuve.type;
    } catch (e) { salle = me.salle; $("salle-name").textContent = salle || "—"; }
    $("app").hidden = false; // shown once the salle is known (the scan field is inside)
    await refresh();
    Salle.live({ salle_etat: () => refresh(), evenement: () => {} });
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
  $("pdf-btn").onclick = async () => {
    const r = await fetch(`/api/v1/salles/${salle}/feuille-emargement.pdf`, { headers: { Authorization: `Bearer ${Salle.token()}` }, cache: "no-store" });
    if (r.ok) window.open(URL.createObjectURL(await r.blob()));
  };

  setInterval(tickClock, 1000); tickClock();
  renderNet(queue);
  if (Salle.token() && Salle.personnel()) start(); else $("code").focus();
})();
