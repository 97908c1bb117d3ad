"""The procès-verbal of an épreuve, the paper émargement sheets and the émargement CSV, built from the journal.

PDFs use fpdf2 with an embedded DejaVu TTF (the core fonts cannot write €, Œ or —). The PV states the facts as
they ended, in the order a jury president reads a French concours PV: the épreuve and the site, the times of
the day, the salles with their counts and copies, the staff present, the candidates refused at the door
(a refusal followed by an admission is an admitted candidate with a note), the end of each salle (recount,
release, what was left open and why), incidents and identity controls, an Observations area, « Fait à …,
le … », the signature blocks, the journal's chain head, and the fraud reports in annex with the jury's
decision. A rehearsal says « RÉPÉTITION » on every page. Rule ids stay in the code, not in the text.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from fpdf import FPDF

from . import rules
from .day import ExamDay
from .documents.fonts import STYLES, SYSTEM_FONTS, latin_coverage, latin_fonts
from .errors import Introuvable
from .journal import verify_chain
from .lists_csv import STATUTS, emargement_csv  # noqa: F401 (the web's émargement CSV)
from .rules import INCIDENT_TYPES
from .state import queries, reports
from .state.queries import ALERT_TITLES, salle_fin

NBSP = "\u00a0"
MOIS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
        "novembre", "décembre")
JOURS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
SYSTEME = "systeme"


def _t(value: str | datetime | None) -> str:
    """A time in the PDF, French typography: 09 h 05 with non-breaking spaces."""
    if isinstance(value, datetime):
        value = value.isoformat()
    return value[11:16].replace(":", f"{NBSP}h{NBSP}") if value else "—"


def date_fr(d: date, weekday: bool = False) -> str:
    text = f"{'1er' if d.day == 1 else d.day}{NBSP}{MOIS[d.month - 1]}{NBSP}{d.year}"
    return f"{JOURS[d.weekday()]} {text}" if weekday else text


def ville(address: str, fallback: str) -> str:
    """The town of a French address: what follows its postal code (« 93500 Pantin » → Pantin)."""
    m = re.search(r"\b\d{5}\s+([^,]+?)\s*(?:cedex.*)?$", address or "", re.IGNORECASE)
    return m.group(1).strip() if m else fallback


class Document(FPDF):
    """A4 page, DejaVu embedded, a footer with the page number; « RÉPÉTITION » on every page of a rehearsal.

    With `cut`, the DejaVu cut to Latin (salle/documents/fonts.py: the same glyphs, ~0.25 s less a document); a
    text it cannot draw sets `uncovered`, and `render` draws the document again with the whole DejaVu."""

    def __init__(self, title: str, repetition: bool = False, cut: bool = False):
        super().__init__(format="A4")
        paths = latin_fonts() if cut else {s: SYSTEM_FONTS / name for s, name in STYLES.items()}
        for style, path in paths.items():
            self.add_font("DejaVu", style, str(path))
        self.covered = latin_coverage() if cut else None
        self.uncovered = False
        self.widths: dict[tuple, _Widths] = {}
        self.set_title(title)
        self.set_auto_page_break(True, margin=15)
        self.title_text = title
        self.repetition = repetition

    def normalize_text(self, text: str) -> str:
        """Every text fpdf2 draws or measures passes here: note one the cut fonts cannot draw."""
        if self.covered is not None and not self.covered.issuperset(text):
            self.uncovered = True
        return super().normalize_text(text)

    def header(self):
        if self.repetition:
            self.set_font("DejaVu", "B", 11)
            self.set_text_color(106, 27, 154)
            self.cell(0, 6, "RÉPÉTITION — horloge simulée : document sans valeur officielle", align="C",
                      new_x="LMARGIN", new_y="NEXT")
            self.set_text_color(0, 0, 0)
            self.ln(1)

    def footer(self):
        self.set_y(-12)
        self.set_font("DejaVu", "", 8)
        self.cell(0, 5, f"{self.title_text} — page {self.page_no()}/{PAGES}", align="C")

    def h1(self, text: str):
        self.set_font("DejaVu", "B", 15)
        self.multi_cell(0, 8, text, align="L", new_x="LMARGIN", new_y="NEXT")
        self.ln(1)

    def h2(self, text: str):
        if self.get_y() > 250:
            self.add_page()
        self.ln(2)
        self.set_font("DejaVu", "B", 12)
        self.multi_cell(0, 7, text, align="L", new_x="LMARGIN", new_y="NEXT")

    def para(self, text: str, size: int = 10, bold: bool = False):
        self.set_font("DejaVu", "B" if bold else "", size)
        self.multi_cell(0, 5.5, text, align="L", new_x="LMARGIN", new_y="NEXT")

    def grid(self, headings: list[str], rows: list[list], widths: tuple | None = None, line_height: float = 6,
             size: int = 9):
        self.set_font("DejaVu", "", size)
        with self.table(col_widths=widths, line_height=line_height, text_align="LEFT",
                        headings_style=_bold()) as table:
            table.row([str(h) for h in headings])
            for row in rows:
                table.row(["" if v is None else str(v) for v in row])

    def rows(self, headings: list[str], rows: list[list], widths: tuple, line_height: float = 7, size: int = 9):
        """A table, its heading repeated on each page, for long lists (émargement sheets, candidates without
        émargement): each text put with text() where a cell would put it, and the grid drawn as lines, one per row
        and one per column on each page; fpdf2's cell() costs ten times more, its table() a hundred. A text too
        wide for its column wraps, and its row grows."""
        orientation = "L" if self.w > self.h else "P"
        pitch = size * 0.45  # mm between the lines of a wrapped text
        left, right = self.l_margin, self.l_margin + sum(widths)
        top = self.get_y()

        def columns() -> None:  # the vertical lines of the table's part on this page
            x = left
            for width in (0, *widths):
                x += width
                self.line(x, top, x, self.get_y())

        def row(values: list, style: str) -> None:
            nonlocal top
            self.set_font("DejaVu", style, size)
            cells = [self._lines("" if v is None else str(v), w - 2 * self.c_margin) for v, w in zip(values, widths)]
            height = max(line_height, max(len(c) for c in cells) * pitch + 2)
            if style == "" and self.get_y() + height > self.page_break_trigger:
                columns()
                self.add_page(orientation=orientation)
                top = self.get_y()
                row(headings, "B")
                self.set_font("DejaVu", style, size)
            x, y = left, self.get_y()
            if y == top:
                self.line(left, y, right, y)
            for lines, width in zip(cells, widths):
                first = y + (height - len(lines) * pitch) / 2 + 0.5 * pitch + 0.3 * self.font_size
                for i, text in enumerate(lines):
                    if text:
                        self.text(x + self.c_margin, first + i * pitch, text)
                x += width
            self.line(left, y + height, right, y + height)
            self.set_xy(left, y + height)

        row(headings, "B")
        for values in rows:
            row(values, "")
        columns()

    def _lines(self, text: str, width: float) -> list[str]:
        """The text as the lines it takes in `width` (mm): one when it fits, told by a sum of cached character
        widths first (get_string_width is slow), and only near the limit by fpdf2 itself."""
        key = (self.font_family, self.font_style, self.font_size_pt)
        chars = self.widths.get(key)
        if chars is None:
            chars = self.widths[key] = _Widths(self)
        if sum(map(chars.__getitem__, text)) < width - 0.01 or self.get_string_width(text) <= width:
            return [text]
        return self.multi_cell(width + 2 * self.c_margin, 5, text, dry_run=True, output="LINES")

    def box(self, height: float, label: str = ""):
        """An empty framed area to write in by hand (Observations)."""
        if self.get_y() + height > self.h - 20:
            self.add_page()
        y = self.get_y()
        self.rect(self.l_margin, y, self.w - self.l_margin - self.r_margin, height)
        if label:
            self.set_xy(self.l_margin + 2, y + 1)
            self.set_font("DejaVu", "", 8)
            self.cell(0, 4, label)
        self.set_y(y + height + 2)

    def signatures(self, blocks: list[tuple[str, str]]):
        """Signature blocks side by side: a title, the name (or a line to write it), room to sign."""
        height = 42
        if self.get_y() + height > self.h - 20:
            self.add_page()
        y, width = self.get_y(), (self.w - self.l_margin - self.r_margin - 6) / len(blocks)
        for i, (title, name) in enumerate(blocks):
            x = self.l_margin + i * (width + 6)
            self.rect(x, y, width, height)
            self.set_xy(x + 2, y + 2)
            self.set_font("DejaVu", "B", 10)
            self.multi_cell(width - 4, 5, title, new_x="LEFT", new_y="NEXT")
            self.set_font("DejaVu", "", 10)
            self.multi_cell(width - 4, 5, f"Nom : {name}" if name else "Nom et qualité : ……………………………",
                            new_x="LEFT", new_y="NEXT")
            self.set_font("DejaVu", "", 8)
            self.cell(width - 4, 5, "Signature :")
        self.set_y(y + height + 2)

    def strokes(self, strokes: list, x: float, y: float, w: float, h: float):
        """Draw vector strokes [[[x, y, t], …], …] fitted into the box (x, y, w, h), keeping proportions."""
        self.rect(x, y, w, h)
        points = [p for s in strokes for p in s]
        if not points:
            return
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        span = max(max(xs) - min(xs), max(ys) - min(ys), 1)
        scale = min((w - 4) / span, (h - 4) / span)
        self.set_line_width(0.4)
        for s in strokes:
            pts = [(x + 2 + (p[0] - min(xs)) * scale, y + 2 + (p[1] - min(ys)) * scale) for p in s]
            if len(pts) == 1:
                pts.append((pts[0][0] + 0.3, pts[0][1]))
            self.polyline(pts)
        self.set_line_width(0.2)


class _Widths(dict):
    """Each character's width in the document's current font, measured once."""

    def __init__(self, pdf: FPDF):
        super().__init__()
        self.pdf = pdf

    def __missing__(self, char: str) -> float:
        self[char] = width = self.pdf.get_string_width(char)
        return width


def _bold():
    from fpdf.fonts import FontFace

    return FontFace(emphasis="BOLD")


# --- the PV ----------------------------------------------------------------------------------------------


def _events(day: ExamDay, epreuve: str, site: str | None, *types: str) -> list[dict]:
    return reports.events_of(day.journal.reader(), epreuve, site, *types)


def _names(day: ExamDay) -> dict:
    names = reports.staff_names(day.journal.reader())
    names[SYSTEME] = "le système"
    return names


def _by(staff: dict, actor: str | None) -> str:
    return "automatiquement, par le système" if actor == SYSTEME else f"par {staff.get(actor, actor)}"


class _CandidatNames:
    """« NOM Prénom » by numéro, read when asked: a PV names a few candidats of thousands."""

    def __init__(self, day: ExamDay):
        self.db, self.known = day.journal.reader(), {}

    def get(self, numero: str | None, default: str = "") -> str:
        if numero not in self.known:
            self.known[numero] = reports.candidat_name(self.db, numero) if numero else None
        return self.known[numero] if self.known[numero] is not None else default


PAGES = "{nbp}"  # the page count's place: five characters wide, room for a site's 2,952 pages in one PDF


def render(title: str, repetition: bool, draw) -> bytes:
    """A document drawn by `draw(pdf)` with the cut fonts, or again with the whole DejaVu if a text needs it."""
    for cut in (True, False) if latin_coverage().issuperset(title) else (False,):
        pdf = Document(title, repetition, cut=cut)
        pdf.alias_nb_pages(PAGES)
        draw(pdf)
        if not pdf.uncovered:
            break
    return bytes(pdf.output())


def build_pv(day: ExamDay, epreuve_code: str, site_code: str | None = None, chain: tuple | None = None) -> bytes:
    """The PV of an épreuve (of a site, or all). `chain`: verify_chain's answer when the caller has it already
    (the export checks the journal it archives), else the PV checks the journal itself."""
    session = day.session
    epreuve = session.epreuve(epreuve_code)
    if epreuve is None:
        raise Introuvable(f"Épreuve « {epreuve_code} » inconnue.", code="epreuve_inconnue")
    if site_code and session.site(site_code) is None:
        raise Introuvable(f"Site « {site_code} » inconnu.", code="site_inconnu")
    sites = [s for s in session.sites if not site_code or s.code == site_code]
    staff, cands = _names(day), _CandidatNames(day)
    chain = chain or verify_chain(day.db_path)

    def draw(pdf: Document) -> None:
        pdf.add_page()
        pdf.h1(f"Procès-verbal de déroulement de l'épreuve\n{epreuve.label}")
        pdf.para(f"{session.concours.label} — {session.concours.organisateur}")
        pdf.para(f"Épreuve {epreuve.code}, {'écrite' if epreuve.written else 'orale'}, du "
                 f"{date_fr(epreuve.date, weekday=True)} : début prévu à {_t(epreuve.start_dt)}, durée "
                 f"{epreuve.duration // 60}{NBSP}h{NBSP}{epreuve.duration % 60:02d}"
                 f"{' ; sujet commun à plusieurs centres de gestion' if epreuve.sujet_commun else ''}.")
        for site in sites:
            _pv_site(pdf, day, epreuve, site, staff, cands)
        _pv_closing(pdf, day, sites, chain)
        _pv_annexes(pdf, day, epreuve, site_code, staff, cands)

    return render(f"Procès-verbal — {epreuve.label} — {date_fr(epreuve.date)}", day.clock.rehearsal, draw)


def _pv_closing(pdf: Document, day: ExamDay, sites, chain: tuple) -> None:
    """The journal's chain head (once), Observations, « Fait à …, le … », the signature blocks."""
    session = day.session
    ok, message, count = chain
    pdf.h2("Intégrité du journal")
    pdf.para(f"Empreinte du journal (tête de la chaîne de hachage) : {day.journal.head}", size=9)
    pdf.para(f"Vérification : {'journal intègre' if ok else message}, {count} événements. Document produit le "
             f"{date_fr(day.clock.now().date())} à {_t(day.clock.now())}.", size=9)
    pdf.h2("Observations")
    pdf.box(40, "À compléter à la main par le responsable de salle ou le représentant de l'autorité organisatrice.")
    first = sites[0] if sites else None
    town = ville(first.address, first.name) if first else ""
    pdf.para(f"Fait à {town}, le {date_fr(day.clock.now().date())}.", bold=True)
    pdf.ln(2)
    responsables = reports.responsables(day.journal.reader(), [s.code for s in sites])
    pdf.signatures([("Le responsable de salle", ", ".join(responsables)),
                    (f"Le représentant de l'autorité organisatrice ({session.concours.organisateur})", "")])


