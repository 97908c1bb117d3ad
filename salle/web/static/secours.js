/* The standby laptop's page: how far its copy of the site's journal goes, and its promotion by the responsable
   (personal code + confirmation; refused in French while the copy is behind or the main still answers); once
   promoted, the dead main's day file dropped here to take back what it never sent. */
"use strict";

const $ = (id) => document.getElementById(id);

async function refresh() {
  let s;
  try { s = (await Api.request("GET", "/api/v1/secours")).data; } catch (e) {
    $("etat-promu").textContent = "Ce portable ne répond pas."; return;
  }
  $("etat-promu").textContent = s.promu
    ? `Promu par ${s.promotion.actor} à ${s.promotion.server_time.slice(11, 16).replace(":", " h ")} : ce portable `
      + "sert les portes du site."
    : `En secours du site ${s.site} (serveur principal : ${s.principal || "adresse non donnée"}).`;
  $("etat-copie").textContent = `Copie du journal jusqu'à l'événement n° ${s.copie_jusqu_a}`
    + (s.en_retard ? `, ${s.en_retard} de retard sur le flux du site` : ", à jour")
    + (s.connecte ? "." : " — le serveur NATS du site ne répond pas.");
  $("etat-erreur").hidden = !s.erreur;
  $("etat-erreur").textContent = s.erreur || "";
  $("promotion").hidden = s.promu;
  $("liens").hidden = !s.promu;
  $("reprise").hidden = !s.promu;
}

$("promotion-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const out = $("promotion-reponse");
  const body = { code: $("code").value, confirme: $("confirme").checked, forcer: $("forcer").checked };
  let answer;
  try { answer = await Api.command("POST", "/api/v1/secours/promotion", body); } catch (err) { answer = null; }
  out.hidden = false;
  out.className = `verdict ${answer && answer.ok ? "ok" : "bad"}`;
  out.textContent = answer ? answer.message : Api.errorText(null);
  $("code").value = "";
  refresh();
});

$("reprise-form").addEventListener("submit", async (e) => {  // the dead main's day file (multipart)
  e.preventDefault();
  const out = $("reprise-reponse"), form = new FormData();
  for (const file of $("journal").files) form.append("journal", file, file.name);
  form.append("code", $("reprise-code").value);
  let ok = false, text;
  try {
    const r = await fetch("/api/v1/secours/reprise", { method: "POST", body: form });
    const data = await r.json();
    ok = r.ok;
    text = r.ok ? data.message : data.erreur.message;
  } catch (err) { text = Api.errorText(null); }
  out.hidden = false;
  out.className = `verdict ${ok ? "ok" : "bad"}`;
  out.textContent = text;
  $("reprise-code").value = "";
});

refresh();
setInterval(refresh, 2000);
