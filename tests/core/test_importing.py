"""Candidats from the registration system's CSV: encodings, separators, headers, rejections, re-imports."""

import json

import pytest

from salle.importing import ImportRejete, import_candidats

HEADER = "N° d'inscription;Nom usuel;Prénom;Date de naissance;Site;Salle;Place;Tiers-temps;Pièces manquantes"
ROWS = [
    "ATP27-90001;Lefèvre;Hélène;04/05/1990;PANTIN;B12;A1;non;",
    "ATP27-90002;Œuvray;Zoé;1/2/1985;PANTIN;;;oui;",
    "ATP27-90003;Ménard;Jérôme;30/11/1979;MONTREUIL;;;non;Copie du diplôme",
]


@pytest.fixture
def day(empty_day):
    """Import tests start from the session alone: an import replaces the whole list."""
    return empty_day


def csv_bytes(rows=ROWS, header=HEADER, encoding="utf-8", sep=";"):
    text = "\r\n".join([header, *rows]) + "\r\n"
    return text.replace(";", sep).encode(encoding)


def candidats(day) -> dict:
    return {r["numero"]: r for r in day.journal.query("SELECT * FROM candidats WHERE numero LIKE 'ATP27-9%'")}


def count_events(day) -> int:
    return day.journal.one("SELECT COUNT(*) AS n FROM events")["n"]


def test_utf8_with_bom_and_accents(day):
    report = import_candidats(day, b"\xef\xbb\xbf" + csv_bytes(), "bom.csv")
    assert len(report.ajoutes) == 3
    rows = candidats(day)
    assert rows["ATP27-90001"]["nom"] == "Lefèvre" and rows["ATP27-90001"]["date_naissance"] == "1990-05-04"
    assert rows["ATP27-90002"]["tiers_temps"] == 1 and rows["ATP27-90003"]["pieces_manquantes"] == "Copie du diplôme"


def test_windows_1252_with_commas(day):
    import_candidats(day, csv_bytes(encoding="cp1252", sep=","), "excel.csv")
    assert candidats(day)["ATP27-90002"]["nom"] == "Œuvray"


def test_headers_matched_without_case_accents_or_spacing(day):
    header = "  NUMERO D'INSCRIPTION ; nom   usuel;PRENOM;date de naissance;SITE;salle;PLACE;tiers temps;pieces manquantes"
    import_candidats(day, csv_bytes(header=header), "caps.csv")
    assert len(candidats(day)) == 3


def test_places_given_alphabetically_filling_the_seat_plan(day):
    rows = [f"ATP27-9{i:04d};{name};Anne;01/01/1990;MONTREUIL;M2;;non;" for i, name in
            enumerate(["Zola", "Adam", "Martin"], start=1)]
    import_candidats(day, csv_bytes(rows), "places.csv")
    rows = candidats(day)
    by_name = sorted(rows.values(), key=lambda r: r["nom"])
    assert [(r["nom"], r["place"]) for r in by_name] == [("Adam", "A1"), ("Martin", "A2"), ("Zola", "A3")]


def test_missing_column_is_named(day):
    before = count_events(day)
    header = HEADER.replace("Date de naissance", "Naissance")
    with pytest.raises(ImportRejete, match="colonne\\(s\\) manquante\\(s\\) : Date de naissance"):
        import_candidats(day, csv_bytes(header=header), "sans-date.csv")
    assert count_events(day) == before


@pytest.mark.parametrize("raw, words", [
    ("x".encode("utf-16"), "UTF-16"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "binaire"),
    ("N° d'inscription;Nom usuel".encode("utf-8").decode("latin-1").encode("utf-8") + b"\n", "converti deux fois"),
    (b"", "vide"),
])
def test_wrong_encoding_or_not_a_csv(day, raw, words):
    before = count_events(day)
    with pytest.raises(ImportRejete, match=words):
        import_candidats(day, raw, "mauvais.csv")
    assert count_events(day) == before


