"""What `salle planning` writes: the candidats file with each one's passage (imported back with `salle import
candidats`, its checks and its report), and a printable planning per jury (PDF)."""

from __future__ import annotations

from ..collation import french_key
from ..csv_out import csv_text
from ..model import Candidat, Epreuve, Jury, Passage, Session, temps_majores_text
from ..planning import slot
from ..pv import Document, _t, date_fr, render

HEADER = ["N° d'inscription", "Nom usuel", "Nom de naissance", "Prénom", "Date de naissance", "Site", "Salle", "Place",
          "Tiers-temps", "Pièces manquantes", "Épreuves", "Aménagements", "Épreuve orale", "Jury", "Date de passage",
          "Heure de passage"]


def candidats_csv(candidats: list[Candidat], passages: dict[str, Passage]) -> str:
    """Every candidat as the import reads them, with their passage at the oral when they have one."""
    rows = []
    for c in sorted(candidats, key=lambda c: c.numero):
        p = passages.get(c.numero)
        extra = temps_majores_text(c.temps_majore) if c.temps_majore else ("oui" if c.tiers_temps else "non")
        rows.append([c.numero, c.nom, c.nom_naissance, c.prenom, c.date_naissance.strftime("%d/%m/%Y"), c.site,
                     c.salle, c.place, extra, c.pieces_manquantes, " ".join(c.epreuves), c.amenagements,
                     *((p.epreuve, p.jury, p.at.strftime("%d/%m/%Y"), p.at.strftime("%H:%M")) if p else
                       ("", "", "", ""))])
    return csv_text(HEADER, rows)


def jury_planning_pdf(session: Session, epreuve: Epreuve, jury: Jury, passages: list[tuple[Passage, Candidat]],
                      repetition: bool = False) -> bytes:
    """A jury's planning to print: each day, by time, the convocation (tirage), the passage before the jury, the
    candidat's numéro and name, their aménagement."""
    salle = session.salle(jury.salle)

    def draw(pdf: Document) -> None:
        pdf.add_page()
        pdf.h1(f"Planning — {jury.name}\n{epreuve.label}")
        pdf.para(f"{salle.display}{', ' + salle.access if salle.access else ''} — membres : "
                 f"{', '.join(jury.membres) or '—'} ; préparation {epreuve.preparation} min, passage "
                 f"{epreuve.passage} min.")
        days = sorted({p.at.date() for p, _ in passages})
        for day in days:
            pdf.h2(date_fr(day, weekday=True).capitalize())
            rows = []
            for p, c in sorted((pc for pc in passages if pc[0].at.date() == day), key=lambda pc: pc[0].at):
                s = slot(epreuve, p, c.majoration(epreuve.code))
                t = c.majoration(epreuve.code)
                rows.append([_t(p.at), f"{_t(s.debut)}–{_t(s.fin)}", c.numero, c.display_name,
                             (t.label if t else "") + (f" ; {c.amenagements}" if c.amenagements else "")])
            pdf.grid(["Convoqué(e)", "Devant le jury", "Numéro", "Candidat", "Aménagement"], rows,
                     (24, 34, 28, 56, 38))
        if not days:
            pdf.para("Aucun passage.")

    return render(f"Planning — {jury.name} — {epreuve.label}", repetition, draw)


def by_name(candidats: list[Candidat]) -> list[Candidat]:
    return sorted(candidats, key=lambda c: (french_key(c.nom), french_key(c.prenom), c.numero))
