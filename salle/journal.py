"""The append-only, hash-chained event journal (SQLite through sqlite-utils): the only writer of state.

Every change of state is a command run inside a transaction, one writer at a time: it appends its
events and updates the derived state (salle.state) in that same transaction. A command that finds
nobody writing commits at once in its caller's thread; commands arriving while a commit is on its
way queue up for the writer thread and share its next durable commit (group commit, WAL +
synchronous=FULL). Each caller is answered only once its commit is on disk. A command carries a
client-made id: a retry gets the first answer back and records nothing new.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import queue
import shutil
import sqlite3
import tempfile
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

import sqlite_utils

from . import collation
from .errors import Conflit, Interdit, SalleError

log = logging.getLogger(__name__)
GENESIS = "0" * 64
MAX_BATCH = 256

EVENT_COLUMNS = {
    "seq": int, "client_id": str, "type": str, "epreuve": str, "site": str, "salle": str, "candidat": str,
    "actor": str, "role": str, "device": str, "server_time": str, "device_time": str, "wall_time": str,
    "payload": str, "prev_hash": str, "hash": str,
}
HASHED_FIELDS = ("seq", "client_id", "type", "epreuve", "site", "salle", "candidat", "actor", "role", "device",
                 "server_time", "device_time", "wall_time", "payload", "prev_hash")


def connect(path: str | Path, *, readonly: bool = False) -> sqlite3.Connection:
    """A connection in WAL mode with durable commits (synchronous=FULL)."""
    conn = sqlite3.connect(str(path), timeout=30, check_same_thread=False, isolation_level=None)
    conn.row_factory = sqlite3.Row
    collation.register(conn)  # ORDER BY nom COLLATE FR
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA busy_timeout=30000")
    if readonly:
        conn.execute("PRAGMA query_only=ON")
    return conn


CHECKPOINT_PERIOD = 1.0  # seconds between two checkpoints of the WAL (Journal._checkpoint_loop)
WAL_RESTART_PAGES = 16384  # a WAL this long (64 MB) is started again from its beginning
RESTART_WAIT_MS = 50  # the longest a RESTART checkpoint holds the writers back, waiting for readers


class Serialized(str):
    """A payload already written as the journal writes it (`serialize`): a command holding a large payload (an
    import) serializes it and lets go of it before the event is appended and projected."""


def serialize(payload: dict | None, *, consume: str | None = None) -> Serialized:
    """The payload's JSON text as the journal stores it. With `consume`, the list under that key is written one
    item at a time and emptied as it goes (an import lets each of its 100,000 rows go once written): the same
    text, without the whole list and its JSON held at once."""
    if not consume or not payload:
        return Serialized(_dumps(payload or {}))
    parts, items = ["{"], payload[consume]
    for k in sorted(payload):
        parts.append(f"{', ' if len(parts) > 1 else ''}{_dumps(k)}: ")
        if k != consume:
            parts.append(_dumps(payload[k]))
            continue
        parts.append("[")
        items.reverse()
        while items:
            parts.append(_dumps(items.pop()))
            parts.append(", ")
        if parts[-1] == ", ":
            parts.pop()
        parts.append("]")
    parts.append("}")
    return Serialized("".join(parts))


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def event_hash(event: dict) -> str:
    """The SHA-256 of the event's canonical JSON: its hashed fields as one compact JSON list."""
    values = [event.get(k) for k in HASHED_FIELDS]
    payload = event.get("payload")
    if not isinstance(payload, str) or len(payload) <= _HASH_PIECE:
        return hashlib.sha256(_canonical(values).encode("utf-8")).hexdigest()
    # A large payload (an import of 100,000 candidats) is hashed piece by piece: the same bytes as above, without
    # the second and third copies of it the canonical text and its encoding would be. JSON escapes a string one
    # character at a time, so its pieces escaped apart are the whole escaped.
    h, at = hashlib.sha256(), HASHED_FIELDS.index("payload")
    h.update((_canonical(values[:at])[:-1] + ',"').encode("utf-8"))
    for start in range(0, len(payload), _HASH_PIECE):
        h.update(_canonical(payload[start:start + _HASH_PIECE])[1:-1].encode("utf-8"))
    h.update(('",' + _canonical(values[at + 1:])[1:]).encode("utf-8"))
    return h.hexdigest()


