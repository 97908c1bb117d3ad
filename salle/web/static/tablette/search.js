/* The tablet's search (a name or number typed in the scan field) and its camera (frames to the images endpoint
   until a code is read): both lead to the same path as a scan. */
"use strict";

/* A search pick: a candidat of another salle is told where to go (nothing recorded); one of this salle not yet
   in is admitted through the same path as a scan; one already in opens their card. */
function pick(c) {
  if (c.autre_salle || !c.convoque) {
    verdict("info", c.convoque ? "AUTRE SALLE" : "NON CONVOQUÉ", c.convoque
      ? `Convoqué(e) en salle ${c.salle}, place ${c.place} : indiquez-lui sa salle.`
      : "Pas convoqué(e) à cette épreuve.", `${c.nom.toUpperCase()} ${c.prenom} — ${c.numero}`);
    return;
  }
  if (c.statut === "attendu") { scan(c.code); return; }
  select(c);
}

async function search(q) {
  const box = $("search-results");
  box.replaceChildren();
  let r;
  try { r = await Api.request("GET", `/api/v1/salles/${salle}/recherche?q=${encodeURIComponent(q)}`); } catch (e) {
    box.append(el("p", { class: "muted" }, "Recherche impossible hors ligne.")); return;
  }
  if (r.status !== 200) { box.append(el("p", { class: "muted" }, Api.errorText(r))); return; }
  if (!r.data.candidats.length) { box.append(el("p", {}, `Aucun candidat trouvé pour « ${q} » sur ce site.`)); return; }
  box.append(el("ul", {}, r.data.candidats.map((c) => el("li", {},
    `${c.nom.toUpperCase()} ${c.prenom} — ${c.numero} — salle ${c.salle}, place ${c.place} `
    + `(${STATUTS[c.statut] || c.statut}) `,
    el("button", { onclick: () => { box.replaceChildren(); pick(c); } }, "Choisir")))));
}
$("search-btn").onclick = () => {
  const v = $("scan").value.trim();
  if (v) { $("scan").value = ""; search(v); } else $("scan").focus();
};

let stream = null;
$("camera-btn").onclick = async () => {
  if (stream) return stopCamera();
  try { stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }); } catch (e) {
    verdict("bad", "CAMÉRA", "Caméra indisponible : utilisez la douchette ou la recherche."); return;
  }
  const video = $("video"); video.srcObject = stream; video.hidden = false; await video.play();
  $("camera-btn").textContent = "Arrêter la caméra";
  const canvas = document.createElement("canvas");
  const tick = async () => {
    if (!stream) return;
    canvas.width = video.videoWidth || 640; canvas.height = video.videoHeight || 480;
    canvas.getContext("2d").drawImage(video, 0, 0, canvas.width, canvas.height);
    const blob = await new Promise((res) => canvas.toBlob(res, "image/jpeg", 0.8));
    const form = new FormData(); form.append("image", blob, "frame.jpg"); form.append("client_id", Api.uuid());
    try {
      const r = await Api.request("POST", `/api/v1/salles/${salle}/images`, form);
      if (r.status === 200 && r.data.codes && r.data.codes.length) { stopCamera(); return scan(r.data.codes[0]); }
    } catch (e) { /* offline: keep looking */ }
    setTimeout(tick, 400);
  };
  tick();
};
function stopCamera() {
  if (stream) stream.getTracks().forEach((t) => t.stop());
  stream = null; $("video").hidden = true; $("camera-btn").textContent = "Caméra";
}
