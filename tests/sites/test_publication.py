"""A site publishes its journal to its own nats-server (JetStream) after each durable commit: in order, each event
once, and nothing on the door's path waits for NATS (issue 15, slice 1)."""

from __future__ import annotations

import threading

from salle.reseau import sujets
from salle.reseau.natsd import NatsServer
from tests.helpers.api import admit
from tests.helpers.day import candidats
from tests.helpers.server import LiveServer
from tests.helpers.sites import journal_events, site_day, site_stream
from tests.helpers.waiting import wait_for


def published_all(server, nats_url: str):
    """The stream once it holds the whole journal (by seq), else None."""
    head = server.day.journal.head_seq
    events = site_stream(nats_url, "PANTIN")
    return events if events and events[-1]["seq"] == head else None


def assert_exactly_the_journal(stream: list[dict], journal: list[dict]) -> None:
    assert [e["seq"] for e in stream] == list(range(1, len(journal) + 1)), "each event once, in order"
    assert [e["hash"] for e in stream] == [e["hash"] for e in journal]
    assert stream == [{k: e[k] for k in stream[0]} for e in journal], "the events as they are in the journal"


def test_scans_at_a_door_reach_the_sites_stream_in_order(pantin, nats_pantin):
    tablet = pantin.client("surveillant")
    admit(tablet, "A01", candidats(pantin.day, "A01", 5))
    stream = wait_for(lambda: published_all(pantin, nats_pantin.url), 15, "the journal in the stream")
    assert_exactly_the_journal(stream, journal_events(pantin.day))
    assert [e["type"] for e in stream][:2] == ["session_chargee", "candidats_importes"]
    assert sum(e["type"] == "scan" for e in stream) == 5
    assert pantin.app.extensions["salle.reseau"].status()["en_attente"] == 0


def test_the_stream_has_one_subject_per_site_and_the_event_hash_as_message_id(pantin, nats_pantin):
    from tests.helpers.sites import stream_messages

    admit(pantin.client("surveillant"), "A01", candidats(pantin.day, "A01", 1))
    wait_for(lambda: published_all(pantin, nats_pantin.url), 15, "the journal in the stream")
    for subject, headers, event in stream_messages(nats_pantin.url, sujets.stream("ATP27", "PANTIN")):
        assert subject == "salle.ATP27.PANTIN.journal"
        assert headers[sujets.MSG_ID] == event["hash"]
        assert headers[sujets.SITE_HEADER] == "PANTIN" and headers[sujets.SEQ_HEADER] == str(event["seq"])


def test_nats_server_killed_during_scans_then_restarted_every_event_arrives_once(pantin, nats_pantin):
    tablet = pantin.client("surveillant")
    numeros = candidats(pantin.day, "A01", 45)
    verdicts: list[str] = []
    killed, go_on = threading.Event(), threading.Event()

    def scans():
        for i, numero in enumerate(numeros):
            verdicts.append(tablet.scan("A01", numero, "cni")["verdict"])
            if i == 10:
                killed.wait(10)
            if i == 30:
                go_on.wait(10)

    door = threading.Thread(target=scans)
    door.start()
    wait_for(lambda: len(verdicts) >= 5, 15, "the first scans")
    nats_pantin.kill()
    killed.set()
    wait_for(lambda: len(verdicts) >= 30, 30, "scans while nats-server is dead")
    assert not pantin.app.extensions["salle.reseau"].status()["connecte"]
    nats_pantin.start()  # same port, same store
    go_on.set()
    door.join(60)
    assert verdicts == ["admis"] * 45, "the door never failed while NATS was away"
    stream = wait_for(lambda: published_all(pantin, nats_pantin.url), 30, "the catch-up")
    assert_exactly_the_journal(stream, journal_events(pantin.day))
    wait_for(lambda: pantin.app.extensions["salle.reseau"].status()["connecte"], 10, "the link said up again")


def test_a_nats_server_restarted_empty_gets_the_whole_journal_again(pantin, nats_pantin, tmp_path):
    admit(pantin.client("surveillant"), "A01", candidats(pantin.day, "A01", 3))
    wait_for(lambda: published_all(pantin, nats_pantin.url), 15, "the journal in the stream")
    nats_pantin.kill()
    import shutil

    shutil.rmtree(nats_pantin.workdir / "store")
    nats_pantin.start()
    admit(pantin.client("surveillant_b12"), "B12", candidats(pantin.day, "B12", 2))
    stream = wait_for(lambda: published_all(pantin, nats_pantin.url), 30, "the journal published again")
    assert_exactly_the_journal(stream, journal_events(pantin.day))


def test_a_site_whose_nats_server_is_down_at_start_serves_and_publishes_once_it_is_up(tmp_path, clock):
    nats = NatsServer(tmp_path / "nats-late", "PANTIN", "PANTIN")  # not started
    server = LiveServer(site_day(tmp_path / "pantin", "PANTIN", nats.url, clock), clock)
    try:
        admit(server.client("surveillant"), "A01", candidats(server.day, "A01", 3))
        status = server.app.extensions["salle.reseau"].status()
        assert not status["connecte"] and status["en_attente"] >= 3 and status["hors_liaison_depuis"]
        nats.start()
        stream = wait_for(lambda: published_all(server, nats.url), 30, "the journal once NATS is up")
        assert_exactly_the_journal(stream, journal_events(server.day))
        cursor = server.day.journal.one("SELECT seq FROM reseau_curseur")["seq"]
        assert wait_for(lambda: server.day.journal.one("SELECT seq FROM reseau_curseur")["seq"] == len(stream), 10)
        assert cursor <= len(stream)
    finally:
        server.stop()
        nats.stop()


def test_another_journal_in_the_sites_stream_stops_the_publication_with_a_french_message(tmp_path, clock,
                                                                                        nats_pantin):
    first = LiveServer(site_day(tmp_path / "a", "PANTIN", nats_pantin.url, clock), clock)
    wait_for(lambda: published_all(first, nats_pantin.url), 15, "the first laptop's journal")
    first.stop()
    second = LiveServer(site_day(tmp_path / "b", "PANTIN", nats_pantin.url, clock), clock)  # another file, same site
    try:
        publisher = second.app.extensions["salle.reseau"]
        wait_for(lambda: publisher.status()["erreur"], 15, "the publication stopped")
        assert "n'est pas celui de ce serveur" in publisher.status()["erreur"]
        assert second.client("surveillant").scan("A01", candidats(second.day, "A01", 1)[0], "cni")["ok"]
        assert [e["hash"] for e in site_stream(nats_pantin.url, "PANTIN")] == [
            e["hash"] for e in first_events(tmp_path / "a" / "salle.db")]
    finally:
        second.stop()


def first_events(db_path) -> list[dict]:
    from salle.journal import connect

    conn = connect(db_path, readonly=True)
    try:
        return [dict(r) for r in conn.execute("SELECT * FROM events ORDER BY seq")]
    finally:
        conn.close()


def test_the_import_of_4000_candidats_is_published_as_one_message_over_a_megabyte(tmp_path, clock, nats_pantin):
    server = LiveServer(site_day(tmp_path / "pantin", "PANTIN", nats_pantin.url, clock, candidats=4000), clock)
    try:
        stream = wait_for(lambda: published_all(server, nats_pantin.url), 30, "the import in the stream")
        assert len(stream[1]["payload"]) > 1_000_000, "over NATS's default max_payload"
        assert_exactly_the_journal(stream, journal_events(server.day))
    finally:
        server.stop()
