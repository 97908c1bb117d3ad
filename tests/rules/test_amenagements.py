"""R24: aménagements as the règlement knows them — extra time as a fraction of the épreuve or in minutes, per
candidat and épreuve, from the file only; the written épreuves' end, last quarter hour and exits follow the figure."""

from dataclasses import replace
from datetime import timedelta
from fractions import Fraction

import pytest

from salle import rules
from salle.model import TIERS_TEMPS, TempsMajore, parse_temps_majore, parse_temps_majores
from tests.rules.facts import APRES_MIDI, CANDIDAT, END, MATIN, STARTED, arrival, at, presence

M = timedelta(minutes=1)
VINGT = TempsMajore(minutes=20)
QUART = TempsMajore(Fraction(1, 4))


# --- reading the figure as registration systems write it -------------------------------------------------


@pytest.mark.parametrize("text, expected", [
    ("oui", TIERS_TEMPS), ("OUI", TIERS_TEMPS), ("x", TIERS_TEMPS), ("1", TIERS_TEMPS), ("Tiers-temps", TIERS_TEMPS),
    ("1/3", TIERS_TEMPS), (" 1 / 3 ", TIERS_TEMPS), ("1/4", QUART), ("20 min", VINGT), ("20min", VINGT),
    ("20 minutes", VINGT), ("20 mn", VINGT), ("1 h", TempsMajore(minutes=60)), ("1h30", TempsMajore(minutes=90)),
    ("1 h 05", TempsMajore(minutes=65)), ("non", None), ("", None), ("0", None), ("N", None),
])
def test_extra_time_read_from_the_registration_file_R24(text, expected):
    assert parse_temps_majore(text) == expected


@pytest.mark.parametrize("text", ["peut-être", "20", "0/3", "1/0", "4/3", "0 min", "601 min", "11 h", "1/3 min",
                                  "-20 min", "20 secondes", "1/3/4"])
def test_extra_time_not_understood_is_an_error_R24(text):
    with pytest.raises(ValueError):
        parse_temps_majore(text)


def test_extra_time_per_epreuve_R24():
    assert parse_temps_majores("E1: 1/3 ; E2: 20 min", {"E1", "E2"}) == (("E1", TIERS_TEMPS), ("E2", VINGT))
    assert parse_temps_majores("E1=1/4", {"E1", "E2"}) == (("E1", QUART),)
    assert parse_temps_majores("oui") == (("", TIERS_TEMPS),)
    assert parse_temps_majores("non") == ()
    for wrong in ("E9: 1/3", "E1: peut-être", ": 1/3", "E1 1/3 ; E2: 20 min"):
        with pytest.raises(ValueError):
            parse_temps_majores(wrong, {"E1", "E2"})


def test_a_candidat_extra_time_is_per_epreuve_and_the_old_yes_no_is_a_third_R24():
    assert replace(CANDIDAT, tiers_temps=True).majoration("E1") == TIERS_TEMPS
    assert CANDIDAT.majoration("E1") is None
    both = replace(CANDIDAT, temps_majore=(("E1", VINGT),))
    assert both.majoration("E1") == VINGT and both.majoration("E2") is None
    every = replace(CANDIDAT, temps_majore=(("", QUART), ("E2", VINGT)))
    assert every.majoration("E1") == QUART and every.majoration("E2") == VINGT


# --- the figure moves the candidat's end --------------------------------------------------------------------


def test_the_end_moves_by_the_minutes_or_by_the_fraction_of_the_duration_R24():
    assert rules.candidate_end(MATIN, STARTED, VINGT) == END + 20 * M
    assert rules.candidate_end(MATIN, STARTED, QUART) == END + 45 * M  # a quarter of 3 h
    assert rules.candidate_end(MATIN, STARTED, TIERS_TEMPS) == rules.candidate_end(MATIN, STARTED, True)
    assert rules.candidate_end(APRES_MIDI, None, QUART) == at(15, 53)  # 90 min / 4 = 22.5, rounded up: 23


def test_twenty_minutes_last_quarter_hour_starts_at_the_minute_R17_R24():
    p = presence(tiers_temps=VINGT)  # 9:05 + 3 h + 20 min = 12:25; the last 15 min from 12:10
    assert rules.check_exit(p, at(12, 9)).code == rules.SORTIE_AUTORISEE
    refused = rules.check_exit(p, at(12, 10))
    assert refused.code == rules.QUINZE_DERNIERES_MINUTES and refused.allowed_from == at(12, 25)
    assert "fin à 12 h 25" in refused.message and refused.rule == "R17"
    assert rules.check_toilettes(p, "Paul", at(12, 9)).ok
    assert rules.check_toilettes(p, "Paul", at(12, 10)).code == rules.QUINZE_DERNIERES_MINUTES


def test_twenty_minutes_end_a_minute_before_and_after_R22_R24():
    p = presence(tiers_temps=VINGT)
    assert rules.check_exit(p, at(12, 24)).code == rules.QUINZE_DERNIERES_MINUTES
    assert rules.check_exit(p, at(12, 25)).code == rules.ATTENDRE_SIGNAL
    assert rules.check_incident("ecrit_apres_fin", MATIN, STARTED, VINGT, at(12, 24)).code == rules.FIN_NON_ATTEINTE
    assert rules.check_incident("ecrit_apres_fin", MATIN, STARTED, VINGT, at(12, 25)).ok


def test_the_salle_waits_for_its_longest_extra_time_R22_R24():
    assert rules.salle_end(MATIN, STARTED, [None, VINGT, QUART]) == END + 45 * M
    assert rules.salle_end(MATIN, STARTED, [VINGT, False]) == END + 20 * M


def test_the_surveillant_reads_the_candidat_figure_at_admission_R24():
    c = replace(CANDIDAT, temps_majore=(("E1", VINGT),))
    verdict = rules.check_arrival(arrival(candidat=c, started_at=STARTED), at(8, 50))
    assert verdict.code == rules.ADMIS and verdict.message.endswith("20 min : fin à 12 h 25.")
    plain = rules.check_arrival(arrival(candidat=c, epreuve=APRES_MIDI, doors_close_at=APRES_MIDI.doors_close_dt),
                                at(13, 50))
    assert plain.code == rules.ADMIS and "fin à" not in plain.message  # E2: no extra time for this candidat
