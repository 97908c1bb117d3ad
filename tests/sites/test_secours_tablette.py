"""A tablet moves to the site's standby laptop by itself (issue 15): it learnt the address at sign-in, the main
dies, the standby is promoted, and the entry the tablet queued meanwhile is recorded there, once; then it works
on the standby. Headless Chromium: the tablet's own page, loaded from the main (CORS, CSP, token, queue)."""

from __future__ import annotations

import json
from contextlib import contextmanager

import pytest
from playwright.sync_api import expect

from salle.ports import free_port
from salle.client import ApiClient
from tests.helpers.browser import sign_in, wedge_scan
from tests.helpers.day import CODES, candidats
from tests.helpers.server import LiveServer
from tests.helpers.sites import site_day, standby_copy, wait_caught_up
from tests.helpers.waiting import wait_for


@contextmanager
def main_and_standby(tmp_path, nats_url: str, clock, secours: str, port: int = 0):
    """Pantin's main server, which knows `secours` as its standby's address, and its standby (on `port`) copying
    the site's stream."""
    main_db = site_day(tmp_path / "pantin", "PANTIN", nats_url, clock, reseau=f'secours = "{secours}"\n')
    copy = standby_copy(main_db, tmp_path / "secours")
    main = LiveServer(main_db, clock)
    standby = LiveServer(copy, clock, config={"SECOURS": {"principal": main.url}}, port=port)
    try:
        yield main, standby
    finally:
        standby.stop()
        main.stop()


@pytest.fixture
def site(tmp_path, nats_pantin, clock):
    port = free_port()
    with main_and_standby(tmp_path, nats_pantin.url, clock, f"http://127.0.0.1:{port}", port) as pair:
        yield pair


def scans(day, numero) -> list[dict]:
    return day.journal.query("SELECT * FROM events WHERE type = 'scan' AND candidat = ?", [numero])


def test_the_tablet_moves_to_the_promoted_standby_with_its_queue_and_works_there(site, chromium):
    main, standby = site
    context = chromium.new_context(viewport={"width": 1100, "height": 1400}, locale="fr-FR")
    try:
        page = context.new_page()
        sign_in(page, main.url, "/tablette", "surveillant")
        assert page.evaluate("localStorage.getItem('salle.secours')") == standby.url
        first, second, third, fourth = candidats(main.day, "A01", 4)
        wedge_scan(page, first)
        page.click("button[data-piece=cni]")
        expect(page.locator("#v-word")).to_have_text("ADMIS")
        responsable = main.client("responsable")
        wait_caught_up(standby, main, "the standby's copy caught up")

        main.die()  # the main laptop dies
        wedge_scan(page, second)
        expect(page.locator("#v-word")).to_have_text("HORS LIGNE")
        page.click("button[data-piece=cni]")
        expect(page.locator("#net")).to_have_text("Hors ligne — 1 action(s) en attente")
        page.wait_for_timeout(2500)  # a replay tried while the standby is not promoted: the entry stays queued
        expect(page.locator("#net")).to_have_text("Hors ligne — 1 action(s) en attente")
        assert scans(standby.day, second) == []

        answer = responsable.__class__(standby.url)
        answer.token = responsable.token
        assert answer.post("/api/v1/secours/promotion", {"confirme": True})["verdict"] == "promu"
        expect(page.locator("#net")).to_have_text("En ligne (portable de secours)", timeout=15000)
        (entry,) = scans(standby.day, second)
        assert json.loads(entry["payload"])["verdict"] == "admis"
        assert len(scans(standby.day, first)) == 1

        wedge_scan(page, third)  # and the door goes on, on the standby
        page.click("button[data-piece=cni]")
        expect(page.locator("#v-word")).to_have_text("ADMIS")
        assert len(scans(standby.day, third)) == 1

        # live again, from the standby: an entry made by another device shows in this tablet's list by itself
        wait_for(lambda: page.evaluate("!!(live && live.connected)"), 15, "the tablet's live connection, moved")
        page.evaluate("window.notReloaded = true")
        other = ApiClient(standby.url)
        other.login(CODES["surveillant"], "tablette de renfort")
        assert other.scan("A01", fourth, "cni")["verdict"] == "admis"
        expect(page.locator(f"#candidats tr[data-numero='{fourth}'] .chip")).to_have_text("présent", timeout=10_000)
        assert page.evaluate("window.notReloaded") is True
    finally:
        context.close()


