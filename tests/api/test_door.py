"""The door through the API on a real port: a convocation already used at another door (R4) is named and
alerted, and the wrong site after the closing is told where to go, not recorded late here (R1 before R3)."""

from tests.helpers.day import at, candidat_in


def test_a_convocation_used_at_montreuil_then_scanned_at_pantin_names_where_and_alerts_pantin(live, clock):
    montreuil, pantin = live.client("surveillant_m1"), live.client("surveillant")
    c = candidat_in(live.day, "M1", pieces_manquantes="")
    clock.set(at("08:41"))
    assert montreuil.scan("M1", c["numero"], "cni")["verdict"] == "admis"
    clock.set(at("09:02"))
    live.tick()  # the doors close at 9:00 meanwhile
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
    live.tick()
    answer = live.client("surveillant").scan("A01", c["numero"], "cni")
    assert answer["verdict"] == "mauvais_site" and "Maison des examens" in answer["message"]
    assert live.day.journal.one("SELECT COUNT(*) AS n FROM refus")["n"] == 0  # nothing late on Pantin's PV


def test_the_candidate_card_says_what_applies_now_and_from_when(live, clock):
    from tests.helpers.api import emarge

    tablet, resp = live.client("surveillant"), live.client("responsable")
    clock.set(at("13:50"))
    c = candidat_in(live.day, "A01", pieces_manquantes="", tiers_temps=0)
    assert tablet.scan("A01", c["numero"], "passeport")["verdict"] == "admis"
    card = tablet.get(f"/api/v1/salles/A01/candidats/{c['numero']}")
    assert card["statut"] == "present" and card["piece_identite"] == "passeport"
    assert card["entree"].startswith("2027-03-18T13:50") and card["fin"] == "2027-03-18T15:30:00"
    assert card["actions"]["emargement"]["possible"] is False  # the subject is not open yet (R9)
    clock.set(at("14:00"))
    resp.post("/api/v1/epreuves/E2/sites/PANTIN/debut", {"client_id": "debut-e2-pantin"})
    clock.set(at("14:30"))
    emarge(tablet, "A01", c["numero"])
    card = tablet.get(f"/api/v1/salles/A01/candidats/{c['numero']}")
    assert card["emargement"] and card["copies"] == 1
    sortie = card["actions"]["sortie"]  # a 1 h 30 sujet commun: no exit before its end (R15, R18)
    assert sortie["possible"] is False and sortie["a_partir_de"] == "2027-03-18T15:30:00"
    assert card["actions"]["toilettes"]["possible"] is True


def test_the_candidate_card_of_another_salle_or_an_unknown_numero_is_refused(live):
    from tests.helpers.api import refused

    tablet = live.client("surveillant")
    other = candidat_in(live.day, "B12")
    assert refused(lambda: tablet.get(f"/api/v1/salles/A01/candidats/{other['numero']}"), 404)["code"] == \
        "candidat_inconnu"
    assert refused(lambda: tablet.get("/api/v1/salles/A01/candidats/ATP27-99999"), 404)
    assert refused(lambda: live.client("surveillant_b12").get(f"/api/v1/salles/A01/candidats/{other['numero']}"), 403)


def test_the_salle_list_is_in_french_order_with_refusals_and_homonyms_told_apart(live, clock):
    from salle.collation import french_key

    tablet = live.client("surveillant")
    late = candidat_in(live.day, "A01", pieces_manquantes="")
    clock.set(at("09:05"))
    live.tick()
    tablet.scan("A01", late["numero"], "cni")
    rows = tablet.get("/api/v1/salles/A01/candidats")["candidats"]
    names = [(r["nom"], r["prenom"]) for r in rows]
    assert names == sorted(names, key=lambda n: (french_key(n[0]), french_key(n[1])))
    celik = [i for i, r in enumerate(rows) if r["nom"].startswith("Ç")]
    assert celik and all(rows[i - 1]["nom"][0] in "CÇ" for i in celik)  # among the C, not after Z
    refused_row = next(r for r in rows if r["numero"] == late["numero"])
    assert refused_row["statut"] == "refuse" and refused_row["refus"]["verdict"] == "portes_fermees"
    assert all("date_naissance" not in r for r in rows if sum(1 for x in rows if x["nom"] == r["nom"]
                                                              and x["prenom"] == r["prenom"]) == 1)


def test_two_homonyms_are_told_apart_by_their_date_of_birth_in_the_search(day, demo_files, clock):
    from tests.helpers.day import add_candidats
    from tests.helpers.server import LiveServer

    add_candidats(day, demo_files, ["ATP27-09001;MARTIN;;Léa;03/04/1990;PANTIN;;;non;",
                                    "ATP27-09002;Martin;;Lea;11/12/1988;PANTIN;;;non;"])
    day.close()
    live = LiveServer(demo_files / "salle.db", clock)
    try:
        tablet = live.client("surveillant")
        found = tablet.get("/api/v1/salles/A01/recherche?q=martin%20lea")["candidats"]
        births = {c["numero"]: c.get("date_naissance") for c in found if c["numero"].startswith("ATP27-090")}
        assert births == {"ATP27-09001": "1990-04-03", "ATP27-09002": "1988-12-11"}
    finally:
        live.stop()
