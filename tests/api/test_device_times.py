"""Times sent by a tablet (issue 16): an offline entry's time and an incident's times are checked against the
épreuve; an implausible one gets a French 400 and changes nothing."""

from datetime import timedelta, timezone

import pytest

from tests.helpers.api import SIGNATURE, cid, refused
from tests.helpers.day import at, candidat_in, count


FIVE_HOURS_EAST_AT_07_58 = at("07:58:30").astimezone(timezone(timedelta(hours=5))).isoformat()  # local 07:58:30


def events(day) -> int:
    return day.journal.one("SELECT COUNT(*) AS n FROM events")["n"]


# --- an entry checked by eye while the tablet was offline (R3) -------------------------------------------

@pytest.mark.parametrize("seen", ["2026-03-18T08:58:30", "0001-01-01T08:58:30", "2027-03-18T07:59:59",
                                  "2027-03-17T08:58:30", FIVE_HOURS_EAST_AT_07_58])
def test_an_offline_entry_seen_before_the_accueil_opened_is_refused_at_9_30(live, clock, seen):
    """With the doors closed at 09:00 and the clock at 09:30, a time a year ago (or year 1, or before the
    accueil's 08:00) would admit a late candidat: refused, nothing recorded."""
    tablet = live.client("surveillant")
    c = candidat_in(live.day, "A01", pieces_manquantes="")
    clock.set(at("09:30"))
    live.tick()
    before = events(live.day)
    err = refused(lambda: tablet.post("/api/v1/salles/A01/scans", {
        "code": c["numero"], "client_id": cid(), "piece_identite": "cni", "heure_constatee": seen}), 400)
    assert "avant l'ouverture de l'accueil de l'épreuve E1" in err["message"]
    assert "Rien n'est enregistré" in err["message"]
    assert events(live.day) == before
    assert live.day.journal.one("SELECT * FROM presences WHERE numero = ?", [c["numero"]]) is None


def test_an_offline_entry_seen_when_the_accueil_opened_is_admitted(live, clock):
    tablet = live.client("surveillant")
    c = candidat_in(live.day, "A01", pieces_manquantes="")
    clock.set(at("09:30"))
    live.tick()
    answer = tablet.post("/api/v1/salles/A01/scans", {"code": c["numero"], "client_id": cid(), "piece_identite": "cni",
                                                      "heure_constatee": "2027-03-18T08:00:00"})
    assert answer["verdict"] == "admis" and answer["enregistre"] is True


def offline_entry(tablet, c, seen, contact):
    return tablet.post("/api/v1/salles/A01/scans", {"code": c["numero"], "client_id": cid(), "piece_identite": "cni",
                                                      "heure_constatee": seen, "derniere_liaison": contact})


def test_an_offline_entry_seen_before_the_tablets_last_contact_is_refused(live, clock):
    """The tablet heard the server at 08:59:30 (its last answer's heure_serveur), then its clock went back: an
    entry « seen » at 08:58 cannot be, whatever the accueil's opening allows. French 400, nothing recorded."""
    tablet = live.client("surveillant")
    c = candidat_in(live.day, "A01", pieces_manquantes="")
    clock.set(at("09:30"))
    live.tick()
    before = events(live.day)
    err = refused(lambda: offline_entry(tablet, c, "2027-03-18T08:58:00", "2027-03-18T08:59:30"), 400)
    assert "avant la dernière liaison de la tablette avec le serveur (08:59:30)" in err["message"]
    assert "Rien n'est enregistré" in err["message"]
    assert events(live.day) == before
    assert live.day.journal.one("SELECT * FROM presences WHERE numero = ?", [c["numero"]]) is None


def test_an_offline_entry_seen_after_the_last_contact_is_admitted(live, clock):
    tablet = live.client("surveillant")
    clock.set(at("09:30"))
    live.tick()
    for seen in ("2027-03-18T08:59:30", "2027-03-18T08:59:45"):  # the same second as the last contact, or after
        c = live.day.journal.one("SELECT * FROM candidats WHERE salle = 'A01' AND pieces_manquantes = '' AND numero "
                                 "NOT IN (SELECT numero FROM presences) ORDER BY numero LIMIT 1")
        answer = offline_entry(tablet, c, seen, "2027-03-18T08:59:30")
        assert answer["verdict"] == "admis" and answer["enregistre"] is True


