"""The site's links as its console shows them (issue 15): the journal published to the site's own NATS server,
the siège joined or not, in French, on the day's clock; without [reseau], nothing to show."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from salle.client import ApiError
from tests.helpers.api import admit
from tests.helpers.browser import console
from tests.helpers.day import candidats
from tests.helpers.waiting import wait_for


def links(server) -> dict:
    return server.client("responsable").get("/api/v1/reseau")


def test_a_day_without_reseau_has_no_links_to_show(live):
    assert links(live)["configure"] is False


def test_only_the_responsable_and_the_admin_read_the_links(live):
    try:
        live.client("surveillant").get("/api/v1/reseau")
    except ApiError as e:
        assert e.status == 403 and "rôle" in e.body["erreur"]["message"].lower()
    else:
        raise AssertionError("a surveillant read the site's links")


def test_publication_up_then_the_sites_nats_server_down_with_what_waits_then_back(pantin, nats_pantin, clock):
    admit(pantin.client("surveillant"), "A01", candidats(pantin.day, "A01", 3))
    up = wait_for(lambda: (lambda r: r if r["publication"]["en_attente"] == 0 else None)(links(pantin)), 15,
                  "everything published")
    assert up["configure"] and up["site"] == "PANTIN" and up["publication"]["connecte"]
    assert up["publication"]["publie_jusqu_a"] == pantin.day.journal.head_seq
    # no siège in this network: the other sites cannot be checked, and the console says so
    assert not up["a_jour"] and not up["siege"]["joint"]
    assert up["message"] == ("Publication : à jour. Liaison : siège jamais joint depuis le démarrage : les autres "
                             "sites ne sont pas vérifiables à la porte.")
    nats_pantin.kill()
    wait_for(lambda: not links(pantin)["publication"]["connecte"], 30, "the publisher seeing its server gone")
    admit(pantin.client("surveillant"), "A01", candidats(pantin.day, "A01", 5)[3:])
    down = links(pantin)
    assert down["publication"]["en_attente"] >= 2 and down["publication"]["hors_liaison_depuis"] == "08 h 40"
    assert down["message"].startswith("Publication : serveur NATS du site injoignable depuis 08 h 40")
    assert f"{down['publication']['en_attente']} événement(s) à publier, le site continue seul" in down["message"]
    nats_pantin.start()
    back = wait_for(lambda: (lambda r: r if r["publication"]["en_attente"] == 0 and r["publication"]["connecte"]
                             else None)(links(pantin)), 60, "the backlog published")
    assert back["publication"]["hors_liaison_depuis"] is None


@pytest.mark.browser
def test_the_console_shows_the_sites_links_beside_direct_and_follows_them(pantin, nats_pantin, chromium):
    context, page = console(chromium, pantin)
    try:
        badge = page.locator("#liaison")
        expect(badge).to_have_text("Siège jamais joint")  # no siège in this network
        expect(badge).to_have_class("net off")
        assert "les autres sites ne sont pas vérifiables à la porte" in badge.get_attribute("title")
        nats_pantin.kill()
        wait_for(lambda: not links(pantin)["publication"]["connecte"], 30, "the publisher seeing its server gone")
        admit(pantin.client("surveillant"), "A01", candidats(pantin.day, "A01", 2))
        expect(badge).to_have_text(re.compile(r"^NATS du site injoignable depuis 08 h 40 — [1-9]\d* à publier$"),
                                   timeout=15_000)
        nats_pantin.start()
        expect(badge).to_have_text("Siège jamais joint", timeout=60_000)  # published again
        page.screenshot(path="docs/screenshots/console-liaison.png")
    finally:
        context.close()


@pytest.mark.browser
def test_a_day_without_reseau_shows_no_links_badge(live, chromium):
    context, page = console(chromium, live)
    try:
        expect(page.locator(".tile").first).to_be_visible()
        page.wait_for_timeout(500)
        expect(page.locator("#liaison")).to_be_hidden()
    finally:
        context.close()
