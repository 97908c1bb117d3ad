"""Servers for the tests: the real app (create_app) on a real port in the test process, `salle serve` as a child
process, and the kiosk's configuration for the fake network printer."""

from __future__ import annotations

import queue
import threading
from pathlib import Path

import socketio
from werkzeug.serving import make_server

from devices.printing.fake import FakeNetworkPrinter
from salle.client import ApiClient
from salle.day import ExamDay
from salle.server import ChildServer
from tests.helpers.day import CODES

FAST_PRINT = {"KIOSK_PRINT_BACKOFF": (0.05, 0.2), "KIOSK_PRINT_WAIT": 5.0, "KIOSK_PRINTER_WATCH": 0}


class LiveServer:
    """The real app (create_app) on a real port, in a thread of the test process."""

    def __init__(self, db_path: Path, clock, doorkeeper: bool = False, config: dict | None = None, port: int = 0):
        from salle.web.app import create_app

        self.app = create_app({"DB_PATH": str(db_path), "CLOCK": clock, "DOORKEEPER": doorkeeper, "TESTING": True,
                               **(config or {})})
        self.server = make_server("127.0.0.1", port, self.app, threaded=True)
        self.port = self.server.server_port
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()
        self.stopped = False

    @property
    def day(self) -> ExamDay:
        return self.app.extensions["salle.day"]

    def tick(self) -> None:
        """The doorkeeper's tick, now (its thread is off in most tests: they move the clock themselves)."""
        from salle.commands.doors import tick

        tick(self.day)

    def client(self, role: str | None = None) -> ApiClient:
        c = ApiClient(self.url)
        if role:
            c.login(CODES[role], device=f"test-{role}")
        return c

    def die(self):
        """As a laptop's death is seen from the tablets: its live connections cut, then its port closed."""
        eio = self.app.extensions["salle.socketio"].server.eio
        for sid, socket in list(eio.sockets.items()):
            # without waiting for its queue to drain: a long-polling client's drains only when it polls again, and
            # engineio's own disconnect() waited for that forever (a 300 s timeout in a fresh clone's run)
            socket.close(wait=False)
            eio.sockets.pop(sid, None)
        self.stop()

    def stop(self):
        if self.stopped:
            return
        self.stopped = True
        self.server.shutdown()
        self.server.server_close()  # its port refuses connections, as a dead laptop's would
        self.day.close()


class ServedProcess(ChildServer):
    """`salle serve` (gunicorn, the production server) as a child process on a real port, its log beside the file."""

    def __init__(self, db_path: Path, clock: str = "2027-03-18T08:40", speed: float = 1.0,
                 command: tuple[str, ...] = ("serve",), port: int | None = None, context=None):
        """`context`: an ssl context trusting the certificate beside `db_path` it serves https with."""
        self.db_path = db_path
        self.log = open(db_path.with_suffix(".log"), "ab")
        super().__init__(db_path, clock=clock, speed=speed, threads=64, output=self.log, timeout=30, command=command,
                         port=port, context=context)

    def client(self, role: str | None = None) -> ApiClient:
        c = ApiClient(self.url, context=self.context)
        if role:
            c.login(CODES[role], device=f"test-{role}")
        return c

    def stop(self) -> None:
        super().stop()
        self.log.close()


def kiosk_config(fake: FakeNetworkPrinter, **extra) -> dict:
    """The app's config for a kiosk printing to `fake`, with short waits and retries."""
    return {"KIOSK_PRINTER": {"connection": "network", "host": "127.0.0.1", "port": fake.port, "timeout": 2.0},
            **FAST_PRINT, **extra}


class Listener:
    """A real Socket.IO client signed in with a staff token, collecting what it is pushed."""

    def __init__(self, live, role, transports=("websocket",)):
        self.events: queue.Queue = queue.Queue()
        self.states: queue.Queue = queue.Queue()
        self.client = socketio.Client(reconnection=False)
        self.client.on("evenement", self.events.put)
        self.client.on("evenements", lambda items: [self.events.put(e) for e in items])  # a batch
        self.client.on("salle_etat", self.states.put)
        self.client.on("salles_etat", lambda items: [self.states.put(s) for s in items])  # several salles
        token = live.client(role).token
        self.client.connect(live.url, auth={"token": token}, transports=list(transports), wait_timeout=10)

    def next_event(self, timeout=10) -> dict:
        return self.events.get(timeout=timeout)

    def close(self):
        self.client.disconnect()
