/* R24: a candidat's aménagements beyond time (human or technical aids, a separate or accessible room,
   fractionnement) as the surveillant's tablet and the jury's page show them: one line each, in French. */
"use strict";

function amenagementLines(a) {
  if (!a) return [];
  const lines = [];
  if (a.aides_humaines.length) lines.push(`Aide humaine : ${a.aides_humaines.join(", ")}`);
  if (a.aides_techniques.length) lines.push(`Aide technique : ${a.aides_techniques.join(", ")}`);
  if (a.salle_a_part) lines.push("Salle à part");
  if (a.salle_accessible.length) lines.push(`Salle accessible : ${a.salle_accessible.join(", ")}`);
  if (a.fractionnement) lines.push("Épreuve fractionnée");
  return lines.concat(a.autres);
}

/* The box that says them (nothing when there are none). */
function amenagementBox(a, extra = "") {
  const lines = amenagementLines(a);
  if (extra) lines.unshift(extra);
  if (!lines.length) return "";
  return el("div", { class: "amenagements", role: "note" }, el("b", {}, "Aménagements"),
    el("ul", {}, ...lines.map((l) => el("li", {}, l))));
}