_HASH_PIECE = 1 << 20


def _canonical(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def ensure_schema(db: sqlite_utils.Database) -> None:
    if "events" not in db.table_names():
        db["events"].create(EVENT_COLUMNS, pk="seq", not_null={"type", "server_time", "hash", "prev_hash"})
        db["events"].create_index(["client_id"], unique=True)
        db["events"].create_index(["epreuve", "type"])
        db["events"].create_index(["candidat"])
    if "acks" not in db.table_names():
        db["acks"].create({"client_id": str, "fingerprint": str, "response": str, "seq": int, "at": str},
                          pk="client_id")


@dataclass
class Actor:
    """Who acts: a staff member (or the system) on a device."""

    id: str
    role: str
    device: str = ""
    name: str = ""


SYSTEM = Actor(id="systeme", role="systeme", device="serveur", name="Système")


class Tx:
    """What a command sees inside the writer's transaction."""

    def __init__(self, journal: "Journal", db: sqlite_utils.Database, now: datetime):
        self.journal = journal
        self.db = db
        self.now = now
        self.events: list[dict] = []

    def append(self, type: str, actor: Actor, payload: dict | Serialized | None = None, *, client_id: str | None = None,
               device_time: str | None = None, epreuve=None, site=None, salle=None, candidat=None,
               server_time: str | None = None) -> dict:
        """Append one event to the chain and apply it to the derived state, in this transaction. `server_time`:
        only for a fact another server of this journal recorded at that time and that reaches this one late (a
        dead main laptop's events taken back by its promoted standby); its wall_time still says when."""
        journal = self.journal
        if site is not None and (own := journal.own_site()) not in (None, site):
            raise Interdit(f"Le site {site} a son propre serveur : cette action s'y fait, pas sur celui de {own}.",
                           code="autre_site")
        event = {
            "seq": journal._next_seq,
            "client_id": client_id,
            "type": type,
            "epreuve": epreuve,
            "site": site,
            "salle": salle,
            "candidat": candidat,
            "actor": actor.id,
            "role": actor.role,
            "device": actor.device or None,
            "server_time": server_time or self.now.isoformat(timespec="milliseconds"),
            "device_time": device_time,
            "wall_time": datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
            "payload": payload if isinstance(payload, Serialized) else serialize(payload),
            "prev_hash": journal._head,
        }
        event["hash"] = event_hash(event)
        return self._store(event)

    def copy(self, event: dict) -> dict:
        """Append an event another server of this journal made (the standby's copy of its site's journal, issue
        15), as it is: the next seq, linked to the head; its hash is the caller's to have checked."""
        journal = self.journal
        assert event["seq"] == journal._next_seq and event["prev_hash"] == journal._head, "not the next link"
        return self._store({k: event[k] for k in EVENT_COLUMNS})

    def _store(self, event: dict) -> dict:
        journal = self.journal
        self.db.execute(
            f"INSERT INTO events ({', '.join(EVENT_COLUMNS)}) VALUES ({', '.join('?' for _ in EVENT_COLUMNS)})",
            [event[k] for k in EVENT_COLUMNS],
        )
        journal._next_seq += 1
        journal._head = event["hash"]
        self.events.append(event)
        if journal.projector:
            journal.projector(self.db, event)  # from the stored JSON, exactly as a rebuild would
        return event


class Journal:
    """One SQLite file: the journal, the derived state, and the acknowledgements of client ids."""

    def __init__(self, path: str | Path, clock, projector: Callable[[sqlite_utils.Database, dict], None] | None = None):
        self.path = Path(path)
        self.clock = clock
        self.projector = projector
        self._conn = connect(self.path)
        # The writer never checkpoints: a checkpoint inside a commit stalled every waiting scan (p99 ≈ 140 ms
        # even at 200 scans/s). A thread of its own copies the WAL back with PASSIVE checkpoints instead,
        # which never block the writer nor the readers.
        self._conn.execute("PRAGMA wal_autocheckpoint=0")
        self._conn.execute(f"PRAGMA journal_size_limit={WAL_RESTART_PAGES * 4096}")  # a WAL started again shrinks
        self._db = sqlite_utils.Database(self._conn)
        ensure_schema(self._db)
        self._load_head()
        self._local = threading.local()
        self._readers: list[tuple[threading.Thread, sqlite3.Connection]] = []  # see close()
        self._readers_lock = threading.Lock()
        self.listeners: list[Callable[[list[dict]], None]] = []
        self._queue: queue.Queue = queue.Queue()
        self._writing = threading.Lock()  # held by whoever commits: the writer thread or a lone caller
        self._closed = False
        self.guard: Callable[[], None] | None = None  # raises while this file may not be written (a standby)
        # With [reseau], the one site this file's events may name: each site's journal is its own (issue 15); the
        # siège, the standby and the other sites refuse a link naming another site, and would stop at it.
        self.own_site: Callable[[], str | None] = lambda: None
        self._thread = threading.Thread(target=self._run, name="salle-journal-writer", daemon=True)
        self._thread.start()
        self._closing = threading.Event()
        self._checkpointer = threading.Thread(target=self._checkpoint_loop, name="salle-checkpoint", daemon=True)
        self._checkpointer.start()

    def _checkpoint_loop(self) -> None:
        """PASSIVE checkpoints every second; and when the WAL has grown past WAL_RESTART_PAGES, a RESTART one.
        Under a steady flow of commits and reads a PASSIVE checkpoint never finds the moment when no reader still
        needs the WAL, so the WAL is never started again from its beginning and grows all day (measured: 1.2 GB
        after 95,000 scans). A RESTART is run between two commits (it holds the commit lock: under a steady flow
        of commits it never found a moment without a writer) and waits for the readers of an older snapshot to
        finish: `busy_timeout` bounds that wait, and a RESTART that cannot get it is tried a second later."""
        conn = connect(self.path)
        conn.execute(f"PRAGMA busy_timeout={RESTART_WAIT_MS}")
        try:
            while not self._closing.wait(CHECKPOINT_PERIOD):
                try:
                    _, pages, _ = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
                    if pages >= WAL_RESTART_PAGES:
                        with self._writing:  # no commit meanwhile: the RESTART only waits for the readers
                            conn.execute("PRAGMA wal_checkpoint(RESTART)").fetchone()
                except sqlite3.Error as exc:  # busy or disk trouble: the WAL keeps everything, try again later
                    log.warning("checkpoint: %s", exc)
        finally:
            conn.close()

    def _load_head(self) -> None:
        row = self._conn.execute("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1").fetchone()
        self._next_seq = (row["seq"] + 1) if row else 1
        self._head = row["hash"] if row else GENESIS

    def prepare(self, fn: Callable[[sqlite_utils.Database], Any]) -> Any:
        """Run `fn(db)` on the writer's connection before the day's first command, for what lives in the same
        file outside the journal: the derived state's tables, the file's local secret."""
        with self._writing:
            return fn(self._db)

    @property
    def head(self) -> str:
        return self._head

    @property
    def head_seq(self) -> int:
        """The seq of the last committed event (0 before the first)."""
        return self._next_seq - 1

    # --- reading -----------------------------------------------------------------------------

    def reader(self) -> sqlite_utils.Database:
        """A read-only connection for this thread (WAL: readers never block the writer)."""
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite_utils.Database(connect(self.path, readonly=True))
            self._local.db = db
            with self._readers_lock:  # readers of threads that have ended are closed here, not left open
                kept = [(threading.current_thread(), db.conn)]
                for thread, conn in self._readers:
                    if thread.is_alive():
                        kept.append((thread, conn))
                    else:
                        conn.close()
                self._readers = kept
        return db

    def query(self, sql: str, params=()) -> list[dict]:
        return [dict(r) for r in self.reader().conn.execute(sql, params).fetchall()]

    def one(self, sql: str, params=()) -> dict | None:
        row = self.reader().conn.execute(sql, params).fetchone()
        return dict(row) if row else None

    # --- writing -----------------------------------------------------------------------------

    def write(self, fn: Callable[[Tx], Any], *, past_guard: bool = False) -> Any:
        """Run `fn(tx)` in the writer's transaction; return its result once it is durable on disk. `past_guard`:
        written while `guard` refuses every command (a standby's copy of its site's journal, the act that lifts
        the guard: it is the first event the file takes once open to commands)."""
        if self._closed:
            raise _stopping()
        if self.guard is not None and not past_guard:
            self.guard()
        slot: dict = {}
        if self._queue.empty() and self._writing.acquire(blocking=False):
            # Nobody is writing and nobody waits: commit here, in the caller's thread. On an ordinary day
            # most commands arrive alone, and this saves two thread hand-offs (to the writer and back).
            try:
                if self._closed:
                    raise _stopping()
                self._commit([(fn, slot, None)])
            finally:
                self._writing.release()
        else:  # someone is committing: queue up for the writer's next group commit
            done = threading.Event()
            self._queue.put((fn, slot, done))
            done.wait()
        if "error" in slot:
            raise slot["error"]
        return slot["result"]

    def command(self, client_id: str, fingerprint: dict, fn: Callable[[Tx], dict]) -> tuple[dict, bool]:
        """Run an idempotent command: the first answer for `client_id` is stored with its events and
        given back, unchanged, to every retry. Returns (answer, replayed)."""
        fp = hashlib.sha256(json.dumps(fingerprint, sort_keys=True, default=str).encode()).hexdigest()

        def run(tx: Tx):
            # The acknowledged ids stay on disk, not in memory (flat memory over a long day: issue 19); the lookup
            # by primary key costs a few microseconds inside the writer's transaction.
            ack = tx.db.execute("SELECT fingerprint, response FROM acks WHERE client_id = ?", [client_id]).fetchone()
            if ack:
                if ack[0] is not None and ack[0] != fp:  # None: an answer the standby rebuilt from a copied event
                    raise Conflit("Cet identifiant de requête a déjà servi pour une autre action : la requête "
                                  "est refusée.", code="client_id_reutilise")
                return json.loads(ack[1]), True
            response = fn(tx)
            if tx.events:
                tx.db.execute(
                    "INSERT INTO acks (client_id, fingerprint, response, seq, at) VALUES (?, ?, ?, ?, ?)",
                    [client_id, fp, json.dumps(response, ensure_ascii=False, default=str), tx.events[-1]["seq"],
                     tx.now.isoformat(timespec="milliseconds")],
                )
            return response, False

        return self.write(run)

    def _run(self) -> None:
        """The writer thread: each group commit takes every command queued while the last one was on disk."""
        while True:
            item = self._queue.get()
            if item is None:
                return
            with self._writing:
                batch = [item]
                while len(batch) < MAX_BATCH:
                    try:
                        nxt = self._queue.get_nowait()
                    except queue.Empty:
                        break
                    if nxt is None:
                        self._queue.put(None)
                        break
                    batch.append(nxt)
                self._commit(batch)

    def _commit(self, batch) -> None:
        conn = self._conn
        outcomes = []
        alone = len(batch) == 1  # a lone command needs no savepoint: its failure rolls the transaction back
        try:
            conn.execute("BEGIN IMMEDIATE")
            for fn, slot, done in batch:
                head, next_seq = self._head, self._next_seq
                if not alone:
                    conn.execute("SAVEPOINT cmd")
                tx = Tx(self, self._db, self.clock.now())
                try:
                    slot["result"] = fn(tx)
                    if not alone:
                        conn.execute("RELEASE cmd")
                    outcomes.append((slot, done, tx.events))
                except Exception as exc:  # the command's own failure: undo it alone, keep the batch
                    if not conn.in_transaction:  # SQLite itself rolled back (disk full, I/O error): all lost
                        if isinstance(exc, sqlite3.Error):
                            raise
                        raise sqlite3.OperationalError(f"transaction annulée par SQLite ({exc})") from exc
                    if alone:
                        conn.execute("ROLLBACK")
                    else:
                        conn.execute("ROLLBACK TO cmd")
                        conn.execute("RELEASE cmd")
                    self._head, self._next_seq = head, next_seq
                    slot["error"] = _storage_error(exc) if isinstance(exc, sqlite3.Error) else exc
                    outcomes.append((slot, done, []))
            if conn.in_transaction:
                conn.execute("COMMIT")
        except Exception as exc:  # the whole batch is lost (SQLite's error, or a bug): tell every caller
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            self._load_head()
            if isinstance(exc, sqlite3.Error):
                error = _storage_error(exc)
            else:
                log.exception("group commit failed")
                error = SalleError(f"Erreur interne ({exc}) : rien n'a été enregistré, réessayez.", code="interne",
                                   status=500)
            for fn, slot, done in batch:
                slot.pop("result", None)
                slot["error"] = error
                if done:
                    done.set()
            return
        committed = [event for _, _, events in outcomes for event in events]
        if committed:  # after the commit, before any caller is answered: a cache they read is already cleared
            for listener in self.listeners:
                try:
                    listener(committed)
                except Exception:  # what is committed stays committed and answered: a listener only follows
                    log.exception("listener %r failed", listener)
        for slot, done, events in outcomes:
            if done:
                done.set()

    def subscribe(self, listener: Callable[[list[dict]], None]) -> None:
        """Be told of each batch of committed events, from the writer thread, after the commit and before the
        callers are answered: hand them on, never block."""
        self.listeners.append(listener)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._closing.set()
        self._queue.put(None)
        self._thread.join(timeout=10)
        self._checkpointer.join(timeout=5)
        self._writing.acquire(timeout=10)  # a caller committing in its own thread finishes first
        try:
            self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # leave one tidy file behind
        except sqlite3.Error as exc:
            log.warning("checkpoint at close: %s", exc)
        self._conn.close()
        # Readers of this thread and of threads that have ended are closed (the file is then free, e.g. for
        # `salle purge`). A live thread's reader is left to that thread: closing a connection another thread
        # may be using at this very moment can crash the process.
        for thread, conn in self._readers:
            if thread is threading.current_thread() or not thread.is_alive():
                conn.close()


def _stopping() -> SalleError:
    return SalleError("Le serveur s'arrête : réessayez dans un instant.", code="arret", status=503)


STORAGE_REASONS = (("full", "le disque est plein"), ("locked", "le fichier du jour est verrouillé par un autre "
                    "programme"), ("busy", "le fichier du jour est verrouillé par un autre programme"),
                   ("readonly", "le disque est en lecture seule"), ("read-only", "le disque est en lecture seule"),
                   ("i/o", "le disque est défaillant"))


def _storage_error(exc: sqlite3.Error) -> SalleError:
    log.error("enregistrement impossible : %s", exc)  # SQLite's own (English) words go to the log, not to people
    text = str(exc).lower()
    reason = next((french for words, french in STORAGE_REASONS if words in text), "le disque ou le fichier du jour "
                  "est défaillant")
    return SalleError(f"Enregistrement impossible ({reason}) : rien n'a été enregistré. Réessayez ; si cela "
                      "persiste, prévenez le responsable.", code="stockage", status=503)


MIN_FREE_MB = 20  # below this, /health says the day cannot go on safely


def storage_health(path: str | Path, lock_wait: float = 1.0) -> dict:
    """Whether the day's file can be written now and how much disk is left beside it: a probe file written,
    synced and deleted in the file's folder, then SQLite's write lock taken and released (BEGIN IMMEDIATE;
    ROLLBACK) within `lock_wait` seconds. Nothing is written to the journal."""
    path = Path(path)
    free_mb = shutil.disk_usage(path.parent).free / 1e6
    problem = None
    try:
        fd, probe = tempfile.mkstemp(prefix=".salle-sonde-", dir=path.parent)
        try:
            os.write(fd, b"\0" * 4096)
            os.fsync(fd)
        finally:
            os.close(fd)
            os.unlink(probe)
    except OSError as exc:
        log.error("sonde d'écriture : %s", exc)
        problem = "le disque refuse l'écriture (plein ou en lecture seule)"
    if problem is None:
        try:
            conn = sqlite3.connect(str(path), timeout=lock_wait, isolation_level=None)
            try:
                conn.execute("BEGIN IMMEDIATE")
                conn.execute("ROLLBACK")
            finally:
                conn.close()
        except sqlite3.Error as exc:
            log.error("sonde SQLite : %s", exc)
            problem = "le fichier du jour est verrouillé ou illisible"
    if problem is None and free_mb < MIN_FREE_MB:
        problem = f"il reste moins de {MIN_FREE_MB} Mo sur le disque"
    return {"ecriture_possible": problem is None, "espace_libre_mo": round(free_mb, 1),
            "message": f"Enregistrement impossible : {problem}. Prévenez le responsable." if problem else None}


def verify_chain(path: str | Path) -> tuple[bool, str, int]:
    """Check every event's hash and link. Returns (ok, message in French, events checked)."""
    conn = connect(path, readonly=True)
    try:
        return verify_events(canonical_rows(conn), hashed)
    finally:
        conn.close()


# SQLite writes an event's canonical JSON itself: `json_array` over the hashed fields gives the same bytes as
# `_canonical` (compact, non-ASCII kept, the same escapes: checked for every Unicode character by
# tests/core/test_journal_chain.py), in C and without making a Python dict and string per event. A day of 190,000
# events is checked in a third of the time.
_CANONICAL_SQL = (f"SELECT seq, type, server_time, prev_hash, hash, CAST(json_array({', '.join(HASHED_FIELDS)}) "
                  "AS BLOB) AS canonical{more} FROM events ORDER BY seq")


def canonical_rows(conn: sqlite3.Connection, more: str = ""):
    """The events in seq order as the chain check needs them, each with its canonical JSON (`canonical`, UTF-8
    bytes) and `more` (further SQL columns, e.g. the export's line)."""
    cursor = conn.cursor()
    cursor.row_factory = None  # plain tuples
    cursor.execute(_CANONICAL_SQL.format(more=more and f", {more}"))
    names = [d[0] for d in cursor.description]
    while batch := cursor.fetchmany(500):
        for r in batch:
            yield dict(zip(names, r))


def hashed(event: dict) -> str:
    """The hash of an event from `canonical_rows`."""
    return hashlib.sha256(event["canonical"]).hexdigest()


def verify_events(events, hash_of=event_hash) -> tuple[bool, str, int]:
    """Check a sequence of events (dicts, in seq order) from the journal or from an export; `hash_of(event)`
    recomputes its hash (`hashed` for the rows of `canonical_rows`)."""
    prev = GENESIS
    count = 0
    expected_seq = 1
    for event in events:
        count += 1
        if event["seq"] != expected_seq:
            return False, f"Événement n° {expected_seq} manquant : le journal a été amputé.", count
        if event["prev_hash"] != prev:
            return False, (f"Événement n° {event['seq']} ({event['type']}) : son lien vers l'événement "
                           "précédent ne correspond pas : le journal a été modifié."), count
        if hash_of(event) != event["hash"]:
            return False, (f"Événement n° {event['seq']} ({event['type']}, {event['server_time']}) : son "
                           "contenu a été modifié après son enregistrement."), count
        prev = event["hash"]
        expected_seq += 1
    return True, f"Journal intègre : {count} événements, tête de chaîne {prev}.", count
