/* The responsable's console: one operations screen. A countdown strip that follows the day (doors close in →
   épreuve ends in, tiers-temps, last 15 minutes), every salle of the site as a tile, the alerts beside them;
   staff, devices, the borne's prints and the documents one tap away (tabs). Tapping a tile opens the salle: its
   seat map, the end of the épreuve (R21, R22: recount, a deliberate release). Live through Socket.IO. */
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const { el } = Salle;
  const hhmm = (iso) => Salle.hhmm(iso).replace(/ /g, "\u00a0"); // « 09 h 00 » never breaks across lines
  let me = null, site = null, epreuve = null, summaries = {}, seats = {}, opened = null, socket = null;
  let chosen = ""; // the épreuve picked in the bar; "" follows the current one (by the clock)
  const forEpreuve = (sep = "?") => (chosen ? `${sep}epreuve=${encodeURIComponent(chosen)}` : "");
  const MIN = 60000;

  /* A message where the action was taken: `box` is the element under the action. */
  function say(box, kind, text) {
    box.hidden = false; box.className = `verdict ${kind}`; box.textContent = text;
  }

  async function post(path, body, box, done) {
    let r;
    try { r = await Salle.api("POST", path, { client_id: Salle.uuid(), ...body }); } catch (e) {
      say(box, "bad", "Serveur injoignable : rien n'a été enregistré, réessayez."); return null;
    }
    if (r.status >= 400 || r.data.ok === false) {
      say(box, "bad", r.data.erreur ? r.data.erreur.message : (r.data.message || "Refusé.")); return r;
    }
    say(box, "ok", r.data.message || "Enregistré.");
    if (done) await done(r.data);
    return r;
  }

  // --- salles: tiles --------------------------------------------------------------------------------------------

  async function loadSalles() {
    const r = await Salle.api("GET", `/api/v1/salles${forEpreuve()}`);
    if (r.status !== 200) return;
    summaries = {};
    for (const s of r.data.salles) if (!site || s.site === site) summaries[s.salle] = s;
    const first = Object.values(summaries)[0];
    if (first) { epreuve = first.epreuve; $("epreuve-name").textContent = `${epreuve.code} — ${epreuve.libelle}`; }
    if (opened) await loadSeats(opened);
    render();
  }

  async function loadSeats(code) {
    const r = await Salle.api("GET", `/api/v1/salles/${code}/candidats${forEpreuve()}`);
    if (r.status === 200) seats[code] = r.data.candidats;
  }

  const pendingSeats = new Set();
  let seatTimer = null;
  function refreshSeats(code) { // coalesce bursts of events into one fetch per salle
    pendingSeats.add(code);
    if (seatTimer) return;
    seatTimer = setTimeout(async () => {
      seatTimer = null;
      const codes = [...pendingSeats]; pendingSeats.clear();
      await Promise.all(codes.map(loadSeats));
      if (opened && codes.includes(opened)) { renderSalle(); loadFin(); }
    }, 250);
  }

  const portes = () => (Object.values(summaries)[0] || {}).portes || {};
  const doorsClosed = () => { const p = portes(); return !!(p.fermees_a || (p.heure_fermeture && Salle.now() >= new Date(p.heure_fermeture))); };
  function times() { // the day's milestones from the recorded start (R9), tiers-temps (R24), last 15 min (R17)
    const s = Object.values(summaries)[0];
    if (!s) return null;
    const start = new Date(s.portes.debut || s.epreuve.debut_prevu);
    const end = new Date(start.getTime() + s.epreuve.duree * MIN);
    const tiers = Object.values(summaries).some((x) => x.tiers_temps > 0);
    const endTiers = new Date(end.getTime() + Math.ceil(s.epreuve.duree / 3) * MIN);
    return { started: !!s.portes.debut, start, end, tiers, endTiers, last15: new Date(end.getTime() - 15 * MIN) };
  }
  const ended = () => { const t = times(); return !!(t && t.started && Salle.now() >= t.end); };

  let frame = null;
  function render() { // at most one repaint a frame, however many summaries arrive
    if (frame) return;
    frame = requestAnimationFrame(() => {
      frame = null;
      const box = $("salles"), list = Object.values(summaries);
      const drawn = new Map([...box.children].map((t) => [t.dataset.salle, t]));
      if (drawn.size !== list.length || list.some((s) => !drawn.has(s.salle))) { drawn.clear(); box.replaceChildren(); }
      for (const s of list) { // only the tiles whose summary changed are drawn again
        const key = JSON.stringify([s, doorsClosed(), ended()]), old = drawn.get(s.salle);
        if (old && old.dataset.key === key) continue;
        const fresh = tile(s);
        fresh.dataset.key = key;
        if (old) old.replaceWith(fresh); else box.append(fresh);
      }
      box.classList.toggle("many", list.length > 12);
      tick();
      document.dispatchEvent(new CustomEvent("console-repeinte")); // benchmarks/console.py times this
    });
  }

  function tile(s) {
    const entered = s.presents + s.toilettes + s.sortis, refused = s.refuses || 0, sansEm = s.sans_emargement || 0;
    const waiting = Math.max(0, s.attendus - entered - refused);
    const count = (label, key, value, warn) => el("span", { class: `k${warn && value ? " warn" : ""}` }, `${label} `, el("b", { "data-k": key }, value));
    const fill = el("span", { class: "fill" });
    fill.style.width = `${s.attendus ? Math.round((100 * s.presents) / s.attendus) : 0}%`; // CSSOM: allowed by the policy
    const open = () => openSalle(s.salle);
    return el("section", { class: `tile${s.liberee_a ? " released" : ""}`, "data-salle": s.salle, role: "button", tabindex: "0",
      "aria-label": `${s.libelle} : ${s.presents} présents sur ${s.attendus}. Ouvrir la salle`,
      onclick: open, onkeydown: (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); open(); } } },
      el("div", { class: "tile-top" }, el("h2", {}, s.libelle),
        el("div", { class: "big" }, el("b", { "data-k": "presents" }, s.presents), ` / `, el("span", { "data-k": "attendus" }, s.attendus), el("span", { class: "unit" }, " présents"))),
      el("span", { class: "bar", "aria-hidden": "true" }, fill),
      el("div", { class: "tile-counts" },
        doorsClosed() ? count("Absents", "absents", s.absents) : count("Pas encore arrivés", "attente", waiting),
        count("Dehors", "toilettes", s.toilettes, true),
        count("Refusés", "refuses", refused, true),
        ended() ? count("Sans émargement", "sans_emargement", sansEm, true) : "",
        s.liberee_a ? el("span", { class: "k done-k" }, `Libérée à ${hhmm(s.liberee_a)}`) : ""));
  }

  // --- the countdown strip and the day's actions (R3, R9) -------------------------------------------------------

  const clockText = (ms) => {
    const t = Math.max(0, Math.round(ms / 1000)), h = Math.floor(t / 3600), m = Math.floor((t % 3600) / 60), s = t % 60;
    return `${h ? `${h}:${String(m).padStart(2, "0")}` : m}:${String(s).padStart(2, "0")}`;
  };

  function tick() {
    const now = Salle.now();
    $("clock").textContent = now.toTimeString().slice(0, 8);
    const t = times();
    if (!t) return;
    const p = portes();
    const closeAt = p.heure_fermeture ? new Date(p.heure_fermeture) : null;
    let label, big, info = [], phase = "";
    if (!doorsClosed() && closeAt) {
      label = "Fermeture des portes dans"; big = clockText(closeAt - now);
      info.push(`fermeture des portes à ${hhmm(p.heure_fermeture)}`);
      if (closeAt - now <= 5 * MIN) phase = "soon";
    } else if (!t.started) {
      label = "Portes fermées — sujets pas encore ouverts"; big = hhmm(p.fermees_a || p.heure_fermeture); phase = "wait";
    } else if (now < t.end) {
      label = now >= t.last15 ? "Quinze dernières minutes — fin dans" : "Fin de l'épreuve dans"; big = clockText(t.end - now);
      phase = now >= t.last15 ? "last15" : "";
      info.push(`fin à ${hhmm(Salle.localIso(t.end))}`, `quinze dernières minutes à ${hhmm(Salle.localIso(t.last15))}`);
    } else if (t.tiers && now < t.endTiers) {
      label = "Fin des tiers-temps dans"; big = clockText(t.endTiers - now); phase = now >= t.endTiers - 15 * MIN ? "last15" : "";
    } else {
      label = "Épreuve terminée — ramassage, recomptage, libération"; big = hhmm(Salle.localIso(t.end)); phase = "ended";
    }
    if (t.tiers) info.push(`tiers-temps jusqu'à ${hhmm(Salle.localIso(t.endTiers))}`);
    if (t.started) info.push(`sujets ouverts à ${hhmm(p.debut)}`);
    $("strip-label").textContent = label; $("strip-time").textContent = big;
    $("countdown").textContent = info.join(" · ");
    $("strip").className = `strip ${phase}`;
    // An action done is shown as done, with its time, and no longer offered.
    const closed = doorsClosed();
    $("close-now").hidden = closed; $("move-open").hidden = closed;
    if (closed) $("move-form").hidden = true;
    $("doors-done").hidden = !closed;
    $("doors-done").textContent = closed ? `Portes fermées à ${hhmm(p.fermees_a || p.heure_fermeture)}` : "";
    $("start").hidden = t.started; $("start-done").hidden = !t.started;
    $("start-done").textContent = t.started ? `Sujets ouverts à ${hhmm(p.debut)}` : "";
    const moment = `${closed}${ended()}`; // counters change meaning with the hour: draw the tiles again then
    if (moment !== tick.moment) { tick.moment = moment; render(); }
  }

  const sitePath = (what) => `/api/v1/epreuves/${epreuve.code}/sites/${site}/${what}`;
  $("move-open").onclick = () => { const f = $("move-form"); f.hidden = !f.hidden; $("move-open").setAttribute("aria-expanded", String(!f.hidden)); };
  $("move").onclick = () => post(sitePath("fermeture"), { heure: $("new-time").value, motif: $("motif").value }, $("message"), loadSalles);
  $("close-now").onclick = () => post(sitePath("portes-fermees"), {}, $("message"), loadSalles);
  $("start").onclick = () => post(sitePath("debut"), {}, $("message"), loadSalles);

  // --- documents: named downloads (Content-Disposition), not anonymous tabs ------------------------------------

  async function download(path, box) {
    let r;
    try { r = await fetch(path, { headers: { Authorization: `Bearer ${Salle.token()}` }, cache: "no-store" }); } catch (e) {
      say(box, "bad", "Serveur injoignable : document indisponible."); return;
    }
    if (!r.ok) { say(box, "bad", "Document indisponible."); return; }
    const m = /filename="([^"]+)"/.exec(r.headers.get("Content-Disposition") || "");
    const url = URL.createObjectURL(await r.blob());
    const a = el("a", { href: url, download: m ? m[1] : "document" });
    document.body.append(a); a.click(); a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
    say(box, "ok", `Téléchargé : ${m ? m[1] : "document"}.`);
  }
  $("pv").onclick = () => download(`/api/v1/epreuves/${epreuve.code}/pv.pdf?site=${site}`, $("doc-message"));
  $("csv").onclick = () => download(`/api/v1/epreuves/${epreuve.code}/emargement.csv?site=${site}`, $("doc-message"));
  $("sheets").onclick = () => download(`/api/v1/epreuves/${epreuve.code}/feuilles-emargement.pdf?site=${site}`, $("doc-message"));
  $("sheets-filled").onclick = () => download(`/api/v1/epreuves/${epreuve.code}/feuilles-emargement.pdf?site=${site}&remplie=1`, $("doc-message"));
  $("sheet").onclick = () => download(`/api/v1/salles/${opened}/feuille-emargement.pdf?epreuve=${epreuve.code}`, $("sv-message"));
  $("sheet-filled").onclick = () => download(`/api/v1/salles/${opened}/feuille-emargement.pdf?epreuve=${epreuve.code}&remplie=1`, $("sv-message"));

  // --- tabs: staff and devices, the borne, documents ----------------------------------------------------------------

  for (const name of ["personnel", "borne", "documents"]) {
    $(`tab-${name}`).onclick = () => {
      const panel = $(`panel-${name}`), show = panel.hidden;
      for (const other of ["personnel", "borne", "documents"]) { $(`panel-${other}`).hidden = true; $(`tab-${other}`).setAttribute("aria-expanded", "false"); }
      panel.hidden = !show; $(`tab-${name}`).setAttribute("aria-expanded", String(show));
      if (show) panel.scrollIntoView({ block: "nearest" });
    };
  }

  // --- alerts: what each asks of the responsable; the jury's decision on a fraud report (R5, R11) ---------------------

  const PLACEHOLDERS = { sans_piece_identite: "Contrôle fait : questions d'état civil, signature comparée…",
                         admission_hors_ligne: "Heure d'entrée confirmée avec le surveillant…",
                         convocation_deja_utilisee: "Identités contrôlées : qui a été admis, qui est à la porte…" };

  function alertItem(a) {
    const box = el("div", { class: "verdict info", role: "status", hidden: true });
    const head = el("div", { class: "alert-head" }, el("b", {}, a.titre || a.message));
    const meta = el("div", { class: "muted" }, [hhmm(a.creee_a), a.salle, a.candidat_nom].filter(Boolean).join(" · "));
    if (a.type === "fraude") {
      const who = el("input", { size: 28, "aria-label": "Décision prise par (nom et qualité du membre du jury)", placeholder: "Décidé par : nom, qualité" });
      const decide = (exclusion) => post(`/api/v1/incidents/${a.seq}/decision`, { exclusion, decide_par: who.value }, box, alertesSoon);
      return el("div", { class: "alert", "data-alerte": a.seq }, head, meta, el("div", { class: "muted" }, a.message),
        el("div", { class: "row" }, who, el("button", { class: "danger", onclick: () => decide(true) }, "Exclure le candidat"),
          el("button", { onclick: () => decide(false) }, "Ne pas exclure")), box);
    }
    const input = el("input", { size: 28, "aria-label": "Ce qui a été fait", placeholder: PLACEHOLDERS[a.type] || "Ce qui a été fait…" });
    return el("div", { class: "alert", "data-alerte": a.seq }, head, meta,
      a.titre && a.titre !== a.message ? el("details", {}, el("summary", {}, "Détail"), a.message) : "",
      el("div", { class: "row" }, input,
        el("button", { onclick: () => post(`/api/v1/alertes/${a.seq}/resolution`, { resolution: input.value }, box, alertesSoon) }, "Consigner")), box);
  }

  async function loadAlertes() {
    let r;
    try { r = await Salle.api("GET", "/api/v1/alertes"); } catch (e) { return; }
    if (r.status !== 200) return;
    const box = $("alertes"), list = r.data.alertes;
    if (box.contains(document.activeElement) && document.activeElement.tagName === "INPUT" && document.activeElement.value) {
      alertesSoon(); return; // the responsable is typing: do not redraw under their fingers
    }
    box.replaceChildren(...list.map(alertItem));
    $("alertes-count").textContent = list.length ? `(${list.length})` : "";
    if (!list.length) box.append(el("p", { class: "muted" }, "Aucune alerte ouverte."));
  }

  // --- the accueil kiosk: convocations printed, reprints flagged, failed jobs printed again (R6) -------------------

  async function loadImpressions() {
    let r;
    try { r = await Salle.api("GET", `/api/v1/sites/${site}/convocations-imprimees`); } catch (e) { return; }
    if (r.status !== 200) return;
    const rows = r.data.candidats;
    const box = $("impressions");
    const fails = rows.reduce((n, c) => n + c.impressions.filter((j) => j.statut === "echec").length, 0);
    $("tab-borne").textContent = fails ? `Borne d'accueil (${fails} en échec)` : "Borne d'accueil";
    if (!rows.length) { box.replaceChildren(el("p", { class: "muted" }, "Aucune convocation demandée à la borne.")); return; }
    const msg = el("div", { class: "verdict info", role: "status", hidden: true });
    box.replaceChildren(msg, el("table", { class: "impressions" },
      el("thead", {}, el("tr", {}, ["Candidat", "Numéro", "Imprimées", "", "Travaux en échec"].map((h) => el("th", {}, h)))),
      el("tbody", {}, rows.map((c) => el("tr", { class: c.reimpression ? "reprint" : "" },
        el("td", {}, `${(c.nom || "").toUpperCase()} ${c.prenom || ""}`), el("td", {}, c.numero),
        el("td", {}, String(c.imprimees)),
        el("td", {}, c.reimpression ? el("b", { class: "flag" }, "RÉIMPRESSION") : ""),
        el("td", {}, c.impressions.filter((j) => j.statut === "echec").map((j) =>
          el("button", { onclick: () => post(`/api/v1/kiosk/impressions/${j.job}/reimprimer`, {}, msg, loadImpressions) },
            `Réimprimer (${j.erreur || "échec"})`))))))));
  }
  let impressionsTimer = null;
  function impressionsSoon() { // at most one reload a second
    if (!impressionsTimer) impressionsTimer = setTimeout(() => { impressionsTimer = null; loadImpressions(); }, 1000);
  }

  // --- staff and their signed-in devices: sign out a lost tablet; door scanners and relays ----------------------------

  const ROLES = { surveillant: "surveillant", kiosk: "borne", responsable: "responsable", admin: "organisateur" };

  async function loadPersonnel() {
    let r;
    try { r = await Salle.api("GET", "/api/v1/personnel"); } catch (e) { return; }
    if (r.status !== 200) return;
    const rows = r.data.personnel.filter((p) => p.site === site || !p.site);
    const locked = rows.filter((p) => p.verrouille).length;
    $("tab-personnel").textContent = locked ? `Personnel et appareils (${locked} code(s) verrouillé(s))` : "Personnel et appareils";
    const msg = $("personnel-message");
    $("personnel").replaceChildren(el("table", { class: "impressions" },
      el("thead", {}, el("tr", {}, ["Personne", "Rôle", "Salle", "Appareils connectés", ""].map((h) => el("th", {}, h)))),
      el("tbody", {}, rows.map((p) => {
        const motif = el("input", { size: 24, "aria-label": `Motif de la déconnexion de ${p.nom}`, placeholder: "Motif (tablette perdue…)" });
        const mine = me.role === "admin" || ["surveillant", "kiosk"].includes(p.role);
        const canRevoke = p.appareils > 0 && mine;
        const unlock = p.verrouille && mine ? el("button", { class: "danger", onclick: () =>
          post(`/api/v1/personnel/${p.id}/deverrouillage`, {}, msg, loadPersonnel) }, "Débloquer le code") : "";
        return el("tr", { "data-personnel": p.id },
          el("td", {}, p.nom, p.verrouille ? el("strong", {}, " — CODE VERROUILLÉ") : ""),
          el("td", {}, ROLES[p.role] || p.role), el("td", {}, p.salle || "—"),
          el("td", { "data-k": "appareils" }, p.appareils ? `${p.appareils} (dernier à ${hhmm(p.derniere_connexion)})` : "aucun"),
          el("td", {}, canRevoke ? [motif, el("button", { class: "danger", onclick: () =>
            post(`/api/v1/personnel/${p.id}/deconnexion`, { motif: motif.value }, msg, loadPersonnel) }, "Déconnecter")] : "",
            unlock));
      }))));
    try { r = await Salle.api("GET", "/api/v1/appareils"); } catch (e) { return; }
    if (r.status !== 200) return;
    $("appareils").replaceChildren(r.data.appareils.length ? el("ul", {}, r.data.appareils.map((a) =>
      el("li", {}, `${a.nom} (${a.salle || a.site || "site"}) : ${a.en_ligne ? "en ligne" : "HORS LIGNE"} — ${a.message || ""}`)))
      : el("p", { class: "muted" }, "Aucun lecteur de porte ni relais déclaré."));
  }

  // --- one salle: seat map, end of épreuve, deliberate release (R21, R22) ---------------------------------------------

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
  $("sv-close").onclick = () => { $("salle-view").hidden = true; const t = $("salles").querySelector(`[data-salle="${opened}"]`); opened = null; if (t) t.focus(); };

  function renderSalle() {
    const s = summaries[opened];
    if (!s) return;
    const list = seats[opened] || [];
    $("sv-title").textContent = `${s.libelle}${s.acces ? ` — ${s.acces}` : ""}`;
    $("sv-counts").replaceChildren(
      ...[["Attendus", s.attendus], ["Présents", s.presents], [doorsClosed() ? "Absents" : "Pas encore arrivés", doorsClosed() ? s.absents : s.attendus - list.filter((c) => c.statut !== "attendu").length],
        ["Dehors", s.toilettes], ["Sortis", s.sortis], ["Refusés", list.filter((c) => c.statut === "refuse").length]]
        .map(([k, v]) => el("span", {}, `${k} `, el("b", {}, v))));
    const byPlace = Object.fromEntries(list.map((c) => [c.place, c]));
    const grid = el("div", { class: "seats", "aria-label": `Plan de ${s.libelle}` });
    grid.style.gridTemplateColumns = `repeat(${s.colonnes}, minmax(44px, 1fr))`;
    for (let r = 0; r < s.rangees; r++) {
      for (let col = 0; col < s.colonnes; col++) {
        const place = `${String.fromCharCode(65 + r)}${col + 1}`;
        const c = byPlace[place], state = seatState(c);
        const name = c ? `${c.nom.toUpperCase()} ${c.prenom}` : "";
        grid.append(el("button", { class: `seat ${state}`, "data-place": place,
          "aria-label": c ? `${place} ${name}, ${STATES[state]}` : `${place} libre`,
          onclick: () => { $("seat-info").textContent = c ? `${place} — ${name} (${c.numero}) : ${STATES[state]}`
            + (c.entree ? `, entré(e) à ${hhmm(c.entree)}` : "") + (c.refus ? `, refusé(e) à ${hhmm(c.refus.a)}` : "")
            + (c.toilettes_depuis ? `, dehors depuis ${hhmm(c.toilettes_depuis)} avec ${c.accompagnateur}` : "")
            + (c.emargement ? `, émargé à ${hhmm(c.emargement)} (${c.copies} copie(s))` : "") + (c.tiers_temps ? ", tiers-temps" : "")
            : `${place} : place libre`; } },
          el("span", { class: "pl" }, place), c ? " " : "", c ? el("span", { class: "nm" }, c.nom.toUpperCase()) : ""));
      }
    }
    $("sv-seats").replaceChildren(grid);
  }

  async function loadFin() {
    if (!opened) return;
    const r = await Salle.api("GET", `/api/v1/salles/${opened}/fin${forEpreuve()}`);
    if (r.status !== 200) { say($("sv-message"), "bad", Salle.errorMessage(r.data)); return; }
    const f = r.data;
    const recount = f.recomptage;
    $("fin-body").replaceChildren(
      el("p", {}, `Fin pour cette salle à ${hhmm(f.fin)}. Copies déclarées à l'émargement : ${f.copies_emargees}.`,
        recount ? ` Recomptage à ${hhmm(recount.a)} : ${recount.copies_comptees} copie(s)${recount.ecart ? `, écart de ${recount.ecart > 0 ? "+" : ""}${recount.ecart}` : ", sans écart"}.` : " Copies pas encore recomptées."),
      f.sans_emargement.length ? el("p", {}, el("b", {}, `Présents sans émargement : ${f.sans_emargement.length}`),
        ` — ${f.sans_emargement.map((c) => `${c.nom.toUpperCase()} ${c.prenom} (${c.place})`).join(", ")}`) : el("p", {}, "Présents sans émargement : aucun."));
    const released = !!f.liberee_a;
    $("recount-row").hidden = released;
    $("recount-btn").textContent = recount ? "Corriger le recomptage" : "Enregistrer le recomptage";
    $("release-btn").hidden = released;
    $("release-done").hidden = !released;
    $("release-done").textContent = released ? `Salle libérée à ${hhmm(f.liberee_a)}` : "";
    if (released) $("release-confirm").hidden = true;
    $("release-btn").dataset.fin = JSON.stringify(f);
  }

  $("recount-btn").onclick = () => post(`/api/v1/salles/${opened}/recomptage`, { copies_comptees: Number($("recount").value), epreuve: epreuve.code }, $("sv-message"), loadFin);

  $("release-btn").onclick = () => { // R22: the list of what is open, a confirmation, and a reason when anything is
    const f = JSON.parse($("release-btn").dataset.fin || "{}");
    const blocking = f.bloquant || [], items = f.points_ouverts || [];
    $("release-confirm").hidden = false;
    $("release-items").replaceChildren(...[...blocking, ...items].map((i) => el("li", { class: blocking.includes(i) ? "blocking" : "" }, i.message)));
    $("release-question").textContent = blocking.length ? "La salle ne peut pas encore être libérée :"
      : items.length ? `${items.length} point(s) non résolu(s). Libérer quand même ? Indiquez le motif :` : "Tout est en ordre. Donner le signal de sortie ?";
    $("release-motif-row").hidden = !items.length || blocking.length > 0;
    $("release-ok").hidden = blocking.length > 0;
    $("release-motif").value = "";
    (items.length ? $("release-motif") : $("release-ok")).focus();
  };
  $("release-cancel").onclick = () => { $("release-confirm").hidden = true; };
  $("release-ok").onclick = async () => {
    const f = JSON.parse($("release-btn").dataset.fin || "{}");
    if ((f.points_ouverts || []).length && !$("release-motif").value.trim()) {
      say($("sv-message"), "bad", "Indiquez le motif : il figurera au procès-verbal."); $("release-motif").focus(); return;
    }
    const r = await post(`/api/v1/salles/${opened}/liberation`, { epreuve: epreuve.code, motif: $("release-motif").value }, $("sv-message"), async () => {
      $("release-confirm").hidden = true; await loadFin(); await loadSalles();
    });
    if (r && r.data.erreur && r.data.erreur.details && r.data.erreur.details.points_ouverts) await loadFin(); // the list changed meanwhile
  };

  // --- live ------------------------------------------------------------------------------------------------------

  let alertesTimer = null;
  function alertesSoon() { // at most one reload of the alerts a second, however many events arrive
    if (!alertesTimer) alertesTimer = setTimeout(() => { alertesTimer = null; loadAlertes(); }, 1000);
  }

  function connectLive() {
    socket = Salle.live({
      connect: async () => { // (re)connected: resynchronise, events missed meanwhile are in the state
        await loadSalles(); await loadAlertes(); await loadImpressions(); await loadPersonnel();
        $("net").textContent = "Direct"; $("net").classList.remove("off");
      },
      disconnect: () => { $("net").textContent = "Direct interrompu — reconnexion…"; $("net").classList.add("off"); },
      salle_etat: (s) => {
        if (site && s.site !== site) return;
        if (epreuve && s.epreuve.code !== epreuve.code) return; // another épreuve than the one shown
        summaries[s.salle] = s;
        render();
        if (s.salle === opened) refreshSeats(s.salle); // the seat map only for the salle opened
      },
      evenement: (e) => {
        if (["scan", "incident", "alerte", "alerte_resolue", "decision_fraude", "appareil_etat"].includes(e.type)) alertesSoon();
        if (e.type.startsWith("impression") || e.type === "convocation_imprimee") impressionsSoon();
        if (["jetons_revoques", "code_verrouille", "code_deverrouille", "appareil_etat"].includes(e.type)) loadPersonnel();
      },
    });
  }

  async function start() {
    me = Salle.personnel();
    if (!["responsable", "admin"].includes(me.role)) { $("login-error").hidden = false; $("login-error").textContent = "La console est réservée aux responsables."; Salle.logout(); return; }
    $("login-card").hidden = true; $("app").hidden = false;
    const s = await Salle.api("GET", "/api/v1/session");
    site = me.site || new URLSearchParams(location.search).get("site") || (s.data.sites[0] || {}).code;
    const showSite = () => {
      const info = (s.data.sites || []).find((x) => x.code === site);
      $("site-name").textContent = info ? info.nom : site;
    };
    showSite();
    if (me.role === "admin" && (s.data.sites || []).length > 1) { // the organiser looks at one site, then another
      const pick = $("site-choice");
      pick.replaceChildren(...s.data.sites.map((x) => el("option", { value: x.code }, x.nom)));
      pick.value = site; pick.hidden = false;
      pick.onchange = async () => {
        site = pick.value; showSite(); history.replaceState(null, "", `?site=${encodeURIComponent(site)}`);
        $("salle-view").hidden = true; opened = null; seats = {};
        await loadSalles(); await loadImpressions(); await loadPersonnel();
      };
    }
    const choice = $("epreuve-choice");
    choice.replaceChildren(el("option", { value: "" }, "Épreuve en cours"),
      ...(s.data.epreuves || []).map((e) => el("option", { value: e.code }, `${e.code} — ${e.libelle} (${hhmm(e.debut)})`)));
    choice.onchange = async () => { chosen = choice.value; $("salle-view").hidden = true; opened = null; seats = {}; await loadSalles(); };
    connectLive();
  }

  $("login-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    try { await Salle.login($("code").value, "console"); start(); } catch (err) {
      $("login-error").hidden = false; $("login-error").textContent = err.message;
    }
  });
  $("logout").onclick = () => Salle.logout();
  setInterval(tick, 1000);
  setInterval(() => { if (!$("app").hidden) loadPersonnel(); }, 30000); // sign-ins are not pushed live
  if (Salle.token() && Salle.personnel()) start(); else $("code").focus();
})();
