"""Arrival at the door, the order of the rules: R1 (site, salle) before R3 (late), and a convocation already
used at another door (R4, R8) named with where and when. Plain data, edges at the closing second."""

from dataclasses import replace
from datetime import timedelta

from salle import rules
from tests.rules.facts import A01, B12, CANDIDAT, CLOSE, M1, MONTREUIL, PANTIN, at
from tests.rules.facts import arrival

AT_MONTREUIL = replace(CANDIDAT, site="MONTREUIL", salle="M1")


def test_wrong_site_after_the_closing_is_told_where_to_go_not_refused_late_R1_before_R3():
    for now in (CLOSE - timedelta(seconds=1), CLOSE, CLOSE + timedelta(seconds=1)):
        verdict = rules.check_arrival(arrival(candidat=AT_MONTREUIL, candidat_site=MONTREUIL, candidat_salle=M1), now)
        assert verdict.code == rules.MAUVAIS_SITE and verdict.rule == "R1"
        assert "Maison des examens" in verdict.message


def test_wrong_salle_after_the_closing_is_told_which_salle_R1_before_R3():
    for now in (CLOSE, CLOSE + timedelta(seconds=1)):
        verdict = rules.check_arrival(arrival(door_salle=A01), now)
        assert verdict.code == rules.MAUVAISE_SALLE and verdict.message.startswith("Aller en Salle B12")


def test_right_salle_after_the_closing_is_still_refused_late():
    assert rules.check_arrival(arrival(), CLOSE).code == rules.PORTES_FERMEES
    assert rules.check_arrival(arrival(), CLOSE - timedelta(seconds=1)).code == rules.ADMIS


def test_same_convocation_again_at_its_own_door_is_nothing_to_do():
    verdict = rules.check_arrival(arrival(entered_at=at(8, 41), entered_place="C4", entered_salle=B12,
                                          entered_site=PANTIN), at(8, 50))
    assert verdict.code == rules.DEJA_PRESENT and verdict.rule == "R8"
    assert "dans cette salle à 8 h 41, place C4 : rien à faire" in verdict.message
    assert "ailleurs" not in verdict.data


def test_convocation_used_at_another_site_names_where_and_when_and_alerts():
    verdict = rules.check_arrival(arrival(candidat=AT_MONTREUIL, candidat_site=MONTREUIL, candidat_salle=M1,
                                          entered_at=at(8, 41), entered_place="C4", entered_salle=M1,
                                          entered_site=MONTREUIL), CLOSE + timedelta(minutes=2))
    assert verdict.code == rules.DEJA_PRESENT and verdict.rule == "R4"
    assert ("déjà entré(e) à 8 h 41, Amphithéâtre M1 — Maison des examens, 12 avenue de la Résistance, "
            "93100 Montreuil, place C4") in verdict.message
    assert "Ne laissez pas entrer" in verdict.message
    assert verdict.data == {"candidat": CANDIDAT.numero, "ailleurs": True, "entre_salle": "M1",
                            "entre_site": "MONTREUIL"}


def test_convocation_used_in_another_salle_of_the_same_site_alerts_without_the_site():
    verdict = rules.check_arrival(arrival(door_salle=A01, entered_at=at(8, 41), entered_salle=B12,
                                          entered_site=PANTIN), at(8, 45))
    assert verdict.code == rules.DEJA_PRESENT and verdict.data["ailleurs"] is True
    assert "8 h 41, Salle B12, place C4" in verdict.message and "Pantin" not in verdict.message
