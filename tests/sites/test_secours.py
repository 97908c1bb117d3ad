"""The site's standby laptop (issue 15): a live copy of the site's journal from its JetStream stream, each link
checked, the same state as the main's; promoted by the responsable, it serves the door on the same journal."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
import requests

from salle.client import ApiError
from salle.journal import verify_chain
from salle.pv import build_pv
from salle.state.queries import alerts, salle_summary
from tests.helpers.api import admit
from tests.helpers.day import CODES, candidats
from tests.helpers.pdf import pdf_text
from tests.helpers.server import LiveServer
from tests.helpers.sites import journal_events, site_day, standby_copy, wait_caught_up


@pytest.fixture
def site(tmp_path, nats_pantin, clock):
    """Pantin's main server publishing to its nats-server, and its standby laptop copying the stream."""
    main_db = site_day(tmp_path / "pantin", "PANTIN", nats_pantin.url, clock)
    copy = standby_copy(main_db, tmp_path / "secours")
    main = LiveServer(main_db, clock)
    standby = LiveServer(copy, clock, config={"SECOURS": {"principal": main.url}})
    yield main, standby
    standby.stop()
    main.stop()


def assert_same_state(standby, main) -> None:
    assert journal_events(standby.day) == journal_events(main.day), "the same events, byte for byte"
    day, copy = main.day, standby.day
    epreuve, now = day.epreuve_for(None), day.clock.now()
    for salle in day.session.salles_of("PANTIN"):
        own = salle_summary(day.journal.reader(), salle, epreuve, now)
        kept = salle_summary(copy.journal.reader(), salle, epreuve, now)
        assert kept.keys() == own.keys()
        for field in own:
            assert kept[field] == own[field], f"{salle.code}: {field}"
    assert alerts(copy.journal.reader(), site="PANTIN") == alerts(day.journal.reader(), site="PANTIN")


def test_the_standby_keeps_a_live_copy_whose_state_equals_the_mains_field_by_field(site):
    main, standby = site
    tablet = main.client("surveillant")
    admit(tablet, "A01", candidats(main.day, "A01", 6))
    tablet.scan("A01", candidats(main.day, "A01", 1)[0], "cni")  # deja_present: a refusal journaled, an alert
    admit(main.client("surveillant_b12"), "B12", candidats(main.day, "B12", 3))
    wait_caught_up(standby, main, "the standby's copy caught up")
    assert_same_state(standby, main)
    assert verify_chain(standby.day.db_path)[0]
    state = standby.client().get("/api/v1/secours")
    assert (state["promu"], state["en_retard"], state["erreur"]) == (False, 0, None)
    assert state["copie_jusqu_a"] == main.day.journal.head_seq


def test_before_its_promotion_the_standby_records_nothing_but_the_copy(site):
    main, standby = site
    token = main.client("surveillant").token  # a sign-in at the main reaches the standby with the journal
    wait_caught_up(standby, main, "the sign-in copied")
    moved = standby.client()
    moved.token = token
    with pytest.raises(ApiError) as refused:
        moved.scan("A01", candidats(main.day, "A01", 1)[0], "cni")
    assert refused.value.status == 503 and refused.value.body["erreur"]["code"] == "secours_non_promu"
    assert "promu" in refused.value.body["erreur"]["message"]
    with pytest.raises(ApiError) as login:
        standby.client().login(CODES["surveillant"])
    assert login.value.status == 503
    assert journal_events(standby.day) == journal_events(main.day), "nothing of its own in the copy"


def promote(standby, token: str | None = None, **body) -> tuple[int, dict]:
    client = standby.client()
    client.token = token
    return client.request("POST", "/api/v1/secours/promotion", {"confirme": True, **body}, check=False)


