"""The responsable's console as one operations screen (issue 12), in headless Chromium against the real server:
every salle a tile above the fold at 1366×768 and 1920×1080 with the alerts beside them, counters that mean
what they say at each moment, actions shown as done, a salle's seat map, a release (R22) that lists what is
open and needs a confirmation and a reason, the jury's decision on a fraud report (R11), named downloads."""

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.helpers.api import SIGNATURE, admit, cid, emarge, start
from tests.helpers.browser import console
from tests.helpers.day import at, candidats

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
pytestmark = pytest.mark.browser




BOTTOMS = """() => [...document.querySelectorAll(".tile, #alertes .alert, nav.tabs button")].map((e) => {
  const r = e.getBoundingClientRect(); return [e.dataset.salle || e.id || "alerte", r.bottom, r.height]; })"""


def assert_above_the_fold(page, size, tiles: int) -> None:
    """Every tile, the alerts and the tabs (staff, borne, documents, morning check: one tap away), measured in one
    go (tiles are redrawn as summaries arrive)."""
    boxes = page.evaluate(BOTTOMS)
    assert len([b for b in boxes if b[0] not in ("alerte", "logout") and not b[0].startswith("tab-")]) == tiles
    assert len([b for b in boxes if b[0].startswith("tab-")]) == 4
    assert all(0 < height and bottom <= size[1] for _, bottom, height in boxes), (boxes, size)


def events(day, type_: str) -> list[dict]:
    return day.journal.query("SELECT * FROM events WHERE type = ?", [type_])


@pytest.mark.parametrize("size", [(1366, 768), (1920, 1080)], ids=["1366x768", "1920x1080"])
def test_every_salle_is_a_tile_above_the_fold_with_the_alerts_beside_it(live, clock, chromium, size):
    tablet = live.client("surveillant")
    admit(tablet, "A01", candidats(live.day, "A01", 3))
    admit(tablet, "A01", candidats(live.day, "A01", 4)[3:], piece="aucune")
    context, page = console(chromium, live, size)
    try:
        tiles = page.locator(".tile")
        expect(tiles).to_have_count(2)  # PANTIN: A01, B12
        expect(page.locator(".tile[data-salle=A01] [data-k=presents]")).to_have_text("4")
        expect(page.locator(".tile[data-salle=A01]")).to_contain_text("Pas encore arrivés 86")  # before the closing
        expect(page.locator("#strip-label")).to_have_text("Fermeture des portes dans")
        # 20 minutes before the closing, counting down in real time from the server's last word (a loaded machine
        # takes seconds to get here: 19:5x)
        expect(page.locator("#strip-time")).to_have_text(re.compile(r"^(20:00|19:[0-5]\d)$"))
        expect(page.locator("#alertes .alert")).to_have_count(1)
        expect(page.locator("#alertes")).to_contain_text("faire un contrôle d'identité spécifique")
        assert_above_the_fold(page, size, 2)
        assert page.locator("#personnel").is_hidden() and page.locator("#impressions").is_hidden()  # one tap away
        if size == (1366, 768):
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SHOTS / "console.png"), full_page=False)
    finally:
        context.close()