def _pv_site(pdf: Document, day: ExamDay, epreuve, site, staff: dict, cands: dict) -> None:
    reader = day.journal.reader()
    der = queries.deroulement(reader, epreuve.code, site.code)
    salles = day.session.salles_of(site.code)
    started = datetime.fromisoformat(der["started_at"]) if der.get("started_at") else None
    end = rules.candidate_end(epreuve, started, False)
    pdf.h2(f"Site : {site.name} — {site.address}")
    pdf.grid(["Horaires", ""], _pv_times(day, epreuve, site, der, staff, started, end), (70, 110))
    rows = []
    for salle in salles:
        s = queries.salle_summary(reader, salle, epreuve, day.clock.now())
        fin = salle_fin(reader, epreuve.code, salle.code)
        emargees = queries.copies_emargees(reader, epreuve.code, salle.code)
        rows.append([salle.code, s["attendus"], s["attendus"] - s["absents"], s["absents"], s["refuses"],
                     s["emarges"], emargees, fin.get("copies_comptees", "—") if fin.get("recount_at") else "—",
                     _t(fin.get("released_at"))])
    pdf.ln(2)
    pdf.grid(["Salle", "Attendus", "Présents", "Absents", "Refusés", "Émargés", "Copies émargées",
              "Copies recomptées", "Libérée à"], rows, (20, 19, 19, 18, 18, 19, 24, 25, 18), size=8)
    _pv_staff(pdf, day, epreuve, salles, staff)
    _pv_refusals(pdf, day, epreuve, salles, end)
    for salle in salles:
        _pv_salle_end(pdf, day, epreuve, salle, staff)
    _pv_incidents(pdf, day, epreuve, site, staff, cands)


