/* The responsable's console: one operations screen. A countdown strip that follows the day (doors close in →
   épreuve ends in, tiers-temps, last 15 minutes), every salle of the site as a tile, the alerts beside them;
   staff, devices, the borne's prints and the documents one tap away (tabs). Tapping a tile opens the salle: its
   seat map, the end of the épreuve (R21, R22: recount, a deliberate release). Live through Socket.IO.
   This file: what the console's other scripts share (loaded first; start.js last). */
"use strict";

const $ = (id) => document.getElementById(id);
const hhmm = (iso) => Clock.hhmm(iso).replace(/ /g, "\u00a0"); // « 09 h 00 » never breaks across lines
const MIN = 60000;
let me = null;        // who signed in
let site = null;      // the site shown
let epreuve = null;   // the épreuve shown: {code, libelle, …}
let summaries = {};   // salle code -> its live summary (tiles.js)
let seats = {};       // salle code -> its candidates, for the salles opened
let opened = null;    // the salle opened (salle.js)
let chosen = "";      // the épreuve picked in the bar; "" follows the current one (by the clock)
const forEpreuve = (sep = "?") => (chosen ? `${sep}epreuve=${encodeURIComponent(chosen)}` : "");

/* A message where the action was taken: `box` is the element under the action. */
function say(box, kind, text) {
  box.hidden = false; box.className = `verdict ${kind}`; box.textContent = text;
}

/* A command from the console, its verdict said under the action; `done(verdict)` after a success. Resolves to
   the verdict (null when the network failed). */
async function post(path, body, box, done) {
  let v;
  try { v = await Api.command("POST", path, { client_id: Api.uuid(), ...body }); } catch (e) {
    say(box, "bad", "Serveur injoignable : rien n'a été enregistré, réessayez."); return null;
  }
  if (v.ok === false) { say(box, "bad", v.message || "Refusé."); return v; }
  say(box, "ok", v.message || "Enregistré.");
  if (done) await done(v);
  return v;
}

/* A document downloaded under its own name (Content-Disposition), not opened in an anonymous tab. */
async function download(path, box) {
  say(box, "info", "Préparation du document…");
  let f;
  try { f = await Api.download(path); } catch (e) {
    say(box, "bad", "Serveur injoignable : document indisponible."); return;
  }
  if (f.ok) say(box, "ok", `Téléchargé : ${f.name}.`); else say(box, "bad", `Document indisponible : ${f.message}`);
}
