/* The console: the end of the épreuve in the salle opened — copies declared and recounted, those present without
   émargement — and its deliberate release (R21, R22): the list of what is open, a confirmation, a reason when
   anything is open. */
"use strict";

/* Why a release waits for the end, and from when (R22): the release is the signal to leave. */
const notBefore = (iso) => `Libération possible à partir de ${hhmm(iso)}, fin de l'épreuve pour les candidats encore `
  + "dans la salle (tiers-temps compris). La libération donne aux candidats le signal de sortie, une fois toutes "
  + "les copies ramassées et recomptées : elle n'est jamais donnée avant la fin, même avec un motif.";
const early = (f) => (f.bloquant || []).some((b) => b.code === "fin_non_atteinte");

async function loadFin() {
  if (!opened) return;
  const r = await Api.request("GET", `/api/v1/salles/${opened}/fin${forEpreuve()}`);
  if (r.status !== 200) { say($("sv-message"), "bad", Api.errorText(r)); return; }
  const f = r.data;
  const recount = f.recomptage;
  const ecart = recount && recount.ecart ? `, écart de ${recount.ecart > 0 ? "+" : ""}${recount.ecart}`
    : ", sans écart";
  const missing = f.sans_emargement.map((c) => `${c.nom.toUpperCase()} ${c.prenom} (${c.place})`).join(", ");
  $("fin-body").replaceChildren(
    el("p", {}, `Fin pour cette salle à ${hhmm(f.fin)}. Copies déclarées à l'émargement : ${f.copies_emargees}.`,
      recount ? ` Recomptage à ${hhmm(recount.a)} : ${recount.copies_comptees} copie(s)${ecart}.`
        : " Copies pas encore recomptées."),
    f.sans_emargement.length
      ? el("p", {}, el("b", {}, `Présents sans émargement : ${f.sans_emargement.length}`), ` — ${missing}`)
      : el("p", {}, "Présents sans émargement : aucun."));
  const released = !!f.liberee_a;
  $("recount-row").hidden = released;
  $("recount-btn").textContent = recount ? "Corriger le recomptage" : "Enregistrer le recomptage";
  $("release-btn").hidden = released;
  $("release-done").hidden = !released;
  $("release-done").textContent = released ? `Salle libérée à ${hhmm(f.liberee_a)}` : "";
  if (released) $("release-confirm").hidden = true;
  $("release-when").hidden = released || !early(f);
  setText($("release-when"), early(f) ? notBefore(f.fin) : "");
  $("release-btn").dataset.fin = JSON.stringify(f);
}

$("recount-btn").onclick = () => post(`/api/v1/salles/${opened}/recomptage`,
  { copies_comptees: Number($("recount").value), epreuve: epreuve.code }, $("sv-message"), loadFin);

$("release-btn").onclick = () => {
  const f = JSON.parse($("release-btn").dataset.fin || "{}");
  const blocking = f.bloquant || [], items = f.points_ouverts || [];
  $("release-confirm").hidden = false;
  const shown = blocking.filter((b) => b.code !== "fin_non_atteinte"); // said in the question, with its time
  $("release-items").replaceChildren(...[...shown, ...items].map((i) =>
    el("li", { class: blocking.includes(i) ? "blocking" : "" }, i.message)));
  $("release-question").textContent = early(f) ? `La salle ne peut pas encore être libérée : ${notBefore(f.fin)}`
    : blocking.length ? "La salle ne peut pas encore être libérée :"
    : items.length ? `${items.length} point(s) non résolu(s). Libérer quand même ? Indiquez le motif :`
      : "Tout est en ordre. Donner le signal de sortie ?";
  $("release-motif-row").hidden = !items.length || blocking.length > 0;
  $("release-ok").hidden = blocking.length > 0;
  $("release-motif").value = "";
  if (blocking.length) $("release-confirm").scrollIntoView({ block: "nearest" }); // nothing to focus: show it
  else (items.length ? $("release-motif") : $("release-ok")).focus();
};
$("release-cancel").onclick = () => { $("release-confirm").hidden = true; };
$("release-ok").onclick = async () => {
  const f = JSON.parse($("release-btn").dataset.fin || "{}");
  if ((f.points_ouverts || []).length && !$("release-motif").value.trim()) {
    say($("sv-message"), "bad", "Indiquez le motif : il figurera au procès-verbal.");
    $("release-motif").focus(); return;
  }
  const body = { epreuve: epreuve.code, motif: $("release-motif").value };
  const v = await post(`/api/v1/salles/${opened}/liberation`, body, $("sv-message"), async () => {
    $("release-confirm").hidden = true; await loadFin(); await loadSalles();
  });
  if (v && v.ok === false && v.autorise_a_partir_de) say($("sv-message"), "bad", notBefore(v.autorise_a_partir_de));
  if (v && v.ok === false) await loadFin(); // refused: the list or the end changed meanwhile
};
