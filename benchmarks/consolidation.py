"""After the day at scale (issue 14): 10 sites × 3,000 candidats, each site its own day file worked through the real
commands (scans at the door, late refusals, émargements) and exported by `salle export`'s code; then the figures
measured — `salle consolider` of the 10 archives, the record again (nothing to change), the jury's lists, the
hand-off and the bilan, and the attestations de présence (their rate per second). CPU time is printed beside wall time: the
machine is shared.

    .venv/bin/python benchmarks/consolidation.py [--sites 10] [--candidats 3000] [--workers 2]
    .venv/bin/python benchmarks/consolidation.py --archives /tmp/salle-apres-…/exports   # the sites' days made once
    .venv/bin/python benchmarks/consolidation.py --attestations 3000   # a sample of the attestations: their rate

Making the days is not what is measured (about 1 ms a command, durable commits switched off for it: it is set-up).
"""

from __future__ import annotations

import argparse
import csv
import multiprocessing as mp
import os
import random
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

import common  # noqa: F401 (puts the project on sys.path)

from salle import demo

TARGET = 30.0  # seconds: the record and the lists


def session(sites: int, per_site: int) -> str:
    """The demo's concours and épreuves on `sites` sites of two salles each, seats for `per_site` candidats."""
    head = demo.session_toml().split("[[sites]]")[0].replace('numero_pattern = "ATP27-[0-9]{5}"',
                                                             'numero_pattern = "ATP27-[0-9]{6}"')
    rows = -(-per_site // 2 // 50) + 1
    out = [head]
    for s in range(1, sites + 1):
        out.append(f'[[sites]]\ncode = "S{s:02d}"\nname = "Site {s}"\naddress = "{s} rue des Concours, '
                   f'93{s:03d} Ville{s}"\n\n')
        for k in ("A", "B"):
            out.append(f'[[salles]]\ncode = "S{s:02d}{k}"\nsite = "S{s:02d}"\nlabel = "Salle {k}"\nrows = {rows}\n'
                       'columns = 50\n\n')
    out.append('[[personnel]]\nname = "Admin"\nrole = "admin"\ncode = "10004271"\n\n'
               '[attestation]\nsignataire = "Marie Dupont"\nqualite = "Directrice générale des services"\n')
    return "".join(out)


def candidats(path: Path, site: int, per_site: int) -> None:
    rng = random.Random(site)
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f, delimiter=";")
        w.writerow(["N° d'inscription", "Nom usuel", "Prénom", "Date de naissance", "Site"])
        for i in range(per_site):
            w.writerow([f"ATP27-{site * 10000 + i:06d}", rng.choice(demo.NOMS).upper(), rng.choice(demo.PRENOMS),
                        date(1965 + rng.randrange(38), 1 + rng.randrange(12), 1 + rng.randrange(28))
                        .strftime("%d/%m/%Y"), f"S{site:02d}"])


