"""The site's nats-server on the standby laptop (issue 15): `[reseau] nats` names the standby's address with
`demarrer = true`, so `salle secours` runs it and the main laptop dials it, with the password the standby made
(`<site>-nats.secret`, copied beside the main's day file). The main SIGKILLed, the site's stream lives on: the
promoted standby publishes there. 127.0.0.2 stands for the standby's address on the site's network (an address
of this machine that is not 127.0.0.1: reached as over the network, with its password). Real processes."""

from __future__ import annotations

import shutil
import socket
import sqlite3
import ssl
import subprocess
import sys

import nats
import pytest

from salle.client import ApiClient
from salle.reseau import sujets
from salle.ports import free_port
from tests.helpers.server import ServedProcess
from tests.helpers.sites import run_apart, site_day, standby_copy, stream_messages
from tests.helpers.waiting import wait_for

STANDBY = "127.0.0.2"


def salle(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "salle", *args], capture_output=True, text=True, timeout=60)


def refused(url: str, tls=None) -> bool:
    async def attempt():
        try:
            nc = await nats.connect(url, connect_timeout=2, allow_reconnect=False, max_reconnect_attempts=0, tls=tls)
        except Exception:
            return True
        await nc.close()
        return False

    return run_apart(attempt())


@pytest.mark.parametrize("https", [False, True], ids=["http", "https"])
def test_the_sites_nats_server_on_the_standby_outlives_the_main(tmp_path, clock, https):
    """With the site's https certificate beside the day files (`salle certificat-web`), the site's nats-server
    speaks TLS with it too: the password never crosses the site's network in clear."""
    nats_port, main_port, web_port = free_port(STANDBY), free_port(), free_port()
    scheme = "https" if https else "http"
    main_db = site_day(tmp_path / "pantin", "PANTIN", f"nats://{STANDBY}:{nats_port}", clock,
                       reseau=f'demarrer = true\nsecours = "{scheme}://127.0.0.1:{web_port}"\n')
    copy = standby_copy(main_db, tmp_path / "secours")
    trusted = None
    if https:
        made = salle("certificat-web", "PANTIN", "--dossier", str(tmp_path / "siege"), "--nom", STANDBY)
        assert made.returncode == 0, made.stderr
        for folder in (main_db.parent, copy.parent):
            for name in ("pantin-web.pem", "siege-ca.pem"):
                shutil.copy(tmp_path / "siege" / "liaisons" / name, folder / name)
        trusted = ssl.create_default_context(cafile=str(tmp_path / "siege" / "liaisons" / "siege-ca.pem"))
    standby = main = None
    try:
        standby = ServedProcess(copy, command=("secours", "--principal", f"{scheme}://127.0.0.1:{main_port}"),
                                port=web_port, context=trusted)
        secret = copy.parent / "pantin-nats.secret"
        assert secret.exists() and oct(secret.stat().st_mode)[-3:] == "600"
        password = secret.read_text().strip()
        url = f"nats://salle:{password}@{STANDBY}:{nats_port}"
        assert refused(f"nats://{STANDBY}:{nats_port}", trusted), "reached over the network: a password"
        with socket.create_connection((STANDBY, nats_port), timeout=5) as sock:
            assert (b'"tls_required":true' in sock.recv(4096).replace(b" ", b"")) is https
        if https:
            assert refused(url), "a client that does not trust the siège's authority: refused at the handshake"

        shutil.copy(secret, main_db.parent / secret.name)  # the administrator's copy, deploy step 10
        main = ServedProcess(main_db, port=main_port, context=trusted)
        assert "déjà lancé" in (main_db.with_suffix(".log")).read_text(), "the main uses the standby's nats-server"
        responsable = main.client("responsable")
        with sqlite3.connect(main_db) as conn:
            first, second = [r[0] for r in conn.execute(
                "SELECT numero FROM candidats WHERE salle = 'A01' AND pieces_manquantes = '' ORDER BY numero LIMIT 2")]
        assert main.client("surveillant").scan("A01", first, "cni")["verdict"] == "admis"
        stream = sujets.stream("ATP27", "PANTIN")

        def in_stream(key, value) -> bool:
            return any(e.get(key) == value for _, _, e in stream_messages(url, stream, tls=trusted))

        wait_for(lambda: in_stream("candidat", first), 20, "the main's entry in the site's stream, on the standby")

        main.kill()  # the main laptop dies: the site's nats-server was never on it
        promoter = ApiClient(standby.url, context=trusted)
        promoter.token = responsable.token

        def promoted():
            status, answer = promoter.request("POST", "/api/v1/secours/promotion", {"confirme": True}, check=False)
            return status == 200 or answer["erreur"]["code"] == "deja_promu"

        wait_for(promoted, 30, "the promotion")
        tablet = ApiClient(standby.url, context=trusted)
        tablet.token = responsable.token
        assert tablet.post("/api/v1/salles/A01/scans", {"code": second, "piece_identite": "cni",
                                                        "client_id": "apres-la-mort"})["verdict"] == "admis"
        wait_for(lambda: in_stream("client_id", "apres-la-mort"), 20,
                 "the standby's entry published to the site's stream, which outlived the main")
        types = [e["type"] for _, _, e in stream_messages(url, stream, tls=trusted)]
        assert "secours_promu" in types
    finally:
        for server in (main, standby):
            if server is not None:
                server.stop()
        subprocess.run(["pkill", "-f", str(copy.parent / "nats-pantin")], check=False)


@pytest.mark.parametrize("secret", [False, True])
def test_a_laptop_whose_address_is_not_the_nats_servers_does_not_start_it(tmp_path, clock, secret):
    db = site_day(tmp_path / "pantin", "PANTIN", "nats://192.0.2.1:4222", clock, reseau="demarrer = true\n")
    if secret:
        (db.parent / "pantin-nats.secret").write_text("mot-de-passe\n")
        written = salle("nats-site", "--db", str(db), "--conf", str(tmp_path / "nats.conf"))
        assert written.returncode != 0 and "pas sur cet ordinateur" in written.stderr
        assert not (tmp_path / "nats.conf").exists()
    else:
        started = salle("serve", "--db", str(db), "--port", "0")
        assert started.returncode != 0
        assert "copiez « pantin-nats.secret » depuis l'ordinateur 192.0.2.1" in started.stderr
