"""`salle planning`'s layout (issue 13): 400 candidats on 6 juries over two days (the second day with its own,
longer hours), a tenth with a tiers-temps, a twentieth with 10 more minutes, 9 seats in the preparation rooms;
the median of runs, and the planning checked for overlaps and for the seats.
Run: .venv/bin/python benchmarks/planning.py [--candidats 400] [--jurys 6] [--runs 20] [--places 9]
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import date, time as hour

from common import ROOT  # noqa: F401,E402 (puts the project on sys.path)
from salle.model import TIERS_TEMPS, Epreuve, Jury, TempsMajore  # noqa: E402
from salle.planning import conflicts, plan, preparing_at_once, slot  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--candidats", type=int, default=400)
    parser.add_argument("--jurys", type=int, default=6)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--places", type=int, default=9, help="places des salles de préparation (0 : sans limite)")
    args = parser.parse_args()
    oral = Epreuve(code="O1", label="Entretien", date=date(2027, 3, 19), start=hour(9), duration=480,
                   doors_close=hour(9), accueil=hour(8, 30), convocation=hour(9), kind="oral", preparation=20,
                   passage=15, sujets=(1, 2, 3), last_date=date(2027, 3, 20))
    hours = ((hour(8, 30), hour(12, 30)), (hour(13, 30), hour(18, 30)))
    saturday = ((hour(8), hour(12, 30)), (hour(13, 15), hour(18, 30)))  # the second day: its own hours
    jurys = [Jury(f"J{i}", "O1", f"Jury {i}", f"S{i}", horaires=hours, horaires_jour=((date(2027, 3, 20), saturday),))
             for i in range(1, args.jurys + 1)]
    places = args.places or None
    people = [(f"ATP27-{i:05d}", TIERS_TEMPS if i % 10 == 0 else TempsMajore(minutes=10) if i % 20 == 5 else None)
              for i in range(1, args.candidats + 1)]
    times = []
    for _ in range(args.runs):
        started = time.perf_counter()
        passages, unplaced = plan(oral, jurys, people, places_preparation=places)
        times.append(time.perf_counter() - started)
    temps = dict(people)
    slots = [slot(oral, p, temps[p.numero]) for p in passages]
    clash = conflicts(slots)
    print(f"planning: {args.candidats} candidats, {args.jurys} jurys, 2 jours (le 2e à ses propres horaires), "
          f"{places or 'sans limite de'} places de préparation : médiane {statistics.median(times) * 1000:.1f} ms "
          f"(max {max(times) * 1000:.1f} ms), {len(passages)} placés, {len(unplaced)} sans place, {len(clash)} "
          f"chevauchement(s), au plus {preparing_at_once(slots)} en préparation à la fois")


if __name__ == "__main__":
    main()
