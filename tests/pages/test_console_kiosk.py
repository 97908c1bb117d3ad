"""The console's view of the accueil borne (R6, R27), in headless Chromium: how many convocations each
candidat had printed, reprints flagged, and a failed job printed again from the console once the printer is
back (issues 6 and 7)."""

import pytest
from playwright.sync_api import expect

from tests.helpers.api import cid
from tests.helpers.day import CODES, candidat_in
from tests.helpers.waiting import wait_for

pytestmark = pytest.mark.browser


@pytest.mark.kiosk_config(KIOSK_PRINT_ATTEMPTS=1, KIOSK_PRINT_WAIT=3.0)
def test_console_flags_reprints_and_prints_a_failed_job_again(kiosk_live, page, printer):
    kiosk = kiosk_live.client("kiosk")
    row = candidat_in(kiosk_live.day, "A01", pieces_manquantes="")
    twice = row["numero"]
    for _ in range(2):  # issue 16: the numéro goes with the date of birth
        assert kiosk.post("/api/v1/kiosk/impressions", {"numero": twice, "date_naissance": row["date_naissance"],
                                                        "client_id": cid()})["statut"] == "imprimee"
    printer.status = "paper_out"
    row = candidat_in(kiosk_live.day, "B12", pieces_manquantes="")
    failed = row["numero"]
    answer = kiosk.post("/api/v1/kiosk/impressions", {"numero": failed, "date_naissance": row["date_naissance"],
                                                      "client_id": cid()})
    assert answer["statut"] != "imprimee"
    wait_for(lambda: kiosk.get(f"/api/v1/kiosk/impressions/{answer['job']}")["statut"] == "echec", what="job failed")

    page.goto(kiosk_live.url + "/console")
    page.fill("#code", CODES["responsable"])
    page.click("button[type=submit]")
    expect(page.locator("#tab-borne")).to_have_text("Borne d'accueil (1 en échec)")  # the tab says a job failed
    page.click("#tab-borne")
    table = page.locator("#impressions table")
    expect(table.locator("tr", has_text=twice)).to_contain_text("RÉIMPRESSION")
    expect(table.locator("tr", has_text=twice).locator("td").nth(2)).to_have_text("2")
    row = table.locator("tr", has_text=failed)
    expect(row.locator("td").nth(2)).to_have_text("0")

    printer.status = "online"
    printer.clear()
    row.get_by_role("button", name="Réimprimer").click()
    expect(row.locator("td").nth(2)).to_have_text("1", timeout=10_000)
    assert failed.encode() in printer.data


def test_console_runs_the_morning_preflight_and_shows_its_checklist(kiosk_live, page, printer):  # issue 17
    page.goto(kiosk_live.url + "/console")
    page.fill("#code", CODES["responsable"])
    page.click("button[type=submit]")
    page.click("#tab-verification")  # one tap away, not in the way of the tabs
    panel = page.locator("#verification")
    panel.get_by_role("button", name="Vérifier le site (ticket d'essai)").click()
    result = panel.locator("#verification-resultat")
    expect(result).to_contain_text("PAS PRÊT", timeout=30_000)  # no tablet is signed in
    expect(result).to_contain_text("✘ Tablette A01 : aucune tablette connectée")
    expect(result).to_contain_text("ticket d'essai imprimé")
    assert b"2026000000" in printer.data
