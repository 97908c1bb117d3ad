"""An oral afternoon through the real API (seed 004): the arrival at the waiting room by the door's scan, the jury's
decision on a lateness (R28), the tirage au sort and the second draw whatever the path (R30), the preparation and
the passage (R24), abandon (R25), renunciation (R32); garbage refused in French, nothing recorded."""

import threading
import time

import pytest

from salle.client import ApiClient
from tests.helpers.api import SIGNATURE, cid, refused, said_no
from tests.helpers.day import count, nothing_recorded
from tests.helpers.orals import oral_at
from tests.helpers.server import LiveServer

BASE = "/api/v1/oraux/O1"
SENTENCE = "Les candidats ne sont en aucun cas admis à procéder au tirage au sort d'un deuxième sujet."


def path(numero: str, action: str = "") -> str:
    return f"{BASE}/candidats/{numero}" + (f"/{action}" if action else "")


def draw(client, numero: str, **body) -> dict:
    return client.post(path(numero, "tirage"), {"temoin": "Mme Durand", "client_id": cid(), **body})


@pytest.fixture
def oral(oral_live, clock):
    """The waiting room's tablet (A01's surveillant, Pantin), the jurys J1 and J2; now 13:59."""
    clock.set(oral_at("13:59"))
    return oral_live.client("surveillant"), oral_live.client("jury_j1"), oral_live.client("jury_j2")


def test_a_jury_signs_in_and_sees_its_passages_of_the_day_R28(oral_live, oral):
    _, j1, _ = oral
    assert j1.get("/api/v1/me")["jury"] == "J1"
    listing = j1.get(f"{BASE}/jurys/J1/passages")
    assert (listing["libelle"], listing["salle"], listing["membres"]) == ("Jury 1", "O101", ["Mme Durand", "M. Petit"])
    assert [(p["candidat"]["numero"], p["convoque_a"], p["statut"]) for p in listing["passages"]] == [
        ("ATP27-00001", "2027-03-19T14:00:00", "attendu"), ("ATP27-00003", "2027-03-19T14:20:00", "attendu")]
    assert refused(lambda: j1.get(f"{BASE}/jurys/J2/passages"), 403)["message"].startswith("Vous n'avez pas accès")
    assert refused(lambda: j1.get(f"{BASE}/jurys/J9/passages"), 404)["code"] == "jury_inconnu"
    assert refused(lambda: j1.get("/api/v1/oraux/E1/jurys/J1/passages"), 404)["code"] == "epreuve_inconnue"


def test_the_whole_passage_arrival_draw_preparation_passage_R8_R24_R28_R30(oral_live, oral, clock):
    tablet, j1, _ = oral
    preview = tablet.scan("A01", "ATP27-00001", None)
    assert preview["verdict"] == "admis" and preview["a_confirmer"] and not preview["enregistre"]
    arrived = tablet.scan("A01", "ATP27-00001")
    assert arrived["verdict"] == "admis" and arrived["enregistre"] and "passage devant Jury 1, Salle O101" in \
        arrived["message"]
    assert tablet.scan("A01", "ATP27-00001")["verdict"] == "deja_present"
    clock.set(oral_at("14:00"))
    drawn = draw(j1, "ATP27-00001")
    assert drawn["ok"] and drawn["verdict"] == "tirage_enregistre" and drawn["sujet"] in range(1, 13)
    card = drawn["passage"]
    assert (card["statut"], card["tirage_a"], card["fin_preparation"], card["temoin"], card["tirage_mode"]) == (
        "en_preparation", "2027-03-19T14:00:00", "2027-03-19T14:20:00", "Mme Durand", "logiciel")
    clock.set(oral_at("14:19"))
    early = said_no(lambda: j1.post(path("ATP27-00001", "debut"), {"client_id": cid()}))
    assert early["code"] == "preparation_en_cours" and early["details"]["autorise_a_partir_de"] == \
        "2027-03-19T14:20:00"
    clock.set(oral_at("14:20"))
    started = j1.post(path("ATP27-00001", "debut"), {"client_id": cid()})
    assert started["verdict"] == "passage_commence" and started["passage"]["fin_passage_prevue"] == \
        "2027-03-19T14:40:00"
    clock.set(oral_at("14:38"))
    ended = j1.post(path("ATP27-00001", "fin"), {"client_id": cid()})
    assert ended["passage"]["statut"] == "termine" and ended["passage"]["fin_passage"] == "2027-03-19T14:38:00"
    assert [count(oral_live.day, t) for t in ("arrivee_oral", "tirage_sujet", "passage_debut", "passage_fin")] == [
        1, 1, 1, 1]


