"""TLS between the sites and the siège (issue 15, security): the siège's leaf port speaks only TLS with a certificate
of its own authority; a site checks it against `siege-ca.pem`, and with the wrong one refuses to link, saying so in
French, while its door goes on alone."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys

from salle.ports import free_port
from salle.reseau.natsd import NatsServer
from salle.reseau.tls import CA_FILE, check_siege, make_siege_tls
from tests.helpers.api import admit
from tests.helpers.server import ServedProcess
from salle.reseau import sujets
from tests.helpers.day import candidats
from tests.helpers.sites import forged_next, nats_attempts, site_day, site_stream
from tests.helpers.waiting import wait_for
from tests.helpers.sites import next_candidat, siege_with_passwords

LINKED = 'Adding deny "$JS.SIEGE.API.>" for outgoing messages'  # the siège's log, once a leaf link is made


def test_sites_link_over_tls_a_plain_link_or_one_without_certificate_is_refused_without_password_powerless(
        network, tmp_path):
    pantin_cert = network.folder / "liaisons" / "pantin.pem"
    assert check_siege(network.hub.leaf_url, network.ca, site_cert=pantin_cert) is None, "for 127.0.0.1, signed"
    with socket.create_connection(("127.0.0.1", network.hub.leaf_port), timeout=5) as sock:
        assert b'"tls_required":true' in sock.recv(4096)
    for site in ("PANTIN", "MONTREUIL"):  # the network's sites are linked: through TLS, then
        wait_for(lambda: network.siege.link(site)["en_liaison"], 30, f"{site}'s pulse at the siège")
    plain = NatsServer(tmp_path / "nats-plain", "MONTREUIL", "MONTREUIL", concours="ATP27", leaf_remotes=[
        NatsServer.with_password(network.hub.leaf_url, "MONTREUIL",
                                 (network.folder / "liaisons" / "montreuil.secret").read_text().strip())]).start()
    try:  # Montreuil's right password, without TLS: refused before it is sent
        log = network.hub.workdir / "SIEGE.log"
        wait_for(lambda: "TLS leafnode handshake error" in log.read_text(), 30, "the siège refusing a plain link")
    finally:
        plain.stop()
    assert "Authentication Failure" not in log.read_text()
    stranger = NatsServer(tmp_path / "nats-stranger", "INTRUS", "INTRUS", leaf_remotes=[network.hub.leaf_url],
                          siege_ca=network.ca).start()
    try:  # the siège's authority trusted, but no certificate of its own: refused at the handshake
        wait_for(lambda: "client didn't provide a certificate" in log.read_text(), 30, "the stranger refused")
        assert log.read_text().count(LINKED) == 2, "only Pantin's and Montreuil's links"
    finally:
        stranger.stop()
    nobody = NatsServer(tmp_path / "nats-nobody", "INTRUS", "INTRUS", leaf_remotes=[network.hub.leaf_url],
                        siege_ca=network.ca, site_cert=network.folder / "liaisons" / "montreuil.pem").start()
    try:  # Montreuil's certificate, no password: linked as « personne », who may send and receive nothing
        wait_for(lambda: log.read_text().count(LINKED) >= 3, 30, "the link without password")
        last = network.sites["PANTIN"].day.journal.one("SELECT * FROM events ORDER BY seq DESC LIMIT 1")
        forged = forged_next(last)
        answers = nats_attempts(nobody.url, publishes=[(sujets.subject("ATP27", "PANTIN"), forged, {
            sujets.SITE_HEADER: "PANTIN", sujets.MSG_ID: forged["hash"]})], requests=[
            "$JS.SIEGE.API.INFO", "$JS.SIEGE.API.STREAM.INFO.SIEGE_ATP27", "$JS.PANTIN.API.INFO"])
        assert set(answers.values()) <= {"NoRespondersError", "TimeoutError"}, answers
    finally:
        nobody.stop()
    admit(network.sites["PANTIN"].client("surveillant"), "A01", candidats(network.sites["PANTIN"].day, "A01", 1))
    wait_for(lambda: network.siege.replicas["PANTIN"].stored == network.sites["PANTIN"].day.journal.head_seq,
             30, "Pantin's genuine event at the siège")
    assert [e["seq"] for e in site_stream(network.nats["PANTIN"].url, "PANTIN")] == list(
        range(1, network.sites["PANTIN"].day.journal._next_seq)), "nothing of the intruder in Pantin's stream"
    assert not network.siege.refusals("PANTIN"), "nor at the siège"


def test_a_site_with_another_ca_refuses_to_link_says_so_in_french_and_its_door_goes_on(tmp_path, clock):
    hub = siege_with_passwords(tmp_path)
    try:
        db = site_day(tmp_path / "pantin", "PANTIN", f"nats://127.0.0.1:{free_port()}", clock,
                      reseau=f'demarrer = true\nsiege = "{hub.leaf_url}"\n')
        shutil.copy(tmp_path / "liaisons" / "pantin.secret", db.parent)
        serve = subprocess.run([sys.executable, "-m", "salle", "serve", "--db", str(db), "--port", str(free_port())],
                               capture_output=True, text=True, timeout=60)
        assert serve.returncode == 2 and "Certificat du siège introuvable : copiez « siege-ca.pem »" in serve.stderr
        make_siege_tls(tmp_path / "autre-tls", ["127.0.0.1"], db.parent / CA_FILE)  # another siège's authority
        serve = subprocess.run([sys.executable, "-m", "salle", "serve", "--db", str(db), "--port", str(free_port())],
                               capture_output=True, text=True, timeout=60)
        assert serve.returncode == 2 and "Certificat du site introuvable : copiez « pantin.pem »" in serve.stderr
        shutil.copy(tmp_path / "liaisons" / "pantin.pem", db.parent)
        problem = check_siege(hub.leaf_url, db.parent / CA_FILE, site_cert=db.parent / "pantin.pem")
        assert problem.startswith(f"Le siège (127.0.0.1:{hub.leaf_port}) présente un certificat que siege-ca.pem ne "
                                  "reconnaît pas") and "liaison refusée" in problem
        served = ServedProcess(db)
        try:
            site_log = tmp_path / "pantin" / "nats-pantin" / "PANTIN.log"
            wait_for(lambda: "certificate signed by unknown authority" in site_log.read_text(), 30,
                     "Pantin's nats-server refusing the siège's certificate")
            assert "Attention : Le siège" in db.with_suffix(".log").read_text(), "said where `salle serve` logs"
            assert "Domain Mapping" not in (tmp_path / "nats-siege" / "SIEGE.log").read_text(), "never linked"
            tablet = served.client("surveillant")
            admit(tablet, "A01", [next_candidat(db, [])])  # the door works alone
        finally:
            served.stop()
    finally:
        hub.stop()
    (db.parent / "pantin.pem").write_text("pas un certificat\n")
    assert "pantin.pem n'est pas un certificat de site lisible" in check_siege(
        hub.leaf_url, tmp_path / "liaisons" / CA_FILE, site_cert=db.parent / "pantin.pem")
    (db.parent / CA_FILE).write_text("pas un certificat\n")
    assert "n'est pas un certificat lisible" in check_siege(hub.leaf_url, db.parent / CA_FILE)
