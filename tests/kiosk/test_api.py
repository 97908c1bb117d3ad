"""The accueil kiosk's API as a kiosk, a candidat and the console use it (R6, R1, R3, R26, R27)."""

from __future__ import annotations

import json
from datetime import date

import pytest

from devices.printing.escpos_stream import barcode_payloads_from_escpos
from salle.client import ApiClient
from salle.commands import kiosk as kiosk_module
from tests.helpers.api import cid
from tests.helpers.browser import unique_candidat
from tests.helpers.day import CODES, add_candidats, at, candidat_in, candidats
from tests.helpers.waiting import wait_for

LOOKUP = "/api/v1/kiosk/recherches"
PRINT = "/api/v1/kiosk/impressions"


ANY = {"numero": "00001", "date_naissance": "1990-01-01"}  # a well-formed lookup (found or not)


def post(client, path, body):
    return client.request("POST", path, body, check=False)


def events(day, type_):
    return [json.loads(e["payload"]) | {"_candidat": e["candidat"], "_site": e["site"]}
            for e in day.journal.query("SELECT * FROM events WHERE type = ? ORDER BY seq", [type_])]


def facts(day, numero: str) -> dict:
    """The two facts a candidat gives the borne (R27): numéro and date of birth."""
    row = day.journal.one("SELECT numero, date_naissance FROM candidats WHERE numero = ?", [numero])
    return {"numero": row["numero"], "date_naissance": row["date_naissance"]}


@pytest.fixture
def kiosk(kiosk_live):
    return kiosk_live.client("kiosk")


def test_candidat_found_by_name_whatever_the_accents_case_and_hyphens(day, demo_files, kiosk_live, kiosk):
    add_candidats(kiosk_live.day, demo_files,
                  ["ATP27-09001;LEFÈVRE-DUPONT;Saint-Éloi;Hélène;02/03/1991;PANTIN;;;non;"])
    for nom in ("lefevre dupont", "Lefèvre-Dupont", "LEFEVREDUPONT", "saint eloi"):
        answer = kiosk.post(LOOKUP, {"nom": nom, "date_naissance": "1991-03-02"})
        assert answer["resultat"] == "trouve", nom
    c = answer["candidat"]
    assert c["numero"] == "ATP27-09001" and c["prenom"] == "Hélène" and c["site"]["code"] == "PANTIN"
    assert c["salle"]["acces"] and c["place"] and c["convocation"] == "8 h 30" and c["autre_site"] is False
    assert "date_naissance" not in json.dumps(answer) and "tiers_temps" not in c  # R27: only what they need
    assert kiosk.post(LOOKUP, {"nom": "Lefevre-Dupont", "date_naissance": "02/03/1991"})["resultat"] == "trouve"


def test_candidat_found_by_numero_digits_or_whole_with_the_date_of_birth(kiosk_live, kiosk):
    born = facts(kiosk_live.day, "ATP27-00003")["date_naissance"]
    assert kiosk.post(LOOKUP, {"numero": "00003", "date_naissance": born})["candidat"]["numero"] == "ATP27-00003"
    dmy = "/".join(reversed(born.split("-")))
    assert kiosk.post(LOOKUP, {"numero": "atp27-00003", "date_naissance": dmy})["candidat"]["numero"] == "ATP27-00003"


def strip(answer: dict) -> dict:
    return {k: v for k, v in answer.items() if k != "heure_serveur"}


