"""Each site reads the other sites' journals: a convocation already used at another site is caught at the door,
naming that site; with the link down the door says the other sites cannot be checked, and never blocks (issue 15,
slice 3)."""

from __future__ import annotations

from tests.helpers.api import admit
from tests.helpers.day import candidats
from tests.helpers.waiting import wait_for


def known_at(server, numero: str):
    return server.day.journal.one("SELECT * FROM reseau_presences WHERE numero = ?", [numero])


def test_a_convocation_used_at_montreuil_is_caught_at_pantins_door_naming_montreuil(network):
    pantin, montreuil = network.sites["PANTIN"], network.sites["MONTREUIL"]
    numero = candidats(montreuil.day, "M1", 1)[0]
    admit(montreuil.client("surveillant_m1"), "M1", [numero])
    entry = wait_for(lambda: known_at(pantin, numero), 30, "Montreuil's admission read at Pantin")
    assert (entry["site"], entry["salle"]) == ("MONTREUIL", "M1")
    answer = pantin.client("surveillant").scan("A01", numero, "cni")
    assert answer["verdict"] == "deja_present" and not answer["ok"] and answer["ailleurs"] is True
    assert "Convocation déjà utilisée" in answer["message"] and "Maison des examens" in answer["message"]
    assert "Ne laissez pas entrer" in answer["message"]
    alert = pantin.day.journal.one("SELECT * FROM alerts WHERE kind = 'convocation_deja_utilisee'")
    assert "déjà entré à 8 h 40 en M1, site MONTREUIL" in alert["message"]
    assert pantin.day.journal.one("SELECT COUNT(*) AS n FROM presences")["n"] == 0, "nobody admitted at Pantin"
    wait_for(lambda: montreuil.app.extensions["salle.autres_sites"].unchecked() is None, 10, "Montreuil linked")
    wait_for(lambda: pantin.app.extensions["salle.autres_sites"].read >= 2, 10, "Montreuil's events read")
    assert not pantin.app.extensions["salle.autres_sites"].refused


def test_with_the_siege_unreachable_the_door_says_other_sites_are_unchecked_and_still_admits(network):
    pantin, montreuil = network.sites["PANTIN"], network.sites["MONTREUIL"]
    used = candidats(montreuil.day, "M1", 1)[0]
    admit(montreuil.client("surveillant_m1"), "M1", [used])
    wait_for(lambda: known_at(pantin, used), 30, "Montreuil's admission read at Pantin")
    other_sites = pantin.app.extensions["salle.autres_sites"]
    network.hub.kill()  # the siège's server dies: no site can read the others
    unchecked = wait_for(other_sites.unchecked, 30, "the other sites unchecked at Pantin")
    assert unchecked == "hors liaison depuis 08 h 40"
    tablet = pantin.client("surveillant")
    fresh = candidats(pantin.day, "A01", 2)
    answer = tablet.scan("A01", fresh[0], "cni")
    assert answer["verdict"] == "admis" and answer["ok"], "never blocks"
    assert ("Les autres sites ne peuvent pas être vérifiés en ce moment (hors liaison depuis 08 h 40) : entrée non "
            "bloquée") in answer["message"]
    preview = tablet.scan("A01", fresh[1], None)  # the preview says it too
    assert preview["verdict"] == "admis" and "ne peuvent pas être vérifiés" in preview["message"]
    assert tablet.scan("A01", used, "cni")["verdict"] == "deja_present", "what was read before the cut still counts"
    network.hub.start()
    wait_for(lambda: other_sites.unchecked() is None, 30, "the other sites read again")
    answer = tablet.scan("A01", fresh[1], "cni")
    assert answer["verdict"] == "admis" and "ne peuvent pas" not in answer["message"]
