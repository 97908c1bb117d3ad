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

import json
import re
from datetime import date, datetime, timedelta
from pathlib import Path

from fpdf import FPDF

from . import rules
from .csv_out import csv_text
from .day import ExamDay, salle_summary
from .errors import Introuvable
from .journal import verify_chain
from .rules import INCIDENT_TYPES
from .salle_ops import sans_emargement
from .state import salle_fin

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
STATUTS = {"present": "présent", "toilettes": "aux toilettes", "sorti": "sorti", None: "absent"}
NBSP = "\u00a0"
MOIS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
        "novembre", "décembre")
JOURS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
SYSTEME = "systeme"


def _hm(value: str | None) -> str:
    """A time in a CSV cell: 09 h 05."""
    return value[11:16].replace(":", " h ") if value else "—"


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
    """A4 page, DejaVu embedded, a footer with the page number; « RÉPÉTITION » on every page of a rehearsal."""

    def __init__(self, title: str, repetition: bool = False):
        super().__init__(format="A4")
        self.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
        self.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        self.set_title(title)
        self.set_auto_page_break(True, margin=15)
        self.title_text = title
        self.repetition = repetition

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
        self.cell(0, 5, f"{self.title_text} — page {self.page_no()}/{{nb}}", align="C")

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
        """A table of one-line cells (a text too long is cut with « … »), its heading repeated on each page:
        ten times faster than fpdf2's table() for long lists (émargement sheets, candidates without émargement)."""
        orientation = "L" if self.w > self.h else "P"

        def heading():
            self.set_font("DejaVu", "B", size)
            for text, width in zip(headings, widths):
                self.cell(width, line_height, text, border=1)
            self.ln(line_height)
            self.set_font("DejaVu", "", size)

        heading()
        for row in rows:
            if self.get_y() + line_height > self.page_break_trigger:
                self.add_page(orientation=orientation)
                heading()
            for value, width in zip(row, widths):
                self.cell(width, line_height, self.fit("" if value is None else str(value), width - 2), border=1)
            self.ln(line_height)

    def fit(self, text: str, width: float) -> str:
        if self.get_string_width(text) <= width:
            return text
        while text and self.get_string_width(text + "…") > width:
            text = text[:-1]
        return text + "…"

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


def _bold():
    from fpdf.fonts import FontFace

    return FontFace(emphasis="BOLD")


# --- the PV ----------------------------------------------------------------------------------------------


def _events(day: ExamDay, epreuve: str, site: str | None, *types: str) -> list[dict]:
    sql = f"SELECT * FROM events WHERE epreuve = ? AND type IN ({', '.join('?' for _ in types)})"
    params = [epreuve, *types]
    if site:
        sql, params = sql + " AND site = ?", [*params, site]
    rows = day.journal.query(sql + " ORDER BY seq", params)
    for row in rows:
        row["data"] = json.loads(row["payload"] or "{}")
    return rows


def _names(day: ExamDay) -> dict:
    names = {r["id"]: r["name"] for r in day.journal.query("SELECT id, name FROM staff")}
    names[SYSTEME] = "le système"
    return names


def _by(staff: dict, actor: str | None) -> str:
    return "automatiquement, par le système" if actor == SYSTEME else f"par {staff.get(actor, actor)}"


def _candidat_names(day: ExamDay) -> dict:
    return {r["numero"]: f"{r['nom'].upper()} {r['prenom']}"
            for r in day.journal.query("SELECT numero, nom, prenom FROM candidats")}


def build_pv(day: ExamDay, epreuve_code: str, site_code: str | None = None) -> bytes:
    session = day.session
    epreuve = session.epreuve(epreuve_code)
    if epreuve is None:
        raise Introuvable(f"Épreuve « {epreuve_code} » inconnue.", code="epreuve_inconnue")
    if site_code and session.site(site_code) is None:
        raise Introuvable(f"Site « {site_code} » inconnu.", code="site_inconnu")
    sites = [s for s in session.sites if not site_code or s.code == site_code]
    staff, cands = _names(day), _candidat_names(day)
    pdf = Document(f"Procès-verbal — {epreuve.label} — {date_fr(epreuve.date)}", day.clock.rehearsal)
    pdf.alias_nb_pages()
    pdf.add_page()
    pdf.h1(f"Procès-verbal de déroulement de l'épreuve\n{epreuve.label}")
    pdf.para(f"{session.concours.label} — {session.concours.organisateur}")
    pdf.para(f"Épreuve {epreuve.code}, {'écrite' if epreuve.written else 'orale'}, du "
             f"{date_fr(epreuve.date, weekday=True)} : début prévu à {_t(epreuve.start_dt)}, durée "
             f"{epreuve.duration // 60}{NBSP}h{NBSP}{epreuve.duration % 60:02d}"
             f"{' ; sujet commun à plusieurs centres de gestion' if epreuve.sujet_commun else ''}.")
    for site in sites:
        _pv_site(pdf, day, epreuve, site, staff, cands)
    _pv_closing(pdf, day, sites)
    _pv_annexes(pdf, day, epreuve, site_code, staff, cands)
    return bytes(pdf.output())


