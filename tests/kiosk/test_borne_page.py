"""The borne as a candidat uses it, in headless Chromium: tap the on-screen keyboard, type the date of birth on
the keypad, find oneself, print, and get in with the printed barcode (R6, R26); two facts before anything is
shown and nothing left behind (R27); the idle return announced; the doors closed said on the welcome screen (R3);
portrait 1080×1920 and landscape 1920×1080; and everything that can go wrong."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pyzbar import pyzbar

from devices.printing.escpos_stream import barcode_payloads_from_escpos
from devices.symbols import render_code128
from tests.helpers.browser import BORNE_IDLE, BORNE_IDLE_SHORT as IDLE, open_borne, tap_date, tap_numero, unique_candidat
from tests.helpers.day import CODES, add_candidats, at
from tests.helpers.waiting import wait_for

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PORTRAIT, PAYSAGE = (1080, 1920), (1920, 1080)


def plain(name: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c)).upper()


def tap_name(page, name: str):
    page.tap("#choisir-nom")
    for ch in plain(name):
        page.tap(f"#ecran-nom [data-touche=\"{ch}\"]")
    page.tap("#suivant-nom")


def text(page, selector):
    return page.locator(selector).inner_text()


def recherches(live) -> int:
    return live.day.journal.one("SELECT COUNT(*) AS n FROM events WHERE type = 'recherche_borne'")["n"]


@pytest.fixture
def borne_context(chromium):
    """A touch screen of the given size (width, height), in French; closed after the test."""
    contexts = []

    def make(size):
        context = chromium.new_context(viewport={"width": size[0], "height": size[1]}, locale="fr-FR", has_touch=True)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def test_candidat_finds_prints_and_gets_in_with_the_printed_barcode(kiosk_live, page, printer):
    c = unique_candidat(kiosk_live, "A01")
    open_borne(page, kiosk_live, query=f"idle={IDLE}")  # it goes back by itself, below
    assert "Vous n'avez pas votre convocation" in text(page, "#titre-accueil")
    tap_name(page, c["nom"])
    assert page.input_value("#nom") == plain(c["nom"])
    tap_date(page, c["date_naissance"])
    page.wait_for_selector("#ecran-resultat:not([hidden])")
    assert text(page, "#carte-numero") == c["numero"] and text(page, "#carte-place") == c["place"]
    assert "bâtiment A" in text(page, "#carte-acces")
    page.tap("#imprimer")
    page.wait_for_selector("#ecran-imprime:not([hidden])")
    assert text(page, "#imprime-titre") == "Votre convocation est imprimée"
    assert text(page, "#aller-salle") == "Salle A01" and text(page, "#aller-place") == c["place"]

    payload = barcode_payloads_from_escpos(printer.data)[0]
    decoded = pyzbar.decode(render_code128(payload), symbols=[pyzbar.ZBarSymbol.CODE128])
    code = decoded[0].data.decode()
    assert code == c["numero"]
    answer = kiosk_live.client("surveillant").scan("A01", code, "cni")
    assert answer["verdict"] == "admis" and answer["enregistre"] is True

    page.wait_for_selector("#ecran-accueil:not([hidden])", timeout=IDLE * 1000 + 5000)  # back by itself
    assert page.input_value("#nom") == ""


def test_two_candidats_with_the_same_name_and_date_must_type_their_numero(day, demo_files, kiosk_live, page):
    add_candidats(kiosk_live.day, demo_files, ["ATP27-09001;N'DIAYE-BA;;Awa;07/07/1995;PANTIN;;;non;",
                                               "ATP27-09002;N'DIAYE-BA;;Aminata;07/07/1995;PANTIN;;;non;"])
    open_borne(page, kiosk_live)
    tap_name(page, "N'Diaye Ba")
    tap_date(page, "1995-07-07")
    page.wait_for_selector("#ecran-message:not([hidden])")
    assert "Plusieurs" in text(page, "#message-texte") and "Awa" not in page.content()
    page.tap("#message-numero")
    for d in "09002":
        page.tap(f"#ecran-numero [data-touche='{d}']")
    page.tap("#suivant-numero")
    assert page.input_value("#date") == "07/07/1995"  # the date typed once is kept
    page.tap("#chercher")
    page.wait_for_selector("#ecran-resultat:not([hidden])")
    assert "Aminata" in text(page, "#carte-nom")


def test_after_the_doors_closed_nothing_is_printed(kiosk_live, page, clock, printer):  # R3
    c = unique_candidat(kiosk_live, "B12")
    clock.set(at("09:05"))
    open_borne(page, kiosk_live)
    tap_numero(page, c["numero"].split("-")[1], c["date_naissance"])
    page.wait_for_selector("#ecran-message:not([hidden])")
    assert text(page, "#message-titre") == "Portes fermées"
    assert "Aucune convocation ne peut être imprimée" in text(page, "#message-texte")
    assert printer.data == b""


def test_candidat_of_the_other_site_is_told_where_to_go_and_can_print(kiosk_live, page, printer):  # R1
    c = unique_candidat(kiosk_live, "M1")
    open_borne(page, kiosk_live)
    tap_numero(page, c["numero"].split("-")[1], c["date_naissance"])
    page.wait_for_selector("#ecran-resultat:not([hidden])")
    warning = text(page, "#resultat-message")
    assert "autre site" in warning and "Maison des examens" in warning and "avenue de la Résistance" in warning
    page.tap("#imprimer")
    page.wait_for_selector("#ecran-imprime:not([hidden])")
    assert text(page, "#aller-site") == "Maison des examens"
    assert barcode_payloads_from_escpos(printer.data)[0] == c["numero"]


def test_paper_out_asks_for_staff_alerts_the_console_and_prints_when_refilled(kiosk_live, page, printer):
    c = unique_candidat(kiosk_live, "A01")
    printer.status = "paper_out"
    open_borne(page, kiosk_live)
    tap_numero(page, c["numero"].split("-")[1], c["date_naissance"])
    page.wait_for_selector("#ecran-resultat:not([hidden])")
    page.tap("#imprimer")
    page.wait_for_selector("#ecran-imprime:not([hidden])")
    assert "Plus de papier" in text(page, "#imprime-message") and "membre du personnel" in text(page, "#imprime-message")
    alerts = kiosk_live.client("responsable").get("/api/v1/sites/PANTIN/convocations-imprimees")
    assert alerts["candidats"][0]["imprimees"] == 0
    alerts = wait_for(lambda: kiosk_live.day.journal.query("SELECT kind FROM alerts"), what="console alert")
    assert [a["kind"] for a in alerts] == ["papier"]
    printer.status = "online"
    expect(page.locator("#borne")).to_have_attribute("data-impression", "imprimee", timeout=10000)  # no eval: CSP
    assert text(page, "#imprime-titre") == "Votre convocation est imprimée"
    assert barcode_payloads_from_escpos(printer.data)[0] == c["numero"]


def test_bad_input_is_refused_with_a_clear_message(kiosk_live, page):
    open_borne(page, kiosk_live)
    page.tap("#choisir-nom")
    page.tap("#suivant-nom")  # nothing typed
    assert text(page, "#erreur-nom") == "Tapez votre nom."
    page.tap("#ecran-nom .retour")

    page.tap("#choisir-numero")
    page.focus("#numero")
    page.keyboard.type("12AB")  # a physical keyboard works too
    page.keyboard.press("Enter")
    page.focus("#date")
    page.keyboard.type("01011990")
    page.keyboard.press("Enter")
    page.wait_for_selector("#ecran-message:not([hidden])")
    assert "tapez seulement les chiffres" in text(page, "#message-texte")

    page.tap("#ecran-message .retour")
    page.tap("#choisir-nom")
    page.evaluate("document.getElementById('nom').value = 'A'.repeat(200)")
    page.tap("#suivant-nom")
    tap_date(page, "1990-01-01")
    page.wait_for_selector("#ecran-message:not([hidden])")
    assert "Nom trop long" in text(page, "#message-texte")

    page.tap("#ecran-message .retour")
    scripts = page.evaluate("document.scripts.length")
    page.tap("#choisir-nom")
    page.focus("#nom")
    page.keyboard.type("<script>window.pwned=1</script><b>x</b>")
    page.tap("#suivant-nom")
    tap_date(page, "1990-01-01")
    page.wait_for_selector("#ecran-message:not([hidden])")
    assert text(page, "#message-titre") == "Convocation non trouvée"
    assert page.evaluate("document.scripts.length") == scripts
    assert page.evaluate("document.querySelector('#borne b, #borne script') === null")
    assert page.evaluate("window.pwned === undefined")


def test_a_server_that_cannot_record_sends_the_candidat_to_the_accueil(kiosk_live, page):
    """Lookups are journaled: with the disk refusing writes the server answers 503, and the borne tells the
    candidat where to go rather than repeating the staff's technical message."""
    c = unique_candidat(kiosk_live, "A01")
    open_borne(page, kiosk_live)
    conn = kiosk_live.day.journal._conn
    conn.execute("PRAGMA query_only = ON")
    try:
        tap_numero(page, c["numero"].split("-")[-1], c["date_naissance"])
        page.wait_for_selector("#ecran-message:not([hidden])")
        assert "adressez-vous au personnel de l'accueil" in text(page, "#message-texte")
        assert "disque" not in text(page, "#message-texte")
    finally:
        conn.execute("PRAGMA query_only = OFF")


