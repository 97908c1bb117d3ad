"""Headless Chromium for the browser tests: signing in to a page, a signed-in tablet, a keyboard-wedge scanner's
real key events, and whether an element came into view. The browser itself is the `chromium` fixture
(tests/conftest.py)."""

from __future__ import annotations

import time
from contextlib import contextmanager

from playwright.sync_api import expect

from tests.helpers.day import CODES

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


def sign_in(page, url: str, path: str, role: str):
    page.goto(url + path)
    page.fill("#code", CODES[role])
    page.click("button[type=submit]")
    expect(page.locator("#app")).to_be_visible()


@contextmanager
def signed_in_tablet(live, chromium, size=(1024, 768), ready: bool = True):
    """The surveillant's tablet of A01 at `size`, signed in; with `ready`, its list is up (a surveillant scans from
    there)."""
    context = chromium.new_context(viewport={"width": size[0], "height": size[1]}, locale="fr-FR")
    try:
        page = context.new_page()
        sign_in(page, live.url, "/tablette", "surveillant")
        if ready:
            expect(page.locator("#net")).to_have_text("En ligne")
            expect(page.locator("#counts")).to_contain_text("convoqués")
        yield page
        print("wedge bursts judged:", page.evaluate("window.wedge && window.wedge.last"))
    finally:
        context.close()


def in_view(page, selector: str, timeout: float = 10.0) -> bool:
    """The top of the element comes on screen, below the sticky bar."""
    deadline = time.monotonic() + timeout
    while True:
        box = page.locator(selector).bounding_box()
        bar = page.locator("header.bar").bounding_box()
        if box and bar["height"] - 1 <= box["y"] and box["y"] + min(box["height"], 120) <= page.viewport_size["height"]:
            return True
        if time.monotonic() > deadline:
            return False
        page.wait_for_timeout(50)


class WedgeScanner:
    """A keyboard-wedge scanner at a page: real key events into whatever has the focus, stamped with the
    scanner's own clock (a key every `gap` seconds), as a USB scanner's events are stamped by the system. The
    events go through Chromium's input pipeline (Enter on a focused button presses it, characters go into the
    focused field); only their pace no longer depends on how busy the test machine is."""

    def __init__(self, page, gap: float = 0.005):
        self.cdp = page.context.new_cdp_session(page)
        self.gap = gap

    def key(self, key: str, at: float, text: str | None = None, code: str | None = None, vk: int | None = None):
        down = {"type": "keyDown" if text else "rawKeyDown", "key": key, "timestamp": at}
        if text:
            down.update(text=text, unmodifiedText=text)
        if code:
            down.update(code=code, windowsVirtualKeyCode=vk, nativeVirtualKeyCode=vk)
        self.cdp.send("Input.dispatchKeyEvent", down)
        self.cdp.send("Input.dispatchKeyEvent", {**{k: v for k, v in down.items() if k not in ("text", "unmodifiedText")},
                                                 "type": "keyUp", "timestamp": at + self.gap / 2})

    def scan(self, code: str, end: str | None = "Enter", prefix: str = "") -> None:
        t0 = time.time()
        for i, ch in enumerate(prefix + code):
            self.key(ch, t0 + i * self.gap, text=ch)
        at = t0 + len(prefix + code) * self.gap
        if end == "Enter":
            self.key("Enter", at, text="\r", code="Enter", vk=13)
        elif end == "Tab":
            self.key("Tab", at, code="Tab", vk=9)


WEDGE = """([code]) => {  // a keyboard-wedge scanner: one keydown + character per key, no pause, then Enter
    const field = document.getElementById("scan");
    field.focus();
    for (const ch of code) {
        field.dispatchEvent(new KeyboardEvent("keydown", {key: ch, bubbles: true}));
        field.value += ch;
    }
    field.dispatchEvent(new KeyboardEvent("keydown", {key: "Enter", bubbles: true, cancelable: true}));
}"""


def wedge_scan(page, code: str):
    """Playwright's own typing goes through the debugging protocol one key at a time: on a busy 2-core machine
    its gaps reach 30 ms and more, so the scanner's burst is played inside the page instead."""
    page.evaluate(WEDGE, [code])


# --- the console and the borne ---------------------------------------------------------------------------


def console(chromium, live, size=(1366, 768)):
    context = chromium.new_context(viewport={"width": size[0], "height": size[1]}, locale="fr-FR", accept_downloads=True)
    page = context.new_page()
    page.goto(live.url + "/console")
    page.fill("#code", CODES["responsable"])
    page.click("button[type=submit]")
    expect(page.locator("#net")).to_have_text("Direct")
    return context, page


# Seconds before the borne goes back to its welcome screen, in the tests: its own default (30) unless a test waits
# for that return (then 4, open_borne(…, query=f"idle={BORNE_IDLE_SHORT}")). The tests ran at 2 s, and a loaded
# machine once took longer than that between two taps: the borne went back to its welcome screen mid-entry.
BORNE_IDLE = 30
BORNE_IDLE_SHORT = 4


def open_borne(page, live, code=CODES["kiosk"], query=f"idle={BORNE_IDLE}"):
    page.goto(f"{live.url}/borne?{query}")
    for digit in code:
        page.tap(f"#ecran-connexion [data-touche='{digit}']")
    page.tap("#valider-connexion")
    page.wait_for_selector("#ecran-accueil:not([hidden])")


def tap_date(page, born: str):
    """The date of birth (« aaaa-mm-jj ») on the borne's keypad, « jj mm aaaa »: eight taps, then « Rechercher »."""
    year, month, day = born.split("-")
    for digit in day + month + year:
        page.tap(f"#ecran-date [data-touche='{digit}']")
    page.tap("#chercher")


def tap_numero(page, digits: str, born: str):
    """The borne's second way in (R27: two facts): the numéro's digits, then the date of birth."""
    page.tap("#choisir-numero")
    for d in digits:
        page.tap(f"#ecran-numero [data-touche='{d}']")
    page.tap("#suivant-numero")
    tap_date(page, born)


def unique_candidat(live, salle):
    return live.day.journal.one(
        "SELECT * FROM candidats c WHERE salle = ? AND pieces_manquantes = '' AND (SELECT COUNT(*) FROM candidats d "
        "WHERE d.nom_cle = c.nom_cle AND d.date_naissance = c.date_naissance) = 1 ORDER BY numero LIMIT 1", [salle])
