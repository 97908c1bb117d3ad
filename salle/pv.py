"""The procès-verbal of an épreuve, the paper émargement sheets and the émargement CSV, built from the journal.

PDFs use fpdf2 with an embedded DejaVu TTF (the core fonts cannot write €, Œ or —). Everything shown comes
from the journal and the state it derives: doors (R3), start (R9), refusals, incidents (R10–R14, R23),
alerts (R5), candidates without émargement (R21), recount and release (R22), fraud reports as annexes (R11)
with the countersignature drawn from its strokes, and the head of the hash chain.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

from fpdf import FPDF

from .csv_out import csv_text
from .day import ExamDay, salle_summary
from .errors import Introuvable
from .journal import verify_chain
from .rules import INCIDENT_TYPES
from .salle_ops import sans_emargement
from .state import salle_fin

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
STATUTS = {"present": "présent", "toilettes": "aux toilettes", "sorti": "sorti", None: "absent"}


def _hm(value: str | None) -> str:
    return value[11:16].replace(":", " h ") if value else "—"


class Document(FPDF):
    """A4 page, DejaVu embedded, a footer with the page number."""

    def __init__(self, title: str):
        super().__init__(format="A4")
        self.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
        self.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        self.set_title(title)
        self.set_auto_page_break(True, margin=15)
        self.title_text = title

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

    def grid(self, headings: list[str], rows: list[list], widths: tuple | None = None, line_height: float = 6):
        self.set_font("DejaVu", "", 9)
        with self.table(col_widths=widths, line_height=line_height, text_align="LEFT",
                        headings_style=_bold()) as table:
            table.row([str(h) for h in headings])
            for row in rows:
                table.row(["" if v is None else str(v) for v in row])

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
    return {r["id"]: r["name"] for r in day.journal.query("SELECT id, name FROM staff")}


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
    pdf = Document(f"Procès-verbal — {epreuve.label}")
    pdf.alias_nb_pages()
    pdf.add_page()
    pdf.h1(f"Procès-verbal de l'épreuve\n{epreuve.label}")
    pdf.para(f"{session.concours.label} — {session.concours.organisateur}")
    pdf.para(f"Épreuve {epreuve.code} du {epreuve.date.strftime('%d/%m/%Y')} : début prévu "
             f"{epreuve.start.strftime('%H h %M')}, durée {epreuve.duration // 60} h {epreuve.duration % 60:02d}, "
             f"{'écrit' if epreuve.written else 'oral'}{', sujet commun (R18)' if epreuve.sujet_commun else ''}.")
    if day.clock.rehearsal:
        pdf.para("RÉPÉTITION — horloge simulée : ce document n'a aucune valeur officielle.", bold=True)
    for site in sites:
        _pv_site(pdf, day, epreuve, site, staff, cands)
    _pv_annexes(pdf, day, epreuve, site_code, staff, cands)
    ok, message, count = verify_chain(day.db_path)
    pdf.h2("Intégrité du journal")
    pdf.para(f"Tête de la chaîne de hachage : {day.journal.head}")
    pdf.para(f"{count} événements. Vérification : {message}")
    pdf.para(f"Document produit le {day.clock.now().strftime('%d/%m/%Y à %H:%M')}.")
    pdf.ln(4)
    pdf.para("Signature du responsable de site :                      Signature du président du jury :")
    return bytes(pdf.output())


def _pv_site(pdf: Document, day: ExamDay, epreuve, site, staff: dict, cands: dict) -> None:
    der = day._deroulement(day.journal.reader().conn, epreuve.code, site.code)
    pdf.h2(f"Site : {site.name} ({site.code}) — {site.address}")
    start = der.get("started_at")
    end = (datetime.fromisoformat(start) + timedelta(minutes=epreuve.duration)).isoformat() if start else None
    times = [["Ouverture de l'accueil (prévue)", epreuve.accueil.strftime("%H h %M")],
             ["Fermeture des portes prévue (R3)", _hm(der.get("doors_close_at"))],
             ["Portes fermées à", _hm(der.get("doors_closed_at"))
              + (f" par {staff.get(der.get('doors_closed_by'), der.get('doors_closed_by'))}"
                 if der.get("doors_closed_by") else " (automatiquement)" if der.get("doors_closed_at") else "")],
             ["Ouverture des sujets (R9)", _hm(start)],
             ["Fin de l'épreuve (sans tiers-temps)", _hm(end)]]
    for move in _events(day, epreuve.code, site.code, "fermeture_deplacee"):
        times.append([f"Fermeture déplacée à {_hm(move['server_time'])}",
                      f"{_hm(move['data'].get('avant'))} → {_hm(move['data'].get('apres'))}, motif : "
                      f"{move['data'].get('motif')} ({staff.get(move['actor'], move['actor'])})"])
    pdf.grid(["Horaires", ""], times, (60, 120))
    salles = day.session.salles_of(site.code)
    now = day.clock.now()
    rows = []
    for salle in salles:
        s = salle_summary(day, salle, epreuve, now)
        fin = salle_fin(day.journal.reader(), epreuve.code, salle.code)
        rows.append([salle.code, s["attendus"], s["attendus"] - s["absents"], s["absents"], s["refuses_retard"],
                     s["emarges"], _hm(fin.get("released_at"))])
    pdf.ln(2)
    pdf.grid(["Salle", "Attendus", "Entrés", "Absents", "Refusés (retard)", "Émargés", "Libérée à"], rows)
    refus = day.journal.query("SELECT r.*, c.nom, c.prenom FROM refus r JOIN candidats c ON c.numero = r.numero "
                              "WHERE r.epreuve = ? AND r.salle IN (%s) ORDER BY r.at" % ",".join("?" * len(salles)),
                              [epreuve.code, *[s.code for s in salles]]) if salles else []
    pdf.h2("Candidats refusés (arrivée après la fermeture des portes R3, pièces manquantes R7)")
    if refus:
        pdf.grid(["Heure", "Salle", "Numéro", "Candidat", "Motif"],
                 [[_hm(r["at"]), r["salle"], r["numero"], f"{r['nom'].upper()} {r['prenom']}",
                   "retard" if r["verdict"] == "portes_fermees" else "pièces manquantes"] for r in refus],
                 (18, 16, 30, 70, 46))
    else:
        pdf.para("Aucun.")
    for salle in salles:
        _pv_salle_end(pdf, day, epreuve, salle)
    incidents = _events(day, epreuve.code, site.code, "incident")
    pdf.h2("Incidents et anomalies (R10–R14, R23)")
    for e in incidents:  # free text: one paragraph each, never cut by a table cell
        d = e["data"]
        label, rule = INCIDENT_TYPES[d["type"]]
        who = f" — {cands.get(e['candidat'], '')} ({e['candidat']})" if e["candidat"] else ""
        pdf.para(f"{_hm(e['server_time'])}{_span(d)} — {e['salle']} — {label} ({rule}){who} — signalé par "
                 f"{staff.get(e['actor'], e['actor'])}", bold=True)
        pdf.para(d["texte"] + (" — rapport en annexe." if d["type"] == "fraude" else ""))
    if not incidents:
        pdf.para("Aucun.")
    alerts = day.journal.query("SELECT * FROM alerts WHERE epreuve = ? AND site = ? ORDER BY seq",
                               [epreuve.code, site.code])
    pdf.h2("Alertes et contrôles (R5)")
    if alerts:
        pdf.grid(["Heure", "Salle", "Candidat", "Alerte", "Suite donnée"],
                 [[_hm(a["created_at"]), a["salle"], cands.get(a["candidat"], a["candidat"] or ""), a["message"],
                   f"{_hm(a['resolved_at'])} : {a['resolution']}" if a["resolved_at"] else "NON TRAITÉE"]
                  for a in alerts], (16, 14, 36, 70, 44))
    else:
        pdf.para("Aucune.")


def _span(data: dict) -> str:
    if data.get("debut"):
        return f" (de {_hm(data['debut'])} à {_hm(data.get('fin'))})"
    return ""


def _pv_salle_end(pdf: Document, day: ExamDay, epreuve, salle) -> None:
    fin = salle_fin(day.journal.reader(), epreuve.code, salle.code)
    missing = sans_emargement(day, epreuve.code, salle.code)
    pdf.h2(f"{salle.display} — fin d'épreuve")
    if fin.get("recount_at"):
        ecart = fin["ecart"]
        pdf.para(f"Recomptage (R22) à {_hm(fin['recount_at'])} : {fin['copies_comptees']} copie(s) recomptée(s), "
                 f"{fin['copies_emargees']} déclarée(s) à l'émargement — "
                 + ("aucun écart." if ecart == 0 else f"ÉCART de {ecart:+d} copie(s)."))
    else:
        pdf.para("Recomptage (R22) : non enregistré.")
    pdf.para(f"Salle libérée à : {_hm(fin.get('released_at'))}.")
    if missing:
        pdf.para(f"Candidats présents sans émargement (R21 : réputés ne pas avoir rendu de copie) : {len(missing)}",
                 bold=True)
        pdf.grid(["Numéro", "Candidat", "Place", "Statut"],
                 [[m["numero"], f"{m['nom'].upper()} {m['prenom']}", m["place"], STATUTS.get(m["statut"], m["statut"])]
                  for m in missing], (35, 85, 20, 40))
    else:
        pdf.para("Candidats présents sans émargement (R21) : aucun.")


def _pv_annexes(pdf: Document, day: ExamDay, epreuve, site_code, staff: dict, cands: dict) -> None:
    for n, e in enumerate(_events(day, epreuve.code, site_code, "incident"), 1):
        d = e["data"]
        if d["type"] != "fraude":
            continue
        pdf.add_page()
        pdf.h1(f"Annexe — rapport de suspicion de fraude (R11) n° {e['seq']}")
        pdf.grid(["", ""], [
            ["Épreuve", f"{epreuve.label} ({epreuve.code})"], ["Salle", e["salle"]],
            ["Candidat", f"{cands.get(e['candidat'], '')} — {e['candidat']}"],
            ["Heure des faits", _hm(d.get("heure_faits") or e["server_time"])],
            ["Rapport établi à", _hm(e["server_time"])],
            ["Surveillant rapporteur", d.get("rapporteur") or staff.get(e["actor"], e["actor"])],
            ["Exclusion immédiate", "oui" if d.get("exclusion") else "non"]], (50, 130))
        pdf.h2("Faits constatés")
        pdf.para(d["texte"])
        pdf.h2("Contresignature du candidat")
        if d.get("refus_de_signer"):
            pdf.para("Le candidat a refusé de signer (« refus de signer »).", bold=True)
        else:
            pdf.strokes(d.get("contresignature") or [], pdf.l_margin, pdf.get_y() + 2, 90, 40)
            pdf.set_y(pdf.get_y() + 46)


# --- paper fallback and export ------------------------------------------------------------------------------


def feuille_emargement(day: ExamDay, salle_code: str, epreuve_code: str) -> bytes:
    """The paper émargement sheet of a salle, printed before the épreuve (names, places, signature, copies)."""
    session = day.session
    salle, epreuve = session.salle(salle_code), session.epreuve(epreuve_code)
    rows = day.journal.query("SELECT * FROM candidats WHERE salle = ? ORDER BY nom COLLATE FR, prenom COLLATE FR", [salle.code])
    rows = [r for r in rows if not json.loads(r["epreuves"] or "[]") or epreuve.code in json.loads(r["epreuves"])]
    pdf = Document(f"Émargement — {salle.display} — {epreuve.code}")
    pdf.alias_nb_pages()
    pdf.add_page()
    pdf.h1(f"Feuille d'émargement — {salle.display}")
    pdf.para(f"{session.concours.label}\n{epreuve.label} — {epreuve.date.strftime('%d/%m/%Y')}, "
             f"{epreuve.start.strftime('%H h %M')}. {len(rows)} candidat(s).")
    pdf.para("La signature atteste de la remise des copies (R20). Un candidat n'ayant pas émargé sera réputé ne "
             "pas avoir rendu de copie (R21).", size=9)
    pdf.ln(2)
    pdf.grid(["Place", "Numéro", "Nom", "Prénom", "Copies", "Signature"],
             [[r["place"], r["numero"], r["nom"].upper(), r["prenom"], "", ""] for r in rows],
             (14, 30, 45, 35, 18, 48), line_height=11)
    return bytes(pdf.output())


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
