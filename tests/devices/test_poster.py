"""The scan poster against a tiny local HTTP server that speaks the API's contract."""

from __future__ import annotations

import json
import socket
import threading
import uuid
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from devices.backoff import Backoff
from devices.poster import ScanPoster


class FakeApi:
    """Records every request; answers logins and scans; can fail on demand."""

    def __init__(self, port: int):
        self.port = port
        self.requests: list[tuple[str, dict, dict]] = []
        self.fail_next_scans = 0  # answer 503 to that many scans
        self.expire_next_token = False
        self.staff_codes = {"S-1234"}
        self.server: ThreadingHTTPServer | None = None

    def start(self) -> "FakeApi":
        api = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                api.requests.append((self.path, dict(self.headers), body))
                status, answer = api.answer(self.path, self.headers, body)
                raw = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def answer(self, path, headers, body):
        if path == "/api/v1/auth/login":
            if body.get("code") not in self.staff_codes:
                return 401, {"code": "non_authentifie", "message": "Code personnel inconnu."}
            return 200, {"token": "jeton-" + body["device"]}
        if headers.get("Authorization") != "Bearer jeton-porte-A101" or self.expire_next_token:
            self.expire_next_token = False
            return 401, {"code": "non_authentifie", "message": "Session expirée."}
        if self.fail_next_scans:
            self.fail_next_scans -= 1
            return 503, {"message": "indisponible"}
        return 200, {"verdict": "admis", "message": f"{body['code']} : admis, place 12.", "enregistre": False}

    def scans(self):
        return [body for path, _, body in self.requests if path.endswith("/scans")]

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def api():
    server = FakeApi(free_port())
    yield server
    if server.server:
        server.stop()


def make_poster(api, results, statuses=None, staff_code="S-1234"):
    return ScanPoster(
        f"http://127.0.0.1:{api.port}",
        "A101",
        staff_code,
        "porte-A101",
        on_result=lambda code, answer: results.append((code, answer)),
        on_status=lambda *s: statuses.append(s) if statuses is not None else None,
        backoff=Backoff(0.01, 0.05),
        timeout=2,
        now=lambda: datetime(2026, 12, 3, 8, 41, 5),
    )


def post_one(api, poll, code="2026004217") -> list:
    """One code through a started poster, waited for until its answer comes back: the results."""
    results = []
    poster = make_poster(api, results).start()
    try:
        poster.submit(code)
        poll(lambda: results)
    finally:
        poster.stop()
    return results


def test_scan_posted_with_token_client_id_and_device_time(api, poll):
    api.start()
    results = post_one(api, poll)
    login, scan = api.requests
    assert login[0] == "/api/v1/auth/login" and login[2] == {"code": "S-1234", "device": "porte-A101"}
    assert scan[0] == "/api/v1/salles/A101/scans"
    assert scan[1]["Authorization"] == "Bearer jeton-porte-A101"
    assert scan[2]["code"] == "2026004217" and scan[2]["device_time"] == "2026-12-03T08:41:05"
    assert uuid.UUID(scan[2]["client_id"]).version == 4
    assert "piece_identite" not in scan[2]
    verdict = {"verdict": "admis", "message": "2026004217 : admis, place 12.", "enregistre": False}
    assert results == [("2026004217", verdict)]


def test_codes_scanned_while_server_down_are_sent_in_order_once_it_is_back(api, poll):
    results, statuses = [], []
    poster = make_poster(api, results, statuses).start()
    try:
        for code in ("2026000001", "2026000002", "2026000003"):
            poster.submit(code)
        poll(lambda: poster.online is False)
        assert len(poster.pending()) == 3
        api.fail_next_scans = 1  # back, but the first answer is a 503
        api.start()
        poll(lambda: len(results) == 3)
    finally:
        poster.stop()
    assert [code for code, _ in results] == ["2026000001", "2026000002", "2026000003"]
    ids = [scan["client_id"] for scan in api.scans()]
    assert ids[0] == ids[1] and len(set(ids)) == 3  # the 503'd scan was retried with the same client_id
    assert [online for online, _ in statuses] == [False, True]
    assert "2026000001" in statuses[0][1]


def test_expired_token_signs_in_again(api, poll):
    api.start()
    api.expire_next_token = True
    results = post_one(api, poll)
    assert [path for path, _, _ in api.requests].count("/api/v1/auth/login") == 2
    assert results[0][1]["verdict"] == "admis"


def test_refused_staff_code_keeps_the_scan_queued_and_says_why(api, poll):
    api.start()
    results, statuses = [], []
    poster = make_poster(api, results, statuses, staff_code="faux").start()
    try:
        poster.submit("2026004217")
        poll(lambda: statuses)
    finally:
        poster.stop()
    assert results == [] and [s.code for s in poster.pending()] == ["2026004217"]
    assert statuses[0] == (False, "Connexion refusée par le serveur : Code personnel inconnu.")


def test_waiting_scans_survive_a_restart_with_a_queue_file(api, tmp_path, poll):
    queue = str(tmp_path / "scans.db")
    first = ScanPoster(f"http://127.0.0.1:{api.port}", "A101", "S-1234", "porte-A101", queue_path=queue)
    waiting = [first.submit("2026000001"), first.submit("2026000002")]  # server down, process stops
    api.start()
    results = []
    second = ScanPoster(f"http://127.0.0.1:{api.port}", "A101", "S-1234", "porte-A101", queue_path=queue,
                        on_result=lambda code, answer: results.append(code)).start()
    try:
        poll(lambda: len(results) == 2)
    finally:
        second.stop()
    assert results == ["2026000001", "2026000002"] and second.pending() == []
    assert [scan["client_id"] for scan in api.scans()] == [scan.client_id for scan in waiting]
