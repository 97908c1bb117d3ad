"""A main restarted once the doors took entries cannot tell, while it reaches neither its standby nor the site's
nats-server, whether the standby was promoted while it was down (issue 15): it takes no door command (503, the
tablet keeps it), only sign-ins, until one of the two answers — or the responsable confirms from the console that
the standby was not promoted (journaled, on the PV). Real servers, a real nats-server stopped."""

from __future__ import annotations

import json
import uuid

from playwright.sync_api import expect

from salle.client import ApiClient
from salle.pv import build_pv
from salle.ports import free_port
from tests.helpers.browser import sign_in, wedge_scan
from tests.helpers.day import CODES, candidats
from tests.helpers.pdf import pdf_text
from tests.helpers.server import LiveServer
from tests.helpers.sites import site_day, standby_copy
from tests.helpers.waiting import wait_for


def scan(client, numero):
    return client.request("POST", "/api/v1/salles/A01/scans", {"code": numero, "piece_identite": "cni",
                                                                "client_id": str(uuid.uuid4())}, check=False)


def restarted_unsure(tmp_path, nats_pantin, clock):
    """Pantin's main, its standby's address dead, one entry taken, restarted with the site's nats-server down."""
    port = free_port()
    main_db = site_day(tmp_path / "pantin", "PANTIN", nats_pantin.url, clock,
                       reseau=f'secours = "http://127.0.0.1:{port}"\n')
    main = LiveServer(main_db, clock)
    first, *others = candidats(main.day, "A01", 4)
    assert main.client("surveillant").scan("A01", first, "cni")["verdict"] == "admis"
    main.stop()
    nats_pantin.stop()
    return LiveServer(main_db, clock), port, main_db, others


def test_a_main_restarted_unsure_takes_no_entry_until_the_responsable_confirms(tmp_path, nats_pantin, clock):
    main, _, _, (second, third, _) = restarted_unsure(tmp_path, nats_pantin, clock)
    try:
        tablet = main.client("surveillant")  # a sign-in still goes through
        status, answer = scan(tablet, second)
        assert status == 503 and answer["erreur"]["code"] == "principal_incertain"
        assert "Rien n'a été enregistré" in answer["erreur"]["message"]
        assert main.day.journal.query("SELECT * FROM events WHERE type = 'scan' AND candidat = ?", [second]) == []
        assert tablet.get("/api/v1/principal")["incertain"] is True

        # the wrong person, the tired click without the box ticked, no reason: refused, nothing written
        status, answer = tablet.request("POST", "/api/v1/principal/confirmation", {"confirme": True, "motif": "x"},
                                        check=False)
        assert status == 403
        responsable = main.client("responsable")
        status, answer = responsable.request("POST", "/api/v1/principal/confirmation",
                                             {"confirme": False, "motif": "vu éteint"}, check=False)
        assert status == 409 and answer["erreur"]["code"] == "confirmation_manquante"
        status, answer = responsable.request("POST", "/api/v1/principal/confirmation", {"confirme": True},
                                             check=False)
        assert status == 400 and answer["erreur"]["code"] == "motif_requis"
        assert main.day.journal.query("SELECT * FROM events WHERE type = 'principal_confirme'") == []

        answer = responsable.post("/api/v1/principal/confirmation",
                                  {"confirme": True, "motif": "Le portable de secours est éteint dans son sac."})
        assert answer["verdict"] == "principal_confirme"
        (event,) = main.day.journal.query("SELECT * FROM events WHERE type = 'principal_confirme'")
        assert json.loads(event["payload"])["motif"] == "Le portable de secours est éteint dans son sac."
        assert event["actor"] == "P002"
        assert tablet.get("/api/v1/principal")["incertain"] is False
        assert scan(tablet, second)[1]["verdict"] == "admis"
        status, answer = responsable.request("POST", "/api/v1/principal/confirmation",
                                             {"confirme": True, "motif": "encore"}, check=False)
        assert status == 409 and answer["erreur"]["code"] == "rien_a_confirmer"
    finally:
        main.stop()


def test_a_main_restarted_unsure_goes_on_by_itself_once_its_standby_says_it_was_not_promoted(tmp_path, nats_pantin,
                                                                                             clock):
    main, port, main_db, (second, _, _) = restarted_unsure(tmp_path, nats_pantin, clock)
    standby = None
    try:
        tablet = main.client("surveillant")
        assert scan(tablet, second)[0] == 503
        standby = LiveServer(standby_copy(main_db, tmp_path / "secours"), clock,
                             config={"SECOURS": {"principal": main.url}}, port=port)  # not promoted
        wait_for(lambda: scan(tablet, second)[0] == 200, 20, "the main sure again, by itself")
        assert main.day.journal.query("SELECT * FROM events WHERE type = 'principal_confirme'") == []
    finally:
        if standby is not None:
            standby.stop()
        main.stop()


