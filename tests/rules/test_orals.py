"""The oral épreuves as pure rules (seed 004, « épreuves orales »): the arrival a minute before and after the
candidat's time (R28), the jury's decision, the tirage au sort and the second draw (R30), the preparation's end
with and without aménagement (R24), the passage, abandon (R25) and renunciation (R32)."""

from dataclasses import replace
from datetime import date, datetime, time, timedelta

from salle import rules
from salle.model import TIERS_TEMPS, Epreuve, TempsMajore
from tests.rules.facts import B12, CANDIDAT, MONTREUIL, PANTIN, M1

ORAL = Epreuve(code="O1", label="Entretien", date=date(2027, 3, 19), start=time(14), duration=240,
               doors_close=time(14), accueil=time(13, 30), convocation=time(14), kind="oral", preparation=20,
               passage=20, sujets=tuple(range(1, 13)))
M = timedelta(minutes=1)


def at(h, m=0, s=0):
    return datetime(2027, 3, 19, h, m, s)


CONVOQUE = at(14, 20)


def oral(**kw) -> rules.Oral:
    base = dict(epreuve=ORAL, convoque_a=CONVOQUE, jury="J1")
    base.update(kw)
    return rules.Oral(**base)


def arrival(o=None, **kw) -> rules.OralArrival:
    base = dict(epreuve=ORAL, door_salle=B12, candidat=CANDIDAT, oral=o or oral(), candidat_site=PANTIN,
                jury_label="Jury 1, Salle O101", piece_identite="cni")
    base.update(kw)
    return rules.OralArrival(**base)


ARRIVED = oral(arrived_at=at(14, 10))
DRAWN = replace(ARRIVED, tirage_at=at(14, 20), sujet=7)


# --- R28: the arrival, a minute before and after the candidat's time ---------------------------------------------


def test_a_candidat_arriving_a_minute_before_their_time_is_present_R28():
    verdict = rules.check_oral_arrival(arrival(), CONVOQUE - M)
    assert verdict.code == rules.ADMIS and verdict.ok and verdict.rule == "R8"
    assert "passage devant Jury 1, Salle O101, convoqué(e) à 14 h 20" in verdict.message


def test_a_candidat_arriving_at_their_minute_is_on_time_R28():
    assert rules.check_oral_arrival(arrival(), CONVOQUE + 59 * timedelta(seconds=1)).code == rules.ADMIS


def test_a_candidat_arriving_a_minute_after_their_time_is_recorded_late_never_refused_R28():
    verdict = rules.check_oral_arrival(arrival(), CONVOQUE + M)
    assert verdict.code == rules.EN_RETARD and verdict.ok and verdict.rule == "R28"
    assert verdict.data["retard_minutes"] == 1 and "le jury (Jury 1, Salle O101) est prévenu et décide" in \
        verdict.message
    assert rules.check_oral_arrival(arrival(), at(17, 55)).code == rules.EN_RETARD  # hours late: still the jury's


def test_the_arrival_is_previewed_until_the_identity_document_is_shown_R5_R8():
    verdict = rules.check_oral_arrival(arrival(piece_identite=None), CONVOQUE + M)
    assert verdict.code == rules.ADMIS and verdict.data["a_confirmer"] and verdict.data["retard"]


def test_no_passage_unknown_wrong_site_already_arrived_or_closed_R1_R4_R8():
    assert rules.check_oral_arrival(arrival(candidat=None), CONVOQUE).code == rules.INCONNU
    assert rules.check_oral_arrival(arrival(o=None, oral=None), CONVOQUE).code == rules.NON_CONVOQUE
    away = rules.check_oral_arrival(arrival(door_salle=M1, candidat_site=PANTIN), CONVOQUE)
    assert away.code == rules.MAUVAIS_SITE and PANTIN.address in away.message and MONTREUIL.name not in away.message
    assert rules.check_oral_arrival(arrival(o=ARRIVED), CONVOQUE).code == rules.DEJA_PRESENT
    assert rules.check_oral_arrival(arrival(o=oral(decision="absent")), CONVOQUE).code == rules.PASSAGE_CLOS


def test_a_reported_candidat_is_expected_at_the_new_time_R28():
    moved = oral(convoque_a=at(17), reporte=True)
    assert rules.oral_state(moved) == "reporte"
    assert rules.check_oral_arrival(arrival(o=moved), at(16, 59)).code == rules.ADMIS
    assert rules.check_oral_arrival(arrival(o=moved), at(17, 1)).code == rules.EN_RETARD


# --- R28: the jury decides on a lateness -----------------------------------------------------------------------


LATE = oral(arrived_at=CONVOQUE + 5 * M, late=True)


