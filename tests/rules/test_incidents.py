"""Incidents for the PV (R10–R14, R23): writing after the end (R13) and the fire alarm's times (R14)."""

from datetime import timedelta

import pytest

from salle import rules
from tests.rules.facts import END, MATIN, STARTED, S, TT_END, at

RECORDED = "incident_enregistre"


def incident(kind, now, started_at=STARTED, tiers_temps=False, debut=None, fin=None) -> rules.Verdict:
    return rules.check_incident(kind, MATIN, started_at, tiers_temps, now, debut, fin)


@pytest.mark.parametrize("kind, label, rule", [
    ("mauvais_sujet", "Erreur de sujet signalée", "R10"),
    ("fraude", "Suspicion de fraude — rapport", "R11"),
    ("tenue", "Tenue incorrecte", "R12"),
    ("alcool", "Consommation d'alcool", "R12"),
    ("tabac", "Tabac", "R12"),
    ("ecouteurs", "Écouteurs", "R12"),
    ("telephone", "Téléphone", "R12"),
    ("communication", "Communication entre candidats", "R12"),
    ("anomalie", "Anomalie dans le déroulement", "R23"),
])
def test_incident_during_the_epreuve_goes_to_the_pv_under_its_rule(kind, label, rule):
    verdict = incident(kind, STARTED + timedelta(minutes=30))
    assert verdict.code == RECORDED and verdict.ok and verdict.rule == rule
    assert verdict.message == f"{label} : consigné au procès-verbal."


def test_incidents_other_than_writing_after_the_end_need_no_start_R23():
    assert incident("anomalie", at(8, 30), started_at=None).code == RECORDED
    assert incident("fraude", at(8, 30), started_at=None).code == RECORDED


# --- R13: « continuer à écrire après l'injonction de fin », from the candidate's own end -----------------

def test_writing_after_the_end_refused_one_second_before_the_end_R13():
    verdict = incident("ecrit_apres_fin", END - S)
    assert verdict.code == rules.FIN_NON_ATTEINTE and not verdict.ok and verdict.rule == "R13"
    assert verdict.allowed_from == END
    assert verdict.message == "La fin de l'épreuve pour ce candidat n'est pas encore arrivée (fin à 12 h 05)."


def test_writing_after_the_end_recorded_at_the_end_R13():
    verdict = incident("ecrit_apres_fin", END)
    assert verdict.code == RECORDED and verdict.rule == "R13"
    assert verdict.message == "A continué d'écrire après la fin : consigné au procès-verbal."


def test_writing_after_the_end_waits_for_the_tiers_temps_end_R13_R24():
    assert incident("ecrit_apres_fin", TT_END - S, tiers_temps=True).allowed_from == TT_END
    assert incident("ecrit_apres_fin", TT_END, tiers_temps=True).code == RECORDED


def test_writing_after_the_end_of_an_epreuve_never_started_is_refused_R9_R13():
    # Planned 9:00–12:00: without a recorded start, there is no end to have written after, even at 12:30.
    verdict = incident("ecrit_apres_fin", at(12, 30), started_at=None)
    assert verdict.code == rules.FIN_NON_ATTEINTE and verdict.allowed_from == at(12)


# --- R14: the fire alarm, its evacuation's start and end, past and in order -------------------------------

NOW = at(10, 30)


def test_fire_alarm_with_its_start_and_end_in_the_past_R14():
    verdict = incident("alarme_incendie", NOW, debut=at(10), fin=at(10, 20))
    assert verdict.code == RECORDED and verdict.rule == "R14"
    assert verdict.message == "Alarme incendie — évacuation : consigné au procès-verbal."


def test_fire_alarm_still_going_has_no_end_yet_R14():
    assert incident("alarme_incendie", NOW, debut=at(10)).code == RECORDED


def test_fire_alarm_starting_now_and_ending_now_R14():
    assert incident("alarme_incendie", NOW, debut=NOW).code == RECORDED
    assert incident("alarme_incendie", NOW, debut=NOW, fin=NOW).code == RECORDED


def test_fire_alarm_ending_when_it_starts_R14():
    assert incident("alarme_incendie", NOW, debut=at(10), fin=at(10)).code == RECORDED


@pytest.mark.parametrize("debut, fin", [
    (None, None),  # no start
    (None, at(10, 20)),
    (NOW + S, None),  # starting one second from now
    (at(10), at(10) - S),  # ending one second before it starts
    (at(10), NOW + S),  # ending one second from now
])
def test_fire_alarm_times_missing_in_the_future_or_out_of_order_are_refused_R14(debut, fin):
    verdict = incident("alarme_incendie", NOW, debut=debut, fin=fin)
    assert verdict.code == rules.HEURES_INVALIDES and not verdict.ok and verdict.rule == "R14"
    assert verdict.message == ("Alarme incendie : indiquez l'heure de début (et de fin) de l'évacuation, passées "
                               "et dans l'ordre.")
