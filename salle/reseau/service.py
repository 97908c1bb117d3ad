"""The several-sites work beside `salle serve`, in a process of its own: the publication and the other sites'
reader (issue 15).

In the server's process they shared its CPU time and its GIL with the door's requests (+0.4–0.7 ms of server CPU
per scan, benchmarks/RESULTS.md). They need nothing from the server but the day's file: here they run on it
(`salle reseau --db …`, started by `salle serve`, ended with it), the publisher looking for new events every
20 ms instead of being woken by the journal, and the state the door needs — when the other sites last answered —
written to the file once a second (table `reseau_etat`), read by the door through `FileOtherSites`.
"""

from __future__ import annotations

import signal
import threading
import time
from datetime import timedelta
from pathlib import Path

import sqlite_utils

from ..journal import connect
from ..session_file import parse_session
from ..state.queries import session_toml
from .autres_sites import STALE, OtherSites
from .publication import Publisher
from .siege import hhmm

STATUS_EVERY = 1.0


class FileJournal:
    """What the publisher and the reader use of a journal, on the day's file from another process: they never
    append to it."""

    def __init__(self, path: Path):
        self.path = path
        self._conn = connect(path)
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._lock = threading.Lock()

    def prepare(self, fn):
        with self._lock:
            return fn(sqlite_utils.Database(self._conn))

    def subscribe(self, listener) -> None:
        """No wake-up across processes: the publisher looks at the file every few milliseconds instead."""

    @property
    def _next_seq(self) -> int:
        with self._lock:
            return (self._conn.execute("SELECT MAX(seq) FROM events").fetchone()[0] or 0) + 1

    def write_status(self, row: dict) -> None:
        with self._lock:
            self._conn.execute("CREATE TABLE IF NOT EXISTS reseau_etat (id INTEGER PRIMARY KEY CHECK (id = 1), a REAL, "
                               "publie_jusqu_a INTEGER, connecte INTEGER, erreur TEXT, autres_reponse REAL, "
                               "autres_lus INTEGER, autres_refus INTEGER)")
            self._conn.execute("INSERT OR REPLACE INTO reseau_etat (id, a, publie_jusqu_a, connecte, erreur, "
                               "autres_reponse, autres_lus, autres_refus) VALUES (1, :a, :publie_jusqu_a, :connecte, "
                               ":erreur, :autres_reponse, :autres_lus, :autres_refus)", row)

    def close(self) -> None:
        self._conn.close()


class FileDay:
    """The part of ExamDay the publisher and the reader use: the file, its session, a clock, a stop."""

    def __init__(self, db_path: Path, clock):
        self.db_path = Path(db_path)
        self.clock = clock
        self.journal = FileJournal(self.db_path)
        toml = self.journal.prepare(lambda db: session_toml(db))
        self.session = parse_session(toml)
        self.stopping = threading.Event()
        self.threads: list[threading.Thread] = []
        self.other_sites = None


def run(db_path: Path, clock) -> None:
    """`salle reseau`: publish and read until SIGTERM (or the parent's death, see salle/cli.py)."""
    day = FileDay(db_path, clock)
    reseau = day.session.reseau
    if reseau is None:
        return
    signal.signal(signal.SIGTERM, lambda *_: day.stopping.set())
    publisher = Publisher(day, reseau, idle=0.02).start()
    others = OtherSites(day, reseau).start()
    try:
        while not day.stopping.wait(STATUS_EVERY):
            answered = others.last_answer
            day.journal.write_status({
                "a": time.time(), "publie_jusqu_a": publisher.cursor, "connecte": int(publisher.connected),
                "erreur": publisher.error, "autres_lus": others.read, "autres_refus": len(others.refused),
                "autres_reponse": None if answered is None else time.time() - (time.monotonic() - answered)})
    finally:
        day.stopping.set()
        for thread in day.threads:
            thread.join(timeout=5)
        day.journal.close()


class FileOtherSites:
    """The door's side in `salle serve`: whether the other sites are read now, from what `run` wrote."""

    def __init__(self, day, stale: float = STALE):
        self.day = day
        self.stale = stale

    def unchecked(self) -> str | None:
        try:
            row = self.day.journal.one("SELECT autres_reponse FROM reseau_etat")
        except Exception:  # not written yet
            row = None
        answered = row and row["autres_reponse"]
        if answered and time.time() - answered <= self.stale:
            return None
        if not answered:
            return "aucune liaison depuis le démarrage du serveur"
        return f"hors liaison depuis {hhmm(self.day.clock.now() - timedelta(seconds=time.time() - answered))}"
