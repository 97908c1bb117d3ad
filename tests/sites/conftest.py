"""Fixtures of the several-sites tests: real nats-server processes on loopback ports, real Salle servers."""

from __future__ import annotations

import threading

import pytest
from werkzeug.serving import make_server

from salle.ports import free_port
from salle.reseau.natsd import NatsServer
from salle.reseau.siege import Siege
from salle.reseau.tls import CA_FILE, make_siege_tls, site_cert_name
from salle.session_file import load_session
from salle.web.siege import create_siege_app
from tests.helpers.server import LiveServer
from tests.helpers.sites import site_day


@pytest.fixture
def nats_pantin(tmp_path):
    """Pantin's own nats-server (JetStream, domain PANTIN), alone: no siège."""
    server = NatsServer(tmp_path / "nats-pantin", "PANTIN", "PANTIN").start()
    yield server
    server.stop()


@pytest.fixture
def pantin(tmp_path, nats_pantin, clock):
    """Pantin's Salle server, publishing its journal to `nats_pantin`."""
    server = LiveServer(site_day(tmp_path / "pantin", "PANTIN", nats_pantin.url, clock), clock)
    yield server
    server.stop()


SITES = ("PANTIN", "MONTREUIL")


class Network:
    """A siège's nats-server and two sites, each with its own nats-server (a leaf node of the siège's, linked with
    its password and its certificate over TLS and held to its own subjects, as `salle siege` and `salle serve` configure them) and its
    own Salle server; the siège reading them into its replicas, its console on a real port."""

    def __init__(self, folder, clock):
        self.folder, self.clock = folder, clock
        self.hub, self.nats, self.sites, self.siege, self.web = None, {}, {}, None, None
        try:
            self._start(folder, clock)
        except BaseException:  # never leave a nats-server or a server behind a failed start
            self.stop()
            raise

    def _start(self, folder, clock):
        secrets = NatsServer.leaf_secrets(folder / "liaisons", list(SITES))
        self.ca = folder / "liaisons" / CA_FILE
        leaf_tls = make_siege_tls(folder / "tls", ["127.0.0.1"], self.ca, list(SITES))
        self.hub = NatsServer(folder / "nats-siege", "SIEGE", "SIEGE", leaf_port=free_port(), leaf_users=secrets,
                              concours="ATP27", leaf_tls=leaf_tls).start()
        for site in SITES:
            self.nats[site] = NatsServer(folder / f"nats-{site.lower()}", site, site, concours="ATP27", leaf_remotes=[
                NatsServer.with_password(self.hub.leaf_url, site, secrets[site])], siege_ca=self.ca,
                site_cert=folder / "liaisons" / site_cert_name(site)).start()
        for site, n in self.nats.items():
            self.sites[site] = LiveServer(site_day(folder / site.lower(), site, n.url, clock), clock)
        self.siege = Siege(folder / "siege", load_session(folder / "pantin" / "session.toml"), self.hub.url,
                           clock).start()
        self.app = create_siege_app(self.siege)
        self.web = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.url = f"http://127.0.0.1:{self.web.server_port}"
        threading.Thread(target=self.web.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def stop(self):
        if self.web:
            self.web.shutdown()
        if self.siege:
            self.siege.stop()
        for server in self.sites.values():
            server.stop()
        for n in self.nats.values():
            n.stop()
        if self.hub:
            self.hub.stop()


@pytest.fixture
def network(tmp_path, clock):
    net = Network(tmp_path, clock)
    yield net
    net.stop()