def test_a_numero_alone_shows_nothing_and_every_mismatch_gets_the_same_neutral_answer(kiosk_live, kiosk):  # R27
    """Numéros are sequential: the borne shows a person's data only to someone who gives two facts, and a wrong
    fact — whichever — gets the one answer that says nothing of which was wrong."""
    c = unique_candidat(kiosk_live, "A01")
    other = kiosk_live.day.journal.one("SELECT * FROM candidats WHERE date_naissance != ? ORDER BY numero LIMIT 1",
                                       [c["date_naissance"]])
    status, alone = post(kiosk, LOOKUP, {"numero": c["numero"]})
    assert status == 400 and alone["erreur"]["code"] == "date_manquante"
    assert c["nom"] not in json.dumps(alone) and c["place"] not in json.dumps(alone)
    mismatches = [
        {"numero": c["numero"], "date_naissance": other["date_naissance"]},  # right numéro, wrong date
        {"numero": other["numero"], "date_naissance": c["date_naissance"]},  # the next numéro with my date
        {"numero": "99999", "date_naissance": c["date_naissance"]},  # unknown numéro, right date
        {"nom": c["nom"], "date_naissance": other["date_naissance"]},  # right name, wrong date
        {"nom": "Personne", "date_naissance": c["date_naissance"]},  # unknown name, right date
    ]
    answers = [strip(kiosk.post(LOOKUP, body)) for body in mismatches]
    assert all(a == answers[0] for a in answers), answers
    assert answers[0] == {"resultat": "introuvable", "impression_possible": False, "message": kiosk_module.NOT_FOUND,
                          "repetition": True}
    assert kiosk.post(LOOKUP, facts(kiosk_live.day, c["numero"]))["candidat"]["place"] == c["place"]


def test_a_print_needs_the_numero_and_the_date_of_birth_and_a_mismatch_says_nothing(kiosk_live, kiosk, printer):
    c = unique_candidat(kiosk_live, "A01")
    wrong = "1900-01-01" if c["date_naissance"] != "1900-01-01" else "1901-01-01"
    status, missing = post(kiosk, PRINT, {"numero": c["numero"], "client_id": cid()})
    assert status == 400 and missing["erreur"]["code"] == "date_manquante"
    answers = [post(kiosk, PRINT, {"numero": numero, "date_naissance": born, "client_id": cid()})
               for numero, born in ((c["numero"], wrong), ("99999", c["date_naissance"]))]
    assert [status for status, _ in answers] == [404, 404]
    assert answers[0][1]["erreur"] == answers[1][1]["erreur"] == {"code": "candidat_inconnu",
                                                                   "message": kiosk_module.NOT_FOUND}
    assert printer.data == b"" and not events(kiosk_live.day, "impression_borne")
    assert kiosk.post(PRINT, {**facts(kiosk_live.day, c["numero"]), "client_id": cid()})["statut"] == "imprimee"


def test_two_candidats_same_name_and_date_are_never_shown(day, demo_files, kiosk_live, kiosk):
    add_candidats(kiosk_live.day, demo_files, ["ATP27-09001;MARTIN;;Léa;01/01/1990;PANTIN;;;non;",
                                               "ATP27-09002;MARTIN;;Lucie;01/01/1990;MONTREUIL;;;non;"])
    answer = kiosk.post(LOOKUP, {"nom": "martin", "date_naissance": "1990-01-01"})
    assert answer["resultat"] == "plusieurs" and "numéro d'inscription" in answer["message"]
    assert "candidat" not in answer and "Léa" not in json.dumps(answer)
    assert kiosk.post(LOOKUP, {"numero": "09002", "date_naissance": "1990-01-01"})["candidat"]["prenom"] == "Lucie"


def test_other_site_is_named_and_the_print_still_allowed(kiosk_live, kiosk, printer):  # R1
    c = kiosk_live.day.journal.one("SELECT * FROM candidats WHERE site = 'MONTREUIL' LIMIT 1")
    answer = kiosk.post(LOOKUP, facts(kiosk_live.day, c["numero"]))
    assert answer["candidat"]["autre_site"] is True and answer["impression_possible"] is True
    assert "Maison des examens" in answer["message"] and "12 avenue de la Résistance" in answer["message"]
    printed = kiosk.post(PRINT, {**facts(kiosk_live.day, c["numero"]), "client_id": cid()})
    assert printed["statut"] == "imprimee"


