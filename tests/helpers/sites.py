"""Several sites, one concours (issue 15): a site's day file with a [reseau] section, and a NATS stream read back."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from salle import demo
from salle.day import ExamDay
from salle.importing import import_candidats
from salle.reseau import sujets
from salle.reseau.tls import CA_FILE, make_siege_tls
from salle.ports import free_port
from salle.reseau.natsd import NatsServer
from salle.journal import connect
from tests.helpers.waiting import wait_for


def site_day(folder: Path, site: str, nats_url: str, clock, candidats: int = 300, reseau: str = "") -> Path:
    """A site's day file: the demo session with `[reseau] site = …, nats = …` (and the lines `reseau`), and the
    demo's candidats."""
    folder.mkdir(parents=True, exist_ok=True)
    toml = demo.session_toml()
    if candidats > 300:  # salles of 20 × 100 places
        for rows in ("rows = 9", "rows = 6", "rows = 10", "rows = 8"):
            toml = toml.replace(f"{rows}\ncolumns", "rows = 20\ncolumns", 1)
        toml = toml.replace("columns = 10", "columns = 100").replace("columns = 8", "columns = 100")
    toml += f'\n[reseau]\nsite = "{site}"\nnats = "{nats_url}"\n' + reseau
    (folder / "session.toml").write_text(toml, encoding="utf-8")
    demo.candidats_csv(folder / "candidats.csv", candidats)
    day = ExamDay(folder / "salle.db", clock)
    try:
        day.load_session(toml)
        import_candidats(day, (folder / "candidats.csv").read_bytes(), "candidats.csv")
    finally:
        day.close()
    return folder / "salle.db"


def stream_messages(url: str, stream: str, domain: str | None = None, tls=None) -> list[tuple[str, dict, dict]]:
    """Every message of a JetStream stream, in order: (subject, headers, the event). `tls`: the ssl context a
    server speaking TLS is checked with."""

    async def read():
        import nats
        from nats.js.errors import NotFoundError

        nc = await nats.connect(url, connect_timeout=2, allow_reconnect=False, tls=tls)
        try:
            js = nc.jetstream(domain=domain, timeout=5)
            try:
                info = await js.stream_info(stream)
            except NotFoundError:
                return []
            out = []
            if not info.state.messages:
                return out
            for seq in range(info.state.first_seq, info.state.last_seq + 1):
                msg = await js.get_msg(stream, seq)
                out.append((msg.subject, dict(msg.headers or {}), json.loads(msg.data)))
            return out
        finally:
            await nc.close()

    return run_apart(read())


