"""A concours of 100,000 (issue 19): import and seating, rebuild of the derived tables, export and verification of
the day's file, each beside its target, with the peak memory of each step (each runs in a child process so its
peak is its own, read from `resource`) and its CPU time (user + system: on a machine shared with other work, wall
time swings with the load, CPU time much less); then the émargement sheets of the site of Pantin (half the
salles), one salle at a time as the console asks for them, and in one PDF. The load average is printed before
and after: the machine is shared.

    .venv/bin/python benchmarks/scale.py [--candidats 100000] [--events 20000]
    .venv/bin/python benchmarks/scale.py --day /tmp/salle-scale-…/salle.db   # the papers again, on a copy of that day
    .venv/bin/python benchmarks/scale.py --candidats 30000 --memory 30000   # then the server's memory over 30,000 scans
    .venv/bin/python benchmarks/scale.py --candidats 100000 --events 0 --memory 100000 --tablets 100
    .venv/bin/python benchmarks/scale.py --candidats 100000 --events 95000 --signed 99   # a day as it ends
    .venv/bin/python benchmarks/scale.py --console-site   # the sheets only, at console.py's site (40 salles, 3,000)
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import common  # noqa: F401 (puts the project on sys.path)

from salle import demo

TARGETS = {"import": 30.0, "rebuild": 5.0, "export": 5.0, "verify": 2.0}
SIGNED = 0  # --signed: the percentage of the scanned candidats who sign the émargement, after the épreuve
STEPS = ("import", "events", "rebuild", "export", "verify", "sheets", "site-sheets")


def session(count: int) -> str:
    """The demo session with 40 salles of 3,000 seats and a numéro pattern that admits 100,000 candidats."""
    toml = demo.session_toml().replace('numero_pattern = "ATP27-[0-9]{5}"', 'numero_pattern = "ATP27-[0-9]{5,6}"')
    extra = "".join(f'\n[[salles]]\ncode = "S{i:02d}"\nsite = "{"PANTIN" if i % 2 else "MONTREUIL"}"\n'
                    f'label = "Salle S{i:02d}"\nrows = 30\ncolumns = 100\n' for i in range(1, 37))
    return toml + extra


def step(name: str, work: Path, count: int, events: int, out) -> None:
    from salle.clock import SystemClock
    from salle.day import ExamDay

    started, cpu = time.monotonic(), _cpu()
    if name == "import":
        from salle.importing import import_candidats

        day = ExamDay(work / "salle.db", SystemClock())
        day.load_session(session(count))
        import_candidats(day, (work / "candidats.csv").read_bytes(), "candidats.csv")
        day.close()
    elif name == "events":
        from datetime import datetime

        from salle.clock import FixedClock
        from salle.commands.arrivals import ScanRequest, scan
        from salle.day import Caller
        from salle.journal import Actor

        day = ExamDay(work / "salle.db", FixedClock(datetime(2027, 3, 18, 8, 30)))
        admin = Caller(Actor("P001", "Admin", "admin", "bench"), "admin")
        rows = day.journal.query("SELECT numero, salle FROM candidats WHERE pieces_manquantes = '' LIMIT ?", [events])
        for i, r in enumerate(rows):
            scan(day, admin, r["salle"], ScanRequest(code=r["numero"], client_id=f"bench-{i:07d}", piece_identite="cni"))
        if SIGNED:  # as a day ends: the doors closed, the épreuve started and ended, nearly everyone signed
            from salle.commands import doors
            from salle.commands.emargement import EmargementRequest, emarger

            for site in ("PANTIN", "MONTREUIL"):
                doors.close_doors(day, admin, "E1", site, doors.ClientIdRequest(client_id=f"bench-portes-{site}"))
                day.clock.set(datetime(2027, 3, 18, 9, 0))
                doors.start_epreuve(day, admin, "E1", site, doors.ClientIdRequest(client_id=f"bench-debut-{site}"))
            day.clock.set(datetime(2027, 3, 18, 13, 1))  # past the end with a third more (R24)
            line = [[{"x": 10, "y": 20, "t": 0}, {"x": 30, "y": 25, "t": 16}, {"x": 60, "y": 15, "t": 32}]]
            for i, r in enumerate(rows):
                if i % 100 < SIGNED:
                    emarger(day, admin, r["salle"], EmargementRequest(
                        client_id=f"bench-em-{i:07d}", numero=r["numero"], copies=2, signature=line, epreuve="E1"))
        day.close()
    elif name == "rebuild":
        import sqlite_utils

        from salle.journal import connect
        from salle.state import rebuild

        conn = connect(work / "salle.db")
        rebuild(sqlite_utils.Database(conn))
        conn.close()
    elif name == "export":  # what `salle export` does: the archive, then read back
        from salle.export import check_archive, export_day

        day = ExamDay(work / "salle.db", SystemClock())
        archive = export_day(day, work / "exports")
        day.close()
        check_archive(archive, chain=False)
    elif name == "verify":
        from salle.journal import verify_chain

        assert verify_chain(work / "salle.db")[0]
    elif name in ("sheets", "site-sheets"):
        from salle.pv import feuille_emargement, feuilles_emargement

        day = ExamDay(work / "salle.db", SystemClock())
        salles = day.session.salles_of("PANTIN")
        started, cpu = time.monotonic(), _cpu()
        if name == "sheets":
            size = sum(len(feuille_emargement(day, s.code, "E1", remplie=True)) for s in salles)
        else:
            size = len(feuilles_emargement(day, "PANTIN", "E1", remplie=True))
        lines = day.journal.one("SELECT COUNT(*) AS n FROM candidats WHERE site = 'PANTIN'")["n"]
        note = f"{len(salles)} salles, {lines} lines, {size / 1e6:.1f} MB of PDF"
        out.put((time.monotonic() - started, _cpu() - cpu, _peak(),
                 note))
        return
    out.put((time.monotonic() - started, _cpu() - cpu, _peak(), ""))


def memory_curve(db: Path, scans: int, clients: int = 8, every: int = 2000, tablets: int = 0) -> None:
    """`salle serve` on a copy of the imported day, `clients` threads each scanning its share of the candidats
    through the API (signed in as the admin, one client id a scan); the worker's resident memory (VmRSS) printed
    every `every` scans. With `tablets`, that many surveillants' tablets stay connected by Socket.IO all along
    (in two processes of their own, as `scan_to_console.py` connects them), each receiving its salle's pushes."""
    import threading

    from common import Server
    from scan_to_console import tablets as connect_tablets

    from salle.client import ApiClient

    server = Server(db, threads=tablets + 64)
    ready, stop = mp.Event(), mp.Event()
    procs = [mp.Process(target=connect_tablets, args=(server.url, range(p, tablets, 2), ready if p == 0 else None,
                                                      stop)) for p in range(2 if tablets else 0)]
    for p in procs:
        p.start()
    if procs:
        ready.wait(120)
    try:
        worker = subprocess.run(["pgrep", "-P", str(server.proc.pid)], capture_output=True, text=True).stdout.split()
        pids = [str(server.proc.pid), *worker]

        def rss() -> float:
            return sum(int(next(line.split()[1] for line in open(f"/proc/{pid}/status") if line.startswith("VmRSS")))
                       for pid in pids) / 1024

        conn = sqlite3.connect(db)
        todo = conn.execute("SELECT numero, salle FROM candidats WHERE pieces_manquantes = '' ORDER BY numero LIMIT ?",
                            [scans]).fetchall()
        conn.close()
        done, verdicts, lock, started = [0], {}, threading.Lock(), time.monotonic()
        print(f"memory   server (arbiter + worker) RSS {rss():6.0f} MB before the first scan, {tablets} tablets "
              "connected by Socket.IO")

        def drive(share):
            client = ApiClient(server.url)
            client.login("10004271", device="scale")
            for i, (numero, salle) in share:
                verdict = client.scan(salle, numero, client_id=f"mem-{i:07d}")["verdict"]
                with lock:
                    verdicts[verdict] = verdicts.get(verdict, 0) + 1
                    done[0] += 1
                    if done[0] % every == 0:
                        print(f"memory   {done[0]:6d} scans  RSS {rss():6.0f} MB  {time.monotonic() - started:6.1f} s")
            client.close()

        threads = [threading.Thread(target=drive, args=(list(enumerate(todo))[k::clients],)) for k in range(clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        print(f"memory   {done[0]:6d} scans  RSS {rss():6.0f} MB  {time.monotonic() - started:6.1f} s  {verdicts}")
    finally:
        stop.set()
        for p in procs:
            p.join(30)
        server.stop()


def _cpu() -> float:
    """This process's CPU time and its children's (the export makes its lists in a process of its own)."""
    usages = [resource.getrusage(r) for r in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    return sum(u.ru_utime + u.ru_stime for u in usages)


def _peak() -> float:
    """The peak memory of this process or of its largest child (MB)."""
    return max(resource.getrusage(r).ru_maxrss for r in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)) / 1024


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--candidats", type=int, default=100_000)
    ap.add_argument("--events", type=int, default=20_000, help="scans recorded before rebuild/export/verify")
    ap.add_argument("--memory", type=int, default=0, help="then this many scans through `salle serve`, sampling "
                    "its memory (on a copy of the day as imported)")
    ap.add_argument("--signed", type=int, default=0, help="after the scans, the doors closed, the épreuve started "
                    "and ended, this percentage of them sign the émargement (99: a day as it ends)")
    ap.add_argument("--tablets", type=int, default=0, help="with --memory: surveillants' tablets connected by "
                    "Socket.IO all along")
    ap.add_argument("--day", type=Path, help="a day file made by an earlier run: only rebuild, export, verify and "
                    "the sheets, on a copy (to compare two versions of the code on the same day)")
    ap.add_argument("--console-site", action="store_true", help="only the sheets, at the site of benchmarks/console.py "
                    "(40 salles, 3,000 candidats at Pantin, no scans)")
    args = ap.parse_args()
    global SIGNED
    SIGNED = args.signed  # read by the events step, in the process forked for it
    work = Path(tempfile.mkdtemp(prefix="salle-scale-"))
    steps = STEPS[2:] if args.day else STEPS
    if args.console_site:
        from console import site_day

        site_day(work, 40, 3000)
        steps = STEPS[-2:]
    elif args.day:
        shutil.copy(args.day, work / "salle.db")
    else:
        demo.candidats_csv(work / "candidats.csv", args.candidats)
    ctx = mp.get_context("fork")
    print(f"load average {os.getloadavg()[0]:.1f} (1 min) at start")
    for name in steps:
        out = ctx.Queue()
        p = ctx.Process(target=step, args=(name, work, args.candidats, args.events, out))
        p.start()
        seconds, cpu, peak, note = out.get()
        p.join()
        target = TARGETS.get(name)
        verdict = f"target < {target:.0f} s: {'met' if seconds < target else 'NOT met'}" if target else note
        print(f"{name:<11} {seconds:7.1f} s  (CPU {cpu:5.1f} s)   peak memory {peak:6.0f} MB   {verdict}")
        if name == "import" and args.memory:
            shutil.copy(work / "salle.db", work / "memory.db")
    if args.memory and steps == STEPS:
        memory_curve(work / "memory.db", args.memory, tablets=args.tablets)
    print(f"load average {os.getloadavg()[0]:.1f} (1 min) at the end; the day's file: {work / 'salle.db'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
