"""Who may write where between the sites and the siège (issue 15, security): the nats-servers themselves refuse a
site publishing as another or reaching another site's stream, and the siège reaching into a site's stream; a
message forged into the siège's stream never reaches a site's journal."""

from __future__ import annotations

import json

from salle.reseau import sujets
from tests.helpers.api import admit
from tests.helpers.day import candidats
from tests.helpers.sites import forged_next, journal_events, nats_attempts, site_stream, stream_messages
from tests.helpers.waiting import wait_for

PANTIN_SUBJECT = sujets.subject("ATP27", "PANTIN")
PURGE_PANTIN = "$JS.PANTIN.API.STREAM.PURGE.SALLE_ATP27_PANTIN"
DELETE_PANTIN_MSG = "$JS.PANTIN.API.STREAM.MSG.DELETE.SALLE_ATP27_PANTIN"
PURGE_SIEGE = "$JS.SIEGE.API.STREAM.PURGE.SIEGE_ATP27"


def caught_up(network) -> bool:
    return all(network.siege.replicas[site].stored == server.day.journal.head_seq
               for site, server in network.sites.items())


def last_event(server) -> dict:
    return server.day.journal.one("SELECT * FROM events ORDER BY seq DESC LIMIT 1")


def one_more_scan_everywhere(network, site: str, salle: str, role: str, n: int) -> None:
    """A genuine scan at `site`, then the siège caught up: what was sent before it had its chance to arrive."""
    server = network.sites[site]
    admit(server.client(role), salle, candidats(server.day, salle, n)[n - 1:])
    wait_for(lambda: caught_up(network), 30, "the siège caught up")


def assert_pantins_stream_is_its_journal(network) -> None:
    pantin = network.sites["PANTIN"]
    journal = [(e["seq"], e["hash"]) for e in journal_events(pantin.day)]
    assert [(e["seq"], e["hash"]) for e in site_stream(network.nats["PANTIN"].url, "PANTIN")] == journal
    at_siege = [(e["seq"], e["hash"]) for subject, _, e in stream_messages(network.hub.url, "SIEGE_ATP27")
                if subject == PANTIN_SUBJECT]
    assert at_siege == journal, "the siège's stream holds Pantin's journal, nothing else under its subject"


def test_a_site_publishing_as_another_or_reaching_anothers_stream_is_refused_by_the_nats_servers(network):
    one_more_scan_everywhere(network, "PANTIN", "A01", "surveillant", 1)
    # A well-made next link of Pantin's chain, hash right: the siège's chain check alone would keep it.
    forged = forged_next(last_event(network.sites["PANTIN"]), payload='{"verdict": "admis"}')
    headers = {sujets.MSG_ID: forged["hash"], sujets.SITE_HEADER: "PANTIN", sujets.SEQ_HEADER: str(forged["seq"])}
    answers = nats_attempts(network.nats["MONTREUIL"].url, publishes=[(PANTIN_SUBJECT, forged, headers)],
                            requests=[PANTIN_SUBJECT, PURGE_PANTIN, DELETE_PANTIN_MSG, PURGE_SIEGE])
    # Montreuil's own server has no stream there, and the siège's server forwards none of it from Montreuil's link.
    assert set(answers.values()) <= {"NoRespondersError", "TimeoutError"}, answers
    one_more_scan_everywhere(network, "PANTIN", "A01", "surveillant", 2)
    assert_pantins_stream_is_its_journal(network)
    assert not network.siege.refusals("PANTIN"), "refused before the siège's check: it never saw the forgery"
    one_more_scan_everywhere(network, "MONTREUIL", "M1", "surveillant_m1", 1)  # Montreuil's own subject: fine
    assert network.siege.replicas["MONTREUIL"].stored == network.sites["MONTREUIL"].day.journal.head_seq


