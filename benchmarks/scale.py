"""A concours of 100,000 (issue 19): import and seating, rebuild of the derived tables, export and verification of
the day's file, each beside its target, with the peak memory of each step (each runs in a child process so its
peak is its own, read from `resource`).

    .venv/bin/python benchmarks/scale.py [--candidats 100000] [--events 20000]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import resource
import sys
import tempfile
import time
from pathlib import Path

import common  # noqa: F401 (puts the project on sys.path)

from salle import demo

TARGETS = {"import": 30.0, "rebuild": 5.0, "export": 5.0, "verify": 2.0}


def session(count: int) -> str:
    """The demo session with 40 salles of 3,000 seats and a numéro pattern that admits 100,000 candidats."""
    toml = demo.session_toml().replace('numero_pattern = "ATP27-[0-9]{5}"', 'numero_pattern = "ATP27-[0-9]{5,6}"')
    extra = "".join(f'\n[[salles]]\ncode = "S{i:02d}"\nsite = "{"PANTIN" if i % 2 else "MONTREUIL"}"\n'
                    f'label = "Salle S{i:02d}"\nrows = 30\ncolumns = 100\n' for i in range(1, 37))
    return toml + extra


def step(name: str, work: Path, count: int, events: int, out) -> None:
    from salle.clock import SystemClock
    from salle.day import ExamDay

    started = time.monotonic()
    if name == "import":
        from salle.importing import import_candidats

        day = ExamDay(work / "salle.db", SystemClock())
        day.load_session(session(count))
        import_candidats(day, (work / "candidats.csv").read_bytes(), "candidats.csv")
        day.close()
    elif name == "events":
        from datetime import datetime

        from salle.clock import FixedClock
        from salle.day import Caller
        from salle.journal import Actor

        day = ExamDay(work / "salle.db", FixedClock(datetime(2027, 3, 18, 8, 30)))
        admin = Caller(Actor("P001", "Admin", "admin", "bench"), "admin")
        rows = day.journal.query("SELECT numero, salle FROM candidats WHERE pieces_manquantes = '' LIMIT ?", [events])
        for i, r in enumerate(rows):
            day.scan(admin, r["salle"], {"code": r["numero"], "client_id": f"bench-{i:07d}", "piece_identite": "cni"})
        day.close()
    elif name == "rebuild":
        import sqlite_utils

        from salle.journal import connect
        from salle.state import rebuild

        conn = connect(work / "salle.db")
        rebuild(sqlite_utils.Database(conn))
        conn.close()
    elif name == "export":
        from salle.export import export_day

        day = ExamDay(work / "salle.db", SystemClock())
        export_day(day, work / "exports")
        day.close()
    elif name == "verify":
        from salle.journal import verify_chain

        assert verify_chain(work / "salle.db")[0]
    out.put((time.monotonic() - started, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--candidats", type=int, default=100_000)
    ap.add_argument("--events", type=int, default=20_000, help="scans recorded before rebuild/export/verify")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="salle-scale-"))
    demo.candidats_csv(work / "candidats.csv", args.candidats)
    ctx = mp.get_context("fork")
    for name in ("import", "events", "rebuild", "export", "verify"):
        out = ctx.Queue()
        p = ctx.Process(target=step, args=(name, work, args.candidats, args.events, out))
        p.start()
        seconds, peak = out.get()
        p.join()
        target = TARGETS.get(name)
        verdict = f"target < {target:.0f} s: {'met' if seconds < target else 'NOT met'}" if target else ""
        print(f"{name:<8} {seconds:7.1f} s   peak memory {peak:6.0f} MB   {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
