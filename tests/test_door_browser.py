"""The salle door at a real pace, in headless Chromium with real key events: a scan always wins over a question
left open, Enter from the scanner never activates a button, nothing is recorded without a deliberate tap, and
no scan disappears without a trace (« non enregistré » in the tablet's journal)."""

from __future__ import annotations

import json
import random
import time
from contextlib import contextmanager

import pytest
from playwright.sync_api import expect

from kiosk_support import chromium  # noqa: F401 (one Playwright per session: the shared fixture)
from support import WedgeScanner, at
from test_salle_browser import sign_in

pytestmark = pytest.mark.browser

TAP = """([piece]) => {  // a finger on a document button: what the question showed at that instant, and the tap
    const box = document.getElementById("pieces");
    const button = box.querySelector(`button[data-piece="${piece}"]`);
    const seen = {code: box.hidden ? null : box.dataset.code, armed: !box.hidden && !button.disabled};
    button.click();
    return seen;
}"""


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


@pytest.fixture
def tablet(live, chromium):
    with signed_in_tablet(live, chromium) as page:
        yield page


def scanner(page, code: str, end: str | None = "Enter", prefix: str = "", gap: float = 0.005):
    """A keyboard-wedge scanner: real key events, 5 ms apart by its clock, into whatever has the focus."""
    WedgeScanner(page, gap).scan(code, end, prefix)


def a01(day, n: int) -> list[str]:
    rows = day.journal.query("SELECT numero FROM candidats WHERE salle = 'A01' AND pieces_manquantes = '' "
                             "ORDER BY numero LIMIT ?", [n])
    assert len(rows) == n
    return [r["numero"] for r in rows]


def scans(day) -> dict[str, str]:
    """Recorded admissions: numéro → identity document."""
    rows = day.journal.query("SELECT candidat, payload FROM events WHERE type = 'scan'")
    return {r["candidat"]: json.loads(r["payload"]).get("piece_identite") for r in rows}


def event_count(day) -> int:
    return day.journal.one("SELECT COUNT(*) AS n FROM events")["n"]


def test_a_scan_while_the_identity_question_is_open_is_handled_and_the_first_left_unrecorded(live, tablet):
    first, second = a01(live.day, 2)
    before = event_count(live.day)
    scanner(tablet, first)
    expect(tablet.locator("#pieces")).to_be_visible()
    expect(tablet.locator("#pieces")).to_have_attribute("data-code", first)
    assert tablet.evaluate("document.activeElement.id") == "scan"  # no document button takes the scanner's keys
    scanner(tablet, second)  # at once: its Enter must not press « CNI » for the first
    expect(tablet.locator("#pieces")).to_have_attribute("data-code", second)
    lost = tablet.locator("#log li.j-lost")
    expect(lost).to_have_count(1)
    expect(lost).to_contain_text("non enregistré")
    assert event_count(live.day) == before  # nothing recorded for either yet
    expect(tablet.locator("button[data-piece=passeport]")).to_be_enabled()
    tablet.click("button[data-piece=passeport]")
    expect(tablet.locator("#v-word")).to_have_text("ADMIS")
    assert scans(live.day) == {second: "passeport"}

    lost.locator("button", has_text="Reprendre").click()  # back to the first, deliberately
    expect(tablet.locator("#pieces")).to_have_attribute("data-code", first)
    expect(tablet.locator("button[data-piece=cni]")).to_be_enabled()
    tablet.click("button[data-piece=cni]")
    expect(tablet.locator(f"#candidats tr:has-text('{first}')")).to_contain_text("présent")
    assert scans(live.day) == {second: "passeport", first: "cni"}


def test_enter_from_the_scanner_never_activates_the_focused_button(live, tablet):
    (numero,) = a01(live.day, 1)
    before = event_count(live.day)
    scanner(tablet, numero)
    expect(tablet.locator("button[data-piece=cni]")).to_be_enabled()
    tablet.focus("button[data-piece=cni]")  # a keyboard user left the focus on « CNI »
    scanner(tablet, numero)  # the same convocation read again: its question stays, nothing pressed
    tablet.wait_for_timeout(300)
    assert event_count(live.day) == before
    expect(tablet.locator("#pieces")).to_have_attribute("data-code", numero)
    tablet.focus("#logout")
    (other,) = [n for n in a01(live.day, 2) if n != numero]
    scanner(tablet, other)
    expect(tablet.locator("#pieces")).to_have_attribute("data-code", other)
    assert tablet.evaluate("localStorage.getItem('salle.token')") is not None  # « Se déconnecter » not pressed
    assert event_count(live.day) == before and tablet.locator("#scan").input_value() == ""