def test_the_jury_decides_seen_absent_or_reported_on_a_late_candidat_R28():
    assert rules.oral_state(LATE) == "en_retard"
    assert rules.check_decision_retard(LATE, "vu", None, "", at(14, 30)).code == rules.DECISION_ENREGISTREE
    assert rules.check_decision_retard(LATE, "absent", None, "", at(14, 30)).ok
    moved = rules.check_decision_retard(LATE, "reporte", at(17), "Accident de RER, attestation SNCF", at(14, 30))
    assert moved.ok and moved.message == "Passage reporté au 19/03/2027 à 17 h 00."


def test_a_report_needs_a_reason_a_future_time_and_orals_not_over_R28():
    end = rules.orals_end(ORAL)  # 14:00 + 4 h
    assert end == at(18)
    assert rules.check_decision_retard(LATE, "reporte", at(17), " ", at(14, 30)).code == rules.MOTIF_REQUIS
    assert rules.check_decision_retard(LATE, "reporte", at(14, 29), "motif", at(14, 30)).code == rules.HEURE_PASSEE
    assert rules.check_decision_retard(LATE, "reporte", end - M, "motif", at(14, 30)).ok
    refused = rules.check_decision_retard(LATE, "reporte", end, "motif", at(14, 30))
    assert refused.code == rules.ORAUX_ACHEVES and "s'achèvent le 19/03/2027 à 18 h 00" in refused.message


def test_orals_over_two_days_may_be_reported_to_the_second_R28():
    two_days = replace(ORAL, last_date=date(2027, 3, 20))
    assert rules.check_decision_retard(replace(LATE, epreuve=two_days), "reporte", datetime(2027, 3, 20, 9),
                                       "motif", at(14, 30)).ok


def test_no_decision_on_a_candidat_on_time_or_not_yet_late_and_only_one_R28():
    on_time = oral(arrived_at=CONVOQUE - M)
    assert rules.check_decision_retard(on_time, "vu", None, "", at(14, 30)).code == rules.PAS_EN_RETARD
    not_yet = rules.check_decision_retard(oral(), "absent", None, "", CONVOQUE)
    assert not_yet.code == rules.PAS_EN_RETARD and not_yet.allowed_from == CONVOQUE + M
    assert rules.check_decision_retard(oral(), "absent", None, "", CONVOQUE + M).ok  # never came: absent
    assert rules.check_decision_retard(oral(), "vu", None, "", CONVOQUE + M).code == rules.NON_PRESENT
    seen = replace(LATE, decision="vu")
    assert rules.check_decision_retard(seen, "absent", None, "", at(14, 30)).code == rules.DEJA_DECIDE
    assert rules.check_decision_retard(replace(seen, tirage_at=at(14, 31)), "absent", None, "",
                                       at(14, 40)).code == rules.DEJA_DECIDE


# --- R30: the tirage au sort -------------------------------------------------------------------------------------


def test_a_present_candidat_draws_one_subject_R30():
    assert rules.check_tirage(ARRIVED).code == rules.TIRAGE_ENREGISTRE


def test_a_second_draw_is_refused_with_the_reglement_sentence_R30():
    verdict = rules.check_tirage(DRAWN)
    assert verdict.code == rules.DEUXIEME_TIRAGE and not verdict.ok and verdict.rule == "R30"
    assert verdict.message.startswith("Les candidats ne sont en aucun cas admis à procéder au tirage au sort d'un "
                                      "deuxième sujet.")
    assert verdict.data["sujet"] == 7 and "n° 7" in verdict.message
    # whatever else stands: after the passage, an abandon, a renunciation
    for later in (replace(DRAWN, passage_debut=at(14, 40), passage_fin=at(15)), replace(DRAWN, abandon_at=at(14, 25)),
                  replace(DRAWN, renonce_at=at(14, 25))):
        assert rules.check_tirage(later).code == rules.DEUXIEME_TIRAGE


def test_no_draw_before_the_arrival_nor_a_late_one_undecided_nor_after_a_close_R8_R28():
    assert rules.check_tirage(oral()).code == rules.NON_PRESENT
    assert rules.check_tirage(LATE).code == rules.DECISION_ATTENDUE
    assert rules.check_tirage(replace(LATE, decision="vu")).ok
    assert rules.check_tirage(replace(LATE, decision="absent")).code == rules.PASSAGE_CLOS
    assert rules.check_tirage(replace(ARRIVED, epreuve=replace(ORAL, sujets=()))).code == rules.PAS_DE_SUJETS


# --- R24: the preparation ends with the candidat's aménagement ----------------------------------------------------


def test_the_preparation_ends_twenty_minutes_after_the_draw_without_amenagement_R24():
    assert rules.preparation_end(DRAWN) == at(14, 40)
    assert rules.check_debut_passage(DRAWN, at(14, 39)).code == rules.PREPARATION_EN_COURS
    assert rules.check_debut_passage(DRAWN, at(14, 39)).allowed_from == at(14, 40)
    assert rules.check_debut_passage(DRAWN, at(14, 40)).code == rules.PASSAGE_COMMENCE