def test_no_convocation_after_the_doors_closed(kiosk_live, kiosk, clock, printer):  # R3
    c = kiosk_live.day.journal.one("SELECT * FROM candidats WHERE site = 'PANTIN' LIMIT 1")
    clock.set(at("09:00:01"))
    answer = kiosk.post(LOOKUP, facts(kiosk_live.day, c["numero"]))
    assert answer["resultat"] == "portes_fermees" and answer["impression_possible"] is False
    assert "portes sont fermées" in answer["message"] and "salle" not in answer["candidat"]
    status, refused = post(kiosk, PRINT, {**facts(kiosk_live.day, c["numero"]), "client_id": cid()})
    assert status == 200 and refused["ok"] is False and refused["verdict"] == "portes_fermees"
    assert printer.data == b"" and not events(kiosk_live.day, "impression_demandee")
    clock.set(at("13:20"))  # the morning épreuve is over, the afternoon one open: its convocation prints
    assert kiosk.post(LOOKUP, facts(kiosk_live.day, c["numero"]))["candidat"]["epreuve"]["code"] == "E2"


def test_doors_pronounced_closed_early_stop_the_prints(kiosk_live, kiosk):  # R3
    responsable = kiosk_live.client("responsable")
    responsable.post("/api/v1/epreuves/E1/sites/PANTIN/portes-fermees", {"client_id": cid()})
    c = kiosk_live.day.journal.one("SELECT * FROM candidats WHERE site = 'PANTIN' LIMIT 1")
    assert kiosk.post(LOOKUP, facts(kiosk_live.day, c["numero"]))["resultat"] == "portes_fermees"


def test_print_sends_the_numero_and_barcode_and_is_idempotent(kiosk_live, kiosk, printer):  # R26
    c = candidat_in(kiosk_live.day, "A01")
    client_id = cid()
    first = kiosk.post(PRINT, {**facts(kiosk_live.day, c["numero"]), "client_id": client_id})
    assert first["statut"] == "imprimee" and first["message"].startswith("Votre convocation est imprimée")
    assert first["candidat"]["place"] == c["place"]
    assert barcode_payloads_from_escpos(printer.data)[0] == c["numero"]
    size = len(printer.data)
    again = kiosk.post(PRINT, {**facts(kiosk_live.day, c["numero"]), "client_id": client_id})
    assert again["job"] == first["job"] and again["rejoue"] is True and again["statut"] == "imprimee"
    assert len(printer.data) == size and len(events(kiosk_live.day, "convocation_imprimee")) == 1
    status, conflict = post(kiosk, PRINT, {**facts(kiosk_live.day, "ATP27-00002"), "client_id": client_id})
    assert status == 409 and conflict["erreur"]["code"] == "client_id_reutilise"


def test_paper_out_tells_the_candidat_alerts_the_console_and_prints_when_back(kiosk_live, kiosk, printer):
    c = candidat_in(kiosk_live.day, "B12")
    printer.status = "paper_out"
    answer = kiosk.post(PRINT, {**facts(kiosk_live.day, c["numero"]), "client_id": cid()})
    assert answer["statut"] == "en_attente" and answer["panne"] is True
    assert "Plus de papier" in answer["message"] and "membre du personnel" in answer["message"]
    alerts = wait_for(lambda: kiosk_live.day.journal.query("SELECT * FROM alerts"), what="alert")  # after the store
    assert [(a["kind"], a["site"]) for a in alerts] == [("papier", "PANTIN")]
    printer.status = "online"
    job = answer["job"]
    wait_for(lambda: kiosk.get(f"{PRINT}/{job}")["statut"] == "imprimee", what="print after paper is back")
    assert barcode_payloads_from_escpos(printer.data)[-1] == c["numero"]


