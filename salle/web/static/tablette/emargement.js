/* The tablet: a candidate's émargement — copies handed in (or a blank copy, or an oral's abandon) and the
   signature drawn on the pad. */
"use strict";

const pad = new SignaturePad($("sign"));

$("act-emarge").onclick = () => {
  $("em-name").textContent = `${selected.nom.toUpperCase()} ${selected.prenom}`;
  $("abandon-label").hidden = epreuveType !== "oral";
  pad.clear(); $("copies").value = 1; $("blanche").checked = false; $("abandon").checked = false;
  $("emargement").hidden = false; $("emargement").scrollIntoView();
};
$("em-clear").onclick = () => pad.clear();
$("em-cancel").onclick = () => { $("emargement").hidden = true; };
$("em-ok").onclick = () => {
  if (pad.isEmpty()) { verdict("bad", "SIGNATURE", "Le candidat doit signer dans le cadre."); return; }
  const body = { numero: selected.numero, signature: pad.value() };
  if ($("abandon").checked) body.abandon = true;
  else if ($("blanche").checked) body.copie_blanche = true;
  else body.copies = Number($("copies").value);
  $("emargement").hidden = true;
  send(`/api/v1/salles/${salle}/emargements`, body, `Émargement ${selected.nom.toUpperCase()}`, { show: true });
};