def test_only_a_kiosk_code_opens_the_borne(kiosk_live, page):
    page.goto(f"{kiosk_live.url}/borne")
    for digit in CODES["surveillant"]:
        page.tap(f"#ecran-connexion [data-touche='{digit}']")
    page.tap("#valider-connexion")
    expect(page.locator("#erreur-connexion")).not_to_have_text("")  # no wait_for_function: the CSP forbids eval
    assert "n'est pas celui d'une borne" in text(page, "#erreur-connexion")
    open_borne(page, kiosk_live)
    page.reload()  # the code is asked once: the borne stays on its welcome screen
    page.wait_for_selector("#ecran-accueil:not([hidden])")
    assert page.locator(".repetition").inner_text().startswith("RÉPÉTITION")


def test_the_borne_signs_itself_in_with_the_code_the_launcher_passes(kiosk_live, page):  # issue 17
    page.goto(f"{kiosk_live.url}/borne#code={CODES['kiosk']}")
    page.wait_for_selector("#ecran-accueil:not([hidden])")
    assert "#" not in page.url and CODES["kiosk"] not in page.url  # the fragment is dropped at once
    assert kiosk_live.day.journal.one("SELECT COUNT(*) AS n FROM tokens t JOIN staff s ON s.id = t.staff_id "
                                      "WHERE s.role = 'kiosk'")["n"] == 1