@pytest.mark.kiosk_config(KIOSK_PRINT_ATTEMPTS=2)
def test_failed_job_is_reprinted_by_the_responsable(kiosk_live, kiosk, printer):
    c = candidat_in(kiosk_live.day, "A01")
    printer.status = "cover_open"
    job = kiosk.post(PRINT, {**facts(kiosk_live.day, c["numero"]), "client_id": cid()})["job"]
    wait_for(lambda: kiosk.get(f"{PRINT}/{job}")["statut"] == "echec", what="job failed")
    assert "Capot" in kiosk.get(f"{PRINT}/{job}")["message"]
    wait_for(lambda: {"capot", "impression_echouee"} <= {a["kind"] for a in kiosk_live.day.journal.query(
        "SELECT kind FROM alerts")}, what="alerts for the console")
    printer.status = "online"
    status, _ = post(kiosk, f"{PRINT}/{job}/reimprimer", {})
    assert status == 403
    status, _ = post(kiosk_live.client("responsable_montreuil"), f"{PRINT}/{job}/reimprimer", {})
    assert status == 403  # another site's job
    assert kiosk_live.client("responsable").post(f"{PRINT}/{job}/reimprimer", {})["statut"] == "imprimee"
    assert barcode_payloads_from_escpos(printer.data)[-1] == c["numero"]


def test_console_counts_convocations_printed_and_flags_reprints(kiosk_live, kiosk, printer):
    a, b = candidat_in(kiosk_live.day, "A01"), candidat_in(kiosk_live.day, "B12")
    for numero in (a["numero"], a["numero"], b["numero"]):
        assert kiosk.post(PRINT, {**facts(kiosk_live.day, numero), "client_id": cid()})["statut"] == "imprimee"
    rows = {r["numero"]: r for r in kiosk_live.client("responsable").get(
        "/api/v1/sites/PANTIN/convocations-imprimees")["candidats"]}
    assert rows[a["numero"]]["imprimees"] == 2 and rows[a["numero"]]["reimpression"] is True
    assert rows[b["numero"]]["imprimees"] == 1 and rows[b["numero"]]["reimpression"] is False
    status, _ = kiosk.request("GET", "/api/v1/sites/PANTIN/convocations-imprimees", check=False)
    assert status == 403
    status, _ = kiosk_live.client("responsable_montreuil").request(
        "GET", "/api/v1/sites/PANTIN/convocations-imprimees", check=False)
    assert status == 403


@pytest.mark.parametrize("body, code", [
    ({"nom": "Martin", "date_naissance": "31/02/1990"}, "date_invalide"),
    ({"nom": "Martin", "date_naissance": "1990-02-31"}, "date_invalide"),
    ({"nom": "Martin", "date_naissance": "12/12/2999"}, "date_invalide"),
    ({"nom": "Martin"}, "date_manquante"),
    ({"numero": "12AB", "date_naissance": "1990-01-01"}, "numero_invalide"),
    ({"numero": "1" * 200, "date_naissance": "1990-01-01"}, "numero_invalide"),
    ({"numero": 12345, "date_naissance": "1990-01-01"}, "numero_manquant"),
    ({"numero": "00001"}, "date_manquante"),
    ({"numero": "00001", "date_naissance": "31/02/1990"}, "date_invalide"),
    ({"numero": "00001", "date_naissance": 19900101}, "date_manquante"),
    ({"numero": "00001", "date_naissance": "1990-01-01" * 50}, "date_invalide"),
    ({"nom": "A" * 200, "date_naissance": "1990-01-01"}, "nom_invalide"),
    ({"nom": "--- ' ", "date_naissance": "1990-01-01"}, "nom_invalide"),
    ({"nom": ["x"], "date_naissance": "1990-01-01"}, "nom_manquant"),
    ({}, "nom_manquant"),
])
def test_bad_input_gets_a_french_message_and_records_nothing(kiosk_live, kiosk, body, code):
    status, answer = post(kiosk, LOOKUP, body)
    assert status == 400 and answer["erreur"]["code"] == code and answer["erreur"]["message"]
    assert not events(kiosk_live.day, "recherche_borne")


