/* The waiting room's screen (role affichage, a TV by the door): the numéros called and where to go, newest first
   and largest, never a name (R27); a chime on each call; each jury's delay when it runs late. Read-only, live. */
"use strict";

const $ = (id) => document.getElementById(id);
let shown = [];      // the calls on screen, newest first
let chimes = 0;      // how many calls chimed (read by the tests: sound itself is not observable)

function chime() {
  chimes += 1; document.body.dataset.chimes = String(chimes);
  try {
    const ctx = new (window.AudioContext || window.webkitAudioContext)();
    [660, 880].forEach((f, i) => {
      const o = ctx.createOscillator(), g = ctx.createGain();
      o.frequency.value = f; g.gain.value = 0.2;
      o.connect(g); g.connect(ctx.destination);
      o.start(ctx.currentTime + i * 0.35); o.stop(ctx.currentTime + i * 0.35 + 0.3);
    });
  } catch (e) { /* no sound device: the screen still shows the call */ }
}

function renderAppels() {
  $("appels").replaceChildren(...shown.slice(0, 8).map((a, i) => el("li",
    { class: i === 0 ? "appel new" : "appel" }, el("span", { class: "numero" }, a.numero), " → ",
    el("span", { class: "ou" }, `${a.jury_libelle}, ${a.salle_libelle}`),
    el("span", { class: "heure" }, ` (${Clock.hhmm(a.heure)})`))));
}

function renderRetards(retards) {
  $("retards").replaceChildren(...retards.filter((r) => r.retard_minutes > 0).map((r) => el("li", {},
    `${r.libelle} (${r.salle_libelle}) : environ ${r.retard_minutes} min de retard`)));
}

const load = Api.coalesced(async () => { // a call's push and the half-minute reload: answers never cross
  const r = await Api.request("GET", "/api/v1/affichage/appels");
  if (r.status !== 200) return;
  shown = r.data.appels; renderAppels(); renderRetards(r.data.retards);
});

async function start() {
  const me = SignIn.personnel();
  if (!["affichage", "responsable", "admin"].includes(me.role)) {
    $("login-error").hidden = false;
    $("login-error").textContent = "Écran réservé à l'affichage de la salle d'attente.";
    SignIn.logout(); return;
  }
  $("login-card").hidden = true; $("app").hidden = false;
  await load();
  Live.connect({
    connect: () => { $("net").textContent = "Direct"; $("net").classList.remove("off"); load(); },
    disconnect: () => { $("net").textContent = "Direct interrompu — reconnexion…"; $("net").classList.add("off"); },
    appel: (a) => { shown = [a, ...shown.filter((x) => x.numero !== a.numero)]; renderAppels(); chime(); load(); },
  });
  setInterval(() => { $("clock").textContent = Clock.localIso(Clock.now()).slice(11, 19); }, 500);
  setInterval(load, 30000); // the juries' delays move with the clock
}

$("login-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  try { await SignIn.login($("code").value, "affichage"); $("code").value = ""; start(); }
  catch (err) { $("login-error").hidden = false; $("login-error").textContent = err.message; }
});
if (SignIn.signedIn()) start();
