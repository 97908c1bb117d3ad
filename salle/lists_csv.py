"""The day's lists as CSV files (csv_out: UTF-8 with BOM, « ; », no cell a spreadsheet would run): the émargement
of an épreuve and the candidats as imported. No PDF here: the export builds these lists in a process of its own
(`lists_for_export`) while it writes the journal and the PVs, and that process starts faster without fpdf2."""

from __future__ import annotations

import sqlite_utils

from .csv_out import csv_text
from .state import reports

STATUTS = {"present": "présent", "toilettes": "aux toilettes", "sorti": "sorti", None: "absent"}
CANDIDAT_COLUMNS = ["numero", "nom", "nom_naissance", "prenom", "date_naissance", "site", "salle", "place",
                    "tiers_temps", "pieces_manquantes", "epreuves", "amenagements", "pieces_produites_at",
                    "temps_majore", "passages"]


def _db(day_or_db):
    """A reader: the day's (ExamDay) or the one given (a sqlite_utils Database)."""
    return day_or_db if isinstance(day_or_db, sqlite_utils.Database) else day_or_db.journal.reader()


def _hm(value: str | None) -> str:
    """A time in a CSV cell: 09 h 05."""
    return value[11:16].replace(":", " h ") if value else "—"


CSV_COLUMNS = ["Épreuve", "Site", "Salle", "Place", "N° d'inscription", "Nom", "Prénom", "Statut", "Entrée",
               "Pièce d'identité", "Émargement", "Copies remises", "Copie blanche", "Abandon", "Sortie"]


def emargement_csv(day, epreuve_code: str, site_code: str | None = None,
                   candidats: list[dict] | None = None) -> str:
    """Émargement export: UTF-8 with BOM, « ; », one line per convoked candidate of the épreuve (csv_out).
    `candidats`: reports.candidats_in_order's answer, read once for every épreuve by the export."""
    rows = []
    for r in reports.emargement_rows(_db(day), epreuve_code, site_code, candidats):
        rows.append([epreuve_code, r["site"], r["salle_presence"] or r["salle"], r["place"], r["numero"],
                     r["nom"], r["prenom"], STATUTS.get(r["status"], r["status"]), _hm(r["entered_at"]),
                     r["piece_identite"] or "", _hm(r["emarge_at"]) if r["emarge_at"] else "",
                     r["copies"] if r["emarge_at"] else "", "oui" if r["copie_blanche"] else "",
                     "oui" if r["abandon"] else "", _hm(r["exited_at"]) if r["exited_at"] else ""])
    return csv_text(CSV_COLUMNS, rows)


def candidats_csv(db) -> bytes:
    """The candidats as imported, one line each, in numéro order."""
    rows = reports.candidat_columns(_db(db), CANDIDAT_COLUMNS)
    return csv_text(CANDIDAT_COLUMNS, ([row[c] for c in CANDIDAT_COLUMNS] for row in rows)).encode("utf-8")


def lists_for_export(db_path: str, epreuves: list[str]) -> dict[str, bytes]:
    """The export's CSV files (candidats.csv, emargement-<épreuve>.csv), read from the day's file on a read-only
    connection of their own: run in a process beside the export's (export.export_day)."""
    from .journal import connect

    conn = connect(db_path, readonly=True)
    try:
        db = sqlite_utils.Database(conn)
        files = {"candidats.csv": candidats_csv(db)}
        candidats = reports.candidats_in_order(db, None)  # the same order for every épreuve
        for code in epreuves:
            files[f"emargement-{code}.csv"] = emargement_csv(db, code, candidats=candidats).encode("utf-8")
        return files
    finally:
        conn.close()


if __name__ == "__main__":  # python -m salle.lists_csv DAY.db E1 E2…: the files as a pickle on stdout
    import pickle
    import sys

    pickle.dump(lists_for_export(sys.argv[1], sys.argv[2:]), sys.stdout.buffer, protocol=pickle.HIGHEST_PROTOCOL)
