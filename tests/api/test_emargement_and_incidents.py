"""Émargement (R20, R25) and incidents / fraud reports (R10–R14, R23) through the real API."""

import json

import pytest

from tests.helpers.api import SIGNATURE, admit, cid, emarge, refused, said_no
from tests.helpers.day import at, candidats, count, nothing_recorded


def test_emargement_recorded_with_signature_and_copies(live, salle):
    tablet, _, numeros = salle
    answer = emarge(tablet, "A01", numeros[0], copies=3)
    assert answer["ok"] and answer["enregistre"] and answer["copies"] == 3 and answer["regle"] == "R20"
    row = live.day.journal.one("SELECT * FROM presences WHERE numero = ?", [numeros[0]])
    assert row["copies"] == 3 and row["emarge_at"]
    event = live.day.journal.one("SELECT payload FROM events WHERE type = 'emargement'")
    assert json.loads(event["payload"])["signature"][0][1] == [30, 25, 16]


def test_copie_blanche_recorded(live, salle):
    tablet, _, numeros = salle
    answer = emarge(tablet, "A01", numeros[1], copies=None, copie_blanche=True)
    assert answer["copie_blanche"] is True and answer["copies"] == 0


@pytest.mark.parametrize("fields", [
    {"copies": 0}, {"copies": "abc"}, {"copies": -1}, {"copies": 1.5}, {"copies": True}, {"copies": None},
    {"copies": 2, "copie_blanche": True}, {"signature": None}, {"signature": []}, {"signature": [[]]},
    {"signature": [[{"x": "a", "y": 1, "t": 0}]]}, {"signature": [[{"x": 1e9, "y": 1, "t": 0}]]},
    {"signature": [[{"x": 1, "y": 1, "t": 0}] * 6000]}, {"signature": "trait"}, {"copie_blanche": "oui"},
    {"numero": ""}, {"client_id": "x"},
])
def test_bad_emargement_input_refused_in_french_nothing_recorded(live, salle, fields):
    tablet, _, numeros = salle
    fields = dict(fields)
    numero = fields.pop("numero", numeros[0])
    err = refused(lambda: emarge(tablet, "A01", numero, **fields), 400)
    assert any(w in err["message"] for w in ("copies", "Signature", "signature", "Numéro", "client_id",
                                             "true ou false", "Copie blanche"))
    assert count(live.day, "emargement") == 0


def test_emargement_refused_when_not_present_twice_or_abandon_at_written(live, salle):
    tablet, _, numeros = salle
    absent = candidats(live.day, "A01", 5)[4]
    assert said_no(lambda: emarge(tablet, "A01", absent))["code"] == "non_present"
    assert refused(lambda: emarge(tablet, "A01", "ATP27-99999"), 404)["code"] == "candidat_inconnu"
    assert said_no(lambda: emarge(tablet, "A01", numeros[0], copies=None, abandon=True))["code"] == \
        "abandon_oral_seulement"
    emarge(tablet, "A01", numeros[0])
    assert said_no(lambda: emarge(tablet, "A01", numeros[0]))["code"] == "deja_emarge"
    assert count(live.day, "emargement") == 1


def test_emargement_refused_before_the_subject_is_opened(live, clock):
    tablet = live.client("surveillant")
    numero = candidats(live.day, "A01", 1)[0]
    admit(tablet, "A01", [numero])
    clock.set(at("08:59"))
    err = said_no(lambda: emarge(tablet, "A01", numero))
    assert err["code"] == "epreuve_non_commencee" and err["details"]["regle"] == "R9"


def test_same_client_id_same_answer_nothing_doubled(live, salle):
    tablet, _, numeros = salle
    body = {"numero": numeros[0], "client_id": cid(), "copies": 2, "signature": SIGNATURE}
    first = tablet.post("/api/v1/salles/A01/emargements", body)
    again = tablet.post("/api/v1/salles/A01/emargements", body)
    assert again["rejoue"] is True and {**again, "rejoue": False, "heure_serveur": 0} == \
        {**first, "heure_serveur": 0}
    assert count(live.day, "emargement") == 1
    other = refused(lambda: tablet.post("/api/v1/salles/A01/emargements", {**body, "copies": 3}), 409)
    assert other["code"] == "client_id_reutilise"


def test_surveillant_of_another_salle_and_kiosk_forbidden(live, salle):
    tablet, _, numeros = salle
    b12, kiosk, m1 = live.client("surveillant_b12"), live.client("kiosk"), live.client("surveillant_m1")
    with nothing_recorded(live.day):
        assert refused(lambda: emarge(b12, "A01", numeros[0]), 403)
        assert refused(lambda: emarge(kiosk, "A01", numeros[0]), 403)
        assert refused(lambda: tablet.post("/api/v1/salles/A01/incidents", {}), 400)
        assert refused(lambda: m1.post("/api/v1/salles/A01/incidents", {"type": "anomalie", "texte": "x",
                                                                         "client_id": cid()}), 403)
    assert live.day.journal.one("SELECT emarge_at FROM presences WHERE numero = ?", [numeros[0]])["emarge_at"] is None


# --- incidents -------------------------------------------------------------------------------------------


def incident(tablet, **fields):
    return tablet.post("/api/v1/salles/A01/incidents", {"client_id": cid(), "texte": "Faits constatés.", **fields})