def _pv_times(day, epreuve, site, der, staff, started, end) -> list[list[str]]:
    starts = _events(day, epreuve.code, site.code, "debut_epreuve")
    times = [["Ouverture de l'accueil (prévue)", _t(epreuve.accueil_dt)],
             ["Fermeture des portes prévue à", _t(der.get("doors_close_at"))],
             ["Portes fermées à", f"{_t(der.get('doors_closed_at'))}, {_by(staff, der.get('doors_closed_by'))}"
              if der.get("doors_closed_at") else "—"],
             ["Ouverture des sujets à", f"{_t(started)}, {_by(staff, starts[0]['actor'])}" if starts else "—"],
             ["Fin de l'épreuve à", _t(end) if started else f"{_t(end)} (prévue)"]]
    for temps, n in reports.temps_majores_present(day.journal.reader(), epreuve.code, site.code):  # R24
        times.append([f"Fin pour les candidats avec {temps.label} ({n})",
                      _t(rules.candidate_end(epreuve, started, temps))])
    for move in _events(day, epreuve.code, site.code, "fermeture_deplacee"):
        times.append([f"Fermeture des portes déplacée à {_t(move['server_time'])}",
                      f"de {_t(move['data'].get('avant'))} à {_t(move['data'].get('apres'))}, "
                      f"{_by(staff, move['actor'])} ; motif : {move['data'].get('motif')}"])
    for change in reports.server_changes(day.journal.reader(), site.code):  # the site's laptops (issue 15)
        d, when = change["data"], f"{_t(change['server_time'])}, {_by(staff, change['actor'])}"
        if change["type"] == "secours_promu":
            forced = " ; forcée, le serveur principal répondant encore" if d.get("principal_repond") else ""
            times.append(["Bascule sur le portable de secours",
                          f"{when} (son journal reprend après l'événement n° {d.get('copie_jusqu_a')}){forced}"])
        elif change["type"] == "principal_confirme":
            times.append(["Reprise des entrées sur le serveur principal redémarré",
                          f"{when}, sans nouvelles du portable de secours depuis {_t(d.get('incertain_depuis'))} ; "
                          f"motif : {d.get('motif')}"])
        else:
            check = f" ; état à vérifier : {', '.join(d['a_verifier'])}" if d.get("a_verifier") else ""
            times.append(["Reprise du journal du serveur principal",
                          f"{when} : {len(d.get('repris', []))} action(s) enregistrée(s) par lui et reprise(s) à "
                          f"leur heure{check}"])
    return times


