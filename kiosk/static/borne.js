// The accueil borne (R6): find one's convocation and print it. Only the kiosk API; text is always set with
// textContent, never as HTML (nothing a candidat types is ever rendered as markup).
"use strict";

(function () {
  const TOKEN_KEY = "salle.borne.jeton";
  const MOIS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
                "novembre", "décembre"];
  const AZERTY = ["AZERTYUIOP", "QSDFGHJKLM", "WXCVBN'-"];
  const root = document.getElementById("borne");
  const idleSeconds = Number(root.dataset.idle) || 30;
  const $ = (id) => document.getElementById(id);
  let idleTimer = null;
  let current = null;  // the candidat found
  let pollTimer = null;

  // --- screens and the idle return -------------------------------------------------------------
  function show(name) {
    document.querySelectorAll(".ecran").forEach((s) => { s.hidden = s.id !== "ecran-" + name; });
    root.dataset.ecran = name;
    const first = $("ecran-" + name).querySelector("input, button.action, button");
    if (first) first.focus();
    armIdle();
  }
  function armIdle() {
    clearTimeout(idleTimer);
    const screen = root.dataset.ecran;
    if (screen && screen !== "accueil" && screen !== "connexion") {
      idleTimer = setTimeout(welcome, idleSeconds * 1000);
    }
  }
  function welcome() {
    clearInterval(pollTimer);
    current = null;
    $("nom").value = "";
    $("numero").value = "";
    document.querySelectorAll(".stepper").forEach((s) => setStepper(s, Number(s.dataset.defaut)));
    show("accueil");
  }
  ["pointerdown", "keydown"].forEach((t) => document.addEventListener(t, armIdle, true));
  document.addEventListener("contextmenu", (e) => e.preventDefault());  // no long-press menu on the borne

  // --- the API ---------------------------------------------------------------------------------
  async function api(method, path, body) {
    const headers = {"Content-Type": "application/json"};
    const token = localStorage.getItem(TOKEN_KEY);
    if (token) headers.Authorization = "Bearer " + token;
    $("attente").hidden = false;
    try {
      const response = await fetch(path, {method, headers, cache: "no-store",
                                          body: body === undefined ? undefined : JSON.stringify(body)});
      const data = await response.json().catch(() => ({}));
      if (response.status === 401 && path !== "/api/v1/auth/login") {
        localStorage.removeItem(TOKEN_KEY);
        show("connexion");
      }
      return {status: response.status, data};
    } catch (err) {
      return {status: 0, data: {erreur: {message: "Le serveur ne répond pas : adressez-vous au personnel de l'accueil."}}};
    } finally {
      $("attente").hidden = true;
    }
  }
  function errorText(res) {
    // The server's own trouble (disk, restart) is staff business: the candidat is sent to the accueil.
    if (res.status >= 500) return "Le service est momentanément indisponible : adressez-vous au personnel de l'accueil.";
    return (res.data.erreur && res.data.erreur.message) || "Une erreur est survenue : adressez-vous au personnel de l'accueil.";
  }
  function clientId() {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return "borne-" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  // --- on-screen keyboard, keypad, steppers -----------------------------------------------------
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
  function backspace(input) { input.value = input.value.slice(0, -1); }
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
  function setStepper(s, value) {
    const min = Number(s.dataset.min), max = Number(s.dataset.max);
    if (value < min) value = max - (min - value) + 1;  // wraps: 1 − 1 → 31, like a wheel
    if (value > max) value = min + (value - max) - 1;
    s.dataset.valeur = String(value);
    s.querySelector("output").textContent = s.dataset.champ === "mois" ? MOIS[value - 1] : String(value);
  }
  function buildStepper(s) {
    s.dataset.defaut = s.dataset.valeur;
    const step = (d) => () => setStepper(s, Number(s.dataset.valeur) + d);
    s.querySelector(".moins").addEventListener("click", step(-1));
    s.querySelector(".plus").addEventListener("click", step(1));
    const pas = Number(s.dataset.pas || 0);
    if (pas) {
      s.querySelector(".moins10").addEventListener("click", step(-pas));
      s.querySelector(".plus10").addEventListener("click", step(pas));
    }
    setStepper(s, Number(s.dataset.valeur));
  }
  function stepperValue(name) {
    return Number(document.querySelector(`.stepper[data-champ="${name}"]`).dataset.valeur);
  }
  const pad = (n, w) => String(n).padStart(w, "0");

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
  async function search(body) {
    const res = await api("POST", "/api/v1/kiosk/recherches", body);
    if (res.status !== 200) {
      if (res.status !== 401) showMessage("Recherche impossible", errorText(res), false);
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
      $("resultat-message").className = "message" + (a.candidat.autre_site ? " attention" : "");
      show("resultat");
    } else if (a.resultat === "plusieurs") {
      showMessage("Plusieurs personnes trouvées", a.message, true);
    } else if (a.resultat === "portes_fermees") {
      showMessage("Portes fermées", a.message, false);
    } else {
      showMessage("Convocation non trouvée", a.message, a.resultat === "introuvable");
    }
  }
  function showPrinted(answer) {
    const printed = answer.statut === "imprimee";
    $("imprime-titre").textContent = printed ? "Votre convocation est imprimée" :
      answer.statut === "echec" ? "Impression impossible" : "Impression en attente";
    $("imprime-message").textContent = answer.message;
    $("imprime-message").className = "message" + (answer.panne ? " panne" : "");
    fillPlace("aller", current);
    root.dataset.impression = answer.statut;
    show("imprime");
  }
  async function printConvocation() {
    if (!current) return;
    const body = {numero: current.numero, client_id: clientId()};
    let res = await api("POST", "/api/v1/kiosk/impressions", body);
    if (res.status === 0) res = await api("POST", "/api/v1/kiosk/impressions", body);  // same client_id: once
    if (res.status !== 200) {
      if (res.status !== 401) showMessage("Impression impossible", errorText(res), false);
      return;
    }
    showPrinted(res.data);
    if (res.data.statut === "en_attente") {
      const job = res.data.job;
      clearInterval(pollTimer);
      pollTimer = setInterval(async () => {
        const r = await api("GET", "/api/v1/kiosk/impressions/" + encodeURIComponent(job));
        if (r.status === 200 && (r.data.statut !== "en_attente" || !r.data.panne)) {
          if (r.data.statut !== "en_attente") clearInterval(pollTimer);
          if (root.dataset.ecran === "imprime") showPrinted(r.data);
        }
      }, 1000);
    }
  }
  async function signIn() {
    const res = await api("POST", "/api/v1/auth/login", {code: $("code-borne").value, device: "borne"});
    if (res.status === 200 && res.data.personnel.role === "kiosk") {
      localStorage.setItem(TOKEN_KEY, res.data.token);
      $("code-borne").value = "";
      $("erreur-connexion").textContent = "";
      welcome();
    } else {
      $("erreur-connexion").textContent = res.status === 200 ? "Ce code n'est pas celui d'une borne." : errorText(res);
      $("code-borne").value = "";
    }
  }

  // --- wiring ----------------------------------------------------------------------------------
  document.querySelectorAll(".clavier").forEach(buildKeyboard);
  document.querySelectorAll(".pave").forEach(buildKeypad);
  document.querySelectorAll(".stepper").forEach(buildStepper);
  document.querySelectorAll(".retour").forEach((b) => b.addEventListener("click", welcome));
  $("choisir-nom").addEventListener("click", () => show("nom"));
  $("choisir-numero").addEventListener("click", () => show("numero"));
  $("message-numero").addEventListener("click", () => show("numero"));
  $("chercher-nom").addEventListener("click", () => search({
    nom: $("nom").value,
    date_naissance: `${pad(stepperValue("annee"), 4)}-${pad(stepperValue("mois"), 2)}-${pad(stepperValue("jour"), 2)}`,
  }));
  $("chercher-numero").addEventListener("click", () => search({numero: $("numero").value}));
  $("imprimer").addEventListener("click", printConvocation);
  $("valider-connexion").addEventListener("click", signIn);
  $("code-borne").addEventListener("keydown", (e) => { if (e.key === "Enter") signIn(); });
  $("nom").addEventListener("keydown", (e) => { if (e.key === "Enter") $("chercher-nom").click(); });
  $("numero").addEventListener("keydown", (e) => { if (e.key === "Enter") $("chercher-numero").click(); });

  // The launcher (deploy/kiosk) may pass the borne's code in the address's fragment, never sent to the server:
  // its profile is ephemeral, so the borne signs itself in at each start. The fragment is dropped at once.
  const launcherCode = new URLSearchParams(location.hash.slice(1)).get("code");
  if (launcherCode) {
    history.replaceState(null, "", location.pathname + location.search);
    show("connexion");
    $("code-borne").value = launcherCode.replace(/\D/g, "");
    signIn();
  } else if (localStorage.getItem(TOKEN_KEY)) {
    api("GET", "/api/v1/me").then((res) => { if (res.status === 200) welcome(); });
  } else {
    show("connexion");
  }
})();