def _pv_closing(pdf: Document, day: ExamDay, sites) -> None:
    """The journal's chain head (once), Observations, « Fait à …, le … », the signature blocks."""
    session = day.session
    ok, message, count = verify_chain(day.db_path)
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
    responsables = [r["name"] for r in day.journal.query(
        "SELECT name FROM staff WHERE role = 'responsable' AND site IN (%s) ORDER BY name"
        % ",".join("?" * len(sites)), [s.code for s in sites])] if sites else []
    pdf.signatures([("Le responsable de salle", ", ".join(responsables)),
                    (f"Le représentant de l'autorité organisatrice ({session.concours.organisateur})", "")])


def _pv_site(pdf: Document, day: ExamDay, epreuve, site, staff: dict, cands: dict) -> None:
    reader = day.journal.reader()
    der = day._deroulement(reader.conn, epreuve.code, site.code)
    salles = day.session.salles_of(site.code)
    started = datetime.fromisoformat(der["started_at"]) if der.get("started_at") else None
    end = rules.candidate_end(epreuve, started, False)
    pdf.h2(f"Site : {site.name} — {site.address}")
    pdf.grid(["Horaires", ""], _pv_times(day, epreuve, site, der, staff, started, end), (70, 110))
    rows = []
    for salle in salles:
        s = salle_summary(day, salle, epreuve, day.clock.now())
        fin = salle_fin(reader, epreuve.code, salle.code)
        emargees = reader.conn.execute("SELECT COALESCE(SUM(copies), 0) FROM presences WHERE epreuve = ? AND "
                                       "salle = ? AND emarge_at IS NOT NULL", [epreuve.code, salle.code]).fetchone()[0]
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
    tiers = day.journal.one("SELECT COUNT(*) AS n FROM presences p JOIN candidats c ON c.numero = p.numero WHERE "
                            "p.epreuve = ? AND c.site = ? AND c.tiers_temps = 1", [epreuve.code, site.code])["n"]
    if tiers:
        times.append([f"Fin pour les candidats avec tiers-temps ({tiers})",
                      _t(rules.candidate_end(epreuve, started, True))])
    for move in _events(day, epreuve.code, site.code, "fermeture_deplacee"):
        times.append([f"Fermeture des portes déplacée à {_t(move['server_time'])}",
                      f"de {_t(move['data'].get('avant'))} à {_t(move['data'].get('apres'))}, "
                      f"{_by(staff, move['actor'])} ; motif : {move['data'].get('motif')}"])
    return times


def _pv_staff(pdf: Document, day: ExamDay, epreuve, salles, staff: dict) -> None:
    """The surveillants present in each salle: those who signed in on the épreuve's day, with the first time."""
    codes = [s.code for s in salles]
    if not codes:
        return
    rows = day.journal.query(
        "SELECT s.name, s.salle, MIN(e.server_time) AS first FROM events e JOIN staff s ON s.id = e.actor WHERE "
        "e.type = 'connexion' AND substr(e.server_time, 1, 10) = ? AND s.role = 'surveillant' AND s.salle IN (%s) "
        "GROUP BY s.id ORDER BY s.salle, s.name" % ",".join("?" * len(codes)), [epreuve.date.isoformat(), *codes])
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
    rows = day.journal.query(
        "SELECT r.*, c.nom, c.prenom, p.entered_at, p.salle AS entered_salle FROM refus r JOIN candidats c ON "
        "c.numero = r.numero LEFT JOIN presences p ON p.epreuve = r.epreuve AND p.numero = r.numero "
        "WHERE r.epreuve = ? AND r.salle IN (%s) ORDER BY r.at" % ",".join("?" * len(codes)),
        [epreuve.code, *codes]) if codes else []
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
    missing = sans_emargement(day, epreuve.code, salle.code)
    excluded = {r["candidat"] for r in day.journal.query("SELECT candidat FROM decisions_fraude WHERE epreuve = ? "
                                                         "AND exclusion = 1", [epreuve.code])}
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
                   "exclu(e) par décision du jury" if m["numero"] in excluded else _situation(m["statut"], bool(release))]
                  for m in missing], (35, 75, 20, 50))
    else:
        pdf.para("Candidats présents sans émargement : aucun.")


