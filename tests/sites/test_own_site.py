"""A site's server writes only its own site's journal (issue 15): the siège, the standby and the other sites
refuse a link that names another site, and the standby stopped copying at the first one. Found by a standby test:
at 9:00 Pantin's doorkeeper closed Montreuil's doors too, in Pantin's journal."""

from __future__ import annotations

import pytest

from salle.clock import FixedClock
from salle.commands.doors import ClientIdRequest, close_doors, tick
from salle.day import Caller, ExamDay
from salle.errors import Interdit
from salle.journal import Actor
from tests.helpers.day import at
from tests.helpers.sites import site_day

ADMIN = Caller(Actor("P001", "admin", "console"), "admin")


@pytest.fixture
def pantin(tmp_path):
    clock = FixedClock(at("08:40"))
    day = ExamDay(site_day(tmp_path, "PANTIN", "nats://127.0.0.1:1", clock), clock)
    yield day, clock
    day.close()


def doors(day) -> dict[str, str | None]:
    return {r["site"]: r["doors_closed_at"] for r in day.journal.query(
        "SELECT site, doors_closed_at FROM deroulement WHERE epreuve = 'E1'")}


def test_the_doorkeeper_closes_only_its_own_sites_doors(pantin):
    day, clock = pantin
    clock.set(at("09:00:01"))
    tick(day)
    closed = doors(day)
    assert closed["PANTIN"] is not None and closed["MONTREUIL"] is None
    sites = {r["site"] for r in day.journal.query("SELECT DISTINCT site FROM events WHERE site IS NOT NULL")}
    assert sites == {"PANTIN"}


def test_an_action_for_another_site_is_refused_in_french_and_records_nothing(pantin):
    day, _ = pantin
    before = day.journal.one("SELECT COUNT(*) AS n FROM events")["n"]
    with pytest.raises(Interdit, match="Le site MONTREUIL a son propre serveur") as refused:
        close_doors(day, ADMIN, "E1", "MONTREUIL", ClientIdRequest(client_id="console-montreuil-1"))
    assert refused.value.code == "autre_site"
    assert day.journal.one("SELECT COUNT(*) AS n FROM events")["n"] == before
    assert doors(day)["MONTREUIL"] is None
    close_doors(day, ADMIN, "E1", "PANTIN", ClientIdRequest(client_id="console-pantin-1"))  # its own: as always
    assert doors(day)["PANTIN"] is not None