# --- the date of birth on a keypad -------------------------------------------------------------------------


def stepper_taps(born: str) -> int:
    """What the steppers asked before issue 16 (day, month and year from 1 janvier 1990, ±10 for the years)."""
    year, month, day = (int(x) for x in born.split("-"))
    tens, ones = divmod(year - 1990, 10)
    return (day - 1) + (month - 1) + abs(tens) + abs(ones)


def test_the_date_takes_nine_taps_and_an_impossible_one_is_told_in_french(kiosk_live, page):
    c = unique_candidat(kiosk_live, "A01")
    open_borne(page, kiosk_live)
    tap_name(page, c["nom"])
    for digit in "3102":  # 31 février
        page.tap(f"#ecran-date [data-touche='{digit}']")
    assert page.input_value("#date") == "31/02"  # the slashes come by themselves
    for digit in "1990":
        page.tap(f"#ecran-date [data-touche='{digit}']")
    page.tap("#chercher")
    assert text(page, "#erreur-date") == "Le 31 février 1990 n'existe pas : vérifiez le jour et le mois."
    assert recherches(kiosk_live) == 0  # told on the spot: no lookup spent
    for wrong, words in (("15131990", "Le mois « 13 » n'existe pas : tapez de 01 à 12."),
                         ("01012999", "Vérifiez l'année « 2999 » : elle doit être entre 1900 et 2027."),
                         ("0101", "Tapez 8 chiffres : le jour (2), le mois (2) et l'année (4)")):
        page.fill("#date", "")
        for digit in wrong:
            page.tap(f"#ecran-date [data-touche='{digit}']")
        page.tap("#chercher")
        assert words in text(page, "#erreur-date")
    page.fill("#date", "")
    year, month, day = c["date_naissance"].split("-")
    for digit in day + month + year + "9":  # a ninth digit is not taken
        page.tap(f"#ecran-date [data-touche='{digit}']")
    page.tap("#ecran-date [data-touche='effacer']")  # ⌫ takes back the last digit, then it is typed again
    page.tap(f"#ecran-date [data-touche='{year[-1]}']")
    assert page.input_value("#date") == f"{day}/{month}/{year}"
    page.tap("#chercher")
    page.wait_for_selector("#ecran-resultat:not([hidden])")
    assert text(page, "#carte-numero") == c["numero"]
    assert len(day + month + year) + 1 <= 10  # eight digits and « Rechercher »
    print(f"date of birth {c['date_naissance']}: 9 taps, the steppers took {stepper_taps(c['date_naissance'])}")


# --- nothing of the candidat stays -------------------------------------------------------------------------


def traces(page) -> dict:
    """Everything a next person could find in the page: its whole DOM (hidden screens included), what the
    inputs hold, the storages, the history."""
    return page.evaluate("""() => ({
      dom: document.documentElement.outerHTML + document.documentElement.textContent,
      inputs: [...document.querySelectorAll("input")].map((i) => i.value).join(" | "),
      local: JSON.stringify(Object.entries(localStorage)),
      session: JSON.stringify(Object.entries(sessionStorage)),
      history: history.length, url: location.href })""")


