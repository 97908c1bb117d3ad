"""The tablet and the console in headless Chromium against the real server: scan + ID, toilets, a refused exit,
an émargement drawn with the mouse, the console updating live, and a tablet that goes offline and comes back."""

import json
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.helpers.api import cid
from tests.helpers.browser import sign_in, wedge_scan
from tests.helpers.day import at, candidats

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
pytestmark = pytest.mark.browser


@pytest.fixture
def context(chromium):
    ctx = chromium.new_context(viewport={"width": 1100, "height": 1400}, locale="fr-FR")
    yield ctx
    ctx.close()


def events(day, type_, numero=None) -> list[dict]:
    sql, params = "SELECT * FROM events WHERE type = ?", [type_]
    if numero:
        sql, params = sql + " AND candidat = ?", [*params, numero]
    return day.journal.query(sql, params)


def test_tablet_scan_id_toilets_refused_exit_and_drawn_emargement(live, clock, context):
    page = context.new_page()
    sign_in(page, live.url, "/tablette", "surveillant")
    expect(page.locator("#salle-name")).to_have_text("Salle A01")
    expect(page.locator(".rep")).to_be_visible()
    numero = candidats(live.day, "A01", 1)[0]
    wedge_scan(page, numero)
    expect(page.locator("#v-word")).to_have_text("VÉRIFIER L'IDENTITÉ")
    page.click("button[data-piece=cni]")
    expect(page.locator("#v-word")).to_have_text("ADMIS")
    assert len(events(live.day, "scan", numero)) == 1
    assert json.loads(events(live.day, "scan", numero)[0]["payload"])["piece_identite"] == "cni"

    clock.set(at("09:00"))
    live.client("responsable").post("/api/v1/epreuves/E1/sites/PANTIN/debut", {"client_id": cid()})
    clock.set(at("09:30"))
    page.click(f"#candidats tr:has-text('{numero}')")
    page.click("#act-toilettes")
    expect(page.locator("#v-word")).to_have_text("TOILETTES")
    expect(page.locator("#dehors")).to_contain_text("Paul Surveillant")
    page.click("#dehors button")
    expect(page.locator("#v-word")).to_have_text("RETOUR")
    expect(page.locator("#act-sortie")).to_be_disabled()  # R16: the card says why before anyone taps
    expect(page.locator("#hint-sortie")).to_contain_text("remise de la copie")
    assert events(live.day, "sortie", numero) == []

    page.click("#act-emarge")
    page.fill("#copies", "2")
    box = page.locator("#sign").bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + 100)
    page.mouse.down()
    for i in range(1, 15):
        page.mouse.move(box["x"] + 20 + i * 15, box["y"] + 100 + (i % 3) * 12)
    page.mouse.up()
    page.click("#em-ok")
    expect(page.locator("#v-word")).to_have_text("ÉMARGÉ")
    payload = json.loads(events(live.day, "emargement", numero)[0]["payload"])
    assert payload["copies"] == 2 and len(payload["signature"][0]) >= 10
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(SHOTS / "tablette.png"), full_page=False)


def test_slow_typing_is_a_search_not_a_scan(live, context):
    page = context.new_page()
    sign_in(page, live.url, "/tablette", "surveillant")
    row = live.day.journal.one("SELECT * FROM candidats WHERE salle = 'A01' ORDER BY numero LIMIT 1")
    page.focus("#scan")
    page.keyboard.type(row["nom"].lower(), delay=120)  # a person typing
    page.keyboard.press("Enter")
    expect(page.locator("#search-results")).to_contain_text(row["numero"])
    assert events(live.day, "scan") == []
    page.click(f"#search-results li:has-text('{row['numero']}') button")
    expect(page.locator("#v-word")).to_have_text("VÉRIFIER L'IDENTITÉ")


