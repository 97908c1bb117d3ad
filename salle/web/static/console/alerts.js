/* The console's alerts: what each asks of the responsable, written down when done; the jury's decision on a fraud
   report (R5, R11). Reloaded at most once a second; only the alerts that came or went are touched, so a
   resolution being typed keeps its focus and its text when another alert arrives. */
"use strict";

/* What the responsable writes down for each kind of alert: the button's verb and the field's example. */
const DEVICE = ["Consigner l'intervention", "Ce qui a été fait : rouleau remis, câble rebranché…"];
const ACTIONS = {
  sans_piece_identite: ["Consigner le contrôle", "Contrôle fait : questions d'état civil, signature comparée…"],
  admission_hors_ligne: ["Confirmer l'heure d'entrée", "Heure confirmée avec le surveillant : …"],
  convocation_deja_utilisee: ["Consigner le contrôle", "Identités contrôlées : qui a été admis, qui est à la porte…"],
  connexions_refusees: ["Consigner la vérification", "Appareil vérifié : qui l'utilisait…"],
  code_verrouille: ["Consigner la vérification", "Vérifié avec la personne ; code débloqué (Personnel)…"],
  appareil_hors_ligne: DEVICE, papier: DEVICE, capot: DEVICE, hors_ligne: DEVICE, delai: DEVICE, imprimante: DEVICE,
  relais: ["Consigner l'annonce", "Candidats prévenus de vive voix à…"],
  impression_echouee: ["Consigner la suite", "Convocation réimprimée (onglet Borne d'accueil) ou remise à la main…"],
  ticket_invalide: ["Consigner la suite", "Convocation remise à la main, numéro vérifié…"],
  retard_oral: ["Consigner la suite", "Jury prévenu à … ; sa décision arrive d'elle-même…"],
};

function alertItem(a) {
  const box = el("div", { class: "verdict info", role: "status", hidden: true });
  const head = el("div", { class: "alert-head" }, el("b", {}, a.titre || a.message));
  const meta = el("div", { class: "muted" }, [hhmm(a.creee_a), a.salle, a.candidat_nom].filter(Boolean).join(" · "));
  if (a.type === "fraude") {
    const who = el("input", { size: 28, "aria-label": "Décision prise par (nom et qualité du membre du jury)",
                              placeholder: "Décidé par : nom, qualité" });
    const decide = (exclusion) => post(`/api/v1/incidents/${a.seq}/decision`, { exclusion, decide_par: who.value },
                                       box, alertesSoon);
    return el("div", { class: "alert", "data-alerte": a.seq }, head, meta, el("div", { class: "muted" }, a.message),
      el("div", { class: "row" }, who,
        el("button", { class: "danger", onclick: () => decide(true) }, "Exclure le candidat"),
        el("button", { onclick: () => decide(false) }, "Ne pas exclure")), box);
  }
  const [verb, example] = ACTIONS[a.type] || ["Consigner la suite", "Ce qui a été fait…"];
  const input = el("input", { size: 28, "aria-label": `Ce qui a été fait (${a.titre || a.message})`,
                              placeholder: example });
  const resolve = () => post(`/api/v1/alertes/${a.seq}/resolution`, { resolution: input.value }, box, alertesSoon);
  input.addEventListener("keydown", (e) => { if (e.key === "Enter") resolve(); });
  return el("div", { class: "alert", "data-alerte": a.seq }, head, meta,
    a.titre && a.titre !== a.message ? el("details", {}, el("summary", {}, "Détail"), a.message) : "",
    el("div", { class: "row" }, input, el("button", { onclick: resolve }, verb)), box);
}

/* The open alerts drawn in order: those already shown are kept as they are (their field, its text and focus),
   those resolved meanwhile are taken away, new ones are put in their place. */
function showAlertes(list) {
  const box = $("alertes");
  const shown = new Map([...box.querySelectorAll(":scope > .alert")].map((n) => [n.dataset.alerte, n]));
  const wanted = new Set(list.map((a) => String(a.seq)));
  for (const [seq, node] of shown) if (!wanted.has(seq)) node.remove();
  const none = box.querySelector(":scope > .none");
  if (list.length && none) none.remove();
  let before = box.firstElementChild;
  for (const a of list) {
    const node = shown.get(String(a.seq));
    if (node && node === before) { before = node.nextElementSibling; continue; }
    if (node) continue; // still shown, out of order: never moved under the responsable's fingers
    box.insertBefore(alertItem(a), before);
  }
  if (!list.length && !none) box.append(el("p", { class: "muted none" }, "Aucune alerte ouverte."));
  setText($("alertes-count"), list.length ? `(${list.length})` : "");
}

async function loadAlertes() {
  let r;
  try { r = await Api.request("GET", "/api/v1/alertes"); } catch (e) { return; }
  if (r.status === 200) showAlertes(r.data.alertes);
}

let alertesTimer = null;
function alertesSoon() { // at most one reload of the alerts a second, however many events arrive
  if (!alertesTimer) alertesTimer = setTimeout(() => { alertesTimer = null; loadAlertes(); }, 1000);
}
