"""Durable scans per second and scan-to-verdict latency through the real API, on a real SQLite file.

Two phases with the same 100 clients (tablets signed in as surveillants, one keep-alive connection each):
1. saturation: every client scans back to back (closed loop) -> the most durable scans/s the server gives;
2. paced: the clients together offer --rate scans/s (open loop, each on its own schedule) -> p50/p99
   latency measured from the moment each scan was due, so queueing is counted.
Beside them, in the same run and on the same disk, SQLite's own rate of durable single-row commits
(WAL, synchronous=FULL): the ceiling of a server that would commit each scan alone.
Usage: python benchmarks/scan_throughput.py [--clients 100] [--scans-per-client 30] [--rate 500]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import sqlite3
import threading
import time
import uuid

from common import SURVEILLANTS, Server, big_day, percentile


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


def client_process(url, jobs, out: mp.Queue, go: mp.Event, interval: float):
    """Threads of one load process: each signs in as its salle's surveillant, then scans its candidats,
    back to back (interval 0) or one every `interval` seconds from a staggered start."""
    from salle.client import ApiClient

    results = []
    lock = threading.Lock()

    def tablet(salle, numeros, offset):
        client = ApiClient(url, timeout=60)
        client.login(SURVEILLANTS[salle], device="bench")
        go.wait()
        mine = []
        due = time.perf_counter() + offset * interval
        for numero in numeros:
            if interval:
                time.sleep(max(0.0, due - time.perf_counter()))
                t0, due = due, due + interval
            else:
                t0 = time.perf_counter()
            answer = client.post(f"/api/v1/salles/{salle}/scans",
                                 {"code": numero, "client_id": str(uuid.uuid4()), "piece_identite": "cni"})
            mine.append((time.perf_counter() - t0, answer["enregistre"], time.perf_counter()))
        with lock:
            results.extend(mine)

    threads = [threading.Thread(target=tablet, args=job) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out.put(results)


def run_phase(url, jobs, processes: int, interval: float):
    out, go = mp.Queue(), mp.Event()
    procs = [mp.Process(target=client_process, args=(url, jobs[p::processes], out, go, interval))
             for p in range(processes)]
    for p in procs:
        p.start()
    time.sleep(3)  # every client signs in before the clock starts
    start = time.perf_counter()
    go.set()
    results = [r for _ in procs for r in out.get()]
    for p in procs:
        p.join()
    elapsed = max(r[2] for r in results) - start
    latencies = [r[0] * 1000 for r in results]
    return sum(1 for r in results if r[1]) / elapsed, latencies, len(results)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--scans-per-client", type=int, default=30)
    parser.add_argument("--rate", type=float, default=500.0, help="offered scans/s in the paced phase")
    parser.add_argument("--load-processes", type=int, default=2)
    args = parser.parse_args()
    n = args.scans_per_client
    db = big_day(2 * args.clients * n * 13 // 10 + 400)
    baseline = sqlite_durable_commits(db.parent / "baseline.db")
    conn = sqlite3.connect(db)
    by_salle = {s: [r[0] for r in conn.execute("SELECT numero FROM candidats WHERE salle = ? AND pieces_manquantes = ''"
                                               " ORDER BY numero", [s])] for s in SURVEILLANTS}
    conn.close()
    phases = ([], [])
    for i in range(args.clients):
        salle = list(SURVEILLANTS)[i % len(SURVEILLANTS)]
        k = i // len(SURVEILLANTS)
        mine = by_salle[salle][2 * k * n:2 * (k + 1) * n]
        assert len(mine) == 2 * n, "not enough candidats per salle"
        phases[0].append((salle, mine[:n], i / args.clients))
        phases[1].append((salle, mine[n:], i / args.clients))
    server = Server(db)
    try:
        top, sat_lat, sat_n = run_phase(server.url, phases[0], args.load_processes, 0.0)
        paced, lat, paced_n = run_phase(server.url, phases[1], args.load_processes, args.clients / args.rate)
    finally:
        server.stop()
    print(f"scan throughput — {args.clients} concurrent clients, real API (gunicorn gthread, 1 worker) on a real "
          f"SQLite file; load generated on the same 2-core machine")
    print(f"  saturation ({sat_n} scans, back to back)   durable scans/s {top:7.0f}   "
          f"p50 {percentile(sat_lat, 50):6.1f} ms   p99 {percentile(sat_lat, 99):6.1f} ms")
    print(f"  paced at {args.rate:.0f} scans/s offered ({paced_n} scans)   durable scans/s {paced:7.0f}   "
          f"p50 {percentile(lat, 50):6.1f} ms   p99 {percentile(lat, 99):6.1f} ms")
    print(f"  SQLite alone, durable single-row commits/s, same disk, same run: {baseline:7.0f}   "
          f"(saturation ÷ SQLite: {top / baseline:.2f})")


if __name__ == "__main__":
    main()
