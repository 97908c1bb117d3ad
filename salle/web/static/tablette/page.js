/* The surveillant's tablet: scans (keyboard-wedge, camera, search), admission with the ID shown, toilets,
   exits, émargement with a signature, incidents; every write queued offline and replayed (client ids).
   This file: what the tablet's other scripts share (loaded first; start.js last). */
"use strict";

const $ = (id) => document.getElementById(id);
const { hhmm } = Clock;
const STATUTS = { attendu: "attendu", present: "présent", toilettes: "dehors", sorti: "sorti", refuse: "refusé" };
let salle = null;        // the salle's code, known at start
let me = null;           // who signed in
let candidats = [];      // the salle's list (candidats.js)
let selected = null;     // the candidate whose card is open (card.js)
let epreuveType = "ecrit";
