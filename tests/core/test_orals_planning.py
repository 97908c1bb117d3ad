"""An oral épreuve in the session file and the candidats file (R28): jurys, preparation rooms, durations, the
subjects' numbers, each candidat's passage; every mistake named in French, by key or by line."""

import json
from dataclasses import replace

import pytest

from salle.importing import ImportRejete, import_candidats
from salle.model import TIERS_TEMPS, TempsMajore
from salle.planning import oral_extra, slot
from salle.session_file import SessionFileError, parse_session
from salle.state import queries
from tests.helpers.pdf import pdf_raw
from tests.helpers.orals import ORAL_DAY, oral_at, oral_session_toml

GOOD = oral_session_toml()
HEADER = "N° d'inscription;Nom usuel;Prénom;Date de naissance;Site;Tiers-temps;Jury;Date de passage;Heure de passage"


def bad(text: str) -> str:
    with pytest.raises(SessionFileError) as exc:
        parse_session(text)
    return exc.value.message


def test_the_session_file_describes_the_oral_its_jurys_and_the_passages_R28():
    s = parse_session(GOOD)
    o1 = s.epreuve("O1")
    assert (o1.kind, o1.preparation, o1.passage, o1.sujets, o1.salles_preparation) == (
        "oral", 20, 20, tuple(range(1, 13)), ("P01",))
    assert [(j.code, j.name, j.salle, j.membres) for j in s.jurys_of("O1")] == [
        ("J1", "Jury 1", "O101", ("Mme Durand", "M. Petit")), ("J2", "Jury 2", "O102", ("Mme Haddad", "M. Leroy"))]
    assert [(p.numero, p.jury, p.at) for p in s.passages][:2] == [
        ("ATP27-00001", "J1", oral_at("14:00")), ("ATP27-00003", "J1", oral_at("14:20"))]
    assert [(p.role, p.jury) for p in s.staff if p.role == "jury"] == [("jury", "J1"), ("jury", "J2")]


@pytest.mark.parametrize("old, new, words", [
    ('sujets = "1-12"', 'sujets = "0-12"', "« epreuves[3].sujets » : numéros de sujets attendus"),
    ('sujets = "1-12"', 'sujets = "1-12, 5"', "« epreuves[3].sujets » : numéro de sujet en double"),
    ('sujets = "1-12"', 'sujets = ["un", "deux"]', "« epreuves[3].sujets » : numéros de sujets attendus"),
    ('passage = "20 min"', 'passage = "vingt"', "« epreuves[3].passage » : durée attendue"),
    ('salles_preparation = ["P01"]', 'salles_preparation = ["Z99"]', "« epreuves[3].salles_preparation » : salle "
                                                                     "« Z99 » inconnue"),
    ('salle = "O101"', 'salle = "Z99"', "« jurys[1].salle » : salle « Z99 » inconnue"),
    ('membres = ["Mme Durand", "M. Petit"]', 'membres = "Mme Durand"', "« jurys[1].membres » : liste de noms"),
    ('jury = "J1"\ndate', 'jury = "J9"\ndate', "« passages[1].jury » : jury « J9 » inconnu pour l'épreuve O1"),
    ('jury = "J1"\ncode', 'jury = "J9"\ncode', "jury « J9 » inconnu"),
    ('heure = "14:20"', 'heure = "14:10"', "passages en conflit : passages[2] : le jury J1 a déjà ATP27-00001 de "
                                           "14 h 20 à 14 h 40 (passages[1]), passage de ATP27-00003 à 14 h 30"),
    (f'date = {ORAL_DAY.isoformat()}\nheure = "14:20"', 'date = 2027-03-20\nheure = "14:20"',
     "« passages[2].date » : hors des jours de l'épreuve O1 (19/03/2027)"),
    ('numero = "ATP27-00003"', 'numero = "ATP27-00001"', "« passages[2].numero » : ATP27-00001 a déjà un passage"),
])
def test_a_wrong_oral_is_named_in_french(old, new, words):
    assert old in GOOD
    assert words in bad(GOOD.replace(old, new, 1))


