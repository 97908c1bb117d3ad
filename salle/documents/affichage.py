"""Papers posted on the day: the list at the site's entrance (name → salle and building, French order, large
type, no date of birth — R27), a label for each salle's door (its name, where it is, the names and places it
holds) and a label for each table (name and numéro, in seat order, 2 × 8 per A4 sheet of labels)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..collation import french_key
from ..model import Candidat, Salle, Session
from .convocations import Page, _write


def _by_name(candidats: list[Candidat]) -> list[Candidat]:
    return sorted(candidats, key=lambda c: (french_key(c.nom), french_key(c.prenom), c.numero))


def site_list(session: Session, site_code: str, candidats: list[Candidat]) -> bytes:
    """The list to post at the site's entrance: A4 landscape, 14 pt, name → salle, building and floor."""
    site = session.site(site_code)
    pdf = Page(f"Liste des candidats — {site.name}", orientation="landscape")
    pdf.set_auto_page_break(True, margin=12)
    mine = _by_name([c for c in candidats if c.site == site_code])
    pdf.add_page()
    pdf.text_line(f"{session.concours.label} — {site.name}", 16, bold=True, h=9)
    pdf.text_line("Trouvez votre nom : votre salle et votre place sont indiquées en face.", 12, h=7)
    pdf.ln(2)
    pdf.set_font("DejaVu", "", 14)
    with pdf.table(col_widths=(110, 110, 47), line_height=8, text_align="LEFT", first_row_as_headings=True) as t:
        t.row(["Nom, prénom", "Salle", "Place"])
        for c in mine:
            salle = session.salle(c.salle)
            where = salle.display + (f" — {salle.access}" if salle and salle.access else "") if salle else c.salle
            t.row([f"{c.nom.upper()} {c.prenom}", where, c.place])
    return bytes(pdf.output())


def door_labels(session: Session, site_code: str, candidats: list[Candidat]) -> bytes:
    """One A4 landscape page per salle of the site: name, building and floor, the names and places it holds."""
    pdf = Page("Étiquettes de porte", orientation="landscape")
    for salle in session.salles_of(site_code):
        inside = _by_name([c for c in candidats if c.salle == salle.code])
        pdf.add_page()
        pdf.ln(20)
        pdf.text_line(salle.display, 54, bold=True, h=26, align="C")
        if salle.access:
            pdf.text_line(salle.access, 24, h=13, align="C")
        pdf.ln(10)
        if inside:
            first, last = inside[0], inside[-1]
            pdf.text_line(f"Candidats de {first.nom.upper()} à {last.nom.upper()}", 26, bold=True, h=14, align="C")
            seats = [c.place for c in inside if c.place]
            order = {p: i for i, p in enumerate(salle.seats)}
            seats.sort(key=lambda p: order.get(p, len(order)))
            if seats:
                pdf.text_line(f"Places {seats[0]} à {seats[-1]} — {len(inside)} candidats", 20, h=11, align="C")
        else:
            pdf.text_line("Aucun candidat dans cette salle.", 22, align="C")
        pdf.ln(8)
        pdf.text_line(session.concours.label, 14, align="C")
    return bytes(pdf.output())


def table_labels(session: Session, salle: Salle, candidats: list[Candidat]) -> bytes:
    """Labels for the tables in seat order: 2 columns × 8 rows of 105 × 37 mm per A4 (common label sheets;
    on plain A4, cut along the lines)."""
    order = {p: i for i, p in enumerate(salle.seats)}
    inside = sorted((c for c in candidats if c.salle == salle.code), key=lambda c: order.get(c.place, len(order)))
    pdf = Page(f"Étiquettes de table — {salle.display}")
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    width, height = 105, 37.125
    for page in [inside[i:i + 16] for i in range(0, len(inside), 16)] or [[]]:
        pdf.add_page()
        for i, c in enumerate(page):
            x, y = (i % 2) * width, (i // 2) * height
            pdf.set_draw_color(200)
            pdf.rect(x, y, width, height)
            pdf.set_xy(x + 6, y + 5)
            pdf.set_font("DejaVu", "B", 22)
            pdf.cell(width - 12, 10, f"Place {c.place}")
            pdf.set_xy(x + 6, y + 16)
            pdf.set_font("DejaVu", "B", 13)
            pdf.cell(width - 12, 7, f"{c.nom.upper()} {c.prenom}"[:38])
            pdf.set_xy(x + 6, y + 24)
            pdf.set_font("DejaVu", "", 12)
            pdf.cell(width - 12, 7, f"{c.numero} — {salle.display}")
    return bytes(pdf.output())


# --- writing them all -------------------------------------------------------------------------------------------


@dataclass
class Summary:
    folder: Path
    written: list[str] = field(default_factory=list)
    candidats: int = 0
    empty: list[str] = field(default_factory=list)  # salles without a candidat: their table labels are blank
    unplaced: list[str] = field(default_factory=list)  # candidats without a salle or a place: on no door, no table

    def french(self) -> str:
        lines = [f"{len(self.written)} document(s) écrit(s) dans {self.folder} : listes à afficher par site, "
                 f"étiquettes de porte par site, étiquettes de table par salle ({self.candidats} candidats)."]
        if self.empty:
            lines.append(f"{len(self.empty)} salle(s) sans candidat, étiquettes de table vides : "
                         f"{', '.join(self.empty)}.")
        if self.unplaced:
            lines.append(f"{len(self.unplaced)} candidat(s) sans salle ou sans place : "
                         f"{', '.join(self.unplaced[:10])}{'…' if len(self.unplaced) > 10 else ''} (réimportez les "
                         "candidats pour les placer).")
        return "\n".join(lines)


def write_all(session: Session, candidats: list[Candidat], folder: Path,
              progress: Callable[[int, int, str], None] = lambda done, total, name: None) -> Summary:
    """Every paper to post into `folder`: per site its list and its door labels, per salle its table labels;
    `progress(done, total, file name)` after each."""
    jobs: list[tuple[str, Callable[[], bytes]]] = []
    for site in session.sites:
        jobs.append((f"liste-{site.code}.pdf", lambda code=site.code: site_list(session, code, candidats)))
        jobs.append((f"portes-{site.code}.pdf", lambda code=site.code: door_labels(session, code, candidats)))
    for salle in session.salles:
        jobs.append((f"tables-{salle.code}.pdf", lambda s=salle: table_labels(session, s, candidats)))
    folder.mkdir(parents=True, exist_ok=True)
    summary = Summary(folder, candidats=len(candidats))
    for name, make in jobs:
        _write(folder / name, make())
        summary.written.append(name)
        progress(len(summary.written), len(jobs), name)
    seated = {c.salle for c in candidats if c.salle and c.place}
    summary.empty = [s.code for s in session.salles if s.code not in seated]
    summary.unplaced = [c.numero for c in candidats if not (c.salle and c.place)]
    return summary
