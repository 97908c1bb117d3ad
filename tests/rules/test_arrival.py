"""Arrival at the salle door (R1, R3, R4, R5, R7, R8), each rule at its edges, on plain data."""

from dataclasses import replace
from datetime import datetime, time, timedelta

import pytest

from salle import rules
from tests.rules.facts import A01, APRES_MIDI, CANDIDAT, CLOSE, CONCOURS, M1, MATIN, MONTREUIL, arrival, at


# --- R4: reading the code ------------------------------------------------------------------------

@pytest.mark.parametrize("raw", ["", "   ", None, "\x00\x01", "ATP27-\ufffd0042", "x" * 200])
def test_garbage_or_empty_code_is_illisible(raw):
    parsed = rules.parse_code(raw, CONCOURS)
    assert parsed.numero is None and parsed.verdict.code == rules.ILLISIBLE
    assert "illisible" in parsed.verdict.message.lower()


@pytest.mark.parametrize("raw", ["RED27-00042", "ATP26-00042", "ATP27-42", "hello"])
def test_code_of_another_concours_is_inconnu(raw):
    parsed = rules.parse_code(raw, CONCOURS)
    assert parsed.verdict.code == rules.INCONNU and parsed.verdict.rule == "R4"


ANY_NUMERO = replace(CONCOURS, numero_pattern="")


def test_code_of_128_characters_is_read_and_129_is_illisible_R4():
    assert rules.parse_code("A" * 128, ANY_NUMERO) == rules.ParsedCode("A" * 128, None)
    assert rules.parse_code(" " + "A" * 128 + "\r\n", ANY_NUMERO).numero == "A" * 128  # the scanner's spaces aside
    assert rules.parse_code("A" * 129, ANY_NUMERO).verdict.code == rules.ILLISIBLE


def test_illisible_and_inconnu_say_what_to_do_R4():
    illisible = rules.parse_code("", CONCOURS).verdict
    assert illisible.rule == "R4" and not illisible.ok
    assert illisible.message == ("Code illisible : scannez de nouveau, ou cherchez le candidat par son nom ou son "
                                 "numéro.")
    inconnu = rules.parse_code("hello", CONCOURS).verdict
    assert inconnu.message == ("Ce code n'est pas une convocation de ce concours : accès refusé. Orientez la "
                               "personne vers l'accueil.")


def test_code_with_an_empty_numero_is_inconnu_R4():
    framed = replace(ANY_NUMERO, code_format="<{numero}>")
    assert rules.parse_code("< >", framed).verdict.code == rules.INCONNU
    assert rules.parse_code("< 42 >", framed) == rules.ParsedCode("42", None)


def test_code_format_prefix_is_read():
    concours = replace(CONCOURS, code_format="CONV|{numero}")
    assert rules.parse_code(" CONV|ATP27-00042\r\n", concours).numero == "ATP27-00042"
    assert rules.parse_code("ATP27-00042", concours).verdict.code == rules.INCONNU


def test_unknown_numero_is_inconnu():
    assert rules.check_arrival(arrival(candidat=None), at(8, 45)).code == rules.INCONNU


def test_candidat_not_convoked_to_this_epreuve():
    c = replace(CANDIDAT, epreuves=("E2",))
    verdict = rules.check_arrival(arrival(candidat=c), at(8, 45))
    assert verdict.code == rules.NON_CONVOQUE and "Écrit du matin" in verdict.message


def test_candidat_convoked_to_this_epreuve_alone_is_admitted_R4():
    c = replace(CANDIDAT, epreuves=("E1",))
    assert rules.check_arrival(arrival(candidat=c), at(8, 45)).code == rules.ADMIS


# --- R3: doors ---------------------------------------------------------------------------------------

def test_admitted_one_second_before_doors_close():
    assert rules.check_arrival(arrival(), CLOSE - timedelta(seconds=1)).code == rules.ADMIS


def test_late_candidate_refused_at_the_closing_second():
    verdict = rules.check_arrival(arrival(), CLOSE)
    assert verdict.code == rules.PORTES_FERMEES and verdict.rule == "R3"
    assert "9 h 00" in verdict.message


def test_late_candidate_refused_one_second_after_closing():
    assert rules.check_arrival(arrival(), CLOSE + timedelta(seconds=1)).code == rules.PORTES_FERMEES


def test_doors_pronounced_early_by_hand_refuse_before_the_set_time():
    verdict = rules.check_arrival(arrival(doors_closed_at=at(8, 55)), at(8, 56))
    assert verdict.code == rules.PORTES_FERMEES and "8 h 55" in verdict.message


