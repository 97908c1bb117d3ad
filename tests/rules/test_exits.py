"""Exits and toilets (R8, R9, R15–R19, R22, R24, R25) and the door time (R3), at the second before and after."""

from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from salle import rules
from tests.rules.facts import APRES_MIDI, CLOSE, END, MATIN, STARTED, TT_END, S, at, presence


# --- R16: early exit after copy + émargement + identity (R8) on a 3 h épreuve -----------------------

def test_early_exit_allowed_with_copy_emargement_and_identity():
    verdict = rules.check_exit(presence(), STARTED + timedelta(minutes=40))
    assert verdict.code == rules.SORTIE_AUTORISEE and verdict.ok


def test_early_exit_refused_before_the_copy_is_handed_in():
    verdict = rules.check_exit(presence(emarge=False), STARTED + timedelta(hours=2))
    assert verdict.code == rules.COPIE_NON_REMISE and verdict.rule == "R16"


def test_exit_needs_a_fresh_identity_check():
    verdict = rules.check_exit(presence(identite_verifiee=False), STARTED + timedelta(hours=2))
    assert verdict.code == rules.IDENTITE_NON_VERIFIEE and verdict.rule == "R8"


def test_no_exit_before_the_ouverture_des_sujets():
    assert rules.check_exit(presence(started_at=None), at(9, 30)).code == rules.EPREUVE_NON_COMMENCEE


# --- R17: the last fifteen minutes, per candidate (R24) ----------------------------------------------

def test_exit_allowed_one_second_before_the_last_quarter_hour():
    assert rules.check_exit(presence(), END - timedelta(minutes=15) - S).code == rules.SORTIE_AUTORISEE


def test_exit_refused_at_the_start_of_the_last_quarter_hour():
    verdict = rules.check_exit(presence(), END - timedelta(minutes=15))
    assert verdict.code == rules.QUINZE_DERNIERES_MINUTES and verdict.allowed_from == END
    assert "12 h 05" in verdict.message


def test_tiers_temps_has_its_own_last_quarter_hour():
    tt = presence(tiers_temps=True)
    assert rules.check_exit(tt, END - timedelta(minutes=15)).code == rules.SORTIE_AUTORISEE
    assert rules.check_exit(tt, TT_END - timedelta(minutes=15) - S).code == rules.SORTIE_AUTORISEE
    assert rules.check_exit(tt, TT_END - timedelta(minutes=15)).code == rules.QUINZE_DERNIERES_MINUTES


def test_timings_run_from_the_recorded_start_not_the_planned_one():
    # Planned end 12:00; recorded start 9:05 moves the last quarter hour to 11:50.
    assert rules.check_exit(presence(), at(11, 49, 59)).code == rules.SORTIE_AUTORISEE


# --- R22: after the end, the signal -------------------------------------------------------------

def test_after_the_end_wait_for_the_release_signal():
    assert rules.check_exit(presence(), END).code == rules.ATTENDRE_SIGNAL
    assert rules.check_exit(presence(released=True), END).code == rules.SORTIE_AUTORISEE


# --- R15: no early exit at all for 1 h 30 or less ----------------------------------------------------

def test_short_epreuve_has_no_early_exit():
    short = replace(APRES_MIDI, sujet_commun=False)
    start = at(14)
    verdict = rules.check_exit(presence(epreuve=short, started_at=start), start + timedelta(minutes=40))
    assert verdict.code == rules.EPREUVE_COURTE and verdict.rule == "R15"
    assert verdict.allowed_from == start + timedelta(minutes=90)


def test_one_hour_thirty_one_is_not_short():
    longer = replace(APRES_MIDI, sujet_commun=False, duration=91)
    assert rules.check_exit(presence(epreuve=longer, started_at=at(14)), at(15)).code == rules.SORTIE_AUTORISEE


# --- R18: sujet commun, no exit during 1 h 30 from the start -----------------------------------------

def test_sujet_commun_refuses_exit_one_second_before_one_hour_thirty():
    long_common = replace(MATIN, sujet_commun=True)
    verdict = rules.check_exit(presence(epreuve=long_common), STARTED + timedelta(minutes=90) - S)
    assert verdict.code == rules.SUJET_COMMUN and verdict.allowed_from == STARTED + timedelta(minutes=90)
    assert "10 h 35" in verdict.message


def test_sujet_commun_allows_exit_at_one_hour_thirty():
    long_common = replace(MATIN, sujet_commun=True)
    assert rules.check_exit(presence(epreuve=long_common), STARTED + timedelta(minutes=90)).code == rules.SORTIE_AUTORISEE


# --- who is where ------------------------------------------------------------------------------

@pytest.mark.parametrize("status, code", [(None, rules.NON_PRESENT), ("sorti", rules.DEJA_SORTI),
                                          ("toilettes", rules.AUX_TOILETTES)])