def _pv_staff(pdf: Document, day: ExamDay, epreuve, salles, staff: dict) -> None:
    """The surveillants present in each salle: those who signed in on the épreuve's day, with the first time."""
    codes = [s.code for s in salles]
    if not codes:
        return
    rows = reports.surveillants_signed_in(day.journal.reader(), epreuve.date.isoformat(), codes)
    pdf.h2("Surveillants présents")
    by_salle = {c: [f"{r['name']} (connecté à {_t(r['first'])})" for r in rows if r["salle"] == c] for c in codes}
    pdf.grid(["Salle", "Surveillants (d'après leurs connexions du jour)"],
             [[c, " ; ".join(names) or "aucun surveillant connecté"] for c, names in by_salle.items()], (25, 155))


MOTIFS_REFUS = {"portes_fermees": "arrivé(e) après la fermeture des portes",
                "pieces_manquantes": "pièces manquantes non produites"}


def _pv_refusals(pdf: Document, day: ExamDay, epreuve, salles, end: datetime) -> None:
    """Refusals as they ended: a candidate refused then admitted is admitted, with a note; a scan after the
    épreuve's end is not a late arrival."""
    codes = [s.code for s in salles]
    rows = reports.refusals(day.journal.reader(), epreuve.code, codes)
    refused, admitted, after, seen = [], [], [], set()
    for r in rows:
        if r["numero"] in seen:
            continue
        seen.add(r["numero"])
        who = f"{r['nom'].upper()} {r['prenom']}"
        if r["entered_at"]:
            admitted.append([r["salle"], r["numero"], who, f"refusé(e) à {_t(r['at'])} ({MOTIFS_REFUS[r['verdict']]}),"
                             f" puis admis(e) à {_t(r['entered_at'])}"])
        elif r["at"] >= end.isoformat():
            after.append([_t(r["at"]), r["salle"], r["numero"], who])
        else:
            refused.append([_t(r["at"]), r["salle"], r["numero"], who, MOTIFS_REFUS[r["verdict"]]])
    pdf.h2("Candidats refusés à l'entrée")
    if refused:
        pdf.grid(["Heure", "Salle", "Numéro", "Candidat", "Motif"], refused, (18, 16, 30, 56, 60))
    else:
        pdf.para("Aucun.")
    if admitted:
        pdf.h2("Candidats admis après un premier refus")
        pdf.grid(["Salle", "Numéro", "Candidat", "Note"], admitted, (16, 30, 56, 78))
    if after:
        pdf.h2("Présentations après la fin de l'épreuve (sans objet)")
        pdf.grid(["Heure", "Salle", "Numéro", "Candidat"], after, (18, 16, 30, 116))