def test_moved_closing_time_admits_after_the_planned_time():
    moved = arrival(doors_close_at=at(9, 20))
    assert rules.check_arrival(moved, at(9, 19, 59)).code == rules.ADMIS
    assert rules.check_arrival(moved, at(9, 20)).code == rules.PORTES_FERMEES


def test_no_override_of_closed_doors_even_for_tiers_temps():
    c = replace(CANDIDAT, tiers_temps=True)
    assert rules.check_arrival(arrival(candidat=c), CLOSE + timedelta(seconds=1)).code == rules.PORTES_FERMEES


def test_already_present_wins_over_closed_doors():
    verdict = rules.check_arrival(arrival(entered_at=at(8, 41), entered_place="C4"), at(9, 30))
    assert verdict.code == rules.DEJA_PRESENT and "8 h 41" in verdict.message


# --- R3 offline: checked by eye at the door, recorded later -----------------------------------------------

def test_seen_offline_one_second_before_closing_is_admitted_after_it_and_flagged():
    verdict = rules.check_arrival(arrival(seen_at=CLOSE - timedelta(seconds=1)), at(9, 12))
    assert verdict.code == rules.ADMIS and verdict.rule == "R3"
    assert verdict.data["hors_ligne"] is True and verdict.data["entre_a"] == "2027-03-18T08:59:59"
    assert "8 h 59 selon la tablette hors ligne" in verdict.message and "alerté" in verdict.message


def test_seen_offline_at_the_closing_second_is_refused():
    verdict = rules.check_arrival(arrival(seen_at=CLOSE), at(9, 12))
    assert verdict.code == rules.PORTES_FERMEES


def test_seen_offline_at_the_second_of_a_pronounced_closing_is_refused_R3():
    early = arrival(doors_closed_at=at(8, 55), seen_at=at(8, 55))
    assert rules.check_arrival(early, at(9, 5)).code == rules.PORTES_FERMEES


def test_seen_offline_after_a_closing_pronounced_early_is_refused():
    early = arrival(doors_closed_at=at(8, 55), seen_at=at(8, 55, 1))
    assert rules.check_arrival(early, at(9, 5)).code == rules.PORTES_FERMEES
    assert rules.check_arrival(replace(early, seen_at=at(8, 54, 59)), at(9, 5)).code == rules.ADMIS


def test_seen_offline_while_the_doors_are_still_open_is_an_ordinary_admission():
    verdict = rules.check_arrival(arrival(seen_at=at(8, 50)), at(8, 52))
    assert verdict.code == rules.ADMIS and verdict.rule == "R5" and "hors_ligne" not in verdict.data


def test_a_seen_time_after_now_never_helps():
    assert rules.check_arrival(arrival(seen_at=at(9, 30)), at(9, 12)).code == rules.PORTES_FERMEES


def test_seen_offline_does_not_pass_the_other_rules():
    elsewhere = arrival(door_salle=A01, seen_at=at(8, 50))
    assert rules.check_arrival(elsewhere, at(9, 12)).code == rules.MAUVAISE_SALLE
    inside = arrival(entered_at=at(8, 41), seen_at=at(8, 50))
    assert rules.check_arrival(inside, at(9, 12)).code == rules.DEJA_PRESENT


# --- R1: site and salle ------------------------------------------------------------------------------

def test_wrong_site_says_which_site_and_its_address():
    c = replace(CANDIDAT, site="MONTREUIL", salle="M1")
    verdict = rules.check_arrival(arrival(candidat=c, candidat_site=MONTREUIL, candidat_salle=M1), at(8, 45))
    assert verdict.code == rules.MAUVAIS_SITE and verdict.rule == "R1"
    assert "Maison des examens" in verdict.message and "93100 Montreuil" in verdict.message


def test_wrong_salle_says_which_salle_and_how_to_get_there():
    verdict = rules.check_arrival(arrival(door_salle=A01), at(8, 45))
    assert verdict.code == rules.MAUVAISE_SALLE
    assert verdict.message == "Aller en Salle B12, bâtiment B, 1er étage — place C4."


# --- R7: pièces manquantes ------------------------------------------------------------------------

def test_missing_pieces_refused_until_confirmed():
    c = replace(CANDIDAT, pieces_manquantes="Copie du diplôme")
    verdict = rules.check_arrival(arrival(candidat=c), at(8, 45))
    assert verdict.code == rules.PIECES_MANQUANTES and "Copie du diplôme" in verdict.message


def test_missing_pieces_produced_before_the_start_admit():
    c = replace(CANDIDAT, pieces_manquantes="Copie du diplôme")
    assert rules.check_arrival(arrival(candidat=c, pieces_produites_at=at(8, 59, 59)), at(8, 59, 59)).code == rules.ADMIS


