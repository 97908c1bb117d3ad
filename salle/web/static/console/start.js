/* The console's start: sign-in (responsables and the organiser only), the site (the organiser picks one), the
   épreuve shown, the tabs, live updates (Socket.IO) that resynchronise on every (re)connection. Loaded last. */
"use strict";

const TABS = ["personnel", "borne", "documents", "verification"];
for (const name of TABS) {
  $(`tab-${name}`).onclick = () => {
    const panel = $(`panel-${name}`), show = panel.hidden;
    for (const other of TABS) {
      $(`panel-${other}`).hidden = true; $(`tab-${other}`).setAttribute("aria-expanded", "false");
    }
    panel.hidden = !show; $(`tab-${name}`).setAttribute("aria-expanded", String(show));
    if (show) panel.scrollIntoView({ block: "nearest" });
  };
}

function connectLive() {
  Live.connect({
    connect: async () => { // (re)connected: resynchronise, events missed meanwhile are in the state
      await loadSalles(); await loadAlertes(); await loadImpressions(); await loadPersonnel(); await loadOraux();
      $("net").textContent = Api.base() ? "Direct (portable de secours)" : "Direct"; $("net").classList.remove("off");
    },
    disconnect: () => { $("net").textContent = "Direct interrompu — reconnexion…"; $("net").classList.add("off"); },
    salle_etat: (s) => {
      if (site && s.site !== site) return;
      if (epreuve && s.epreuve.code !== epreuve.code) return; // another épreuve than the one shown
      summaries[s.salle] = s;
      render(s.salle); // drawn with the next frame, with every other summary arrived meanwhile
      if (s.salle === opened) refreshSeats(s.salle); // the seat map only for the salle opened
    },
    evenement: (e) => {
      if (["scan", "incident", "alerte", "alerte_resolue", "decision_fraude", "appareil_etat", "arrivee_oral",
           "decision_retard"].includes(e.type)) {
        alertesSoon();
      }
      if (e.type.startsWith("impression") || e.type === "convocation_imprimee") impressionsSoon();
      if (["jetons_revoques", "code_verrouille", "code_deverrouille", "appareil_etat"].includes(e.type)) {
        loadPersonnel();
      }
      if (orals.includes(e.epreuve)) loadOraux();
    },
  });
}

/* The organiser looks at one site, then another. */
function offerSites(sites, showSite) {
  const pick = $("site-choice");
  pick.replaceChildren(...sites.map((x) => el("option", { value: x.code }, x.nom)));
  pick.value = site; pick.hidden = false;
  pick.onchange = async () => {
    site = pick.value; showSite(); history.replaceState(null, "", `?site=${encodeURIComponent(site)}`);
    $("salle-view").hidden = true; opened = null; seats = {};
    await loadSalles(); await loadImpressions(); await loadPersonnel();
  };
}

async function start() {
  me = SignIn.personnel();
  if (!["responsable", "admin"].includes(me.role)) {
    $("login-error").hidden = false; $("login-error").textContent = "La console est réservée aux responsables.";
    SignIn.logout(); return;
  }
  $("login-card").hidden = true; $("app").hidden = false;
  const s = await Api.request("GET", "/api/v1/session");
  const sites = s.data.sites || [];
  site = me.site || new URLSearchParams(location.search).get("site") || (s.data.sites[0] || {}).code;
  const showSite = () => {
    const info = sites.find((x) => x.code === site);
    $("site-name").textContent = info ? info.nom : site;
  };
  showSite();
  $("doc-generated").hidden = me.role !== "admin";  // the convocations' ZIPs: every site's candidats
  if (me.role === "admin" && sites.length > 1) offerSites(sites, showSite);
  const choice = $("epreuve-choice");
  choice.replaceChildren(el("option", { value: "" }, "Épreuve en cours"),
    ...(s.data.epreuves || []).map((e) => el("option", { value: e.code },
      `${e.code} — ${e.libelle} (${hhmm(e.debut)})`)));
  choice.onchange = async () => {
    chosen = choice.value; $("salle-view").hidden = true; opened = null; seats = {}; await loadSalles();
  };
  await loadOraux(s.data.epreuves || []);
  connectLive();
  watchLiaison();
}

$("login-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  try { await SignIn.login($("code").value, "console"); start(); } catch (err) {
    $("login-error").hidden = false; $("login-error").textContent = err.message;
  }
});
$("logout").onclick = () => SignIn.logout();
setInterval(tick, 1000);
setInterval(() => { if (!$("app").hidden) loadPersonnel(); }, 30000); // sign-ins are not pushed live
if (SignIn.signedIn()) start(); else $("code").focus();
