"""Live updates with real Socket.IO clients against `salle serve` on a real port: rooms, roles, refusals."""

import queue
import time

import pytest
import socketio

from salle import demo
from salle.day import ExamDay
from salle.clock import SystemClock
from tests.helpers.server import Listener, ServedProcess


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """One production server (gunicorn) for the module, on the demo day at 08:40 (rehearsal clock)."""
    db = demo.build(tmp_path_factory.mktemp("live"), 300)
    served = ServedProcess(db)
    served.day = ExamDay(db, SystemClock())  # a reader on the same file, for picking candidats
    yield served
    served.day.close()
    served.stop()


def candidat_in(day, salle, taken=set()):
    """A candidat of `salle` without pièces manquantes, never the same twice in this module."""
    for row in day.journal.query("SELECT numero FROM candidats WHERE salle = ? AND pieces_manquantes = '' "
                                 "ORDER BY numero", [salle]):
        if row["numero"] not in taken:
            taken.add(row["numero"])
            return row
    raise AssertionError(f"no candidat left in {salle}")


@pytest.fixture
def listeners(live):
    made = []

    def make(role, **kw):
        listener = Listener(live, role, **kw)
        made.append(listener)
        return listener

    yield make
    for listener in made:
        listener.close()


def test_scan_pushed_to_its_salle_and_site_not_elsewhere(live, listeners):
    a01, b12, pantin, montreuil = (listeners("surveillant"), listeners("surveillant_b12"), listeners("responsable"),
                                   listeners("responsable_montreuil"))
    c = candidat_in(live.day, "A01")
    live.client("surveillant").scan("A01", c["numero"], "cni")
    for listener in (a01, pantin):
        event = listener.next_event()
        assert (event["type"], event["candidat"], event["verdict"], event["salle"]) == ("scan", c["numero"], "admis", "A01")
    state = pantin.states.get(timeout=10)
    assert state["salle"] == "A01" and state["presents"] == 1
    # Barrier: an event in B12's room; had A01's scan reached B12, it would have come first.
    other = candidat_in(live.day, "B12")
    live.client("surveillant_b12").scan("B12", other["numero"], "cni")
    assert b12.next_event()["candidat"] == other["numero"]
    m1 = candidat_in(live.day, "M1")
    live.client("surveillant_m1").scan("M1", m1["numero"], "cni")
    assert montreuil.next_event()["candidat"] == m1["numero"]


def test_long_polling_clients_get_the_same_pushes(live, listeners):
    console = listeners("admin", transports=("polling",))
    c = candidat_in(live.day, "M2")
    live.client("admin").scan("M2", c["numero"], "permis")
    assert console.next_event()["candidat"] == c["numero"]


def test_doors_close_by_themselves_and_reach_the_site(live, listeners):
    """R3: the doorkeeper thread of the real server closes the doors at the set time, nobody acting."""
    montreuil = listeners("responsable_montreuil")
    live.client("admin").request("PUT", "/api/v1/clock", {"maintenant": "2027-03-18T08:59:59"})
    seen = []
    deadline = time.monotonic() + 20
    while "portes_fermees" not in seen and time.monotonic() < deadline:
        try:
            seen.append(montreuil.next_event(timeout=1)["type"])
        except queue.Empty:
            pass
    assert "portes_fermees" in seen
    late = candidat_in(live.day, "M2")
    assert live.client("admin").scan("M2", late["numero"])["verdict"] == "portes_fermees"
    live.client("admin").request("PUT", "/api/v1/clock", {"maintenant": "2027-03-18T08:40"})


def refusal(live, token) -> dict:
    """Connect with `token`; return what the server said when it refused."""
    client = socketio.Client(reconnection=False)
    said = queue.Queue()
    client.on("connect_error", said.put)
    with pytest.raises(socketio.exceptions.ConnectionError):
        client.connect(live.url, auth={"token": token} if token else None, transports=["polling"], wait_timeout=5)
    return said.get(timeout=5)


@pytest.mark.parametrize("token, words", [(None, "Connectez-vous"), ("forged", "Session expirée")])
def test_connection_without_a_valid_token_is_refused(live, token, words):
    assert words in refusal(live, token)["message"]


def test_kiosk_cannot_follow_the_salles(live):
    said = refusal(live, live.client("kiosk").token)
    assert said["data"]["code"] == "role_interdit" and "borne" in said["message"]


def test_a_signed_out_tablet_loses_its_live_connection_and_cannot_reconnect(live):
    tablet = live.client("surveillant_m1")
    cut = queue.Queue()
    client = socketio.Client(reconnection=False)
    client.on("disconnect", lambda *args: cut.put(True))
    client.connect(live.url, auth={"token": tablet.token}, transports=["websocket"], wait_timeout=10)
    try:
        target = live.day.journal.one("SELECT id FROM staff WHERE role = 'surveillant' AND salle = 'M1'")["id"]
        answer = live.client("responsable_montreuil").post(f"/api/v1/personnel/{target}/deconnexion",
                                                          {"motif": "tablette perdue", "client_id": "revoke-m1-0001"})
        assert answer["appareils_deconnectes"] >= 1
        assert cut.get(timeout=10) is True  # the server cut the websocket
    finally:
        client.disconnect()
    said = refusal(live, tablet.token)
    assert said["data"]["code"] == "jeton_invalide" and "reconnectez-vous" in said["message"]
