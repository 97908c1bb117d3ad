"""The papers before the day at scale: 3,000 convocations with their barcodes (one PDF each), the lists to post,
door labels and table labels of one site of 40 salles; prints pages per second and the total time.
Target (issue 18): 3,000 convocations in under a minute on 2 cores.

    .venv/bin/python benchmarks/documents.py [--candidats 3000] [--workers 0]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from common import load_day

from salle import demo
from salle.clock import SystemClock
from salle.day import ExamDay
from salle.state.queries import candidat_from_row
from salle.documents import affichage
from salle.documents.convocations import write_all


def forty_salles(count: int, workdir: Path) -> Path:
    """The demo session with 38 more salles at Pantin (one site of 40 salles: A01, B12 and S01–S38), `count`
    candidats all convoked there, imported and seated (Montreuil keeps its two salles, empty)."""
    extra = "".join(f'\n[[salles]]\ncode = "S{i:02d}"\nsite = "PANTIN"\n'
                    f'label = "Salle S{i:02d}"\naccess = "bâtiment S, étage {i // 10}"\nrows = 8\ncolumns = 10\n'
                    for i in range(1, 39))
    return load_day(demo.session_toml() + extra, count, workdir,
                    csv_edit=lambda text: text.replace(";MONTREUIL;", ";PANTIN;"))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--candidats", type=int, default=3000)
    ap.add_argument("--workers", type=int, default=0)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="salle-docs-"))
    day = ExamDay(forty_salles(args.candidats, work), SystemClock())
    session = day.session
    candidats = [candidat_from_row(r) for r in day.journal.query("SELECT * FROM candidats ORDER BY numero")]
    day.close()

    started = time.monotonic()
    summary = write_all(session, candidats, work / "convocations", args.workers)
    convocations = time.monotonic() - started
    started = time.monotonic()
    for site in session.sites:
        affichage.site_list(session, site.code, candidats)
        affichage.door_labels(session, site.code, candidats)
    for salle in session.salles:
        affichage.table_labels(session, salle, candidats)
    papers = time.monotonic() - started
    print(f"{summary.written} convocations (one PDF each, Code 128 + QR): {convocations:.1f} s, "
          f"{summary.written / convocations:.0f} per second — target < 60 s: "
          f"{'met' if convocations < 60 else 'NOT met'}")
    site = session.site("PANTIN")
    print(f"lists to post, door labels and table labels of {site.name} ({len(session.salles_of(site.code))} salles, "
          f"{sum(c.site == site.code for c in candidats)} candidats; and Montreuil's, empty): {papers:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
