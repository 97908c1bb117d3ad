"""One refusal style in the pages: every command resolves to a verdict (Api.command), a rule's refusal is a 200
with `ok: false`, and a request the server could not judge (400, 409 not judged, 5xx, an unreadable answer)
resolves to `ok: false` with `http` set; the tablet, the console and the borne handle only that. The server's
answers are replaced in the browser (Playwright routes) to play each shape against the real page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.helpers.browser import console, open_borne, signed_in_tablet, tap_numero, unique_candidat

pytestmark = pytest.mark.browser

FROM = "2027-06-12T09:45:00"
NEW = {"ok": False, "verdict": "trop_tot", "message": "Pas encore.", "regle": "R17", "autorise_a_partir_de": FROM,
       "enregistre": False, "rejoue": False}


def answer_posts(page, pattern: str, status: int, body: dict | str) -> None:
    """POSTs to `pattern` get this answer; everything else goes to the real server."""
    def handle(route):
        if route.request.method != "POST":
            return route.continue_()
        if isinstance(body, str):
            return route.fulfill(status=status, body=body, content_type="text/html")
        return route.fulfill(status=status, json=body)
    page.route(pattern, handle)


COMMAND = """async ([path]) => Api.command("POST", path, { client_id: Api.uuid() })"""
TEXT = """async ([path]) => Api.errorText(await Api.command("POST", path, { client_id: Api.uuid() }))"""


@pytest.mark.parametrize("status, body, expected, text", [
    (200, NEW, NEW, "Pas encore."),
    (200, {"ok": True, "verdict": "admis", "enregistre": True}, {"ok": True, "verdict": "admis", "enregistre": True},
     None),
    (409, {"erreur": {"code": "pas_de_session", "message": "Aucune session."}},
     {"ok": False, "verdict": "pas_de_session", "message": "Aucune session.", "http": 409}, "Aucune session."),
    (400, {"erreur": {"code": "requete_invalide", "message": "Numéro manquant."}},
     {"ok": False, "verdict": "requete_invalide", "message": "Numéro manquant.", "http": 400}, "Numéro manquant."),
    (503, {"erreur": {"code": "journal_indisponible", "message": "Réessayez."}},
     {"ok": False, "verdict": "journal_indisponible", "message": "Réessayez.", "http": 503}, "Réessayez."),
    (502, "<html>Bad Gateway</html>",
     {"ok": False, "verdict": "reponse_illisible", "message": "Réponse illisible du serveur (502).", "http": 502},
     "Réponse illisible du serveur (502)."),
], ids=["200-refusal", "200-success", "409-not-judged", "400", "503", "502-not-json"])
def test_a_command_resolves_to_one_verdict_shape(live, chromium, status, body, expected, text):
    with signed_in_tablet(live, chromium) as tablet:
        answer_posts(tablet, "**/api/v1/essai", status, body)
        verdict = tablet.evaluate(COMMAND, ["/api/v1/essai"])
        assert {k: verdict.get(k) for k in expected} == expected
        if status != 200 or not body.get("ok"):
            assert verdict["ok"] is False and verdict["enregistre"] is False
            assert tablet.evaluate(TEXT, ["/api/v1/essai"]) == text


def test_the_tablet_shows_a_refused_action_with_its_time(live, chromium):
    status, body = 200, NEW
    with signed_in_tablet(live, chromium) as tablet:
        answer_posts(tablet, "**/api/v1/salles/A01/incidents", status, body)
        tablet.locator("#candidats tr").first.click()
        tablet.click("#act-incident")
        tablet.fill("#inc-texte", "Téléphone sonné")
        tablet.click("#inc-ok")
        expect(tablet.locator("#verdict")).to_have_class("verdict bad")
        expect(tablet.locator("#v-word")).to_have_text("REFUSÉ")
        expect(tablet.locator("#v-msg")).to_have_text("Pas encore. Possible à partir de 09 h 45.")
        expect(tablet.locator("#log li").first).to_contain_text("Incident (anomalie) : Pas encore.")
        expect(tablet.locator("#log li").first).to_have_class("j-bad")


RELEASE_REFUSED = {"ok": False, "verdict": "liberation_a_confirmer", "enregistre": False,
                   "message": "Un point est apparu : indiquez le motif.",
                   "points_ouverts": [{"code": "candidats_dehors", "message": "1 candidat dehors."}]}
NOTHING_OPEN = {"epreuve": "E1", "salle": "A01", "fin": "2027-06-12T12:00:00", "copies_emargees": 0,
                "recomptage": None, "sans_emargement": [], "bloquant": [], "points_ouverts": [], "liberee_a": None}


def test_the_console_says_a_refused_release_and_reads_what_is_open_again(live, clock, chromium):
    status, body = 200, RELEASE_REFUSED
    context, page = console(chromium, live)
    try:
        fins = []
        page.route("**/api/v1/salles/A01/fin*", lambda route: (fins.append(1), route.fulfill(json=NOTHING_OPEN)))
        answer_posts(page, "**/api/v1/salles/A01/liberation", status, body)
        page.click(".tile[data-salle=A01]")
        page.click("#release-btn")
        expect(page.locator("#release-question")).to_have_text("Tout est en ordre. Donner le signal de sortie ?")
        read = len(fins)
        page.click("#release-ok")
        expect(page.locator("#sv-message")).to_have_text(RELEASE_REFUSED["message"])
        expect(page.locator("#sv-message")).to_have_class("verdict bad")
        expect(page.locator("#release-confirm")).to_be_visible()  # nothing released: the question stays
        page.wait_for_timeout(300)
        assert len(fins) > read  # the list of what is open is read again
    finally:
        context.close()


PRINT_REFUSED = {"ok": False, "verdict": "portes_fermees", "enregistre": False,
                 "message": "Les portes sont fermées : aucune convocation ne peut être imprimée."}


def test_the_borne_says_a_refused_print(kiosk_live, page, printer):
    status, body = 200, PRINT_REFUSED
    c = unique_candidat(kiosk_live, "A01")
    open_borne(page, kiosk_live)
    answer_posts(page, "**/api/v1/kiosk/impressions", status, body)
    tap_numero(page, c["numero"].split("-")[1], c["date_naissance"])
    page.wait_for_selector("#ecran-resultat:not([hidden])")
    page.tap("#imprimer")
    page.wait_for_selector("#ecran-message:not([hidden])")
    assert page.locator("#message-titre").inner_text() == "Impression impossible"
    assert page.locator("#message-texte").inner_text() == PRINT_REFUSED["message"]
    assert printer.data == b""