def test_a_jury_may_have_its_own_hours_one_day_of_the_orals():
    two_days = GOOD.replace('sujets = "1-12"', 'sujets = "1-12"\njusqu_au = 2027-03-20', 1)
    own = two_days.replace('membres = ["Mme Durand", "M. Petit"]', 'membres = ["Mme Durand", "M. Petit"]\n'
                           'horaires = ["14:00-18:00"]\nhoraires_jour = { "2027-03-20" = ["09:00-12:00", '
                           '"13:00-15:00"], "19/03/2027" = [] }', 1)
    from datetime import date, time
    j1 = parse_session(own).jury("J1")
    assert j1.hours_on(date(2027, 3, 20)) == ((time(9), time(12)), (time(13), time(15)))
    assert j1.hours_on(date(2027, 3, 19)) == ()  # no passage that day
    assert parse_session(own).jury("J2").hours_on(date(2027, 3, 20)) is None  # no hours given: the épreuve's span
    outside = own.replace('"2027-03-20" = ["09:00', '"2027-03-21" = ["09:00')
    assert "« jurys[1].horaires_jour » : le 21/03/2027 n'est pas un jour des oraux de l'épreuve O1 (19/03/2027 au " \
           "20/03/2027)" in bad(outside)
    assert "« jurys[1].horaires_jour.2027-03-20 » : plages horaires attendues" in bad(
        own.replace('"09:00-12:00", "13:00', '"9 heures", "13:00'))
    assert "« jurys[1].horaires_jour.lundi » : date attendue" in bad(own.replace('"19/03/2027" = []', 'lundi = []'))
    assert "« jurys[1].horaires_jour » : table attendue" in bad(
        two_days.replace('membres = ["Mme Durand", "M. Petit"]', 'membres = ["Mme Durand"]\nhoraires_jour = ["9:00"]'))


def test_a_passage_at_a_written_epreuve_is_refused():
    assert "« passages[1].epreuve » : épreuve orale « E1 » inconnue" in bad(
        GOOD.replace('epreuve = "O1"\njury = "J1"', 'epreuve = "E1"\njury = "J1"', 1))


def test_orals_over_two_days_take_passages_on_the_second_day():
    two_days = GOOD.replace('sujets = "1-12"', 'sujets = "1-12"\njusqu_au = 2027-03-20', 1)
    s = parse_session(two_days.replace(f'date = {ORAL_DAY.isoformat()}\nheure = "14:20"',
                                       'date = 2027-03-20\nheure = "09:00"', 1))
    assert s.passages[1].at.day == 20


def test_the_aménagement_lengthens_the_preparation_and_the_passage_R24():
    o1 = parse_session(GOOD).epreuve("O1")
    assert oral_extra(o1, None) == (0, 0)
    assert oral_extra(o1, TempsMajore(minutes=10)) == (10, 0)  # minutes: the preparation
    assert oral_extra(o1, TIERS_TEMPS) == (7, 7)  # a third of 20 min, rounded up
    first = parse_session(GOOD).passages[0]  # convoked at 14:00
    assert (slot(o1, first).debut, slot(o1, first).fin) == (oral_at("14:20"), oral_at("14:40"))
    third = slot(o1, first, TIERS_TEMPS)
    assert (third.convoque, third.debut, third.fin) == (oral_at("14:00"), oral_at("14:27"), oral_at("14:54"))


def csv_bytes(rows):
    return ("\r\n".join([HEADER, *rows]) + "\r\n").encode("utf-8")


def test_passages_imported_from_the_candidats_file_with_french_headers_R28(oral_day):
    rows = ["ATP27-90001;Lefèvre;Hélène;04/05/1990;PANTIN;non;J2;19/03/2027;15:00",
            "ATP27-90002;Œuvray;Zoé;01/02/1985;PANTIN;oui;J2;19/03/2027;15 h 20",
            "ATP27-90003;Ménard;Jérôme;30/11/1979;PANTIN;non;;;"]
    import_candidats(oral_day, csv_bytes(rows), "oraux.csv")
    db, o1 = oral_day.journal.reader(), oral_day.session.epreuve("O1")
    assert json.loads(queries.candidat(db, "ATP27-90001") and db.execute(
        "SELECT passages FROM candidats WHERE numero = 'ATP27-90001'").fetchone()[0]) == [
        {"epreuve": "O1", "jury": "J2", "at": "2027-03-19T15:00"}]
    assert queries.oral_passage(db, oral_day.session, o1, "ATP27-90003") is None
    j2 = [(p.numero, p.at) for p, _ in queries.oral_passages(db, oral_day.session, o1, "J2")]
    # the demo's candidats went with the new list: the session file's passages of ATP27-00005 and 00007 too
    assert j2 == [("ATP27-90001", oral_at("15:00")), ("ATP27-90002", oral_at("15:20"))]


def test_the_session_file_passages_of_the_candidats_the_day_knows_R28(oral_day):
    db, o1 = oral_day.journal.reader(), oral_day.session.epreuve("O1")
    assert [(p.numero, p.jury, p.at.strftime("%H:%M"), c.nom != "") for p, c in queries.oral_passages(
        db, oral_day.session, o1)] == [("ATP27-00001", "J1", "14:00", True), ("ATP27-00005", "J2", "14:00", True),
                                       ("ATP27-00003", "J1", "14:20", True), ("ATP27-00007", "J2", "14:20", True)]
    assert queries.oral_passage(db, oral_day.session, o1, "ATP27-00003").at == oral_at("14:20")
    assert queries.oral_passage(db, oral_day.session, o1, "ATP27-00002") is None


