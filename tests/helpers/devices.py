"""The hardware boundary in the device tests: a real pty pair from socat, a convocation ticket, a network printer
on a fake, and the print spooler with hooks that record what it journals and alerts."""

from __future__ import annotations

import os
import subprocess
import time

from devices.backoff import Backoff
from devices.config import PrinterConfig
from devices.printing.fake import FakeNetworkPrinter
from devices.printing.printer import TicketPrinter
from devices.printing.spooler import PrintSpooler, SqliteJobStore
from devices.printing.ticket import ConvocationTicket
from tests.helpers.waiting import wait_for


class SocatPair:
    """A real pty pair from socat, with stable link names; kill it to unplug, start it to replug."""

    def __init__(self, directory):
        self.a = str(directory / "ttyA")
        self.b = str(directory / "ttyB")
        self.process: subprocess.Popen | None = None
        self._fd_b: int | None = None

    def start(self) -> "SocatPair":
        self.process = subprocess.Popen(
            ["socat", "-d", "-d", f"pty,raw,echo=0,link={self.a}", f"pty,raw,echo=0,link={self.b}"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(lambda: os.path.exists(self.a) and os.path.exists(self.b))
        return self

    def kill(self) -> None:
        """Unplug: socat ends (SIGTERM, so it removes its links) and both ptys vanish."""
        if self._fd_b is not None:
            os.close(self._fd_b)
            self._fd_b = None
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(5)
        wait_for(lambda: not os.path.exists(self.a))

    def _b(self) -> int:
        if self._fd_b is None:
            self._fd_b = os.open(self.b, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
        return self._fd_b

    def write_b(self, data: bytes) -> None:
        """Write to the B end, as the scanner would."""
        os.write(self._b(), data)

    def read_b(self, timeout: float = 5.0, until: int = 1) -> bytes:
        """Read what arrived at the B end (what the relay board would receive)."""
        received = b""
        deadline = time.monotonic() + timeout
        while len(received) < until and time.monotonic() < deadline:
            try:
                received += os.read(self._b(), 1024)
            except BlockingIOError:
                time.sleep(0.01)
        return received


TICKET = ConvocationTicket(
    concours_label="Concours d'ingénieur territorial — 2026",
    epreuve_label="Épreuve écrite : note de synthèse",
    epreuve_date="jeudi 3 décembre 2026",
    numero="2026004217",
    nom="Lefèvre",
    prenom="Zoé",
    site_name="Parc des expositions",
    site_address="1 place de l'Œuvre, 33000 Bordeaux",
    salle_label="Salle Garonne",
    salle_access="bâtiment B, 1er étage",
    place="117",
    convocation_time="08:30",
    barcode_payload="2026004217",
)


def network_printer(fake: FakeNetworkPrinter, timeout: float = 0.3) -> TicketPrinter:
    return TicketPrinter(PrinterConfig("accueil", "network", host="127.0.0.1", port=fake.port, timeout=timeout))


class Hooks:
    def __init__(self):
        self.events, self.alerts = [], []

    def record(self, event_type, payload):
        self.events.append((event_type, payload))

    def on_alert(self, kind, message):
        self.alerts.append((kind, message))


def make_spooler(tmp_path, printer, hooks, max_attempts=50):
    store = SqliteJobStore(tmp_path / "jobs.db")
    return PrintSpooler(printer, store, record=hooks.record, on_alert=hooks.on_alert,
                        max_attempts=max_attempts, backoff=Backoff(0.01, 0.03))
