"""The API on a real port: roles, bad input, duplicates, doors by themselves, rehearsal clock, OpenAPI."""

import sqlite3

import pytest

from salle.client import ApiClient, ApiError
from tests.helpers.api import cid
from tests.helpers.day import CODES, at, candidat_in, nothing_recorded


def events(live) -> int:
    return live.day.journal.one("SELECT COUNT(*) AS n FROM events")["n"]


def error_of(call) -> tuple[int, dict]:
    with pytest.raises(ApiError) as exc:
        call()
    return exc.value.status, exc.value.body["erreur"]


# --- sign-in and roles ------------------------------------------------------------------------------

def test_sign_in_with_personal_code(live):
    c = ApiClient(live.url)
    answer = c.login(CODES["surveillant_b12"])
    assert answer["personnel"]["role"] == "surveillant" and answer["personnel"]["salle"] == "B12"
    assert c.get("/api/v1/me")["salle"] == "B12"


@pytest.mark.parametrize("code", ["", "999999", None, 12345, "x" * 500])
def test_wrong_or_garbage_code_is_refused_in_french(live, code):
    status, err = error_of(lambda: ApiClient(live.url).post("/api/v1/auth/login", {"code": code}))
    assert status == 401 and "Code personnel" in err["message"]


def test_no_token_or_a_forged_token(live):
    c = ApiClient(live.url)
    status, err = error_of(lambda: c.get("/api/v1/salles/A01"))
    assert status == 401 and "code personnel" in err["message"]
    c.token = "forged"
    assert error_of(lambda: c.get("/api/v1/salles/A01"))[0] == 401


def test_surveillant_of_another_salle_gets_403(live):
    other = live.client("surveillant_b12")
    c = candidat_in(live.day, "A01")
    before = events(live)
    status, err = error_of(lambda: other.scan("A01", c["numero"]))
    assert status == 403 and "salle A01" in err["message"]
    assert events(live) == before


def test_responsable_reaches_the_salles_of_their_site_only(live):
    resp = live.client("responsable")
    assert {s["salle"] for s in resp.get("/api/v1/salles")["salles"]} == {"A01", "B12"}
    assert error_of(lambda: resp.get("/api/v1/salles/M1"))[0] == 403
    admin = live.client("admin")
    assert {s["salle"] for s in admin.get("/api/v1/salles")["salles"]} == {"A01", "B12", "M1", "M2"}


@pytest.mark.parametrize("method, path", [
    ("GET", "/api/v1/salles"), ("GET", "/api/v1/salles/A01"), ("GET", "/api/v1/salles/A01/candidats"),
    ("POST", "/api/v1/salles/A01/scans"), ("POST", "/api/v1/salles/A01/sorties"),
    ("POST", "/api/v1/epreuves/E1/sites/PANTIN/fermeture"), ("POST", "/api/v1/epreuves/E1/sites/PANTIN/debut"),
    ("PUT", "/api/v1/clock"),
])
def test_kiosk_never_reaches_staff_endpoints(live, method, path):
    kiosk = live.client("kiosk")
    with nothing_recorded(live.day):
        status, body = kiosk.request(method, path, {"code": "ATP27-00001", "client_id": cid()}, check=False)
    assert status == 403 and "interdite" in body["erreur"]["message"]


def test_surveillant_cannot_move_the_doors(live):
    tablet = live.client("surveillant")
    with nothing_recorded(live.day):
        status, _ = tablet.request("POST", "/api/v1/epreuves/E1/sites/PANTIN/fermeture",
                                   {"heure": "09:15", "motif": "retard", "client_id": cid()}, check=False)
    assert status == 403
    assert tablet.get("/api/v1/salles/A01")["portes"]["heure_fermeture"].startswith("2027-03-18T09:00")


def test_kiosk_session_view_has_no_salles(live):
    assert "salles" not in live.client("kiosk").get("/api/v1/session")


# --- the scan ----------------------------------------------------------------------------------

@pytest.mark.parametrize("code, verdict", [("", "illisible"), ("   ", "illisible"), ("\x1b[2J", "illisible"),
                                           ("RED27-00001", "inconnu"), ("ATP27-99999", "inconnu")])
def test_garbage_or_foreign_codes_change_nothing(live, code, verdict):
    tablet = live.client("surveillant")
    before = events(live)
    answer = tablet.scan("A01", code)
    assert answer["verdict"] == verdict and answer["enregistre"] is False and answer["message"]
    assert events(live) == before


