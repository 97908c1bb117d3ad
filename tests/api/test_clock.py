"""The rehearsal clock through the API (issue 16): only inside the session's days, offsets converted to the
server's local time, and no value that stops the server or closes the day's doors."""

from datetime import datetime

import pytest

from salle.clock import FixedClock, RehearsalClock
from tests.helpers.day import at, candidat_in


def events(live) -> int:
    return live.day.journal.one("SELECT COUNT(*) AS n FROM events")["n"]


def put_clock(client, value):
    return client.request("PUT", "/api/v1/clock", {"maintenant": value}, check=False)


@pytest.mark.parametrize("value, words", [
    ("9999-12-31T23:59:59", "jour de la session"),
    ("1880-03-18T08:40", "jour de la session"),
    ("0001-01-01T00:00:00+05:00", "Heure invalide"),
    ("9999-12-31T23:59:59-05:00", "Heure invalide"),
    ("2027-03-19T08:40", "le 19/03/2027 est refusé"),
    ("2027-03-17T23:59:59", "18/03/2027"),
    ("demain", "Heure invalide"),
    ({}, "Heure invalide"),
    (["2027-03-18T08:40"], "Heure invalide"),
    (20270318, "Heure invalide"),
    (None, "Heure manquante"),
    ("2027-03-18T08:40" + "0" * 100, "Heure invalide"),
])
def test_a_time_outside_the_sessions_days_is_refused_and_the_day_goes_on(live, clock, value, words):
    admin, tablet = live.client("admin"), live.client("surveillant")
    before = events(live)
    status, body = put_clock(admin, value)
    assert status == 400 and words in body["erreur"]["message"]
    assert events(live) == before and clock.now() == at("08:40")
    live.tick()  # the doorkeeper's tick: nothing to close at 08:40
    assert live.day.journal.one("SELECT COUNT(*) AS n FROM events WHERE type = 'portes_fermees'")["n"] == 0
    assert admin.get("/api/v1/health")["ok"] is True
    c = candidat_in(live.day, "A01", pieces_manquantes="")
    assert tablet.scan("A01", c["numero"])["verdict"] == "admis"


def test_a_time_with_an_offset_is_converted_to_the_servers_local_time(live, clock):
    admin, tablet = live.client("admin"), live.client("surveillant")
    sent = "2027-03-18T08:45:00+05:00"
    local = datetime.fromisoformat(sent).astimezone().replace(tzinfo=None)
    status, body = put_clock(admin, sent)
    assert status == 200 and body["maintenant"] == local.isoformat(timespec="seconds")
    assert clock.now() == local and clock.now().tzinfo is None
    c = candidat_in(live.day, "A01", pieces_manquantes="")
    assert tablet.request("POST", "/api/v1/salles/A01/scans",
                          {"code": c["numero"], "client_id": "offset-scan-1", "piece_identite": "cni"},
                          check=False)[0] < 500
    here = at("08:50").astimezone().isoformat()  # 08:50 written with the server's own offset
    assert put_clock(admin, here)[1]["maintenant"] == "2027-03-18T08:50:00"
    assert tablet.scan("A01", c["numero"])["verdict"] in ("admis", "deja_present")


def test_the_clock_may_be_set_on_the_rehearsals_own_day(demo_files, day):
    """A rehearsal the day before: its own first day is allowed besides the session's."""
    from tests.helpers.server import LiveServer

    day.close()
    clock = FixedClock(datetime(2027, 3, 17, 14, 0))
    server = LiveServer(demo_files / "salle.db", clock)
    try:
        admin = server.client("admin")
        assert put_clock(admin, "2027-03-17T15:00")[0] == 200
        assert put_clock(admin, "2027-03-18T08:40")[0] == 200
        status, body = put_clock(admin, "2027-03-16T08:40")  # a sign-in ends with its day (issue 16)
        assert status == 401 and body["erreur"]["code"] == "jeton_expire"
        admin = server.client("admin")
        assert put_clock(admin, "2027-03-16T08:40")[0] == 400
    finally:
        server.stop()


@pytest.mark.parametrize("when", [datetime(9999, 12, 31, 23, 59, 59), datetime(1880, 1, 1), datetime(1, 1, 1)])
def test_a_rehearsal_clock_refuses_a_time_it_could_overflow_from(when):
    with pytest.raises(ValueError):
        RehearsalClock(when)
    clock = RehearsalClock(datetime(2027, 3, 18, 8, 40), speed=1000)
    with pytest.raises(ValueError):
        clock.set(when)
    assert clock.now().year == 2027


def test_serve_refuses_an_impossible_rehearsal_clock_in_french():
    import click

    from salle.cli import parse_clock

    with pytest.raises(click.BadParameter, match="hors des années 2000 à 2199"):
        parse_clock("9999-12-31T23:59", 1.0)
    assert parse_clock("2027-03-18T08:40+00:00", 1.0).now().tzinfo is None
