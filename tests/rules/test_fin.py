"""The end of the épreuve (R22, R24, R9): the salle's end, the recount of the copies, then the release."""

from dataclasses import replace
from datetime import timedelta

from salle import rules
from tests.rules.facts import END, MATIN, STARTED, S, TT_END, at

RELEASED = at(12, 20)


# --- R22, R24: the salle ends with the latest end of the candidats still in it ----------------------------

def test_salle_ends_at_the_end_of_its_candidats_R22():
    assert rules.salle_end(MATIN, STARTED, [False, False]) == END


def test_a_tiers_temps_candidat_still_in_the_salle_moves_its_end_R24():
    assert rules.salle_end(MATIN, STARTED, [False, True, False]) == TT_END
    assert rules.salle_end(MATIN, STARTED, [True]) == TT_END


def test_salle_end_runs_from_the_planned_start_until_the_start_is_recorded_R9():
    assert rules.salle_end(MATIN, None, [False]) == at(12)


def test_salle_whose_candidats_have_all_left_ends_at_once_R22():
    # Everybody handed in and left early (R16): nothing is left to wait for, from the recorded start on.
    assert rules.salle_end(MATIN, STARTED, []) == STARTED
    assert rules.salle_end(MATIN, None, []) == MATIN.start_dt


# --- R22: the recount, at the end and before the release -----------------------------------------------------

def test_recount_refused_one_second_before_the_end_R22():
    verdict = rules.check_recomptage(STARTED, END, None, END - S)
    assert verdict.code == rules.FIN_NON_ATTEINTE and not verdict.ok and verdict.rule == "R22"
    assert verdict.allowed_from == END and verdict.message == "Recomptage à la fin de l'épreuve (12 h 05)."


def test_recount_recorded_at_the_end_and_after_R22():
    for now in (END, END + S):
        verdict = rules.check_recomptage(STARTED, END, None, now)
        assert verdict.code == rules.RECOMPTAGE_ENREGISTRE and verdict.ok and verdict.rule == "R22"
        assert verdict.message == "Recomptage enregistré."


def test_recount_before_the_start_is_refused_R9():
    verdict = rules.check_recomptage(None, MATIN.end_dt, None, at(12, 30))
    assert verdict.code == rules.EPREUVE_NON_COMMENCEE and not verdict.ok and verdict.rule == "R9"
    assert verdict.message == "L'épreuve n'a pas commencé : pas de copies à recompter."


def test_recount_of_a_salle_already_released_is_closed_R22():
    verdict = rules.check_recomptage(STARTED, END, RELEASED, RELEASED + timedelta(minutes=5))
    assert verdict.code == rules.DEJA_LIBEREE and not verdict.ok and verdict.rule == "R22"
    assert verdict.message == "La salle est déjà libérée (à 12 h 20) : recomptage clos."


# --- R22: the release, the signal to leave, once every copy is recounted --------------------------------------

def test_release_refused_one_second_before_the_end_even_recounted_R22():
    verdict = rules.check_liberation(rules.Liberation(True, END, None), END - S)
    assert verdict.code == rules.FIN_NON_ATTEINTE and not verdict.ok and verdict.rule == "R22"
    assert verdict.allowed_from == END
    assert verdict.message == "La salle ne peut être libérée qu'à la fin de l'épreuve (12 h 05)."


def test_release_at_the_end_needs_the_recount_first_R22():
    verdict = rules.check_liberation(rules.Liberation(False, END, None), END)
    assert verdict.code == rules.RECOMPTAGE_REQUIS and not verdict.ok and verdict.rule == "R22"
    assert verdict.message == ("Recomptez d'abord les copies : la salle est libérée seulement après le "
                               "recomptage.")


def test_release_at_the_end_once_recounted_R22():
    for now in (END, END + S):
        verdict = rules.check_liberation(rules.Liberation(True, END, None), now)
        assert verdict.code == rules.SALLE_LIBEREE and verdict.ok and verdict.rule == "R22"
        assert verdict.message == "Salle libérée : les candidats peuvent sortir."


