"""Scan poster: sends each scanned code to the server as a scan (stdlib urllib), queueing through network cuts.

HTTP contract (server side lives in salle/web):
  POST {base}/api/v1/auth/login  {"code": staff code, "device": device name} -> {"token": …}
  POST {base}/api/v1/salles/<salle>/scans  Authorization: Bearer <token>
       {"code": scanned, "client_id": uuid4, "device_time": iso} -> {"verdict", "message", "enregistre"}
A code is never dropped: on a network error or a 5xx the same client_id is retried later,
so the server records it once. With `queue_path`, waiting scans also survive a restart.
"""

from __future__ import annotations

import json
import logging
import socket
import threading
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import deque
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Callable

from devices.backoff import Backoff
from devices.hooks import StatusSink, deliver, log_status
from devices.storage import LockedDatabase
from devices.worker import Worker

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PendingScan:
    code: str
    client_id: str
    device_time: str


class MemoryScanQueue:
    """Scans waiting for the server, oldest first, in memory."""

    def __init__(self):
        self._scans: deque[PendingScan] = deque()

    def append(self, scan: PendingScan) -> None:
        self._scans.append(scan)

    def head(self) -> PendingScan | None:
        return self._scans[0] if self._scans else None

    def remove(self, scan: PendingScan) -> None:
        self._scans.remove(scan)

    def all(self) -> list[PendingScan]:
        return list(self._scans)


class SqliteScanQueue:
    """Scans waiting for the server in a `pending_scans` table: they survive a restart."""

    def __init__(self, path):
        self.store = LockedDatabase(path)
        self.store.write(lambda db: db["pending_scans"].create(
            {"client_id": str, "code": str, "device_time": str}, pk="client_id", if_not_exists=True))

    def append(self, scan: PendingScan) -> None:
        self.store.write(lambda db: db["pending_scans"].insert(asdict(scan)))

    def head(self) -> PendingScan | None:
        scans = self.store.rows("pending_scans", "1", [], order_by="rowid", limit=1)
        return PendingScan(**scans[0]) if scans else None

    def remove(self, scan: PendingScan) -> None:
        self.store.write(lambda db: db["pending_scans"].delete_where("client_id = ?", [scan.client_id]))

    def all(self) -> list[PendingScan]:
        return [PendingScan(**row) for row in self.store.rows("pending_scans", "1", [], order_by="rowid")]


class LoginRefused(Exception):
    """The server refused the staff code: retrying will not help."""