def test_counters_and_actions_follow_the_day(live, clock, chromium):
    tiers = live.day.journal.one("SELECT numero FROM candidats WHERE salle = 'A01' AND tiers_temps = 1 "
                                 "AND pieces_manquantes = '' ORDER BY numero")["numero"]
    admit(live.client("surveillant"), "A01", [tiers])  # a tiers-temps present: the strip counts to its end too
    context, page = console(chromium, live)
    try:
        expect(page.locator("#close-now")).to_be_visible()
        page.click("#start")  # the ouverture des sujets before the closing: recorded, then shown as done
        expect(page.locator("#start-done")).to_have_text("Sujets ouverts à 08 h 40")
        expect(page.locator("#start")).to_be_hidden()
        expect(page.locator("#message")).to_contain_text("Ouverture des sujets enregistrée")
        clock.set(at("09:00:01"))
        live.tick()
        page.reload()
        expect(page.locator("#net")).to_have_text("Direct")
        expect(page.locator("#doors-done")).to_have_text("Portes fermées à 09 h 00")
        expect(page.locator("#close-now")).to_be_hidden()
        expect(page.locator(".tile[data-salle=A01]")).to_contain_text("Absents 89")
        expect(page.locator("#strip-label")).to_have_text("Fin de l'épreuve dans")
        clock.set(at("11:30"))
        page.reload()
        expect(page.locator("#strip-label")).to_have_text("Quinze dernières minutes — fin dans")
        # the page's clock runs on from the server's time: a slow sitting may already show 9:59 or less
        expect(page.locator("#strip-time")).to_have_text(re.compile(r"^(10:00|9:[0-5]\d)$"))
        # the site's tiers-temps (a third more: 60 min after an épreuve of 3 h) go on after the end (R24)
        expect(page.locator("#countdown")).to_contain_text("tiers-temps jusqu'à 12 h 40")
        clock.set(at("11:50"))
        page.reload()
        expect(page.locator("#strip-label")).to_have_text("Fin des tiers-temps dans")
        expect(page.locator("#strip-time")).to_have_text(re.compile(r"^(50:00|49:[0-5]\d)$"))
        expect(page.locator("#strip")).not_to_have_class(re.compile("last15"))
        clock.set(at("12:30"))
        page.reload()
        expect(page.locator("#strip-time")).to_have_text(re.compile(r"^(10:00|9:[0-5]\d)$"))
        expect(page.locator("#strip")).to_have_class(re.compile("last15"))
        clock.set(at("12:40:01"))
        page.reload()
        expect(page.locator("#strip-label")).to_have_text("Épreuve terminée — ramassage, recomptage, libération")
    finally:
        context.close()


def test_a_salle_opens_with_its_seat_map_refused_apart_from_absent(live, clock, chromium):
    tablet = live.client("surveillant")
    first, late = candidats(live.day, "A01", 2)
    admit(tablet, "A01", [first])
    clock.set(at("09:01"))
    live.tick()
    assert tablet.scan("A01", late, "cni")["verdict"] == "portes_fermees"
    context, page = console(chromium, live)
    try:
        page.click(".tile[data-salle=A01]")
        expect(page.locator("#salle-view")).to_be_visible()
        names = {r["numero"]: r for r in live.day.journal.query("SELECT * FROM candidats WHERE salle = 'A01'")}
        refused = page.locator(f".seat[data-place='{names[late]['place']}']")
        expect(refused).to_have_class("seat refuse")
        expect(page.locator(".seat.absent").first).to_be_visible()
        page.locator(f".seat[data-place='{names[first]['place']}']").click()
        expect(page.locator("#seat-info")).to_contain_text(f"{names[first]['nom'].upper()} {names[first]['prenom']}")
        expect(page.locator(".legend")).to_contain_text("refusé")
        focused = page.locator(f".seat[data-place='{names[first]['place']}']")
        focused.focus()
        (other,) = [n for n in candidats(live.day, "A01", 3) if n not in (first, late)]
        page.evaluate("() => { document.querySelector('#sv-seats .seats').dataset.same = 'oui'; }")
        assert tablet.scan("A01", other, "cni")["verdict"] == "portes_fermees"  # the opened map follows, in place
        expect(page.locator(f".seat[data-place='{names[other]['place']}']")).to_have_class("seat refuse")
        expect(page.locator("#sv-seats .seats[data-same=oui]")).to_have_count(1)
        expect(focused).to_be_focused()
        page.click("#sv-close")
        expect(page.locator("#salle-view")).to_be_hidden()
    finally:
        context.close()


