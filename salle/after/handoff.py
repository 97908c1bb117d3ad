"""The hand-off to the registration system: presence per épreuve keyed by numéro d'inscription, in the dialect
its own export and Salle's import share (UTF-8 with BOM, « ; », dd/mm/yyyy, the import's French headers)."""

from __future__ import annotations

from datetime import date

from ..csv_out import csv_text
from .consolidation import OUTCOMES, SAT
from .record import Record

HEADER = ["N° d'inscription", "Nom usuel", "Prénom", "Date de naissance", "Épreuve", "Présence", "Statut", "Site",
          "Salle", "Arrivée", "Sortie", "Copies remises"]


def dmy(iso: str | None) -> str:
    return date.fromisoformat(iso).strftime("%d/%m/%Y") if iso else ""


def hm(iso: str | None) -> str:
    return iso[11:16] if iso else ""


def handoff_csv(record: Record) -> str:
    """One line per candidat and épreuve convoked, by numéro then épreuve."""
    rows = record.query("SELECT r.*, c.nom, c.prenom, c.date_naissance FROM resultats r JOIN candidats c USING "
                        "(numero) ORDER BY r.numero, r.epreuve")
    return csv_text(HEADER, ([
        r["numero"], r["nom"], r["prenom"], dmy(r["date_naissance"]), r["epreuve"],
        "présent" if r["statut"] in SAT else "absent", OUTCOMES[r["statut"]],
        r["site"], r["salle"], hm(r["arrivee"]), hm(r["sortie"]),
        "copie blanche" if r["copie_blanche"] else ("" if r["copies"] is None else r["copies"])] for r in rows))