@pytest.mark.parametrize("contact, words", [
    ("2027-03-18T09:30:01", "« derniere_liaison » (18/03/2027 09:30:01) est après l'heure du serveur (09:30:00)"),
    ("2027-03-19T08:00:00", "est après l'heure du serveur"),
    ("ce matin", "« derniere_liaison » doit être une date et heure ISO 8601"),
    (20270318, "« derniere_liaison » doit être une date et heure ISO 8601"),
    ("9" * 100, "« derniere_liaison » doit être une date et heure ISO 8601"),
])
def test_a_last_contact_in_the_future_or_garbage_is_refused(live, clock, contact, words):
    tablet = live.client("surveillant")
    c = candidat_in(live.day, "A01", pieces_manquantes="")
    clock.set(at("09:30"))
    before = events(live.day)
    err = refused(lambda: offline_entry(tablet, c, "2027-03-18T08:58:00", contact), 400)
    assert words in err["message"] and err["code"] == "requete_invalide"
    assert events(live.day) == before


# --- an incident's times (R11, R14) ----------------------------------------------------------------------

def incident(tablet, **fields):
    return tablet.post("/api/v1/salles/A01/incidents", {"client_id": cid(), "texte": "Faits constatés.", **fields})


FRAUDE = {"type": "fraude", "refus_de_signer": False, "contresignature": SIGNATURE}


@pytest.mark.parametrize("now, fields, words", [
    ("10:00", {"type": "alarme_incendie", "debut": "25:61"}, "Heure de début invalide"),
    ("10:00", {"type": "alarme_incendie", "debut": "09:30", "fin": "25:61"}, "Heure de fin invalide"),
    ("10:00", {**FRAUDE, "heure_faits": "25:61"}, "Heure des faits invalide"),
    ("10:00", {**FRAUDE, "heure_faits": "9:60"}, "Heure des faits invalide"),
    ("10:00", {**FRAUDE, "heure_faits": "07:30"}, "hors de l'épreuve E1 : attendu entre 08:00 et 13:00"),
    ("10:00", {**FRAUDE, "heure_faits": "10:30"}, "après l'heure du serveur (10:00)"),
    ("10:00", {"type": "alarme_incendie", "debut": "07:00", "fin": "09:30"}, "Heure de début (07:00) hors de"),
    ("13:30", {**FRAUDE, "heure_faits": "13:10", "epreuve": "E1"}, "hors de l'épreuve E1"),
    ("13:30", {"type": "alarme_incendie", "debut": "12:50", "fin": "13:20", "epreuve": "E1"}, "Heure de fin (13:20)"),
])
def test_an_implausible_incident_time_is_refused_in_french_and_changes_nothing(live, salle, clock, now, fields,
                                                                               words):
    tablet, _, numeros = salle  # E1 started at 09:00: ends at 12:00, 13:00 with tiers-temps
    clock.set(at(now))
    if fields["type"] == "fraude":
        fields = {**fields, "numero": numeros[0]}
    before = events(live.day)
    err = refused(lambda: incident(tablet, **fields), 400)
    assert words in err["message"]
    assert events(live.day) == before and count(live.day, "incident") == 0


def test_incident_times_within_the_epreuve_are_recorded(live, salle, clock):
    tablet, _, numeros = salle
    assert incident(tablet, type="alarme_incendie", debut="08:00", fin="10:00")["regle"] == "R14"
    assert incident(tablet, **FRAUDE, numero=numeros[0], heure_faits="09:59")["regle"] == "R11"
    clock.set(at("13:30"))
    assert incident(tablet, **FRAUDE, numero=numeros[1], heure_faits="13:00", epreuve="E1")["regle"] == "R11"
    assert count(live.day, "incident") == 3
