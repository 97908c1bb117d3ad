"""The TOML session file: the demo loads; every malformed file names the wrong key, in French."""

import pytest

from salle import demo
from salle.session_file import SessionFileError, parse_session

GOOD = demo.session_toml()


def test_demo_session_loads():
    s = parse_session(GOOD)
    assert s.concours.code == "ATP27"
    assert [e.code for e in s.epreuves] == ["E1", "E2"]
    e2 = s.epreuve("E2")
    assert e2.duration == 90 and e2.sujet_commun and e2.doors_close_dt.hour == 14
    assert len(s.salle("A01").seats) == 90 and s.salle("B12").access == "bâtiment B, 1er étage"
    assert {p.role for p in s.staff} == {"admin", "responsable", "surveillant", "kiosk"}


def bad(text: str) -> str:
    with pytest.raises(SessionFileError) as exc:
        parse_session(text)
    return exc.value.message


def test_toml_syntax_error_gives_line_and_column():
    assert "syntaxe TOML invalide (ligne 3" in bad('[concours]\ncode = "X"\nlabel = \n')


def test_missing_key_is_named():
    text = GOOD.replace('duration = "3h"\n', "", 1)
    assert bad(text) == "session.toml : « epreuves[1].duration » : clé manquante."


@pytest.mark.parametrize("old, new, key, words", [
    ('duration = "3h"', 'duration = "trois heures"', "epreuves[1].duration", "durée attendue"),
    ('start = "09:00"', 'start = "25:00"', "epreuves[1].start", "heure attendue"),
    ('date = 2027-03-18', 'date = "18 mars"', "epreuves[1].date", "date attendue"),
    ('kind = "ecrit"', 'kind = "pratique"', "epreuves[1].kind", "« ecrit » ou « oral »"),
    ('sujet_commun = false', 'sujet_commun = "non"', "epreuves[1].sujet_commun", "true ou false"),
    ('site = "PANTIN"\nlabel = "Salle A01"', 'site = "LYON"\nlabel = "Salle A01"', "salles[1].site", "inconnu"),
    ("rows = 9", "rows = 0", "salles[1].rows", "entier positif"),
    ('convocation = "08:30"', 'convocation = "08:45"', "epreuves[1].convocation", "30 minutes"),
    ('doors_close = "09:00"', 'doors_close = "13:00"', "epreuves[1].doors_close", "précéder la fin"),
    ('role = "kiosk"', 'role = "directeur"', "personnel[8].role", "rôle « directeur » inconnu"),
    ('code = "30001746"', 'code = "12"', "personnel[4].code", "8 à 32 chiffres"),
    ('code = "30001746"', 'code = "3000174"', "personnel[4].code", "8 à 32 chiffres"),  # 7 digits (issue 16)
    ('code = "30001746"', 'code = "3000174a"', "personnel[4].code", "8 à 32 chiffres"),
    ('code = "30002958"', 'code = "30001746"', "personnel[5].code", "en double"),
    ('code = "B12"', 'code = "A01"', "salles[2].code", "en double"),
])
def test_each_wrong_value_names_its_key(old, new, key, words):
    assert old in GOOD
    message = bad(GOOD.replace(old, new, 1))
    assert f"« {key} »" in message and words in message


def test_capacity_larger_than_the_seat_plan():
    text = GOOD.replace("rows = 6\ncolumns = 10", "rows = 6\ncolumns = 10\ncapacity = 61", 1)
    assert "salles[2].capacity" in bad(text)


def test_missing_concours_table():
    assert "table [concours] manquante" in bad(GOOD.replace("[concours]", "[concour]"))


def test_not_utf8():
    with pytest.raises(SessionFileError, match="UTF-8"):
        parse_session(GOOD.encode("utf-16"))


def test_durations_and_times_accept_usual_spellings():
    text = GOOD.replace('duration = "3h"', "duration = 180").replace('start = "09:00"', "start = 09:00:00", 1)
    assert parse_session(text).epreuve("E1").duration == 180
    assert parse_session(GOOD.replace('duration = "1h30"', 'duration = "90 min"')).epreuve("E2").duration == 90
