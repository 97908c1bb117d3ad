"""Shared by the kiosk tests: a live server with the fake network printer, CSV rows added by import."""

from __future__ import annotations

import uuid

import pytest

from devices.printing.fake import FakeNetworkPrinter
from salle.importing import import_candidats
from support import LiveServer

FAST_PRINT = {"KIOSK_PRINT_BACKOFF": (0.05, 0.2), "KIOSK_PRINT_WAIT": 5.0, "KIOSK_PRINTER_WATCH": 0}


@pytest.fixture
def printer():
    with FakeNetworkPrinter() as fake:
        yield fake


def kiosk_config(fake: FakeNetworkPrinter, **extra) -> dict:
    return {"KIOSK_PRINTER": {"connection": "network", "host": "127.0.0.1", "port": fake.port, "timeout": 2.0},
            **FAST_PRINT, **extra}


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


def add_candidats(day, demo_files, rows: list[str]) -> None:
    """Import the demo file plus `rows` (« numero;NOM;nom naissance;Prénom;jj/mm/aaaa;SITE;;;non; »): the
    import replaces the whole list, so the demo rows come along, less the last 2 × len(rows) (every seat of
    the demo is taken; its rows alternate between the two sites)."""
    path = demo_files / "candidats.csv"
    lines = path.read_text(encoding="utf-8-sig").splitlines()[: -2 * len(rows)]
    text = "\r\n".join(lines + rows) + "\r\n"
    path.write_text(text, encoding="utf-8-sig")
    import_candidats(day, path.read_bytes(), "candidats.csv")


def cid() -> str:
    return str(uuid.uuid4())


def wait_for(predicate, timeout: float = 10.0, what: str = "condition"):
    import time

    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


_PLAYWRIGHT: dict = {}


def shared_chromium():
    """One Playwright and one Chromium per test process: the sync API refuses a second instance while one runs,
    and several test modules import the `chromium` fixture."""
    if "browser" not in _PLAYWRIGHT:
        import atexit

        from playwright.sync_api import sync_playwright

        _PLAYWRIGHT["p"] = p = sync_playwright().start()
        _PLAYWRIGHT["browser"] = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        atexit.register(lambda: (_PLAYWRIGHT["browser"].close(), p.stop()))
    return _PLAYWRIGHT["browser"]


@pytest.fixture(scope="session")
def chromium():
    yield shared_chromium()


@pytest.fixture
def page(chromium):
    context = chromium.new_context(viewport={"width": 1280, "height": 1024}, has_touch=True)
    page = context.new_page()
    yield page
    context.close()