def _pv_salle_end(pdf: Document, day: ExamDay, epreuve, salle, staff: dict) -> None:
    fin = salle_fin(day.journal.reader(), epreuve.code, salle.code)
    missing = queries.sans_emargement(day.journal.reader(), epreuve.code, salle.code)
    excluded = reports.excluded(day.journal.reader(), epreuve.code)
    pdf.h2(f"{salle.display} — fin d'épreuve")
    if fin.get("recount_at"):
        ecart = fin["ecart"]
        pdf.para(f"Recomptage à {_t(fin['recount_at'])} : {fin['copies_comptees']} copie(s) recomptée(s), "
                 f"{fin['copies_emargees']} déclarée(s) à l'émargement — "
                 + ("aucun écart." if ecart == 0 else f"ÉCART de {ecart:+d} copie(s)."))
    else:
        pdf.para("Recomptage des copies : non enregistré.")
    release = _events(day, epreuve.code, salle.site, "liberation")
    release = [e for e in release if e["salle"] == salle.code]
    if release:
        e = release[0]
        pdf.para(f"Salle libérée à {_t(e['server_time'])}, {_by(staff, e['actor'])}.")
        if e["data"].get("points_ouverts"):
            pdf.para("Points non résolus au moment de la libération :", bold=True)
            for item in e["data"]["points_ouverts"]:
                pdf.para(f"• {item}")
            pdf.para(f"Motif donné par le responsable : {e['data'].get('motif')}")
    else:
        pdf.para("Salle libérée : non enregistré.")
    if missing:
        pdf.para(f"Candidats présents sans émargement, réputés ne pas avoir rendu de copie : {len(missing)}",
                 bold=True)
        pdf.rows(["Numéro", "Candidat", "Place", "Situation"],
                 [[m["numero"], f"{m['nom'].upper()} {m['prenom']}", m["place"],
                   "exclu(e) par décision du jury" if m["numero"] in excluded
                   else _situation(m["statut"], bool(release))]
                  for m in missing], (35, 75, 20, 50))
    else:
        pdf.para("Candidats présents sans émargement : aucun.")