def test_every_bad_row_is_reported_and_nothing_changes(day):
    rows = ROWS + [
        "ATP27-90004;Durand;Luc;31/02/1990;PANTIN;;;non;",
        "ATP27-90005;Petit;;01/01/1990;LYON;;;non;",
        "ATP27-90001;Doublon;Anne;01/01/1990;PANTIN;;;non;",
        "RED27-00001;Autre;Concours;01/01/1990;PANTIN;;;non;",
        "ATP27-90006;Roux;Léa;01/01/1990;PANTIN;M1;;peut-être;",
        "ATP27-90007;Roy;Paul;01/01/1990;PANTIN;B12;A1;non;",
    ]
    before = count_events(day)
    with pytest.raises(ImportRejete) as exc:
        import_candidats(day, csv_bytes(rows), "erreurs.csv")
    message = exc.value.message
    assert "rien n'a été importé" in message
    for expected in ["ligne 5 : date de naissance « 31/02/1990 » invalide", "ligne 6 : Prénom vide ; site « LYON » inconnu",
                     "ligne 7 : N° d'inscription « ATP27-90001 » déjà présent ligne 2",
                     "ligne 8 : N° d'inscription « RED27-00001 » d'un autre format",
                     "ligne 9 : salle « M1 » hors du site PANTIN ; tiers-temps « peut-être »"]:
        assert expected in message
    assert count_events(day) == before and candidats(day) == {}


def test_place_conflict_and_capacity_are_rejected(day):
    rows = ROWS + ["ATP27-90007;Roy;Paul;01/01/1990;PANTIN;B12;A1;non;", "ATP27-90008;Roy;Léo;01/01/1990;PANTIN;B12;Z99;non;"]
    with pytest.raises(ImportRejete) as exc:
        import_candidats(day, csv_bytes(rows), "places.csv")
    assert "place A1 de la salle B12 déjà donnée ligne 2" in exc.value.message
    assert "place « Z99 » hors du plan" in exc.value.message


def test_same_file_twice_changes_nothing(day):
    import_candidats(day, csv_bytes(), "a.csv")
    before = count_events(day)
    state = candidats(day)
    report = import_candidats(day, csv_bytes(), "a.csv")
    assert not report.changed and "Aucun changement." in "\n".join(report.lines())
    assert count_events(day) == before and candidats(day) == state


def test_corrected_file_updates_and_says_what_changed(day):
    import_candidats(day, csv_bytes(), "a.csv")
    corrected = [ROWS[0].replace("Hélène", "Héléna"), ROWS[1], ROWS[2].replace(";Copie du diplôme", ";")]
    report = import_candidats(day, csv_bytes(corrected), "b.csv")
    changes = {c["numero"]: c for c in report.modifies}
    assert changes["ATP27-90001"]["apres"] == {"prenom": "Héléna"}
    assert changes["ATP27-90003"]["avant"] == {"pieces_manquantes": "Copie du diplôme"}
    assert "prenom : « Hélène » → « Héléna »" in "\n".join(report.lines())
    assert candidats(day)["ATP27-90001"]["prenom"] == "Héléna"
    assert candidats(day)["ATP27-90002"]["place"]  # auto-placed once, kept


def test_candidat_with_events_is_never_deleted(day, clock):
    from salle.commands.arrivals import ScanRequest, scan
    from salle.day import Caller
    from salle.journal import Actor

    import_candidats(day, csv_bytes(), "a.csv")
    surveillant = Caller(Actor("P004", "surveillant"), "surveillant", salle="B12", site="PANTIN")
    assert scan(day, surveillant, "B12", ScanRequest(code="ATP27-90001", client_id="scan-0001",
                                                     piece_identite="cni"))["verdict"] == "admis"
    report = import_candidats(day, csv_bytes(ROWS[2:]), "sans-deux.csv")
    assert report.conserves == ["ATP27-90001"] and report.supprimes == ["ATP27-90002"]
    assert "ATP27-90001" in candidats(day) and "ATP27-90002" not in candidats(day)


