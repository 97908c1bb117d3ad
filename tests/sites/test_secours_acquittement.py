"""`[reseau] acquittement = "secours"` (issue 15): a write is answered only once the standby's copy holds it; the
standby away, the write is kept on the main and answered 503, and the tablet's replay is answered once it is back."""

from __future__ import annotations

import uuid

import pytest
import socketio

from salle.ports import free_port
from tests.helpers.day import at, candidats
from tests.helpers.server import LiveServer
from tests.helpers.sites import site_day, standby_copy


@pytest.fixture
def site(tmp_path, nats_pantin, clock):
    port = free_port()
    main_db = site_day(tmp_path / "pantin", "PANTIN", nats_pantin.url, clock,
                       reseau=f'secours = "http://127.0.0.1:{port}"\nacquittement = "secours"\n')
    copy = standby_copy(main_db, tmp_path / "secours")
    main = LiveServer(main_db, clock)
    servers = {"main": main, "standby": LiveServer(copy, clock, config={"SECOURS": {"principal": main.url}},
                                                   port=port), "copy": copy, "port": port}
    yield servers
    servers["standby"].stop()
    main.stop()


def held(standby, numero) -> int:
    return standby.day.journal.one("SELECT COUNT(*) AS n FROM events WHERE type = 'scan' AND candidat = ?",
                                   [numero])["n"]


def test_each_scan_is_answered_only_once_the_standby_holds_it(site):
    main, standby = site["main"], site["standby"]
    tablet = main.client("surveillant")
    for numero in candidats(main.day, "A01", 10):
        assert tablet.scan("A01", numero, "cni")["verdict"] == "admis"
        assert held(standby, numero) == 1, "in the standby's file when the tablet is told"


def test_the_standby_away_a_scan_is_kept_on_the_main_and_answered_503_then_answered_once_back(site, clock):
    main, standby = site["main"], site["standby"]
    tablet = main.client("surveillant")
    first, second = candidats(main.day, "A01", 2)
    tablet.scan("A01", first, "cni")
    standby.stop()
    body = {"code": second, "piece_identite": "cni", "client_id": "tablette-attente"}
    status, answer = tablet.request("POST", "/api/v1/salles/A01/scans", body, check=False)
    assert status == 503 and answer["erreur"]["code"] == "secours_injoignable"
    assert "renverra toute seule" in answer["erreur"]["message"]
    assert main.day.journal.one("SELECT COUNT(*) AS n FROM events WHERE candidat = ?", [second])["n"] == 1
    back = LiveServer(site["copy"], clock, config={"SECOURS": {"principal": main.url}}, port=site["port"])
    site["standby"] = back
    status, replay = tablet.request("POST", "/api/v1/salles/A01/scans", body, check=False)
    assert status == 200 and replay["rejoue"] and replay["verdict"] == "admis"
    assert held(back, second) == 1


def test_a_refusal_recorded_by_a_live_preview_waits_for_the_standby_too(site, clock):
    """The tablet's preview over Socket.IO records a refusal the règlement keeps (R3, after the doors): answered
    once the standby holds it; the standby away, answered as POST …/scans would be (503, French), and the same
    client id answered once it is back, recorded once."""
    main, standby = site["main"], site["standby"]
    late, later = candidats(main.day, "A01", 2)
    token = main.client("surveillant").token
    clock.set(at("09:00:01"))
    main.tick()
    tablet = socketio.Client(reconnection=False)
    tablet.connect(main.url, auth={"token": token}, transports=["websocket"], wait_timeout=10)
    try:
        answer = tablet.call("apercu", {"salle": "A01", "code": late, "client_id": str(uuid.uuid4())}, timeout=10)
        assert (answer["verdict"], answer["enregistre"]) == ("portes_fermees", True)
        assert held(standby, late) == 1, "in the standby's file when the tablet is told"
        standby.stop()
        ask = {"salle": "A01", "code": later, "client_id": str(uuid.uuid4())}
        answer = tablet.call("apercu", ask, timeout=30)
        assert (answer["ok"], answer["http"], answer["verdict"]) == (False, 503, "secours_injoignable")
        assert "renverra toute seule" in answer["message"]
        assert main.day.journal.one("SELECT COUNT(*) AS n FROM events WHERE candidat = ?", [later])["n"] == 1
        back = LiveServer(site["copy"], clock, config={"SECOURS": {"principal": main.url}}, port=site["port"])
        site["standby"] = back
        replay = tablet.call("apercu", ask, timeout=30)
        assert (replay["verdict"], replay["rejoue"]) == ("portes_fermees", True)
        assert held(back, later) == 1
    finally:
        tablet.disconnect()
