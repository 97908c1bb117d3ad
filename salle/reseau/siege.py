"""The siège (`salle siege`): every site's journal, read from the siège's NATS server, checked, and kept.

The siège's nats-server holds one stream, `SIEGE_<concours>`, whose sources are the sites' streams, each reached
in its site's JetStream domain across the leaf-node links (`$JS.<site>.API`): NATS itself copies what each site
stored, catches up after a cut, and keeps it. This module reads that stream in order and, for each message:

- the subject names the site (`salle.<concours>.<site>.journal`); the site must be one of the session's, the
  `Salle-Site` header must say the same, and an event naming a site must name that one — else it is refused (a
  site publishing as another);
- the event must be the next link of that site's chain: the seq after the last kept, its `prev_hash` the last
  kept hash, its hash recomputed. An event already kept (same seq, same hash) is a duplicate and skipped. Anything
  else is refused: kept out of the replica, and its French message shown on the site's tile (and kept in
  `siege.db`). Only a true prefix of each site's journal is ever kept; the site's next genuine event, when it
  comes, is taken as usual;
- a kept event goes into the site's replica, its own SQLite file in the siège's folder (`<site>.db`): the same
  `events` table and the same projections as at the site, in one transaction with the replica's head, so the
  siège's tiles are the site's own queries on the same state.

Whether a site is reachable now comes from its « pouls », a core-NATS message each site sends every 2 s: none for
three periods and the site is « hors liaison depuis HH h MM ». The siège only reads: it never publishes on a site's
subject and has no way to write into a site's journal.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import sqlite_utils

from .. import rules
from ..journal import EVENT_COLUMNS, GENESIS, connect, ensure_schema, event_hash
from ..model import Session
from ..state import ensure_state_schema, project
from ..state import queries
from . import sujets
from .publication import HEARTBEAT

log = logging.getLogger(__name__)
DUPLICATE = "doublon"


async def quiet(exc) -> None:
    """nats-py's error callback: a refused connection while a link is down is expected, one line in the log."""
    log.info("NATS : %r", exc)


def hhmm(when: datetime) -> str:
    return f"{when:%H} h {when:%M}"


def check_link(site: str, headers: dict, event: dict, head_seq: int, head_hash: str, kept_hash) -> str | None:
    """Whether a message of `site`'s subject is the next link of that site's chain (None), one already kept
    (DUPLICATE: `kept_hash(seq)` gives the hash kept at a seq), or refused (why, in French). Used by the siège and by
    each site reading the others."""
    if headers.get(sujets.SITE_HEADER) != site:
        return (f"Un message publié par « {headers.get(sujets.SITE_HEADER)} » est arrivé sous le sujet du site "
                f"{site} : refusé (un site ne peut publier que son propre journal).")
    if event.get("site") not in (None, site):
        return (f"L'événement n° {event.get('seq')} du journal de {site} concerne le site {event.get('site')} : "
                "refusé (un site ne peut publier que son propre journal).")
    seq = event.get("seq")
    if not isinstance(seq, int) or set(event) != set(EVENT_COLUMNS):
        return f"Un message illisible est arrivé dans le journal de {site} : refusé."
    if seq <= head_seq:
        if kept_hash(seq) == event["hash"]:
            return DUPLICATE
        return (f"L'événement n° {seq} de {site} diffère de celui déjà reçu : le journal du site a été réécrit. "
                "Refusé ; prévenez l'administrateur.")
    if seq != head_seq + 1:
        return (f"Événement n° {seq} de {site} reçu avant les n° {head_seq + 1} à {seq - 1} : la chaîne est rompue. "
                "Refusé ; le siège attend les événements manquants.")
    if event["prev_hash"] != head_hash:
        return (f"Événement n° {seq} ({event['type']}) de {site} : son lien vers l'événement précédent ne correspond "
                "pas, le journal a été modifié. Refusé ; prévenez l'administrateur.")
    if event_hash(event) != event["hash"]:
        return (f"Événement n° {seq} ({event['type']}) de {site} : son contenu a été modifié après son "
                "enregistrement. Refusé ; prévenez l'administrateur.")
    return None


@dataclass
class Position:
    """Where a reader of a stream stands: the stream's seq last handled, and the stream's creation time (another
    time: the stream was made again, e.g. its server restarted empty, and is read again from its start)."""

    seq: int = 0
    created: object = None


async def follow(js, stream: str, position: Position, handle, poll: float, stopping, on_read=None,
                 after_batch=None) -> None:
    """Read `stream` in order past `position`, calling `handle(msg)` for each message and `after_batch()` after each
    batch of up to 256, until `stopping` is set; `on_read()` after each look at the stream that answered."""
    while not stopping.is_set():
        info = await js.stream_info(stream)
        if on_read:
            on_read()
        if (position.created is not None and info.created != position.created) or info.state.last_seq < position.seq:
            log.warning("flux %s recréé, relu depuis le début", stream)
            position.seq = 0
        position.created = info.created
        if info.state.messages == 0 or info.state.last_seq <= position.seq:
            await asyncio.sleep(poll)
            continue
        start = max(position.seq + 1, info.state.first_seq)
        try:
            for seq in range(start, min(info.state.last_seq, start + 255) + 1):
                handle(await js.get_msg(stream, seq))
                position.seq = seq
        finally:
            if after_batch:
                after_batch()


