/* The site's links (issue 15), beside « Direct » in the bar: the journal published to the site's NATS server and
   the siège answering (the other sites checked at the door). Shown only when the day has a [reseau] section; read
   every 5 s (nothing pushes it: it is the network's own state). The whole sentence is the badge's title. */
"use strict";

function liaisonBadge(r) {
  const p = r.publication;
  if (!p.connecte) return `NATS du site injoignable${p.hors_liaison_depuis ? ` depuis ${p.hors_liaison_depuis}` : ""} `
    + `— ${p.en_attente} à publier`;
  if (!r.siege.joint) return r.siege.derniere_reponse ? `Siège hors liaison depuis ${r.siege.derniere_reponse}`
    : "Siège jamais joint";
  return p.en_attente ? `Envoi au siège : ${p.en_attente} en attente` : "Sites reliés";
}

const loadLiaison = Api.coalesced(async () => {
  const r = await Api.request("GET", "/api/v1/reseau");
  const badge = $("liaison");
  if (r.status !== 200 || !r.data.configure) { badge.hidden = true; return false; }
  setText(badge, liaisonBadge(r.data));
  setAttr(badge, "title", r.data.message);
  setAttr(badge, "class", r.data.a_jour ? "net" : "net off");
  badge.hidden = false;
  return true;
});

async function watchLiaison() {
  await loadLiaison();
  if (!$("liaison").hidden) setInterval(loadLiaison, 5000);
}
