"""The door through the API on a real port: a convocation already used at another door (R4) is named and
alerted, and the wrong site after the closing is told where to go, not recorded late here (R1 before R3)."""

from tests.support import at, candidat_in


def test_a_convocation_used_at_montreuil_then_scanned_at_pantin_names_where_and_alerts_pantin(live, clock):
    montreuil, pantin = live.client("surveillant_m1"), live.client("surveillant")
    c = candidat_in(live.day, "M1", pieces_manquantes="")
    clock.set(at("08:41"))
    assert montreuil.scan("M1", c["numero"], "cni")["verdict"] == "admis"
    clock.set(at("09:02"))
    live.day.tick()  # the doors close at 9:00 meanwhile
    answer = pantin.scan("A01", c["numero"], "cni")
    assert answer["verdict"] == "deja_present" and answer["enregistre"] is True and answer["ailleurs"] is True
    assert "déjà entré(e) à 8 h 41, Amphithéâtre M1 — Maison des examens" in answer["message"]
    alert = live.day.journal.one("SELECT * FROM alerts WHERE candidat = ? AND kind = 'convocation_deja_utilisee'",
                                 [c["numero"]])
    assert alert["site"] == "PANTIN" and alert["salle"] == "A01" and alert["resolved_at"] is None
    assert "retenue à la porte" in alert["message"] and "8 h 41 en M1, site MONTREUIL" in alert["message"]
    presence = live.day.journal.one("SELECT * FROM presences WHERE numero = ?", [c["numero"]])
    assert presence["salle"] == "M1" and presence["entered_at"].startswith("2027-03-18T08:41")  # unchanged


def test_the_same_convocation_again_at_its_own_door_raises_no_alert(live):
    tablet = live.client("surveillant")
    c = candidat_in(live.day, "A01", pieces_manquantes="")
    tablet.scan("A01", c["numero"], "cni")
    answer = tablet.scan("A01", c["numero"], "cni")
    assert answer["verdict"] == "deja_present" and "rien à faire" in answer["message"]
    assert live.day.journal.one("SELECT COUNT(*) AS n FROM alerts")["n"] == 0


def test_the_wrong_site_after_the_closing_is_told_where_to_go_and_not_refused_late_here(live, clock):
    c = candidat_in(live.day, "M1", pieces_manquantes="")
    clock.set(at("09:05"))
    live.day.tick()
    answer = live.client("surveillant").scan("A01", c["numero"], "cni")
    assert answer["verdict"] == "mauvais_site" and "Maison des examens" in answer["message"]
    assert live.day.journal.one("SELECT COUNT(*) AS n FROM refus")["n"] == 0  # nothing late on Pantin's PV
