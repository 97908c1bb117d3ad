"""The site's standby laptop (issue 15): what acknowledging a scan only once the standby holds it costs at the
door, and the time from the main's death (SIGKILL) to the tablets working on the standby.

Real parts on one 2-core machine: the site's nats-server, the main `salle serve` ([reseau] with `secours` and
`acquittement` = local or secours) and the standby `salle secours` (a copy of the main's file), both running in
both modes. Two phases, each mode run twice, alternated (the machine's load moves between runs):
1. paced scans at the main's door (due → answer, p50/p99);
2. tablets scanning at a door pace (api.js's queue as tests.helpers.sites.QueueingTablet), the main SIGKILLed,
   the promotion asked at once and again until accepted (the responsable's own delay is not in the figure): from
   the kill to the promotion, and to each tablet's first scan acknowledged by the standby; the acknowledged scans
   missing from the standby's journal are counted.
Usage: python benchmarks/standby.py [--rate 100] [--scans 2000] [--tablets 4] [--tablet-rate 5]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sqlite3
import tempfile
import threading
import time
from pathlib import Path

from common import SURVEILLANTS, load_day, percentile
from sites import doors, numeros, session_toml, wait
from salle.client import ApiClient
from salle.ports import free_port
from salle.reseau.natsd import NatsServer
from salle.server import ChildServer
from tests.helpers.sites import QueueingTablet, standby_copy

PANTIN = ("A01", "B12")  # only Pantin's salles: an event naming another site breaks the standby's copy (its check)
CLOCK = "2027-03-18T08:40"


def tokens(server) -> dict[str, str]:
    out = {}
    for salle in PANTIN:
        client = ApiClient(server.url)
        client.login(SURVEILLANTS[salle], device="benchmark")
        out[salle] = client.token
    return out


class Site:
    """A nats-server, the main `salle serve` and the standby `salle secours`, on a fresh day of `count` candidats."""

    def __init__(self, work: Path, count: int, mode: str):
        self.nats = NatsServer(work / "nats", "PANTIN", "PANTIN").start()
        port = free_port()
        reseau = (f'\n[reseau]\nsite = "PANTIN"\nnats = "{self.nats.url}"\nsecours = "http://127.0.0.1:{port}"\n'
                  f'acquittement = "{mode}"\n')
        (work / "main").mkdir()
        self.db = load_day(session_toml(count, reseau), count, work / "main")
        self.copy = standby_copy(self.db, work / "secours")
        self.main = ChildServer(self.db, clock=CLOCK, threads=256)
        self.standby = ChildServer(self.copy, clock=CLOCK, port=port, threads=64,
                                   command=("secours", "--principal", self.main.url))

    def stop(self):
        self.standby.stop()
        self.main.stop()
        self.nats.stop()


def door_run(args, work: Path, mode: str) -> list[float]:
    site = Site(work, args.scans * 24 // 10 + 400, mode)
    try:
        toks, codes = tokens(site.main), numeros(site.db)
        n = args.scans // len(PANTIN)
        jobs = [(site.main, toks[salle], salle, codes[salle][:n]) for salle in PANTIN]
        answered: dict = {}
        asyncio.run(doors(jobs, args.rate, answered))
    finally:
        site.stop()
    return [lat * 1000 for lat, _ in answered.values()]


def failover_run(args, work: Path, mode: str) -> dict:
    per_tablet = int(args.tablet_rate * 40)  # enough for 40 s of scanning
    site = Site(work, per_tablet * args.tablets * 24 // 10 + 400, mode)
    try:
        toks, codes = tokens(site.main), numeros(site.db)
        k = len(PANTIN)
        tablets = [QueueingTablet(site.main.url, site.standby.url, toks[PANTIN[i % k]], PANTIN[i % k])
                   for i in range(args.tablets)]
        lists = [codes[PANTIN[i % k]][i // k::(args.tablets + k - 1) // k][:per_tablet] for i in range(args.tablets)]
        responsable = ApiClient(site.main.url)
        responsable.login("20003817", device="benchmark")
        threads = [threading.Thread(target=tablet_loop, args=(t, c, 1 / args.tablet_rate), daemon=True)
                   for t, c in zip(tablets, lists)]
        for thread in threads:
            thread.start()
        wait(lambda: all(len(t.acknowledged) >= 20 for t in tablets), 120, "scans at the main")
        killed = time.monotonic()
        site.main.kill()
        promoted = promote(site.standby.url, responsable.token) - killed
        for thread in threads:
            thread.join(180)
        on_standby = [next(at for at, base in t.answered if base == site.standby.url) - killed for t in tablets]
        conn = sqlite3.connect(site.copy)
        kept = {cid for (cid,) in conn.execute("SELECT client_id FROM events WHERE type = 'scan'")}
        conn.close()
        acknowledged = {cid for t in tablets for cid in t.acknowledged}
        before = sum(1 for t in tablets for at, base in t.answered if at < killed)
        return {"promoted": promoted, "on_standby": on_standby, "missing": len(acknowledged - kept),
                "acknowledged": len(acknowledged), "before": before}
    finally:
        site.stop()


def tablet_loop(tablet, codes, interval: float):
    due = time.monotonic()
    for numero in codes:
        time.sleep(max(0.0, due - time.monotonic()))
        due += interval
        tablet.scan(numero)
    deadline = time.monotonic() + 120
    while tablet.queue and time.monotonic() < deadline:
        time.sleep(0.5)  # api.js replays its queue every 2 s; here a little sooner
        tablet.flush()


def promote(url: str, token: str) -> float:
    """Ask for the promotion until it is accepted (refused while the copy catches up); when it was."""
    client = ApiClient(url, timeout=5)
    client.token = token
    deadline = time.monotonic() + 60
    while True:
        status, answer = client.request("POST", "/api/v1/secours/promotion", {"confirme": True}, check=False)
        if status == 200:
            return time.monotonic()
        if time.monotonic() > deadline:
            raise SystemExit(f"promotion refused for 60 s: {answer}")
        time.sleep(0.05)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=int, default=100, help="scans/s offered at the main's door (phase 1)")
    parser.add_argument("--scans", type=int, default=2000)
    parser.add_argument("--tablets", type=int, default=4, help="tablets scanning during the main's death (phase 2)")
    parser.add_argument("--tablet-rate", type=float, default=5, help="scans/s per tablet (phase 2)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="salle-bench-standby-"))
    doors_ = {"local": [], "secours": []}
    fails = {"local": [], "secours": []}
    for i, mode in enumerate(("local", "secours", "local", "secours")):
        doors_[mode].append(door_run(args, work / f"door-{i}", mode))
        fails[mode].append(failover_run(args, work / f"panne-{i}", mode))

    def p(values):
        return f"p50 {percentile(values, 50):6.1f} ms   p99 {percentile(values, 99):6.1f} ms"

    print("standby laptop — a site's nats-server, salle serve (main) and salle secours (standby), one 2-core machine")
    print(f"  1. {args.scans} scans paced at {args.rate}/s at the main's door by 40 tablets (due → answer)")
    for mode in doors_:
        for lat in doors_[mode]:
            print(f"     acquittement = {mode:8s} {p(lat)}")
    print(f"  2. {args.tablets} tablets at {args.tablet_rate:g} scans/s each, the main SIGKILLed, promotion asked at "
          "once (the responsable's own delay not counted)")
    for mode in fails:
        for f in fails[mode]:
            spread = sorted(f["on_standby"])
            print(f"     acquittement = {mode:8s} promoted after {f['promoted']:.2f} s; each tablet's first scan "
                  f"acknowledged by the standby after {spread[0]:.2f}–{spread[-1]:.2f} s; acknowledged scans missing "
                  f"from the standby: {f['missing']} of {f['acknowledged']} ({f['before']} before the kill)")
    print(f"  load average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
