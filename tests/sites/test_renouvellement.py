"""A site's link renewed at the siège (issue 15, security): a laptop lost, a file copied where it should not be.
`salle renouveler-liaison` makes a new password and a new certificate; once the siège's nats-server starts again,
the old password is refused, and the old certificate too — the authority signed it, but the siège pins each site's
current key. Real `openssl`, real nats-servers over TLS."""

from __future__ import annotations

import shutil
import subprocess
import sys

from salle.reseau.natsd import NatsServer
from salle.reseau.tls import CA_FILE
from tests.helpers.sites import siege_with_passwords
from tests.helpers.waiting import wait_for

LINKED = 'Adding deny "$JS.SIEGE.API.>" for outgoing messages'  # the siège's log, once a leaf link is made


def salle(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "salle", *args], capture_output=True, text=True, timeout=120)


def pantin(tmp_path, name: str, hub: NatsServer, secret_file, cert_file) -> NatsServer:
    password = secret_file.read_text().strip()
    return NatsServer(tmp_path / f"nats-{name}", "PANTIN", "PANTIN", concours="ATP27",
                      leaf_remotes=[NatsServer.with_password(hub.leaf_url, "PANTIN", password)],
                      siege_ca=tmp_path / "liaisons" / CA_FILE, site_cert=cert_file).start()


def test_a_renewed_sites_old_password_and_old_certificate_are_refused_the_new_ones_link(tmp_path):
    liaisons = tmp_path / "liaisons"
    hub = siege_with_passwords(tmp_path)
    old = tmp_path / "ancien"
    old.mkdir()
    for name in ("pantin.secret", "pantin.pem"):
        shutil.copy(liaisons / name, old / name)
    try:
        site = pantin(tmp_path, "avant", hub, old / "pantin.secret", old / "pantin.pem")
        log = hub.workdir / "SIEGE.log"
        wait_for(lambda: log.read_text().count(LINKED) == 1, 30, "Pantin linked before the renewal")
        site.stop()

        renewed = salle("renouveler-liaison", "PANTIN", "--dossier", str(tmp_path))
        assert renewed.returncode == 0, renewed.stderr
        assert "Redémarrez « salle siege »" in renewed.stderr
        assert (liaisons / "pantin.secret").read_text() != (old / "pantin.secret").read_text()
        assert (liaisons / "pantin.pem").read_text() != (old / "pantin.pem").read_text()
        hub.stop()
        hub = siege_with_passwords(tmp_path)  # the siège started again: the new password, the new pin
        log = hub.workdir / "SIEGE.log"
        start = len(log.read_text())

        thief = pantin(tmp_path, "ancien", hub, old / "pantin.secret", old / "pantin.pem")
        try:  # the old pair: refused at the handshake, whatever the authority says
            wait_for(lambda: "pinned" in log.read_text()[start:].lower(), 30, "the old certificate refused")
            assert LINKED not in log.read_text()[start:]
        finally:
            thief.stop()
        half = pantin(tmp_path, "moitie", hub, old / "pantin.secret", liaisons / "pantin.pem")
        try:  # the new certificate with the old password: refused
            wait_for(lambda: "Authentication Failure" in log.read_text()[start:], 30, "the old password refused")
            assert LINKED not in log.read_text()[start:]
        finally:
            half.stop()
        site = pantin(tmp_path, "apres", hub, liaisons / "pantin.secret", liaisons / "pantin.pem")
        try:
            wait_for(lambda: LINKED in log.read_text()[start:], 30, "Pantin linked with its new pair")
        finally:
            site.stop()
    finally:
        hub.stop()


def test_renouveler_liaison_refuses_an_unknown_site_in_french_and_changes_nothing(tmp_path):
    answer = salle("renouveler-liaison", "LYON", "--dossier", str(tmp_path))
    assert answer.returncode != 0 and "n'a pas de liaison" in answer.stderr and "Rien n'a changé" in answer.stderr
    assert not (tmp_path / "tls").exists()
    answer = salle("renouveler-liaison", "LY ON", "--dossier", str(tmp_path))
    assert answer.returncode != 0 and "Code de site illisible" in answer.stderr
