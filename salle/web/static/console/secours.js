/* The main laptop stops answering (issue 15): the console offers to promote the site's standby laptop (its
   address came with the sign-in), a deliberate act with a confirmation, journaled on the standby under the
   responsable's own token; then the console follows it there, as the tablets do. A standby already promoted
   (from its own page, /secours) is followed without a question. Checked every 3 s while the main is silent.
   The main restarted and unable to ask its standby or the site's stream whether the standby was promoted while it
   was down takes no entry: the console says so and takes the responsable's confirmation, with how they know. */
"use strict";

let mainSilentSince = null;

async function mainAnswers() {
  try { await Api.request("GET", "/api/v1/health"); return true; } catch (e) { return false; } // rejects: no network
}

async function watchMain() {
  const standby = Api.standby(), panel = $("secours-panel");
  // A standby promoted meanwhile answers for the main (Api.request moves there): the console follows it.
  if (!standby || Api.base() === standby || await mainAnswers()) {
    mainSilentSince = null; panel.hidden = true;
    if (standby && Api.base() !== standby) await watchUnsure(standby);
    return;
  }
  mainSilentSince = mainSilentSince || Clock.localIso(Clock.now());
  $("net").textContent = "Serveur principal injoignable"; $("net").classList.add("off"); // whatever its socket says
  $("secours-lost").textContent = `Le serveur principal ne répond plus depuis ${hhmm(mainSilentSince)}. S'il est `
    + `arrêté ou injoignable, promouvez le portable de secours (${standby}) : il prendra les entrées sur le même `
    + "journal, et les tablettes iront à lui d'elles-mêmes avec leurs files d'attente.";
  panel.hidden = false;
}

$("secours-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const out = $("secours-reponse");
  let answer = null;
  try {
    const r = await fetch(`${Api.standby()}/api/v1/secours/promotion`, {
      method: "POST", cache: "no-store",
      headers: { "Content-Type": "application/json", "Accept": "application/json",
                 "Authorization": `Bearer ${Api.token()}` },
      body: JSON.stringify({ confirme: $("secours-confirme").checked }),
    });
    answer = await r.json();
  } catch (err) { answer = null; }
  const ok = !!(answer && answer.ok);
  out.hidden = false;
  out.className = `verdict ${ok ? "ok" : "bad"}`;
  out.textContent = !answer ? "Le portable de secours ne répond pas non plus : vérifiez qu'il est allumé et sur le "
    + "réseau du site. Rien n'a changé." : ok ? answer.message : answer.erreur.message;
  $("secours-confirme").checked = false;
  if (ok) await Api.moveToStandby();
});

setInterval(() => { if (!$("app").hidden) watchMain(); }, 3000);

async function watchUnsure(standby) {
  let state = null;
  try { state = (await Api.request("GET", "/api/v1/principal")).data; } catch (e) { /* read again in 3 s */ }
  const unsure = !!(state && state.incertain);
  $("incertain-panel").hidden = !unsure;
  if (unsure) {
    $("incertain-texte").textContent = `Ce serveur a redémarré à ${hhmm(state.depuis)} et ne peut joindre ni le `
      + `portable de secours (${standby}) ni le serveur NATS du site : il ne sait pas si le secours a été promu `
      + "pendant son arrêt. Il ne prend aucune entrée (les tablettes gardent leurs actions) jusqu'à ce que le réseau "
      + "revienne, ou que vous confirmiez que le secours n'a pas été promu.";
  }
}

$("incertain-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const out = $("incertain-reponse");
  let answer = null;
  try {
    answer = await Api.command("POST", "/api/v1/principal/confirmation",
                               { confirme: $("incertain-confirme").checked, motif: $("incertain-motif").value });
  } catch (err) { answer = null; }
  out.hidden = false;
  out.className = `verdict ${answer && answer.ok ? "ok" : "bad"}`;
  out.textContent = answer ? answer.message : Api.errorText(null);
  $("incertain-confirme").checked = false;
  if (answer && answer.ok) { $("incertain-motif").value = ""; await watchUnsure(Api.standby()); }
});