def _situation(statut: str | None, released: bool) -> str:
    if statut == "toilettes":
        return "hors de la salle à la libération" if released else "aux toilettes"
    return STATUTS.get(statut, statut)


def _pv_incidents(pdf: Document, day: ExamDay, epreuve, site, staff: dict, cands: dict) -> None:

    incidents = _events(day, epreuve.code, site.code, "incident")
    pdf.h2("Incidents et anomalies")
    for e in incidents:  # free text: one paragraph each, never cut by a table cell
        d = e["data"]
        label = INCIDENT_TYPES[d["type"]][0]
        who = f" — {cands.get(e['candidat'], '')} ({e['candidat']})" if e["candidat"] else ""
        when = _t(d.get("heure_faits") or e["server_time"])
        pdf.para(f"{when}{_span(d)} — {e['salle']} — {label}{who} — signalé par "
                 f"{staff.get(e['actor'], e['actor'])}", bold=True)
        pdf.para(d["texte"] + (" — rapport et décision du jury en annexe." if d["type"] == "fraude" else ""))
    if not incidents:
        pdf.para("Aucun.")
    alerts = reports.alerts_of(day.journal.reader(), epreuve.code, site.code)
    pdf.h2("Contrôles d'identité et alertes")
    if alerts:
        pdf.grid(["Heure", "Salle", "Candidat", "Objet", "Suite donnée"],
                 [[_t(a["created_at"]), a["salle"], cands.get(a["candidat"], a["candidat"] or ""),
                   ALERT_TITLES.get(a["kind"], a["message"]),
                   f"{_t(a['resolved_at'])} : {a['resolution']}" if a["resolved_at"] else "NON TRAITÉE"]
                  for a in alerts], (16, 14, 36, 60, 54))
    else:
        pdf.para("Aucune.")