def of_the_candidat(c) -> list[str]:
    year, month, day = c["date_naissance"].split("-")
    return [c["nom"], plain(c["nom"]), c["prenom"], c["numero"], c["numero"].split("-")[1], c["date_naissance"],
            f"{day}/{month}/{year}", f"Place : {c['place']}", f">{c['place']}<", "bâtiment A"]


@pytest.mark.parametrize("ending, size", [("imprime", PORTRAIT), ("pas_moi", PAYSAGE), ("inactivite", PORTRAIT)],
                         ids=["printed-then-terminer", "ce-n-est-pas-moi", "idle-reset"])
def test_nothing_of_the_candidat_stays_in_the_page_after_they_are_done(kiosk_live, borne_context, printer, ending,
                                                                         size):  # R27
    c = unique_candidat(kiosk_live, "A01")
    page = borne_context(size)
    open_borne(page, kiosk_live, query=f"idle={IDLE if ending == 'inactivite' else BORNE_IDLE}")
    before = traces(page)
    if ending == "imprime":
        tap_numero(page, c["numero"].split("-")[1], c["date_naissance"])
    else:
        tap_name(page, c["nom"])
        tap_date(page, c["date_naissance"])
    page.wait_for_selector("#ecran-resultat:not([hidden])")
    during = traces(page)
    assert c["prenom"] in during["dom"] and c["place"] in during["dom"]  # the check below can see them
    if ending == "imprime":
        page.tap("#imprimer")
        page.wait_for_selector("#ecran-imprime:not([hidden])")
        page.tap("#terminer")
    elif ending == "pas_moi":
        page.tap("#pas-moi")
    page.wait_for_selector("#ecran-accueil:not([hidden])", timeout=IDLE * 1000 + 5000)
    after = traces(page)
    for trace in of_the_candidat(c):
        for where in ("dom", "inputs", "local", "session", "url"):
            assert trace not in after[where], (ending, trace, where)
    assert after["session"] == "[]" and json.loads(after["local"]) == json.loads(before["local"])  # the token only
    assert after["history"] == before["history"] and after["url"] == before["url"]
    assert page.get_attribute("#borne", "data-impression") is None


# --- the idle return, announced ------------------------------------------------------------------------------


def test_the_idle_return_is_announced_with_a_large_continuer_button(kiosk_live, page):
    page.goto(f"{kiosk_live.url}/borne")
    assert page.get_attribute("#borne", "data-idle") == "30" and page.get_attribute("#borne", "data-avertir") == "10"
    open_borne(page, kiosk_live, query="idle=6&avertir=4")  # the same at a test's pace: 2 s quiet, then 4 s said
    page.tap("#choisir-nom")
    page.tap("#ecran-nom [data-touche='A']")
    warning = page.locator("#avertissement")
    expect(warning).to_be_visible(timeout=5000)
    assert "Retour à l'accueil dans" in warning.inner_text()
    assert text(page, "#avertissement-compte") in {"4", "3", "2"}
    box = page.locator("#continuer").bounding_box()
    assert box["height"] >= 150 and box["width"] >= 400  # large: a hand finds it at once
    page.tap("#continuer")
    expect(warning).to_be_hidden()
    assert page.is_visible("#ecran-nom") and page.input_value("#nom") == "A"  # nothing lost
    expect(warning).to_be_visible(timeout=5000)  # still idle: said again, then back to the welcome screen
    page.wait_for_selector("#ecran-accueil:not([hidden])", timeout=8000)
    expect(warning).to_be_hidden()
    assert page.input_value("#nom") == ""


# --- after the doors close ----------------------------------------------------------------------------------


def test_after_the_doors_close_the_welcome_screen_says_so_instead_of_inviting(kiosk_live, page, clock):  # R3
    open_borne(page, kiosk_live)
    expect(page.locator("#choisir-nom")).to_be_visible()
    clock.set(at("09:05"))  # the morning's doors closed, the afternoon's épreuve still to come: printable
    page.reload()
    expect(page.locator("#choisir-nom")).to_be_visible()
    clock.set(at("14:00:01"))  # every épreuve of today closed at this site
    page.reload()
    expect(page.locator("#accueil-ferme")).to_be_visible()
    assert text(page, "#titre-ferme") == "Les portes sont fermées"
    assert "aucune convocation ne peut plus être imprimée" in text(page, "#accueil-message")
    assert not page.is_visible("#choisir-nom") and not page.is_visible("#choisir-numero")
    assert page.get_attribute("#borne", "data-accueil") == "portes_fermees"


