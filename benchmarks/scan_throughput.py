"""Durable scans per second and scan-to-verdict latency through the real API, on a real SQLite file.

Two phases with the same 100 clients (tablets signed in as surveillants, one keep-alive connection each):
1. saturation: every client scans back to back (closed loop) -> the most durable scans/s the server gives;
2. paced: the clients together offer each of --rates scans/s (open loop, each on its own schedule) -> p50/p99
   latency measured from the moment each scan was due, so queueing is counted.
The clients are asyncio coroutines in one process (raw HTTP/1.1 on keep-alive connections), so that the
load generator takes as little of the machine's two cores as it can.
Beside them, in the same run and on the same disk, SQLite's own rate of durable single-row commits
(WAL, synchronous=FULL): the ceiling of a server that would commit each scan alone.
Usage: python benchmarks/scan_throughput.py [--clients 100] [--scans-per-client 30] [--rates 500,300]
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import time

from common import SURVEILLANTS, Server, big_day, paced_scans, percentile
from salle.client import ApiClient


def sqlite_durable_commits(path, seconds: float = 2.0) -> float:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, payload TEXT)")
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        conn.execute("BEGIN")
        conn.execute("INSERT INTO t (payload) VALUES (?)", ["x" * 200])
        conn.execute("COMMIT")
        n += 1
    elapsed = time.perf_counter() - start
    conn.close()
    return n / elapsed


async def run_phase(server, tokens, jobs, interval: float):
    go, results = asyncio.Event(), []
    def note(code, answer, latency, done):
        results.append((latency, answer["enregistre"], done))

    tasks = [asyncio.create_task(paced_scans(server.port, tokens[salle], salle, numeros, interval, offset * interval,
                                             note, go)) for salle, numeros, offset in jobs]
    await asyncio.sleep(1)  # every connection open before the clock starts
    cpu0 = server.cpu_seconds()
    start = time.perf_counter()
    go.set()
    await asyncio.gather(*tasks)
    elapsed = max(r[2] for r in results) - start
    cpu_ms = (server.cpu_seconds() - cpu0) * 1000 / len(results)
    latencies = [r[0] * 1000 for r in results]
    return sum(1 for r in results if r[1]) / elapsed, latencies, len(results), cpu_ms


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--scans-per-client", type=int, default=30)
    parser.add_argument("--rates", default="500,300", help="offered scans/s of the paced phases, comma-separated")
    args = parser.parse_args()
    rates = [float(r) for r in args.rates.split(",") if r]
    n, phases_count = args.scans_per_client, 1 + len(rates)
    db = big_day(phases_count * args.clients * n * 13 // 10 + 400)
    baseline = sqlite_durable_commits(db.parent / "baseline.db")
    conn = sqlite3.connect(db)
    by_salle = {s: [r[0] for r in conn.execute("SELECT numero FROM candidats WHERE salle = ? AND pieces_manquantes = ''"
                                               " ORDER BY numero", [s])] for s in SURVEILLANTS}
    conn.close()
    phases = [[] for _ in range(phases_count)]
    for i in range(args.clients):
        salle = list(SURVEILLANTS)[i % len(SURVEILLANTS)]
        k = i // len(SURVEILLANTS)
        mine = by_salle[salle][phases_count * k * n:phases_count * (k + 1) * n]
        assert len(mine) == phases_count * n, "not enough candidats per salle"
        for p, phase in enumerate(phases):
            phase.append((salle, mine[p * n:(p + 1) * n], i / args.clients))
    server = Server(db)
    try:
        tokens = {}
        for salle, code in SURVEILLANTS.items():
            client = ApiClient(server.url)
            client.login(code, device="benchmark")
            tokens[salle] = client.token
        top, sat_lat, sat_n, sat_cpu = asyncio.run(run_phase(server, tokens, phases[0], 0.0))
        paced = [asyncio.run(run_phase(server, tokens, phase, args.clients / rate))
                 for rate, phase in zip(rates, phases[1:])]
    finally:
        server.stop()
    print(f"scan throughput — {args.clients} concurrent clients, real API (salle serve: gunicorn, 1 worker) on a real "
          f"SQLite file; load generated on the same 2-core machine")
    print(f"  saturation ({sat_n} scans, back to back)   durable scans/s {top:7.0f}   "
          f"p50 {percentile(sat_lat, 50):6.1f} ms   p99 {percentile(sat_lat, 99):6.1f} ms   "
          f"server CPU {sat_cpu:.2f} ms/scan")
    for rate, (done, lat, count, cpu) in zip(rates, paced):
        print(f"  paced at {rate:.0f} scans/s offered ({count} scans)   durable scans/s {done:7.0f}   "
              f"p50 {percentile(lat, 50):6.1f} ms   p99 {percentile(lat, 99):6.1f} ms   server CPU {cpu:.2f} ms/scan")
    print(f"  SQLite alone, durable single-row commits/s, same disk, same run: {baseline:7.0f}   "
          f"(saturation ÷ SQLite: {top / baseline:.2f})")


if __name__ == "__main__":
    main()
