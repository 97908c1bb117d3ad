/* The tablet: an incident for the procès-verbal — its type, the facts, a fire alarm's times, a fraud report
   with the candidate's countersignature (or their refusal to sign). */
"use strict";

const contre = new SignaturePad($("contre"));

function openIncident(numero) {
  $("inc-numero").value = numero || ""; $("inc-texte").value = ""; contre.clear(); $("refus").checked = false;
  $("incident").hidden = false; toggleIncident(); $("incident").scrollIntoView();
}
function toggleIncident() {
  $("inc-fraude").hidden = $("inc-type").value !== "fraude";
  if (!$("inc-fraude").hidden && !$("heure-faits").value) {
    $("heure-faits").value = Clock.now().toTimeString().slice(0, 5);
  }
  $("inc-alarme").hidden = $("inc-type").value !== "alarme_incendie";
}
$("act-incident").onclick = () => openIncident(selected && selected.numero);
$("inc-type").onchange = toggleIncident;
$("contre-clear").onclick = () => contre.clear();
$("inc-cancel").onclick = () => { $("incident").hidden = true; };
$("inc-ok").onclick = () => {
  const type = $("inc-type").value;
  const body = { type, texte: $("inc-texte").value };
  if ($("inc-numero").value.trim()) body.numero = $("inc-numero").value.trim();
  if (type === "alarme_incendie") {
    body.debut = $("inc-debut").value || null;
    if ($("inc-fin").value) body.fin = $("inc-fin").value;
  }
  if (type === "fraude") {
    if ($("refus").checked) body.refus_de_signer = true; else body.contresignature = contre.value();
    body.heure_faits = $("heure-faits").value || Clock.now().toTimeString().slice(0, 5);
  }
  $("incident").hidden = true;
  send(`/api/v1/salles/${salle}/incidents`, body, `Incident (${type})`, { show: true });
};