def test_the_preparation_ends_later_with_a_third_or_minutes_R24():
    third = replace(DRAWN, temps=TIERS_TEMPS)  # 20 min + 7 (a third, rounded up)
    assert rules.preparation_end(third) == at(14, 47)
    assert rules.check_debut_passage(third, at(14, 46)).code == rules.PREPARATION_EN_COURS
    assert rules.check_debut_passage(third, at(14, 47)).ok
    assert rules.preparation_end(replace(DRAWN, temps=TempsMajore(minutes=10))) == at(14, 50)


def test_the_passage_end_shown_to_the_jury_counts_the_amenagement_R24():
    started = replace(DRAWN, passage_debut=at(14, 41))
    assert rules.passage_end(started) == at(15, 1)
    assert rules.passage_end(replace(started, temps=TIERS_TEMPS)) == at(15, 8)
    assert rules.passage_end(replace(started, temps=TempsMajore(minutes=10))) == at(15, 1)  # minutes: preparation
    no_prep = replace(started, epreuve=replace(ORAL, preparation=0), temps=TempsMajore(minutes=10))
    assert rules.passage_end(no_prep) == at(15, 11)


def test_the_passage_needs_the_draw_first_and_starts_once_R30():
    assert rules.check_debut_passage(ARRIVED, at(15)).code == rules.TIRAGE_REQUIS
    no_subjects = replace(ARRIVED, epreuve=replace(ORAL, sujets=(), preparation=0))
    assert rules.check_debut_passage(no_subjects, at(14, 10)).ok  # an oral without draw nor preparation
    started = replace(DRAWN, passage_debut=at(14, 41))
    assert rules.oral_state(started) == "en_passage"
    assert rules.check_debut_passage(started, at(14, 42)).code == rules.PASSAGE_DEJA_COMMENCE
    assert rules.check_fin_passage(DRAWN).code == rules.PASSAGE_NON_COMMENCE
    assert rules.check_fin_passage(started).code == rules.PASSAGE_TERMINE
    done = replace(started, passage_fin=at(15, 1))
    assert rules.oral_state(done) == "termine" and rules.check_fin_passage(done).code == rules.PASSAGE_CLOS


# --- R25, R32: abandon and renunciation ----------------------------------------------------------------------------


def test_abandon_and_renunciation_once_arrived_and_before_the_passage_is_closed_R25_R32():
    assert rules.check_abandon(oral()).code == rules.NON_PRESENT
    assert rules.check_abandon(DRAWN).code == rules.ABANDON_ENREGISTRE
    assert rules.oral_state(replace(DRAWN, abandon_at=at(14, 30))) == "abandon"
    assert rules.check_abandon(replace(DRAWN, abandon_at=at(14, 30))).code == rules.PASSAGE_CLOS
    started = replace(DRAWN, passage_debut=at(14, 41))
    assert rules.check_renonciation(started).code == rules.RENONCIATION_ENREGISTREE
    assert rules.oral_state(replace(started, renonce_at=at(14, 45))) == "renonce"
    assert rules.check_renonciation(replace(started, passage_fin=at(15))).code == rules.PASSAGE_CLOS
    assert rules.check_renonciation(oral()).code == rules.NON_PRESENT


def test_every_state_the_jury_page_shows_R28():
    states = {rules.oral_state(o) for o in (
        oral(), ARRIVED, LATE, DRAWN, replace(DRAWN, passage_debut=at(14, 41)),
        replace(DRAWN, passage_debut=at(14, 41), passage_fin=at(15)), oral(decision="absent"),
        replace(DRAWN, abandon_at=at(14, 30)), oral(reporte=True, convoque_a=at(17)),
        replace(DRAWN, renonce_at=at(14, 30)))}
    assert states == set(rules.ORAL_STATES)


# --- R29, R31, R33: auditeurs, incidents, fraud --------------------------------------------------------------------


def test_auditeurs_need_the_candidat_agreement_and_stay_within_the_jury_limit_R29():
    assert rules.check_auditeurs(ARRIVED, 2, False, None).code == rules.ACCORD_CANDIDAT_REQUIS
    assert rules.check_auditeurs(ARRIVED, 2, True, 2).code == rules.AUDITEURS_ADMIS
    refused = rules.check_auditeurs(ARRIVED, 3, True, 2)
    assert refused.code == rules.LIMITE_AUDITEURS and refused.message == "Le jury limite les auditeurs à 2 à la fois."
    assert rules.check_auditeurs(ARRIVED, 30, True, None).ok
    assert rules.check_auditeurs(replace(DRAWN, abandon_at=at(14, 30)), 1, True, None).code == rules.PASSAGE_CLOS


