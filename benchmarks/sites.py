"""Several sites (issue 15): scan → visible at the siège and at another site, catch-up after a cut, and what
publishing costs a scan at the door.

Real parts on one 2-core machine: a siège's nats-server, three sites' nats-servers (leaf nodes of it, JetStream
domains PANTIN, MONTREUIL and BOBIGNY), three `salle serve` (gunicorn) on big days with a [reseau] section, and
the siège (salle/reseau/siege.py) reading in this process. The demo's session has two sites (Pantin, Montreuil);
the third, Bobigny (salles BO1 and BO2, a surveillant each, a responsable), is added to it here (BOBIGNY_TOML),
and the candidats are dealt round the six salles in turn (`deal`), so each salle has a sixth of them. With
`--sites 2`, the demo's two sites as before (the same session and candidats as the results measured before).
Three phases:
1. paced scans at every site: from each scan's answer (durable at its site) to its candidat present in the
   siège's replica, and in each other site's copy of the other sites' admissions (p50/p99 over every pair of a
   scan and another site; with three sites, also until the last other site knows it);
2. the siège's nats-server killed, a backlog of scans at every site, restarted: events per second until the
   siège holds every site's whole journal; then Pantin's own nats-server killed, a backlog, restarted: events per
   second until Pantin's publisher has them all acknowledged;
3. the same paced load at the door of one server (Pantin, the demo's two-site session), with and without
   [reseau] (p50/p99, server CPU per scan).
Usage: python benchmarks/sites.py [--sites 3] [--rate 25] [--seconds 20] [--backlog 1500] [--door-rate 200]
       [--door-scans 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import os
import sqlite3
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from common import SURVEILLANTS, Server, load_day, paced_scans, percentile
from salle import demo
from salle.client import ApiClient
from salle.clock import SystemClock
from salle.ports import free_port
from salle.reseau.natsd import NatsServer
from salle.reseau.siege import Siege, quiet
from salle.session_file import parse_session

SITE_SALLES = {"PANTIN": ("A01", "B12"), "MONTREUIL": ("M1", "M2")}  # the demo's sites
THIRD_SITE = {"BOBIGNY": ("BO1", "BO2")}
THIRD_SURVEILLANTS = {"BO1": "30006274", "BO2": "30007593"}
CODES = {**SURVEILLANTS, **THIRD_SURVEILLANTS}  # each salle's surveillant's personal code

# The third site, added to the demo's session: its salles sized like the others (the rows set by session_toml).
BOBIGNY_TOML = '''
[[sites]]
code = "BOBIGNY"
name = "Espace concours de Bobigny"
address = "3 rue du Parc, 93000 Bobigny"

[[salles]]
code = "BO1"
site = "BOBIGNY"
label = "Salle BO1"
access = "rez-de-chaussée, à droite de l'accueil"
rows = {rows}
columns = 100

[[salles]]
code = "BO2"
site = "BOBIGNY"
label = "Salle BO2"
access = "1er étage, escalier central"
rows = {rows}
columns = 100

[[personnel]]
name = "Inès Responsable (Bobigny)"
role = "responsable"
code = "20006841"
site = "BOBIGNY"

[[personnel]]
name = "Hugo Surveillant (BO1)"
role = "surveillant"
code = "30006274"
salle = "BO1"

[[personnel]]
name = "Aïcha Surveillante (BO2)"
role = "surveillant"
code = "30007593"
salle = "BO2"
'''


def site_salles(sites: int) -> dict[str, tuple[str, ...]]:
    return {**SITE_SALLES, **THIRD_SITE} if sites == 3 else dict(SITE_SALLES)


def session_toml(count: int, reseau: str = "", sites: int = 2) -> str:
    """The demo session (with Bobigny when `sites` is 3), its salles large enough for `count` candidats shared
    equally (as common.big_day), and `reseau`."""
    toml = demo.session_toml()
    salles = 2 * sites
    rows = -(-count * 11 // 10 // salles // 100)
    for salle_rows in ("rows = 9", "rows = 6", "rows = 10", "rows = 8"):
        toml = toml.replace(f"{salle_rows}\ncolumns", f"rows = {rows}\ncolumns", 1)
    toml = toml.replace("columns = 10", "columns = 100").replace("columns = 8", "columns = 100")
    if sites == 3:
        toml += BOBIGNY_TOML.format(rows=rows)
    return toml + reseau


def deal(text: str) -> str:
    """The demo's candidats CSV with its candidats dealt round the three sites' six salles in turn (ATP27-00001
    to A01, 00002 to M1, 00003 to BO1, 00004 to B12…), the Site and Salle columns set: the import seats each in
    its salle (salle/importing.py). The demo alone alternates Pantin and Montreuil and fills a site's first salle
    before its second."""
    order = [(site, salles[i]) for i in range(2) for site, salles in site_salles(3).items()]
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    for i, row in enumerate(rows):
        row["Site"], row["Salle"] = order[i % len(order)]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), delimiter=";", lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def reseau(site: str, url: str) -> str:
    return f'\n[reseau]\nsite = "{site}"\nnats = "{url}"\n'


def numeros(db: Path, salles) -> dict[str, list[str]]:
    conn = sqlite3.connect(db)
    try:
        return {s: [r[0] for r in conn.execute("SELECT numero FROM candidats WHERE salle = ? AND pieces_manquantes = "
                                               "'' ORDER BY numero", [s])] for s in salles}
    finally:
        conn.close()


def tokens(server, salles) -> dict[str, str]:
    """A tablet's sign-in for each of `salles` (their surveillants) at `server`."""
    out = {}
    for salle in salles:
        client = ApiClient(server.url)
        client.login(CODES[salle], device="benchmark")
        out[salle] = client.token
    return out


