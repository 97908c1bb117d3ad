/* The console's oral day: each jury of the site with its progress (passages done), who waits for it by numéro
   (before the jury, called, in preparation, in the waiting room, the next to call), the lates it still has to
   decide (R28), the absents and how late it runs. Shown only when the site has an oral today. */
"use strict";

let orals = []; // today's oral épreuves (codes)

/* A numéro (never more: the console is on a table in the hall) and what goes with it, small. */
const who = (numero, detail) => el("span", { class: "who" }, el("b", {}, numero), " ", el("small", {}, detail));
const list = (items) => (items.length ? el("ul", { class: "numeros" }, ...items.map((i) => el("li", {}, i)))
  : "personne");

function loadOraux(epreuves) {
  if (epreuves) {
    const today = Clock.localIso(Clock.now()).slice(0, 10);
    orals = epreuves.filter((e) => e.type === "oral" && e.date <= today && today <= (e.dernier_jour || e.date))
      .map((e) => e.code);
  }
  return readOraux();
}

const readOraux = Api.coalesced(async () => { // every jury's act reloads it: answers never cross
  const rows = [];
  for (const code of orals) {
    const r = await Api.request("GET", `/api/v1/oraux/${code}/suivi?site=${encodeURIComponent(site)}`);
    if (r.status !== 200) continue;
    for (const j of r.data.jurys) {
      const e = j.etats;
      rows.push(el("tr", { "data-jury": j.jury, class: j.a_decider || j.retard_minutes >= 10 ? "late" : "" },
        el("td", {}, j.libelle), el("td", {}, j.salle), el("td", {}, `${e.termine} / ${j.total}`),
        el("td", { class: "passing" }, j.en_passage ? who(j.en_passage.numero, `fin ${Clock.hhmm(j.en_passage.fin)}`)
          : "—"),
        el("td", { class: "called" }, j.appele ? who(j.appele.numero, `à ${Clock.hhmm(j.appele.a)}`) : "—"),
        el("td", { class: "preparing" }, list(j.preparation.map((p) => who(p.numero, `fin ${Clock.hhmm(p.fin)}`)))),
        el("td", { class: "waiting" }, list(j.attente.map((w) => who(w.numero, w.retard ? "en retard"
          : `convoqué(e) ${Clock.hhmm(w.convoque_a)}`)))),
        el("td", { class: "next" }, j.suivant ? who(j.suivant.numero, Clock.hhmm(j.suivant.convoque_a)) : "—"),
        el("td", { class: "decide" }, j.a_decider), el("td", {}, e.absent),
        el("td", { class: "lag" }, j.retard_minutes ? `${j.retard_minutes} min` : "à l'heure")));
    }
  }
  $("oraux").hidden = rows.length === 0;
  $("oraux-jurys").tBodies[0].replaceChildren(...rows);
});
