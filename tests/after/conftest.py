"""The archives every test of tests/after reads, made once per test run and shared by the workers (they only read
them; whoever comes first makes them, the others wait on a lock): two sites' days worked through the real
commands and exported, a later export of one, a fork of its file, and exports of another concours and of another
session file."""

from __future__ import annotations

import dataclasses
import fcntl
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from salle.clock import FixedClock
from salle.day import ExamDay
from tests.helpers.after import SESSION, SiteDay, montreuil_day, open_site, pantin_day


@dataclass
class Archives:
    folder: Path
    pantin: Path  # E1 done, E2 begun
    montreuil: Path  # E1, with a candidat Pantin also admitted (moved by Montreuil's file)
    pantin_later: Path  # the same file later: E2's émargements and release
    pantin_fork: Path  # a copy of Pantin's file taken before the later export, worked otherwise
    pantin_other_laptop: Path  # another file for Pantin
    other_concours: Path
    other_session: Path
    seen: dict
    moved: str


@pytest.fixture(scope="session")
def archives(tmp_path_factory, worker_id) -> Archives:
    """Made once for the run: under xdist the workers' temporary folders share a parent, where the first one to
    take the lock makes the archives and leaves their description; a worker coming later reads it."""
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if worker_id != "master" else base
    with open(shared / "after-archives.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        made = shared / "after-archives.json"
        if not made.exists():
            archives = _make(shared / "after-archives")
            made.write_text(json.dumps(dataclasses.asdict(archives), default=str))  # paths as text
        kept = json.loads(made.read_text())
    return Archives(**{f.name: Path(kept[f.name]) if f.type == "Path" else kept[f.name]
                       for f in dataclasses.fields(Archives)})


def _make(root: Path) -> Archives:
    root.mkdir()
    out = root / "exports"
    p = pantin_day(root / "pantin")
    seen = dict(p.seen)
    pantin = p.export(out, "export-PANTIN-1.zip")
    moved = seen["present"][0]
    m = montreuil_day(root / "montreuil", moved=moved)
    montreuil = m.export(out, "export-MONTREUIL-1.zip")
    m.close()
    p.close()
    shutil.copytree(root / "pantin", root / "pantin-fork")
    p.day = ExamDay(root / "pantin" / "salle.db", p.clock)
    p.at("14:00")
    p.start("E2")
    p.at("15:20")
    for numero in seen["e2"]:
        p.emarge("A01", numero, epreuve="E2")
    p.at("15:35")
    p.end_salle("A01", epreuve="E2")
    pantin_later = p.export(out, "export-PANTIN-2.zip")
    p.close()
    fork = SiteDay(root / "pantin-fork", "PANTIN", FixedClock(p.clock.now()))
    fork.at("14:00")
    fork.start("E2")
    fork.at("15:30")
    fork.emarge("A01", seen["e2"][0], copies=4, epreuve="E2")
    pantin_fork = fork.export(out, "export-PANTIN-copie.zip")
    fork.close()
    other = open_site(root / "pantin-2", "PANTIN")
    other.admit("A01", other.numeros("A01", 1, skip=7))
    pantin_other_laptop = other.export(out, "export-PANTIN-portable2.zip")
    other.close()
    foreign = open_site(root / "autre", "PANTIN", session_text=SESSION.replace(
        'code = "ATP27"', 'code = "ATP28"', 1))
    other_concours = foreign.export(out, "export-ATP28.zip")
    foreign.close()
    edited = open_site(root / "autre-session", "MONTREUIL", session_text=SESSION.replace(
        "Maison des examens", "Maison des examens (bâtiment neuf)"))
    edited.admit("M1", edited.numeros("M1", 1))
    other_session = edited.export(out, "export-autre-session.zip")
    edited.close()
    return Archives(out, pantin, montreuil, pantin_later, pantin_fork, pantin_other_laptop, other_concours,
                    other_session, seen, moved)


@pytest.fixture
def record(archives, tmp_path) -> Path:
    """A record of both sites' first exports, consolidated for this test."""
    from salle.after.consolidation import consolidate

    path = tmp_path / "concours.sqlite"
    consolidate([archives.pantin, archives.montreuil], path)
    return path