@pytest.mark.parametrize("born, code", [
    (None, "date_manquante"), (19900101, "date_manquante"), (["1990-01-01"], "date_manquante"),
    ("31/02/1990", "date_invalide"), ("1990-13-01", "date_invalide"), ("2999-01-01", "date_invalide"),
    ("<b>1990</b>", "date_invalide"), ("1" * 500, "date_invalide"),
])
def test_a_print_with_a_garbage_date_gets_a_french_400_and_prints_nothing(kiosk_live, kiosk, printer, born, code):
    status, answer = post(kiosk, PRINT, {"numero": "00001", "date_naissance": born, "client_id": cid()})
    assert status == 400 and answer["erreur"]["code"] == code and answer["erreur"]["message"]
    assert printer.data == b"" and not events(kiosk_live.day, "impression_borne")


def test_html_in_the_name_is_only_a_name(kiosk_live, kiosk):
    answer = kiosk.post(LOOKUP, {"nom": "<script>alert(1)</script>", "date_naissance": "1990-01-01"})
    assert answer["resultat"] == "introuvable" and "<script>" not in json.dumps(answer)


def test_lookups_are_journaled_without_what_was_typed(kiosk_live, kiosk):  # R27
    c = kiosk_live.day.journal.one("SELECT * FROM candidats LIMIT 1")
    kiosk.post(LOOKUP, {"nom": c["nom"], "date_naissance": c["date_naissance"]})
    kiosk.post(LOOKUP, {"nom": "Inconnu", "date_naissance": "1980-05-05"})
    found, missing = events(kiosk_live.day, "recherche_borne")
    assert found["trouve"] is True and found["numero"] == c["numero"] and found["_site"] == "PANTIN"
    assert missing == {"trouve": False, "resultat": "introuvable", "mode": "nom", "_candidat": None, "_site": "PANTIN"}
    raw = json.dumps(kiosk_live.day.journal.query("SELECT payload FROM events WHERE type = 'recherche_borne'"))
    assert "Inconnu" not in raw and "1980" not in raw and c["date_naissance"] not in raw


@pytest.mark.parametrize("role", ["surveillant", "responsable", "admin"])
def test_staff_roles_cannot_use_the_kiosk_endpoints(kiosk_live, role):
    staff = kiosk_live.client(role)
    assert post(staff, LOOKUP, ANY)[0] == 403
    assert post(staff, PRINT, {**ANY, "client_id": cid()})[0] == 403


def test_kiosk_token_gets_403_on_every_staff_endpoint(kiosk_live, kiosk):  # R27
    kiosk_routes = {"/api/v1/kiosk/recherches", "/api/v1/kiosk/impressions", "/api/v1/kiosk/impressions/<job>",
                    "/api/v1/kiosk/accueil", "/api/v1/kiosk/attestations"}
    public = {"/api/v1/health", "/api/v1/openapi.json", "/api/v1/auth/login", "/api/v1/auth/logout", "/api/v1/me",
              "/api/v1/session", "/api/v1/clock"}
    checked = 0
    for rule in kiosk_live.app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1") or rule.rule in kiosk_routes | public:
            continue
        path = rule.rule
        for arg in rule.arguments:
            path = path.replace(f"<{arg}>", {"salle": "A01", "site": "PANTIN", "epreuve": "E1"}.get(arg, "x"))
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            status, answer = kiosk.request(method, path, {"client_id": cid()} if method != "GET" else None,
                                           check=False)
            assert status == 403, (method, path, status, answer)
            checked += 1
    assert checked >= 12
    assert kiosk.request("PUT", "/api/v1/clock", {"maintenant": "2027-03-18T10:00"}, check=False)[0] == 403
    assert "salles" not in kiosk.get("/api/v1/session")  # never lists salles or candidats


def test_unauthenticated_gets_401(kiosk_live):
    assert post(ApiClient(kiosk_live.url), LOOKUP, ANY)[0] == 401