def test_release_with_open_items_needs_a_confirmation_and_a_reason_R21_R22(live, clock, chromium):
    tablet, resp = live.client("surveillant"), live.client("responsable")
    numeros = candidats(live.day, "A01", 3)
    admit(tablet, "A01", numeros)
    start(clock, resp)
    clock.set(at("10:00"))
    emarge(tablet, "A01", numeros[0], copies=2)
    emarge(tablet, "A01", numeros[1], copies=1)
    clock.set(at("12:00"))
    context, page = console(chromium, live)
    try:
        page.click(".tile[data-salle=A01]")
        expect(page.locator("#fin-body")).to_contain_text("Présents sans émargement : 1")
        page.fill("#recount", "3")
        page.click("#recount-btn")
        expect(page.locator("#sv-message")).to_contain_text("Recomptage")
        expect(page.locator("#recount-btn")).to_have_text("Corriger le recomptage")
        page.click("#release-btn")
        missing = live.day.journal.one("SELECT nom FROM candidats WHERE numero = ?", [numeros[2]])["nom"].upper()
        expect(page.locator("#release-items")).to_contain_text(missing)
        expect(page.locator("#release-question")).to_contain_text("1 point(s) non résolu(s)")
        page.click("#release-ok")  # no reason given
        expect(page.locator("#sv-message")).to_contain_text("Indiquez le motif")
        assert events(live.day, "liberation") == []
        page.fill("#release-motif", "Candidat parti sans émarger, signalé au jury")
        page.click("#release-ok")
        expect(page.locator("#release-done")).to_have_text("Salle libérée à 12 h 00")
        expect(page.locator("#release-btn")).to_be_hidden()
        expect(page.locator("#sv-message")).to_contain_text("Salle libérée")  # where the action was taken
        (event,) = events(live.day, "liberation")
        assert json.loads(event["payload"])["motif"] == "Candidat parti sans émarger, signalé au jury"
        page.click("#sv-close")
        expect(page.locator(".tile[data-salle=A01]")).to_contain_text("Libérée à 12 h 00")
    finally:
        context.close()


def test_the_jury_decision_on_a_fraud_report_is_recorded_from_the_alert_R11(live, clock, chromium, salle):
    tablet, resp, numeros = salle
    tablet.post("/api/v1/salles/A01/incidents", {"type": "fraude", "numero": numeros[0], "texte": "Téléphone",
                                                 "heure_faits": "09:55", "contresignature": SIGNATURE,
                                                 "client_id": cid()})
    context, page = console(chromium, live)
    try:
        alert = page.locator("#alertes .alert")
        expect(alert).to_contain_text("Suspicion de fraude : consigner la décision du jury")
        alert.locator("input").fill("Mme Claire Martin, présidente du jury")
        alert.get_by_role("button", name="Exclure le candidat").click()
        expect(page.locator("#alertes")).to_contain_text("Aucune alerte ouverte", timeout=10000)
        row = live.day.journal.one("SELECT * FROM decisions_fraude")
        assert row["exclusion"] == 1 and row["decide_par"] == "Mme Claire Martin, présidente du jury"
    finally:
        context.close()


def test_a_resolution_being_typed_keeps_its_focus_and_text_when_another_alert_arrives_R5(live, clock, chromium):
    tablet = live.client("surveillant")
    first, second, third = candidats(live.day, "A01", 3)
    admit(tablet, "A01", [first], piece="aucune")
    context, page = console(chromium, live)
    try:
        alerts = page.locator("#alertes .alert")
        expect(alerts).to_have_count(1)
        name = live.day.journal.one("SELECT nom FROM candidats WHERE numero = ?", [first])["nom"].upper()
        # written for the responsable: what to do, who, where; the button says what it records
        expect(alerts.first).to_contain_text(f"Contrôle d'identité spécifique à faire : {name}")
        expect(alerts.first).not_to_contain_text("responsable")
        expect(alerts.first.get_by_role("button", name="Consigner le contrôle")).to_be_visible()
        field = alerts.first.locator("input")
        field.click()
        page.keyboard.type("Questions d'état civil")
        admit(tablet, "A01", [second], piece="aucune")  # a new alert while the responsable types
        expect(alerts).to_have_count(2)
        expect(field).to_be_focused()
        page.keyboard.type(", signature comparée")
        expect(field).to_have_value("Questions d'état civil, signature comparée")
        empty = alerts.nth(1).locator("input")
        empty.click()  # a field focused before anything is typed keeps its focus too
        admit(tablet, "A01", [third], piece="aucune")
        expect(alerts).to_have_count(3)
        expect(empty).to_be_focused()
        field.press("Enter")  # Enter records what was typed, under the alert
        expect(alerts).to_have_count(2, timeout=10000)
        (done,) = events(live.day, "alerte_resolue")
        assert json.loads(done["payload"])["resolution"] == "Questions d'état civil, signature comparée"
        expect(alerts.first.locator("input")).to_have_value("")  # the others stayed as they were
    finally:
        context.close()


