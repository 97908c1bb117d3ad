"""End to end through the real server: sign in, scan, admitted and recorded as present."""

from tests.helpers.day import candidat_in


def test_scan_admitted_end_to_end(live):
    tablet = live.client("surveillant")
    c = candidat_in(live.day, "A01", pieces_manquantes="")
    answer = tablet.scan("A01", c["numero"], "cni")
    assert answer["verdict"] == "admis" and answer["enregistre"] is True
    assert answer["candidat"]["place"] == c["place"]
    assert answer["repetition"] is True
    state = tablet.get("/api/v1/salles/A01")
    assert state["presents"] == 1
