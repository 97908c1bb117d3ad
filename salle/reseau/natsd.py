"""A nats-server process with JetStream: its configuration written from a few settings, started, stopped.

`salle siege` starts the siège's server with it; the tests start sites and a siège with it on loopback ports. A
site's server has its own JetStream domain (its site code) and, when a siège is known, a leaf-node connection to
the siège's server: it keeps storing alone when the link is down and the siège's stream sources catch up later.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

from ..ports import free_port
from . import sujets
from .tls import client_context

SIEGE_USER = "salle-siege"  # the siège's own client of its nats-server
NOBODY = "personne"  # who a connection without credentials is at the siège's server: no right at all


def nats_server_binary() -> str:
    found = shutil.which("nats-server") or ("/usr/bin/nats-server" if Path("/usr/bin/nats-server").exists() else None)
    if not found:
        raise RuntimeError("nats-server est introuvable : installez le paquet Debian « nats-server » "
                           "(make l'installe).")
    return found


def config_text(name: str, port: int, store_dir: Path, domain: str, leaf_port: int | None = None,
                leaf_remotes: list[str] = (), host: str = "127.0.0.1", leaf_users: dict[str, str] | None = None,
                concours: str | None = None, local_password: str | None = None,
                leaf_tls: tuple[Path, ...] | None = None, siege_ca: Path | None = None,
                site_cert: Path | None = None, client_password: str | None = None,
                client_cert: Path | None = None) -> str:
    # max_payload: one journal event is one message, and the import of the candidats is one event (20,000
    # candidats ≈ 6 MB): NATS's default of 1 MB would stop a site's publication at its second event.
    lines = [f'server_name: "{name}"', f"listen: {host}:{port}", "max_payload: 64MB", "max_pending: 256MB",
             f'jetstream {{ store_dir: "{store_dir}", domain: "{domain}" }}']
    # The siège's leaf port with its certificate (salle/reseau/tls.py): a site's link is TLS or refused.
    # With the authority's certificate too, every site must show a certificate of it (`verify`).
    verify = f', ca_file: "{leaf_tls[2]}", verify: true' if leaf_tls and len(leaf_tls) > 2 else ""
    if leaf_tls and len(leaf_tls) > 3 and leaf_tls[3]:  # only the sites' current certificates (renewed: the old no)
        verify += f", pinned_certs: {json.dumps(list(leaf_tls[3]))}"
    tls = f', tls {{ cert_file: "{leaf_tls[0]}", key_file: "{leaf_tls[1]}"{verify}, timeout: 5 }}' if leaf_tls else ""
    if client_password:  # a site's server on the network (the standby's or a third box's): Salle's clients only
        lines.append(f"authorization {{ users: [ {{ user: {json.dumps(SITE_USER)}, password: "
                     f"{json.dumps(client_password)} }} ] }}")
        if client_cert:  # … over TLS with the laptops' certificate of the siège's authority: no password in clear
            lines.append(f'tls {{ cert_file: "{client_cert}", key_file: "{client_cert}", timeout: 5 }}')
    if leaf_port and leaf_users:  # the siège: sites connect here, each with its own password and permissions
        # Leaf links are checked against `authorization` only when they sign in: nats-server 2.9 takes one without
        # credentials into the global account with every right. `no_auth_user` makes such a link `personne`,
        # who may send and receive nothing (measured: it could otherwise publish as any site).
        lines.append(f'no_auth_user: "{NOBODY}"')
        lines.append(f"authorization {{ users: [ {siege_users(leaf_users, concours, local_password)} ] }}")
        lines.append(f"leafnodes {{ listen: {host}:{leaf_port}{tls} }}")  # authenticated against those users
    elif leaf_port:
        lines.append(f"leafnodes {{ listen: {host}:{leaf_port}{tls} }}")
    if leaf_remotes:  # a site: its link to the siège, retried by nats-server itself every few seconds
        deny = f", deny_imports: {json.dumps(sujets.refused_from_siege(concours, domain))}" if concours else ""
        own = f', cert_file: "{site_cert}", key_file: "{site_cert}"' if site_cert else ""  # the site's own
        deny += f', tls: {{ ca_file: "{siege_ca}"{own}, timeout: 5 }}' if siege_ca else ""  # the siège's, verified
        remotes = ", ".join(f'{{ url: "{url}"{deny} }}' for url in leaf_remotes)
        lines.append(f"leafnodes {{ reconnect: 1, remotes: [ {remotes} ] }}")
    return "\n".join(lines) + "\n"


def siege_users(leaf_users: dict[str, str], concours: str | None, local_password: str | None) -> str:
    """The siège's server's users: the siège's own (its Salle process, on this computer: everything) and one per
    site, with `sujets.site_permissions`. They sit in the server's `authorization`, which leaf links are checked
    against when `leafnodes` has none of its own: nats-server 2.9 refuses `permissions` on `leafnodes` users."""
    assert concours and local_password, "the sites' permissions need the concours; the siège's user a password"
    users = [{"user": SIEGE_USER, "password": local_password},
             {"user": NOBODY, "password": secrets.token_urlsafe(24),
              "permissions": {"publish": {"deny": [">"]}, "subscribe": {"deny": [">"]}}}]
    users += [{"user": site, "password": password, "permissions": {
        kind: {"allow": allowed} for kind, allowed in sujets.site_permissions(concours, site).items()}}
        for site, password in leaf_users.items()]
    return ", ".join(json.dumps(user) for user in users)


class NatsServer:
    """One nats-server with JetStream in `workdir` (its configuration, its store, its log)."""

    def __init__(self, workdir: Path, name: str, domain: str, port: int | None = None, leaf_port: int | None = None,
                 leaf_remotes: list[str] = (), leaf_users: dict[str, str] | None = None, concours: str | None = None,
                 leaf_tls: tuple[Path, ...] | None = None, siege_ca: Path | None = None,
                 site_cert: Path | None = None, host: str = "127.0.0.1", client_password: str | None = None,
                 client_cert: Path | None = None):
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.name = name
        self.host = host
        self.client_password = client_password
        self.port = port or free_port()
        self.leaf_port = leaf_port
        self.config = self.workdir / f"{name}.conf"
        # With sites' users, clients must sign in too: the siège's own client (`salle siege`, `salle export
        # --depuis` at the siège) has a password of its own, made once, in `salle-siege.secret` (0600).
        self.local_password = self.leaf_secrets(self.workdir, [SIEGE_USER])[SIEGE_USER] if leaf_users else None
        self.config.write_text(config_text(name, self.port, self.workdir / "store", domain, leaf_port,
                                           list(leaf_remotes), leaf_users=leaf_users, concours=concours,
                                           local_password=self.local_password, leaf_tls=leaf_tls,
                                           siege_ca=siege_ca, site_cert=site_cert, host=host,
                                           client_password=client_password, client_cert=client_cert),
                            encoding="utf-8")
        self.config.chmod(0o600)  # it may hold the sites' passwords
        self.process: subprocess.Popen | None = None

    @staticmethod
    def leaf_secrets(folder: Path, sites: list[str]) -> dict[str, str]:
        """Each site's password for its leaf link to the siège: `<site>.secret` in `folder`, made once (random, 32
        bytes) and kept; the siège's administrator copies a site's file beside that site's day file."""
        return {site: kept_secret(folder / f"{site.lower()}.secret") for site in sites}

    @staticmethod
    def with_password(leaf_url: str, user: str, password: str) -> str:
        """nats-leaf://hôte:port → nats-leaf://user:password@hôte:port"""
        scheme, rest = leaf_url.split("://", 1)
        return f"{scheme}://{user}:{password}@{rest}"

    @property
    def url(self) -> str:
        """The address for a client on this computer, with the siège's own user when clients must sign in."""
        if self.local_password:
            return f"nats://{SIEGE_USER}:{self.local_password}@127.0.0.1:{self.port}"
        if self.client_password:
            return self.with_password(self.address, SITE_USER, self.client_password)
        return self.address

    @property
    def address(self) -> str:
        return f"nats://{self.host}:{self.port}"

    @property
    def leaf_url(self) -> str:
        return f"nats-leaf://127.0.0.1:{self.leaf_port}"

    def answering(self) -> dict | None:
        """What already answers on this server's port, if anything: its INFO (`server_name`, `jetstream`…), or
        {} when it is not a nats-server. The same server run by systemd answers with this server's name."""
        try:
            with socket.create_connection((self.host, self.port), timeout=0.5) as sock:
                sock.settimeout(2)
                hello = sock.recv(8192).decode("utf-8", errors="replace")
        except OSError:
            return None
        if not hello.startswith("INFO "):
            return {}
        try:
            return json.loads(hello[5:].split("\r\n", 1)[0])
        except ValueError:
            return {}

    def start(self, timeout: float = 10.0) -> "NatsServer":
        log = open(self.workdir / f"{self.name}.log", "ab")
        self.process = subprocess.Popen([nats_server_binary(), "-c", str(self.config)], stdout=log,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"nats-server {self.name} s'est arrêté au démarrage (voir {self.workdir})")
            try:
                with socket.create_connection((self.host, self.port), timeout=0.2):
                    return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"nats-server {self.name} ne répond pas sur le port {self.port}")

    def stop(self, sig=signal.SIGTERM) -> None:
        if self.process and self.process.poll() is None:
            os.kill(self.process.pid, sig)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self.process = None

    def kill(self) -> None:
        """SIGKILL: the server dies as a power cut would have it."""
        self.stop(signal.SIGKILL)

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None