def test_promoted_after_the_mains_death_the_standby_serves_the_door_on_the_same_journal(site):
    main, standby = site
    tablet, responsable = main.client("surveillant"), main.client("responsable")
    numeros = candidats(main.day, "A01", 4)
    seen = tablet.post("/api/v1/salles/A01/scans", {"code": numeros[0], "piece_identite": "cni",
                                                   "client_id": "tablette-1"})
    wait_caught_up(standby, main, "the copy caught up")
    status, refused = promote(standby, responsable.token)
    assert status == 409 and refused["erreur"]["code"] == "principal_actif"
    assert "répond encore" in refused["erreur"]["message"]
    last = journal_events(main.day)[-1]
    main.stop()  # the main laptop dies
    status, done = promote(standby, responsable.token)
    assert status == 200 and done["verdict"] == "promu", done
    promotion = journal_events(standby.day)[-1]
    assert (promotion["type"], promotion["actor"], promotion["seq"]) == ("secours_promu", "P002", last["seq"] + 1)
    assert promotion["prev_hash"] == last["hash"], "the chain goes on from the main's last event"
    moved = standby.client()
    moved.token = tablet.token  # the tablet's sign-in at the main is valid here
    replay = moved.post("/api/v1/salles/A01/scans", {"code": numeros[0], "piece_identite": "cni",
                                                    "client_id": "tablette-1"})
    assert replay["rejoue"] and replay["verdict"] == seen["verdict"] == "admis", "answered, not recorded twice"
    admit(moved, "A01", numeros[1:])
    assert verify_chain(standby.day.db_path)[0]
    assert standby.day.journal.one("SELECT COUNT(*) AS n FROM events WHERE type = 'scan'")["n"] == 4
    assert standby.client().get("/api/v1/secours")["promu"]


def test_a_promotion_is_refused_in_french_to_a_surveillant_twice_unconfirmed_or_with_a_wrong_code(site):
    main, standby = site
    surveillant = main.client("surveillant").token
    wait_caught_up(standby, main, "the sign-in copied")
    head = standby.day.journal.head
    status, answer = promote(standby, surveillant, forcer=True)
    assert status == 403 and "Seul un responsable du site PANTIN" in answer["erreur"]["message"]
    status, answer = promote(standby, code="99999999", forcer=True)
    assert status == 401 and answer["erreur"]["code"] == "code_inconnu"
    status, answer = promote(standby, code=CODES["responsable"], forcer=True, confirme=False)
    assert status == 409 and answer["erreur"]["code"] == "confirmation_manquante"
    assert standby.day.journal.head == head, "nothing recorded"
    status, answer = promote(standby, code=CODES["responsable"], forcer=True)  # the main answers: forced
    assert status == 200
    event = journal_events(standby.day)[-1]
    assert event["actor"] == "P002" and '"force": true' in event["payload"] and '"principal_repond": true' in \
        event["payload"]
    status, answer = promote(standby, code=CODES["responsable"], forcer=True)
    assert status == 409 and answer["erreur"]["code"] == "deja_promu" and "déjà été promu" in \
        answer["erreur"]["message"]


def test_a_standby_behind_the_stream_is_not_promoted(site):
    main, standby = site
    wait_caught_up(standby, main, "the copy caught up")
    copy = standby.app.extensions["salle.secours"]
    copy.known = standby.day.journal._next_seq + 2  # as if the stream held three events not copied yet
    status, answer = promote(standby, code=CODES["responsable"], forcer=True)
    assert status == 409 and answer["erreur"]["code"] == "copie_en_retard"
    assert "3 événement(s) de retard" in answer["erreur"]["message"]


def test_a_standby_whose_copy_has_a_broken_chain_is_not_promoted(tmp_path, nats_pantin, clock):
    import sqlite3

    copy = standby_copy(site_day(tmp_path / "pantin", "PANTIN", nats_pantin.url, clock), tmp_path / "secours")
    conn = sqlite3.connect(copy)
    conn.execute("UPDATE events SET actor = 'quelqu_un' WHERE seq = 2")  # the copy altered on its disk
    conn.commit()
    conn.close()
    standby = LiveServer(copy, clock, config={"SECOURS": {"principal": "http://127.0.0.1:9"}})
    try:
        state = standby.client().get("/api/v1/secours")
        assert "modifié" in state["erreur"]
        status, answer = promote(standby, code=CODES["responsable"])
        assert status == 409 and answer["erreur"]["code"] == "copie_rompue"
        assert "Promotion impossible" in answer["erreur"]["message"]
        assert standby.day.journal.one("SELECT MAX(seq) AS n FROM events")["n"] == 2
    finally:
        standby.stop()