@pytest.mark.parametrize("payload, words", [
    ({"code": "ATP27-00001"}, "client_id"),
    ({"code": "ATP27-00001", "client_id": "short"}, "client_id"),
    ({"code": "ATP27-00001", "client_id": "valid-id-123", "piece_identite": "carte_vitale"}, "Pièce d'identité"),
    ({"code": 12, "client_id": "valid-id-123"}, "texte"),
    ({"code": "ATP27-00001", "client_id": "valid-id-123", "pieces_produites": "oui"}, "true ou false"),
    ({"code": "ATP27-00001", "client_id": "valid-id-123", "device_time": "hier"}, "ISO 8601"),
    ({"code": "ATP27-00001", "client_id": "valid-id-123", "epreuve": "E9"}, "Épreuve « E9 » inconnue"),
])
def test_malformed_scan_requests(live, payload, words):
    tablet = live.client("surveillant")
    before = events(live)
    status, body = tablet.request("POST", "/api/v1/salles/A01/scans", payload, check=False)
    assert status in (400, 404) and words in body["erreur"]["message"]
    assert events(live) == before


def test_body_that_is_not_json(live):
    tablet = live.client("surveillant")
    conn = tablet._connection()
    conn.request("POST", "/api/v1/salles/A01/scans", body=b"\xff\xfe garbage",
                 headers={"Authorization": f"Bearer {tablet.token}", "Content-Type": "application/json"})
    response = conn.getresponse()
    import json

    assert response.status == 400 and "JSON" in json.loads(response.read())["erreur"]["message"]


def test_unknown_salle_and_unknown_route(live):
    admin = live.client("admin")
    assert error_of(lambda: admin.get("/api/v1/salles/Z99"))[0] == 404
    status, err = error_of(lambda: admin.get("/api/v1/nothing"))
    assert status == 404 and "inconnue" in err["message"]


def test_duplicate_request_gets_the_first_answer(live):
    tablet = live.client("surveillant")
    c = candidat_in(live.day, "A01", pieces_manquantes="")
    body = {"code": c["numero"], "client_id": cid(), "piece_identite": "passeport"}
    first = tablet.post("/api/v1/salles/A01/scans", body)
    before = events(live)
    again = tablet.post("/api/v1/salles/A01/scans", body)
    assert again["verdict"] == first["verdict"] == "admis" and again["rejoue"] is True
    assert events(live) == before


def test_a_read_only_disk_answers_503_in_french_records_nothing_and_the_retry_counts_once(live):
    """The file system turned read-only under SQLite (as ext4 does after a disk error; here the writer's
    connection is made query-only): the scan is refused with a message saying what to do, nothing is
    recorded, and the same request succeeds once writing works again."""
    tablet = live.client("surveillant")
    c = candidat_in(live.day, "A01", pieces_manquantes="")
    body = {"code": c["numero"], "client_id": cid(), "piece_identite": "cni"}
    conn = live.day.journal._conn
    before = events(live)
    conn.execute("PRAGMA query_only = ON")
    try:
        status, erreur = error_of(lambda: tablet.post("/api/v1/salles/A01/scans", body))
    finally:
        conn.execute("PRAGMA query_only = OFF")
    assert status == 503 and erreur["code"] == "stockage"
    assert "rien n'a été enregistré" in erreur["message"] and "Réessayez" in erreur["message"]
    assert events(live) == before
    answer = tablet.post("/api/v1/salles/A01/scans", body)
    assert answer["verdict"] == "admis" and answer["rejoue"] is False
    assert tablet.post("/api/v1/salles/A01/scans", body)["rejoue"] is True
    assert events(live) == before + 1


