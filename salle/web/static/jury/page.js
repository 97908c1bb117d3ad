/* The jury's page (a tablet or a laptop per jury, role jury): today's passages with their state, the jury's
   decision on a lateness (R28), the tirage au sort (R30), calling the candidat, the passage started and ended
   with its end shown (R24); the timers are the journaled times, so a reload shows the same. Live. */
"use strict";

const $ = (id) => document.getElementById(id);
const STATES = { attendu: "attendu", present: "présent", en_retard: "en retard — à décider",
  en_preparation: "en préparation", en_passage: "en passage", termine: "terminé", absent: "absent",
  abandon: "abandon", reporte: "reporté", renonce: "renonciation" };
let me = null, epreuve = null, jury = null, passages = [];

function say(kind, text) {
  const m = $("message"); m.hidden = false; m.className = `verdict ${kind}`; m.textContent = text;
}

async function act(numero, action, body = {}) {
  const answer = await Api.command("POST", `/api/v1/oraux/${epreuve}/candidats/${numero}/${action}`,
    { client_id: Api.uuid(), ...body });
  say(answer.ok ? "ok" : "bad", answer.message);
  await load();
}

function remaining(iso) { // mm:ss until a journaled time, by the server's clock
  if (!iso) return "";
  const s = Math.round((new Date(iso).getTime() - Clock.now().getTime()) / 1000);
  if (s <= 0) return `${Clock.hhmm(iso)} (atteinte)`;
  return `${Clock.hhmm(iso)} (dans ${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")})`;
}

function actions(p) {
  const n = p.candidat.numero, b = (label, fn, cls = "") => el("button", { class: cls, onclick: fn }, label);
  const out = [];
  if (p.statut === "en_retard") {
    out.push(b("Interroger", () => act(n, "decision", { decision: "vu" }), "primary"),
             b("Reporter…", () => askForm(p, "report")), b("Absent", () => act(n, "decision", { decision: "absent" })));
  }
  if (p.statut === "attendu" && new Date(p.convoque_a).getTime() + 60000 <= Clock.now().getTime()) {
    out.push(b("Absent", () => act(n, "decision", { decision: "absent" })));
  }
  if (p.statut === "present") {
    out.push(b("Tirer le sujet", () => act(n, "tirage", { temoin: $("temoin").value || me.nom }), "primary"));
  }
  if (p.statut === "present" || p.statut === "en_preparation") {
    out.push(b("Appeler", () => act(n, "appel")));
  }
  if (p.statut === "en_preparation") out.push(b("Commencer le passage", () => act(n, "debut"), "primary"));
  if (p.statut === "en_passage") out.push(b("Terminer le passage", () => act(n, "fin"), "primary"));
  if (["present", "en_preparation", "en_passage"].includes(p.statut)) {
    out.push(b("Abandon", () => askSignature(p, "abandon")), b("Renonciation", () => askSignature(p, "renonciation")),
             b("Auditeurs…", () => askForm(p, "auditeurs")));
  }
  if (p.sujet && !p.sujet_rendu_a) out.push(b("Sujet rendu", () => act(n, "sujet-rendu"))); // R31
  if (!["attendu", "reporte"].includes(p.statut)) out.push(b("Incident…", () => askForm(p, "incident")));
  return out;
}

/* R29 auditeurs, R31/R33 an incident or a fraud ruled by the jury, R28 a report for force majeure. */
let form = null;
const FORMS = { auditeurs: "Auditeurs", incident: "Incident ou fraude",
  report: "Report pour force majeure" };
function askForm(p, kind) {
  form = { numero: p.candidat.numero, kind };
  $("form-title").textContent = FORMS[kind];
  $("form-who").textContent = `${p.candidat.nom.toUpperCase()} ${p.candidat.prenom} (${p.candidat.numero})`;
  for (const k of Object.keys(FORMS)) $(`form-${k}`).hidden = k !== kind;
  $("form-panel").hidden = false; $("form-panel").scrollIntoView({ block: "nearest" });
}
$("form-cancel").onclick = () => { $("form-panel").hidden = true; form = null; };
$("form-ok").onclick = async () => {
  if (!form) return;
  const { numero, kind } = form;
  $("form-panel").hidden = true; form = null;
  if (kind === "auditeurs") {
    await act(numero, "auditeurs", { nombre: Number($("f-nombre").value), accord_candidat: $("f-accord").checked,
      demande_ecrite: $("f-ecrite").checked });
  } else if (kind === "incident") {
    await act(numero, "incidents", { type: $("f-type").value, texte: $("f-texte").value,
      decision: $("f-decision").value || null });
  } else {
    const heure = $("f-heure").value;
    await act(numero, "decision", { decision: "reporte", nouvelle_heure: heure ? `${heure}:00`.slice(0, 19) : null,
      motif: $("f-motif").value });
  }
};

/* R25: the candidat signs « abandon »; R32: the renunciation noted on the fiche d'entretien, countersigned (or
   the refusal to sign). */