def test_salle_secours_refuses_a_missing_file_and_a_day_without_reseau_in_french(tmp_path, clock):
    from click.testing import CliRunner

    from salle import demo
    from salle.cli import main as cli
    from salle.day import ExamDay

    runner = CliRunner()
    missing = runner.invoke(cli, ["secours", "--db", str(tmp_path / "absent.db"), "--principal", "http://x:8000"])
    assert missing.exit_code == 2 and "copiez-y le fichier du jour du serveur principal" in missing.output
    alone = tmp_path / "seul.db"
    day = ExamDay(alone, clock)
    day.load_session(demo.session_toml())
    day.close()
    no_reseau = runner.invoke(cli, ["secours", "--db", str(alone), "--principal", "http://x:8000"])
    assert no_reseau.exit_code == 2 and "pas de section [reseau]" in no_reseau.output


def take_back(standby, *files: Path, token: str | None = None, code: str | None = None) -> tuple[int, dict]:
    """The dead main's day file (and its « -wal »), dropped on the standby's page: multipart, field « journal »."""
    sent = [("journal", (f.name, f.read_bytes(), "application/octet-stream")) for f in files]
    r = requests.post(f"{standby.url}/api/v1/secours/reprise", files=sent, data={"code": code} if code else {},
                      headers={"Authorization": f"Bearer {token}"} if token else {}, timeout=30)
    return r.status_code, r.json()


def day_file_of(server, folder: Path) -> list[Path]:
    """What an administrator copies from the dead laptop's disk: the day file and its « -wal » when there is one."""
    folder.mkdir()
    source = Path(server.day.db_path)
    copied = [folder / source.name]
    shutil.copy(source, copied[0])
    if Path(f"{source}-wal").exists():
        copied.append(folder / f"{source.name}-wal")
        shutil.copy(f"{source}-wal", copied[1])
    return copied