def admitted(answered: dict):
    """on_answer for `paced_scans`: answered[code] = (latency s, answer time); anything but an admission stops."""
    def note(code, answer, latency, done):
        assert answer.get("verdict") == "admis", answer
        answered[code] = (latency, done)
    return note


async def doors(jobs, rate: float, answered: dict, tablets: int = 10):
    """jobs: (server, token, salle, codes), each salle's codes shared by `tablets` tablets; all of them together
    offer `rate` scans/s (0: each tablet back to back)."""
    split = [(server, token, salle, codes[i::tablets]) for server, token, salle, codes in jobs for i in range(tablets)]
    interval = len(split) / rate if rate else 0.0
    await asyncio.gather(*(paced_scans(server.port, token, salle, codes, interval, i * interval / len(split),
                                       admitted(answered))
                           for i, (server, token, salle, codes) in enumerate(split)))


class Watcher:
    """Polls SQLite tables (read-only) every `period` s and notes when each numero first appears, in any of them
    (`seen`) and in each (`each[i]`): only the rows past the last rowid seen are read."""

    def __init__(self, sources: list[tuple[Path, str]], period: float = 0.005):
        self.sources, self.period, self.seen, self.stop = sources, period, {}, threading.Event()
        self.each: list[dict] = [{} for _ in sources]
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        conns = [[sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False), table, 0]
                 for path, table in self.sources]
        while not self.stop.is_set():
            now = time.perf_counter()
            for i, source in enumerate(conns):
                conn, table, after = source
                try:
                    for rowid, numero in conn.execute(f"SELECT rowid, numero FROM {table} WHERE rowid > ?", [after]):
                        self.seen.setdefault(numero, now)
                        self.each[i].setdefault(numero, now)
                        source[2] = max(source[2], rowid)
                except sqlite3.OperationalError:
                    pass
            time.sleep(self.period)

    def close(self):
        self.stop.set()
        self.thread.join(5)


