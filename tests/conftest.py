"""Fixtures: a real SQLite file per test, the real Flask app on a real port, real clients, one headless Chromium
per test process, and the kiosk's fake network printer."""

from __future__ import annotations

from pathlib import Path

import pytest

from devices.printing.fake import FakeNetworkPrinter
from salle import demo
from salle.clock import FixedClock
from salle.day import ExamDay
from salle.importing import import_candidats
from tests.helpers.api import admit, start
from tests.helpers.browser import CHROMIUM, CHROMIUM_ARGS
from tests.helpers.day import at, candidats
from tests.helpers.orals import open_oral_day
from tests.helpers.server import LiveServer, kiosk_config


# `make test` runs four workers, a file each (`--dist loadfile`), and hands files out in collection order: the
# longest go first and the short ones fill in at the end. In collection order the nats-server and browser files
# came last and the run ended on one worker for two minutes (a fresh run: 722 s, 1,205 tests).
LONGEST_FIRST = ("tests/pages/test_tablet_door.py", "tests/kiosk/test_borne_page.py")
FOLDERS_BY_WEIGHT = ("tests/sites", "tests/pages", "tests/kiosk", "tests/after", "tests/core", "tests/api",
                     "tests/devices", "tests/rules")  # the sites' files mostly wait on nats-servers: beside browsers


def pytest_collection_modifyitems(config, items):
    def weight(item) -> tuple[int, int]:
        path = item.nodeid.split("::")[0]
        if path in LONGEST_FIRST:
            return (0, LONGEST_FIRST.index(path))
        folders = FOLDERS_BY_WEIGHT
        return (1 + next((i for i, f in enumerate(folders) if path.startswith(f + "/")), len(folders)), 0)

    items.sort(key=weight)  # stable: each file's tests stay together, in their order


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
    tablet, resp = live.client("surveillant"), live.client("responsable")
    numeros = candidats(live.day, "A01", 3)
    admit(tablet, "A01", numeros)
    start(clock, resp)
    clock.set(at("10:00"))
    return tablet, resp, numeros


@pytest.fixture
def oral_day(demo_files, clock, request):
    """The demo session with the oral O1 on 19 March (tests/helpers/orals.py) and the demo's 300 candidats; with
    @pytest.mark.amenagements(ATP27_00001="secrétaire ; salle à part"), those candidats' aménagements (R24)."""
    marker = request.node.get_closest_marker("amenagements")
    d = open_oral_day(demo_files, clock, amenagements=marker.kwargs if marker else None)
    yield d
    d.close()


@pytest.fixture
def oral_live(oral_day, demo_files, clock):
    """A server on the oral day's file."""
    oral_day.close()
    server = LiveServer(demo_files / "salle.db", clock)
    yield server
    server.stop()


@pytest.fixture
def printer():
    with FakeNetworkPrinter() as fake:
        yield fake


@pytest.fixture
def kiosk_live(day, demo_files, clock, printer, request):
    """The real server with the kiosk's printer on the fake network printer; extra config through
    @pytest.mark.kiosk_config(...)."""
    marker = request.node.get_closest_marker("kiosk_config")
    day.close()
    server = LiveServer(demo_files / "salle.db", clock, config=kiosk_config(printer, **(marker.kwargs if marker else {})))
    yield server
    printer_obj = server.app.extensions.get("kiosk.printer")
    if printer_obj:
        printer_obj.stop()
    server.stop()


class Chromium:
    """The browser, whose contexts keep no service worker unless a test asks (`service_workers="allow"`): the
    tablet's page registers one (tablette/sw.js) where it may, on localhost too, and Playwright's routes do not see
    the requests of a page a service worker controls (they fell through to the real server)."""

    def __init__(self, browser):
        self._browser = browser

    def new_context(self, **options):
        options.setdefault("service_workers", "block")
        return self._browser.new_context(**options)

    def __getattr__(self, name):
        return getattr(self._browser, name)


@pytest.fixture(scope="session")
def chromium():
    """One headless Chromium (the system's) per test process, shared by every browser test."""
    from playwright.sync_api import expect, sync_playwright

    # An expectation waits 15 s before it fails (Playwright's default: 5 s): CI's loaded machine once took
    # seconds to sign a page in. A passing expectation returns at once; only a failure waits longer.
    expect.set_options(timeout=15_000)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield Chromium(browser)
        browser.close()


@pytest.fixture
def page(chromium):
    context = chromium.new_context(viewport={"width": 1280, "height": 1024}, has_touch=True)
    page = context.new_page()
    yield page
    context.close()
