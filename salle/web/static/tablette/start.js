/* The tablet's start: sign-in, the salle (a surveillant's own, or ?salle= for the others), the list, live
   updates, the queue's replay; « Cette tablette » (the sheet, the scanner's settings, sign-out). Loaded last. */
"use strict";

async function start() {
  me = SignIn.personnel();
  wedge.enabled = true; // scans wait for the salle (door.js)
  salle = me.salle || null; // a surveillant's salle is known at once: no scan may leave without it
  $("login-card").hidden = true;
  $("who").textContent = me.nom;
  $("accompagnateur").value = me.nom;
  const wanted = new URLSearchParams(location.search).get("salle");
  try {
    const s = await Api.request("GET", "/api/v1/session");
    if (s.status === 401) { SignIn.logout(false); return; } // the sign-in is no longer valid: back to the code
    if (s.status !== 200) throw new Error(Api.errorText(s));
    const salles = s.data.salles || [];
    salle = me.salle || (salles.find((x) => x.code === wanted) || salles[0] || {}).code;
    const info = salles.find((x) => x.code === salle);
    $("salle-name").textContent = info ? info.libelle : salle;
    const st = await Api.request("GET", `/api/v1/salles/${salle}`);
    if (st.status === 200) noteSummary(st.data);
  } catch (e) {
    salle = me.salle; $("salle-name").textContent = salle || "—";
    if (e instanceof TypeError) queue.unreachable(); // no answer (the page opened from the tablet's copy): say so
  }
  $("app").hidden = false; // shown once the salle is known (the scan field is inside)
  salleKnown();
  renderJournal();
  await refresh();
  live = Live.connect({
    connect: () => { queue.reached(); refresh(); }, // (re)connected: what waits goes, what was pushed is read
    salle_etat: (summary) => { noteSummary(summary); refresh(); }, evenement: () => {},
    scan_lu: (v) => { if (v.lecteur && v.candidat && v.salle === salle) doorScannerRead(v); },
  });
  queue.flush();
  $("scan").focus();
}

$("login-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  try {
    await SignIn.login($("code").value, "tablette");
    $("code").value = "";
    start();
  } catch (err) { $("login-error").hidden = false; $("login-error").textContent = err.message; }
});
$("logout").onclick = () => SignIn.logout();

/* The scanner's settings, kept on this tablet: its prefix, how its codes end, its speed. */
function renderDouchette() {
  const s = Wedge.settings();
  $("d-prefixe").value = s.prefixe; $("d-fin").value = s.fin; $("d-ecart").value = String(s.ecart);
  const last = wedge.last[0];
  $("d-dernier").textContent = last ? `Dernière saisie rapide : ${last.length} caractères, ${last.median} ms entre `
    + `touches (${last.scan ? "lue comme un scan" : "lue comme une frappe"}).` : "";
}
$("d-ok").onclick = () => {
  Wedge.saveSettings({ prefixe: $("d-prefixe").value, fin: $("d-fin").value, ecart: Number($("d-ecart").value),
                       fin_vue: false });
  renderDouchette();
  verdict("info", "DOUCHETTE", "Réglages enregistrés sur cette tablette : scannez une convocation pour essayer.");
};
$("pdf-btn").onclick = async () => {
  const f = await Api.file(`/api/v1/salles/${salle}/feuille-emargement.pdf`);
  if (f.ok) window.open(URL.createObjectURL(f.blob));
};

/* The page kept on this tablet for a reload while the main laptop is dead (tablette/sw.js): where the browser
   allows it (https, or localhost). */
if ("serviceWorker" in navigator && window.isSecureContext) {
  navigator.serviceWorker.register("/tablette.sw.js", { scope: "/tablette" }).catch(() => {});
}

renderDouchette();
renderSon();
setInterval(tickClock, 1000); tickClock();
setInterval(() => { if (selected && !$("selected").hidden) loadCard(); }, 30000); // « possible à partir de » moves on
setInterval(() => { if (salle && !$("app").hidden) refresh(); }, 15000); // a push lost on the way is made up for
renderNet(queue);
if (SignIn.signedIn()) start(); else $("code").focus();