def test_console_updates_live_without_reload(live, clock, context):
    page = context.new_page()
    sign_in(page, live.url, "/console", "responsable")
    expect(page.locator("#net")).to_have_text("Direct")  # live connection up and state loaded
    a01 = page.locator("section[data-salle=A01]")
    expect(a01.locator("[data-k=presents]")).to_have_text("0")
    expect(page.locator("#countdown")).to_contain_text("fermeture des portes à 09 h 00")
    expect(page.locator("#strip-label")).to_have_text("Fermeture des portes dans")
    tablet = live.client("surveillant")
    numeros = candidats(live.day, "A01", 3)
    for n in numeros:
        tablet.scan("A01", n, "cni")
    tablet.scan("A01", candidats(live.day, "A01", 4)[3], "aucune")
    expect(a01.locator("[data-k=presents]")).to_have_text("4")
    expect(page.locator("#alertes")).to_contain_text("sans pièce d'identité")
    page.fill("#alertes input", "Contrôle : questions d'état civil")
    page.click("#alertes button")
    expect(page.locator("#alertes")).to_contain_text("Aucune alerte ouverte")
    a01.click()  # the salle opens with its seat map (the screenshot: test_console_browser)
    expect(page.locator("#sv-seats .seat.present")).to_have_count(4)


def test_offline_tablet_queues_then_replays_nothing_lost_or_doubled(live, clock, context):
    page = context.new_page()
    sign_in(page, live.url, "/tablette", "surveillant")
    first, second, third = candidats(live.day, "A01", 3)
    wedge_scan(page, first)
    page.click("button[data-piece=cni]")
    expect(page.locator("#v-word")).to_have_text("ADMIS")
    expect(page.locator(f"#candidats tr:has-text('{first}')")).to_contain_text("présent")

    context.set_offline(True)
    for numero in (second, third):
        wedge_scan(page, numero)
        expect(page.locator("#v-word")).to_have_text("HORS LIGNE")
        page.click("button[data-piece=permis]")
    page.click(f"#candidats tr:has-text('{first}')")
    page.click("#act-toilettes")
    expect(page.locator("#net")).to_have_text("Hors ligne — 3 action(s) en attente")
    assert events(live.day, "scan", second) == [] and events(live.day, "toilettes_sortie") == []
    with page.expect_event("dialog") as asked:
        page.close(run_before_unload=True)  # a reload or a closing while actions wait: the browser asks first
    assert asked.value.type == "beforeunload"
    asked.value.dismiss()  # the surveillant says no: the page and its queue stay
    expect(page.locator("#net")).to_have_text("Hors ligne — 3 action(s) en attente")

    context.set_offline(False)
    expect(page.locator("#net")).to_have_text("En ligne", timeout=10000)
    for numero in (second, third):
        scans = events(live.day, "scan", numero)
        assert len(scans) == 1 and json.loads(scans[0]["payload"])["verdict"] == "admis"
    assert len(events(live.day, "toilettes_sortie", first)) == 1
    assert len(events(live.day, "scan", first)) == 1
    assert page.evaluate("JSON.parse(localStorage.getItem('salle.tablette.queue') || '[]').length") == 0
    with page.expect_event("close", timeout=5000):  # nothing waits: no question (one would be dismissed)
        page.close(run_before_unload=True)


def test_a_server_that_cannot_record_keeps_the_action_on_the_tablet(live, context):
    """The disk refuses writes (the writer's connection made query-only): the server answers 503, the
    tablet keeps the entry and says so, then sends it by itself once the server records again: once."""
    page = context.new_page()
    sign_in(page, live.url, "/tablette", "surveillant")
    (numero,) = candidats(live.day, "A01", 1)
    conn = live.day.journal._conn
    conn.execute("PRAGMA query_only = ON")
    try:
        wedge_scan(page, numero)  # the preview records nothing: a reader answers it
        expect(page.locator("#v-word")).to_have_text("VÉRIFIER L'IDENTITÉ")
        page.click("button[data-piece=cni]")  # the admission must be written: the server answers 503
        expect(page.locator("#net")).to_have_text("Serveur indisponible — 1 action(s) en attente")
        expect(page.locator("#v-word")).to_have_text("EN ATTENTE")
        assert events(live.day, "scan", numero) == []
    finally:
        conn.execute("PRAGMA query_only = OFF")
    expect(page.locator("#net")).to_have_text("En ligne", timeout=10000)
    scans = events(live.day, "scan", numero)
    assert len(scans) == 1 and json.loads(scans[0]["payload"])["verdict"] == "admis"