def test_a_locked_database_at_begin_answers_503_and_records_nothing(live):
    """Another process holding SQLite's write lock past the wait: the whole commit fails, in French."""
    tablet = live.client("surveillant")
    c = candidat_in(live.day, "A01", pieces_manquantes="")
    body = {"code": c["numero"], "client_id": cid(), "piece_identite": "cni"}
    live.day.journal._conn.execute("PRAGMA busy_timeout = 50")
    other = sqlite3.connect(live.day.db_path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        before = events(live)
        status, erreur = error_of(lambda: tablet.post("/api/v1/salles/A01/scans", body))
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert status == 503 and erreur["code"] == "stockage" and "verrouillé" in erreur["message"]
    assert "locked" not in erreur["message"]  # SQLite's own words stay in the log
    assert events(live) == before
    assert tablet.post("/api/v1/salles/A01/scans", body)["verdict"] == "admis"
    assert events(live) == before + 1


def test_preview_without_identity_records_nothing(live):
    tablet = live.client("surveillant")
    c = candidat_in(live.day, "A01", pieces_manquantes="")
    before = events(live)
    answer = tablet.scan("A01", c["numero"], piece_identite=None)
    assert answer["verdict"] == "admis" and answer["a_confirmer"] and not answer["enregistre"]
    assert events(live) == before


def test_wrong_salle_answer_names_the_salle(live):
    tablet = live.client("surveillant")
    c = candidat_in(live.day, "B12")
    answer = tablet.scan("A01", c["numero"])
    assert answer["verdict"] == "mauvaise_salle"
    assert answer["message"].startswith("Aller en Salle B12, bâtiment B, 1er étage")


def test_without_identity_document_raises_an_alert(live):
    tablet = live.client("surveillant")
    c = candidat_in(live.day, "A01", pieces_manquantes="")
    assert tablet.scan("A01", c["numero"], "aucune")["verdict"] == "admis"
    alert = live.day.journal.one("SELECT * FROM alerts WHERE candidat = ?", [c["numero"]])
    assert alert["kind"] == "sans_piece_identite" and alert["resolved_at"] is None


# --- doors (R3) -------------------------------------------------------------------------------------

def test_doors_close_by_themselves_and_late_scans_are_refused(live, clock):
    tablet = live.client("surveillant")
    c = candidat_in(live.day, "A01", pieces_manquantes="")
    clock.set(at("09:00:01"))
    live.tick()  # the doorkeeper's tick (its thread is tested in test_live)
    closed = live.day.journal.one("SELECT * FROM deroulement WHERE epreuve = 'E1' AND site = 'PANTIN'")
    assert closed["doors_closed_at"].startswith("2027-03-18T09:00:01") and closed["doors_closed_by"] == "systeme"
    answer = tablet.scan("A01", c["numero"])
    assert answer["verdict"] == "portes_fermees" and answer["enregistre"] is True
    refused = live.day.journal.one("SELECT * FROM refus WHERE numero = ?", [c["numero"]])
    assert refused["at"].startswith("2027-03-18T09:00:01")


def test_an_entry_seen_offline_before_the_closing_is_admitted_after_it_and_the_responsable_alerted(live, clock):
    tablet = live.client("surveillant")
    c = candidat_in(live.day, "A01", pieces_manquantes="")
    clock.set(at("09:12"))
    live.tick()  # doors closed at 09:12 by the doorkeeper (set time 09:00)
    body = {"code": c["numero"], "client_id": cid(), "piece_identite": "cni", "heure_constatee": "2027-03-18T08:58:30"}
    answer = tablet.post("/api/v1/salles/A01/scans", body)
    assert answer["verdict"] == "admis" and answer["enregistre"] is True and answer["regle"] == "R3"
    assert "8 h 58 selon la tablette hors ligne" in answer["message"]
    presence = live.day.journal.one("SELECT * FROM presences WHERE numero = ?", [c["numero"]])
    assert presence["status"] == "present" and presence["entered_at"] == "2027-03-18T08:58:30"
    alert = live.day.journal.one("SELECT * FROM alerts WHERE candidat = ?", [c["numero"]])
    assert alert["kind"] == "admission_hors_ligne" and alert["salle"] == "A01"
    other = live.day.journal.one("SELECT numero FROM candidats WHERE salle = 'A01' AND pieces_manquantes = '' "
                                 "AND numero != ? ORDER BY numero LIMIT 1", [c["numero"]])
    refused = tablet.post("/api/v1/salles/A01/scans", {**body, "code": other["numero"], "client_id": cid(),
                                                       "heure_constatee": "2027-03-18T09:00:00"})
    assert refused["verdict"] == "portes_fermees"


@pytest.mark.parametrize("value, words", [
    ("2027-03-18T09:20:00", "après l'heure du serveur"),
    ("hier matin", "ISO 8601"),
    (1234, "ISO 8601"),
])
def test_a_bad_seen_time_is_refused_and_changes_nothing(live, clock, value, words):
    tablet = live.client("surveillant")
    c = candidat_in(live.day, "A01", pieces_manquantes="")
    clock.set(at("09:12"))
    before = events(live)
    status, erreur = error_of(lambda: tablet.post("/api/v1/salles/A01/scans", {
        "code": c["numero"], "client_id": cid(), "piece_identite": "cni", "heure_constatee": value}))
    assert status == 400 and words in erreur["message"]
    assert events(live) == before


def test_responsable_moves_the_closing_before_it_passes(live, clock):
    resp = live.client("responsable")
    answer = resp.post("/api/v1/epreuves/E1/sites/PANTIN/fermeture",
                       {"heure": "09:20", "motif": "Retard du RER B", "client_id": cid()})
    assert answer["ok"] and answer["portes"]["heure_fermeture"] == "2027-03-18T09:20:00"
    event = live.day.journal.one("SELECT * FROM events WHERE type = 'fermeture_deplacee'")
    assert "Retard du RER B" in event["payload"] and event["actor"] == "P002"
    clock.set(at("09:10"))
    live.tick()
    c = candidat_in(live.day, "A01", pieces_manquantes="")
    assert live.client("surveillant").scan("A01", c["numero"])["verdict"] == "admis"
    clock.set(at("09:21"))
    answer = resp.post("/api/v1/epreuves/E1/sites/PANTIN/fermeture",
                       {"heure": "09:40", "motif": "encore", "client_id": cid()})
    assert answer["ok"] is False and not answer["enregistre"] and "ne peut plus être changée" in answer["message"]


@pytest.mark.parametrize("payload, words", [
    ({"heure": "9h99", "motif": "x"}, "heure de fermeture invalide"),
    ({"heure": "09:20", "motif": ""}, "motif"),
    ({"heure": "08:30", "motif": "x"}, "déjà passée"),
])
def test_bad_door_moves_change_nothing(live, payload, words):
    resp = live.client("responsable")
    before = events(live)
    status, answer = resp.request("POST", "/api/v1/epreuves/E1/sites/PANTIN/fermeture",
                                  {**payload, "client_id": cid()}, check=False)
    message = answer["erreur"]["message"] if status == 400 else answer["message"]
    assert (status == 400 or (status == 200 and answer["ok"] is False)) and words in message.lower()
    assert events(live) == before


def test_responsable_of_another_site_cannot_touch_these_doors(live):
    other = live.client("responsable_montreuil")
    with nothing_recorded(live.day):
        status, _ = other.request("POST", "/api/v1/epreuves/E1/sites/PANTIN/portes-fermees", {"client_id": cid()},
                                  check=False)
    assert status == 403


# --- rehearsal clock --------------------------------------------------------------------------------

def test_every_answer_says_rehearsal_and_admin_sets_the_clock(live):
    admin = live.client("admin")
    status, body = admin.request("GET", "/api/v1/clock")
    assert body["repetition"] is True
    answer = admin.request("PUT", "/api/v1/clock", {"maintenant": "2027-03-18T13:20"})[1]
    assert answer["maintenant"] == "2027-03-18T13:20:00"
    assert live.day.journal.one("SELECT * FROM events WHERE type = 'horloge_reglee'")
    assert admin.get("/api/v1/salles/A01")["epreuve"]["code"] == "E2"
    resp = live.client("responsable")
    with nothing_recorded(live.day):
        assert resp.request("PUT", "/api/v1/clock", {"maintenant": "2027-03-18T08:00"}, check=False)[0] == 403
        assert admin.request("PUT", "/api/v1/clock", {"maintenant": "demain"}, check=False)[0] == 400
    assert admin.request("GET", "/api/v1/clock")[1]["maintenant"] == "2027-03-18T13:20:00"


def test_home_page_shows_rehearsal(live):
    import urllib.request

    html = urllib.request.urlopen(live.url + "/").read().decode()
    assert "RÉPÉTITION" in html and "Adjoint technique principal" in html


# --- OpenAPI ----------------------------------------------------------------------------------------

def test_openapi_document_is_valid_and_covers_every_route(live):
    from openapi_spec_validator import validate

    doc = ApiClient(live.url).get("/api/v1/openapi.json")
    validate(doc)
    documented = {(path, method) for path, ops in doc["paths"].items() for method in ops}
    for rule in live.app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        path = rule.rule.replace("<", "{").replace(">", "}")
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (path, method.lower()) in documented, f"{method} {path} missing from openapi.json"
