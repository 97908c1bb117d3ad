// The accueil borne (R6): find one's convocation and print it; once out of the salle, print one's attestation de
// présence (numéro and date of birth). Only the kiosk API; text is always set with
// textContent, never as HTML (nothing a candidat types is ever rendered as markup). A candidat gives two facts,
// their name or numéro and their date of birth (R27), and when they are done nothing of theirs stays in the page.
"use strict";

(function () {
  const TOKEN_KEY = "salle.borne.jeton";
  const MOIS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
                "novembre", "décembre"];
  const AZERTY = ["AZERTYUIOP", "QSDFGHJKLM", "WXCVBN'-"];
  const WELCOME_EVERY_MS = 20000;  // the welcome screen asks again whether anything is still printable (R3)
  const root = document.getElementById("borne");
  const idleSeconds = Number(root.dataset.idle) || 30;
  const warnSeconds = Math.min(Number(root.dataset.avertir) || 0, idleSeconds - 1);
  const thisYear = Number(root.dataset.year);
  const $ = (id) => document.getElementById(id);
  let idleTimer = null, warnTimer = null, countdown = null, pollTimer = null, welcomeTimer = null;
  let current = null;  // the candidat found
  let born = null;     // their date of birth, « aaaa-mm-jj »: the print needs it again
  let mode = "nom";    // which of name or numéro goes with the date
  let purpose = "convocation";  // or « attestation »: what the numéro and the date of birth are for

  // --- screens, the idle return and its announcement ------------------------------------------------
  function show(name) {
    document.querySelectorAll(".ecran").forEach((s) => { s.hidden = s.id !== "ecran-" + name; });
    root.dataset.ecran = name;
    const first = $("ecran-" + name).querySelector("input, button.action, button");
    if (first) first.focus();
    armIdle();
  }
  function armIdle() {
    clearTimeout(idleTimer);
    clearTimeout(warnTimer);
    clearInterval(countdown);
    $("avertissement").hidden = true;
    const screen = root.dataset.ecran;
    if (!screen || screen === "accueil" || screen === "connexion") return;
    idleTimer = setTimeout(welcome, idleSeconds * 1000);
    if (warnSeconds > 0) warnTimer = setTimeout(warn, (idleSeconds - warnSeconds) * 1000);
  }
  function warn() {  // the last seconds before the welcome screen: said, with a large « Continuer »
    let left = warnSeconds;
    $("avertissement-compte").textContent = String(left);
    $("avertissement").hidden = false;
    $("continuer").focus();
    countdown = setInterval(() => {
      left = Math.max(0, left - 1);
      $("avertissement-compte").textContent = String(left);
    }, 1000);
  }
  /* Nothing of the candidat stays: what they typed, what the server said of them, the date, the job polled. */
  function forget() {
    clearInterval(pollTimer);
    current = null;
    born = null;
    mode = "nom";
    purpose = "convocation";
    $("ou-aller").hidden = false;
    document.querySelectorAll("#borne input").forEach((i) => { if (i.id !== "code-borne") i.value = ""; });
    document.querySelectorAll("#borne .donnee").forEach((e) => { e.textContent = ""; });
    $("resultat-message").className = "message donnee";
    $("imprime-message").className = "message donnee";
    $("message-numero").hidden = true;
    delete root.dataset.impression;
  }
  function welcome() {
    forget();
    show("accueil");
    refreshWelcome();
  }
  /* The concours, the day, and whether a convocation can still be printed today at this site (R3). */
  async function refreshWelcome() {
    clearTimeout(welcomeTimer);
    welcomeTimer = setTimeout(refreshWelcome, WELCOME_EVERY_MS);
    if (root.dataset.ecran !== "accueil") return;
    const res = await Api.request("GET", "/api/v1/kiosk/accueil").catch(() => null);
    if (!res || res.status !== 200 || root.dataset.ecran !== "accueil") return;
    const a = res.data;
    $("entete-concours").textContent = a.concours;
    $("entete-jour").textContent = `${a.site} — ${a.jour}`;
    $("accueil-ouvert").hidden = !a.impression_possible;
    $("accueil-ferme").hidden = a.impression_possible;
    $("titre-ferme").textContent = a.etat === "aucune_epreuve" ? "Aucune épreuve aujourd'hui"
      : "Les portes sont fermées";
    $("accueil-message").textContent = a.message;
    root.dataset.accueil = a.etat;
  }
  ["pointerdown", "keydown"].forEach((t) => document.addEventListener(t, armIdle, true));
  document.addEventListener("contextmenu", (e) => e.preventDefault());  // no long-press menu on the borne

  // --- the API (salle/web/static/api.js), with the borne's own token and words -----------------------
  const WORDS = {  // the candidat is sent to the accueil: the server's trouble is staff business
    reseau: "Le serveur ne répond pas : adressez-vous au personnel de l'accueil.",
    serveur: "Le service est momentanément indisponible : adressez-vous au personnel de l'accueil.",
    illisible: () => "Une erreur est survenue : adressez-vous au personnel de l'accueil.",
    autre: "Une erreur est survenue : adressez-vous au personnel de l'accueil.",
  };
  Api.configure({tokenKey: TOKEN_KEY, onUnauthorized: () => { Api.forgetToken(); forget(); show("connexion"); }});
  /* A request ({status, data}) or a command (its verdict) with « Un instant… » shown; null when the network
     failed. */
  async function call(send, method, path, body) {
    $("attente").hidden = false;
    try {
      return await send(method, path, body);
    } catch (err) {
      return null;
    } finally {
      $("attente").hidden = true;
    }
  }
  const request = (method, path, body) => call(Api.request, method, path, body);
  const command = (method, path, body) => call(Api.command, method, path, body);
  const errorText = (answer) => Api.errorText(answer, WORDS);

  // --- on-screen keyboard and keypads -----------------------------------------------------------------
  function key(label, onPress, extra) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "touche" + (extra || "");
    b.textContent = label;
    b.addEventListener("click", onPress);
    return b;
  }
  function typeInto(input, text) {
    if (input.value.length + text.length <= Number(input.maxLength || 100)) input.value += text;
    input.dispatchEvent(new Event("input"));
  }
  function backspace(input) {
    input.value = input.value.slice(0, -1);
    input.dispatchEvent(new Event("input"));
  }
  function buildKeyboard(box) {
    const input = $(box.dataset.cible);
    AZERTY.forEach((row) => {
      const line = document.createElement("div");
      line.className = "rangee";
      for (const ch of row) {
        const b = key(ch, () => typeInto(input, ch));
        b.dataset.touche = ch;
        b.setAttribute("aria-label", ch === "'" ? "' apostrophe" : ch === "-" ? "- trait d'union" : ch);
        line.appendChild(b);
      }
      box.appendChild(line);
    });
    const last = document.createElement("div");
    last.className = "rangee";
    const space = key("espace", () => typeInto(input, " "), " large");
    space.dataset.touche = " ";
    const erase = key("⌫ effacer", () => backspace(input), " large");
    erase.dataset.touche = "effacer";
    erase.setAttribute("aria-label", "⌫ effacer la dernière lettre");
    last.append(space, erase);
    box.appendChild(last);
  }
  function buildKeypad(box) {
    const input = $(box.dataset.cible);
    ["123", "456", "789", "E0"].forEach((row) => {
      const line = document.createElement("div");
      line.className = "rangee";
      for (const ch of row) {
        const b = ch === "E" ? key("⌫", () => backspace(input)) : key(ch, () => typeInto(input, ch));
        b.dataset.touche = ch === "E" ? "effacer" : ch;
        if (ch === "E") b.setAttribute("aria-label", "⌫ effacer le dernier chiffre");
        line.appendChild(b);
      }
      box.appendChild(line);
    });
  }

  // --- the date of birth: « jj/mm/aaaa », eight digits ------------------------------------------------
  const digitsOf = (text) => text.replace(/\D/g, "").slice(0, 8);
  function formatDate() {  // the slashes come by themselves: the candidat types only digits
    const d = digitsOf($("date").value);
    $("date").value = [d.slice(0, 2), d.slice(2, 4), d.slice(4)].filter(Boolean).join("/");
    $("erreur-date").textContent = "";
  }
  /* « aaaa-mm-jj », or a French sentence saying what is wrong with what was typed. */
  function readDate() {
    const d = digitsOf($("date").value);
    if (d.length < 8) return {error: "Tapez 8 chiffres : le jour (2), le mois (2) et l'année (4), par exemple "
                                     + "18 03 1990 pour le 18 mars 1990."};
    const day = Number(d.slice(0, 2)), month = Number(d.slice(2, 4)), year = Number(d.slice(4));
    if (month < 1 || month > 12) return {error: `Le mois « ${d.slice(2, 4)} » n'existe pas : tapez de 01 à 12.`};
    if (year < 1900 || year > thisYear) return {error: `Vérifiez l'année « ${year} » : elle doit être entre 1900 et `
                                                       + `${thisYear}.`};
    const date = new Date(Date.UTC(year, month - 1, day));
    if (day < 1 || date.getUTCDate() !== day) {
      return {error: `Le ${day} ${MOIS[month - 1]} ${year} n'existe pas : vérifiez le jour et le mois.`};
    }
    return {iso: `${d.slice(4)}-${d.slice(2, 4)}-${d.slice(0, 2)}`};
  }

  // --- the flow --------------------------------------------------------------------------------
  function showMessage(title, text, offerNumero) {
    $("message-titre").textContent = title;
    $("message-texte").textContent = text;
    $("message-numero").hidden = !offerNumero;
    show("message");
  }
  function fillPlace(prefix, c) {
    $(prefix + "-site").textContent = c.site.nom;
    $(prefix + "-adresse").textContent = c.site.adresse;
    $(prefix + "-salle").textContent = c.salle ? c.salle.libelle : "";
    $(prefix + "-acces").textContent = c.salle ? c.salle.acces : "";
    $(prefix + "-place").textContent = c.place;
  }
  function next(which) {  // from the name or the numéro to the date of birth
    const value = $(which).value.trim();
    if (!value) {
      $("erreur-" + which).textContent = which === "nom" ? "Tapez votre nom." : "Tapez votre numéro d'inscription.";
      return;
    }
    $("erreur-" + which).textContent = "";
    mode = which;
    show("date");
  }
  async function search() {
    const date = readDate();
    if (date.error) { $("erreur-date").textContent = date.error; return; }
    born = date.iso;
    if (purpose === "attestation") { printAttestation(); return; }
    const body = mode === "numero" ? {numero: $("numero").value, date_naissance: born}
      : {nom: $("nom").value, date_naissance: born};
    const res = await request("POST", "/api/v1/kiosk/recherches", body);
    if (!res || res.status !== 200) {
      if (!res || res.status !== 401) showMessage("Recherche impossible", errorText(res), false);
      return;
    }
    const a = res.data;
    if (a.resultat === "trouve") {
      current = a.candidat;
      $("carte-nom").textContent = `${a.candidat.nom} ${a.candidat.prenom}`;
      $("carte-numero").textContent = a.candidat.numero;
      $("carte-epreuve").textContent = `${a.candidat.epreuve.libelle} — ${a.candidat.epreuve.date}`;
      $("carte-heure").textContent = a.candidat.convocation;
      fillPlace("carte", a.candidat);
      $("resultat-message").textContent = a.message;
      $("resultat-message").className = "message donnee" + (a.candidat.autre_site ? " attention" : "");
      show("resultat");
    } else if (a.resultat === "plusieurs") {
      showMessage("Plusieurs personnes trouvées", a.message, true);
    } else if (a.resultat === "portes_fermees") {
      showMessage("Portes fermées", a.message, false);
    } else {
      showMessage("Convocation non trouvée", a.message, a.resultat === "introuvable" && mode === "nom");
    }
  }
  function showPrinted(answer) {
    const printed = answer.statut === "imprimee";
    $("imprime-titre").textContent = printed ? "Votre convocation est imprimée" :
      answer.statut === "echec" ? "Impression impossible" : "Impression en attente";
    $("imprime-message").textContent = answer.message;
    $("imprime-message").className = "message donnee" + (answer.panne ? " panne" : "");
    fillPlace("aller", current);
    root.dataset.impression = answer.statut;
    show("imprime");
  }
  async function printConvocation() {
    if (!current) return;
    const body = {numero: current.numero, date_naissance: born, client_id: Api.uuid()};
    let v = await command("POST", "/api/v1/kiosk/impressions", body);
    if (!v) v = await command("POST", "/api/v1/kiosk/impressions", body);  // same client_id: once
    if (!v || v.ok === false) {  // the network, the server's trouble, a limit, or a refusal (doors closed: R3)
      if (!v || v.http !== 401) showMessage("Impression impossible", errorText(v), false);
      return;
    }
    showPrinted(v);
    if (v.statut === "en_attente") {
      const job = v.job;
      clearInterval(pollTimer);
      pollTimer = setInterval(async () => {
        const r = await request("GET", "/api/v1/kiosk/impressions/" + encodeURIComponent(job));
        if (r && r.status === 200 && (r.data.statut !== "en_attente" || !r.data.panne)) {
          if (r.data.statut !== "en_attente") clearInterval(pollTimer);
          if (root.dataset.ecran === "imprime" && current) showPrinted(r.data);
        }
      }, 1000);
    }
  }
  /* The attestation de présence of a candidat who has left (numéro and date of birth): printed, or why not. */
  async function printAttestation() {
    const body = {numero: $("numero").value, date_naissance: born, client_id: Api.uuid()};
    let v = await command("POST", "/api/v1/kiosk/attestations", body);
    if (!v) v = await command("POST", "/api/v1/kiosk/attestations", body);  // same client_id: once
    if (!v || v.ok === false) {
      if (!v || v.http !== 401) showMessage("Attestation non imprimée", errorText(v), false);
      return;
    }
    $("imprime-titre").textContent = v.statut === "imprimee" ? "Votre attestation de présence est imprimée" :
      v.statut === "echec" ? "Impression impossible" : "Impression en attente";
    $("imprime-message").textContent = v.message;
    $("imprime-message").className = "message donnee" + (v.panne ? " panne" : "");
    $("ou-aller").hidden = true;
    root.dataset.impression = v.statut;
    show("imprime");
  }
  async function signIn() {
    const res = await request("POST", "/api/v1/auth/login", {code: $("code-borne").value, device: "borne"});
    if (res && res.status === 200 && res.data.personnel.role === "kiosk") {
      Api.saveToken(res.data.token);
      $("code-borne").value = "";
      $("erreur-connexion").textContent = "";
      welcome();
    } else {
      $("erreur-connexion").textContent = res && res.status === 200 ? "Ce code n'est pas celui d'une borne."
        : errorText(res);
      $("code-borne").value = "";
    }
  }

  // --- wiring ----------------------------------------------------------------------------------
  document.querySelectorAll(".clavier").forEach(buildKeyboard);
  document.querySelectorAll(".pave").forEach(buildKeypad);
  document.querySelectorAll(".retour").forEach((b) => b.addEventListener("click", welcome));
  $("choisir-nom").addEventListener("click", () => { mode = "nom"; show("nom"); });
  $("choisir-numero").addEventListener("click", () => { mode = "numero"; show("numero"); });
  $("choisir-attestation").addEventListener("click", () => {
    purpose = "attestation";
    mode = "numero";
    show("numero");
  });
  $("message-numero").addEventListener("click", () => show("numero"));
  $("suivant-nom").addEventListener("click", () => next("nom"));
  $("suivant-numero").addEventListener("click", () => next("numero"));
  $("retour-date").addEventListener("click", () => show(mode));
  $("chercher").addEventListener("click", search);
  $("date").addEventListener("input", formatDate);
  $("imprimer").addEventListener("click", printConvocation);
  $("continuer").addEventListener("click", armIdle);
  $("valider-connexion").addEventListener("click", signIn);
  $("code-borne").addEventListener("keydown", (e) => { if (e.key === "Enter") signIn(); });
  $("nom").addEventListener("keydown", (e) => { if (e.key === "Enter") next("nom"); });
  $("numero").addEventListener("keydown", (e) => { if (e.key === "Enter") next("numero"); });
  $("date").addEventListener("keydown", (e) => { if (e.key === "Enter") search(); });

  // The launcher (deploy/kiosk) may pass the borne's code in the address's fragment, never sent to the server:
  // its profile is ephemeral, so the borne signs itself in at each start. The fragment is dropped at once.
  const launcherCode = new URLSearchParams(location.hash.slice(1)).get("code");
  if (launcherCode) {
    history.replaceState(null, "", location.pathname + location.search);
    show("connexion");
    $("code-borne").value = launcherCode.replace(/\D/g, "");
    signIn();
  } else if (Api.token()) {
    request("GET", "/api/v1/me").then((res) => { if (res && res.status === 200) welcome(); });
  } else {
    show("connexion");
  }
})();
