"""Helpers shared by the tests: staff codes, times of the demo day, a live server, lookups."""

from __future__ import annotations

import threading
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from werkzeug.serving import make_server

from salle import demo
from salle.client import ApiClient
from salle.day import ExamDay
from salle.server import ChildServer, free_port  # noqa: F401 (free_port: for the tests)

DEMO_DAY = demo.DEMO_DATE
CODES = {  # demo staff codes by role/binding
    "admin": "10004271",
    "responsable": "20003817",  # PANTIN
    "responsable_montreuil": "20005923",
    "surveillant": "30001746",  # A01, PANTIN
    "surveillant_b12": "30002958",  # B12, PANTIN
    "surveillant_m1": "30003162",  # M1, MONTREUIL
    "kiosk": "40001629",
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


@contextmanager
def nothing_recorded(db_day: ExamDay):
    """Around calls that must be refused: the journal (so every state derived from it) is left as it was."""
    def head():
        return db_day.journal.one("SELECT COUNT(*) AS n, MAX(seq) AS last FROM events")

    before = head()
    yield
    assert head() == before, "a refused call recorded something"


def candidat_in(db_day: ExamDay, salle: str, **where) -> dict:
    sql = "SELECT * FROM candidats WHERE salle = ?"
    params = [salle]
    for key, value in where.items():
        sql += f" AND {key} = ?"
        params.append(value)
    row = db_day.journal.one(sql + " ORDER BY numero LIMIT 1", params)
    assert row, f"no candidat in {salle} with {where}"
    return row


class ServedProcess(ChildServer):
    """`salle serve` (gunicorn, the production server) as a child process on a real port, its log beside the file."""

    def __init__(self, db_path: Path, clock: str = "2027-03-18T08:40", speed: float = 1.0):
        self.db_path = db_path
        self.log = open(db_path.with_suffix(".log"), "ab")
        super().__init__(db_path, clock=clock, speed=speed, threads=64, output=self.log, timeout=30)

    def client(self, role: str | None = None) -> ApiClient:
        c = ApiClient(self.url)
        if role:
            c.login(CODES[role], device=f"test-{role}")
        return c

    def stop(self) -> None:
        super().stop()
        self.log.close()


class WedgeScanner:
    """A keyboard-wedge scanner at a page: real key events into whatever has the focus, stamped with the
    scanner's own clock (a key every `gap` seconds), as a USB scanner's events are stamped by the system. The
    events go through Chromium's input pipeline (Enter on a focused button presses it, characters go into the
    focused field); only their pace no longer depends on how busy the test machine is."""

    def __init__(self, page, gap: float = 0.005):
        self.cdp = page.context.new_cdp_session(page)
        self.gap = gap

    def key(self, key: str, at: float, text: str | None = None, code: str | None = None, vk: int | None = None):
        down = {"type": "keyDown" if text else "rawKeyDown", "key": key, "timestamp": at}
        if text:
            down.update(text=text, unmodifiedText=text)
        if code:
            down.update(code=code, windowsVirtualKeyCode=vk, nativeVirtualKeyCode=vk)
        self.cdp.send("Input.dispatchKeyEvent", down)
        self.cdp.send("Input.dispatchKeyEvent", {**{k: v for k, v in down.items() if k not in ("text", "unmodifiedText")},
                                                 "type": "keyUp", "timestamp": at + self.gap / 2})

    def scan(self, code: str, end: str | None = "Enter", prefix: str = "") -> None:
        import time

        t0 = time.time()
        for i, ch in enumerate(prefix + code):
            self.key(ch, t0 + i * self.gap, text=ch)
        at = t0 + len(prefix + code) * self.gap
        if end == "Enter":
            self.key("Enter", at, text="\r", code="Enter", vk=13)
        elif end == "Tab":
            self.key("Tab", at, code="Tab", vk=9)