def test_the_dead_mains_unpublished_scans_are_taken_back_once_each_at_their_time(site, nats_pantin, tmp_path):
    main, standby = site
    tablet, responsable = main.client("surveillant"), main.client("responsable")
    numeros = candidats(main.day, "A01", 5)
    admit(tablet, "A01", numeros[:1])
    wait_caught_up(standby, main, "the copy caught up")
    nats_pantin.stop()  # the site's nats-server goes first: what the main records now never leaves it
    for i, numero in enumerate(numeros[1:4], 1):
        answer = tablet.post("/api/v1/salles/A01/scans", {"code": numero, "piece_identite": "cni",
                                                          "client_id": f"tablette-{i}"})
        assert answer["verdict"] == "admis", answer  # acknowledged to the tablet
    at_main = {e["client_id"]: e for e in journal_events(main.day) if e["client_id"]}
    main.stop()  # then the main laptop dies
    status, done = promote(standby, responsable.token)
    assert status == 200, done
    moved = standby.client()
    moved.token = tablet.token
    assert moved.post("/api/v1/salles/A01/scans", {"code": numeros[3], "piece_identite": "cni",  # its queue
                                                   "client_id": "tablette-3"})["verdict"] == "admis"
    assert moved.post("/api/v1/salles/A01/scans", {"code": numeros[1], "piece_identite": "passeport",
                                                   "client_id": "tablette-9"})["verdict"] == "admis"  # again
    files = day_file_of(main, tmp_path / "cle-usb")
    before = journal_events(standby.day)

    status, taken = take_back(standby, *files, code=CODES["responsable"])
    assert status == 200 and taken["verdict"] == "repris", taken
    assert (taken["reprises"], taken["deja_la"], taken["a_verifier"]) == (2, 1, [numeros[1]])
    assert "2 action(s) du serveur principal reprise(s)" in taken["message"] and numeros[1] in taken["message"]
    after = journal_events(standby.day)
    added = after[len(before):]
    assert [e["client_id"] for e in added[:2]] == ["tablette-1", "tablette-2"]
    for event in added[:2]:
        kept = at_main[event["client_id"]]
        assert {k: event[k] for k in ("type", "payload", "candidat", "actor", "server_time")} == \
            {k: kept[k] for k in ("type", "payload", "candidat", "actor", "server_time")}, "at the time it happened"
    assert added[2]["type"] == "reprise_principal" and added[2]["actor"] == "P002"
    assert verify_chain(standby.day.db_path)[0]
    present = standby.day.journal.one("SELECT entered_at FROM presences WHERE numero = ?", [numeros[2]])
    assert present["entered_at"] == at_main["tablette-2"]["server_time"]
    replay = moved.post("/api/v1/salles/A01/scans", {"code": numeros[2], "piece_identite": "cni",
                                                     "client_id": "tablette-2"})
    assert replay["rejoue"], "a tablet replaying it now is answered, not recorded"

    pv = pdf_text(build_pv(standby.day, standby.day.epreuve_for(None).code, "PANTIN"))
    assert "Bascule sur le portable de secours" in pv and "(son journal reprend après" in pv  # a wrapped cell
    assert "Reprise du journal du serveur principal 08 h 40, par" in pv
    assert f"2 action(s) enregistrée(s) par lui et reprise(s) à leur heure ; état à vérifier : {numeros[1]}" in pv

    status, again = take_back(standby, *files, token=responsable.token)
    assert status == 200 and again["verdict"] == "rien_a_reprendre" and again["reprises"] == 0, again
    assert len(journal_events(standby.day)) == len(after), "the same file twice changes nothing"


def test_a_take_back_is_refused_in_french_before_the_promotion_to_a_surveillant_and_for_a_wrong_file(
        site, tmp_path, clock):
    main, standby = site
    tablet, responsable = main.client("surveillant"), main.client("responsable")
    admit(tablet, "A01", candidats(main.day, "A01", 2))
    wait_caught_up(standby, main, "the copy caught up")
    files = day_file_of(main, tmp_path / "cle-usb")
    status, early = take_back(standby, *files, code=CODES["responsable"])
    assert status == 409 and early["erreur"]["code"] == "secours_non_promu", early
    main.stop()
    assert promote(standby, responsable.token)[0] == 200
    before = journal_events(standby.day)

    garbage = tmp_path / "photo.sqlite"
    garbage.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    other = site_day(tmp_path / "autre", "PANTIN", "nats://127.0.0.1:1", clock)  # another laptop's day
    altered = tmp_path / "altere"
    altered.mkdir()
    shutil.copy(files[0], altered / files[0].name)
    if len(files) > 1:
        shutil.copy(files[1], altered / files[1].name)
    conn = sqlite3.connect(altered / files[0].name)
    conn.execute("UPDATE events SET payload = replace(payload, 'cni', 'passeport') WHERE type = 'scan'")
    conn.commit()
    conn.close()
    cases = [
        ((files[0],), {"token": tablet.token}, 403, "role_interdit"),
        ((files[0],), {"code": "99999999"}, 401, "code_inconnu"),
        ((), {"code": CODES["responsable"]}, 400, "fichier_manquant"),
        ((garbage,), {"code": CODES["responsable"]}, 400, "fichier_invalide"),
        ((other,), {"code": CODES["responsable"]}, 409, "autre_journal"),
        ((altered / files[0].name,), {"code": CODES["responsable"]}, 400, "chaine_rompue"),
    ]
    for sent, who, expected, code in cases:
        status, refused = take_back(standby, *sent, **who)
        assert (status, refused["erreur"]["code"]) == (expected, code), (code, refused)
        assert "Rien" in refused["erreur"]["message"] or "rien" in refused["erreur"]["message"], refused
    assert journal_events(standby.day) == before, "nothing written"