def test_a_tablet_reloaded_while_the_main_is_dead_opens_from_its_copy_and_moves_with_its_queue(site, chromium):
    """The surveillant reloads the page after the main laptop died (a frozen screen, a habit): the page opens from
    the copy the tablet keeps (tablette/sw.js; localhost is a secure context, as https is on site), with its sign-in
    and its queue; once the standby is promoted the entry queued before the reload is recorded there, once."""
    main, standby = site
    context = chromium.new_context(viewport={"width": 1024, "height": 768}, locale="fr-FR", service_workers="allow")
    try:
        page = context.new_page()
        page.on("dialog", lambda dialog: dialog.accept())  # « quitter la page ? » while actions wait: yes
        sign_in(page, main.url, "/tablette", "surveillant")
        wait_for(lambda: page.evaluate("!!navigator.serviceWorker.controller"), 15, "the page kept on the tablet")
        idle = chromium.new_context(viewport={"width": 768, "height": 1024}, locale="fr-FR",
                                    service_workers="allow").new_page()
        sign_in(idle, main.url, "/tablette", "surveillant")  # a second tablet at the door, nothing queued on it
        wait_for(lambda: idle.evaluate("!!navigator.serviceWorker.controller"), 15, "the page kept on the tablet")
        first, second, third = candidats(main.day, "A01", 3)
        wedge_scan(page, first)
        page.click("button[data-piece=cni]")
        expect(page.locator("#v-word")).to_have_text("ADMIS")
        responsable = ApiClient(standby.url)
        responsable.token = main.client("responsable").token  # the standby knows it from the journal it copies
        wait_caught_up(standby, main, "the standby's copy caught up")

        main.die()
        wedge_scan(page, second)
        expect(page.locator("#v-word")).to_have_text("HORS LIGNE")
        page.click("button[data-piece=cni]")
        expect(page.locator("#net")).to_have_text("Hors ligne — 1 action(s) en attente")
        page.reload()  # the main is dead: without the copy, the browser's own error page and no queue
        expect(page.locator("#app")).to_be_visible()
        expect(page.locator("#net")).to_have_text("Hors ligne — 1 action(s) en attente")
        assert page.url.startswith(main.url)
        idle.reload()  # the other tablet too, before the promotion: it opens, and says nothing answers
        expect(idle.locator("#net")).to_have_text("Hors ligne — 0 action(s) en attente")

        assert responsable.post("/api/v1/secours/promotion", {"confirme": True})["verdict"] == "promu"
        expect(page.locator("#net")).to_have_text("En ligne (portable de secours)", timeout=15000)
        (entry,) = scans(standby.day, second)
        assert json.loads(entry["payload"])["verdict"] == "admis"
        idle.reload()  # nothing queued to move it: its first read finds the main silent and the standby promoted
        expect(idle.locator("#net")).to_have_text("En ligne (portable de secours)", timeout=15000)
        expect(idle.locator(f"#candidats tr[data-numero='{second}'] .chip")).to_have_text("présent")
        idle.context.close()

        page.reload()  # again, nothing waiting: the page opens from its copy and reads the standby
        expect(page.locator(f"#candidats tr[data-numero='{second}'] .chip")).to_have_text("présent", timeout=10_000)
        # the page is the kept copy's, yet its API requests go straight to the network, the worker never consulted
        # (the browser's static routing: a scan never waits for the worker to start)
        sources = page.evaluate("""performance.getEntriesByType("resource").filter((e) => e.name.includes("/api/"))
                                   .map((e) => e.workerMatchedSourceType)""")
        assert sources and set(sources) == {"network"}, sources
        wedge_scan(page, third)
        page.click("button[data-piece=cni]")
        expect(page.locator("#v-word")).to_have_text("ADMIS")
        assert len(scans(standby.day, third)) == 1 and len(scans(standby.day, second)) == 1
    finally:
        context.close()


