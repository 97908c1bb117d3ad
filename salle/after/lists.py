"""Lists for the jury, from the concours' record: per épreuve, who sat it (French alphabetical order), the absents,
the refused, the reports and incidents with their PV references, the anomalies (PDF and CSV); and the copies per
candidat for the correction (CSV)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..collation import french_key
from ..csv_out import csv_text
from ..pv import Document, date_fr, render
from .consolidation import OUTCOMES, SAT
from .handoff import hm
from .record import Record



def _by_name(rows: list[dict]) -> list[dict]:
    return sorted(rows, key=lambda r: (french_key(r["nom"]), french_key(r["prenom"]), r["numero"]))


def _copies(r: dict) -> str:
    if r["copie_blanche"]:
        return "copie blanche"
    return "" if r["copies"] is None else str(r["copies"])


def epreuve_rows(record: Record, epreuve: str) -> list[dict]:
    return _by_name(record.query("SELECT r.*, c.nom, c.prenom FROM resultats r JOIN candidats c USING (numero) "
                                 "WHERE r.epreuve = ?", [epreuve]))


def jury_pdf(record: Record, epreuve_code: str) -> bytes:
    session = record.session
    epreuve = session.epreuve(epreuve_code)
    found = epreuve_rows(record, epreuve_code)
    sat = [r for r in found if r["statut"] in SAT]
    absents = [r for r in found if r["statut"] == "absent"]
    refused = [r for r in found if r["statut"].startswith("refuse")]
    incidents = record.query("SELECT i.*, c.nom, c.prenom FROM incidents i LEFT JOIN candidats c USING (numero) "
                             "WHERE i.epreuve = ? ORDER BY i.at, i.seq", [epreuve_code])
    anomalies = record.query("SELECT * FROM anomalies WHERE ',' || epreuve || ',' LIKE ? ORDER BY numero",
                             [f"%,{epreuve_code},%"])

    def draw(pdf: Document) -> None:
        pdf.add_page()
        pdf.h1(f"Liste pour le jury — {epreuve.label}")
        pdf.para(f"{session.concours.label} — {session.concours.organisateur}")
        pdf.para(f"Épreuve {epreuve.code} du {date_fr(epreuve.date, weekday=True)}, tous sites : "
                 f"{len(sat)} candidat(s) ont composé, {len(absents)} absent(s), {len(refused)} refusé(s).")
        pdf.h2(f"Candidats ayant composé ({len(sat)})")
        pdf.rows(["Nom", "Prénom", "N° d'inscription", "Site", "Salle", "Arrivée", "Sortie", "Copies", "Situation"],
                 [[r["nom"].upper(), r["prenom"], r["numero"], r["site"], r["salle"], hm(r["arrivee"]),
                   hm(r["sortie"]), _copies(r), "" if r["statut"] == "present" else OUTCOMES[r["statut"]]]
                  for r in sat], (28, 24, 28, 22, 12, 14, 14, 22, 16), size=8)
        pdf.h2(f"Absents ({len(absents)})")
        pdf.rows(["Nom", "Prénom", "N° d'inscription", "Site de convocation", "Salle"],
                 [[r["nom"].upper(), r["prenom"], r["numero"], r["site"], r["salle"]] for r in absents],
                 (45, 35, 35, 40, 25), size=8)
        pdf.h2(f"Refusés à l'entrée ({len(refused)})")
        if refused:
            pdf.rows(["Nom", "Prénom", "N° d'inscription", "Site", "Salle", "Heure", "Motif"],
                     [[r["nom"].upper(), r["prenom"], r["numero"], r["site"], r["salle"], hm(r["arrivee"]),
                       OUTCOMES[r["statut"]]] for r in refused], (32, 26, 28, 24, 14, 14, 42), size=8)
        else:
            pdf.para("Aucun.")
        pdf.h2(f"Rapports et incidents ({len(incidents)})")
        for i in incidents:
            who = f" — {i['nom'].upper()} {i['prenom']} ({i['numero']})" if i["numero"] and i["nom"] else ""
            pdf.para(f"{hm(i['at'])} — {i['site']}, {i['salle']} — {i['libelle']}{who}", bold=True)
            pdf.para(i["texte"] or "")
            if i["decision"]:
                pdf.para(f"Décision du jury : {i['decision']}.")
            pdf.para(f"Référence : {i['pv']}.", size=8)
        if not incidents:
            pdf.para("Aucun.")
        pdf.h2(f"Anomalies ({len(anomalies)})")
        for a in anomalies:
            kind = "présent(e) sur deux sites" if a["type"] == "deux_sites" else "enregistré(e) deux fois"
            pdf.para(f"{a['numero']} : {kind} — {a['detail']}")
        if not anomalies:
            pdf.para("Aucune.")

    return render(f"Liste pour le jury — {epreuve.code} — {date_fr(epreuve.date)}", False, draw)


def jury_csv(record: Record, epreuve: str) -> str:
    return csv_text(["N° d'inscription", "Nom", "Prénom", "Épreuve", "Statut", "Site", "Salle", "Arrivée", "Sortie",
                     "Copies"],
                    ([r["numero"], r["nom"], r["prenom"], epreuve, OUTCOMES[r["statut"]], r["site"], r["salle"],
                      hm(r["arrivee"]), hm(r["sortie"]), _copies(r)] for r in epreuve_rows(record, epreuve)))


def copies_csv(record: Record) -> str:
    """For the correction: every candidat who sat an épreuve, with the copies handed in."""
    rows = record.query(f"SELECT r.*, c.nom, c.prenom FROM resultats r JOIN candidats c USING (numero) WHERE "
                        f"r.statut IN ({', '.join('?' for _ in SAT)})", list(SAT))
    rows.sort(key=lambda r: (r["epreuve"], french_key(r["nom"]), french_key(r["prenom"]), r["numero"]))
    return csv_text(["Épreuve", "N° d'inscription", "Nom", "Prénom", "Site", "Salle", "Copies remises",
                     "Copie blanche", "Situation"],
                    ([r["epreuve"], r["numero"], r["nom"], r["prenom"], r["site"], r["salle"], r["copies"] or 0,
                      "oui" if r["copie_blanche"] else "non", OUTCOMES[r["statut"]]] for r in rows))


@dataclass
class Written:
    folder: Path
    files: list[str] = field(default_factory=list)

    def french(self) -> str:
        return f"{len(self.files)} fichier(s) écrit(s) dans {self.folder} : {', '.join(self.files)}."


def write_lists(record: Record, folder: Path, progress: Callable[[str], None] = lambda line: None) -> Written:
    folder.mkdir(parents=True, exist_ok=True)
    out = Written(folder)
    for epreuve in record.session.epreuves:
        progress(f"  épreuve {epreuve.code}…")
        for name, data in ((f"jury-{epreuve.code}.pdf", jury_pdf(record, epreuve.code)),
                           (f"jury-{epreuve.code}.csv", jury_csv(record, epreuve.code).encode("utf-8"))):
            (folder / name).write_bytes(data)
            out.files.append(name)
    (folder / "copies.csv").write_bytes(copies_csv(record).encode("utf-8"))
    out.files.append("copies.csv")
    return out