def test_the_siege_cannot_write_into_a_sites_stream_even_with_its_own_permissions_opened(network):
    one_more_scan_everywhere(network, "PANTIN", "A01", "surveillant", 1)
    hub = network.hub
    for opened in (False, True):
        if opened:  # a siège whose configuration was changed to send anything to the sites: their servers refuse
            text = hub.config.read_text(encoding="utf-8")
            hub.config.write_text(text.replace('"subscribe": {"allow": ["$JS.PANTIN.API.CONSUMER.>"',
                                               '"subscribe": {"allow": [">", "$JS.PANTIN.API.CONSUMER.>"'))
            assert hub.config.read_text(encoding="utf-8") != text
            hub.stop()
            hub.start()
            one_more_scan_everywhere(network, "PANTIN", "A01", "surveillant", 2)  # the link is back
        forged = forged_next(last_event(network.sites["PANTIN"]), payload='{"verdict": "admis"}')
        headers = {sujets.MSG_ID: forged["hash"], sujets.SITE_HEADER: "PANTIN",
                   sujets.SEQ_HEADER: str(forged["seq"])}
        answers = nats_attempts(hub.url, publishes=[(PANTIN_SUBJECT, forged, headers)],
                                requests=[PURGE_PANTIN, DELETE_PANTIN_MSG])
        assert set(answers.values()) <= {"NoRespondersError", "TimeoutError"}, (opened, answers)
        one_more_scan_everywhere(network, "PANTIN", "A01", "surveillant", 3 + opened)
        assert_pantins_stream_is_its_journal(network)


def test_a_message_forged_into_the_sieges_stream_never_reaches_a_sites_journal(network):
    pantin, montreuil = network.sites["PANTIN"], network.sites["MONTREUIL"]
    one_more_scan_everywhere(network, "MONTREUIL", "M1", "surveillant_m1", 1)
    journal_before = journal_events(pantin.day)
    numero = candidats(pantin.day, "A01", 1)[0]
    # The siège's stream made to take messages published at the siège under the sites' subjects, then two forgeries:
    # Pantin's candidat « admitted at Montreuil » (content altered after hashing), and an event of Pantin's own.
    add_subjects(network.hub.url, [sujets.subject("ATP27", "MONTREUIL"), PANTIN_SUBJECT])
    at_montreuil = forged_next(last_event(montreuil), type="scan", candidat=numero, salle="M1", epreuve="E1",
                               payload=json.dumps({"verdict": "admis"}), hash="0" * 64)
    own = forged_next(last_event(pantin), hash="1" * 64)
    nats_attempts(network.hub.url, publishes=[
        (sujets.subject("ATP27", "MONTREUIL"), at_montreuil, {sujets.SITE_HEADER: "MONTREUIL"}),
        (PANTIN_SUBJECT, own, {sujets.SITE_HEADER: "PANTIN"})])
    others = pantin.app.extensions["salle.autres_sites"]
    refused = wait_for(lambda: others.refused, 30, "Pantin's reader refusing the forgery")
    assert "son contenu a été modifié" in refused[0] and "MONTREUIL" in refused[0]
    wait_for(lambda: network.siege.refusals("PANTIN") and network.siege.refusals("MONTREUIL"), 30,
             "the siège refusing both")
    assert journal_events(pantin.day) == journal_before, "Pantin's journal untouched"
    assert pantin.day.journal.one("SELECT * FROM reseau_presences WHERE numero = ?", [numero]) is None
    answer = pantin.client("surveillant").scan("A01", numero, "cni")
    assert answer["verdict"] == "admis", "the forgery changed nothing at Pantin's door"
    assert journal_events(pantin.day)[:len(journal_before)] == journal_before


def add_subjects(url: str, subjects: list[str]) -> None:
    from tests.helpers.sites import run_apart

    async def update():
        import nats

        nc = await nats.connect(url, allow_reconnect=False)
        try:
            js = nc.jetstream()
            config = (await js.stream_info("SIEGE_ATP27")).config
            config.subjects = subjects
            await js.update_stream(config)
        finally:
            await nc.close()

    run_apart(update())