def rejected(day, rows, header=HEADER, name="erreurs.csv", raw=None) -> str:
    """Import a bad file: it is refused as a whole, and nothing changes; returns the French message."""
    before, state = count_events(day), candidats(day)
    with pytest.raises(ImportRejete) as exc:
        import_candidats(day, raw if raw is not None else csv_bytes(rows, header=header), name)
    assert count_events(day) == before and candidats(day) == state
    return exc.value.message


def test_row_with_the_wrong_number_of_columns(day):
    message = rejected(day, ROWS + ["ATP27-90004;Durand;Luc;01/01/1990;PANTIN;;;non", "ATP27-90005;Roy;Paul;"
                                    "01/01/1990;PANTIN;;;non;;en trop"])
    assert "ligne 5 : 8 colonnes au lieu de 9" in message and "ligne 6 : 10 colonnes au lieu de 9" in message
    assert message.startswith("erreurs.csv : 2 ligne(s) rejetée(s), rien n'a été importé.\n")


def test_empty_numero_and_empty_names(day):
    message = rejected(day, [";Durand;Luc;01/01/1990;PANTIN;;;non;", "ATP27-90002;;Luc;01/01/1990;PANTIN;;;non;"])
    assert "ligne 2 : N° d'inscription vide" in message and "ligne 3 : Nom usuel vide" in message


def test_names_of_100_characters_are_kept_and_101_refused(day):
    long_ok, too_long = "A" * 100, "B" * 101
    import_candidats(day, csv_bytes([f"ATP27-90001;{long_ok};{long_ok};01/01/1990;PANTIN;;;non;"]), "long.csv")
    assert candidats(day)["ATP27-90001"]["nom"] == long_ok
    message = rejected(day, [f"ATP27-90001;{too_long};Luc;01/01/1990;PANTIN;;;non;",
                             f"ATP27-90002;Roy;{too_long};01/01/1990;PANTIN;;;non;"])
    assert "ligne 2 : Nom usuel trop long" in message and "ligne 3 : Prénom trop long" in message


def test_unknown_salle_and_salle_of_another_site(day):
    message = rejected(day, ["ATP27-90001;Durand;Luc;01/01/1990;PANTIN;Z9;;non;",
                             "ATP27-90002;Roy;Paul;01/01/1990;MONTREUIL;a01;;non;"])
    assert "ligne 2 : salle « Z9 » inconnue" in message and "ligne 3 : salle « A01 » hors du site MONTREUIL" in message


def test_site_and_salle_codes_read_without_case_or_spaces(day):
    import_candidats(day, csv_bytes(["ATP27-90001;Durand;Luc;01/01/1990; pantin ;b 12;A2;non;"]), "casse.csv")
    row = candidats(day)["ATP27-90001"]
    assert (row["site"], row["salle"], row["place"]) == ("PANTIN", "B12", "A2")


EPREUVES_HEADER = HEADER + ";Épreuves"


def test_candidat_convoked_to_the_epreuves_of_the_file(day):
    import_candidats(day, csv_bytes(["ATP27-90001;Durand;Luc;01/01/1990;PANTIN;;;non;;E2, E1",
                                     "ATP27-90002;Roy;Paul;01/01/1990;PANTIN;;;non;;"], header=EPREUVES_HEADER), "e.csv")
    rows = candidats(day)
    assert rows["ATP27-90001"]["epreuves"] == '["E1", "E2"]' and rows["ATP27-90002"]["epreuves"] == "[]"


def test_candidat_convoked_to_an_epreuve_that_does_not_exist_is_refused(day):
    message = rejected(day, ["ATP27-90001;Durand;Luc;01/01/1990;PANTIN;;;non;;E1|E9|X"], header=EPREUVES_HEADER)
    assert "ligne 2 : épreuve(s) inconnue(s) : E9, X" in message