def test_a_fraud_at_an_oral_is_recorded_with_the_jury_ruling_R33():
    assert rules.check_incident_oral(DRAWN, "fraude", None).code == rules.DECISION_FRAUDE_REQUISE
    ruled = rules.check_incident_oral(DRAWN, "fraude", "averee")
    assert ruled.ok and ruled.rule == "R33" and "éviction du candidat et note de zéro" in ruled.message
    assert rules.check_incident_oral(DRAWN, "enregistrement", None).rule == "R31"
    assert rules.check_incident_oral(oral(), "communication", None).code == rules.NON_PRESENT


def test_an_oral_over_two_days_is_the_current_epreuve_on_its_second_day_R28():
    two_days = replace(ORAL, last_date=date(2027, 3, 20))
    assert rules.current_epreuve([two_days], datetime(2027, 3, 20, 14, 10)) is two_days
    assert rules.current_epreuve([two_days], datetime(2027, 3, 20, 13)) is two_days  # the next one of the day
    assert rules.current_epreuve([two_days], datetime(2027, 3, 21, 14, 10)) is None
    assert rules.current_epreuve([ORAL], datetime(2027, 3, 20, 14, 10)) is None


def test_offline_the_arrival_is_judged_when_the_surveillant_saw_the_candidat_R28():
    seen = rules.check_oral_arrival(arrival(seen_at=CONVOQUE - M), CONVOQUE + 10 * M)
    assert seen.code == rules.ADMIS  # seen a minute early, received ten minutes late
    assert rules.check_oral_arrival(arrival(seen_at=CONVOQUE + 3 * M), CONVOQUE + 10 * M).data["retard_minutes"] == 3


# --- R28: who waits for a jury (the console's view) -------------------------------------------------------------


def test_the_jury_queue_lists_the_waiting_room_the_preparation_the_called_and_the_next_by_time_R28():
    queue = rules.jury_queue([
        ("C-1420", oral(arrived_at=at(14, 10)), None),  # waiting, not called: the next to call
        ("C-1400", replace(DRAWN, convoque_a=at(14)), at(14, 1)),  # called, preparing until 14 h 40
        ("C-1440", oral(convoque_a=at(14, 40), arrived_at=at(14, 42), late=True), None),  # late: waits for a decision
        ("C-1340", oral(convoque_a=at(13, 40), arrived_at=at(13, 30), tirage_at=at(13, 40), sujet=2,
                        passage_debut=at(14)), at(13, 39)),  # before the jury: neither called nor next
        ("C-1500", oral(convoque_a=at(15)), None),
        ("C-1320", oral(convoque_a=at(13, 20), decision="absent"), None),  # done: nowhere
    ])
    assert [w["numero"] for w in queue["attente"]] == ["C-1420", "C-1440"]
    assert [w["retard"] for w in queue["attente"]] == [False, True]
    assert queue["preparation"] == [{"numero": "C-1400", "fin": at(14, 40)}]
    assert queue["appele"] == {"numero": "C-1400", "a": at(14, 1)}
    assert queue["en_passage"] == {"numero": "C-1340", "fin": at(14, 20)}
    assert queue["suivant"]["numero"] == "C-1420"


def test_the_jury_queue_of_a_day_done_has_no_one_waiting_and_no_next_R28():
    queue = rules.jury_queue([("C-1", oral(passage_fin=at(15), passage_debut=at(14, 40), tirage_at=at(14, 20)),
                                at(14, 19))])
    assert queue == {"attente": [], "preparation": [], "appele": None, "en_passage": None, "suivant": None}


# --- R31: the subject given back ------------------------------------------------------------------------------


def test_the_subject_is_given_back_once_and_only_once_drawn_R31():
    assert rules.check_remise_sujet(ARRIVED).code == rules.PAS_DE_SUJET_TIRE
    verdict = rules.check_remise_sujet(DRAWN)
    assert verdict.ok and verdict.rule == "R31" and verdict.message == "Sujet n° 7 rendu au jury."
    again = rules.check_remise_sujet(replace(DRAWN, sujet_rendu_at=at(14, 50)))
    assert not again.ok and again.message == "Le sujet n° 7 a déjà été rendu à 14 h 50."
    assert rules.check_remise_sujet(replace(DRAWN, abandon_at=at(14, 30))).ok  # the paper goes back whatever the issue


def test_a_subject_missing_is_flagged_only_once_the_passage_is_over_R31():
    passing = replace(DRAWN, passage_debut=at(14, 40))
    assert not rules.sujet_manquant(passing)  # still before the jury: not yet missing
    done = replace(passing, passage_fin=at(15))
    assert rules.sujet_manquant(done)
    assert not rules.sujet_manquant(replace(done, sujet_rendu_at=at(15, 1)))
    assert not rules.sujet_manquant(oral(decision="absent"))  # nothing drawn, nothing to give back