@pytest.mark.kiosk_config(KIOSK_LOOKUP_LIMIT="3/minute")
def test_lookups_are_rate_limited_per_kiosk(kiosk_live, kiosk):
    for _ in range(3):
        assert post(kiosk, LOOKUP, ANY)[0] == 200
    status, answer = post(kiosk, LOOKUP, ANY)
    assert status == 429 and answer["erreur"]["code"] == "trop_de_recherches"
    assert "patientez" in answer["erreur"]["message"]
    again = kiosk_live.client()  # the same kiosk signed in again: same staff id, same counter
    again.login(CODES["kiosk"])
    assert post(again, LOOKUP, ANY)[0] == 429
    other = kiosk_live.client()
    other.login("40002874")  # the Montreuil kiosk has its own counter
    assert post(other, LOOKUP, ANY)[0] == 200


@pytest.mark.kiosk_config(KIOSK_LOOKUP_LIMIT="3/minute")
def test_staff_on_the_kiosk_lookup_get_403_and_never_use_up_its_limit(kiosk_live, kiosk):
    """Issue 16: an admin calling a kiosk route got 429 before 403. Staff and strangers are refused by role
    (403, 401) however often they call, and the kiosk's own counter is untouched."""
    admin = kiosk_live.client("admin")
    for _ in range(6):
        status, answer = post(admin, LOOKUP, ANY)
        assert status == 403 and "interdite" in answer["erreur"]["message"]
        assert post(ApiClient(kiosk_live.url), LOOKUP, ANY)[0] == 401
    for _ in range(3):
        assert post(kiosk, LOOKUP, ANY)[0] == 200
    assert post(kiosk, LOOKUP, ANY)[0] == 429
    assert post(admin, LOOKUP, ANY)[0] == 403


def test_every_api_route_is_in_the_openapi_document(kiosk_live):
    doc = ApiClient(kiosk_live.url).get("/api/v1/openapi.json")
    for rule in kiosk_live.app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1"):
            path = rule.rule.replace("<", "{").replace(">", "}")
            assert path in doc["paths"], path
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                assert method.lower() in doc["paths"][path], (method, path)


# --- prints are limited per borne and per candidat --------------------------------------------------------


def print_for(client, day, numero: str, client_id: str | None = None):
    return post(client, PRINT, {**facts(day, numero), "client_id": client_id or cid()})


@pytest.mark.kiosk_config(KIOSK_PRINT_LIMIT="2/minute")
def test_prints_are_rate_limited_per_borne_with_a_french_429(kiosk_live, kiosk, printer):
    numeros = candidats(kiosk_live.day, "A01", 3)
    assert [print_for(kiosk, kiosk_live.day, n)[0] for n in numeros[:2]] == [200, 200]
    status, answer = print_for(kiosk, kiosk_live.day, numeros[2])
    assert status == 429 and answer["erreur"]["code"] == "trop_d_impressions"
    assert "Trop d'impressions depuis cette borne : patientez" in answer["erreur"]["message"]
    assert numeros[2] not in barcode_payloads_from_escpos(printer.data)
    other = kiosk_live.client()
    other.login("40002874")  # the Montreuil borne has its own counter
    assert print_for(other, kiosk_live.day, numeros[2])[0] == 200


@pytest.mark.kiosk_config(KIOSK_PRINT_LIMIT="2/minute")
def test_wrong_dates_on_the_print_use_up_the_borne_limit(kiosk_live, kiosk):
    c = unique_candidat(kiosk_live, "A01")
    for born in ("1950-01-01", "1950-01-02"):
        assert post(kiosk, PRINT, {"numero": c["numero"], "date_naissance": born, "client_id": cid()})[0] == 404
    assert print_for(kiosk, kiosk_live.day, c["numero"])[0] == 429  # no third guess, right or wrong