def _span(data: dict) -> str:
    if data.get("debut"):
        return f" (de {_t(data['debut'])} à {_t(data.get('fin'))})"
    return ""


def _pv_annexes(pdf: Document, day: ExamDay, epreuve, site_code, staff: dict, cands: dict) -> None:
    decisions = reports.fraud_decisions(day.journal.reader(), epreuve.code)
    number = 0
    for e in _events(day, epreuve.code, site_code, "incident"):
        d = e["data"]
        if d["type"] != "fraude":
            continue
        number += 1
        pdf.add_page()
        pdf.h1(f"Annexe {number} — rapport de suspicion de fraude")
        pdf.grid(["", ""], [
            ["Épreuve", f"{epreuve.label} ({epreuve.code}), {date_fr(epreuve.date)}"], ["Salle", e["salle"]],
            ["Candidat", f"{cands.get(e['candidat'], '')} — {e['candidat']}"],
            ["Heure des faits", _t(d.get("heure_faits") or e["server_time"])],
            ["Rapport établi à", _t(e["server_time"])],
            ["Surveillant rapporteur", d.get("rapporteur") or staff.get(e["actor"], e["actor"])]], (50, 130))
        pdf.h2("Faits constatés")
        pdf.para(d["texte"])
        pdf.h2("Contresignature du candidat")
        if d.get("refus_de_signer"):
            pdf.para("Le candidat a refusé de contresigner le rapport.", bold=True)
        else:
            pdf.strokes(d.get("contresignature") or [], pdf.l_margin, pdf.get_y() + 2, 90, 40)
            pdf.set_y(pdf.get_y() + 46)
        pdf.h2("Décision du jury")
        decision = decisions.get(e["seq"])
        if decision is None and "exclusion" in d:  # a report journaled before issue 12 carried the surveillant's answer
            pdf.para(f"Exclusion immédiate indiquée sur le rapport : {'oui' if d['exclusion'] else 'non'}.")
        elif decision is None:
            pdf.para("Aucune décision du jury consignée à l'heure de ce document.", bold=True)
        else:
            pdf.grid(["", ""], [
                ["Exclusion immédiate", "oui — exclu(e) de la salle pour l'épreuve" if decision["exclusion"]
                 else "non — le candidat a poursuivi l'épreuve"],
                ["Décidée par", decision["decide_par"]],
                ["Consignée à",
                 f"{_t(decision['at'])}, par {staff.get(decision['recorded_by'], decision['recorded_by'])}"],
                *([["Observation", decision["observation"]]] if decision["observation"] else [])], (50, 130))


# --- paper fallback and export ------------------------------------------------------------------------------


