"""The demo day the tests run on: its staff codes, its times, lookups and counts in its file."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime

from salle import demo
from salle.day import ExamDay
from salle.importing import import_candidats
from tests.helpers.orals import AFFICHAGE_CODE, JURY_CODES

DEMO_DAY = demo.DEMO_DATE
CODES = {  # demo staff codes by role/binding
    "admin": "10004271",
    "responsable": "20003817",  # PANTIN
    "responsable_montreuil": "20005923",
    "surveillant": "30001746",  # A01, PANTIN
    "surveillant_b12": "30002958",  # B12, PANTIN
    "surveillant_m1": "30003162",  # M1, MONTREUIL
    "kiosk": "40001629",
    **{f"jury_{jury.lower()}": code for jury, code in JURY_CODES.items()},  # the oral day's (helpers/orals.py)
    "affichage": AFFICHAGE_CODE,
}


def at(hhmm: str, day=DEMO_DAY) -> datetime:
    return datetime.combine(day, datetime.strptime(hhmm, "%H:%M:%S" if hhmm.count(":") == 2 else "%H:%M").time())


@contextmanager
def nothing_recorded(db_day: ExamDay):
    """Around calls that must be refused: the journal (so every state derived from it) is left as it was."""
    def head():
        return db_day.journal.one("SELECT COUNT(*) AS n, MAX(seq) AS last FROM events")

    before = head()
    yield
    assert head() == before, "a refused call recorded something"


def candidat_in(db_day: ExamDay, salle: str, **where) -> dict:
    sql = "SELECT * FROM candidats WHERE salle = ?"
    params = [salle]
    for key, value in where.items():
        sql += f" AND {key} = ?"
        params.append(value)
    row = db_day.journal.one(sql + " ORDER BY numero LIMIT 1", params)
    assert row, f"no candidat in {salle} with {where}"
    return row


def candidats(day, salle: str, n: int, tiers_temps: int = 0) -> list[str]:
    rows = day.journal.query("SELECT numero FROM candidats WHERE salle = ? AND pieces_manquantes = '' AND "
                             "tiers_temps = ? ORDER BY numero LIMIT ?", [salle, tiers_temps, n])
    assert len(rows) == n
    return [r["numero"] for r in rows]


def count(day, event_type: str) -> int:
    return day.journal.one("SELECT COUNT(*) AS n FROM events WHERE type = ?", [event_type])["n"]


def add_candidats(day, demo_files, rows: list[str]) -> None:
    """Import the demo file plus `rows` (« numero;NOM;nom naissance;Prénom;jj/mm/aaaa;SITE;;;non; »): the
    import replaces the whole list, so the demo rows come along, less the last 2 × len(rows) (every seat of
    the demo is taken; its rows alternate between the two sites)."""
    path = demo_files / "candidats.csv"
    lines = path.read_text(encoding="utf-8-sig").splitlines()[: -2 * len(rows)]
    text = "\r\n".join(lines + rows) + "\r\n"
    path.write_text(text, encoding="utf-8-sig")
    import_candidats(day, path.read_bytes(), "candidats.csv")