# --- the screen used, portrait and landscape ---------------------------------------------------------------

LAYOUT = """(name) => {
  const screen = document.getElementById("ecran-" + name);
  const W = innerWidth, H = innerHeight;
  const visible = (e) => { const r = e.getBoundingClientRect(), s = getComputedStyle(e);
    return r.width > 0 && r.height > 0 && s.visibility !== "hidden" && s.display !== "none"; };
  const boxes = [...screen.querySelectorAll("h1, p, label, input, button, .carte")].filter(visible)
    .map((e) => e.getBoundingClientRect());
  const small = [...document.querySelectorAll("button, input")].filter(visible).map((e) => e.getBoundingClientRect())
    .filter((r) => r.width < 44 || r.height < 44).length;
  const bands = boxes.map((r) => [r.top, r.bottom]).sort((a, b) => a[0] - b[0]);
  let gap = 0, reach = bands.length ? bands[0][1] : 0;
  for (const [top, bottom] of bands) { gap = Math.max(gap, top - reach); reach = Math.max(reach, bottom); }
  return { W, H, small, gap, bottom: reach, right: Math.max(...boxes.map((r) => r.right)),
           left: Math.min(...boxes.map((r) => r.left)), scroll: document.documentElement.scrollHeight > H + 1 };
}"""


@pytest.mark.parametrize("size", [PORTRAIT, PAYSAGE], ids=["portrait", "paysage"])
def test_the_borne_uses_the_whole_screen_in_portrait_and_landscape(kiosk_live, borne_context, printer, size):
    c = unique_candidat(kiosk_live, "A01")
    page = borne_context(size)
    open_borne(page, kiosk_live)
    expect(page.locator("#entete-jour")).to_contain_text("jeudi 18 mars 2027")
    assert text(page, "#entete-concours").startswith("Adjoint technique principal de 2e classe")
    name = "portrait" if size == PORTRAIT else "paysage"

    def check(screen):
        found = page.evaluate(LAYOUT, screen)
        where = f"{name}, écran {screen}: {found}"
        assert found["small"] == 0, where  # touch targets ≥ 44 px
        assert not found["scroll"], where  # everything on one screen
        assert found["bottom"] >= 0.85 * found["H"], where  # down to the bottom of the screen
        assert found["right"] - found["left"] >= 0.85 * found["W"], where  # across its width
        assert found["gap"] <= 0.25 * found["H"], where  # no empty band, let alone an empty half

    check("accueil")
    page.screenshot(path=str(SCREENSHOTS / f"borne-{name}-accueil.png"))
    page.tap("#choisir-nom")
    check("nom")
    page.tap("#ecran-nom .retour")
    page.tap("#choisir-numero")
    for d in c["numero"].split("-")[1]:
        page.tap(f"#ecran-numero [data-touche='{d}']")
    check("numero")
    page.tap("#suivant-numero")
    check("date")
    page.screenshot(path=str(SCREENSHOTS / f"borne-{name}-date.png"))
    page.tap("#chercher")
    assert "Tapez 8 chiffres" in text(page, "#erreur-date")
    check("date")
    tap_date(page, c["date_naissance"])
    page.wait_for_selector("#ecran-resultat:not([hidden])")
    check("resultat")
    page.screenshot(path=str(SCREENSHOTS / f"borne-{name}-resultat.png"))
    page.tap("#imprimer")
    page.wait_for_selector("#ecran-imprime:not([hidden])")
    check("imprime")


@pytest.mark.kiosk_config(KIOSK_PRINT_LIMIT_CANDIDAT="1/day")
def test_a_candidat_who_printed_too_often_is_sent_to_the_accueil_staff(kiosk_live, page, printer):
    c = unique_candidat(kiosk_live, "A01")
    kiosk_live.client("kiosk").post("/api/v1/kiosk/impressions", {
        "numero": c["numero"], "date_naissance": c["date_naissance"], "client_id": "borne-page-first-print"})
    size = len(printer.data)
    open_borne(page, kiosk_live)
    tap_numero(page, c["numero"].split("-")[1], c["date_naissance"])
    page.wait_for_selector("#ecran-resultat:not([hidden])")
    page.tap("#imprimer")
    page.wait_for_selector("#ecran-message:not([hidden])")
    assert text(page, "#message-titre") == "Impression impossible"
    assert text(page, "#message-texte") == ("Votre convocation a déjà été imprimée plusieurs fois aujourd'hui : "
                                            "adressez-vous au personnel de l'accueil, qui vous la remettra.")
    assert len(printer.data) == size