SITE_USER = "salle"  # Salle's own clients on a site's nats-server reached over the network


def kept_secret(path: Path) -> str:
    """The password in `path`, made there once (random, 32 bytes, readable by its owner only) and kept."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.write_text(secrets.token_urlsafe(32) + "\n", encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


def site_secret_name(site: str) -> str:
    """The password of the site's nats-server when it is reached over the network, beside the day's file on both
    laptops (made by the one that runs it, copied to the other)."""
    return f"{site.lower()}-nats.secret"


def this_computer(host: str) -> bool:
    """Whether `host` (an address or a name) is one of this computer's own: it may listen there."""
    try:
        address = socket.gethostbyname(host)
        with socket.socket() as probe:
            probe.bind((address, 0))
        return True
    except OSError:
        return False


def site_nats_url(reseau, folder: Path) -> str:
    """The address Salle's clients dial for the site's nats-server: `nats` as written, with the password beside the
    day's file when the server is reached over the network (`<site>-nats.secret`)."""
    secret = folder / site_secret_name(reseau.site)
    if not reseau.nats_shared or not secret.exists():
        return reseau.nats
    return NatsServer.with_password(reseau.nats, SITE_USER, secret.read_text(encoding="utf-8").strip())


def site_nats_link(reseau, folder: Path) -> tuple[str, dict]:
    """(the address, nats-py's options) for Salle's clients of the site's nats-server: the password as above, and
    the siège's authority to check its certificate when it speaks TLS (a server on the network with the site's
    https certificate beside its day file)."""
    return site_nats_url(reseau, folder), {"tls": client_context(folder)}
