"""A site reads the other sites' journals, so a convocation already used at another site is caught at its door.

Its thread reads the siège's stream (every site's journal, `SIEGE_<concours>`) through the site's own nats-server
and its leaf link, in the siège's JetStream domain; checks each other site's chain exactly as the siège does
(`siege.check_link`); and keeps, in the day's file, each other site's head and the admissions it recorded (table
`reseau_presences`, outside the journal like the publication's cursor: a copy of other journals, not this site's
state). The door reads that table in the scan's own transaction (`queries.arrival_facts`): a candidat admitted
elsewhere gets R4's « Convocation déjà utilisée … » naming that site, and the refusal is journaled here.

The door never waits on NATS: it reads what is already in the file, and `unchecked()` (a look at two numbers)
says when the other sites cannot be checked now — the link down, or no answer from the siège's stream for
`STALE` seconds —, which the door's verdict says and never blocks on.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from datetime import datetime

from ..journal import GENESIS, connect
from ..model import Reseau
from .connexion import KEPT, connect_site
from . import sujets
from .siege import DUPLICATE, Position, check_link, follow, hhmm, quiet

log = logging.getLogger(__name__)
STALE = 6.0  # seconds without an answer from the siège's stream: the other sites are « hors liaison »
SIEGE_DOMAIN = sujets.SIEGE_DOMAIN


def ensure_tables(db) -> None:
    db.execute("CREATE TABLE IF NOT EXISTS reseau_tetes (site TEXT PRIMARY KEY, seq INTEGER NOT NULL, hash TEXT "
               "NOT NULL)")
    db.execute("CREATE TABLE IF NOT EXISTS reseau_presences (epreuve TEXT NOT NULL, numero TEXT NOT NULL, site TEXT "
               "NOT NULL, salle TEXT, place TEXT, entered_at TEXT, seq INTEGER, PRIMARY KEY (epreuve, numero))")
    db.execute("CREATE TABLE IF NOT EXISTS reseau_hashes (site TEXT NOT NULL, seq INTEGER NOT NULL, hash TEXT NOT "
               "NULL, PRIMARY KEY (site, seq))")


class OtherSites:
    """The other sites' admissions, read from the siège's stream by a thread of its own."""

    def __init__(self, day, reseau: Reseau, poll: float = 0.1, stale: float = STALE):
        self.day = day
        self.reseau = reseau
        self.concours = day.session.concours.code
        self.stream = sujets.siege_stream(self.concours)
        self.sites = {sujets.token(s.code): s.code for s in day.session.sites if s.code != reseau.site}
        self.poll = poll
        self.stale = stale
        self.last_answer: float | None = None  # time.monotonic() of the last answer from the siège's stream
        self.last_answer_at: datetime | None = None  # … on the day's clock
        self.position = Position()  # in the siège's stream
        self.read = 0  # events of other sites kept
        self.refused: list[str] = []
        self._thread = threading.Thread(target=self._main, name="salle-reseau-autres-sites", daemon=True)

    def start(self) -> "OtherSites":
        self.day.journal.prepare(ensure_tables)
        self.day.other_sites = self
        self.day.threads.append(self._thread)
        self._thread.start()
        return self

    def unchecked(self) -> str | None:
        """None while the other sites' journals are read; else « hors liaison depuis 10 h 12 » (or « jamais … »)."""
        last = self.last_answer
        if last is not None and time.monotonic() - last <= self.stale:
            return None
        if self.last_answer_at is None:
            return "aucune liaison depuis le démarrage du serveur"
        return f"hors liaison depuis {hhmm(self.last_answer_at)}"

    # --- the reading thread ------------------------------------------------------------------------------

    def _main(self) -> None:
        try:
            asyncio.run(self._run())
        except Exception:
            log.exception("lecture des autres sites arrêtée")

    async def _run(self) -> None:
        self._db = connect(self.day.db_path)
        self._db.execute("PRAGMA synchronous=NORMAL")  # a copy: read again from the stream after a crash
        self.heads = {r["site"]: (r["seq"], r["hash"]) for r in self._db.execute("SELECT * FROM reseau_tetes")}
        self._pending: list[tuple[str, dict]] = []  # kept, not yet in the file (see _flush)
        self._pending_hashes: dict[tuple[str, int], str] = {}
        nc = None
        self._backoff = 0.1
        try:
            while not self.day.stopping.is_set():
                try:
                    if nc is None or nc.is_closed:
                        nc = await connect_site(self.reseau, self.day.db_path.parent, self.day.stopping.is_set,
                                                **KEPT, connect_timeout=2, error_cb=quiet,
                                                name=f"salle-{self.reseau.site}-autres-sites")
                    js = nc.jetstream(domain=SIEGE_DOMAIN, timeout=2)
                    await follow(js, self.stream, self.position, self._handle, self.poll, self.day.stopping,
                                 on_read=self._answered, after_batch=self._flush)
                except Exception as exc:  # the link or the siège is down: the door says so, and we try again
                    log.info("autres sites : lecture interrompue (%r)", exc)
                    await asyncio.sleep(self._backoff)
                    self._backoff = min(2.0, self._backoff * 2)
        finally:
            if nc is not None and not nc.is_closed:
                try:
                    await asyncio.wait_for(nc.close(), 2)
                except Exception:
                    pass
            self._db.close()

    def _answered(self) -> None:
        self._backoff = 0.1
        self.last_answer = time.monotonic()
        self.last_answer_at = self.day.clock.now()

    def _handle(self, msg) -> None:
        site = self.sites.get(sujets.site_of(msg.subject) or "")
        if site is None:  # this site's own journal, or a site of no concern
            return
        try:
            event = json.loads(msg.data)
            if not isinstance(event, dict):
                raise ValueError
        except ValueError:
            event = {}
        head_seq, head_hash = self.heads.get(site, (0, GENESIS))
        problem = check_link(site, dict(msg.headers or {}), event, head_seq, head_hash, lambda s: self._kept(site, s))
        if problem == DUPLICATE:
            return
        if problem:
            log.error("autres sites : %s", problem)
            self.refused.append(problem)
            return
        self._keep(site, event)

    def _kept(self, site: str, seq: int) -> str | None:
        if (site, seq) in self._pending_hashes:
            return self._pending_hashes[(site, seq)]
        row = self._db.execute("SELECT hash FROM reseau_hashes WHERE site = ? AND seq = ?", [site, seq]).fetchone()
        return row[0] if row else None

    def _keep(self, site: str, event: dict) -> None:
        self._pending.append((site, event))
        self._pending_hashes[(site, event["seq"])] = event["hash"]
        self.heads[site] = (event["seq"], event["hash"])
        if len(self._pending) >= 256:
            self._flush()

    def _flush(self) -> None:
        """One transaction for a batch of other sites' events: each takes the day file's write lock, which a scan's
        commit may have to wait for."""
        if not self._pending:
            return
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            for site, event in self._pending:
                db.execute("INSERT INTO reseau_hashes (site, seq, hash) VALUES (?, ?, ?)",
                           [site, event["seq"], event["hash"]])
                payload = json.loads(event["payload"] or "{}")
                if event["type"] == "scan" and payload.get("verdict") == "admis" and event["epreuve"]:
                    db.execute("INSERT OR IGNORE INTO reseau_presences (epreuve, numero, site, salle, place, "
                               "entered_at, seq) VALUES (?, ?, ?, ?, ?, ?, ?)", [
                                   event["epreuve"], event["candidat"], site, event["salle"], payload.get("place"),
                                   payload.get("entre_a") or event["server_time"], event["seq"]])
            for site, (seq, hash_) in self.heads.items():
                db.execute("INSERT INTO reseau_tetes (site, seq, hash) VALUES (?, ?, ?) ON CONFLICT (site) DO "
                           "UPDATE SET seq = excluded.seq, hash = excluded.hash", [site, seq, hash_])
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        self.read += len(self._pending)
        self._pending.clear()
        self._pending_hashes.clear()
