"""The borne's page, in headless Chromium: after leaving the salle a candidat taps « attestation de présence »,
their numéro and date of birth, and it is printed; before leaving, the borne says why not and prints nothing."""

from __future__ import annotations

import pytest

from tests.helpers.api import admit, cid, start
from tests.helpers.browser import open_borne, tap_date
from tests.helpers.day import at, candidats

pytestmark = pytest.mark.browser


def ask_attestation(page, numero: str, born: str):
    page.tap("#choisir-attestation")
    for d in numero.split("-")[-1]:
        page.tap(f"#ecran-numero [data-touche='{d}']")
    page.tap("#suivant-numero")
    tap_date(page, born)


def test_the_borne_prints_the_attestation_of_a_candidat_who_has_left(kiosk_live, clock, printer, page):
    tablet, resp = kiosk_live.client("surveillant"), kiosk_live.client("responsable")
    numero, seated = candidats(kiosk_live.day, "A01", 2)
    admit(tablet, "A01", [numero, seated])
    start(clock, resp)
    clock.set(at("10:35"))
    tablet.post("/api/v1/salles/A01/emargements", {"numero": numero, "client_id": cid(), "copies": 1,
                                                   "signature": [[{"x": 1, "y": 1, "t": 0}, {"x": 9, "y": 3, "t": 9}]]})
    assert tablet.post("/api/v1/salles/A01/sorties", {"numero": numero, "client_id": cid(),
                                                      "piece_identite": "cni"})["ok"]
    born = {r["numero"]: r["date_naissance"] for r in kiosk_live.day.journal.query(
        "SELECT numero, date_naissance FROM candidats WHERE numero IN (?, ?)", [numero, seated])}
    open_borne(page, kiosk_live)
    ask_attestation(page, seated, born[seated])
    page.wait_for_selector("#ecran-message:not([hidden])")
    assert "après votre sortie de la salle" in page.locator("#message-texte").inner_text()
    assert printer.data == b""
    page.tap("#ecran-message .retour")
    ask_attestation(page, numero, born[numero])
    page.wait_for_selector("#ecran-imprime:not([hidden])")
    assert page.locator("#imprime-titre").inner_text() == "Votre attestation de présence est imprimée"
    assert page.locator("#ou-aller").is_hidden()
    assert "ATTESTATION DE PRÉSENCE" in printer.data.decode("cp1252", errors="replace")
    page.tap("#terminer")  # nothing of theirs stays; the next candidat's convocation shows where to go again
    page.wait_for_selector("#ecran-accueil:not([hidden])")
    assert page.locator("#numero").input_value() == ""