def wait(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        time.sleep(0.005)


def head(db: Path) -> int:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT MAX(seq) FROM events").fetchone()[0]
    finally:
        conn.close()


def cursor(db: Path) -> int:
    """How far the site's publisher has its journal acknowledged; -1 before `salle reseau` made its table (with a
    short door phase on a loaded machine, it can still be starting when the scans are over)."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT seq FROM reseau_curseur").fetchone()[0]
    except sqlite3.OperationalError:
        return -1
    finally:
        conn.close()


def progress(restart, count, target: int, timeout: float = 600) -> tuple[float, float]:
    """Call `restart()`, then poll `count()` until it reaches `target`: (seconds until it first moved, events per
    second from then to the end)."""
    start, first = time.perf_counter(), None
    before = count()
    restart()
    while True:
        now, value = time.perf_counter(), count()
        if first is None and value > before:
            first, at_first = now, value
        if value >= target:
            break
        if now - start > timeout:
            raise SystemExit("timed out in a catch-up")
        time.sleep(0.002)
    rate = (target - at_first) / (now - first) if now > first else float("inf")
    return first - start, rate


class StreamCount:
    """How many messages a JetStream stream holds (0 while its server is down), from a thread of its own."""

    def __init__(self, url: str, stream: str):
        self.url, self.stream, self.value = url, stream, 0
        self.loop = asyncio.new_event_loop()
        threading.Thread(target=self.loop.run_forever, daemon=True).start()
        self.nc = None

    def connect(self):
        import nats

        self.nc = asyncio.run_coroutine_threadsafe(nats.connect(self.url, max_reconnect_attempts=-1, error_cb=quiet,
                                                                reconnect_time_wait=0.2), self.loop).result(10)

    def __call__(self) -> int:
        if self.nc is None:
            return self.value
        try:
            info = asyncio.run_coroutine_threadsafe(self.nc.jetstream(timeout=1).stream_info(self.stream),
                                                    self.loop).result(5)
            self.value = info.state.messages
        except Exception:
            pass
        return self.value

    def close(self):
        if self.nc:
            asyncio.run_coroutine_threadsafe(self.nc.close(), self.loop).result(5)
        self.loop.call_soon_threadsafe(self.loop.stop)


def network_phases(args, work: Path):
    sites = site_salles(args.sites)
    per_salle = args.rate * args.seconds // 2 + args.backlog  # a cut site's salles: phase 1, then both cuts
    if args.sites == 3:  # dealt equally to six salles (`deal`); 5 % held back with pièces manquantes
        count, edit = per_salle * 6 * 12 // 10 + 600, deal
    else:  # the demo's two sites: a site's first salle filled before its second
        count, edit = per_salle * 4 * 16 // 10 + 400, (lambda text: text)
    hub, nats, servers, siege = None, {}, {}, None
    try:
        hub = NatsServer(work / "nats-siege", "SIEGE", "SIEGE", leaf_port=free_port()).start()
        for s in sites:
            nats[s] = NatsServer(work / f"nats-{s}", s, s, leaf_remotes=[hub.leaf_url]).start()
        dbs = {}
        for s in sites:
            (work / s.lower()).mkdir()
            dbs[s] = load_day(session_toml(count, reseau(s, nats[s].url), args.sites), count, work / s.lower(),
                              csv_edit=edit)
            servers[s] = Server(dbs[s])
        siege = Siege(work / "siege", parse_session(session_toml(count, sites=args.sites)), hub.url,
                      SystemClock()).start()
        toks = {s: tokens(servers[s], sites[s]) for s in sites}
        codes = {salle: numeros(dbs[s], sites[s])[salle] for s in sites for salle in sites[s]}
        taken = {salle: 0 for salle in codes}
        site_of: dict[str, str] = {}  # numero → the site it was scanned at

        def take(site, salle, n):
            got = codes[salle][taken[salle]:taken[salle] + n]
            taken[salle] += n
            assert len(got) == n, "not enough candidats"
            site_of.update((code, site) for code in got)
            return got

        wait(lambda: all(siege.replicas[s].stored == head(dbs[s]) for s in sites), 60, "the siège's first read")
        # 1. scan → visible
        per_door = args.rate * args.seconds // 2
        jobs = [(servers[s], toks[s][salle], salle, take(s, salle, per_door)) for s in sites for salle in sites[s]]
        watch_siege = Watcher([(work / "siege" / f"{s}.db", "presences") for s in sites])
        watch_other = Watcher([(dbs[s], "reseau_presences") for s in sites])
        answered: dict = {}
        asyncio.run(doors(jobs, args.rate * len(sites), answered))
        expected = [sum(site_of[c] != s for c in answered) for s in sites]  # what each site must learn of others
        wait(lambda: len(watch_siege.seen) >= len(answered)
             and all(len(seen) >= n for seen, n in zip(watch_other.each, expected)), 60, "every scan visible")
        watch_siege.close()
        watch_other.close()
        to_siege = [(watch_siege.seen[c] - done) * 1000 for c, (_, done) in answered.items()]
        others = {c: [seen[c] for s, seen in zip(sites, watch_other.each) if s != site_of[c]] for c in answered}
        to_other = [(t - done) * 1000 for c, (_, done) in answered.items() for t in others[c]]
        to_last = [(max(others[c]) - done) * 1000 for c, (_, done) in answered.items()]
        door_lat = [lat * 1000 for lat, _ in answered.values()]
        # 2. catch-up after a cut of the siège, then of a site's own server
        hub.kill()
        jobs = [(servers[s], toks[s][salle], salle, take(s, salle, args.backlog // 2)) for s in sites
                for salle in sites[s]]
        asyncio.run(doors(jobs, 0, {}))
        heads = {s: head(dbs[s]) for s in sites}
        held = lambda: sum(siege.replicas[s].stored for s in sites)  # noqa: E731
        backlog = sum(heads.values()) - held()
        siege_times = progress(hub.start, held, held() + backlog)
        stored = StreamCount(nats["PANTIN"].url, "SALLE_ATP27_PANTIN")
        stored.connect()
        wait(lambda: stored() == head(dbs["PANTIN"]), 60, "Pantin's stream complete")
        nats["PANTIN"].kill()
        jobs = [(servers["PANTIN"], toks["PANTIN"][salle], salle, take("PANTIN", salle, args.backlog // 2))
                for salle in sites["PANTIN"]]
        asyncio.run(doors(jobs, 0, {}))
        pantin_head = head(dbs["PANTIN"])
        pending = pantin_head - stored.value
        publish_times = progress(nats["PANTIN"].start, stored, pantin_head)
        stored.close()
        wait(lambda: siege.replicas["PANTIN"].stored == pantin_head, 600, "the siège after Pantin's catch-up")
        refused = [r for s in sites for r in siege.refusals(s)]
    finally:
        if siege:
            siege.stop()
        for server in servers.values():
            server.stop()
        for n in nats.values():
            n.stop()
        if hub:
            hub.stop()
    return door_lat, to_siege, to_other, to_last, (backlog, *siege_times), (pending, *publish_times), refused


def door_phase(args, work: Path, with_reseau: bool):
    count = args.door_scans * 24 // 10 + 400  # the scans go to two salles of four
    nats = NatsServer(work.with_name(work.name + "-nats"), "PANTIN", "PANTIN").start() if with_reseau else None
    server = None
    try:
        folder = work
        folder.mkdir()
        db = load_day(session_toml(count, reseau("PANTIN", nats.url) if nats else ""), count, folder)
        server = Server(db)
        salles = SITE_SALLES["PANTIN"]  # a site's server takes only its own site's scans (with [reseau] or not)
        toks, codes = tokens(server, salles), numeros(db, salles)
        n = args.door_scans // len(salles)
        jobs = [(server, toks[salle], salle, codes[salle][:n]) for salle in salles]
        answered: dict = {}
        cpu0, side0 = server.cpu_seconds(), network_cpu(server)
        asyncio.run(doors(jobs, args.door_rate, answered))
        cpu = (server.cpu_seconds() - cpu0) * 1000 / len(answered)
        side = (network_cpu(server) - side0) * 1000 / len(answered)
        if nats:
            wait(lambda: cursor(db) == head(db), 120, "every scan published")
    finally:
        if server:
            server.stop()
        if nats:
            nats.stop()
    return [lat * 1000 for lat, _ in answered.values()], cpu, side


def network_cpu(server) -> float:
    """CPU seconds of `salle reseau`, the child of `salle serve` that publishes and reads (0 without [reseau])."""
    children = subprocess.run(["pgrep", "-P", str(server.proc.pid)], capture_output=True, text=True).stdout.split()
    total = 0.0
    for pid in children:
        try:
            if b"reseau" not in open(f"/proc/{pid}/cmdline", "rb").read():
                continue
            stat = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(stat[11]) + int(stat[12])) / os.sysconf("SC_CLK_TCK")
    return total


def print_network(args, door_lat, to_siege, to_other, to_last, backlog, siege_delay, siege_rate, pending,
                  publish_delay, publish_rate, refused, p):
    print(f"  1. {len(door_lat)} scans paced at {args.rate}/s per site for {args.seconds} s")
    print(f"     door (due → answer)                 {p(door_lat)}")
    print(f"     answer → present at the siège       {p(to_siege)}")
    if args.sites == 2:
        print(f"     answer → known at the other site    {p(to_other)}")
    else:
        print(f"     answer → known at another site      {p(to_other)}   ({len(to_other)}: each scan at each of "
              f"the {args.sites - 1} others)")
        print(f"     answer → known at every other site  {p(to_last)}")
    print(f"  2. siège's nats-server killed, {backlog} events at {args.sites} sites, restarted: first event kept "
          f"after {siege_delay:.1f} s, then {siege_rate:7.0f} events/s")
    print(f"     Pantin's nats-server killed, {pending} events, restarted: first event stored after "
          f"{publish_delay:.1f} s, then {publish_rate:7.0f} events/s")
    print(f"     refusals at the siège: {len(refused)}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, choices=(2, 3), default=3,
                        help="3: Pantin, Montreuil and Bobigny (added to the demo); 2: the demo's two")
    parser.add_argument("--rate", type=int, default=25, help="scans/s offered at each site (phase 1)")
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--backlog", type=int, default=1500, help="scans per site during each cut (phase 2)")
    parser.add_argument("--door-rate", type=int, default=200, help="scans/s offered at one server (phase 3)")
    parser.add_argument("--door-scans", type=int, default=2000)
    parser.add_argument("--door-only", action="store_true", help="phase 3 only")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="salle-bench-sites-"))
    if not args.door_only:
        door_lat, to_siege, to_other, to_last, siege_catch_up, publish_catch_up, refused = network_phases(args, work)
        (backlog, siege_delay, siege_rate), (pending, publish_delay, publish_rate) = siege_catch_up, publish_catch_up
    runs = {False: [], True: []}  # alternated, twice each: the machine's load moves between runs
    for i, with_reseau in enumerate((False, True, False, True)):
        runs[with_reseau].append(door_phase(args, work / f"door-{i}", with_reseau))

    def p(values):
        return f"p50 {percentile(values, 50):6.1f} ms   p99 {percentile(values, 99):6.1f} ms"

    print(f"several sites — {args.sites} sites + siège, real nats-servers (leaf nodes, JetStream domains), salle "
          "serve per site, one 2-core machine")
    if not args.door_only:
        print_network(args, door_lat, to_siege, to_other, to_last, backlog, siege_delay, siege_rate, pending,
                      publish_delay, publish_rate, refused, p)
    print(f"  3. one server, {args.door_scans} scans paced at {args.door_rate}/s by 40 tablets (due → answer), "
          "runs alternated")
    for with_reseau, label in ((False, "without [reseau]"), (True, "with [reseau]   ")):
        for lat, cpu, side in runs[with_reseau]:
            print(f"     {label}   {p(lat)}   server CPU {cpu:.2f} ms/scan, of which salle reseau {side:.2f}")
    print("     (with [reseau]: the publisher and the other sites' reader run in `salle reseau`, beside the server)")
    print(f"  load average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
