"""Helpers shared by the tests: staff codes, times of the demo day, a live server, lookups."""

from __future__ import annotations

import threading
from datetime import datetime
from pathlib import Path

from werkzeug.serving import make_server

from salle import demo
from salle.client import ApiClient
from salle.day import ExamDay

DEMO_DAY = demo.DEMO_DATE
CODES = {  # demo staff codes by role/binding
    "admin": "100001",
    "responsable": "200001",  # PANTIN
    "responsable_montreuil": "200002",
    "surveillant": "300001",  # A01, PANTIN
    "surveillant_b12": "300002",  # B12, PANTIN
    "surveillant_m1": "300003",  # M1, MONTREUIL
    "kiosk": "400001",
}


def at(hhmm: str, day=DEMO_DAY) -> datetime:
    return datetime.combine(day, datetime.strptime(hhmm, "%H:%M:%S" if hhmm.count(":") == 2 else "%H:%M").time())


class LiveServer:
    """The real app (create_app) on a real port, in a thread of the test process."""

    def __init__(self, db_path: Path, clock, doorkeeper: bool = False, config: dict | None = None):
        from salle.web import create_app

        self.app = create_app({"DB_PATH": str(db_path), "CLOCK": clock, "DOORKEEPER": doorkeeper, "TESTING": True,
                               **(config or {})})
        self.server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.port = self.server.server_port
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    @property
    def day(self) -> ExamDay:
        return self.app.extensions["salle.day"]

    def client(self, role: str | None = None) -> ApiClient:
        c = ApiClient(self.url)
        if role:
            c.login(CODES[role], device=f"test-{role}")
        return c

    def stop(self):
        self.server.shutdown()
        self.day.close()


def candidat_in(db_day: ExamDay, salle: str, **where) -> dict:
    sql = "SELECT * FROM candidats WHERE salle = ?"
    params = [salle]
    for key, value in where.items():
        sql += f" AND {key} = ?"
        params.append(value)
    row = db_day.journal.one(sql + " ORDER BY numero LIMIT 1", params)
    assert row, f"no candidat in {salle} with {where}"
    return row


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServedProcess:
    """`salle serve` (gunicorn, the production server) as a child process on a real port."""

    def __init__(self, db_path: Path, clock: str = "2027-03-18T08:40", speed: float = 1.0):
        import subprocess
        import sys

        self.db_path = db_path
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(db_path.with_suffix(".log"), "ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "salle", "serve", "--db", str(db_path), "--port", str(self.port), "--clock", clock,
             "--speed", str(speed), "--threads", "64"],
            stdout=self.log, stderr=self.log, start_new_session=True,
        )
        demo.wait_for_server(self.url, timeout=30)

    def client(self, role: str | None = None) -> ApiClient:
        c = ApiClient(self.url)
        if role:
            c.login(CODES[role], device=f"test-{role}")
        return c

    def kill(self) -> None:
        """SIGKILL the whole server (gunicorn arbiter and worker): no clean shutdown of anything."""
        import os
        import signal

        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        import os
        import signal

        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except Exception:
                self.kill()
        self.log.close()
