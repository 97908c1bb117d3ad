"""A site publishes its journal to its own NATS server (JetStream), after each durable commit, never on the door's
path.

The journal's listener only wakes this module's thread (an asyncio loop of its own): the door's scan is answered
whatever NATS does. The thread reads the events past its cursor from the day's file and publishes them in order,
one at a time, each awaiting JetStream's acknowledgement, with `Nats-Msg-Id` = the event's hash (a message sent
twice within the stream's duplicate window, one day, is stored once). The cursor — the seq of the last event
JetStream acknowledged — is kept in the day's file (table `reseau_curseur`, outside the journal, like the file's
local secret), and after every (re)connection it is set from the stream itself: the seq of the last message stored
on the site's subject. So a cut link or a dead nats-server only delays; on reconnection the site catches up in
order from there, nothing lost, nothing doubled; a nats-server restarted empty gets the whole journal again; and a
stream whose last event is not this file's (another laptop publishing as this site) stops the publication with a
French message instead of mixing two journals.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from datetime import datetime

from ..journal import EVENT_COLUMNS, connect
from ..model import Reseau
from .connexion import KEPT, connect_site
from . import sujets

log = logging.getLogger(__name__)
BATCH = 256
HEARTBEAT = 2.0  # seconds between two « pouls » of the site (core NATS, not stored)
SAVE_EVERY = 1.0  # seconds between two saves of the cursor while publishing


def ensure_cursor(db) -> None:
    db.execute("CREATE TABLE IF NOT EXISTS reseau_curseur (id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER "
               "NOT NULL, a TEXT)")
    db.execute("INSERT OR IGNORE INTO reseau_curseur (id, seq, a) VALUES (1, 0, NULL)")


def event_message(event: dict) -> bytes:
    return json.dumps({k: event[k] for k in EVENT_COLUMNS}, ensure_ascii=False, separators=(",", ":")).encode()


class Publisher:
    """The site's journal → the site's JetStream stream, from a thread of its own."""

    def __init__(self, day, reseau: Reseau, heartbeat: float = HEARTBEAT, idle: float = HEARTBEAT):
        self.day = day
        self.reseau = reseau
        self.concours = day.session.concours.code
        self.subject = sujets.subject(self.concours, reseau.site)
        self.stream = sujets.stream(self.concours, reseau.site)
        self.heartbeat = heartbeat
        self.idle = idle  # longest wait for new events when nothing wakes the thread (another process: 20 ms)
        self.cursor = 0  # seq of the last event JetStream acknowledged
        self.connected = False
        self.since: float | None = time.time()  # when the link was lost (None while connected)
        self.lost_at: datetime | None = day.clock.now()  # … on the day's clock, as the console tells it
        self.error: str | None = None  # a French message when publishing had to stop
        self.published = 0  # messages JetStream stored (not counting duplicates)
        self.duplicates = 0
        self._next_save = 0.0
        self._saved = -1  # the cursor as last saved
        self._relinked = False  # nats-py reconnected by itself: the stream is read again before going on
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._main, name="salle-reseau-publication", daemon=True)

    def start(self) -> "Publisher":
        self.cursor = self.day.journal.prepare(lambda db: (ensure_cursor(db), db.execute(
            "SELECT seq FROM reseau_curseur").fetchone()[0])[1])
        self.day.journal.subscribe(self._committed)
        self.day.threads.append(self._thread)  # ExamDay.close sets `stopping` and joins it
        self._thread.start()
        return self

    def status(self) -> dict:
        head = self.day.journal.head_seq
        return {"site": self.reseau.site, "nats": self.reseau.nats, "connecte": self.connected,
                "publie_jusqu_a": self.cursor, "en_attente": max(0, head - self.cursor),
                "hors_liaison_depuis": None if self.connected or self.since is None else
                datetime.fromtimestamp(self.since).isoformat(timespec="seconds"), "erreur": self.error}

    # --- the journal's side: never waits -------------------------------------------------------------------

    def _committed(self, events: list[dict]) -> None:
        loop, wake = self._loop, self._wake
        if loop is not None and wake is not None:
            try:
                loop.call_soon_threadsafe(wake.set)
            except RuntimeError:  # the loop has ended (the day is closing)
                pass

    # --- the publisher's thread ------------------------------------------------------------------------------

    def _main(self) -> None:
        try:
            asyncio.run(self._run())
        except Exception:
            log.exception("publication vers NATS arrêtée")

    async def _run(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        self._reader = connect(self.day.db_path, readonly=True)
        self._writer = connect(self.day.db_path)
        self._writer.execute("PRAGMA synchronous=NORMAL")  # the cursor is re-read from the stream on reconnection
        backoff = 0.1
        nc = None
        try:
            while not self.day.stopping.is_set() and self.error is None:
                try:
                    if nc is None or nc.is_closed:
                        nc = await connect_site(self.reseau, self.day.db_path.parent, self.day.stopping.is_set,
                                                **KEPT, connect_timeout=2, disconnected_cb=self._disconnected,
                                                reconnected_cb=self._reconnected, error_cb=self._error_cb,
                                                name=f"salle-{self.reseau.site}")
                    js = nc.jetstream(timeout=5)
                    await self._ensure_stream(js)
                    self._relinked = False
                    await self._reconcile(js)
                    self._set_connected(True)
                    backoff = 0.1
                    await self._publish_loop(nc, js)
                except Exception as exc:  # a cut link, a dead server, a timeout: wait a little and try again
                    if self.error:
                        break
                    self._set_connected(False)
                    log.info("publication vers %s interrompue : %r", self.reseau.nats, exc)
                    self._save_cursor()
                    await self._sleep(backoff)
                    backoff = min(2.0, backoff * 2)
        finally:
            self._save_cursor()
            if nc is not None and not nc.is_closed:
                try:
                    await asyncio.wait_for(nc.close(), 2)
                except Exception:
                    pass
            self._reader.close()
            self._writer.close()

    async def _sleep(self, seconds: float) -> None:
        try:
            await asyncio.wait_for(self._wake.wait(), seconds)
        except asyncio.TimeoutError:
            pass
        self._wake.clear()

    async def _ensure_stream(self, js) -> None:
        from nats.js.api import StreamConfig
        from nats.js.errors import NotFoundError

        config = StreamConfig(name=self.stream, subjects=[self.subject], duplicate_window=24 * 3600.0,
                              description=f"Journal du site {self.reseau.site}, concours {self.concours}")
        try:
            await js.stream_info(self.stream)
        except NotFoundError:
            await js.add_stream(config)

    async def _reconcile(self, js) -> None:
        """The cursor from the stream itself: the last event stored on this site's subject (0 if none)."""
        from nats.js.errors import NotFoundError

        try:
            last = await js.get_last_msg(self.stream, self.subject)
        except NotFoundError:
            self.cursor = 0
            return
        seq = int((last.headers or {}).get(sujets.SEQ_HEADER, "0"))
        row = self._reader.execute("SELECT hash FROM events WHERE seq = ?", [seq]).fetchone()
        if row is None or row[0] != (last.headers or {}).get(sujets.MSG_ID):
            self.error = (f"Le flux NATS {self.stream} contient un journal qui n'est pas celui de ce serveur "
                          f"(événement n° {seq}) : un autre ordinateur publie-t-il comme le site {self.reseau.site} ? "
                          "Publication arrêtée ; prévenez l'administrateur.")
            log.error(self.error)
            raise RuntimeError(self.error)
        self.cursor = seq

    async def _publish_loop(self, nc, js) -> None:
        cols = ", ".join(EVENT_COLUMNS)
        next_beat = 0.0
        while not self.day.stopping.is_set():
            if self._relinked:
                raise ConnectionError("reconnecté")
            if time.monotonic() >= next_beat:
                await nc.publish(sujets.heartbeat_subject(self.concours, self.reseau.site), json.dumps(
                    {"site": self.reseau.site, "seq": self.cursor, "a": time.time()}).encode())
                next_beat = time.monotonic() + self.heartbeat
            rows = self._reader.execute(f"SELECT {cols} FROM events WHERE seq > ? ORDER BY seq LIMIT ?",
                                        [self.cursor, BATCH]).fetchall()
            if not rows:
                if self._saved != self.cursor:  # a burst has ended: one save
                    self._save_cursor()
                await self._sleep(max(0.01, min(self.idle, next_beat - time.monotonic())))
                continue
            for row in rows:
                if self._relinked:  # the server may have restarted empty: read where the stream is first
                    raise ConnectionError("reconnecté")
                event = dict(row)
                # No `stream=` (Nats-Expected-Stream): that header stays on the stored message, and the siège's stream
                # sourcing it would refuse it as meant for another stream.
                data = event_message(event)
                if len(data) > nc.max_payload:
                    self.error = (f"L'événement n° {event['seq']} ({event['type']}) fait {len(data) / 1e6:.1f} Mo, "
                                  "plus que ce qu'accepte le serveur NATS "
                                  f"({nc.max_payload / 1e6:.1f} Mo, « max_payload ») : publication arrêtée ; "
                                  "prévenez l'administrateur.")
                    log.error(self.error)
                    raise RuntimeError(self.error)
                ack = await js.publish(self.subject, data, headers={
                    sujets.MSG_ID: event["hash"], sujets.SITE_HEADER: self.reseau.site,
                    sujets.SEQ_HEADER: str(event["seq"])})
                if ack.duplicate:
                    self.duplicates += 1
                else:
                    self.published += 1
                self.cursor = event["seq"]
            if time.monotonic() >= self._next_save:
                self._save_cursor()

    def _save_cursor(self) -> None:
        """At most once a second while publishing (and when the link is lost, and at the end): each save takes the
        day file's write lock, which a scan's commit may then have to wait for."""
        self._next_save = time.monotonic() + SAVE_EVERY
        self._saved = self.cursor
        try:
            self._writer.execute("UPDATE reseau_curseur SET seq = ?, a = ? WHERE id = 1",
                                 [self.cursor, datetime.now().isoformat(timespec="seconds")])
        except Exception as exc:  # busy: the stream keeps the truth, the next save will do
            log.warning("curseur de publication non enregistré : %s", exc)

    def _set_connected(self, value: bool) -> None:
        if value:
            self.since = self.lost_at = None
        elif self.connected or self.since is None:
            self.since, self.lost_at = time.time(), self.day.clock.now()
        self.connected = value

    async def _disconnected(self) -> None:
        self._set_connected(False)

    async def _reconnected(self) -> None:
        self._relinked = True
        if self._wake:
            self._wake.set()

    async def _error_cb(self, exc) -> None:
        log.info("NATS : %r", exc)