def test_full_salle_and_full_site_are_refused(day):
    b12 = [f"ATP27-9{i:04d};Nom{i:03d};Luc;01/01/1990;PANTIN;B12;;non;" for i in range(1, 62)]  # 60 seats
    assert "ligne 62 : plus de place libre dans la salle B12" in rejected(day, b12)
    pantin = [f"ATP27-9{i:04d};Nom{i:03d};Luc;01/01/1990;PANTIN;;;non;" for i in range(1, 153)]  # 90 + 60 seats
    message = rejected(day, pantin)
    assert message.endswith("\nligne 152 : plus de place libre dans le site PANTIN\nligne 153 : plus de place libre "
                            "dans le site PANTIN")


def test_a_full_salle_is_filled_to_its_last_seat(day):
    b12 = [f"ATP27-9{i:04d};Nom{i:03d};Luc;01/01/1990;PANTIN;B12;;non;" for i in range(1, 61)]
    import_candidats(day, csv_bytes(b12), "b12.csv")
    places = sorted(r["place"] for r in candidats(day).values())
    assert len(set(places)) == 60 and "F10" in places and "A1" in places


@pytest.mark.parametrize("cell, words", [
    ("Du\x00rand", "encodage UTF-16 ou fichier binaire"), ("Du\x07rand", "caractères de contrôle dans le fichier"),
    ("Du\x1brand", "caractères de contrôle"), ("Du\x7frand", "caractères de contrôle"),
])
def test_control_characters_refuse_the_file(day, cell, words):
    raw = csv_bytes([f"ATP27-90001;{cell};Luc;01/01/1990;PANTIN;;;non;"])
    assert words in rejected(day, [], raw=raw)


def test_tabs_are_not_control_characters(day):
    import_candidats(day, csv_bytes(["ATP27-90001;Durand\t;Luc;01/01/1990;PANTIN;;;non;"]), "tab.csv")
    assert candidats(day)["ATP27-90001"]["nom"] == "Durand"


def test_reimport_without_places_keeps_the_seated_candidats_in_their_places(day):
    import_candidats(day, csv_bytes(), "a.csv")
    seated = {n: (r["salle"], r["place"]) for n, r in candidats(day).items()}
    without_places = [";".join(r.split(";")[:5] + ["", ""] + r.split(";")[7:]) for r in ROWS]
    report = import_candidats(day, csv_bytes(without_places + ["ATP27-90004;Aaron;Ada;01/01/1990;PANTIN;;;non;"]),
                              "sans-places.csv")
    assert report.ajoutes == ["ATP27-90004"] and report.modifies == []
    rows = candidats(day)
    assert {n: (rows[n]["salle"], rows[n]["place"]) for n in seated} == seated
    assert (rows["ATP27-90004"]["salle"], rows["ATP27-90004"]["place"]) not in seated.values()


def test_reimport_moving_a_candidat_to_another_site_gives_a_new_place(day):
    import_candidats(day, csv_bytes(), "a.csv")
    moved = ["ATP27-90001;Lefèvre;Hélène;04/05/1990;MONTREUIL;;;non;", *ROWS[1:]]
    report = import_candidats(day, csv_bytes(moved), "b.csv")
    after = candidats(day)["ATP27-90001"]
    assert after["site"] == "MONTREUIL" and after["salle"] in ("M1", "M2") and after["place"]
    assert report.modifies[0]["avant"]["site"] == "PANTIN"


def test_the_file_is_read_as_bytes_or_refused_in_french(tmp_path):
    from salle.importing import read_file

    (tmp_path / "c.csv").write_bytes(b"\xef\xbb\xbfN\xc2\xb0;x\r\n")
    assert read_file(tmp_path / "c.csv") == b"\xef\xbb\xbfN\xc2\xb0;x\r\n"
    with pytest.raises(ImportRejete) as exc:
        read_file(tmp_path / "absent.csv")
    assert exc.value.message == f"Fichier illisible : {tmp_path / 'absent.csv'} (No such file or directory)."
    assert exc.value.code == "fichier_illisible"


