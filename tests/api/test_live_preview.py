"""A door scan's preview over the tablet's live connection (the `apercu` event, its answer the acknowledgement):
the same command and verdicts as POST /salles/<salle>/scans without a document, nothing recorded for an
admissible candidat, a refusal the règlement keeps (R3) recorded once by client id, never an entry, and the
errors in the shape the page reads (ok false, French message, `http`)."""

import uuid

import pytest
import socketio

from tests.helpers.day import at, candidat_in, count, nothing_recorded


@pytest.fixture
def tablet(live):
    client = socketio.Client(reconnection=False)
    client.connect(live.url, auth={"token": live.client("surveillant").token}, transports=["websocket"],
                   wait_timeout=10)
    yield client
    client.disconnect()


def ask(client, **data):
    return client.call("apercu", data, timeout=10)


def test_an_admissible_candidat_is_previewed_and_nothing_is_recorded(live, tablet):
    c = candidat_in(live.day, "A01", pieces_manquantes="")
    with nothing_recorded(live.day):
        answer = ask(tablet, salle="A01", code=c["numero"], client_id=str(uuid.uuid4()))
    assert (answer["verdict"], answer["ok"], answer["enregistre"]) == ("admis", True, False)
    assert answer["candidat"]["numero"] == c["numero"] and answer["code"] == c["numero"]
    assert answer["heure_serveur"] and answer["repetition"] is True


def test_a_document_sent_with_a_preview_never_makes_an_entry(live, tablet):
    c = candidat_in(live.day, "A01", pieces_manquantes="")
    with nothing_recorded(live.day):
        answer = ask(tablet, salle="A01", code=c["numero"], client_id=str(uuid.uuid4()), piece_identite="cni")
    assert answer["verdict"] == "admis" and answer["enregistre"] is False


def test_a_late_arrival_is_refused_and_recorded_once_by_client_id(live, tablet, clock):  # R3
    c = candidat_in(live.day, "A01", pieces_manquantes="")
    clock.set(at("09:00:01"))
    live.tick()
    client_id = str(uuid.uuid4())
    first = ask(tablet, salle="A01", code=c["numero"], client_id=client_id)
    again = ask(tablet, salle="A01", code=c["numero"], client_id=client_id)
    assert (first["verdict"], first["ok"], first["enregistre"]) == ("portes_fermees", False, True)
    assert again["rejoue"] is True and again["verdict"] == "portes_fermees"
    assert count(live.day, "scan") == 1


@pytest.mark.parametrize("data, status, code", [
    (None, 400, "json_invalide"),
    ("ATP27-00001", 400, "json_invalide"),
    ({"code": "ATP27-00001", "client_id": "abcdefgh-1"}, 400, "json_invalide"),
    ({"salle": "A01", "code": "ATP27-00001", "client_id": "court"}, 400, "client_id_invalide"),
    ({"salle": "A01", "code": {"a": 1}, "client_id": "abcdefgh-1"}, 400, "code_invalide"),
    ({"salle": "B12", "code": "ATP27-00001", "client_id": "abcdefgh-1"}, 403, "role_interdit"),
    ({"salle": "Z99", "code": "ATP27-00001", "client_id": "abcdefgh-1"}, 404, "salle_inconnue"),
])
def test_garbage_gets_a_french_answer_in_the_pages_shape_and_changes_nothing(live, tablet, data, status, code):
    with nothing_recorded(live.day):
        answer = tablet.call("apercu", data, timeout=10)
    assert (answer["ok"], answer["enregistre"], answer["http"], answer["verdict"]) == (False, False, status, code)
    assert answer["message"] and "error" not in answer["message"].lower()


def test_a_burst_of_previews_from_two_tablets_on_one_salle(live, tablet):
    other = socketio.Client(reconnection=False)
    other.connect(live.url, auth={"token": live.client("responsable").token}, transports=["websocket"],
                  wait_timeout=10)
    try:
        numeros = [r["numero"] for r in live.day.journal.query(
            "SELECT numero FROM candidats WHERE salle = 'A01' AND pieces_manquantes = '' ORDER BY numero LIMIT 20")]
        with nothing_recorded(live.day):
            answers = [ask(client, salle="A01", code=n, client_id=str(uuid.uuid4()))
                       for n in numeros for client in (tablet, other)]
        assert [a["verdict"] for a in answers] == ["admis"] * 40
    finally:
        other.disconnect()
