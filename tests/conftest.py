"""Fixtures: a real SQLite file per test, the real Flask app on a real port, real clients."""

from __future__ import annotations

from pathlib import Path

import pytest

from salle import demo
from salle.clock import FixedClock
from salle.day import ExamDay
from salle.importing import import_candidats
from tests.support import LiveServer, at

@pytest.fixture
def clock():
    return FixedClock(at("08:40"))


@pytest.fixture
def demo_files(tmp_path) -> Path:
    """The demo session and its 300-candidat CSV written to tmp_path."""
    (tmp_path / "session.toml").write_text(demo.session_toml(), encoding="utf-8")
    demo.candidats_csv(tmp_path / "candidats.csv", 300)
    return tmp_path


@pytest.fixture
def empty_day(demo_files, clock):
    """The demo session, no candidat yet."""
    d = ExamDay(demo_files / "salle.db", clock)
    d.load_session((demo_files / "session.toml").read_text(encoding="utf-8"))
    yield d
    d.close()


@pytest.fixture
def day(empty_day, demo_files):
    """The demo session with its 300 candidats."""
    import_candidats(empty_day, (demo_files / "candidats.csv").read_bytes(), "candidats.csv")
    return empty_day


@pytest.fixture
def live(day, demo_files, clock):
    """A server on the same file as `day` (which is closed first: one writer per file)."""
    day.close()
    server = LiveServer(demo_files / "salle.db", clock)
    yield server
    server.stop()




@pytest.fixture
def salle(live, clock):
    """A01 with three admitted candidats and E1 started at 09:00; now 10:00: (tablet, responsable, numéros)."""
    from salle_helpers import admit, candidats, start

    tablet, resp = live.client("surveillant"), live.client("responsable")
    numeros = candidats(live.day, "A01", 3)
    admit(tablet, "A01", numeros)
    start(clock, resp)
    clock.set(at("10:00"))
    return tablet, resp, numeros
