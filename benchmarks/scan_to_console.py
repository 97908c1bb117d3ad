"""Time from the POST of a scan to the console receiving its "evenement", with 100 tablets connected.

Starts the real server (`salle serve`, rehearsal clock at 08:10 on the demo day) on a temporary database built
with salle.demo.build, connects 100 Socket.IO clients as surveillants' tablets and one console (admin), posts
admissions from 4 door threads (one per salle) and prints p50/p99 of scan→console and of the POST itself.

    .venv/bin/python benchmarks/scan_to_console.py [--candidats 300] [--tablets 100] [--rate 2]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import socketio
from common import Server, percentile

from salle import demo
from salle.client import ApiClient

CODES = {"A01": "30001746", "B12": "30002958", "M1": "30003162", "M2": "30004385"}


def tablets(base: str, indexes, ready, stop) -> None:
    """Connect surveillants' tablets (round robin over the four salles) and keep them until told to stop."""
    codes = list(CODES.values())
    clients = []
    for i in indexes:
        api = ApiClient(base)
        api.login(codes[i % len(codes)], device=f"bench-tablette-{i}")
        c = socketio.Client(reconnection=False)
        c.connect(base, auth={"token": api.token}, transports=["websocket"], wait_timeout=10)
        clients.append(c)
    if ready is not None:
        time.sleep(1)  # the other process connects meanwhile
        ready.set()
    stop.wait()
    for c in clients:
        c.disconnect()


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--candidats", type=int, default=300)
    ap.add_argument("--tablets", type=int, default=100)
    ap.add_argument("--rate", type=float, default=0, help="scans per second per door (0: as fast as possible)")
    args = ap.parse_args()
    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="salle-bench-"))
    db = demo.build(work, args.candidats)
    conn = sqlite3.connect(db)
    by_salle: dict[str, list[str]] = {}
    for numero, salle in conn.execute("SELECT numero, salle FROM candidats WHERE pieces_manquantes = '' OR "
                                      "pieces_manquantes IS NULL ORDER BY numero"):
        by_salle.setdefault(salle, []).append(numero)
    conn.close()
    server = Server(db, threads=args.tablets + 64, clock="2027-03-18T08:10")
    stop, tablet_procs = None, []
    base = server.url
    clients: list[socketio.Client] = []
    try:
        sent: dict[str, float] = {}
        latencies: list[float] = []
        done = threading.Event()
        total = sum(len(v) for v in by_salle.values())

        def on_event(data):
            if data.get("type") == "scan" and data.get("candidat") in sent:
                latencies.append(time.perf_counter() - sent[data["candidat"]])
                if len(latencies) >= total:
                    done.set()

        console_api = ApiClient(base)
        console_api.login("10004271", device="bench-console")
        console = socketio.Client(reconnection=False)
        console.on("evenement", on_event)
        console.on("evenements", lambda items: [on_event(e) for e in items])
        console.connect(base, auth={"token": console_api.token}, transports=["websocket"], wait_timeout=10)
        clients.append(console)
        # The tablets live in processes of their own: 100 Socket.IO clients in the console's process would
        # measure that process's own congestion, not the server's.
        ready, stop = mp.Event(), mp.Event()
        tablet_procs = [mp.Process(target=tablets, args=(base, range(p, args.tablets, 2), ready if p == 0 else None,
                                                         stop)) for p in range(2)]
        for p in tablet_procs:
            p.start()
        if args.tablets:
            ready.wait(60)
        post_times: list[float] = []

        def door(salle: str, numeros: list[str]):
            api = ApiClient(base)
            api.login(CODES[salle], device=f"bench-porte-{salle}")
            for k, numero in enumerate(numeros):
                if args.rate:
                    time.sleep(max(0.0, t_start + k / args.rate - time.perf_counter()))
                t0 = time.perf_counter()
                sent[numero] = t0
                api.scan(salle, numero, "cni")
                post_times.append(time.perf_counter() - t0)

        threads = [threading.Thread(target=door, args=(s, n)) for s, n in by_salle.items() if s in CODES]
        t_start = time.perf_counter() + 0.5
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        done.wait(timeout=20)
        wall = time.perf_counter() - t_start
        ms = lambda v: f"{v * 1000:.1f} ms"  # noqa: E731
        pace = f"{args.rate:g}/s per door" if args.rate else "as fast as possible"
        print(f"Salle benchmark ({pace}): {args.tablets} tablets + 1 console connected over Socket.IO, "
              f"{len(post_times)} admissions from {len(threads)} doors in {wall:.1f} s "
              f"({len(post_times) / wall:.0f} scans/s)")
        print(f"  POST /scans (durable before answered): p50 {ms(statistics.median(post_times))}, "
              f"p99 {ms(percentile(post_times, 99))}")
        if latencies:
            print(f"  scan POST -> console 'evenement':     p50 {ms(statistics.median(latencies))}, "
                  f"p99 {ms(percentile(latencies, 99))}, received {len(latencies)}/{len(post_times)}")
        print(f"  total runtime {time.monotonic() - started:.1f} s")
        return 0 if len(latencies) == len(post_times) else 1
    finally:
        if stop is not None:
            stop.set()
        for c in clients:
            try:
                c.disconnect()
            except Exception:  # a client already gone: nothing to close
                pass
        for p in tablet_procs:
            p.join(10)
        server.stop()


if __name__ == "__main__":
    sys.exit(main())
