/* The console's « Documents » tab: the day's PV, the émargement CSV, the émargement sheets (blank or filled from
   the journal), the day's bilan in pictures; before the épreuve, the list to post at the site's entrance, the door
   labels, each salle's table labels, one candidat's convocation; for the organiser, the last generation's ZIP of
   every convocation and those to send again (ZIP and list). Each downloaded under its own name (page.js:
   download). */
"use strict";

const epreuveDoc = (what, extra = "") => `/api/v1/epreuves/${epreuve.code}/${what}?site=${site}${extra}`;
$("pv").onclick = () => download(epreuveDoc("pv.pdf"), $("doc-message"));
$("csv").onclick = () => download(epreuveDoc("emargement.csv"), $("doc-message"));
$("sheets").onclick = () => download(epreuveDoc("feuilles-emargement.pdf"), $("doc-message"));
$("sheets-filled").onclick = () => download(epreuveDoc("feuilles-emargement.pdf", "&remplie=1"), $("doc-message"));
$("bilan").onclick = () => download("/api/v1/bilan.pdf", $("doc-message"));  // every site of this day file

/* « Avant l'épreuve »: its own section at the end of the tab. */
(() => {
  const status = el("div", { class: "verdict info", role: "status", hidden: true });
  const button = (label, path, id) => el("button", { type: "button", id, onclick: () => download(path(), status) },
    label);
  const field = (id, label, size) => [el("label", { for: id }, label), el("input", { id, size, autocomplete: "off" })];
  const [salleLabel, salle] = field("doc-salle", "Étiquettes de table de la salle", 6);
  const [numeroLabel, numero] = field("doc-numero", "Convocation du candidat n°", 14);
  const value = (input) => encodeURIComponent(input.value.trim());
  $("panel-documents").append(el("div", { id: "documents" }, el("h3", {}, "Avant l'épreuve"),
    el("div", { class: "row" },
      button("Liste à afficher à l'entrée", () => `/api/v1/documents/sites/${site}/liste.pdf`),
      button("Étiquettes de porte", () => `/api/v1/documents/sites/${site}/portes.pdf`)),
    el("div", { class: "row" },
      salleLabel, salle,
      button("Télécharger", () => `/api/v1/documents/salles/${value(salle)}/tables.pdf`, "doc-tables"),
      numeroLabel, numero,
      button("Télécharger", () => `/api/v1/documents/convocations/${value(numero)}.pdf`, "doc-convocation")),
    el("div", { class: "row", id: "doc-generated", hidden: true },  // the organiser's: `salle convocations`' files
      button("Toutes les convocations (ZIP)", () => "/api/v1/documents/convocations.zip", "doc-convocations-zip"),
      button("Convocations à renvoyer (ZIP)", () => "/api/v1/documents/a_renvoyer.zip", "doc-renvoyer-zip"),
      button("Liste à renvoyer (CSV)", () => "/api/v1/documents/a_renvoyer.csv", "doc-renvoyer-csv")),
    status));
})();