@pytest.mark.kiosk_config(KIOSK_PRINT_LIMIT_CANDIDAT="2/day")
def test_prints_are_rate_limited_per_candidat_whichever_borne(kiosk_live, kiosk, printer):
    c, d = candidats(kiosk_live.day, "A01", 2)
    first = cid()
    assert print_for(kiosk, kiosk_live.day, c, first)[0] == 200
    assert print_for(kiosk, kiosk_live.day, c, first)[1]["rejoue"] is True  # a retry prints nothing: not counted
    assert print_for(kiosk, kiosk_live.day, c)[0] == 200
    status, answer = print_for(kiosk, kiosk_live.day, c)
    assert status == 429 and answer["erreur"]["code"] == "trop_d_impressions_candidat"
    assert answer["erreur"]["message"] == ("Votre convocation a déjà été imprimée plusieurs fois aujourd'hui : "
                                           "adressez-vous au personnel de l'accueil, qui vous la remettra.")
    other = kiosk_live.client()
    other.login("40002874")
    assert print_for(other, kiosk_live.day, c)[0] == 429  # per numéro, not per borne
    status, wrong = post(kiosk, PRINT, {"numero": c, "date_naissance": "1950-01-01", "client_id": cid()})
    assert status == 404  # who does not know the date learns nothing, not even that the limit is reached
    assert print_for(kiosk, kiosk_live.day, d)[0] == 200
    assert len(events(kiosk_live.day, "impression_borne")) == 3


# --- the welcome screen ------------------------------------------------------------------------------------

WELCOME = "/api/v1/kiosk/accueil"


def test_the_welcome_screen_names_the_concours_and_the_day_and_says_when_the_doors_are_closed(kiosk_live, kiosk,
                                                                                              clock):  # R3
    answer = kiosk.get(WELCOME)
    assert answer["etat"] == "ouverte" and answer["impression_possible"] is True
    assert answer["concours"].startswith("Adjoint technique principal") and answer["jour"] == "jeudi 18 mars 2027"
    clock.set(at("09:05"))  # E1's doors closed, E2 still to come: printable
    assert kiosk.get(WELCOME)["etat"] == "ouverte"
    clock.set(at("13:20"))
    kiosk_live.client("responsable").post("/api/v1/epreuves/E2/sites/PANTIN/portes-fermees", {"client_id": cid()})
    closed = kiosk.get(WELCOME)
    assert closed["etat"] == "portes_fermees" and closed["impression_possible"] is False
    assert "portes sont fermées" in closed["message"] and "personnel de l'accueil" in closed["message"]
    montreuil = kiosk_live.client()
    montreuil.login("40002874")
    assert montreuil.get(WELCOME)["etat"] == "ouverte"  # at this site only
    clock.set(at("14:00:01"))
    assert montreuil.get(WELCOME)["etat"] == "portes_fermees"
    clock.set(at("08:00", day=date(2027, 3, 19)))
    kiosk.login(CODES["kiosk"])  # a sign-in lasts the day
    assert kiosk.get(WELCOME)["etat"] == "aucune_epreuve"
    assert kiosk_live.client("surveillant").request("GET", WELCOME, check=False)[0] == 403


def test_at_an_oral_the_borne_prints_the_passage_time_and_the_jury_after_the_planned_start_R6_R28(oral_live, clock):
    from tests.helpers.orals import oral_at

    clock.set(oral_at("14:30"))  # after the épreuve's « doors » time: an oral has none (R28)
    borne = oral_live.client("kiosk")
    assert borne.get("/api/v1/kiosk/accueil")["impression_possible"] is True
    found = borne.post(LOOKUP, facts(oral_live.day, "ATP27-00003"))
    assert found["resultat"] == "trouve", found
    c = found["candidat"]
    assert (c["convocation"], c["salle"]["libelle"], c["place"], c["epreuve"]["date"]) == (
        "14 h 20", "Salle O101", "Jury 1", "vendredi 19 mars 2027")
    ticket = kiosk_module.ticket_fields(oral_live.day, _candidat(oral_live.day, "ATP27-00003"),
                                        oral_live.day.session.epreuve("O1"))
    assert (ticket["convocation_time"], ticket["salle_label"], ticket["place"]) == ("14 h 20", "Salle O101", "Jury 1")
    nothing = borne.post(LOOKUP, facts(oral_live.day, "ATP27-00009"))  # no passage at the oral
    assert nothing["resultat"] == "aucune_epreuve"


def _candidat(day, numero):
    from salle.state import queries

    return queries.candidat(day.journal.reader(), numero)