class SiteReplica:
    """One site's journal as kept at the siège: its own SQLite file, the site's state projected from it."""

    def __init__(self, path: Path, site: str):
        self.site = site
        self.path = path
        self.conn = connect(path)
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.db = sqlite_utils.Database(self.conn)
        ensure_schema(self.db)
        ensure_state_schema(self.db)
        self.conn.execute("CREATE TABLE IF NOT EXISTS siege_site (id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER "
                          "NOT NULL, hash TEXT NOT NULL, recu_a TEXT)")
        self.conn.execute("INSERT OR IGNORE INTO siege_site (id, seq, hash) VALUES (1, 0, ?)", [GENESIS])
        row = self.conn.execute("SELECT * FROM siege_site").fetchone()
        self.seq, self.hash = row["seq"], row["hash"]  # the head, with the pending events
        self.pending: list[dict] = []  # checked, not yet in the file: written by flush(), one transaction
        self.stored = self.seq  # the head in the file, what the console shows

    def check(self, subject_site: str, headers: dict, event: dict) -> str | None:
        """None if `event` is the next link of this site's chain; DUPLICATE if already kept; else why it is refused."""
        return check_link(subject_site, headers, event, self.seq, self.hash, self.kept_hash)

    def kept_hash(self, seq: int) -> str | None:
        for event in self.pending:
            if event["seq"] == seq:
                return event["hash"]
        row = self.conn.execute("SELECT hash FROM events WHERE seq = ?", [seq]).fetchone()
        return row[0] if row else None

    def keep(self, event: dict) -> None:
        """A checked event: the head moves now, the file at the next flush()."""
        self.pending.append(event)
        self.seq, self.hash = event["seq"], event["hash"]

    def flush(self, received_at: str) -> None:
        """Append the pending events and project them, with the new head, in one transaction."""
        if not self.pending:
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            for event in self.pending:
                self.conn.execute(f"INSERT INTO events ({', '.join(EVENT_COLUMNS)}) VALUES "
                                  f"({', '.join('?' for _ in EVENT_COLUMNS)})", [event[k] for k in EVENT_COLUMNS])
                project(self.db, event)
            self.conn.execute("UPDATE siege_site SET seq = ?, hash = ?, recu_a = ?", [self.seq, self.hash,
                                                                                     received_at])
            self.conn.execute("COMMIT")
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.pending.clear()
        self.stored = self.seq

    def close(self) -> None:
        self.conn.close()