def seat_key(place: str | None) -> tuple:
    """Seat order, as the surveillant walks the rows: A1, A2, … A10, B1 … (no place: last)."""
    m = re.fullmatch(r"([A-Za-z]+)\s*(\d+)", (place or "").strip())
    return (0, m.group(1).upper(), int(m.group(2))) if m else (1, place or "", 0)


def feuille_emargement(day: ExamDay, salle_code: str, epreuve_code: str, remplie: bool = False) -> bytes:
    """The paper émargement sheet of a salle in seat order: before the épreuve, the fallback every site keeps
    (absent and refused candidates marked as the day goes); with `remplie`, the archive copy filled in from the
    journal (entry, exit, copies, émargement time)."""
    salle, epreuve = day.session.salle(salle_code), day.session.epreuve(epreuve_code)
    return render(f"Émargement — {salle.display} — {epreuve.code} — {date_fr(epreuve.date)}", day.clock.rehearsal,
                  lambda pdf: _sheet(pdf, day, salle, epreuve, remplie))


def feuilles_emargement(day: ExamDay, site_code: str, epreuve_code: str, remplie: bool = False) -> bytes:
    """Every salle's émargement sheet of a site in one PDF (one print job for the whole site)."""
    epreuve = day.session.epreuve(epreuve_code)

    def draw(pdf: Document) -> None:
        for salle in day.session.salles_of(site_code):
            _sheet(pdf, day, salle, epreuve, remplie)

    return render(f"Émargement — {site_code} — {epreuve.code} — {date_fr(epreuve.date)}", day.clock.rehearsal, draw)


def _sheet(pdf: Document, day: ExamDay, salle, epreuve, remplie: bool) -> None:
    rows = reports.sheet_rows(day.journal.reader(), epreuve.code, salle.code)
    rows.sort(key=lambda r: seat_key(r["place"]))  # stable: names stay in French order within a place
    der = queries.deroulement(day.journal.reader(), epreuve.code, salle.site)
    absents_known = remplie or rules.doors_closed(
        datetime.fromisoformat(der["doors_close_at"]) if der.get("doors_close_at") else None,
        datetime.fromisoformat(der["doors_closed_at"]) if der.get("doors_closed_at") else None, day.clock.now())
    kind = "remplie d'après le journal" if remplie else "à remplir"
    pdf.add_page(orientation="L")
    pdf.h1(f"Feuille d'émargement — {salle.display} ({kind})")
    pdf.para(f"{day.session.concours.label}\n{epreuve.label} — {date_fr(epreuve.date, weekday=True)}, "
             f"{_t(epreuve.start_dt)}. {len(rows)} candidat(s) convoqué(s), dans l'ordre des places.")
    pdf.para("La signature atteste de la remise des copies. Un candidat n'ayant pas émargé sera réputé ne pas "
             "avoir rendu de copie.", size=9)
    pdf.ln(1)
    pdf.rows(["Place", "Numéro", "Nom", "Prénom", "Situation", "Entrée", "Sortie", "Copies", "Signature"],
             [_sheet_row(r, remplie, absents_known) for r in rows], (16, 30, 45, 35, 36, 18, 18, 18, 61),
             line_height=10)


def _sheet_row(r: dict, remplie: bool, absents_known: bool) -> list:
    if r["status"] is None:
        situation = {"portes_fermees": "REFUSÉ (retard)", "pieces_manquantes": "REFUSÉ (pièces)"}.get(
            r["refus"], "ABSENT" if absents_known else "")
    else:
        situation = "présent" if r["status"] != "sorti" or r["emarge_at"] else "sorti sans émarger"
    filled = remplie and r["status"] is not None
    copies = ("" if not filled or not r["emarge_at"] else "blanche" if r["copie_blanche"]
              else "abandon" if r["abandon"] else r["copies"])
    signature = f"émargé à {_t(r['emarge_at'])}" if filled and r["emarge_at"] else ""
    return [r["place"], r["numero"], r["nom"].upper(), r["prenom"], situation,
            _t(r["entered_at"]) if filled else "", _t(r["exited_at"]) if filled and r["exited_at"] else "",
            copies, signature]