def test_a_file_with_the_required_columns_only(day):
    header = "N° d'inscription;Nom;Prénom;Né le;Centre"
    import_candidats(day, csv_bytes(["ATP27-90001;Durand;Luc;1990-05-04;MONTREUIL"], header=header), "court.csv")
    row = candidats(day)["ATP27-90001"]
    assert row == {**row, "date_naissance": "1990-05-04", "site": "MONTREUIL", "salle": "M1", "place": "A1",
                   "nom_naissance": "", "tiers_temps": 0, "pieces_manquantes": "", "epreuves": "[]",
                   "amenagements": "", "nom_cle": "durand", "nom_naissance_cle": None}


def test_dates_are_read_as_written_in_france_or_iso(day):
    rows = ["ATP27-90001;A;Luc;4/5/1990;PANTIN;;;non;", "ATP27-90002;B;Luc;04.05.1990;PANTIN;;;non;",
            "ATP27-90003;C;Luc; 1990-05-04 ;PANTIN;;;non;"]
    import_candidats(day, csv_bytes(rows), "dates.csv")
    assert {r["date_naissance"] for r in candidats(day).values()} == {"1990-05-04"}
    message = rejected(day, ["ATP27-90004;D;Luc;1990/05/04;PANTIN;;;non;", "ATP27-90005;E;Luc;;PANTIN;;;non;"])
    assert "ligne 2 : date de naissance « 1990/05/04 » invalide (attendu jj/mm/aaaa)" in message
    assert "ligne 3 : date de naissance «  » invalide" in message


def test_the_report_says_what_changed_line_by_line(day):
    first = import_candidats(day, csv_bytes(), "a.csv")
    assert first.lines() == ["a.csv : 3 ajouté(s), 0 modifié(s), 0 supprimé(s)."]
    assert import_candidats(day, csv_bytes(), "a.csv").lines() == [
        "a.csv : 0 ajouté(s), 0 modifié(s), 0 supprimé(s).", "  Aucun changement."]
    corrected = [ROWS[0].replace("Hélène", "Héléna").replace(";non;", ";oui;"), ROWS[1]]
    assert import_candidats(day, csv_bytes(corrected), "b.csv").lines() == [
        "b.csv : 0 ajouté(s), 1 modifié(s), 1 supprimé(s).",
        "  modifié ATP27-90001 : prenom : « Hélène » → « Héléna », tiers_temps : « 0 » → « 1 »"]


def test_the_report_names_the_candidats_kept_because_they_have_events(day, clock):
    from salle.commands.arrivals import ScanRequest, scan
    from salle.day import Caller
    from salle.journal import Actor

    import_candidats(day, csv_bytes(), "a.csv")
    surveillant = Caller(Actor("P004", "surveillant"), "surveillant", salle="B12", site="PANTIN")
    scan(day, surveillant, "B12", ScanRequest(code="ATP27-90001", client_id="scan-0002", piece_identite="cni"))
    report = import_candidats(day, csv_bytes(ROWS[1:]), "sans-un.csv")
    assert report.lines() == ["sans-un.csv : 0 ajouté(s), 0 modifié(s), 0 supprimé(s).",
                              "  conservé ATP27-90001 : absent du fichier mais déjà enregistré ce jour (présence, scan).",
                              "  Aucun changement."]


def rejection(day, raw, name="mauvais.csv") -> ImportRejete:
    before = count_events(day)
    with pytest.raises(ImportRejete) as exc:
        import_candidats(day, raw, name)
    assert count_events(day) == before
    return exc.value


