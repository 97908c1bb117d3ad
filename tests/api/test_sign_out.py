"""Signing out: a device signs itself out, a responsable signs out a lost tablet. The token stops working at
once (the server's cache included), the reason is journaled, the wrong role is refused in French."""

import json

import pytest

from salle.client import ApiError
from tests.helpers.api import cid
from tests.helpers.day import CODES


def refused(call) -> tuple[int, dict]:
    with pytest.raises(ApiError) as exc:
        call()
    return exc.value.status, exc.value.body["erreur"]


def staff_id(live, code_role: str) -> str:
    return live.day.journal.one("SELECT id FROM staff WHERE code_hash = ?", [live.day.code_hash(CODES[code_role])])["id"]


def test_a_device_signs_itself_out_and_its_token_stops_working(live):
    tablet = live.client("surveillant")
    assert tablet.get("/api/v1/me")["role"] == "surveillant"  # the token is now in the server's cache
    assert tablet.post("/api/v1/auth/logout", {})["deconnecte"] is True
    status, erreur = refused(lambda: tablet.get("/api/v1/me"))
    assert status == 401 and erreur["code"] == "jeton_invalide" and "reconnectez-vous" in erreur["message"]
    assert refused(lambda: tablet.post("/api/v1/auth/logout", {}))[0] == 401
    other = live.client("surveillant")  # another device of the same person is not touched
    assert other.get("/api/v1/me")["role"] == "surveillant"


def test_a_responsable_signs_out_every_device_of_a_surveillant_with_a_reason(live):
    first, second = live.client("surveillant"), live.client("surveillant")
    for tablet in (first, second):
        tablet.get("/api/v1/me")
    resp = live.client("responsable")
    target = staff_id(live, "surveillant")
    listed = {p["id"]: p for p in resp.get("/api/v1/personnel")["personnel"]}
    assert listed[target]["appareils"] == 2 and listed[target]["role"] == "surveillant"
    assert {p["site"] for p in listed.values()} == {"PANTIN"}  # the responsable sees their site only
    body = {"motif": "Tablette oubliée en salle A01", "client_id": cid()}
    answer = resp.post(f"/api/v1/personnel/{target}/deconnexion", body)
    assert answer["appareils_deconnectes"] == 2 and "2 appareil(s) déconnecté(s)" in answer["message"]
    for tablet in (first, second):
        assert refused(lambda: tablet.get("/api/v1/me"))[0] == 401
    again = resp.post(f"/api/v1/personnel/{target}/deconnexion", body)
    assert again["rejoue"] is True and again["appareils_deconnectes"] == 2
    events = live.day.journal.query("SELECT * FROM events WHERE type = 'jetons_revoques'")
    assert len(events) == 1 and json.loads(events[0]["payload"])["motif"] == "Tablette oubliée en salle A01"
    assert resp.get("/api/v1/personnel")["personnel"][0]  # the responsable's own token still works
    assert live.client("surveillant").get("/api/v1/me")["role"] == "surveillant"  # signing in again works


@pytest.mark.parametrize("who, target, body, status, words", [
    ("responsable", "surveillant", {"client_id": "c-00000001"}, 400, "motif"),
    ("responsable", "surveillant", {"motif": "x" * 201, "client_id": "c-00000002"}, 400, "motif"),
    ("responsable_montreuil", "surveillant", {"motif": "perdue", "client_id": "c-00000003"}, 403, "votre site"),
    ("responsable", "admin", {"motif": "perdue", "client_id": "c-00000004"}, 403, "surveillants et les bornes"),
    ("surveillant_b12", "surveillant", {"motif": "perdue", "client_id": "c-00000005"}, 403, "rôle"),
    ("kiosk", "surveillant", {"motif": "perdue", "client_id": "c-00000006"}, 403, "rôle"),
])
def test_wrong_signouts_are_refused_in_french_and_change_nothing(live, who, target, body, status, words):
    tablet = live.client("surveillant")
    caller = live.client(who)
    before = live.day.journal.one("SELECT COUNT(*) AS n FROM events")["n"]
    got, erreur = refused(lambda: caller.post(f"/api/v1/personnel/{staff_id(live, target)}/deconnexion", body))
    assert got == status and words in erreur["message"]
    assert live.day.journal.one("SELECT COUNT(*) AS n FROM events")["n"] == before
    assert tablet.get("/api/v1/me")["role"] == "surveillant"


def test_unknown_staff_and_wrong_role_on_the_list(live):
    resp = live.client("responsable")
    status, erreur = refused(lambda: resp.post("/api/v1/personnel/P999/deconnexion", {"motif": "x", "client_id": cid()}))
    assert status == 404 and "inconnu" in erreur["message"]
    assert refused(lambda: live.client("surveillant").get("/api/v1/personnel"))[0] == 403


def test_a_responsable_signs_out_the_kiosk_of_their_site(live):
    kiosk = live.client("kiosk")
    kiosk.get("/api/v1/me")
    live.client("responsable").post(f"/api/v1/personnel/{staff_id(live, 'kiosk')}/deconnexion",
                                    {"motif": "borne déplacée", "client_id": cid()})
    assert refused(lambda: kiosk.get("/api/v1/me"))[0] == 401