def test_a_first_start_of_the_day_is_not_held_and_a_main_without_standby_has_nothing_to_confirm(tmp_path, clock,
                                                                                               nats_pantin):
    port = free_port()
    main_db = site_day(tmp_path / "pantin", "PANTIN", nats_pantin.url, clock,
                       reseau=f'secours = "http://127.0.0.1:{port}"\n')
    nats_pantin.stop()
    main = LiveServer(main_db, clock)  # no entry yet today: nothing to fork
    try:
        (numero,) = candidats(main.day, "A01", 1)
        assert main.client("surveillant").scan("A01", numero, "cni")["verdict"] == "admis"
    finally:
        main.stop()
    alone = LiveServer(site_day(tmp_path / "alone", "PANTIN", "nats://127.0.0.1:1", clock), clock)
    try:
        client = ApiClient(alone.url)
        client.login(CODES["responsable"])
        status, answer = client.request("POST", "/api/v1/principal/confirmation", {"confirme": True, "motif": "x"},
                                        check=False)
        assert status == 404 and answer["erreur"]["code"] == "sans_secours"
    finally:
        alone.stop()


def test_the_responsable_resumes_the_entries_from_the_console_and_the_pv_says_so(tmp_path, nats_pantin, clock,
                                                                                  chromium):
    main, port, _, (second, _, _) = restarted_unsure(tmp_path, nats_pantin, clock)
    context = chromium.new_context(viewport={"width": 1366, "height": 768}, locale="fr-FR")
    try:
        page = context.new_page()
        sign_in(page, main.url, "/console", "responsable")  # a sign-in still goes through
        panel = page.locator("#incertain-panel")
        expect(panel).to_be_visible(timeout=10000)
        expect(page.locator("#incertain-texte")).to_contain_text(
            f"ne peut joindre ni le portable de secours (http://127.0.0.1:{port}) ni le serveur NATS du site")
        expect(page.locator("#secours-panel")).to_be_hidden()  # the main answers: nothing to promote from here

        page.fill("#incertain-motif", "Le portable de secours est éteint, personne ne l'a promu.")
        page.click("#incertain-form button[type=submit]")  # a tired responsable, the box not ticked
        expect(page.locator("#incertain-reponse")).to_have_text(
            "Reprise non confirmée : cochez que le portable de secours n'a pas été promu. Rien n'a changé.")
        expect(page.locator("#incertain-reponse")).to_have_class("verdict bad")
        page.screenshot(path="docs/screenshots/console-incertain.png")
        page.fill("#incertain-motif", "")
        page.check("#incertain-confirme")
        page.click("#incertain-form button[type=submit]")  # ticked, but no reason
        expect(page.locator("#incertain-reponse")).to_contain_text("Indiquez comment vous savez")
        assert main.day.journal.query("SELECT * FROM events WHERE type = 'principal_confirme'") == []

        page.fill("#incertain-motif", "Le portable de secours est éteint, personne ne l'a promu.")
        page.check("#incertain-confirme")
        page.click("#incertain-form button[type=submit]")
        expect(page.locator("#incertain-reponse")).to_contain_text("Reprise confirmée : ce serveur reprend les entrées")
        expect(panel).to_be_hidden()
        assert main.client("surveillant").scan("A01", second, "cni")["verdict"] == "admis"

        pv = pdf_text(build_pv(main.day, main.day.epreuve_for(None).code, "PANTIN"))
        assert "Reprise des entrées sur le serveur principal redémarré 08 h 40, par" in pv
        assert "motif : Le portable de secours est éteint, personne ne l'a promu." in pv
    finally:
        context.close()
        main.stop()


def test_a_tablet_keeps_its_entry_while_the_main_is_unsure_and_sends_it_once_after_the_confirmation(
        tmp_path, nats_pantin, clock, chromium):
    main, _, _, (second, _, _) = restarted_unsure(tmp_path, nats_pantin, clock)
    context = chromium.new_context(viewport={"width": 1024, "height": 768}, locale="fr-FR")
    try:
        page = context.new_page()
        sign_in(page, main.url, "/tablette", "surveillant")
        wedge_scan(page, second)
        page.click("button[data-piece=cni]")
        expect(page.locator("#v-word")).to_have_text("EN ATTENTE")
        expect(page.locator("#net")).to_have_text("Serveur indisponible — 1 action(s) en attente")
        page.wait_for_timeout(2500)  # a replay meanwhile: still held, nothing written
        assert main.day.journal.query("SELECT * FROM events WHERE type = 'scan' AND candidat = ?", [second]) == []

        main.client("responsable").post("/api/v1/principal/confirmation",
                                        {"confirme": True, "motif": "Secours éteint, vu sur place."})
        expect(page.locator("#net")).to_have_text("En ligne", timeout=15000)
        (entry,) = main.day.journal.query("SELECT * FROM events WHERE type = 'scan' AND candidat = ?", [second])
        assert json.loads(entry["payload"])["verdict"] == "admis"
    finally:
        context.close()
        main.stop()
