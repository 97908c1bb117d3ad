"""Nothing acknowledged is ever lost: SIGKILL the real server in the middle of a stream of scans."""

import sqlite3
import threading
import uuid

from salle import demo
from salle.client import ApiClient
from salle.journal import verify_chain
from tests.helpers.day import CODES
from tests.helpers.server import ServedProcess

TABLETS = {"A01": "surveillant", "B12": "surveillant_b12", "M1": "surveillant_m1"}


def test_every_acknowledged_scan_survives_a_kill_once(tmp_path):
    db = demo.build(tmp_path, 300)
    conn = sqlite3.connect(db)
    queues = {s: [r[0] for r in conn.execute("SELECT numero FROM candidats WHERE salle = ? AND pieces_manquantes = '' "
                                             "ORDER BY numero", [s])] for s in TABLETS}
    conn.close()
    server = ServedProcess(db)
    acknowledged: list[tuple[str, str]] = []  # (client_id, numero) the server said were recorded
    in_flight: list[tuple[str, str, str]] = []  # sent, no answer: (salle, client_id, numero)
    lock = threading.Lock()
    enough = threading.Event()

    def tablet(salle):
        client = ApiClient(server.url, timeout=10)
        client.login(CODES[TABLETS[salle]])
        for numero in queues[salle]:
            client_id = str(uuid.uuid4())
            try:
                answer = client.post(f"/api/v1/salles/{salle}/scans",
                                     {"code": numero, "client_id": client_id, "piece_identite": "cni"})
            except Exception:  # refused, reset, or cut mid-answer (IncompleteRead, half a JSON body): no answer
                with lock:
                    in_flight.append((salle, client_id, numero))
                return
            assert answer["enregistre"] and answer["verdict"] == "admis"
            with lock:
                acknowledged.append((client_id, numero))
                if len(acknowledged) >= 60:
                    enough.set()

    threads = [threading.Thread(target=tablet, args=(s,)) for s in TABLETS]
    for t in threads:
        t.start()
    assert enough.wait(60), "the scans did not start"
    server.kill()
    for t in threads:
        t.join(30)
    assert len(acknowledged) >= 60 and len(in_flight) == len(TABLETS)

    server = ServedProcess(db)
    try:
        conn = sqlite3.connect(db)
        rows = dict(conn.execute("SELECT client_id, COUNT(*) FROM events WHERE type = 'scan' GROUP BY client_id"))
        for client_id, numero in acknowledged:
            assert rows.get(client_id) == 1, f"acknowledged scan {client_id} of {numero} lost or doubled"
        present = {r[0] for r in conn.execute("SELECT numero FROM presences WHERE epreuve = 'E1'")}
        assert {n for _, n in acknowledged} <= present
        conn.close()
        # The tablets replay what got no answer, and a retry of what was acknowledged: each counted once.
        for salle, client_id, numero in in_flight + [(None, cid, n) for cid, n in acknowledged[:5]]:
            salle = salle or next(s for s in TABLETS if numero in queues[s])
            client = ApiClient(server.url)
            client.login(CODES[TABLETS[salle]])
            answer = client.post(f"/api/v1/salles/{salle}/scans",
                                 {"code": numero, "client_id": client_id, "piece_identite": "cni"})
            assert answer["verdict"] == "admis"
        conn = sqlite3.connect(db)
        counts = [r[0] for r in conn.execute("SELECT COUNT(*) FROM events WHERE type = 'scan' GROUP BY candidat")]
        assert counts and max(counts) == 1
        conn.close()
    finally:
        server.stop()
    assert verify_chain(db)[0]
