/* The tablet: the selected candidate's card — where they stand, and the actions that apply now (toilets, return,
   admission, final exit; the others say from when). It opens after a recorded admission, a search pick or a tap
   on a row, in view; it follows live updates. */
"use strict";

const ACTIONS = { toilettes: "act-toilettes", sortie: "act-sortie", emargement: "act-emarge" };
const PIECES = { cni: "carte d'identité", passeport: "passeport", permis: "permis de conduire",
                 titre_sejour: "titre de séjour", aucune: "sans pièce d'identité" };
const REFUS = { portes_fermees: "arrivé(e) après la fermeture des portes", pieces_manquantes: "pièces non produites" };
let card = null;

async function select(c, { scroll = true } = {}) {
  if (!selected || selected.numero !== c.numero) card = null;
  selected = c;
  $("selected").hidden = false;
  renderCandidats();
  renderCard();
  if (scroll) $("selected").scrollIntoView({ block: "nearest" });
  await loadCard();
}

async function loadCard() {
  if (!selected) return;
  const numero = selected.numero;
  try {
    const r = await Api.request("GET", `/api/v1/salles/${salle}/candidats/${encodeURIComponent(numero)}`);
    if (!selected || selected.numero !== numero) return;
    card = r.status === 200 ? r.data : null;
  } catch (e) { card = null; } // offline: every action stays offered, the server decides when it gets them
  renderCard();
}

function renderCard() {
  const c = selected;
  const statut = c.oral ? c.statut : card ? card.statut : c.statut; // an oral: the passage, not a door
  const info = card ? card : c;
  $("sel-name").textContent = `${c.nom.toUpperCase()} ${c.prenom} — ${c.numero}, place ${c.place}`;
  // the card knows presences only: a refusal comes from the list's row (statut « refuse », with its time)
  const refused = c.refus ? `Refusé(e) à ${hhmm(c.refus.a)} (${REFUS[c.refus.verdict] || c.refus.verdict}).`
    : "Refusé(e).";
  const piece = info.piece_identite ? ` (${PIECES[info.piece_identite] || info.piece_identite})` : "";
  const etat = {
    attendu: c.refus ? refused : "Attendu(e) : pas encore entré(e).",
    present: `Présent(e) depuis ${hhmm(info.entree)}${piece}.`,
    toilettes: `Aux toilettes depuis ${hhmm(info.toilettes_depuis)}, avec ${info.accompagnateur || "—"}.`,
    sorti: `Sorti(e) à ${hhmm(info.sortie)}.`,
    refuse: refused,
  }[statut] || statut;
  const emarge = info.emargement ? ` Émargé à ${hhmm(info.emargement)} : ${info.copies} copie(s).` : "";
  const extra = card && card.temps_majore; // R24: « tiers-temps », « 20 min »… at this épreuve
  const fin = card && card.fin ? ` ${extra ? extra[0].toUpperCase() + extra.slice(1) + " : fin" : "Fin"} à `
    + `${hhmm(card.fin)}.` : "";
  $("sel-etat").textContent = c.oral ? oralLine(c.oral) : etat + emarge + fin;
  $("sel-etat").className = `etat st-${statut}`;
  const detail = (card && card.candidat && card.candidat.amenagements_detail) || c.amenagements_detail;
  $("sel-amenagements").replaceChildren(amenagementBox(detail, extra ? `Temps majoré : ${extra}` : ""));
  const inside = statut === "present";
  $("act-admettre").hidden = !(statut === "attendu" || statut === "refuse");
  $("act-retour").hidden = statut !== "toilettes";
  $("accompagnateur-row").hidden = !inside;
  for (const [name, id] of Object.entries(ACTIONS)) {
    const a = card && card.actions[name];
    const shown = name === "emargement" ? inside || statut === "toilettes" : inside;
    $(id).hidden = !shown;
    $(id).disabled = !!(card && a && !a.possible);
    $(`hint-${name}`).textContent = shown && a && !a.possible ? whenPossible(name, a) : "";
  }
}

/* An oral's passage on the card (R28, R24): convoked at, where the jury moved it, the journaled ends. */
function oralLine(o) {
  const ends = o.fin_passage_prevue ? ` Fin du passage à ${hhmm(o.fin_passage_prevue)}.`
    : o.fin_preparation ? ` Préparation jusqu'à ${hhmm(o.fin_preparation)}.` : "";
  const sujet = o.sujet ? ` Sujet n° ${o.sujet}.` : "";
  return `Convoqué(e) à ${hhmm(o.convoque_a)} : ${oralWord(o)}.${sujet}${ends}`;
}

function whenPossible(name, a) {
  const what = { toilettes: "Toilettes possibles", sortie: "Sortie possible", emargement: "Émargement possible" }[name];
  return a.a_partir_de ? `${what} à partir de ${hhmm(a.a_partir_de)}.` : a.message;
}

const movement = (path, label, extra = {}) => send(`/api/v1/salles/${salle}/${path}`,
  { numero: selected.numero, ...extra }, `${label} ${selected.nom.toUpperCase()}`, { show: true });
$("act-toilettes").onclick = () => movement("toilettes", "Toilettes",
                                             { accompagnateur: $("accompagnateur").value.trim() });
$("act-retour").onclick = () => movement("toilettes/retour", "Retour");
$("act-admettre").onclick = () => scan(selected.code || selected.numero);
$("act-sortie").onclick = () => {
  leaveQuestion("remplacé par la sortie");
  const who = `${selected.nom.toUpperCase()} ${selected.prenom}`;
  askPiece({ code: selected.numero, who: `Sortie de ${who}`, arrival: false,
             title: `Sortie de ${who} : pièce d'identité vérifiée`,
             then: (piece) => movement("sorties", "Sortie", { piece_identite: piece }) });
};