def make_site(args: tuple) -> str:
    """One site's day: 90 % admitted to E1 (2 % of the rest refused late), E1 émargée; 80 % admitted to E2."""
    site, per_site, sites, folder = args
    from salle.clock import FixedClock
    from salle.commands.arrivals import ScanRequest, scan
    from salle.commands.doors import ClientIdRequest, start_epreuve
    from salle.commands.emargement import EmargementRequest, emarger
    from salle.day import Caller, ExamDay
    from salle.export import export_day
    from salle.importing import import_candidats
    from salle.journal import Actor

    work = Path(folder) / f"S{site:02d}"
    work.mkdir(parents=True, exist_ok=True)
    clock = FixedClock(datetime(2027, 3, 18, 8, 0))
    day = ExamDay(work / "salle.db", clock)
    day.journal._conn.execute("PRAGMA synchronous=OFF")  # set-up only: durability is not what is measured here
    day.load_session(session(sites, per_site))
    candidats(work / "candidats.csv", site, per_site)
    import_candidats(day, (work / "candidats.csv").read_bytes(), "candidats.csv")
    admin = Caller(Actor("P001", "admin", "bench"), "admin")
    rows = day.journal.query("SELECT numero, salle FROM candidats ORDER BY numero")
    rng = random.Random(site)
    admitted = []
    for i, r in enumerate(rows):
        clock.set(datetime(2027, 3, 18, 8, 15 + i * 44 // len(rows)))
        if rng.random() < 0.9:
            scan(day, admin, r["salle"], ScanRequest(code=r["numero"], client_id=f"bench-e1-{i:06d}", piece_identite="cni",
                                                    epreuve="E1"))
            admitted.append(r)
    clock.set(datetime(2027, 3, 18, 9, 0))
    start_epreuve(day, admin, "E1", f"S{site:02d}", ClientIdRequest(client_id="bench-start-e1"))
    clock.set(datetime(2027, 3, 18, 9, 4))
    for i, r in enumerate(rows[: len(rows) // 50]):
        scan(day, admin, r["salle"], ScanRequest(code=r["numero"], client_id=f"bench-late-{i:06d}", piece_identite="cni",
                                                epreuve="E1"))
    clock.set(datetime(2027, 3, 18, 12, 0))
    for i, r in enumerate(admitted):
        emarger(day, admin, r["salle"], EmargementRequest(client_id=f"bench-em-{i:06d}", numero=r["numero"],
                                                          copies=1 + i % 3, signature=[[{"x": 1, "y": 1, "t": 0}]],
                                                          epreuve="E1"))
    clock.set(datetime(2027, 3, 18, 13, 40))
    for i, r in enumerate(admitted[: len(admitted) * 8 // 9]):
        scan(day, admin, r["salle"], ScanRequest(code=r["numero"], client_id=f"bench-e2-{i:06d}", piece_identite="cni",
                                                epreuve="E2"))
    clock.set(datetime(2027, 3, 18, 18, 0))
    archive = export_day(day, Path(folder) / "exports")
    day.close()
    target = archive.with_name(f"export-S{site:02d}.zip")
    archive.rename(target)
    return str(target)


def cpu() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def measure(name: str, fn):
    started, c = time.monotonic(), cpu()
    result = fn()
    wall, used = time.monotonic() - started, cpu() - c
    print(f"{name:<44} {wall:6.1f} s   (CPU {used:5.1f} s)", flush=True)
    return result, wall


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sites", type=int, default=10)
    parser.add_argument("--candidats", type=int, default=3000, help="par site")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--attestations", type=int, default=None,
                        help="n'écrire que ce nombre d'attestations (le débit est le même ; défaut : toutes)")
    parser.add_argument("--archives", type=Path, default=None, help="dossier d'archives déjà faites")
    args = parser.parse_args()
    from salle.after.attestations import layout_of, write_all
    from salle.after.bilan import build_bilan
    from salle.after.consolidation import consolidate
    from salle.after.handoff import handoff_csv
    from salle.after.lists import write_lists
    from salle.after.record import Record

    print(f"load average {os.getloadavg()[0]:.1f}; {args.sites} sites × {args.candidats} candidats", flush=True)
    folder = Path(tempfile.mkdtemp(prefix="salle-apres-"))
    if args.archives:
        archives = sorted(args.archives.glob("export-S*.zip"))
    else:
        started = time.monotonic()
        with mp.get_context("spawn").Pool(args.workers) as pool:
            archives = [Path(p) for p in pool.map(
                make_site, [(s, args.candidats, args.sites, str(folder)) for s in range(1, args.sites + 1)])]
        print(f"set-up: {len(archives)} site days worked and exported in {time.monotonic() - started:.1f} s "
              f"({archives[0].parent})", flush=True)
    record = folder / "concours.sqlite"
    summary, t_record = measure(f"consolider {len(archives)} archives", lambda: consolidate(archives, record))
    print("   " + summary.french().replace("\n", "\n   "))
    again, _ = measure("consolider again (nothing to change)", lambda: consolidate(archives, record))
    assert not again.changed
    with Record(record) as r:
        _, t_lists = measure("listes pour le jury (PDF, CSV) + copies",
                             lambda: write_lists(r, folder / "jury"))
        _, t_handoff = measure("remise (CSV de présence)", lambda: handoff_csv(r))
        measure("bilan (PDF, matplotlib)", lambda: build_bilan(r))
        layout = layout_of(r.facts["session_toml"], r.session)
        written, t_att = measure(f"attestations ({args.workers} processus)",
                                 lambda: write_all(r, folder / "attestations", layout, date(2027, 3, 19),
                                                   args.workers, limit=args.attestations))
    total = t_record + t_lists + t_handoff
    print(f"record + lists + hand-off: {total:.1f} s (target < {TARGET:.0f} s: {'met' if total < TARGET else 'NOT met'})")
    print(f"attestations: {written.written} in {t_att:.1f} s, {written.written / t_att:.0f} per second")
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"record size {record.stat().st_size / 1e6:.1f} MB; peak memory of this process {peak:.0f} MB; "
          f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