def test_an_entry_seen_offline_before_the_closing_is_admitted_when_it_reaches_the_server_after(live, clock, context):
    """R3 offline: the surveillant lets the candidat in at 08:58 by eye, the network comes back at 09:05,
    after the doors closed: the entry is admitted at 08:58 and the responsable is alerted to confirm."""
    clock.set(at("08:58"))
    page = context.new_page()
    sign_in(page, live.url, "/tablette", "surveillant")  # the tablet sets its clock by the server's
    (numero,) = candidats(live.day, "A01", 1)
    context.set_offline(True)
    wedge_scan(page, numero)
    expect(page.locator("#v-word")).to_have_text("HORS LIGNE")
    page.click("button[data-piece=cni]")
    expect(page.locator("#net")).to_have_text("Hors ligne — 1 action(s) en attente")
    (queued,) = json.loads(page.evaluate("localStorage.getItem('salle.tablette.queue')"))
    assert queued["body"]["derniere_liaison"].startswith("2027-03-18T08:58")  # the server's last word (issue 16)
    assert queued["body"]["heure_constatee"] >= queued["body"]["derniere_liaison"]
    clock.set(at("09:05"))
    live.tick()  # the doors close at 09:00 while the tablet is offline
    context.set_offline(False)
    expect(page.locator("#net")).to_have_text("En ligne", timeout=10000)
    (scan,) = events(live.day, "scan", numero)
    payload = json.loads(scan["payload"])
    assert payload["verdict"] == "admis" and payload["entre_a"].startswith("2027-03-18T08:58")
    alert = live.day.journal.one("SELECT kind FROM alerts WHERE candidat = ?", [numero])
    assert alert["kind"] == "admission_hors_ligne"


def test_the_console_signs_out_a_lost_tablet_which_goes_back_to_its_sign_in(live, chromium, context):
    tablet = context.new_page()
    sign_in(tablet, live.url, "/tablette", "surveillant")
    console_context = chromium.new_context(viewport={"width": 1400, "height": 1400}, locale="fr-FR")
    try:
        console = console_context.new_page()
        sign_in(console, live.url, "/console", "responsable")
        console.click("#tab-personnel")  # staff are one tap away, not in the way
        row = console.locator("#personnel tr", has_text="surveillant").filter(has_text="A01")
        expect(row.locator("[data-k=appareils]")).to_contain_text("1 (dernier à")
        row.locator("input").fill("Tablette oubliée dans le couloir")
        row.locator("button", has_text="Déconnecter").click()
        expect(console.locator("#personnel-message")).to_contain_text("1 appareil(s) déconnecté(s)")
        expect(row.locator("[data-k=appareils]")).to_have_text("aucun")
        expect(tablet.locator("#login-card")).to_be_visible(timeout=10000)  # cut live, then its token refused
        assert tablet.evaluate("localStorage.getItem('salle.token')") is None
        revoked = live.day.journal.query("SELECT payload FROM events WHERE type = 'jetons_revoques'")
        assert json.loads(revoked[0]["payload"])["motif"] == "Tablette oubliée dans le couloir"
    finally:
        console_context.close()


def test_signing_out_from_the_tablet_revokes_its_token(live, context):
    page = context.new_page()
    sign_in(page, live.url, "/tablette", "surveillant")
    token = page.evaluate("localStorage.getItem('salle.token')")
    page.click("#logout")
    expect(page.locator("#login-card")).to_be_visible()
    from salle.client import ApiClient, ApiError

    client = ApiClient(live.url)
    client.token = token
    with pytest.raises(ApiError) as exc:
        client.get("/api/v1/me")
    assert exc.value.status == 401


