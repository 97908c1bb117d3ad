/* The console: every salle of the site as a tile (present / expected, absents once the doors are closed, who is
   out, refused, without émargement at the end), redrawn at most once a frame and only where a summary changed. */
"use strict";

async function loadSalles() {
  const r = await Api.request("GET", `/api/v1/salles${forEpreuve()}`);
  if (r.status !== 200) return;
  summaries = {};
  for (const s of r.data.salles) if (!site || s.site === site) summaries[s.salle] = s;
  const first = Object.values(summaries)[0];
  if (first) { epreuve = first.epreuve; $("epreuve-name").textContent = `${epreuve.code} — ${epreuve.libelle}`; }
  if (opened) await loadSeats(opened);
  render();
}

async function loadSeats(code) {
  const r = await Api.request("GET", `/api/v1/salles/${code}/candidats${forEpreuve()}`);
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
const doorsClosed = () => {
  const p = portes();
  return !!(p.fermees_a || (p.heure_fermeture && Clock.now() >= new Date(p.heure_fermeture)));
};
function times() { // the day's milestones from the recorded start (R9), tiers-temps (R24), last 15 min (R17)
  const s = Object.values(summaries)[0];
  if (!s) return null;
  const start = new Date(s.portes.debut || s.epreuve.debut_prevu);
  const end = new Date(start.getTime() + s.epreuve.duree * MIN);
  const tiers = Object.values(summaries).some((x) => x.tiers_temps > 0);
  const endTiers = new Date(end.getTime() + Math.ceil(s.epreuve.duree / 3) * MIN);
  return { started: !!s.portes.debut, start, end, tiers, endTiers, last15: new Date(end.getTime() - 15 * MIN) };
}
const ended = () => { const t = times(); return !!(t && t.started && Clock.now() >= t.end); };

/* Text and attributes written only when they differ: an unchanged write still costs a style recalc. */
function setText(node, text) { if (node.textContent !== String(text)) node.textContent = text; }
function setAttr(node, name, value) { if (node.getAttribute(name) !== value) node.setAttribute(name, value); }
function setHidden(node, hidden) { if (node.hidden !== hidden) node.hidden = hidden; }

let frame = null;
const dirty = new Set(); // salles whose summary arrived since the last repaint
let drawnMoment = "";    // doors closed / épreuve ended when the tiles were last drawn
function render(salle) { // at most one repaint a frame, however many summaries arrive
  if (salle) dirty.add(salle); else dirty.add("*");
  if (frame) return;
  frame = requestAnimationFrame(repaint);
}

function repaint() { // writes only, no layout read: the frame lays out once, after it
  frame = null;
  const box = $("salles"), list = Object.values(summaries);
  const closed = doorsClosed(), end = ended(), moment = `${closed}${end}`;
  let all = dirty.has("*") || moment !== drawnMoment;
  if (box.children.length !== list.length || list.some((s, i) => box.children[i].dataset.salle !== s.salle)) {
    box.replaceChildren(...list.map((s) => tileFrame(s.salle))); // the salles themselves changed
    all = true;
  }
  [...box.children].forEach((node, i) => {
    if (all || dirty.has(list[i].salle)) fillTile(node, list[i], closed, end);
  });
  dirty.clear(); drawnMoment = moment;
  box.classList.toggle("many", list.length > 12);
  tick();
  document.dispatchEvent(new CustomEvent("console-repeinte")); // benchmarks/console.py times this
}

/* A tile's nodes, made once per salle; fillTile writes its figures into them. */
function tileFrame(code) {
  const count = (key) => el("span", { class: "k", "data-c": key }, el("span", { class: "lbl" }), " ",
    el("b", { "data-k": key }));
  const open = () => openSalle(code);
  const key = (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); open(); } };
  return el("section", { class: "tile", "data-salle": code, role: "button", tabindex: "0", onclick: open,
                         onkeydown: key },
    el("div", { class: "tile-top" }, el("h2", {}),
      el("div", { class: "big" }, el("b", { "data-k": "presents" }), " / ", el("span", { "data-k": "attendus" }),
        el("span", { class: "unit" }, " présents"))),
    el("span", { class: "bar", "aria-hidden": "true" }, el("span", { class: "fill" })),
    el("div", { class: "tile-counts" },
      count("attente"), count("toilettes"), count("refuses"), count("sans_emargement"),
      el("span", { class: "k done-k", "data-c": "liberee" })));
}

function fillTile(node, s, closed, end) {
  const entered = s.presents + s.toilettes + s.sortis, refused = s.refuses || 0;
  const waiting = Math.max(0, s.attendus - entered - refused);
  const part = (key) => node.querySelector(`[data-c=${key}]`);
  const count = (key, label, value, warn) => {
    const k = part(key);
    setText(k.firstChild, label); setText(k.lastChild, value);
    k.classList.toggle("warn", !!(warn && value));
  };
  node.classList.toggle("released", !!s.liberee_a);
  setAttr(node, "aria-label", `${s.libelle} : ${s.presents} présents sur ${s.attendus}. Ouvrir la salle`);
  setText(node.querySelector("h2"), s.libelle);
  setText(node.querySelector("[data-k=presents]"), s.presents);
  setText(node.querySelector("[data-k=attendus]"), s.attendus);
  const ratio = s.attendus ? Math.min(1, s.presents / s.attendus) : 0;
  const fill = node.querySelector(".fill").style;
  if (fill.transform !== `scaleX(${ratio})`) fill.transform = `scaleX(${ratio})`; // CSSOM: allowed; no layout
  count("attente", closed ? "Absents" : "Pas encore arrivés", closed ? s.absents : waiting);
  setAttr(part("attente").lastChild, "data-k", closed ? "absents" : "attente");
  count("toilettes", "Dehors", s.toilettes, true);
  count("refuses", "Refusés", refused, true);
  count("sans_emargement", "Sans émargement", s.sans_emargement || 0, true);
  setHidden(part("sans_emargement"), !end);
  const freed = part("liberee");
  setHidden(freed, !s.liberee_a);
  setText(freed, s.liberee_a ? `Libérée à ${hhmm(s.liberee_a)}` : "");
}