@pytest.mark.parametrize("end", [None, "Tab"], ids=["no-terminator", "tab"])
def test_scanners_without_enter_are_told_by_their_speed(live, tablet, end):
    numero, other = a01(live.day, 2)
    tablet.click(f"#candidats tr:has-text('{other}')")
    tablet.click("#act-incident")
    tablet.fill("#inc-texte", "Bruit ")  # the surveillant is writing an incident: the scan goes elsewhere
    scanner(tablet, numero, end=end)
    expect(tablet.locator("#pieces")).to_have_attribute("data-code", numero)
    assert tablet.locator("#inc-texte").input_value() == "Bruit "
    assert tablet.locator("#scan").input_value() == ""


def test_a_scanner_sending_a_prefix_is_recognised_by_the_tablet_setting(live, tablet):
    (numero,) = a01(live.day, 1)
    tablet.fill("#d-prefixe", "]C0")  # the surveillant sets the scanner's prefix on the tablet
    tablet.select_option("#d-ecart", "100")
    tablet.click("#d-ok")
    expect(tablet.locator("#v-word")).to_have_text("DOUCHETTE")
    tablet.focus("#scan")
    scanner(tablet, numero, prefix="]C0", gap=0.06)  # a slow Bluetooth scanner sending the AIM id: only the prefix tells it
    expect(tablet.locator("#pieces")).to_have_attribute("data-code", numero)
    assert tablet.locator("#scan").input_value() == ""


def test_typing_a_name_slowly_is_still_a_search(live, tablet):
    row = live.day.journal.one("SELECT * FROM candidats WHERE salle = 'A01' ORDER BY numero LIMIT 1")
    tablet.focus("#scan")
    tablet.keyboard.type(row["nom"].lower(), delay=120)
    tablet.keyboard.press("Enter")
    expect(tablet.locator("#search-results")).to_contain_text(row["numero"])
    assert tablet.locator("#pieces").is_hidden()


def test_the_journal_survives_a_reload(live, tablet):
    first, second = a01(live.day, 2)
    scanner(tablet, first)
    expect(tablet.locator("#pieces")).to_have_attribute("data-code", first)
    scanner(tablet, second)
    expect(tablet.locator("#log li.j-lost")).to_have_count(1)
    tablet.reload()
    expect(tablet.locator("#log li.j-lost")).to_have_count(1)
    expect(tablet.locator("#log li.j-lost")).to_contain_text("non enregistré")


def test_a_burst_of_forty_scans_with_taps_skips_and_late_taps_records_exactly_what_was_tapped(live, tablet):
    """A busy door: 40 convocations scanned 0.5–2 s apart while the surveillant taps the document, skips it, or
    taps late (just after the next scan). Every recorded admission carries the document tapped on that
    candidate's question; every other scan is in the journal as « non enregistré »; nothing else is recorded."""
    rng = random.Random(20270318)
    numeros = a01(live.day, 40)
    pieces = ["cni", "passeport", "permis", "titre_sejour"]
    before = event_count(live.day)
    tapped: dict[str, str] = {}
    late: tuple[str, str] | None = None
    late_piece = None
    for numero in numeros:
        scanner(tablet, numero)
        if late:  # the finger lands just after the new scan: on whatever the question shows now
            seen = tablet.evaluate(TAP, [late[1]])
            late = None
            if seen["armed"]:  # a loaded machine took 400 ms to get here: the tap counts for the new question
                tapped[seen["code"]] = late_piece
                continue
        plan = rng.choice(["tap", "tap", "skip", "late"])
        piece = rng.choice(pieces)
        if plan == "tap":
            expect(tablet.locator("#pieces")).to_have_attribute("data-code", numero)
            expect(tablet.locator(f"button[data-piece={piece}]")).to_be_enabled()
            time.sleep(rng.uniform(0.0, 0.5))  # the surveillant looks at the document
            seen = tablet.evaluate(TAP, [piece])
            assert seen == {"code": numero, "armed": True}, (seen, tablet.locator("#v-word").inner_text(),
                                                             tablet.locator("#log").inner_text()[:600])
            tapped[numero] = piece
            time.sleep(rng.uniform(0.05, 1.1))
        elif plan == "skip":
            time.sleep(rng.uniform(0.5, 2.0))
        else:
            late, late_piece = (numero, piece), piece
            time.sleep(rng.uniform(0.5, 1.5))
    expect(tablet.locator("#net")).to_have_text("En ligne")
    deadline = time.monotonic() + 10
    while scans(live.day) != tapped and time.monotonic() < deadline:
        time.sleep(0.1)
    assert scans(live.day) == tapped
    assert event_count(live.day) == before + len(tapped)
    if not tablet.locator("#pieces").is_hidden():  # the last question, still open, is left by the next scan
        tablet.click("#pieces-cancel")
    lost = tablet.locator("#log li.j-lost")
    expect(lost).to_have_count(len(numeros) - len(tapped))
    assert {lost.nth(i).get_attribute("data-code") for i in range(lost.count())} == set(numeros) - set(tapped)
    assert all("non enregistré" in text for text in lost.all_inner_texts())


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


