"""A site's journal read back from NATS — the site's own stream, or the siège's copy — checked link by link, and made
into the same archive `salle export` writes from the day's file (issue 15: `salle export --depuis`, and `salle
consolider --depuis`).

The stream is found on the server `url` names: the site's own stream (`SALLE_<concours>_<site>`, on the site's
nats-server), else the siège's (`SIEGE_<concours>`, on the siège's server, or through a site's server and its leaf
link in the siège's domain). Only the site's subject is read; each message must be the next link of the site's
chain, checked by the very function the siège and the sites use (`siege.check_link`: subject, `Salle-Site`
header, seq, `prev_hash`, hash recomputed); a message seen twice is skipped, anything else refuses the whole
export with a French message and nothing is written. The events are then replayed into a day file of their own (a
temporary one: the journal's rows as they came, the state tables rebuilt by the day's own projections) and
exported by `export.export_day`, so the archive is the day file's, event for event and hash for hash.
"""

from __future__ import annotations

import asyncio
import json
import re
import tempfile
from pathlib import Path

import sqlite_utils

from ..clock import SystemClock
from ..errors import SalleError
from ..journal import EVENT_COLUMNS, GENESIS, connect, ensure_schema
from ..state import ensure_state_schema, rebuild
from . import sujets
from .connexion import ONE_LOOK
from .siege import DUPLICATE, check_link


class FluxRefuse(SalleError):
    code = "flux_refuse"
    status = 400


def read_site_journal(url: str, site: str, concours: str | None = None) -> tuple[str, list[dict]]:
    """(where it was read, in French; the site's events in seq order), checked; FluxRefuse otherwise."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:  # a loop of its own, whatever the caller's thread runs
        return pool.submit(lambda: asyncio.run(_read(url, site, concours))).result()


def _refuse(message: str) -> FluxRefuse:
    return FluxRefuse(f"{message} Rien n'a été écrit.", code="flux_refuse")


def shown(url: str) -> str:
    """The address without its password, for messages."""
    return re.sub(r"//[^@/]*@", "//", url)


async def _read(url: str, site: str, concours: str | None) -> tuple[str, list[dict]]:
    import nats

    errors = []

    async def noted(exc) -> None:
        errors.append(repr(exc))

    try:  # nats-py may go on trying a refused address: a bound of its own
        nc = await asyncio.wait_for(nats.connect(url, connect_timeout=3, **ONE_LOOK, error_cb=noted), 10)
    except Exception as exc:  # refused, unreachable, a password asked: the French message says which
        detail = "mot de passe refusé ou demandé" if "uthoriz" in repr(exc) + "".join(errors) else "injoignable"
        raise _refuse(f"Le serveur NATS {shown(url)} ne répond pas ({detail}).") from exc
    try:
        concours = concours or await _concours(nc, site, url)
        for domain, name, where in (
                (None, sujets.stream(concours, site), f"le flux du site {site}"),
                (None, sujets.siege_stream(concours), "la copie du siège"),
                (sujets.SIEGE_DOMAIN, sujets.siege_stream(concours), "la copie du siège, par la liaison du site")):
            js = nc.jetstream(domain=domain, timeout=5)
            try:
                info = await js.stream_info(name)
            except Exception:  # not there (or not reachable from here): the next place
                continue
            where = f"{where} ({name} sur {shown(url)})"
            return where, await _events(js, name, info, sujets.subject(concours, site), site, where)
        raise _refuse(f"Aucun flux du site {site} pour le concours {concours} sur {shown(url)} : ni "
                      f"{sujets.stream(concours, site)} ni {sujets.siege_stream(concours)}.")
    finally:
        await nc.close()


async def _concours(nc, site: str, url: str) -> str:
    """The concours of the streams found on the server, when there is one."""
    try:
        names = [s.config.name for s in await nc.jetstream(timeout=5).streams_info()]
    except Exception:
        names = []
    found = {m[1] for n in names for m in [re.fullmatch(rf"SALLE_(.+)_{re.escape(sujets.token(site))}", n)
                                           or re.fullmatch(r"SIEGE_(.+)", n)] if m}
    if not found:
        raise _refuse(f"Aucun flux du site {site} sur {shown(url)} (ni SALLE_<concours>_{sujets.token(site)} ni "
                      "SIEGE_<concours>) : vérifiez le site et l'adresse, ou précisez le concours avec --concours.")
    if len(found) > 1:
        raise _refuse(f"Plusieurs concours sur {shown(url)} ({', '.join(sorted(found))}) : précisez-le avec "
                      "--concours.")
    return found.pop()


async def _events(js, name: str, info, subject: str, site: str, where: str) -> list[dict]:
    from nats.js.errors import NotFoundError

    events: list[dict] = []
    head_seq, head_hash = 0, GENESIS
    if not info.state.messages:
        raise _refuse(f"{where} est vide.")
    for seq in range(info.state.first_seq, info.state.last_seq + 1):
        try:
            msg = await js.get_msg(name, seq)
        except NotFoundError:  # a message deleted from the stream: a hole the chain check finds, if it matters
            continue
        if msg.subject != subject:
            continue
        try:
            event = json.loads(msg.data)
        except ValueError:
            event = {}
        event = event if isinstance(event, dict) else {}
        problem = check_link(site, dict(msg.headers or {}), event, head_seq, head_hash,
                             lambda s: events[s - 1]["hash"] if 0 < s <= len(events) else None)
        if problem == DUPLICATE:
            continue
        if problem:
            raise _refuse(f"{where}, message n° {seq} : {problem}")
        events.append({k: event[k] for k in EVENT_COLUMNS})
        head_seq, head_hash = event["seq"], event["hash"]
    if not events:
        raise _refuse(f"{where} ne contient aucun événement du site {site}.")
    return events


def day_file(events: list[dict], path: Path) -> None:
    """A day file holding exactly `events` as its journal, its state tables rebuilt from them."""
    conn = connect(path)
    try:
        db = sqlite_utils.Database(conn)
        ensure_schema(db)
        ensure_state_schema(db)
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(f"INSERT INTO events ({', '.join(EVENT_COLUMNS)}) VALUES "
                         f"({', '.join('?' for _ in EVENT_COLUMNS)})", ([e[k] for k in EVENT_COLUMNS] for e in events))
        conn.execute("COMMIT")
        rebuild(db)
    finally:
        conn.close()


def export_stream(url: str, site: str, directory: Path, concours: str | None = None,
                  progress=lambda line: None) -> Path:
    """`salle export --depuis`: the site's journal from NATS, checked, into the same archive as from its day file."""
    from ..day import ExamDay
    from ..export import export_day

    where, events = read_site_journal(url, site, concours)
    progress(f"  {len(events)} événements lus dans {where}, chaîne vérifiée…")
    with tempfile.TemporaryDirectory(prefix="salle-flux-") as tmp:
        path = Path(tmp) / f"{sujets.token(site).lower()}.db"
        day_file(events, path)
        day = ExamDay(path, SystemClock())
        try:
            return export_day(day, directory, progress)
        finally:
            day.close()
