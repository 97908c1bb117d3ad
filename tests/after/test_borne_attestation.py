"""At the borne, on the day itself: a candidat who has left asks for their attestation de présence with numéro and
date of birth (as for a replacement convocation, R27) and gets it printed (the fake network printer's ESC/POS
bytes read back); before leaving, absent, or with a wrong date of birth: nothing printed, nothing said."""

from __future__ import annotations

import json

from salle.client import ApiError
from tests.helpers.api import admit, cid, emarge, start
from tests.helpers.day import at, candidats

ATTESTATION = "/api/v1/kiosk/attestations"


def facts(day, numero: str) -> dict:
    row = day.journal.one("SELECT numero, date_naissance FROM candidats WHERE numero = ?", [numero])
    return {"numero": row["numero"], "date_naissance": row["date_naissance"], "client_id": cid()}


def printed_text(printer) -> str:
    return printer.data.decode("cp1252", errors="replace")


def test_a_candidat_who_has_left_gets_the_attestation_printed(kiosk_live, clock, printer):
    tablet, resp, kiosk = kiosk_live.client("surveillant"), kiosk_live.client("responsable"), kiosk_live.client("kiosk")
    numero, staying = candidats(kiosk_live.day, "A01", 2)
    admit(tablet, "A01", [numero, staying])
    start(clock, resp)
    clock.set(at("10:35"))
    emarge(tablet, "A01", numero, copies=2)
    left = tablet.post("/api/v1/salles/A01/sorties", {"numero": numero, "client_id": cid(), "piece_identite": "cni"})
    assert left["ok"], left
    answer = kiosk.post(ATTESTATION, facts(kiosk_live.day, numero))
    assert answer["statut"] == "imprimee" and "attestation est imprimée" in answer["message"]
    text = printed_text(printer)
    assert "ATTESTATION DE PRÉSENCE" in text and numero in text
    assert "arrivée à 8 h 40, départ à 10 h 35" in text and "Fait à Pantin" in text
    event = kiosk_live.day.journal.one("SELECT payload FROM events WHERE type = 'impression_borne'")
    assert json.loads(event["payload"]) == {"numero": numero, "document": "attestation"}


def test_no_attestation_before_leaving_nor_for_an_absent_nor_with_a_wrong_birth_date(kiosk_live, clock, printer):
    tablet, resp, kiosk = kiosk_live.client("surveillant"), kiosk_live.client("responsable"), kiosk_live.client("kiosk")
    seated, absent = candidats(kiosk_live.day, "A01", 2)
    admit(tablet, "A01", [seated])
    start(clock, resp)
    clock.set(at("10:00"))
    still_in = kiosk.post(ATTESTATION, facts(kiosk_live.day, seated))
    assert (still_in["ok"], still_in["verdict"]) == (False, "pas_encore_sorti")
    assert "après votre sortie de la salle" in still_in["message"]
    nobody = kiosk.post(ATTESTATION, facts(kiosk_live.day, absent))
    assert (nobody["ok"], nobody["verdict"]) == (False, "aucune_presence")
    wrong = {**facts(kiosk_live.day, seated), "date_naissance": "1900-01-01"}
    try:
        kiosk.post(ATTESTATION, wrong)
        raise AssertionError("a wrong date of birth must be refused")
    except ApiError as exc:
        assert exc.status == 404 and "Nous ne trouvons pas" in exc.body["erreur"]["message"]
    assert printer.data == b""
    assert not kiosk_live.day.journal.query("SELECT * FROM events WHERE type = 'impression_borne'")


def test_only_the_borne_may_ask(kiosk_live):
    tablet = kiosk_live.client("surveillant")
    try:
        tablet.post(ATTESTATION, {"numero": "ATP27-00001", "date_naissance": "1990-01-01", "client_id": cid()})
        raise AssertionError("a surveillant must not print attestations")
    except ApiError as exc:
        assert exc.status == 403


def test_after_an_oral_passage_the_attestation_is_printable(oral_live, clock):
    """Orals (R28): the arrival at the waiting room and the passage's end are the times; before the end, not yet."""
    from salle.commands.kiosk import AttestationRequest, request_attestation
    from salle.day import Caller
    from salle.journal import Actor
    from tests.helpers.orals import oral_at

    borne = Caller(Actor("P008", "kiosk", "borne"), "kiosk", site="PANTIN")
    tablet, j1 = oral_live.client("surveillant"), oral_live.client("jury_j1")
    clock.set(oral_at("13:59"))
    tablet.scan("A01", "ATP27-00001")
    born = oral_live.day.journal.one("SELECT date_naissance FROM candidats WHERE numero = 'ATP27-00001'")
    ask = lambda: request_attestation(oral_live.day, borne, AttestationRequest(  # noqa: E731
        client_id=cid(), numero="ATP27-00001", date_naissance=born["date_naissance"]))
    assert ask()["verdict"] == "pas_encore_sorti"
    base = "/api/v1/oraux/O1/candidats/ATP27-00001"
    clock.set(oral_at("14:00"))
    j1.post(f"{base}/tirage", {"temoin": "Mme Durand", "client_id": cid()})
    clock.set(oral_at("14:20"))
    j1.post(f"{base}/debut", {"client_id": cid()})
    clock.set(oral_at("14:38"))
    j1.post(f"{base}/fin", {"client_id": cid()})
    answer = ask()
    assert answer["ok"] and answer["ticket"]["lignes"] == [
        "Épreuve orale d'admission — entretien avec le jury — Centre de gestion — siège, 1 rue Lucienne Gérain, "
        "93500 Pantin : arrivée à 13 h 59, départ à 14 h 38"]
