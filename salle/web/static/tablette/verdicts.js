/* The tablet: the verdict box. One verdict per scan or action: the colour says one thing (green: admitted,
   nothing to follow; amber: admitted, something to follow up; red: refused; blue: a question or information;
   grey: waiting for the server), the word says it again, the message says what to do; a short sound and a
   vibration per colour (mutable on the tablet). */
"use strict";

const WORDS = {
  admis: "ADMIS", deja_present: "DÉJÀ ENTRÉ", mauvaise_salle: "MAUVAISE SALLE", mauvais_site: "MAUVAIS SITE",
  non_convoque: "NON CONVOQUÉ", inconnu: "INCONNU", portes_fermees: "REFUSÉ — RETARD",
  pieces_manquantes: "PIÈCES MANQUANTES", illisible: "ILLISIBLE", sortie_autorisee: "SORTIE",
  toilettes_autorisees: "TOILETTES", retour_enregistre: "RETOUR", emargement_enregistre: "ÉMARGÉ",
  incident_enregistre: "CONSIGNÉ", passage_clos: "PASSAGE CLOS",
};

function verdict(kind, word, message, who) {
  const box = $("verdict");
  box.className = `verdict ${kind}`;
  $("v-word").textContent = word; $("v-msg").textContent = message || ""; $("v-who").textContent = who || "";
  Signal.play(kind);
}

/* A command's answer (Api.command): a verdict, or a request the server could not judge (`http`). */
function showAnswer(v) {
  if (v.http >= 500) { // the server's trouble, not the candidat's: never « REFUSÉ »
    verdict("wait", "RÉESSAYEZ", Api.errorText(v));
    return;
  }
  if (v.http) { verdict("bad", "REFUSÉ", Api.errorText(v)); return; }
  const c = v.candidat;
  const who = c ? `${c.nom.toUpperCase()} ${c.prenom} — ${c.numero}${c.place ? ", place " + c.place : ""}` : "";
  const from = v.autorise_a_partir_de ? ` Possible à partir de ${hhmm(v.autorise_a_partir_de)}.` : "";
  const [kind, word] = classify(v);
  verdict(kind, word, (v.message || "") + from, who);
}

/* The colour and the word of a verdict. */
function classify(v) {
  if (v.verdict === "admis" && !v.enregistre) return ["info", "VÉRIFIER L'IDENTITÉ"];
  if (v.verdict === "admis") {
    if (v.alerte) return ["warn", "ADMIS SANS PIÈCE"];  // the responsable controls the identity (R5)
    if (v.hors_ligne) return ["warn", "ADMIS — À CONFIRMER"];  // let in offline before the closing (R3)
    if (v.candidat && v.candidat.pieces_manquantes) return ["warn", "ADMIS — PIÈCES PRODUITES"];  // R7
    return ["ok", "ADMIS"];
  }
  if (v.verdict === "en_retard") return ["warn", "EN RETARD — JURY PRÉVENU"]; // an oral: the jury decides (R28)
  if (v.verdict === "deja_present" && v.ailleurs) return ["bad", "DÉJÀ UTILISÉE AILLEURS"];
  if (v.verdict === "deja_present") return ["info", "DÉJÀ ENTRÉ"];
  return [v.ok ? "ok" : "bad", WORDS[v.verdict] || (v.ok ? "OK" : "REFUSÉ")];
}
