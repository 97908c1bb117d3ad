"""The siège reads every site's journal through NATS (stream sources across leaf nodes), checks each site's chain,
and shows every site's salles (issue 15, slice 2)."""

from __future__ import annotations

import json

import requests

from salle.reseau import sujets
from salle.state.queries import salle_summary
from tests.helpers.api import admit
from tests.helpers.sites import run_apart
from tests.helpers.day import candidats
from tests.helpers.waiting import wait_for

SALLES = {"PANTIN": ("A01", "surveillant"), "MONTREUIL": ("M1", "surveillant_m1")}


def caught_up(network) -> bool:
    return all(network.siege.replicas[site].stored == server.day.journal.head_seq
               for site, server in network.sites.items())


def tiles(network, site: str) -> dict:
    return {t["salle"]: t for s in requests.get(f"{network.url}/api/v1/siege", timeout=5).json()["sites"]
            if s["site"] == site for t in s["salles"]}


def assert_same_counts(network) -> None:
    """Each site's salles as the siège shows them equal the site's own summaries."""
    siege = network.siege
    for site, server in network.sites.items():
        day = server.day
        epreuve = day.epreuve_for(None)
        shown = tiles(network, site)
        for salle in day.session.salles_of(site):
            own = salle_summary(day.journal.reader(), salle, epreuve, day.clock.now())
            assert shown[salle.code] == own, f"{site} {salle.code}"
        assert siege.replicas[site].hash == day.journal.head


def test_scans_at_two_sites_reach_the_siege_with_equal_counts(network):
    for site, (salle, role) in SALLES.items():
        server = network.sites[site]
        admit(server.client(role), salle, candidats(server.day, salle, 4 if site == "PANTIN" else 6))
    wait_for(lambda: caught_up(network), 30, "the siège caught up with both sites")
    assert_same_counts(network)
    assert tiles(network, "PANTIN")["A01"]["presents"] == 4 and tiles(network, "MONTREUIL")["M1"]["presents"] == 6
    page = requests.get(network.url, timeout=5).text
    assert "Maison des examens" in page and "4 / " in page and "6 / " in page
    assert "refusé" not in page.lower()


def test_a_site_cut_off_is_shown_hors_liaison_then_caught_up_with_nothing_lost_or_doubled(network):
    pantin, montreuil = network.sites["PANTIN"], network.sites["MONTREUIL"]
    admit(pantin.client("surveillant"), "A01", candidats(pantin.day, "A01", 2))
    wait_for(lambda: caught_up(network), 30, "the siège caught up")
    wait_for(lambda: network.siege.link("MONTREUIL")["en_liaison"], 10, "Montreuil's pulse")
    network.nats["MONTREUIL"].kill()  # Montreuil's NATS server dies: its link to the siège with it
    numeros = candidats(montreuil.day, "M1", 12)
    admit(montreuil.client("surveillant_m1"), "M1", numeros[:8])  # the doors go on meanwhile
    admit(pantin.client("surveillant"), "A01", candidats(pantin.day, "A01", 5)[2:])
    link = wait_for(lambda: (lambda l: l if not l["en_liaison"] else None)(network.siege.link("MONTREUIL")), 15,
                    "Montreuil hors liaison")
    assert link["message"] == "hors liaison depuis 08 h 40"  # the day's clock stands at 08:40
    page = requests.get(network.url, timeout=5).text
    assert "hors liaison depuis 08 h 40" in page
    network.nats["MONTREUIL"].start()
    admit(montreuil.client("surveillant_m1"), "M1", numeros[8:])
    wait_for(lambda: caught_up(network), 60, "the siège caught up after the cut")
    assert_same_counts(network)
    kept = network.siege.replicas["MONTREUIL"].conn.execute("SELECT seq FROM events ORDER BY seq").fetchall()
    assert [r[0] for r in kept] == list(range(1, montreuil.day.journal._next_seq))
    wait_for(lambda: network.siege.link("MONTREUIL")["en_liaison"], 15, "Montreuil back")
    assert not network.siege.refusals("MONTREUIL") and not network.siege.refusals("PANTIN")


def publish_raw(url: str, subject: str, event: dict, site_header: str, msg_id: str) -> None:
    """A message put into a site's stream by hand, as a forger on the site's network could."""
    async def send():
        import nats

        nc = await nats.connect(url, allow_reconnect=False)
        try:
            await nc.jetstream().publish(subject, json.dumps(event).encode(), headers={
                sujets.MSG_ID: msg_id, sujets.SITE_HEADER: site_header,
                sujets.SEQ_HEADER: str(event["seq"])})
        finally:
            await nc.close()

    run_apart(send())


def test_a_broken_chain_and_a_site_publishing_as_another_are_refused_with_french_messages(network):
    pantin = network.sites["PANTIN"]
    admit(pantin.client("surveillant"), "A01", candidats(pantin.day, "A01", 1))
    wait_for(lambda: caught_up(network), 30, "the siège caught up")
    head = pantin.day.journal.head_seq
    last = pantin.day.journal.one("SELECT * FROM events WHERE seq = ?", [head])
    subject = sujets.subject("ATP27", "PANTIN")
    url = network.nats["PANTIN"].url
    forged = {**last, "seq": head + 1, "prev_hash": last["hash"], "payload": '{"verdict": "admis"}'}  # hash left
    publish_raw(url, subject, forged, "PANTIN", "faux-1")
    publish_raw(url, subject, {**last, "seq": head + 1, "site": "MONTREUIL"}, "PANTIN", "faux-2")
    publish_raw(url, subject, {**last, "seq": head + 1}, "MONTREUIL", "faux-3")
    refusals = wait_for(lambda: (lambda r: r if len(r) == 3 else None)(network.siege.refusals("PANTIN")), 30,
                        "three refusals")
    messages = [r["message"] for r in refusals]
    assert any("son contenu a été modifié" in m for m in messages)
    assert any("concerne le site MONTREUIL" in m for m in messages)
    assert any("publié par « MONTREUIL »" in m for m in messages)
    assert network.siege.replicas["PANTIN"].stored == head, "nothing refused is kept"
    assert "son contenu a été modifié" in requests.get(network.url, timeout=5).text
    admit(pantin.client("surveillant"), "A01", candidats(pantin.day, "A01", 2)[1:])  # the genuine next event
    wait_for(lambda: caught_up(network), 30, "Pantin's genuine events kept after the forged ones")
    assert_same_counts(network)


def test_a_siege_whose_nats_server_restarts_empty_gets_every_site_again_nothing_doubled(network):
    import shutil

    pantin, montreuil = network.sites["PANTIN"], network.sites["MONTREUIL"]
    admit(pantin.client("surveillant"), "A01", candidats(pantin.day, "A01", 3))
    wait_for(lambda: caught_up(network), 30, "the siège caught up")
    network.hub.kill()
    shutil.rmtree(network.hub.workdir / "store")  # the siège's server comes back with nothing stored
    admit(montreuil.client("surveillant_m1"), "M1", candidats(montreuil.day, "M1", 3))
    network.hub.start()
    wait_for(lambda: caught_up(network), 60, "every site's journal copied again and read")
    assert_same_counts(network)
    assert not network.siege.refusals("PANTIN") and not network.siege.refusals("MONTREUIL")
    for site, server in network.sites.items():
        kept = network.siege.replicas[site].conn.execute("SELECT COUNT(*), MAX(seq) FROM events").fetchone()
        assert tuple(kept) == (server.day.journal.head_seq,) * 2, "each event once"
