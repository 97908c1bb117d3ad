"""Émargement (R20, R25, R9): once per épreuve, by a candidat in the salle, after the ouverture des sujets."""

from dataclasses import replace

from salle import rules
from tests.rules.facts import END, MATIN, STARTED, S, TT_END, presence

ORAL = replace(MATIN, kind="oral")


def emargement(abandon=False, **kw) -> rules.Verdict:
    return rules.check_emargement(rules.EmargementFacts(presence(**{"emarge": False, **kw}), abandon), STARTED + S)


def test_emargement_of_a_candidat_in_the_salle_attests_the_copies_R20():
    verdict = emargement()
    assert verdict.code == rules.EMARGEMENT_ENREGISTRE and verdict.ok and verdict.rule == "R20"
    assert verdict.message == "Émargement enregistré : la signature atteste de la remise des copies."


def test_emargement_at_the_second_the_subject_opens_R9():
    facts = rules.EmargementFacts(presence(emarge=False))
    assert rules.check_emargement(facts, STARTED).code == rules.EMARGEMENT_ENREGISTRE


def test_emargement_after_the_end_and_after_a_tiers_temps_end_R20_R24():
    for now in (END, TT_END + S):
        facts = rules.EmargementFacts(presence(emarge=False, tiers_temps=True))
        assert rules.check_emargement(facts, now).code == rules.EMARGEMENT_ENREGISTRE


def test_no_emargement_before_the_ouverture_des_sujets_R9():
    verdict = emargement(started_at=None)
    assert verdict.code == rules.EPREUVE_NON_COMMENCEE and not verdict.ok and verdict.rule == "R9"
    assert verdict.message == "L'épreuve n'a pas commencé : l'émargement se fait à la remise des copies."


def test_second_emargement_refused_and_nothing_recorded_R20():
    verdict = emargement(emarge=True)
    assert verdict.code == rules.DEJA_EMARGE and not verdict.ok and verdict.rule == "R20"
    assert verdict.message == "Ce candidat a déjà émargé pour cette épreuve : rien n'est enregistré."


def test_no_emargement_for_a_candidat_never_admitted_R20():
    verdict = emargement(status=None)
    assert verdict.code == rules.NON_PRESENT and not verdict.ok and verdict.rule == "R20"
    assert verdict.message == ("Ce candidat n'est pas enregistré comme présent dans cette salle : pas "
                               "d'émargement.")


def test_no_emargement_while_the_candidat_is_at_the_toilets_R19():
    verdict = emargement(status="toilettes")
    assert verdict.code == rules.AUX_TOILETTES and not verdict.ok and verdict.rule == "R19"
    assert verdict.message == "Ce candidat est aux toilettes : enregistrez d'abord son retour."


def test_back_from_the_toilets_the_candidat_signs_R20():
    assert emargement(status="present").code == rules.EMARGEMENT_ENREGISTRE


def test_abandon_refused_at_a_written_epreuve_R25():
    verdict = emargement(abandon=True)
    assert verdict.code == rules.ABANDON_ORAL_SEULEMENT and not verdict.ok and verdict.rule == "R25"
    assert verdict.message == ("« Abandon » ne s'émarge qu'à une épreuve orale ; à l'écrit, le candidat rend sa "
                               "copie (ou une copie blanche).")


def test_abandon_signed_at_an_oral_R25():
    verdict = emargement(abandon=True, epreuve=ORAL)
    assert verdict.code == rules.EMARGEMENT_ENREGISTRE and verdict.rule == "R20"


def test_an_oral_has_no_ouverture_des_sujets_to_wait_for_R25():
    assert emargement(epreuve=ORAL, started_at=None).code == rules.EMARGEMENT_ENREGISTRE
    assert emargement(abandon=True, epreuve=ORAL, started_at=None).code == rules.EMARGEMENT_ENREGISTRE