def test_a_wrong_passage_rejects_its_line_and_nothing_is_imported_R28(oral_day):
    rows = ["ATP27-90001;Lefèvre;Hélène;04/05/1990;PANTIN;non;J9;19/03/2027;15:00",
            "ATP27-90002;Œuvray;Zoé;01/02/1985;PANTIN;non;J2;31/02/2027;15:20",
            "ATP27-90003;Ménard;Jérôme;30/11/1979;PANTIN;non;J2;19/03/2027;25:00",
            "ATP27-90004;Roux;Léa;01/01/1990;PANTIN;non;J2;20/03/2027;15:00",
            "ATP27-90005;Roy;Paul;01/01/1990;PANTIN;non;J1;;"]
    with pytest.raises(ImportRejete) as exc:
        import_candidats(oral_day, csv_bytes(rows), "oraux.csv")
    message = exc.value.message
    for expected in ["ligne 2 : jury « J9 » inconnu pour l'épreuve O1",
                     "ligne 3 : date de passage « 31/02/2027 » invalide (attendu jj/mm/aaaa)",
                     "ligne 4 : heure de passage « 25:00 » invalide",
                     "ligne 5 : date de passage 20/03/2027 hors des jours de l'épreuve O1",
                     "ligne 6 : date de passage manquante ; heure de passage manquante"]:
        assert expected in message


def test_a_jury_given_two_candidats_at_once_is_refused_with_their_lines_and_the_aménagement_counts_R24_R28(
        oral_day):
    # 15:00, a third more: preparation until 15:27, before the jury 15:27–15:54; the next passage at 15:40 clashes
    rows = ["ATP27-90001;Lefèvre;Hélène;04/05/1990;PANTIN;oui;J2;19/03/2027;15:00",
            "ATP27-90002;Œuvray;Zoé;01/02/1985;PANTIN;non;J2;19/03/2027;15:20"]
    with pytest.raises(ImportRejete) as exc:
        import_candidats(oral_day, csv_bytes(rows), "oraux.csv")
    assert ("ligne 3 : le jury J2 a déjà ATP27-90001 de 15 h 27 à 15 h 54 (ligne 2), passage de ATP27-90002 à "
            "15 h 40") in exc.value.message
    import_candidats(oral_day, csv_bytes([rows[0].replace(";oui;", ";non;"), rows[1]]), "oraux.csv")


def test_a_passage_in_a_session_without_oral_is_an_error(day):
    rows = ["ATP27-90001;Lefèvre;Hélène;04/05/1990;PANTIN;non;J1;18/03/2027;15:00"]
    with pytest.raises(ImportRejete) as exc:
        import_candidats(day, csv_bytes(rows), "oraux.csv")
    assert "ligne 2 : passage à un oral, mais la session n'a pas d'oral" in exc.value.message


def test_the_convocation_prints_the_passage_day_time_and_jury_and_the_amenagement_R24_R28(oral_day):
    import re

    from salle.documents.convocations import convocations_of, render

    db = oral_day.journal.reader()
    c = replace(queries.candidat(db, "ATP27-00003"), tiers_temps=True)
    convs = convocations_of(oral_day.session, [c], queries.all_oral_passages(db, oral_day.session))
    oral = next(conv for conv in convs if conv.day == ORAL_DAY)
    assert [e.code for e in oral.epreuves] == ["O1"] and oral.filename == "ATP27-00003_2027-03-19.pdf"
    raw = pdf_raw(render(oral_day.session, oral))
    text = re.sub(r"\s+", " ", raw.replace("\u202f", " "))
    assert "Épreuve orale : présentez-vous le vendredi 19 mars 2027 à 14 h 20 — Jury 1, Salle O101" in text
    assert "tirage au sort de votre sujet, préparation de 20 min" in text and "un retard est signalé au jury" in text
    assert "Aménagement accordé (tiers-temps) : préparation +7 min, passage +7 min." in text
    assert "Fermeture des portes" not in text


def test_a_written_and_an_oral_the_same_afternoon_each_salle_works_for_its_own(tmp_path, clock):
    """The oral's rooms (its preparation room, its juries' rooms) work for the oral once its accueil opens; the
    other salles for the written épreuve of the same afternoon (E2 at 14:00)."""
    from datetime import datetime

    from salle.day import ExamDay
    from tests.helpers.orals import ORAL_DAY

    same_day = oral_session_toml().replace(f"date = {ORAL_DAY.isoformat()}", "date = 2027-03-18")
    day = ExamDay(tmp_path / "jour.db", clock)
    try:
        day.load_session(same_day)
        at = datetime(2027, 3, 18, 14, 5)
        assert [day.epreuve_for(None, at, s).code for s in ("A01", "B12", "M1", "P01", "O101", "O102")] == [
            "E2", "E2", "E2", "O1", "O1", "O1"]
        assert day.epreuve_for(None, datetime(2027, 3, 18, 13, 20), "P01").code == "E2"  # before the oral's accueil
        assert day.epreuve_for(None, datetime(2027, 3, 18, 9, 30), "O101").code == "E1"
    finally:
        day.close()