def test_missing_pieces_produced_at_the_start_are_too_late():
    c = replace(CANDIDAT, pieces_manquantes="Copie du diplôme")
    late = arrival(candidat=c, doors_close_at=at(9, 15), pieces_produites_at=at(9))
    verdict = rules.check_arrival(late, at(9))
    assert verdict.code == rules.PIECES_MANQUANTES and "avant le début" in verdict.message


def test_pieces_produced_in_the_morning_still_count_in_the_afternoon():
    c = replace(CANDIDAT, pieces_manquantes="Copie du diplôme")
    a = arrival(candidat=c, epreuve=APRES_MIDI, doors_close_at=APRES_MIDI.doors_close_dt, pieces_produites_at=at(8, 45))
    assert rules.check_arrival(a, at(13, 40)).code == rules.ADMIS


# --- R5: identity --------------------------------------------------------------------------------

def test_admission_without_identity_document_alerts_the_responsable():
    verdict = rules.check_arrival(arrival(piece_identite="aucune"), at(8, 45))
    assert verdict.code == rules.ADMIS and verdict.data["alerte"] is True
    assert "responsable" in verdict.message


def test_without_piece_identite_the_scan_is_only_a_preview():
    verdict = rules.check_arrival(arrival(piece_identite=None), at(8, 45))
    assert verdict.code == rules.ADMIS and verdict.data["a_confirmer"] is True


def test_tiers_temps_shown_at_admission():
    c = replace(CANDIDAT, tiers_temps=True)
    assert "fin à 13 h 00" in rules.check_arrival(arrival(candidat=c), at(8, 45)).message


# --- R8: morning and afternoon are separate épreuves -------------------------------------------------

@pytest.mark.parametrize("now, expected", [
    (at(7, 0), "E1"), (at(8, 0), "E1"), (at(11, 59), "E1"), (at(12, 45), "E1"), (at(13, 15), "E2"),
    (at(15, 29), "E2"), (at(16, 29), "E2"), (at(16, 31), None),
])
def test_current_epreuve_follows_the_clock(now, expected):
    current = rules.current_epreuve([MATIN, APRES_MIDI], now)
    assert (current.code if current else None) == expected


def test_morning_tiers_temps_keeps_the_morning_epreuve_open():
    # 9:00 + 3 h + 1 h tiers-temps = 13:00; the afternoon accueil opens 13:15.
    assert rules.current_epreuve([MATIN, APRES_MIDI], at(13, 10)).code == "E1"


SOIR = replace(APRES_MIDI, code="E3", start=time(15), doors_close=time(15), accueil=time(14), convocation=time(14, 30))


def test_morning_epreuve_kept_thirty_minutes_after_its_tiers_temps_end_R8_R24():
    # 9:00 + 3 h + 1 h tiers-temps = 13:00, + 30 min: 13:30; the next accueil opens at 14:00.
    assert rules.current_epreuve([MATIN, SOIR], at(13, 29, 59)).code == "E1"
    assert rules.current_epreuve([MATIN, SOIR], at(13, 30)).code == "E3"  # waiting for the next accueil
    assert rules.current_epreuve([MATIN], at(13, 29, 59)).code == "E1"
    assert rules.current_epreuve([MATIN], at(13, 30)) is None


def test_next_epreuve_from_its_accueil_on_R8():
    assert rules.current_epreuve([SOIR, MATIN], at(13, 59, 59)).code == "E3"
    assert rules.current_epreuve([SOIR, MATIN], at(14)).code == "E3"
    assert rules.current_epreuve([SOIR, MATIN], at(7, 59, 59)).code == "E1"


def test_no_epreuve_on_another_day():
    assert rules.current_epreuve([MATIN, APRES_MIDI], datetime(2027, 3, 19, 9)) is None


def test_names_compare_without_accents_case_hyphens_or_spaces():
    assert rules.normalize_name("Lefèvre-Dupont") == rules.normalize_name("LEFEVRE DUPONT")
    assert rules.normalize_name("N'Diaye") == rules.normalize_name("ndiaye")


@pytest.mark.parametrize("name, key", [
    ("Lefèvre-Dupont", "lefevredupont"), ("LEFEVRE DUPONT", "lefevredupont"), ("N'Diaye", "ndiaye"),
    ("Œuvray", "œuvray"), ("ﬁlippi", "filippi"), ("Müller 2", "muller2"), ("  ", ""),
])
def test_normalized_name_is_its_letters_and_digits_in_lower_case(name, key):
    assert rules.normalize_name(name) == key
