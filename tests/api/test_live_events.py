"""Live updates with real socketio.Client clients against the live server: the salle's tablet and the site's
console receive the émargement, incident and release events; another site does not; no signature is pushed."""

import threading
import time

import socketio

from tests.helpers.api import SIGNATURE, admit, cid, start
from tests.helpers.day import at, candidats


class Listener:
    def __init__(self, live, role):
        self.events, self.states, self.arrived = [], [], threading.Event()
        self.client = socketio.Client(reconnection=False)
        self.client.on("evenement", self._event)
        self.client.on("evenements", lambda items: [self._event(e) for e in items])
        self.client.on("salle_etat", self.states.append)
        self.client.on("salles_etat", self.states.extend)
        api = live.client(role)
        self.client.connect(live.url, auth={"token": api.token}, transports=["websocket"], wait_timeout=10)

    def _event(self, data):
        self.events.append(data)
        self.arrived.set()

    def wait_for(self, type_, timeout=10):
        def found():
            return [e for e in self.events if e["type"] == type_]
        while not found() and self.arrived.wait(timeout):
            self.arrived.clear()
        return found()


def test_emargement_incident_release_pushed_to_salle_and_site_only(live, clock):
    tablet_api, resp_api = live.client("surveillant"), live.client("responsable")
    numero = candidats(live.day, "A01", 1)[0]
    admit(tablet_api, "A01", [numero])
    start(clock, resp_api)
    tablet, console, other = Listener(live, "surveillant"), Listener(live, "responsable"), \
        Listener(live, "responsable_montreuil")
    try:
        clock.set(at("10:00"))
        tablet_api.post("/api/v1/salles/A01/emargements", {"numero": numero, "copies": 2, "signature": SIGNATURE,
                                                           "client_id": cid()})
        tablet_api.post("/api/v1/salles/A01/incidents", {"type": "anomalie", "texte": "Coupure de courant",
                                                         "client_id": cid()})
        clock.set(at("12:00"))
        resp_api.post("/api/v1/salles/A01/recomptage", {"copies_comptees": 2, "client_id": cid()})
        resp_api.post("/api/v1/salles/A01/liberation", {"client_id": cid()})
        for listener in (tablet, console):
            em = listener.wait_for("emargement")
            assert em and em[0]["copies"] == 2 and em[0]["candidat"] == numero and "signature" not in em[0]
            assert listener.wait_for("incident") and listener.wait_for("liberation")
        # Summaries are coalesced (at most one per salle every 100 ms): wait for the one after the émargement.
        deadline = time.monotonic() + 10
        while not any(s["salle"] == "A01" and s["emarges"] == 1 for s in console.states):
            assert time.monotonic() < deadline, console.states
            time.sleep(0.05)
        assert other.events == []
    finally:
        for listener in (tablet, console, other):
            listener.client.disconnect()


def test_a_site_console_gets_the_salles_touched_in_one_tick_in_one_message(live):
    """Summaries are computed at most every 100 ms per salle; a room given several in one tick (a site's console)
    gets them as one « salles_etat » list, the salle's own tablet its own « salle_etat »."""
    tablet_a, tablet_b = live.client("surveillant"), live.client("surveillant_b12")
    console = socketio.Client(reconnection=False)
    batches, singles = [], []
    console.on("salles_etat", batches.append)
    console.on("salle_etat", singles.append)
    console.connect(live.url, auth={"token": live.client("responsable").token}, transports=["websocket"],
                    wait_timeout=10)
    a01, b12 = candidats(live.day, "A01", 3), candidats(live.day, "B12", 3)
    try:
        for round_ in range(3):  # two POSTs a few ms apart fall in one tick but at a tick's edge: try again
            admit(tablet_a, "A01", [a01[round_]])
            admit(tablet_b, "B12", [b12[round_]])
            deadline = time.monotonic() + 5
            while not any({s["salle"] for s in batch} == {"A01", "B12"} for batch in batches):
                if time.monotonic() > deadline:
                    break
                time.sleep(0.05)
            else:
                break
        assert any({s["salle"] for s in batch} == {"A01", "B12"} for batch in batches), (batches, singles)
        assert all(s["site"] == "PANTIN" for batch in batches for s in batch)
    finally:
        console.disconnect()