def test_the_candidate_card_opens_in_view_after_an_admission_and_after_a_tap_on_a_row(live, clock, tablet):
    numeros = a01(live.day, 40)
    scanner(tablet, numeros[0])
    expect(tablet.locator("button[data-piece=cni]")).to_be_enabled()
    tablet.click("button[data-piece=cni]")
    expect(tablet.locator("#sel-etat")).to_contain_text("Présent(e) depuis 08 h 40 (carte d'identité)")
    assert in_view(tablet, "#selected")
    expect(tablet.locator("#act-toilettes")).to_be_visible()
    expect(tablet.locator("#act-emarge")).to_be_disabled()  # the subject is not open yet
    expect(tablet.locator("#hint-emargement")).to_contain_text("pas commencé")

    last = numeros[-1]  # far down the list
    tablet.locator(f"#candidats tr[data-numero='{last}']").click()
    expect(tablet.locator("#sel-name")).to_contain_text(last)
    expect(tablet.locator("#sel-etat")).to_contain_text("Attendu(e)")
    expect(tablet.locator("#act-admettre")).to_be_visible()
    assert in_view(tablet, "#selected")


def test_the_list_says_each_status_in_words_and_filters(live, clock, tablet):
    first, second = a01(live.day, 2)
    live.client("surveillant").scan("A01", first, "cni")
    clock.set(at("09:05"))
    live.day.tick()
    live.client("surveillant").scan("A01", second, "cni")  # late: refused
    tablet.reload()
    expect(tablet.locator(f"#candidats tr[data-numero='{first}'] .chip")).to_have_text("présent")
    expect(tablet.locator(f"#candidats tr[data-numero='{second}'] .chip")).to_have_text("refusé")
    tablet.click("#filtres button[data-filtre=refuse]")
    expect(tablet.locator("#candidats tr")).to_have_count(1)
    tablet.click("#filtres button[data-filtre=tous]")
    expect(tablet.locator("#candidats tr")).not_to_have_count(1)


def test_the_bar_counts_down_to_the_closing_and_says_closed_at_the_second_without_a_reload(live, clock, chromium):
    clock.set(at("08:59:56"))
    with signed_in_tablet(live, chromium, (768, 1024), ready=False) as page:
        expect(page.locator("#portes")).to_contain_text("fermeture dans 0 min")
        expect(page.locator("#portes")).to_contain_text("Portes fermées depuis 09 h 00", timeout=15000)


@pytest.mark.parametrize("size", [(1024, 768), (768, 1024)], ids=["paysage", "portrait"])
def test_the_bar_the_verdict_the_scan_field_and_the_card_fit_on_the_first_screen(live, chromium, size):
    with signed_in_tablet(live, chromium, size) as page:
        (numero,) = a01(live.day, 1)
        scanner(page, numero)
        expect(page.locator("button[data-piece=cni]")).to_be_enabled()
        page.click("button[data-piece=cni]")
        expect(page.locator("#sel-etat")).to_contain_text("Présent")
        assert page.evaluate("window.scrollY") == 0
        for selector in ("header.bar", "#verdict", "#scan", "#sel-name", "#sel-etat", "#act-toilettes"):
            box = page.locator(selector).bounding_box()
            assert box["y"] >= 0 and box["y"] + box["height"] <= size[1], (selector, box)