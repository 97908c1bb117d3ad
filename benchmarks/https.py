"""What serving the site over https costs at the door (issue 15): the same paced scans at `salle serve` over plain
http and over https (the site's certificate made by `salle certificat-web`), alternated twice on fresh days.

Tablets keep one connection open (keep-alive), so the TLS handshake is paid once per tablet; what remains is the
encryption of each request and answer. Figures: due → answer p50/p99 at the door, the server's CPU per scan, and
the ratios https / http of the same run.
Usage: python benchmarks/https.py [--tablets 8] [--scans 150] [--rate 100]
"""

from __future__ import annotations

import argparse
import asyncio
import ssl
import tempfile
import time
from pathlib import Path

from common import SURVEILLANTS, big_day, paced_scans, percentile
from salle.client import ApiClient
from salle.reseau.tls import CA_FILE, make_web_cert
from salle.server import ChildServer

CLOCK = "2027-03-18T08:40"


def run(db: Path, certificate: Path | None, context, tablets: int, scans: int, rate: float) -> dict:
    command = ("serve", "--certificat", str(certificate)) if certificate else ("serve",)
    server = ChildServer(db, clock=CLOCK, threads=64, command=command, context=context)
    try:
        import sqlite3

        with sqlite3.connect(db) as conn:
            by_salle = {s: [r[0] for r in conn.execute(
                "SELECT numero FROM candidats WHERE salle = ? AND pieces_manquantes = '' ORDER BY numero", [s])]
                for s in SURVEILLANTS}
        tokens = {}
        for salle, code in SURVEILLANTS.items():
            client = ApiClient(server.url, context=context)
            client.login(code, device="benchmark")
            tokens[salle] = client.token
        jobs = []
        for i in range(tablets):
            salle = list(SURVEILLANTS)[i % len(SURVEILLANTS)]
            k = i // len(SURVEILLANTS)
            jobs.append((salle, by_salle[salle][k * scans:(k + 1) * scans], i / tablets))
        interval = tablets / rate
        latencies = []

        async def phase():
            go = asyncio.Event()
            tasks = [asyncio.create_task(paced_scans(server.port, tokens[s], s, codes, interval, offset * interval,
                                                     lambda c, a, lat, d: latencies.append(lat * 1000), go,
                                                     ssl=context)) for s, codes, offset in jobs]
            await asyncio.sleep(1)  # every connection open (and its handshake done) before the clock starts
            cpu0 = server.cpu_seconds()
            go.set()
            await asyncio.gather(*tasks)
            return (server.cpu_seconds() - cpu0) * 1000 / len(latencies)

        cpu_ms = asyncio.run(phase())
        return {"p50": percentile(latencies, 50), "p99": percentile(latencies, 99), "cpu": cpu_ms,
                "n": len(latencies)}
    finally:
        server.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tablets", type=int, default=8)
    parser.add_argument("--scans", type=int, default=150, help="scans per tablet")
    parser.add_argument("--rate", type=float, default=100.0, help="scans/s offered by all the tablets together")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="salle-bench-https-"))
    certificate = make_web_cert(work / "tls", work / "liaisons" / CA_FILE, "PANTIN", ["127.0.0.1"])
    context = ssl.create_default_context(cafile=str(work / "liaisons" / CA_FILE))
    count = args.tablets * args.scans * 4 + 400
    print(f"{args.tablets} tablets, {args.scans} scans each, {args.rate:g} scans/s offered; keep-alive connections")
    results = {"http": [], "https": []}
    for round_ in range(2):
        for mode in ("http", "https"):
            (work / f"{mode}-{round_}").mkdir()
            db = big_day(count, work / f"{mode}-{round_}")
            started = time.perf_counter()
            r = run(db, certificate if mode == "https" else None, context if mode == "https" else None,
                    args.tablets, args.scans, args.rate)
            results[mode].append(r)
            print(f"  {mode:5} run {round_ + 1}: p50 {r['p50']:.1f} ms, p99 {r['p99']:.1f} ms, server CPU "
                  f"{r['cpu']:.2f} ms/scan ({r['n']} scans, {time.perf_counter() - started:.0f} s)")
    for key, label in (("p50", "p50"), ("p99", "p99"), ("cpu", "CPU/scan")):
        http = sum(r[key] for r in results["http"]) / 2
        https = sum(r[key] for r in results["https"]) / 2
        print(f"https / http, {label}: {https / http:.2f} ({https:.2f} vs {http:.2f})")


if __name__ == "__main__":
    main()