def run_apart(coroutine):
    """`asyncio.run` in a thread of its own: a worker that ran a browser test first has Playwright's event loop
    running in its main thread, where `asyncio.run` refuses to start."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def site_stream(url: str, site: str, concours: str = "ATP27") -> list[dict]:
    return [event for _, _, event in stream_messages(url, sujets.stream(concours, site))]


def journal_events(day: ExamDay) -> list[dict]:
    return day.journal.query("SELECT * FROM events ORDER BY seq")


def standby_copy(main_db: Path, folder: Path) -> Path:
    """The standby laptop's day file: a copy of the main's, made before the day (SQLite's backup, so a file
    being served copies whole)."""
    import sqlite3

    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "salle.db"
    source, copy = sqlite3.connect(main_db), sqlite3.connect(target)
    try:
        source.backup(copy)
    finally:
        source.close()
        copy.close()
    return target


def standby_caught_up(standby, main) -> bool:
    """The standby's file holds the main's last committed event (the journals' heads move before the commit)."""
    last = "SELECT hash FROM events ORDER BY seq DESC LIMIT 1"
    return standby.day.journal.one(last) == main.day.journal.one(last)


def wait_caught_up(standby, main, what: str = "the standby's copy caught up", timeout: float = 45) -> None:
    """Wait until the standby holds the main's last event; on a timeout, say where the events stopped: the main's
    publication (connected, JetStream's cursor) or the standby's copy (connected, copied, a broken link)."""
    try:
        wait_for(lambda: standby_caught_up(standby, main), timeout, what)
    except AssertionError as timed_out:
        last = "SELECT MAX(seq) AS seq FROM events"
        publisher = main.app.extensions.get("salle.reseau")
        copy = standby.app.extensions.get("salle.secours")
        raise AssertionError(
            f"{timed_out}: main at {main.day.journal.one(last)['seq']}, standby at "
            f"{standby.day.journal.one(last)['seq']}; publication "
            f"{vars_of(publisher, 'connected', 'cursor', 'published', 'duplicates')}; copy "
            f"{vars_of(copy, 'connected', 'copied', 'known', 'broken')}") from None


def vars_of(thing, *names: str) -> dict:
    return {name: getattr(thing, name, "?") for name in names} if thing is not None else {}


class QueueingTablet:
    """A tablet as api.js's queue behaves (issue 15): each scan with its own client id, queued when the server
    does not answer or answers 502-504, replayed in order, and moving to the standby once it says it is promoted.
    `acknowledged`: client id → numero of every scan a server answered « admis » (what the surveillant saw done)."""

    def __init__(self, main_url: str, standby_url: str, token: str, salle: str):
        self.base, self.standby, self.token, self.salle = main_url, standby_url, token, salle
        self.queue: list[dict] = []
        self.acknowledged: dict[str, str] = {}
        self.refused: list[dict] = []
        self.moved_at: float | None = None  # time.monotonic() of the move to the standby
        self.answered: list[tuple[float, str]] = []  # (time.monotonic(), the server) of each scan acknowledged
        self._client = None

    def scan(self, numero: str) -> None:
        import uuid

        self.queue.append({"code": numero, "piece_identite": "cni", "client_id": str(uuid.uuid4())})
        self.flush()

    def flush(self) -> None:
        import http.client
        import time

        from salle.client import ApiClient

        while self.queue:
            body = self.queue[0]
            try:
                if self._client is None:
                    self._client = ApiClient(self.base, timeout=5)
                    self._client.token = self.token
                status, answer = self._client.request("POST", f"/api/v1/salles/{self.salle}/scans", body, check=False)
            except (OSError, ValueError, http.client.HTTPException):
                self._client = None
                if self.move():
                    continue
                return
            if 502 <= status <= 504:
                if answer.get("erreur", {}).get("code") == "secours_promu" and self.move():
                    continue  # the main knows its standby was promoted: go there
                return
            self.queue.pop(0)
            if status == 200 and answer.get("verdict") == "admis":
                self.acknowledged[body["client_id"]] = body["code"]
                self.answered.append((time.monotonic(), self.base))
            else:
                self.refused.append(answer)

    def move(self) -> bool:
        import time
        import urllib.request

        if self.base == self.standby:
            return False
        try:
            with urllib.request.urlopen(f"{self.standby}/api/v1/secours", timeout=2) as r:
                if not json.loads(r.read())["promu"]:
                    return False
        except (OSError, ValueError):
            return False
        self.base, self._client, self.moved_at = self.standby, None, time.monotonic()
        return True


def nats_attempts(url: str, publishes=(), requests=(), domain_api=None) -> dict[str, str]:
    """What a client of the nats-server at `url` gets for each (subject, event, headers) published (core NATS, then
    flushed: nothing comes back) and each request subject: « answered: … », or the error's name (no responder,
    timeout). The tests of who may write where."""

    async def attempt():
        import nats

        nc = await nats.connect(url, connect_timeout=2, allow_reconnect=False)
        out = {}
        try:
            for subject, event, headers in publishes:
                await nc.publish(subject, json.dumps(event).encode(), headers=headers)
            await nc.flush()
            for subject in requests:
                try:
                    out[subject] = "answered: " + (await nc.request(subject, b"", timeout=2)).data.decode()
                except Exception as exc:  # what the test compares: which error the server's refusal gives
                    out[subject] = type(exc).__name__
        finally:
            await nc.close()
        return out

    return run_apart(attempt())


def forged_next(day_or_events, **changes) -> dict:
    """An event made up as the next link of a journal (its last event given), with `changes`; its hash right unless
    `changes` says otherwise."""
    from salle.journal import event_hash

    last = day_or_events
    forged = {**last, "seq": last["seq"] + 1, "prev_hash": last["hash"], **changes}
    if "hash" not in changes:
        forged["hash"] = event_hash(forged)
    return forged


def head(db) -> int:
    conn = connect(db, readonly=True)
    try:
        return conn.execute("SELECT MAX(seq) FROM events").fetchone()[0]
    finally:
        conn.close()


def siege_with_passwords(tmp_path) -> NatsServer:
    """The siège's nats-server as `salle siege` starts it: a password per site for the leaf links, TLS on its leaf
    port (its authority's certificate in `liaisons/siege-ca.pem`, each site's own in `liaisons/<site>.pem`)."""
    secrets = NatsServer.leaf_secrets(tmp_path / "liaisons", ["PANTIN", "MONTREUIL"])
    leaf_tls = make_siege_tls(tmp_path / "tls", ["127.0.0.1"], tmp_path / "liaisons" / CA_FILE,
                              ["PANTIN", "MONTREUIL"])
    return NatsServer(tmp_path / "nats-siege", "SIEGE", "SIEGE", leaf_port=free_port(), leaf_users=secrets,
                      concours="ATP27", leaf_tls=leaf_tls).start()


def next_candidat(db, taken) -> str:
    conn = connect(db, readonly=True)
    try:
        return next(r[0] for r in conn.execute("SELECT numero FROM candidats WHERE salle = 'A01' AND pieces_manquantes "
                                               "= '' ORDER BY numero") if r[0] not in taken)
    finally:
        conn.close()