@pytest.mark.parametrize("raw, code, message", [
    (b"\xff\xfe" + "中文".encode("utf-16-le"), "encodage",
     "mauvais.csv : encodage UTF-16 ou fichier binaire : enregistrez le fichier en « CSV UTF-8 » ou « CSV "
     "(séparateur : point-virgule) »."),
    (b"\xfe\xff" + "中文".encode("utf-16-be"), "encodage", None),
    (b"Nom\x81\x8d", "encodage", "mauvais.csv : encodage non reconnu (ni UTF-8 ni Windows-1252, octet illisible en "
                                 "position 3)."),
    ("Prénom".encode("utf-8").decode("latin-1").encode("utf-8"), "encodage",
     "mauvais.csv : accents mal encodés (« Ã© » au lieu de « é ») : le fichier a été converti deux fois ; "
     "réexportez-le en UTF-8."),
    (b"N;x\x07\r\n", "encodage", "mauvais.csv : caractères de contrôle dans le fichier : ce n'est pas un CSV texte."),
    (b"x" * 4096 + b"\x00", "encodage", None),  # past the first 4096 bytes: read as text, refused as such
    (b"\r\n\r\n", "fichier_vide", "mauvais.csv : fichier vide."),
])
def test_a_file_that_is_not_a_csv_text_is_refused_with_its_reason(day, raw, code, message):
    error = rejection(day, raw)
    assert error.code == code
    if message:
        assert error.message == message
    if raw.endswith(b"\x00"):
        assert "caractères de contrôle" in error.message


def test_rejected_lines_are_given_as_a_list_too(day):
    error = rejection(day, csv_bytes(["ATP27-90001;Durand;Luc;31/02/1990;PANTIN;;;non;"]))
    assert error.data == {"lignes": ["ligne 2 : date de naissance « 31/02/1990 » invalide (attendu jj/mm/aaaa)"]}
    assert error.message == ("mauvais.csv : 1 ligne(s) rejetée(s), rien n'a été importé.\nligne 2 : date de naissance "
                             "« 31/02/1990 » invalide (attendu jj/mm/aaaa)")


def test_a_file_with_its_header_only_adds_nobody(day):
    assert import_candidats(day, csv_bytes([]), "vide.csv").lines() == [
        "vide.csv : 0 ajouté(s), 0 modifié(s), 0 supprimé(s).", "  Aucun changement."]


def test_birth_names_and_amenagements_read_from_their_columns(day):
    header = "N° dossier;Nom;Nom de naissance;Prénom;Date de naissance;Site;Salle;Aménagements;Remarques, divers"
    raw = csv_bytes(['ATP27-90001;Durand;Dupont-Martin;Luc;01/01/1990;PANTIN;B12;"Salle au rez-de-chaussée\r\n'
                     'et table adaptée";vue'], header=header)
    import_candidats(day, raw, "complet.csv")
    row = candidats(day)["ATP27-90001"]
    assert (row["nom_naissance"], row["nom_naissance_cle"], row["salle"], row["place"]) == (
        "Dupont-Martin", "dupontmartin", "B12", "A1")
    # R24: read into their kinds (salle.amenagements), one a line or « ; »-separated
    assert row["amenagements"] == "aide technique : table adaptée ; salle accessible : Salle au rez-de-chaussée"


AMENAGEMENTS = "N° dossier;Nom;Prénom;Date de naissance;Site;Aménagements"


def test_amenagements_beyond_time_are_read_into_their_kinds_R24(day):
    raw = csv_bytes(['ATP27-90001;Durand;Luc;01/01/1990;PANTIN;"Secrétaire lecteur-scripteur ; ordinateur ; salle '
                     'isolée"', 'ATP27-90002;Roy;Paul;01/01/1990;PANTIN;"aide humaine : interprète LSF ; Aide '
                     'technique : sujet agrandi A3 ; Fractionnement ; accès PMR"', "ATP27-90003;Roy;Zoé;01/01/1990;"
                     "PANTIN;"], header=AMENAGEMENTS)
    import_candidats(day, raw, "amenagements.csv")
    rows = candidats(day)
    assert rows["ATP27-90001"]["amenagements"] == ("aide humaine : Secrétaire lecteur-scripteur ; aide technique : "
                                                   "ordinateur ; salle à part")
    from salle.state.queries import candidat_from_row
    detail = candidat_from_row(rows["ATP27-90002"]).amenagements_detail.public()
    assert detail == {"aides_humaines": ["interprète LSF"], "aides_techniques": ["sujet agrandi A3"],
                      "salle_a_part": False, "salle_accessible": ["accès PMR"], "fractionnement": True, "autres": []}
    assert not candidat_from_row(rows["ATP27-90003"]).amenagements_detail


