"""The borne as a candidat uses it, in headless Chromium: tap the on-screen keyboard, set the date, find
oneself, print, and get in with the printed barcode (R6, R26); and everything that can go wrong."""

from __future__ import annotations

import unicodedata
from datetime import date

import pytest
from playwright.sync_api import expect
from pyzbar import pyzbar

from devices.printing.escpos_stream import barcode_payloads_from_escpos
from devices.symbols import render_code128
from support import CODES, at, candidat_in
from kiosk_support import add_candidats, chromium, kiosk_live, page, printer, wait_for  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser
IDLE = 2


def open_borne(page, live, code=CODES["kiosk"]):
    page.goto(f"{live.url}/borne?idle={IDLE}")
    for digit in code:
        page.tap(f"#ecran-connexion [data-touche='{digit}']")
    page.tap("#valider-connexion")
    page.wait_for_selector("#ecran-accueil:not([hidden])")


def tap_name(page, name: str):
    page.tap("#choisir-nom")
    plain = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c)).upper()
    for ch in plain:
        page.tap(f"#ecran-nom [data-touche=\"{ch}\"]")


def tap_stepper(page, field: str, times: int, ten: bool = False):
    button = ("plus" if times > 0 else "moins") + ("10" if ten else "")
    for _ in range(abs(times)):
        page.tap(f".stepper[data-champ='{field}'] .{button}")


def set_date(page, born: date):
    tap_stepper(page, "jour", born.day - 1)
    tap_stepper(page, "mois", born.month - 1)
    tens, ones = divmod(born.year - 1990, 10)
    tap_stepper(page, "annee", tens, ten=True)
    tap_stepper(page, "annee", ones)


def tap_numero(page, digits: str):
    page.tap("#choisir-numero")
    for d in digits:
        page.tap(f"#ecran-numero [data-touche='{d}']")
    page.tap("#chercher-numero")


def text(page, selector):
    return page.locator(selector).inner_text()


def unique_candidat(live, salle):
    return live.day.journal.one(
        "SELECT * FROM candidats c WHERE salle = ? AND pieces_manquantes = '' AND (SELECT COUNT(*) FROM candidats d "
        "WHERE d.nom_cle = c.nom_cle AND d.date_naissance = c.date_naissance) = 1 ORDER BY numero LIMIT 1", [salle])


def test_candidat_finds_prints_and_gets_in_with_the_printed_barcode(kiosk_live, page, printer):
    c = unique_candidat(kiosk_live, "A01")
    open_borne(page, kiosk_live)
    assert "Vous n'avez pas votre convocation" in text(page, "#titre-accueil")
    tap_name(page, c["nom"])
    set_date(page, date.fromisoformat(c["date_naissance"]))
    assert page.input_value("#nom") == "".join(
        ch for ch in unicodedata.normalize("NFKD", c["nom"]) if not unicodedata.combining(ch)).upper()
    page.tap("#chercher-nom")
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
    set_date(page, date(1995, 7, 7))
    page.tap("#chercher-nom")
    page.wait_for_selector("#ecran-message:not([hidden])")
    assert "Plusieurs" in text(page, "#message-texte") and "Awa" not in page.content()
    page.tap("#message-numero")
    for d in "09002":
        page.tap(f"#ecran-numero [data-touche='{d}']")
    page.tap("#chercher-numero")
    page.wait_for_selector("#ecran-resultat:not([hidden])")
    assert "Aminata" in text(page, "#carte-nom")


def test_after_the_doors_closed_nothing_is_printed(kiosk_live, page, clock, printer):  # R3
    c = unique_candidat(kiosk_live, "B12")
    clock.set(at("09:05"))
    open_borne(page, kiosk_live)
    tap_numero(page, c["numero"].split("-")[1])
    page.wait_for_selector("#ecran-message:not([hidden])")
    assert text(page, "#message-titre") == "Portes fermées"
    assert "Aucune convocation ne peut être imprimée" in text(page, "#message-texte")
    assert printer.data == b""


def test_candidat_of_the_other_site_is_told_where_to_go_and_can_print(kiosk_live, page, printer):  # R1
    c = unique_candidat(kiosk_live, "M1")
    open_borne(page, kiosk_live)
    tap_numero(page, c["numero"].split("-")[1])
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
    tap_numero(page, c["numero"].split("-")[1])
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
    tap_name(page, "Martin")  # 31/02/1990 does not exist
    tap_stepper(page, "jour", -1)  # 1 -> 31, like a wheel
    tap_stepper(page, "mois", 1)
    assert text(page, "#jour") == "31" and text(page, "#mois") == "février"
    page.tap("#chercher-nom")
    page.wait_for_selector("#ecran-message:not([hidden])")
    assert "Date de naissance invalide" in text(page, "#message-texte")

    page.tap("#ecran-message .retour")
    page.tap("#choisir-numero")
    page.focus("#numero")
    page.keyboard.type("12AB")  # a physical keyboard works too
    page.keyboard.press("Enter")
    page.wait_for_selector("#ecran-message:not([hidden])")
    assert "tapez seulement les chiffres" in text(page, "#message-texte")

    page.tap("#ecran-message .retour")
    page.tap("#choisir-nom")
    page.evaluate("document.getElementById('nom').value = 'A'.repeat(200)")
    page.tap("#chercher-nom")
    page.wait_for_selector("#ecran-message:not([hidden])")
    assert "Nom trop long" in text(page, "#message-texte")

    page.tap("#ecran-message .retour")
    scripts = page.evaluate("document.scripts.length")
    page.tap("#choisir-nom")
    page.focus("#nom")
    page.keyboard.type("<script>window.pwned=1</script><b>x</b>")
    page.tap("#chercher-nom")
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
        tap_numero(page, c["numero"].split("-")[-1])
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