def test_anomaly_and_conduct_incidents_recorded_for_the_pv(live, salle):
    tablet, _, numeros = salle
    assert incident(tablet, type="anomalie", texte="Sujets livrés avec 10 min de retard")["regle"] == "R23"
    assert incident(tablet, type="telephone", numero=numeros[1])["regle"] == "R12"
    assert incident(tablet, type="mauvais_sujet", numero=numeros[2])["regle"] == "R10"
    rows = live.day.journal.query("SELECT type, texte, candidat FROM incidents ORDER BY seq")
    assert [r["type"] for r in rows] == ["anomalie", "telephone", "mauvais_sujet"]
    assert rows[0]["texte"] == "Sujets livrés avec 10 min de retard"


def test_fraud_report_then_the_jury_decides_the_exclusion_from_the_console_R11(live, salle, clock):
    tablet, resp, numeros = salle
    answer = incident(tablet, type="fraude", numero=numeros[0], heure_faits="09:50", exclusion=True,
                      contresignature=SIGNATURE, texte="Antisèche sous la copie")
    assert answer["regle"] == "R11"
    event = live.day.journal.one("SELECT seq, payload FROM events WHERE type = 'incident'")
    payload = json.loads(event["payload"])
    assert payload["rapporteur"] == "Paul Surveillant (A01)" and "exclusion" not in payload  # not the surveillant's
    assert payload["heure_faits"] == "2027-03-18T09:50" and payload["contresignature"]
    status = lambda: live.day.journal.one("SELECT status FROM presences WHERE numero = ?", [numeros[0]])["status"]
    assert status() == "present"
    assert [a["type"] for a in resp.get("/api/v1/alertes")["alertes"]] == ["fraude"]
    path = f"/api/v1/incidents/{event['seq']}/decision"
    decision = {"exclusion": True, "decide_par": "Mme Claire Martin, présidente du jury", "client_id": cid()}
    assert refused(lambda: tablet.post(path, decision), 403)
    assert refused(lambda: live.client("responsable_montreuil").post(path, decision), 403)
    before = events(live.day)
    for bad in ({"exclusion": "oui"}, {"decide_par": " "}, {"decide_par": None}, {"exclusion": None}):
        assert refused(lambda: resp.post(path, {**decision, **bad}), 400)
    assert refused(lambda: resp.post("/api/v1/incidents/1/decision", decision), 404)
    assert events(live.day) == before
    clock.set(at("10:05"))
    answer = resp.post(path, decision)
    assert answer["exclusion"] is True and "Mme Claire Martin" in answer["message"]
    assert status() == "sorti"
    assert resp.get("/api/v1/alertes")["alertes"] == []  # the decision closes the fraud alert
    assert said_no(lambda: resp.post(path, {**decision, "client_id": cid()}))["code"] == \
        "decision_deja_enregistree"
    row = live.day.journal.one("SELECT * FROM decisions_fraude")
    assert row["at"].startswith("2027-03-18T10:05") and row["recorded_by"] == "P002"


def test_fraud_report_refusal_to_sign(live, salle):
    tablet, _, numeros = salle
    answer = incident(tablet, type="fraude", numero=numeros[1], heure_faits="09:55", refus_de_signer=True)
    assert answer["ok"]


@pytest.mark.parametrize("fields", [
    {"type": "vol"}, {"type": None}, {"type": "anomalie", "texte": "  "}, {"type": "anomalie", "texte": 3},
    {"type": "fraude", "heure_faits": "09:50", "contresignature": SIGNATURE},  # no numero
    {"type": "fraude", "numero": "N", "heure_faits": "09:50"},  # neither signature nor refusal
    {"type": "fraude", "numero": "N", "contresignature": SIGNATURE},  # no time of the facts
    {"type": "fraude", "numero": "N", "heure_faits": "09:50", "refus_de_signer": "oui"},
    {"type": "fraude", "numero": "N", "heure_faits": "09:50", "refus_de_signer": True, "contresignature": SIGNATURE},
    {"type": "alarme_incendie", "debut": "25:00"}, {"type": "fraude", "numero": "N", "refus_de_signer": True,
                                                    "heure_faits": "midi"},
])
def test_bad_incident_input_refused_nothing_recorded(live, salle, fields):
    tablet, _, numeros = salle
    if fields.get("numero") == "N":
        fields = {**fields, "numero": numeros[0]}
    refused(lambda: incident(tablet, **fields), 400)
    assert count(live.day, "incident") == 0


def test_writing_after_the_end_only_from_the_end_R13(live, salle, clock):
    tablet, _, numeros = salle
    clock.set(at("11:59"))
    err = said_no(lambda: incident(tablet, type="ecrit_apres_fin", numero=numeros[0]))
    assert err["code"] == "fin_non_atteinte" and err["details"]["autorise_a_partir_de"] == "2027-03-18T12:00:00"
    clock.set(at("12:00"))
    assert incident(tablet, type="ecrit_apres_fin", numero=numeros[0])["regle"] == "R13"


def test_fire_alarm_needs_past_ordered_times_R14(live, salle, clock):
    tablet, _, _ = salle
    assert said_no(lambda: incident(tablet, type="alarme_incendie", debut="10:01"))["code"] == "heures_invalides"
    assert said_no(lambda: incident(tablet, type="alarme_incendie", debut="09:40", fin="09:30"))
    assert said_no(lambda: incident(tablet, type="alarme_incendie"))
    assert incident(tablet, type="alarme_incendie", debut="09:30", fin="10:00")["regle"] == "R14"
    assert count(live.day, "incident") == 1


def events(day) -> int:
    return day.journal.one("SELECT COUNT(*) AS n FROM events")["n"]