def test_a_second_draw_is_refused_with_the_reglement_sentence_whatever_the_path_R30(oral_live, oral, clock):
    tablet, j1, _ = oral
    tablet.scan("A01", "ATP27-00001")
    first = draw(j1, "ATP27-00001")
    responsable, admin = oral_live.client("responsable"), oral_live.client("admin")
    with nothing_recorded(oral_live.day):
        for again in (lambda: draw(j1, "ATP27-00001"), lambda: draw(j1, "ATP27-00001", mode="papier", sujet=3),
                      lambda: draw(responsable, "ATP27-00001"), lambda: draw(admin, "ATP27-00001")):
            refusal = said_no(again)
            assert refusal["code"] == "deuxieme_tirage" and refusal["message"].startswith(SENTENCE)
            assert refusal["details"]["regle"] == "R30" and refusal["details"]["sujet"] == first["sujet"]
    body = {"temoin": "Mme Durand", "client_id": "retry-tirage-0001"}
    assert j1.post(path("ATP27-00003", "tirage"), body)["verdict"] == "non_present"


def test_two_tablets_drawing_at_once_get_one_subject_and_one_refusal_R30(oral_live, oral, clock):
    tablet, j1, _ = oral
    tablet.scan("A01", "ATP27-00005")
    clients = [oral_live.client("jury_j2"), oral_live.client("responsable")]
    answers, ready = [], threading.Barrier(len(clients))

    def one(client):
        ready.wait()
        answers.append(draw(client, "ATP27-00005"))

    threads = [threading.Thread(target=one, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert sorted(a["verdict"] for a in answers) == ["deuxieme_tirage", "tirage_enregistre"]
    assert count(oral_live.day, "tirage_sujet") == 1


def test_a_retried_draw_gets_the_first_answer_not_a_second_subject_R30(oral_live, oral):
    tablet, j1, _ = oral
    tablet.scan("A01", "ATP27-00001")
    body = {"temoin": "Mme Durand", "client_id": "retry-tirage-0001"}
    first = j1.post(path("ATP27-00001", "tirage"), body)
    again = j1.post(path("ATP27-00001", "tirage"), body)
    assert again["rejoue"] is True and again["sujet"] == first["sujet"]
    assert count(oral_live.day, "tirage_sujet") == 1


def test_a_paper_draw_is_entered_with_its_witness_R30(oral_live, oral):
    tablet, j1, _ = oral
    tablet.scan("A01", "ATP27-00001")
    drawn = draw(j1, "ATP27-00001", mode="papier", sujet=11, temoin="M. Petit")
    assert drawn["sujet"] == 11 and drawn["passage"]["tirage_mode"] == "papier"
    assert drawn["passage"]["temoin"] == "M. Petit"


def test_a_late_candidat_is_recorded_and_the_jury_decides_by_whom_and_when_R28(oral_live, oral, clock):
    tablet, j1, _ = oral
    clock.set(oral_at("14:21"))  # ATP27-00003 is convoked at 14:20
    late = tablet.scan("A01", "ATP27-00003")
    assert late["verdict"] == "en_retard" and late["ok"] and late["enregistre"] and late["retard_minutes"] == 1
    assert "le jury (Jury 1, Salle O101) est prévenu et décide" in late["message"]
    card = j1.get(path("ATP27-00003"))
    assert card["statut"] == "en_retard" and card["retard"]
    assert said_no(lambda: draw(j1, "ATP27-00003"))["code"] == "decision_attendue"
    clock.set(oral_at("14:23"))
    decided = j1.post(path("ATP27-00003", "decision"), {"decision": "vu", "client_id": cid()})
    assert decided["ok"] and decided["passage"]["decision"] == "vu" and decided["passage"]["decision_a"] == \
        "2027-03-19T14:23:00"
    event = oral_live.day.journal.one("SELECT actor, role, server_time FROM events WHERE type = 'decision_retard'")
    assert (event["role"], event["server_time"]) == ("jury", "2027-03-19T14:23:00.000")
    assert said_no(lambda: j1.post(path("ATP27-00003", "decision"), {"decision": "absent", "client_id": cid()}))[
        "code"] == "deja_decide"
    assert draw(j1, "ATP27-00003")["ok"]


def test_the_jury_reports_a_late_candidat_to_a_later_slot_or_notes_an_absent_R28(oral_live, oral, clock):
    tablet, _, j2 = oral
    clock.set(oral_at("14:30"))
    tablet.scan("A01", "ATP27-00007")  # convoked 14:20
    body = {"decision": "reporte", "nouvelle_heure": "2027-03-19T18:00:00", "motif": "Panne RER, attestation",
            "client_id": cid()}
    over = said_no(lambda: j2.post(path("ATP27-00007", "decision"), body))
    assert over["code"] == "oraux_acheves"
    moved = j2.post(path("ATP27-00007", "decision"), {**body, "nouvelle_heure": "2027-03-19T17:00:00",
                                                       "client_id": cid()})
    assert moved["ok"] and moved["passage"]["statut"] == "reporte" and moved["passage"]["convoque_a"] == \
        "2027-03-19T17:00:00"
    clock.set(oral_at("16:59"))
    assert tablet.scan("A01", "ATP27-00007")["verdict"] == "admis"  # on time for the new slot
    clock.set(oral_at("14:31"))
    absent = j2.post(path("ATP27-00005", "decision"), {"decision": "absent", "client_id": cid()})
    assert absent["passage"]["statut"] == "absent"
    assert tablet.scan("A01", "ATP27-00005")["verdict"] == "passage_clos"


def test_abandon_signed_and_renunciation_countersigned_R25_R32(oral_live, oral, clock):
    tablet, j1, _ = oral
    tablet.scan("A01", "ATP27-00001")
    draw(j1, "ATP27-00001")
    gave_up = j1.post(path("ATP27-00001", "abandon"), {"signature": SIGNATURE, "client_id": cid()})
    assert gave_up["verdict"] == "abandon_enregistre" and gave_up["passage"]["statut"] == "abandon"
    assert said_no(lambda: j1.post(path("ATP27-00001", "debut"), {"client_id": cid()}))["code"] == "passage_clos"
    clock.set(oral_at("14:19"))
    tablet.scan("A01", "ATP27-00003")
    renounced = j1.post(path("ATP27-00003", "renonciation"), {"refus_de_signer": True, "client_id": cid()})
    assert renounced["verdict"] == "renonciation_enregistree" and renounced["passage"]["statut"] == "renonce"
    payload = oral_live.day.journal.one("SELECT payload FROM events WHERE type = 'renonciation'")["payload"]
    assert '"refus_de_signer": true' in payload


def test_who_may_act_on_a_passage_R27(oral_live, oral):
    tablet, j1, j2 = oral
    tablet.scan("A01", "ATP27-00001")
    montreuil, kiosk = oral_live.client("responsable_montreuil"), oral_live.client("kiosk")
    with nothing_recorded(oral_live.day):
        assert refused(lambda: draw(j2, "ATP27-00001"), 403)  # another jury
        assert refused(lambda: draw(tablet, "ATP27-00001"), 403)  # a surveillant of another room than P01 or O101
        assert refused(lambda: tablet.post(path("ATP27-00001", "decision"), {"decision": "vu", "client_id": cid()}),
                       403)
        assert refused(lambda: montreuil.get(path("ATP27-00001")), 403)
        assert refused(lambda: kiosk.get(path("ATP27-00001")), 403)
        assert refused(lambda: ApiClient(oral_live.url).get(path("ATP27-00001")), 401)
        assert refused(lambda: j1.post("/api/v1/salles/A01/scans", {"code": "ATP27-00003", "client_id": cid()}), 403)


@pytest.mark.parametrize("action, body, code, words", [
    ("decision", {"decision": "peut-etre"}, "decision_invalide", "Décision « peut-etre » inconnue"),
    ("decision", {"decision": "vu", "nouvelle_heure": "2027-03-19T17:00:00"}, "heure_invalide", "ne va qu'avec"),
    ("decision", {"decision": "reporte", "nouvelle_heure": "demain"}, "heure_invalide", "ISO 8601"),
    ("decision", {"decision": 1}, "decision_invalide", "inconnue"),
    ("tirage", {"temoin": "Mme Durand", "mode": "papier"}, "sujet_invalide", "saisissez le numéro"),
    ("tirage", {"temoin": "Mme Durand", "sujet": 4}, "sujet_invalide", "pas de numéro"),
    ("tirage", {"temoin": "Mme Durand", "mode": "papier", "sujet": 99}, "sujet_invalide",
     "Sujet n° 99 inconnu : les sujets de l'épreuve O1 sont 1 à 12"),
    ("tirage", {"temoin": "Mme Durand", "mode": "papier", "sujet": "3"}, "sujet_invalide", "nombre entier"),
    ("tirage", {"temoin": "  "}, "temoin_manquant", "Témoin du tirage"),
    ("tirage", {"temoin": "x" * 201}, "temoin_manquant", "trop long"),
    ("tirage", {"temoin": "Mme Durand", "mode": "dés"}, "tirage_invalide", "logiciel ou papier"),
    ("abandon", {}, "signature_invalide", "Signature du candidat"),
    ("abandon", {"signature": [[{"x": "a", "y": 1}]]}, "signature_invalide", "tracez-la"),
    ("renonciation", {}, "signature_invalide", "contre-signature du candidat, ou « refus de signer »"),
    ("renonciation", {"signature": SIGNATURE, "refus_de_signer": True}, "signature_invalide", "refus de signer"),
    ("debut", {"client_id": "x"}, "client_id_invalide", "client_id"),
])
def test_garbage_is_refused_in_french_and_nothing_is_recorded(oral_live, oral, action, body, code, words):
    tablet, j1, _ = oral
    tablet.scan("A01", "ATP27-00001")
    with nothing_recorded(oral_live.day):
        error = refused(lambda: j1.post(path("ATP27-00001", action), {"client_id": cid(), **body}), 400)
    assert error["code"] == code and words in error["message"], error


def test_unknown_epreuve_candidat_or_passage_is_a_french_404(oral_live, oral):
    _, j1, _ = oral
    body = {"temoin": "Mme Durand", "client_id": cid()}
    with nothing_recorded(oral_live.day):
        assert refused(lambda: j1.post("/api/v1/oraux/O9/candidats/ATP27-00001/tirage", body), 404)["code"] == \
            "epreuve_inconnue"
        assert refused(lambda: j1.post("/api/v1/oraux/E1/candidats/ATP27-00001/tirage", body), 404)["message"] == \
            "L'épreuve E1 n'est pas un oral."
        assert refused(lambda: j1.post(path("ATP27-99999", "tirage"), body), 404)["code"] == "candidat_inconnu"
        assert refused(lambda: j1.post(path("ATP27-00002", "tirage"), body), 404)["code"] == "passage_inconnu"
        status, answer = j1.request("POST", path("ATP27-00001", "tirage"), None, check=False)
        assert status == 400 and answer["erreur"]["code"] == "json_invalide"


def test_the_timers_are_journaled_times_that_survive_a_server_restart_R24(oral_live, oral, clock, demo_files):
    tablet, j1, _ = oral
    tablet.scan("A01", "ATP27-00001")
    clock.set(oral_at("14:02"))
    draw(j1, "ATP27-00001")
    before = j1.get(path("ATP27-00001"))
    oral_live.stop()
    again = LiveServer(demo_files / "salle.db", clock)
    try:
        client = again.client("jury_j1")
        after = client.get(path("ATP27-00001"))
        assert after == {**before, "heure_serveur": after["heure_serveur"]}
        assert after["fin_preparation"] == "2027-03-19T14:22:00"
    finally:
        again.stop()


def test_the_jury_calls_a_candidat_and_the_waiting_room_reads_the_numero_never_the_name_R27(oral_live, oral, clock):
    tablet, j1, _ = oral
    tablet.scan("A01", "ATP27-00001")
    screen = oral_live.client("affichage")
    assert screen.get("/api/v1/affichage/appels")["appels"] == []
    called = j1.post(path("ATP27-00001", "appel"), {"client_id": cid()})
    assert called["verdict"] == "appel_enregistre"
    board = screen.get("/api/v1/affichage/appels")
    assert board["appels"] == [{"numero": "ATP27-00001", "jury": "J1", "jury_libelle": "Jury 1",
                                "salle_libelle": "Salle O101", "heure": "2027-03-19T13:59:00"}]
    name = oral_live.day.journal.one("SELECT nom FROM candidats WHERE numero = 'ATP27-00001'")["nom"]
    assert name not in str(board)
    assert refused(lambda: screen.get(path("ATP27-00001")), 403)  # the screen reads the calls only
    assert refused(lambda: screen.get("/api/v1/affichage/appels?site=MONTREUIL"), 403)
    assert said_no(lambda: j1.post(path("ATP27-00003", "appel"), {"client_id": cid()}))["code"] == "non_present"


def test_the_waiting_room_shows_how_late_each_jury_runs(oral_live, oral, clock):
    tablet, j1, _ = oral
    screen = oral_live.client("affichage")
    tablet.scan("A01", "ATP27-00001")  # convoked 14:00: before the jury from 14:20
    draw(j1, "ATP27-00001")
    clock.set(oral_at("14:31"))
    delays = {r["jury"]: r["retard_minutes"] for r in screen.get("/api/v1/affichage/appels")["retards"]}
    assert delays == {"J1": 11, "J2": 11}  # J2's first candidat never came: its passage was due at 14:20
    j1.post(path("ATP27-00001", "debut"), {"client_id": cid()})
    assert screen.get("/api/v1/affichage/appels")["retards"][0]["retard_minutes"] == 11


def test_auditeurs_admitted_with_the_agreement_and_within_the_limit_R29(oral_live, oral):
    tablet, j1, _ = oral
    tablet.scan("A01", "ATP27-00001")
    body = {"nombre": 2, "accord_candidat": True, "demande_ecrite": True}
    assert j1.post(path("ATP27-00001", "auditeurs"), {**body, "client_id": cid()})["verdict"] == "auditeurs_admis"
    assert said_no(lambda: j1.post(path("ATP27-00001", "auditeurs"), {**body, "accord_candidat": False,
                                                                       "client_id": cid()}))["code"] == \
        "accord_candidat_requis"
    with nothing_recorded(oral_live.day):
        assert refused(lambda: j1.post(path("ATP27-00001", "auditeurs"), {**body, "nombre": 0, "client_id": cid()}),
                       400)["code"] == "nombre_invalide"
        assert refused(lambda: tablet.post(path("ATP27-00001", "auditeurs"), {**body, "client_id": cid()}), 403)


def test_a_fraud_is_ruled_by_the_jury_and_an_incident_recorded_by_the_room_R31_R33(oral_live, oral):
    tablet, j1, _ = oral
    tablet.scan("A01", "ATP27-00001")
    fraud = {"type": "fraude", "texte": "Téléphone consulté pendant la préparation", "decision": "averee"}
    ruled = j1.post(path("ATP27-00001", "incidents"), {**fraud, "client_id": cid()})
    assert ruled["verdict"] == "incident_oral_enregistre" and "éviction" in ruled["message"]
    assert said_no(lambda: j1.post(path("ATP27-00001", "incidents"), {**fraud, "decision": None,
                                                                       "client_id": cid()}))["code"] == \
        "decision_fraude_requise"
    with nothing_recorded(oral_live.day):
        assert refused(lambda: tablet.post(path("ATP27-00001", "incidents"), {**fraud, "client_id": cid()}), 403)
        assert refused(lambda: j1.post(path("ATP27-00001", "incidents"), {"type": "enregistrement", "texte": "x",
                                                                           "decision": "averee",
                                                                           "client_id": cid()}), 400)
        assert refused(lambda: j1.post(path("ATP27-00001", "incidents"), {"type": "bavardage", "texte": "x",
                                                                           "client_id": cid()}), 400)[
            "code"] == "type_invalide"


def test_the_doorkeeper_closes_no_doors_at_an_oral_R28(oral_live, oral, clock):
    tablet, _, _ = oral
    clock.set(oral_at("15:00"))  # the épreuve's doors_close time (14:00) has passed
    oral_live.tick()  # closes the written épreuves' doors of the day before, not the oral's
    assert oral_live.day.journal.one("SELECT COUNT(*) AS n FROM events WHERE type = 'portes_fermees' AND "
                                     "epreuve = 'O1'")["n"] == 0
    assert count(oral_live.day, "portes_fermees") == 4
    assert tablet.scan("A01", "ATP27-00003")["verdict"] == "en_retard"  # recorded late, not refused (R3 is written)


def test_the_responsable_follows_each_jury_of_the_site(oral_live, oral, clock):
    tablet, j1, _ = oral
    tablet.scan("A01", "ATP27-00001")
    draw(j1, "ATP27-00001")
    resp = oral_live.client("responsable")
    suivi = {j["jury"]: j for j in resp.get(f"{BASE}/suivi")["jurys"]}
    assert (suivi["J1"]["total"], suivi["J1"]["en_attente"], suivi["J1"]["etats"]["en_preparation"]) == (2, 1, 1)
    assert suivi["J2"]["etats"]["attendu"] == 2
    assert suivi["J1"]["preparation"] == [{"numero": "ATP27-00001", "fin": "2027-03-19T14:19:00"}]
    assert (suivi["J1"]["attente"], suivi["J1"]["appele"]) == ([], None)
    assert suivi["J1"]["suivant"] == {"numero": "ATP27-00001", "convoque_a": "2027-03-19T14:00:00",
                                      "statut": "en_preparation"}
    assert j1.post(path("ATP27-00001", "appel"), {"client_id": cid()})["ok"]
    tablet.scan("A01", "ATP27-00003")
    suivi = {j["jury"]: j for j in resp.get(f"{BASE}/suivi")["jurys"]}
    assert suivi["J1"]["appele"]["numero"] == "ATP27-00001"
    assert [w["numero"] for w in suivi["J1"]["attente"]] == ["ATP27-00003"]
    assert suivi["J1"]["suivant"]["numero"] == "ATP27-00003"  # the called one is no longer « next »
    assert refused(lambda: oral_live.client("responsable_montreuil").get(f"{BASE}/suivi?site=PANTIN"), 403)
    assert refused(lambda: j1.get(f"{BASE}/suivi"), 403)


def test_the_demo_oral_afternoon_runs_beside_the_written_one(tmp_path):
    """`salle demo`'s day (demo.build with orals): at 14:05 A01 works for E2 and the waiting room P01 for O1."""
    from datetime import datetime

    from salle import demo
    from salle.clock import FixedClock
    from tests.helpers.day import CODES

    db = demo.build(tmp_path, 300, orals=True)
    server = LiveServer(db, FixedClock(datetime(2027, 3, 18, 14, 5)))
    try:
        waiting = ApiClient(server.url)
        waiting.login("30005517", device="test-p01")
        assert waiting.scan("P01", "ATP27-09001")["verdict"] == "en_retard"  # convoked 14:00, J1
        assert waiting.scan("P01", "ATP27-09003")["verdict"] == "admis"  # convoked 14:20
        assert server.client("surveillant").scan("A01", "ATP27-00133")["epreuve"] == "E2"
        j1 = ApiClient(server.url)
        j1.login("50001234", device="test-j1")
        listing = j1.get("/api/v1/oraux/O1/jurys/J1/passages")["passages"]
        assert [p["candidat"]["numero"] for p in listing][:3] == ["ATP27-09001", "ATP27-09003", "ATP27-09005"]
        assert CODES["affichage"] == "60001234"  # the demo's screen code is the tests' one
    finally:
        server.stop()


def test_the_waiting_room_tablet_lists_the_candidats_expected_at_the_site_by_time_R28(oral_live, oral):
    tablet, j1, _ = oral
    tablet.scan("A01", "ATP27-00001")
    draw(j1, "ATP27-00001")
    listing = tablet.get("/api/v1/salles/A01/candidats")["candidats"]
    assert [(c["numero"], c["statut"], c["oral"]["statut"], c["oral"]["jury"]) for c in listing] == [
        ("ATP27-00001", "present", "en_preparation", "J1"), ("ATP27-00005", "attendu", "attendu", "J2"),
        ("ATP27-00003", "attendu", "attendu", "J1"), ("ATP27-00007", "attendu", "attendu", "J2")]
    assert listing[0]["piece_identite"] == "cni" and listing[0]["oral"]["sujet"] in range(1, 13)


def test_the_waiting_room_bar_counts_the_oral_expected_arrived_and_gone_R28(oral_live, oral):
    tablet, j1, _ = oral
    tablet.scan("A01", "ATP27-00001")
    j1.post(path("ATP27-00001", "abandon"), {"signature": SIGNATURE, "client_id": cid()})
    tablet.scan("A01", "ATP27-00005")
    bar = tablet.get("/api/v1/salles/A01")
    assert (bar["epreuve"]["type"], bar["attendus"], bar["presents"], bar["sortis"], bar["absents"]) == (
        "oral", 4, 1, 1, 2)
    assert bar["portes"]["fermees"] is False and bar["fin"] == "2027-03-19T18:00:00"


def test_a_late_arrival_waits_on_the_console_alerts_until_the_jury_decides_R28(oral_live, oral, clock):
    tablet, j1, _ = oral
    resp = oral_live.client("responsable")
    clock.set(oral_at("14:24"))
    tablet.scan("A01", "ATP27-00003")
    alerts = resp.get("/api/v1/alertes")["alertes"]
    assert [(a["type"], a["candidat"]) for a in alerts] == [("retard_oral", "ATP27-00003")]
    assert "arrivé(e) à 14 h 24 (4 min) : le jury J1 (O101) décide" in alerts[0]["message"]
    j1.post(path("ATP27-00003", "decision"), {"decision": "vu", "client_id": cid()})
    assert resp.get("/api/v1/alertes")["alertes"] == []
    assert resp.get("/api/v1/alertes?toutes=1")["alertes"][0]["resolution"] == "Décision du jury : vu"


def test_an_arrival_checked_offline_is_recorded_at_the_time_it_was_seen_R28(oral_live, oral, clock):
    tablet, j1, _ = oral
    clock.set(oral_at("14:10"))  # received at 14:10; seen at 13:58, before the 14:00 convocation
    answer = tablet.scan("A01", "ATP27-00001", heure_constatee="2027-03-19T13:58:00",
                         derniere_liaison="2027-03-19T13:55:00")
    assert answer["verdict"] == "admis" and answer["enregistre"]
    assert j1.get(path("ATP27-00001"))["arrivee"] == "2027-03-19T13:58:00"


def test_the_subject_given_back_is_journaled_by_whom_and_when_once_R31(oral_live, oral, clock):
    tablet, j1, _ = oral
    tablet.scan("A01", "ATP27-00001")
    with nothing_recorded(oral_live.day):
        early = said_no(lambda: j1.post(path("ATP27-00001", "sujet-rendu"), {"client_id": cid()}))
    assert early["code"] == "pas_de_sujet_tire" and "rien à rendre" in early["message"]
    sujet = draw(j1, "ATP27-00001")["sujet"]
    clock.set(oral_at("14:40"))
    back = j1.post(path("ATP27-00001", "sujet-rendu"), {"client_id": cid()})
    assert back["ok"] and back["verdict"] == "sujet_rendu" and back["message"] == f"Sujet n° {sujet} rendu au jury."
    assert back["passage"]["sujet_rendu_a"] == "2027-03-19T14:40:00" and not back["passage"]["sujet_manquant"]
    event = oral_live.day.journal.one("SELECT actor, server_time, payload FROM events WHERE type = 'sujet_rendu'")
    drew = oral_live.day.journal.one("SELECT actor FROM events WHERE type = 'tirage_sujet'")["actor"]
    assert event["server_time"].startswith("2027-03-19T14:40:00") and event["actor"] == drew  # Jury 1's member
    with nothing_recorded(oral_live.day):
        again = said_no(lambda: j1.post(path("ATP27-00001", "sujet-rendu"), {"client_id": cid()}))
    assert again["code"] == "sujet_deja_rendu" and again["message"] == f"Le sujet n° {sujet} a déjà été rendu à 14 h 40."
    with nothing_recorded(oral_live.day):
        assert refused(lambda: j1.post(path("ATP27-00005", "sujet-rendu"), {"client_id": cid()}), 403)


def test_the_jurys_acts_reach_the_tablets_of_the_orals_site_only_R28(oral_live, oral):
    """Socket.IO clients: a call and a draw by Jury 1 push the summary of each connected surveillant's salle at
    Pantin working for O1 (its tablet then reads its list again); Montreuil's tablet hears nothing of it."""
    from tests.helpers.server import Listener

    tablet, j1, _ = oral
    tablet.scan("A01", "ATP27-00001")
    a01, b12, m1 = (Listener(oral_live, role) for role in ("surveillant", "surveillant_b12", "surveillant_m1"))
    try:
        time.sleep(0.3)  # the arrival's own summary (A01) is past
        for listener in (a01, b12, m1):
            while not listener.states.empty():
                listener.states.get()
        assert j1.post(path("ATP27-00001", "appel"), {"client_id": cid()})["ok"]
        for listener, salle in ((a01, "A01"), (b12, "B12")):
            summary = listener.states.get(timeout=5)
            assert (summary["salle"], summary["epreuve"]["code"], summary["epreuve"]["type"]) == (salle, "O1", "oral")
        draw(j1, "ATP27-00001")
        assert a01.states.get(timeout=5)["presents"] == 1
        time.sleep(0.5)
        assert m1.states.empty()
    finally:
        for listener in (a01, b12, m1):
            listener.close()  # about 3 s each against the development server, as in test_live_events