class Siege:
    """Reads the siège's stream into one replica per site, from a thread of its own; `state()` for the page."""

    def __init__(self, folder: Path, session: Session, nats_url: str, clock, poll: float = 0.1):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.session = session
        self.concours = session.concours.code
        self.nats_url = nats_url
        self.clock = clock
        self.poll = poll
        self.stream = sujets.siege_stream(self.concours)
        self.sites = {sujets.token(s.code): s for s in session.sites}
        self.replicas = {s.code: SiteReplica(self.folder / f"{sujets.token(s.code)}.db", s.code)
                         for s in session.sites}
        self._lock = threading.RLock()  # the connections: the reading thread's and the page's
        self.meta = connect(self.folder / "siege.db")
        self.meta.execute("CREATE TABLE IF NOT EXISTS siege_refus (n INTEGER PRIMARY KEY, site TEXT, sujet TEXT, "
                          "a TEXT, message TEXT)")
        # The stream is read again from its start at every start: what the replicas already hold is skipped as
        # duplicates (a hash compared), so they can commit without waiting for the disk (synchronous=NORMAL).
        self.position = Position()
        self.pulses: dict[str, tuple[float, datetime]] = {}  # site → (monotonic, the day's clock) of its last pulse
        self.connected = False
        self.stopping = threading.Event()
        self.received = 0
        self._thread = threading.Thread(target=self._main, name="salle-siege", daemon=True)

    def start(self) -> "Siege":
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self._thread.join(10)
        for replica in self.replicas.values():
            replica.close()
        self.meta.close()

    # --- what the page shows --------------------------------------------------------------------------------

    def link(self, site: str) -> dict:
        pulse = self.pulses.get(site)
        if pulse and time.monotonic() - pulse[0] <= 3 * HEARTBEAT:
            return {"en_liaison": True, "message": "En liaison"}
        if pulse:
            return {"en_liaison": False, "depuis": pulse[1].isoformat(timespec="seconds"),
                    "message": f"hors liaison depuis {hhmm(pulse[1])}"}
        return {"en_liaison": False, "depuis": None, "message": "jamais en liaison depuis le démarrage du siège"}

    def state(self) -> dict:
        now = self.clock.now()
        epreuve = rules.current_epreuve(self.session.epreuves, now)
        sites = []
        with self._lock:
            for site in self.session.sites:
                replica = self.replicas[site.code]
                db = replica.db
                salles = [queries.salle_summary(db, s, epreuve, now) for s in self.session.salles_of(site.code)] \
                    if epreuve else []
                head = replica.conn.execute("SELECT * FROM siege_site").fetchone()
                sites.append({
                    "site": site.code, "nom": site.name, "liaison": self.link(site.code),
                    "evenements": replica.stored, "dernier_recu_a": head["recu_a"],
                    "refus": self.refusals(site.code),
                    "salles": salles, "alertes": queries.alerts(db, site=site.code),
                })
        return {"concours": self.concours, "epreuve": epreuve.code if epreuve else None,
                "heure": now.isoformat(timespec="seconds"), "nats_connecte": self.connected, "sites": sites,
                "refus": self.refusals(None)}

    def refusals(self, site: str | None, limit: int = 5) -> list[dict]:
        """The last messages refused for a site (None: those naming no known site), newest first."""
        with self._lock:
            return [dict(r) for r in self.meta.execute(
                "SELECT site, sujet, a, message FROM siege_refus WHERE site IS ? ORDER BY n DESC LIMIT ?",
                [site, limit])]

    # --- the reading thread ---------------------------------------------------------------------------------

    def _main(self) -> None:
        try:
            asyncio.run(self._run())
        except Exception:
            log.exception("siège arrêté")

    async def _run(self) -> None:
        import nats

        nc = None
        backoff = 0.1
        while not self.stopping.is_set():
            try:
                if nc is None or nc.is_closed:
                    nc = await nats.connect(self.nats_url, connect_timeout=2, allow_reconnect=True,
                                            max_reconnect_attempts=-1, reconnect_time_wait=0.5, name="salle-siege",
                                            error_cb=quiet)
                    for site in self.sites.values():  # one per site: a leaf link forwards only its own subjects
                        await nc.subscribe(sujets.heartbeat_subject(self.concours, site.code), cb=self._pulse)
                js = nc.jetstream(timeout=5)
                await self._ensure_stream(js)
                self.connected = True
                backoff = 0.1
                await self._read(js)
            except Exception as exc:
                self.connected = False
                log.info("siège : lecture interrompue (%r)", exc)
                await asyncio.sleep(backoff)
                backoff = min(2.0, backoff * 2)
        if nc is not None and not nc.is_closed:
            try:
                await asyncio.wait_for(nc.close(), 2)
            except Exception:
                pass

    async def _pulse(self, msg) -> None:
        site = msg.subject.split(".")[2]
        if site in self.sites:
            self.pulses[self.sites[site].code] = (time.monotonic(), self.clock.now())

    async def _ensure_stream(self, js) -> None:
        from nats.js.api import ExternalStream, StreamConfig, StreamSource
        from nats.js.errors import NotFoundError

        sources = [StreamSource(name=sujets.stream(self.concours, s.code),
                                external=ExternalStream(api=f"$JS.{sujets.domain(s.code)}.API"))
                   for s in self.session.sites]
        config = StreamConfig(name=self.stream, sources=sources,
                              description=f"Concours {self.concours} : les journaux de tous les sites")
        try:
            await js.stream_info(self.stream)
            await js.update_stream(config)
        except NotFoundError:
            await js.add_stream(config)

    async def _read(self, js) -> None:
        await follow(js, self.stream, self.position, self._receive, self.poll, self.stopping,
                     after_batch=self._flush)

    def _flush(self) -> None:
        at = self.clock.now().isoformat(timespec="seconds")
        with self._lock:
            for replica in self.replicas.values():
                replica.flush(at)

    def _receive(self, msg) -> None:
        subject, headers, data = msg.subject, dict(msg.headers or {}), msg.data
        token = sujets.site_of(subject)
        site = self.sites.get(token or "")
        at = self.clock.now().isoformat(timespec="seconds")
        if site is None:
            self._refuse(None, subject, at, f"Message d'un site inconnu du concours (« {subject} ») : refusé.")
            return
        replica = self.replicas[site.code]
        try:
            event = json.loads(data)
            if not isinstance(event, dict):
                raise ValueError
        except ValueError:
            event = {}
        with self._lock:
            problem = replica.check(site.code, headers, event)
            if problem == DUPLICATE:
                return
            if problem:
                self._refuse(site.code, subject, at, problem)
                return
            replica.keep(event)
            self.received += 1

    def _refuse(self, site: str | None, subject: str, at: str, message: str) -> None:
        log.error("siège : %s", message)
        with self._lock:
            self.meta.execute("INSERT INTO siege_refus (site, sujet, a, message) VALUES (?, ?, ?, ?)",
                              [site, subject, at, message])