let pad = null, signing = null;
function askSignature(p, action) {
  signing = { numero: p.candidat.numero, action };
  pad = pad || new SignaturePad($("sign-pad")); pad.clear(); $("sign-refus").checked = false;
  $("sign-title").textContent = action === "abandon" ? "Abandon" : "Renonciation";
  $("sign-what").textContent = `${p.candidat.nom.toUpperCase()} ${p.candidat.prenom} (${p.candidat.numero}) : `
    + (action === "abandon" ? "le candidat signe l'émargement avec la mention « abandon »."
      : "le jury mentionne la renonciation sur la fiche d'entretien ; le candidat la contresigne.");
  $("sign-refus-label").hidden = action !== "renonciation";
  $("sign-panel").hidden = false; $("sign-panel").scrollIntoView({ block: "nearest" });
}
$("sign-clear").onclick = () => pad && pad.clear();
$("sign-cancel").onclick = () => { $("sign-panel").hidden = true; signing = null; };
$("sign-ok").onclick = async () => {
  if (!signing) return;
  const refus = signing.action === "renonciation" && $("sign-refus").checked;
  const body = refus ? { refus_de_signer: true } : { signature: pad.value() };
  $("sign-panel").hidden = true;
  const { numero, action } = signing; signing = null;
  await act(numero, action, body);
};

/* R31: whether the drawn subject came back — when, or flagged once the passage is over without it. */
function returned(p) {
  if (p.sujet_rendu_a) return el("small", { class: "rendu" }, ` rendu ${Clock.hhmm(p.sujet_rendu_a)}`);
  return p.sujet_manquant ? el("small", { class: "manquant" }, " non rendu") : "";
}

function render() {
  $("passages").tBodies[0].replaceChildren(...passages.map((p) => el("tr", { "data-numero": p.candidat.numero,
    class: `st-${p.statut}` },
    el("td", { class: "nowrap" }, Clock.hhmm(p.convoque_a)), el("td", { class: "nowrap" }, p.candidat.numero),
    el("td", { class: "candidat" }, `${p.candidat.nom.toUpperCase()} ${p.candidat.prenom}`,
      amenagementBox(p.amenagements_detail, p.temps_majore ? `Temps majoré : ${p.temps_majore}` : "")),
    el("td", { class: "etat" }, STATES[p.statut] || p.statut), el("td", { class: "sujet" }, p.sujet ?? "", returned(p)),
    el("td", { class: "fin" }, p.statut === "en_preparation" ? `préparation jusqu'à ${remaining(p.fin_preparation)}`
      : p.statut === "en_passage" ? `passage jusqu'à ${remaining(p.fin_passage_prevue)}` : ""),
    el("td", {}, el("div", { class: "actions" }, ...actions(p))))));
}

const load = Api.coalesced(async () => { // a push and the jury's own act both reload: their answers never cross
  const r = await Api.request("GET", `/api/v1/oraux/${epreuve}/jurys/${jury}/passages`);
  if (r.status !== 200) { say("bad", Api.errorText(r)); return; }
  passages = r.data.passages;
  $("jury-name").textContent = r.data.libelle; $("jury-where").textContent = `salle ${r.data.salle}`;
  const t = $("temoin");
  if (!t.options.length) t.replaceChildren(...r.data.membres.map((m) => el("option", { value: m }, m)));
  render();
});

async function start() {
  const who = await Api.request("GET", "/api/v1/me");
  if (who.status !== 200) return;
  me = who.data;
  const params = new URLSearchParams(location.search);
  jury = me.jury || params.get("jury"); epreuve = me.epreuve || params.get("epreuve");
  if (!jury || !epreuve) {
    $("login-error").hidden = false; $("login-error").textContent = "Page réservée au jury (ou ?epreuve=&jury=).";
    return;
  }
  $("login-card").hidden = true; $("app").hidden = false;
  await load();
  Live.connect({
    connect: () => { $("net").textContent = "Direct"; $("net").classList.remove("off"); load(); },
    disconnect: () => { $("net").textContent = "Direct interrompu — reconnexion…"; $("net").classList.add("off"); },
    evenement: (e) => { if (e.epreuve === epreuve) load(); },
  });
  setInterval(() => { $("clock").textContent = Clock.localIso(Clock.now()).slice(11, 19); render(); }, 1000);
  setInterval(load, 15000); // a push lost on the way is made up for
}

$("login-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  try { await SignIn.login($("code").value, "jury"); $("code").value = ""; start(); }
  catch (err) { $("login-error").hidden = false; $("login-error").textContent = err.message; }
});
$("logout").onclick = () => SignIn.logout();
/* The jury's own PV, as it stands now (R23): saved on this device under its own name. */
$("pv-jury").onclick = async () => {
  const f = await Api.download(`/api/v1/oraux/${epreuve}/jurys/${jury}/pv.pdf`);
  say(f.ok ? "ok" : "bad", f.ok ? `Procès-verbal téléchargé : ${f.name}.` : f.message);
};
if (SignIn.signedIn()) start();
