/* The responsable's console: every salle of the site live (Socket.IO), seat maps, doors countdown and move (R3),
   start (R9), alerts to resolve (R5, R11), end of épreuve (R21, R22), PV. */
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const { el, hhmm } = Salle;
  let me = null, site = null, epreuve = null, summaries = {}, seats = {}, finSalle = null, socket = null;
  let chosen = ""; // the épreuve picked in the bar; "" follows the current one (by the clock)
  const forEpreuve = () => (chosen ? `?epreuve=${encodeURIComponent(chosen)}` : "");

  function say(kind, text) {
    $("message").hidden = false; $("message").className = `verdict ${kind}`; $("message-text").textContent = text;
  }

  async function post(path, body, done) {
    let r;
    try { r = await Salle.api("POST", path, { client_id: Salle.uuid(), ...body }); } catch (e) {
      say("bad", "Serveur injoignable : rien n'a été enregistré, réessayez."); return null;
    }
    if (r.status >= 400 || r.data.ok === false) { say("bad", Salle.errorMessage(r.data) === "Erreur inattendue." ? r.data.message : Salle.errorMessage(r.data)); return null; }
    say("ok", r.data.message || "Enregistré.");
    if (done) done(r.data);
    return r.data;
  }

  // --- salles ----------------------------------------------------------------------------------------------

  async function loadSalles() {
    const r = await Salle.api("GET", `/api/v1/salles${forEpreuve()}`);
    if (r.status !== 200) return;
    summaries = {};
    for (const s of r.data.salles) if (!site || s.site === site) summaries[s.salle] = s;
    const first = Object.values(summaries)[0];
    if (first) { epreuve = first.epreuve; $("epreuve-name").textContent = `${epreuve.code} — ${epreuve.libelle}`; }
    for (const code of Object.keys(summaries)) await loadSeats(code);
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
    clearTimeout(seatTimer);
    seatTimer = setTimeout(async () => {
      const codes = [...pendingSeats]; pendingSeats.clear();
      for (const c of codes) await loadSeats(c);
      render();
    }, 250);
  }

  function render() {
    $("salles").replaceChildren(...Object.values(summaries).map(card));
    tick();
  }

  function card(s) {
    const list = seats[s.salle] || [];
    const sansEm = list.filter((c) => c.statut !== "attendu" && !c.emargement).length;
    const out = list.filter((c) => c.statut === "toilettes");
    const byPlace = Object.fromEntries(list.map((c) => [c.place, c]));
    const grid = el("div", { class: "seats", style: `grid-template-columns: repeat(${s.colonnes}, 1fr)`, "aria-label": `Plan de ${s.libelle}` });
    for (let r = 0; r < s.rangees; r++) {
      for (let col = 0; col < s.colonnes; col++) {
        const place = `${String.fromCharCode(65 + r)}${col + 1}`;
        const c = byPlace[place];
        const state = c ? (c.emargement ? "emarge" : c.statut) : "";
        grid.append(el("div", { class: `seat ${state}`, title: c ? `${place} — ${c.nom.toUpperCase()} ${c.prenom} (${c.statut})` : place },
          c ? `${place} ${c.nom.slice(0, 8)}` : place));
      }
    }
    return el("section", { class: "card", "data-salle": s.salle },
      el("h2", {}, `${s.libelle} `, el("span", { class: "muted" }, s.acces || "")),
      el("div", { class: "counts" },
        el("span", {}, "Attendus ", el("b", { "data-k": "attendus" }, s.attendus)),
        el("span", {}, "Présents ", el("b", { "data-k": "presents" }, s.presents)),
        el("span", {}, "Absents ", el("b", { "data-k": "absents" }, s.absents)),
        el("span", {}, "Dehors ", el("b", { "data-k": "toilettes" }, s.toilettes)),
        el("span", {}, "Sortis ", el("b", { "data-k": "sortis" }, s.sortis)),
        el("span", {}, "Refusés (retard) ", el("b", { "data-k": "refuses_retard" }, s.refuses_retard)),
        el("span", {}, "Sans émargement ", el("b", { "data-k": "sans_emargement" }, sansEm))),
      out.length ? el("p", {}, "Dehors maintenant : ", out.map((c) => `${c.nom.toUpperCase()} (depuis ${hhmm(c.toilettes_depuis)}, avec ${c.accompagnateur})`).join(" ; ")) : "",
      grid,
      el("div", { class: "row spaced" }, el("button", { onclick: () => openFin(s.salle) }, "Fin d'épreuve…")));
  }

  // --- doors countdown, move, close, start ------------------------------------------------------------------

  function tick() {
    $("clock").textContent = Salle.now().toTimeString().slice(0, 8);
    const s = Object.values(summaries)[0];
    if (!s) return;
    const p = s.portes;
    let text;
    if (p.fermees_a) text = `portes fermées à ${hhmm(p.fermees_a)}`;
    else if (p.heure_fermeture) {
      const left = Math.round((new Date(p.heure_fermeture) - Salle.now()) / 1000);
      text = left > 0 ? `fermeture des portes à ${hhmm(p.heure_fermeture)} dans ${Math.floor(left / 60)} min ${String(left % 60).padStart(2, "0")} s`
        : `portes fermées depuis ${hhmm(p.heure_fermeture)}`;
    }
    text += p.debut ? ` — sujets ouverts à ${hhmm(p.debut)}` : " — sujets pas encore ouverts";
    $("countdown").textContent = text;
  }

  const sitePath = (what) => `/api/v1/epreuves/${epreuve.code}/sites/${site}/${what}`;
  $("move").onclick = () => post(sitePath("fermeture"), { heure: $("new-time").value, motif: $("motif").value }, loadSalles);
  $("close-now").onclick = () => post(sitePath("portes-fermees"), {}, loadSalles);
  $("start").onclick = () => post(sitePath("debut"), {}, loadSalles);

  async function openFile(path) {
    const r = await fetch(path, { headers: { Authorization: `Bearer ${Salle.token()}` }, cache: "no-store" });
    if (!r.ok) { say("bad", "Document indisponible."); return; }
    window.open(URL.createObjectURL(await r.blob()));
  }
  $("pv").onclick = () => openFile(`/api/v1/epreuves/${epreuve.code}/pv.pdf?site=${site}`);
  $("csv").onclick = () => openFile(`/api/v1/epreuves/${epreuve.code}/emargement.csv?site=${site}`);

  // --- alerts ------------------------------------------------------------------------------------------------------

  const PLACEHOLDERS = { sans_piece_identite: "Contrôle d'identité effectué…",
                         admission_hors_ligne: "Heure d'entrée confirmée avec le surveillant…",
                         convocation_deja_utilisee: "Identité contrôlée : qui a été admis, qui est à la porte…" };

  async function loadAlertes() {
    let r;
    try { r = await Salle.api("GET", "/api/v1/alertes"); } catch (e) { return; }
    if (r.status !== 200) return;
    const box = $("alertes");
    box.replaceChildren(...r.data.alertes.map((a) => {
      const input = el("input", { size: 40, "aria-label": "Ce qui a été fait", placeholder: PLACEHOLDERS[a.type] || "Suite donnée…" });
      return el("div", { class: "alert" }, el("b", {}, `${hhmm(a.creee_a)} — ${a.salle} — `), a.message, " ",
        input, el("button", { onclick: () => post(`/api/v1/alertes/${a.seq}/resolution`, { resolution: input.value }, loadAlertes) }, "Traitée"));
    }));
    if (!r.data.alertes.length) box.append(el("p", { class: "muted" }, "Aucune alerte ouverte."));
  }

  // --- the accueil kiosk: convocations printed, reprints flagged, failed jobs printed again (R6) -------------------

  async function loadImpressions() {
    let r;
    try { r = await Salle.api("GET", `/api/v1/sites/${site}/convocations-imprimees`); } catch (e) { return; }
    if (r.status !== 200) return;
    const rows = r.data.candidats;
    const box = $("impressions");
    if (!rows.length) { box.replaceChildren(el("p", { class: "muted" }, "Aucune convocation demandée à la borne.")); return; }
    box.replaceChildren(el("table", { class: "impressions" },
      el("thead", {}, el("tr", {}, ["Candidat", "Numéro", "Imprimées", "", "Travaux en échec"].map((h) => el("th", {}, h)))),
      el("tbody", {}, rows.map((c) => el("tr", { class: c.reimpression ? "reprint" : "" },
        el("td", {}, `${(c.nom || "").toUpperCase()} ${c.prenom || ""}`), el("td", {}, c.numero),
        el("td", {}, String(c.imprimees)),
        el("td", {}, c.reimpression ? el("b", { class: "flag" }, "RÉIMPRESSION") : ""),
        el("td", {}, c.impressions.filter((j) => j.statut === "echec").map((j) =>
          el("button", { onclick: () => post(`/api/v1/kiosk/impressions/${j.job}/reimprimer`, {}, loadImpressions) },
            `Réimprimer (${j.erreur || "échec"})`))))))));
  }
  let impressionsTimer = null;
  function impressionsSoon() { // at most one reload a second
    if (!impressionsTimer) impressionsTimer = setTimeout(() => { impressionsTimer = null; loadImpressions(); }, 1000);
  }

  // --- staff and their signed-in devices: sign out a lost tablet ----------------------------------------------

  const ROLES = { surveillant: "surveillant", kiosk: "borne", responsable: "responsable", admin: "organisateur" };

  async function loadPersonnel() {
    let r;
    try { r = await Salle.api("GET", "/api/v1/personnel"); } catch (e) { return; }
    if (r.status !== 200) return;
    const rows = r.data.personnel.filter((p) => p.site === site || !p.site);
    $("personnel").replaceChildren(el("table", { class: "impressions" },
      el("thead", {}, el("tr", {}, ["Personne", "Rôle", "Salle", "Appareils connectés", ""].map((h) => el("th", {}, h)))),
      el("tbody", {}, rows.map((p) => {
        const motif = el("input", { size: 24, "aria-label": `Motif de la déconnexion de ${p.nom}`, placeholder: "Motif (tablette perdue…)" });
        const mine = me.role === "admin" || ["surveillant", "kiosk"].includes(p.role);
        const canRevoke = p.appareils > 0 && mine;
        const unlock = p.verrouille && mine ? el("button", { class: "danger", onclick: () =>
          post(`/api/v1/personnel/${p.id}/deverrouillage`, {}, loadPersonnel) }, "Débloquer le code") : "";
        return el("tr", { "data-personnel": p.id },
          el("td", {}, p.nom, p.verrouille ? el("strong", {}, " — CODE VERROUILLÉ") : ""),
          el("td", {}, ROLES[p.role] || p.role), el("td", {}, p.salle || "—"),
          el("td", { "data-k": "appareils" }, p.appareils ? `${p.appareils} (dernier à ${hhmm(p.derniere_connexion)})` : "aucun"),
          el("td", {}, canRevoke ? [motif, el("button", { class: "danger", onclick: () =>
            post(`/api/v1/personnel/${p.id}/deconnexion`, { motif: motif.value }, loadPersonnel) }, "Déconnecter")] : "",
            unlock));
      }))));
  }

  // --- end of épreuve (R21, R22) --------------------------------------------------------------------------------

  async function openFin(code) {
    finSalle = code;
    const r = await Salle.api("GET", `/api/v1/salles/${code}/fin${forEpreuve()}`);
    if (r.status !== 200) { say("bad", Salle.errorMessage(r.data)); return; }
    const f = r.data;
    $("fin").hidden = false;
    $("fin-title").textContent = `Fin d'épreuve — ${code} (fin à ${hhmm(f.fin)})`;
    $("fin-body").replaceChildren(
      el("p", {}, `Copies déclarées à l'émargement : ${f.copies_emargees}.`,
        f.recomptage ? ` Recomptage : ${f.recomptage.copies_comptees} (écart ${f.recomptage.ecart}).` : " Pas encore recomptées.",
        f.liberee_a ? ` Salle libérée à ${hhmm(f.liberee_a)}.` : ""),
      el("p", {}, el("b", {}, `Présents sans émargement : ${f.sans_emargement.length}`)),
      el("ul", {}, f.sans_emargement.map((c) => el("li", {}, `${c.nom.toUpperCase()} ${c.prenom} — ${c.numero}, place ${c.place}`))));
    $("fin").scrollIntoView();
  }
  $("recount-btn").onclick = () => post(`/api/v1/salles/${finSalle}/recomptage`, { copies_comptees: Number($("recount").value), epreuve: epreuve.code }, () => openFin(finSalle));
  $("release-btn").onclick = () => post(`/api/v1/salles/${finSalle}/liberation`, { epreuve: epreuve.code }, () => openFin(finSalle));
  $("fin-close").onclick = () => { $("fin").hidden = true; };

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
        refreshSeats(s.salle);
      },
      evenement: (e) => {
        if (["scan", "incident", "alerte", "alerte_resolue"].includes(e.type)) alertesSoon();
        if (e.type.startsWith("impression") || e.type === "convocation_imprimee") impressionsSoon();
        if (["jetons_revoques", "code_verrouille", "code_deverrouille"].includes(e.type)) loadPersonnel();
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
        $("fin").hidden = true; seats = {};
        await loadSalles(); await loadImpressions(); await loadPersonnel();
      };
    }
    const choice = $("epreuve-choice");
    choice.replaceChildren(el("option", { value: "" }, "Épreuve en cours"),
      ...(s.data.epreuves || []).map((e) => el("option", { value: e.code }, `${e.code} — ${e.libelle} (${hhmm(e.debut)})`)));
    choice.onchange = async () => { chosen = choice.value; $("fin").hidden = true; seats = {}; await loadSalles(); };
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
