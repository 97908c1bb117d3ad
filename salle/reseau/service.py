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
from datetime import datetime, timedelta
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
            columns = {r[1] for r in self._conn.execute("PRAGMA table_info(reseau_etat)")}
            if "hors_liaison" not in columns:  # a day's file from before the console showed it
                self._conn.execute("ALTER TABLE reseau_etat ADD COLUMN hors_liaison TEXT")
            self._conn.execute("INSERT OR REPLACE INTO reseau_etat (id, a, publie_jusqu_a, connecte, erreur, "
                               "autres_reponse, autres_lus, autres_refus, hors_liaison) VALUES (1, :a, "
                               ":publie_jusqu_a, :connecte, :erreur, :autres_reponse, :autres_lus, :autres_refus, "
                               ":hors_liaison)", row)

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
            day.journal.write_status({"a": time.time(), **links_now(publisher, others)})
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


# --- what the site's console shows of its links (issue 15) -------------------------------------------------


def link_status(day, publication: dict, others: dict, now_wall: float | None = None) -> dict:
    """The site's links as its responsable reads them: the journal published to the site's own NATS server (the
    siège sources it from there), and the other sites read through the siège. `publication`: connecte,
    publie_jusqu_a, hors_liaison (when the link was lost, on the day's clock, ISO; or None), erreur; `others`:
    lus, refus, derniere (wall time of the siège's last answer, or None). Times are told on the day's clock (a
    rehearsal's too), as the door tells them."""
    now_wall = time.time() if now_wall is None else now_wall

    def told(wall: float) -> str:
        return hhmm(day.clock.now() - timedelta(seconds=max(0.0, now_wall - wall)))

    pending = max(0, day.journal.head_seq - (publication.get("publie_jusqu_a") or 0))
    lost = publication.get("hors_liaison")
    connected = bool(publication.get("connecte"))
    last = others.get("derniere")
    siege_ok = last is not None and now_wall - last <= STALE
    if connected:
        sent = "à jour" if not pending else f"{pending} événement(s) en cours d'envoi"
    else:
        since = f" depuis {hhmm(datetime.fromisoformat(lost))}" if lost else ""
        why = f" ({publication['erreur']})" if publication.get("erreur") else ""
        sent = (f"serveur NATS du site injoignable{since}{why} : {pending} événement(s) à publier, le site continue "
                "seul")
    if siege_ok:
        seen = "siège joint, autres sites vérifiés à la porte"
    elif last is None:
        seen = "siège jamais joint depuis le démarrage : les autres sites ne sont pas vérifiables à la porte"
    else:
        seen = f"siège hors liaison depuis {told(last)} : les autres sites ne sont pas vérifiables à la porte"
    return {"site": day.session.reseau.site, "a_jour": connected and not pending and siege_ok,
            "publication": {"connecte": connected, "en_attente": pending,
                            "publie_jusqu_a": publication.get("publie_jusqu_a") or 0,
                            "hors_liaison_depuis": hhmm(datetime.fromisoformat(lost)) if lost and not connected
                            else None,
                            "erreur": publication.get("erreur")},
            "siege": {"joint": siege_ok, "derniere_reponse": told(last) if last is not None else None},
            "autres_sites": {"lus": others.get("lus") or 0, "refus": others.get("refus") or 0},
            "message": f"Publication : {sent}. Liaison : {seen}."}


def links_now(publisher: Publisher, others: OtherSites) -> dict:
    """The publisher's and the reader's state as one row of `reseau_etat` (wall times, the loss on the day's
    clock): what `salle reseau` writes once a second and what the server's own process reads directly."""
    answered = others.last_answer
    return {"publie_jusqu_a": publisher.cursor, "connecte": int(publisher.connected), "erreur": publisher.error,
            "hors_liaison": None if publisher.connected or publisher.lost_at is None else
            publisher.lost_at.isoformat(timespec="seconds"),
            "autres_lus": others.read, "autres_refus": len(others.refused),
            "autres_reponse": None if answered is None else time.time() - (time.monotonic() - answered)}


def row_link_status(day, row: dict) -> dict:
    """`link_status` from one row of `reseau_etat` (see `links_now`)."""
    return link_status(day, row, {"lus": row.get("autres_lus"), "refus": row.get("autres_refus"),
                                  "derniere": row.get("autres_reponse")})


def process_link_status(day, publisher: Publisher, others: OtherSites) -> dict:
    """`link_status` from the publisher and the reader running in the server's own process."""
    return row_link_status(day, links_now(publisher, others))


def file_link_status(day) -> dict:
    """`link_status` from what `salle reseau` writes once a second; its silence is said too."""
    try:
        row = day.journal.one("SELECT * FROM reseau_etat")
    except Exception:  # not written yet
        row = None
    row = dict(row or {})
    if not row or time.time() - (row.get("a") or 0) > 5 * STATUS_EVERY:
        row.update(connecte=0, erreur="le service réseau du serveur (salle reseau) ne répond pas")
    return row_link_status(day, row)