def test_release_only_once_R22():
    verdict = rules.check_liberation(rules.Liberation(True, END, RELEASED), RELEASED + S)
    assert verdict.code == rules.DEJA_LIBEREE and not verdict.ok and verdict.rule == "R22"
    assert verdict.message == "La salle est déjà libérée (à 12 h 20)."


def test_recount_and_release_of_a_salle_whose_candidats_all_left_early_R16_R22():
    end = rules.salle_end(MATIN, STARTED, [])
    now = STARTED + timedelta(hours=1)
    assert rules.check_recomptage(STARTED, end, None, now).code == rules.RECOMPTAGE_ENREGISTRE
    assert rules.check_liberation(rules.Liberation(True, end, None), now).code == rules.SALLE_LIBEREE


def test_release_with_open_items_needs_a_reason_which_the_verdict_carries_R21_R22():
    facts = rules.Liberation(True, END, None, sans_emargement=("DUPONT Léa, place A3",), copies_comptees=3,
                             copies_emargees=2, dehors=("MARTIN Paul",))
    verdict = rules.check_liberation(facts, END)
    assert verdict.code == rules.LIBERATION_A_CONFIRMER and not verdict.ok and verdict.rule == "R22"
    assert [i["code"] for i in verdict.data["points_ouverts"]] == ["sans_emargement", "ecart_copies",
                                                                   "candidats_dehors"]
    assert verdict.message == ("3 point(s) non résolu(s) : libérez la salle en indiquant le motif (il figurera au "
                               "procès-verbal), ou réglez-les d'abord.")
    assert verdict.data["points_ouverts"] == [
        {"code": "sans_emargement", "candidats": ["DUPONT Léa, place A3"], "message":
         "1 candidat(s) présent(s) sans émargement, réputé(s) ne pas avoir rendu de copie : DUPONT Léa, place A3."},
        {"code": "ecart_copies", "message": "Recomptage : 3 copie(s) pour 2 émargée(s), écart de +1."},
        {"code": "candidats_dehors", "candidats": ["MARTIN Paul"],
         "message": "1 candidat(s) encore hors de la salle : MARTIN Paul."}]
    assert rules.check_liberation(replace(facts, motif="   "), END).code == rules.LIBERATION_A_CONFIRMER
    given = rules.check_liberation(replace(facts, motif="Signalé au jury"), END)
    assert given.code == rules.SALLE_LIBEREE and given.ok
    assert given.message == ("Salle libérée : les candidats peuvent sortir. 3 point(s) non résolu(s) consigné(s) au "
                             "procès-verbal avec le motif.")


def test_open_items_count_each_list_and_sign_the_difference_R21_R22():
    two = rules.liberation_open_items(rules.Liberation(True, END, sans_emargement=("A", "B"), copies_comptees=4,
                                                       copies_emargees=6, dehors=("C", "D")))
    assert [i["message"] for i in two] == [
        "2 candidat(s) présent(s) sans émargement, réputé(s) ne pas avoir rendu de copie : A, B.",
        "Recomptage : 4 copie(s) pour 6 émargée(s), écart de -2.",
        "2 candidat(s) encore hors de la salle : C, D."]
    assert rules.liberation_open_items(rules.Liberation(True, END, copies_comptees=None, copies_emargees=3)) == []
    assert rules.liberation_open_items(rules.Liberation(True, END, copies_comptees=3, copies_emargees=3)) == []


def test_release_with_nothing_open_needs_no_reason_R22():
    facts = rules.Liberation(True, END, None, copies_comptees=2, copies_emargees=2)
    verdict = rules.check_liberation(facts, END)
    assert verdict.code == rules.SALLE_LIBEREE and verdict.data == {"points_ouverts": []}
    assert verdict.message == "Salle libérée : les candidats peuvent sortir."