def _situation(statut: str | None, released: bool) -> str:
    if statut == "toilettes":
        return "hors de la salle à la libération" if released else "aux toilettes"
    return STATUTS.get(statut, statut)


def _pv_incidents(pdf: Document, day: ExamDay, epreuve, site, staff: dict, cands: dict) -> None:
    from .salle_ops import ALERT_TITLES

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
    alerts = day.journal.query("SELECT * FROM alerts WHERE epreuve = ? AND site = ? ORDER BY seq",
                               [epreuve.code, site.code])
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
    decisions = {r["incident"]: r for r in day.journal.query("SELECT * FROM decisions_fraude WHERE epreuve = ?",
                                                             [epreuve.code])}
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
                ["Consignée à", f"{_t(decision['at'])}, par {staff.get(decision['recorded_by'], decision['recorded_by'])}"],
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
    pdf = Document(f"Émargement — {salle.display} — {epreuve.code} — {date_fr(epreuve.date)}", day.clock.rehearsal)
    pdf.alias_nb_pages()
    _sheet(pdf, day, salle, epreuve, remplie)
    return bytes(pdf.output())


def feuilles_emargement(day: ExamDay, site_code: str, epreuve_code: str, remplie: bool = False) -> bytes:
    """Every salle's émargement sheet of a site in one PDF (one print job for the whole site)."""
    epreuve = day.session.epreuve(epreuve_code)
    pdf = Document(f"Émargement — {site_code} — {epreuve.code} — {date_fr(epreuve.date)}", day.clock.rehearsal)
    pdf.alias_nb_pages()
    for salle in day.session.salles_of(site_code):
        _sheet(pdf, day, salle, epreuve, remplie)
    return bytes(pdf.output())


def _sheet(pdf: Document, day: ExamDay, salle, epreuve, remplie: bool) -> None:
    rows = day.journal.query(
        "SELECT c.*, p.status, p.entered_at, p.exited_at, p.emarge_at, p.copies, p.copie_blanche, p.abandon, "
        "(SELECT verdict FROM refus r WHERE r.epreuve = ? AND r.numero = c.numero ORDER BY r.seq LIMIT 1) AS refus "
        "FROM candidats c LEFT JOIN presences p ON p.numero = c.numero AND p.epreuve = ? WHERE c.salle = ? "
        "ORDER BY c.nom COLLATE FR, c.prenom COLLATE FR", [epreuve.code, epreuve.code, salle.code])
    rows = [r for r in rows if not json.loads(r["epreuves"] or "[]") or epreuve.code in json.loads(r["epreuves"])]
    rows.sort(key=lambda r: seat_key(r["place"]))  # stable: names stay in French order within a place
    der = day._deroulement(day.journal.reader().conn, epreuve.code, salle.site)
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
             [_sheet_row(r, remplie, absents_known) for r in rows], (16, 30, 45, 35, 36, 18, 18, 18, 61), line_height=10)


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


CSV_COLUMNS = ["Épreuve", "Site", "Salle", "Place", "N° d'inscription", "Nom", "Prénom", "Statut", "Entrée",
               "Pièce d'identité", "Émargement", "Copies remises", "Copie blanche", "Abandon", "Sortie"]


def emargement_csv(day: ExamDay, epreuve_code: str, site_code: str | None = None) -> str:
    """Émargement export: UTF-8 with BOM, « ; », one line per convoked candidate of the épreuve (csv_out)."""
    sql = ("SELECT c.*, p.status, p.entered_at, p.piece_identite, p.emarge_at, p.copies, p.copie_blanche, p.abandon, "
           "p.exited_at, p.salle AS salle_presence FROM candidats c LEFT JOIN presences p ON p.numero = c.numero "
           "AND p.epreuve = ?")
    params = [epreuve_code]
    if site_code:
        sql, params = sql + " WHERE c.site = ?", [*params, site_code]
    rows = []
    for r in day.journal.query(sql + " ORDER BY c.site, c.salle, c.nom COLLATE FR, c.prenom COLLATE FR", params):
        if json.loads(r["epreuves"] or "[]") and epreuve_code not in json.loads(r["epreuves"]):
            continue
        rows.append([epreuve_code, r["site"], r["salle_presence"] or r["salle"], r["place"], r["numero"],
                     r["nom"], r["prenom"], STATUTS.get(r["status"], r["status"]), _hm(r["entered_at"]),
                     r["piece_identite"] or "", _hm(r["emarge_at"]) if r["emarge_at"] else "",
                     r["copies"] if r["emarge_at"] else "", "oui" if r["copie_blanche"] else "",
                     "oui" if r["abandon"] else "", _hm(r["exited_at"]) if r["exited_at"] else ""])
    return csv_text(CSV_COLUMNS, rows)