def test_amenagements_not_understood_reject_their_line_in_french_and_change_nothing_R24(day):
    message = rejected(day, ['ATP27-90001;Durand;Luc;01/01/1990;PANTIN;"ordinateur ; blabla"',
                             "ATP27-90002;Roy;Paul;01/01/1990;PANTIN;aide humaine :",
                             'ATP27-90003;Roy;Zoé;01/01/1990;PANTIN;"' + " ; ".join(["loupe"] * 11) + '"',
                             "ATP27-90004;Roy;Léa;01/01/1990;PANTIN;secrétaire"], header=AMENAGEMENTS)
    assert message.startswith("erreurs.csv : 3 ligne(s) rejetée(s), rien n'a été importé.\n")
    assert "ligne 2 : aménagement « blabla » non reconnu (attendu : des aménagements séparés par « ; » — une aide " \
           "humaine (secrétaire," in message
    assert "ligne 3 : « aide humaine : » : précisez l'aide (par exemple « aide humaine : secrétaire »)" in message
    assert "ligne 4 : plus de 10 aménagements" in message and "ligne 5" not in message


def test_a_corrected_name_updates_the_search_keys(day):
    import_candidats(day, csv_bytes(), "a.csv")
    header = HEADER + ";Nom de naissance"
    corrected = [ROWS[0].replace("Lefèvre", "Le Febvre") + ";Martin-Durand", *(r + ";" for r in ROWS[1:])]
    import_candidats(day, csv_bytes(corrected, header=header), "b.csv")
    row = candidats(day)["ATP27-90001"]
    assert (row["nom_cle"], row["nom_naissance_cle"]) == ("lefebvre", "martindurand")


def test_a_header_with_as_many_commas_as_semicolons_is_read_with_semicolons(day):
    header = "N° d'inscription;Nom;Prénom;Date de naissance;Site;Remarques (a, b, c, d, e, f)"  # 5 and 5
    import_candidats(day, csv_bytes(["ATP27-90001;Durand;Luc;01/01/1990;PANTIN;"], header=header), "egal.csv")
    assert candidats(day)["ATP27-90001"]["nom"] == "Durand"


def test_the_import_event_names_the_file_and_its_digest(day):
    import hashlib

    raw = csv_bytes()
    import_candidats(day, raw, "a.csv")
    event = day.journal.one("SELECT payload FROM events WHERE type = 'candidats_importes'")
    payload = json.loads(event["payload"])
    assert (payload["fichier"], payload["sha256"]) == ("a.csv", hashlib.sha256(raw).hexdigest())


def test_missing_columns_are_named_with_the_headers_read(day):
    error = rejection(day, csv_bytes([], header="Numéro;Nom;Naissance;Ville"))
    assert error.code == "colonne_manquante"
    assert error.message == ("mauvais.csv : colonne(s) manquante(s) : Prénom, Date de naissance, Site (en-têtes lus : "
                             "Numéro, Nom, Naissance, Ville).")


def test_blank_lines_are_skipped_and_short_rows_say_what_is_missing(day):
    import_candidats(day, csv_bytes([ROWS[0], "", ";;;", ROWS[1]]), "blancs.csv")
    assert sorted(candidats(day)) == ["ATP27-90001", "ATP27-90002"]
    error = rejection(day, csv_bytes(["ATP27-90004;Durand;Luc"]))
    assert error.data == {"lignes": ["ligne 2 : 3 colonnes au lieu de 9 ; date de naissance «  » invalide (attendu "
                                     "jj/mm/aaaa) ; site «  » inconnu"]}