def test_the_mains_pages_may_reach_the_standby_which_answers_only_the_mains_origin(site):
    import requests

    main, standby = site
    policy = requests.get(f"{main.url}/tablette", timeout=5).headers["Content-Security-Policy"]
    assert f"connect-src 'self' ws://{main.url[7:]} wss://{main.url[7:]} {standby.url} ws://{standby.url[7:]};" \
        in policy
    preflight = {"Origin": main.url, "Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "authorization, content-type"}
    answer = requests.options(f"{standby.url}/api/v1/salles/A01/scans", headers=preflight, timeout=5)
    assert answer.headers["Access-Control-Allow-Origin"] == main.url
    assert "Authorization" in answer.headers["Access-Control-Allow-Headers"]
    stranger = requests.options(f"{standby.url}/api/v1/salles/A01/scans",
                                headers={**preflight, "Origin": "http://ailleurs.example"}, timeout=5)
    assert "Access-Control-Allow-Origin" not in stranger.headers
    assert "Access-Control-Allow-Origin" not in requests.options(f"{main.url}/api/v1/salles/A01/scans",
                                                                 headers=preflight, timeout=5).headers


def test_the_responsable_promotes_the_standby_from_its_page_in_french(site, chromium, tmp_path):
    main, standby = site
    context = chromium.new_context(locale="fr-FR")
    try:
        page = context.new_page()
        page.goto(f"{standby.url}/secours")
        expect(page.locator("#etat-promu")).to_contain_text(f"En secours du site PANTIN (serveur principal : {main.url})")
        expect(page.locator("#etat-copie")).to_contain_text(", à jour.")
        page.fill("#code", CODES["surveillant"])
        page.check("#confirme")
        page.click("button[type=submit]")
        expect(page.locator("#promotion-reponse")).to_have_text(
            "Seul un responsable du site PANTIN ou un administrateur peut promouvoir le serveur de secours. "
            "Rien n'a changé.")
        page.fill("#code", CODES["responsable"])
        page.click("button[type=submit]")
        expect(page.locator("#promotion-reponse")).to_contain_text(f"Le serveur principal ({main.url}) répond encore")
        page.fill("#code", CODES["responsable"])
        page.check("#forcer")
        page.click("button[type=submit]")
        expect(page.locator("#promotion-reponse")).to_contain_text("Serveur de secours promu : il prend les entrées")
        expect(page.locator("#etat-promu")).to_contain_text("Promu par P002 à 08 h 40")
        expect(page.locator("#promotion")).to_be_hidden()
        expect(page.locator("#liens")).to_be_visible()

        expect(page.locator("#reprise")).to_be_visible()  # then the main's day file, once its disk is read
        garbage = tmp_path / "photo.db"
        garbage.write_bytes(b"\xff\xd8\xff\xe0 pas un journal" * 64)
        page.set_input_files("#journal", str(garbage))
        page.fill("#reprise-code", CODES["responsable"])
        page.click("#reprise-form button[type=submit]")
        expect(page.locator("#reprise-reponse")).to_have_text(
            "Ce fichier n'est pas un fichier du jour de Salle (le fichier .db ou .sqlite du serveur principal) : "
            "rien n'a été repris.")
        expect(page.locator("#reprise-reponse")).to_have_class("verdict bad")
        page.set_input_files("#journal", str(main.day.db_path))
        page.fill("#reprise-code", CODES["responsable"])
        page.click("#reprise-form button[type=submit]")
        expect(page.locator("#reprise-reponse")).to_contain_text("Rien à reprendre : ce journal a déjà tout")
        page.screenshot(path=str(tmp_path / "secours.png"), full_page=True)
    finally:
        context.close()


def test_a_main_that_still_answers_after_a_forced_promotion_stops_taking_entries_and_the_tablet_moves(site):
    from tests.helpers.sites import QueueingTablet

    main, standby = site
    first, second, probe = candidats(main.day, "A01", 3)
    tablet = QueueingTablet(main.url, standby.url, main.client("surveillant").token, "A01")
    tablet.scan(first)
    responsable = main.client("responsable")
    wait_caught_up(standby, main, "the standby's copy caught up")
    promoter = responsable.__class__(standby.url)
    promoter.token = responsable.token
    assert promoter.post("/api/v1/secours/promotion", {"confirme": True, "forcer": True})["verdict"] == "promu"
    fenced = main.client()
    fenced.token = tablet.token

    def refused():
        status, answer = fenced.request("POST", "/api/v1/salles/A01/scans", {
            "code": probe, "client_id": "sonde-cloture", "piece_identite": "cni"}, check=False)
        return status == 503 and answer

    answer = wait_for(refused, 15, "the main fenced")
    assert answer["erreur"]["code"] == "secours_promu" and "ne prend plus les entrées" in answer["erreur"]["message"]
    tablet.scan(second)
    assert tablet.base == standby.url and not tablet.queue
    assert len(scans(standby.day, second)) == 1 and scans(main.day, second) == []


def test_the_responsable_promotes_the_standby_from_the_mains_console_once_the_main_is_silent(site, chromium):
    main, standby = site
    context = chromium.new_context(viewport={"width": 1366, "height": 768}, locale="fr-FR")
    try:
        page = context.new_page()
        sign_in(page, main.url, "/console", "responsable")
        expect(page.locator("#net")).to_have_text("Direct")
        panel = page.locator("#secours-panel")
        page.wait_for_timeout(3500)  # one look at the main: it answers, nothing is offered
        expect(panel).to_be_hidden()

        main.stop()  # the main laptop dies
        expect(panel).to_be_visible(timeout=10000)
        expect(page.locator("#net")).to_have_text("Serveur principal injoignable")
        expect(page.locator("#secours-lost")).to_contain_text(
            f"Le serveur principal ne répond plus depuis 08\u00a0h\u00a040. S'il est arrêté ou injoignable, "
            f"promouvez le portable de secours ({standby.url})")
        page.click("#secours-form button[type=submit]")  # a tired responsable, without the confirmation
        expect(page.locator("#secours-reponse")).to_have_text(
            "Promotion non confirmée : cochez la confirmation. Rien n'a changé.")
        expect(page.locator("#secours-reponse")).to_have_class("verdict bad")
        assert not standby.client().get("/api/v1/secours")["promu"]
        page.screenshot(path="docs/screenshots/console-secours.png")

        page.check("#secours-confirme")
        page.click("#secours-form button[type=submit]")
        expect(page.locator("#secours-reponse")).to_contain_text("Serveur de secours promu : il prend les entrées")
        expect(page.locator("#net")).to_have_text("Direct (portable de secours)", timeout=10000)
        expect(panel).to_be_hidden(timeout=10000)
        promoted = standby.day.journal.query("SELECT actor, payload FROM events WHERE type = 'secours_promu'")
        assert len(promoted) == 1 and promoted[0]["actor"] == "P002", "journaled once, as the responsable"
        assert not json.loads(promoted[0]["payload"])["force"]
        expect(page.locator("#salles")).to_contain_text("A01")  # the console reads the standby's state
    finally:
        context.close()


def test_a_main_that_cannot_reach_its_standby_is_fenced_by_the_promotion_in_the_sites_stream(tmp_path, nats_pantin,
                                                                                              clock):
    """The laptops' own link is cut (here: the main knows a wrong address for its standby); both still reach the
    site's nats-server. The standby, forced, publishes its promotion there, and that is what fences the main."""
    nobody = f"http://127.0.0.1:{free_port()}"  # the main's address for its standby: nobody answers there
    with main_and_standby(tmp_path, nats_pantin.url, clock, nobody) as (main, standby):
        first, probe = candidats(main.day, "A01", 2)
        tablet, responsable = main.client("surveillant"), main.client("responsable")
        tablet.scan("A01", first, "cni")
        wait_caught_up(standby, main, "the standby's copy caught up")
        promoter = ApiClient(standby.url)
        promoter.token = responsable.token
        assert promoter.post("/api/v1/secours/promotion", {"confirme": True, "forcer": True})["verdict"] == "promu"

        fence = main.app.extensions["salle.veille_secours"]
        wait_for(lambda: fence.promotion is not None, 20, "the main fenced through the stream")
        status, answer = tablet.request("POST", "/api/v1/salles/A01/scans", {
            "code": probe, "client_id": "sonde-cloture", "piece_identite": "cni"}, check=False)
        assert status == 503 and answer["erreur"]["code"] == "secours_promu", answer
        assert "a été promu à 08 h 40 : ce serveur ne prend plus les entrées" in answer["erreur"]["message"]
        assert scans(main.day, probe) == [], "nothing recorded on the main's fork"