def test_exit_only_for_a_candidate_in_the_salle(status, code):
    assert rules.check_exit(presence(status=status), STARTED + timedelta(hours=1)).code == code


def test_orals_have_no_written_exit_limits():
    oral = replace(MATIN, kind="oral")
    assert rules.check_exit(presence(epreuve=oral, emarge=False), STARTED + timedelta(minutes=5)).ok


# --- R19 and R17: toilets --------------------------------------------------------------------------

def test_toilets_accompanied_allowed_during_the_epreuve():
    verdict = rules.check_toilettes(presence(), "Nadia", STARTED + timedelta(minutes=30))
    assert verdict.code == rules.TOILETTES_AUTORISEES and "Nadia" in verdict.message


def test_toilets_need_an_accompanying_surveillant():
    assert rules.check_toilettes(presence(), "  ", STARTED + timedelta(minutes=30)).code == rules.ACCOMPAGNATEUR_REQUIS


def test_toilets_allowed_during_the_sujet_commun_first_hour_thirty():
    common = replace(MATIN, sujet_commun=True)
    assert rules.check_toilettes(presence(epreuve=common), "Nadia", STARTED + timedelta(minutes=20)).ok


def test_toilets_refused_in_the_last_quarter_hour_and_allowed_the_second_before():
    assert rules.check_toilettes(presence(), "Nadia", END - timedelta(minutes=15) - S).ok
    assert rules.check_toilettes(presence(), "Nadia", END - timedelta(minutes=15)).code == rules.QUINZE_DERNIERES_MINUTES


def test_tiers_temps_may_go_to_the_toilets_after_the_others_last_quarter_hour():
    assert rules.check_toilettes(presence(tiers_temps=True), "Nadia", END - timedelta(minutes=5)).ok


def test_no_second_toilet_trip_while_out():
    assert rules.check_toilettes(presence(status="toilettes"), "Nadia", at(10)).code == rules.AUX_TOILETTES


# --- R3: moving the door time ----------------------------------------------------------------------

def test_door_time_moved_before_it_passes_with_a_reason():
    verdict = rules.check_move_doors(CLOSE, None, at(9, 20), "Retard du RER B", CLOSE - S)
    assert verdict.code == rules.FERMETURE_DEPLACEE and verdict.ok


def test_door_time_cannot_move_once_passed():
    assert rules.check_move_doors(CLOSE, None, at(9, 20), "Retard", CLOSE).code == rules.PORTES_DEJA_FERMEES


def test_door_time_cannot_move_after_a_closing_by_hand():
    assert rules.check_move_doors(CLOSE, at(8, 50), at(9, 20), "Retard", at(8, 51)).code == rules.PORTES_DEJA_FERMEES


def test_door_time_cannot_move_to_now_but_to_one_second_later():
    now = at(8, 50)
    verdict = rules.check_move_doors(CLOSE, None, now, "Retard", now)
    assert verdict.code == rules.HEURE_PASSEE and not verdict.ok and verdict.rule == "R3"
    assert verdict.message == "La nouvelle heure (8 h 50) est déjà passée."
    assert rules.check_move_doors(CLOSE, None, now + S, "Retard", now).code == rules.FERMETURE_DEPLACEE


def test_door_time_move_needs_a_reason_and_a_future_time():
    assert rules.check_move_doors(CLOSE, None, at(9, 20), " ", at(8, 50)).code == rules.MOTIF_REQUIS
    assert rules.check_move_doors(CLOSE, None, at(8, 49), "Retard", at(8, 50)).code == rules.HEURE_PASSEE


def test_extra_time_is_a_third_rounded_up():
    assert rules.extra_minutes(MATIN, True) == 60
    assert rules.extra_minutes(replace(MATIN, duration=100), True) == 34
    assert rules.extra_minutes(MATIN, False) == 0


def test_hhmm_is_french():
    assert rules.hhmm(datetime(2027, 3, 18, 9, 5)) == "9 h 05"


# --- R19: back from the toilets -------------------------------------------------------------------------------

@pytest.mark.parametrize("status", [None, "present", "sorti"])
def test_back_from_the_toilets_only_for_a_candidate_who_went(status):
    verdict = rules.check_toilettes_retour(presence(status=status))
    assert (verdict.code, verdict.ok, verdict.rule) == (rules.NON_PRESENT, False, "R19")
    assert verdict.message == "Ce candidat n'est pas sorti aux toilettes."


def test_back_from_the_toilets_recorded():
    verdict = rules.check_toilettes_retour(presence(status="toilettes"))
    assert (verdict.code, verdict.ok, verdict.rule) == (rules.RETOUR_ENREGISTRE, True, "R19")
    assert verdict.message == "Retour des toilettes enregistré."