# --- R24: extra time as a figure, per candidat and épreuve -------------------------------------------------------


def test_extra_time_imported_as_oui_a_fraction_minutes_or_per_epreuve_R24(day):
    from salle.model import TIERS_TEMPS, TempsMajore
    from salle.state.queries import candidat

    rows = ["ATP27-90001;Lefèvre;Hélène;04/05/1990;PANTIN;;;oui;", "ATP27-90002;Œuvray;Zoé;1/2/1985;PANTIN;;;1/3;",
            "ATP27-90003;Ménard;Jérôme;30/11/1979;PANTIN;;;20 min;",
            'ATP27-90004;Roux;Léa;01/01/1990;PANTIN;;;"E1: 1/4 ; E2: 1 h";', "ATP27-90005;Roy;Paul;01/01/1990;PANTIN;;;;"]
    import_candidats(day, csv_bytes(rows), "temps.csv")
    stored = candidats(day)
    assert [(stored[n]["tiers_temps"], stored[n]["temps_majore"]) for n in sorted(stored)] == [
        (1, ""), (1, ""), (1, "20 min"), (1, "E1: 1/4 ; E2: 60 min"), (0, "")]
    db = day.journal.reader()
    assert candidat(db, "ATP27-90001").majoration("E1") == TIERS_TEMPS == candidat(db, "ATP27-90002").majoration("E2")
    assert candidat(db, "ATP27-90003").majoration("E2") == TempsMajore(minutes=20)
    assert candidat(db, "ATP27-90004").majoration("E1").minutes_for(180) == 45
    assert candidat(db, "ATP27-90005").majoration("E1") is None


def test_a_changed_figure_is_reported_and_a_wrong_one_rejects_the_line_R24(day):
    import_candidats(day, csv_bytes(), "a.csv")
    changed = [ROWS[0], ROWS[1].replace(";oui;", ";20 min;"), ROWS[2]]
    report = import_candidats(day, csv_bytes(changed), "b.csv")
    assert report.lines()[1] == "  modifié ATP27-90002 : temps_majore : «  » → « 20 min »"
    with pytest.raises(ImportRejete) as exc:
        import_candidats(day, csv_bytes([ROWS[0].replace(";non;", ";E9: 1/3;"), ROWS[1].replace(";oui;", ";20;")]),
                         "c.csv")
    assert "ligne 2 : tiers-temps « E9: 1/3 » : attendu oui, non, une fraction" in exc.value.message
    assert "ligne 3 : tiers-temps « 20 » : attendu oui, non" in exc.value.message


def test_temps_majore_header_is_read_as_the_extra_time_column_R24(day):
    header = HEADER.replace("Tiers-temps", "Temps majoré")
    import_candidats(day, csv_bytes([ROWS[0].replace(";non;", ";1/4;")], header=header), "majore.csv")
    assert candidats(day)["ATP27-90001"]["temps_majore"] == "1/4"


def test_a_day_file_from_before_the_figures_reads_its_yes_no_as_a_third_R24(tmp_path, demo_files):
    """An older day file has no temps_majore column: opening it adds it, and tiers_temps = 1 means a third."""
    import sqlite_utils

    from salle.model import TIERS_TEMPS
    from salle.state.queries import candidat_from_row
    from salle.state.tables import STATE_TABLES, ensure_state_schema

    db = sqlite_utils.Database(tmp_path / "old.db")
    columns = {k: v for k, v in STATE_TABLES["candidats"][0].items() if k != "temps_majore"}
    db["candidats"].create(columns, pk="numero")
    db["candidats"].insert({"numero": "ATP27-90001", "nom": "Lefèvre", "prenom": "Hélène", "date_naissance":
                            "1990-05-04", "site": "PANTIN", "salle": "B12", "place": "A1", "tiers_temps": 1})
    ensure_state_schema(db)
    row = next(db["candidats"].rows)
    assert "temps_majore" in row and candidat_from_row(row).majoration("E1") == TIERS_TEMPS