class ScanPoster(Worker):
    """A code sink (`submit`) backed by a queue and a sender thread."""

    def __init__(
        self,
        base_url: str,
        salle: str,
        staff_code: str,
        device_name: str,
        *,
        on_result: Callable[[str, dict], None] | None = None,
        on_status: StatusSink = log_status,
        timeout: float = 5.0,
        backoff: Backoff | None = None,
        now: Callable[[], datetime] = datetime.now,
        queue_path: str | None = None,
    ):
        super().__init__(f"poster-{device_name}")
        self.base_url = base_url.rstrip("/")
        self.salle = salle
        self.staff_code = staff_code
        self.device_name = device_name
        self.on_result = on_result or (lambda code, answer: log.info("%s -> %s", code, answer))
        self.on_status = on_status
        self.timeout = timeout
        self.backoff = backoff or Backoff(0.5, 10.0)
        self.now = now
        self._queue = SqliteScanQueue(queue_path) if queue_path else MemoryScanQueue()
        self._token: str | None = None
        self._pending = threading.Condition()
        self.online: bool | None = None

    # -- the sink ---------------------------------------------------------------
    def submit(self, code: str) -> PendingScan:
        """Queue a scanned code (usable directly as a scanner's `on_code`)."""
        scan = PendingScan(code, str(uuid.uuid4()), self.now().isoformat(timespec="seconds"))
        with self._pending:
            self._queue.append(scan)
            self._pending.notify()
        return scan

    __call__ = submit

    def pending(self) -> list[PendingScan]:
        with self._pending:
            return self._queue.all()

    # -- the sender thread --------------------------------------------------------
    def _wake(self) -> None:
        with self._pending:
            self._pending.notify_all()

    def run(self) -> None:
        while not self._stop.is_set():
            scan = self._next()
            if scan is None:
                continue
            if self.send_one(scan):
                self.backoff.reset()
            else:
                self.backoff.wait(self._stop)

    def _next(self) -> PendingScan | None:
        with self._pending:
            scan = self._queue.head()
            if scan is None:
                self._pending.wait(0.5)
                scan = self._queue.head()
            return scan

    def send_one(self, scan: PendingScan) -> bool:
        """Try to post the scan at the head of the queue; True when it left the queue."""
        try:
            answer = self._post_scan(scan)
        except LoginRefused as exc:
            self._set_online(False, f"Connexion refusée par le serveur : {exc}")
            return False
        except (urllib.error.URLError, OSError, ValueError) as exc:
            self._set_online(False, f"Serveur injoignable ({_reason(exc)}) : le scan {scan.code} sera renvoyé.")
            return False
        self._set_online(True, "Serveur joignable.")
        with self._pending:
            self._queue.remove(scan)
        deliver(self.on_result, scan.code, answer)
        return True

    def _post_scan(self, scan: PendingScan) -> dict:
        url = f"{self.base_url}/api/v1/salles/{urllib.parse.quote(self.salle, safe='')}/scans"
        body = {"code": scan.code, "client_id": scan.client_id, "device_time": scan.device_time}
        for _ in range(2):  # a second go after signing in again when the token expired
            if self._token is None:
                self._token = self._login()
            status, answer = _post_json(url, body, self.timeout, {"Authorization": f"Bearer {self._token}"})
            if status == 401:
                self._token = None
                continue
            if status >= 500:
                raise OSError(f"erreur serveur {status}")
            return answer  # a verdict, or a 4xx refusal the server explained: retrying will not change it
        raise LoginRefused("jeton refusé")

    def _login(self) -> str:
        url = f"{self.base_url}/api/v1/auth/login"
        status, answer = _post_json(url, {"code": self.staff_code, "device": self.device_name}, self.timeout)
        if status >= 500:
            raise OSError(f"erreur serveur {status}")
        if status != 200 or not answer.get("token"):
            raise LoginRefused(answer.get("message") or f"code personnel refusé (HTTP {status})")
        return answer["token"]

    def _set_online(self, online: bool, message_fr: str) -> None:
        if online != self.online:
            self.online = online
            deliver(self.on_status, online, message_fr)


def _post_json(url: str, body: dict, timeout: float, headers: dict | None = None) -> tuple[int, dict]:
    """POST JSON; (status, decoded JSON body) for any HTTP answer; URLError/OSError when unreachable."""
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode("utf-8"),
        headers={"Content-Type": "application/json", "Accept": "application/json", **(headers or {})},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, _json(response.read())
    except urllib.error.HTTPError as error:
        with error:
            return error.code, _json(error.read())


def _json(raw: bytes) -> dict:
    try:
        value = json.loads(raw.decode("utf-8") or "{}")
    except (UnicodeDecodeError, json.JSONDecodeError):
        return {}
    return value if isinstance(value, dict) else {}


def _reason(exc: Exception) -> str:
    """Why the server could not be reached, in French (urllib's and the socket's words are English)."""
    reason = getattr(exc, "reason", None) or exc
    if isinstance(reason, ConnectionRefusedError):
        return "connexion refusée : le serveur est-il démarré ?"
    if isinstance(reason, (TimeoutError, socket.timeout)):
        return "pas de réponse à temps"
    if isinstance(reason, socket.gaierror):
        return "adresse du serveur inconnue"
    if isinstance(reason, (ConnectionResetError, ConnectionAbortedError, BrokenPipeError)):
        return "connexion coupée"
    if isinstance(reason, OSError):
        return "réseau injoignable"
    return "réponse illisible du serveur"