def summary_of(frame, epreuve: str, presents: int) -> bool:
    """Is this websocket frame the push of a salle's summary for `epreuve` with `presents` candidats in?"""
    if not isinstance(frame, str) or not frame.startswith('42["salle_etat"'):
        return False
    summary = json.loads(frame[2:])[1]
    return summary["epreuve"]["code"] == epreuve and summary["presents"] == presents


def test_the_console_shows_the_epreuve_picked_in_its_bar(live, clock, context):
    """Morning and afternoon épreuves: the console follows the current one by default and shows another on
    request; pushes for the épreuve not shown leave its cards alone."""
    page = context.new_page()
    sockets = []
    page.on("websocket", lambda ws: sockets.append(ws))
    sign_in(page, live.url, "/console", "responsable")
    expect(page.locator("#net")).to_have_text("Direct")
    a01 = page.locator("section[data-salle=A01]")
    tablet = live.client("surveillant")
    first, second, third = candidats(live.day, "A01", 3)
    for numero in (first, second):
        tablet.scan("A01", numero, "cni")  # E1, the current épreuve at 08:40
    expect(a01.locator("[data-k=presents]")).to_have_text("2")
    expect(page.locator("#epreuve-name")).to_contain_text("E1")
    page.select_option("#epreuve-choice", "E2")
    expect(page.locator("#epreuve-name")).to_contain_text("E2")
    expect(a01.locator("[data-k=presents]")).to_have_text("0")
    tablet.post("/api/v1/salles/A01/scans", {"code": third, "client_id": cid(), "piece_identite": "cni",
                                              "epreuve": "E2"})
    expect(a01.locator("[data-k=presents]")).to_have_text("1")
    # E1 again: its summary is pushed to the console, whose E2 card must not take it.
    with sockets[-1].expect_event("framereceived", predicate=lambda frame: summary_of(frame, "E1", 3), timeout=10_000):
        tablet.scan("A01", third, "cni")
    page.evaluate("() => new Promise((done) => setTimeout(done, 500))")  # past the console's 250 ms redraw delay
    expect(a01.locator("[data-k=presents]")).to_have_text("1")
    page.select_option("#epreuve-choice", "")
    expect(page.locator("#epreuve-name")).to_contain_text("E1")
    expect(a01.locator("[data-k=presents]")).to_have_text("3")


def test_the_organiser_switches_the_console_from_one_site_to_the_other(live, context):
    page = context.new_page()
    sign_in(page, live.url, "/console", "admin")
    expect(page.locator("#net")).to_have_text("Direct")
    expect(page.locator("section[data-salle=A01]")).to_be_visible()
    page.select_option("#site-choice", "MONTREUIL")
    expect(page.locator("section[data-salle=M1]")).to_be_visible()
    expect(page.locator("section[data-salle=A01]")).to_have_count(0)
    assert page.url.endswith("?site=MONTREUIL")
    live.client("surveillant_m1").scan("M1", candidats(live.day, "M1", 1)[0], "cni")
    expect(page.locator("section[data-salle=M1] [data-k=presents]")).to_have_text("1")


def test_the_written_tablets_card_shows_the_aids_and_the_separate_room_R24(live, demo_files, context):
    from salle.importing import import_candidats
    from tests.helpers.orals import with_amenagements

    numero = candidats(live.day, "A01", 1)[0]
    raw = with_amenagements((demo_files / "candidats.csv").read_bytes(),
                            {numero: "aide technique : ordinateur ; salle à part"})
    import_candidats(live.day, raw, "candidats.csv")
    page = context.new_page()
    sign_in(page, live.url, "/tablette", "surveillant")
    page.locator(f"#candidats tr[data-numero='{numero}']").click()
    expect(page.locator("#sel-amenagements li")).to_have_text(["Aide technique : ordinateur", "Salle à part"])
