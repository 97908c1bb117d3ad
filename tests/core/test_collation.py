"""French alphabetical order for every list: accents with their letter, case ignored, ligatures spelt out."""

import sqlite3

from salle.collation import french_key, register
from salle.state.queries import name_homonyms


def test_accented_capitals_sort_with_their_letter_not_after_z():
    names = ["ZOLA", "ÇELIK", "CARON", "ÉMERY", "EMERIC", "DUPONT", "CZERNY"]
    assert sorted(names, key=french_key) == ["CARON", "ÇELIK", "CZERNY", "DUPONT", "EMERIC", "ÉMERY", "ZOLA"]


def test_ligatures_are_spelt_out_and_case_is_ignored():
    assert sorted(["ŒUVRE", "OEHLER", "odin", "OFFRE"], key=french_key) == ["odin", "OEHLER", "ŒUVRE", "OFFRE"]


def test_the_unaccented_form_comes_first_when_the_letters_are_the_same():
    assert sorted(["CÔTE", "COTE"], key=french_key) == ["COTE", "CÔTE"]


def test_sqlite_orders_by_the_same_collation():
    conn = sqlite3.connect(":memory:")
    register(conn)
    conn.execute("CREATE TABLE t (nom TEXT)")
    conn.executemany("INSERT INTO t VALUES (?)", [("ZOLA",), ("ÇELIK",), ("CARON",), ("Élodie",)])
    assert [r[0] for r in conn.execute("SELECT nom FROM t ORDER BY nom COLLATE FR")] == \
        ["CARON", "ÇELIK", "Élodie", "ZOLA"]


def test_homonyms_in_a_list_get_their_date_of_birth_and_only_they():
    out = [{"numero": "1", "nom": "Martin", "prenom": "Léa"}, {"numero": "2", "nom": "MARTIN", "prenom": "Lea"},
           {"numero": "3", "nom": "Martin", "prenom": "Paul"}]
    births = [{"numero": "1", "date_naissance": "1990-01-02"}, {"numero": "2", "date_naissance": "1985-07-14"},
              {"numero": "3", "date_naissance": "1970-03-04"}]
    name_homonyms(out, births)
    assert [o.get("date_naissance") for o in out] == ["1990-01-02", "1985-07-14", None]