def test_a_tile_is_updated_in_place_not_drawn_again(live, clock, chromium):
    tablet = live.client("surveillant")
    context, page = console(chromium, live)
    try:
        expect(page.locator(".tile")).to_have_count(2)
        page.evaluate("() => { document.querySelector('.tile[data-salle=A01]').dataset.same = 'oui'; }")
        admit(tablet, "A01", candidats(live.day, "A01", 2))
        expect(page.locator(".tile[data-salle=A01] [data-k=presents]")).to_have_text("2")
        expect(page.locator(".tile[data-salle=A01]")).to_contain_text("Pas encore arrivés 88")
        expect(page.locator(".tile[data-salle=A01][data-same=oui]")).to_have_count(1)
    finally:
        context.close()


def test_release_before_the_end_says_why_and_from_when_R22(live, clock, chromium):
    tablet, resp = live.client("surveillant"), live.client("responsable")
    admit(tablet, "A01", candidats(live.day, "A01", 2))
    start(clock, resp)
    clock.set(at("10:30"))
    context, page = console(chromium, live)
    try:
        page.click(".tile[data-salle=A01]")
        when = page.locator("#release-when")
        expect(when).to_contain_text("Libération possible à partir de 12 h 00")
        expect(when).to_contain_text("signal de sortie")
        expect(when).to_contain_text("même avec un motif")
        page.click("#release-btn")
        expect(page.locator("#release-question")).to_contain_text("à partir de 12 h 00")
        expect(page.locator("#release-ok")).to_be_hidden()
        answer = resp.post("/api/v1/salles/A01/liberation",
                           {"epreuve": "E1", "motif": "Tous sortis", "client_id": cid()})
        assert (answer["ok"], answer["verdict"]) == (False, "fin_non_atteinte")
        assert answer["autorise_a_partir_de"].startswith("2027-03-18T12:00")
        assert events(live.day, "liberation") == []
    finally:
        context.close()


def test_documents_download_with_their_names(live, chromium):
    context, page = console(chromium, live)
    try:
        page.click("#tab-documents")
        with page.expect_download() as got:
            page.click("#pv")
        assert got.value.suggested_filename == "PV-E1-PANTIN-2027-03-18.pdf"
        with page.expect_download() as got:
            page.click("#csv")
        assert got.value.suggested_filename == "EMARGEMENT-E1-PANTIN-2027-03-18.csv"
        with page.expect_download() as got:
            page.click("#sheets-filled")
        assert got.value.suggested_filename == "EMARGEMENT-E1-PANTIN-REMPLIES-2027-03-18.pdf"
        with page.expect_download() as got:
            page.click("#bilan")
        assert got.value.suggested_filename == "BILAN-ATP27.pdf"
        page.click(".tile[data-salle=A01]")
        with page.expect_download() as got:
            page.click("#sheet")
        assert got.value.suggested_filename == "EMARGEMENT-A01-E1-2027-03-18.pdf"
    finally:
        context.close()


@pytest.fixture
def forty_salles(tmp_path):
    """The demo session with 38 more salles on PANTIN: 40 tiles on the responsable's console."""
    from salle import demo
    from salle.clock import FixedClock
    from salle.day import ExamDay
    from salle.importing import import_candidats
    from tests.helpers.server import LiveServer

    extra = "".join(f'[[salles]]\ncode = "S{i:02d}"\nsite = "PANTIN"\nlabel = "Salle S{i:02d}"\nrows = 8\n'
                    f"columns = 10\n\n" for i in range(1, 39))
    toml = demo.session_toml().replace("[[personnel]]", extra + "[[personnel]]", 1)
    demo.candidats_csv(tmp_path / "candidats.csv", 300)
    clock = FixedClock(at("08:40"))
    day = ExamDay(tmp_path / "salle.db", clock)
    day.load_session(toml)
    import_candidats(day, (tmp_path / "candidats.csv").read_bytes(), "candidats.csv")
    day.close()
    server = LiveServer(tmp_path / "salle.db", clock)
    yield server
    server.stop()


@pytest.mark.parametrize("size", [(1366, 768), (1920, 1080)], ids=["1366x768", "1920x1080"])
def test_forty_salles_still_fit_above_the_fold(forty_salles, chromium, size):
    context, page = console(chromium, forty_salles, size)
    try:
        expect(page.locator(".tile")).to_have_count(40)
        expect(page.locator("#salles")).to_have_class("tiles many")
        assert_above_the_fold(page, size, 40)
    finally:
        context.close()
