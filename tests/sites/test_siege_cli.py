"""`salle siege`: starts the siège's own nats-server (JetStream, leaf-node port for the sites) and its console."""

from __future__ import annotations

import signal
import subprocess
import sys

import requests

from salle import demo
from salle.ports import free_port
from tests.helpers.waiting import wait_for


def page(url: str):
    try:
        answer = requests.get(url, timeout=1)
        return answer if answer.status_code == 200 else None
    except requests.RequestException:
        return None


def test_salle_siege_serves_the_console_of_every_site(tmp_path):
    (tmp_path / "session.toml").write_text(demo.session_toml(), encoding="utf-8")
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "salle", "siege", str(tmp_path / "session.toml"), "--dossier",
                                str(tmp_path / "siege"), "--nats-port", str(free_port()), "--liaison-port",
                                str(free_port()), "--port", str(port), "--clock", "2027-03-18T08:40"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        answer = wait_for(lambda: page(f"http://127.0.0.1:{port}/"), 30, "the siège's console")
        assert "Centre de gestion — siège" in answer.text and "Maison des examens" in answer.text
        assert "jamais en liaison" in answer.text
        state = wait_for(lambda: (lambda a: a and a.json()["nats_connecte"] and a.json())(
            page(f"http://127.0.0.1:{port}/api/v1/siege")), 30, "the siège's NATS")
        assert [s["site"] for s in state["sites"]] == ["PANTIN", "MONTREUIL"]
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(20)
    assert "Server Exiting" in (tmp_path / "siege" / "nats" / "SIEGE.log").read_text(), "its nats-server stopped too"
    ca = (tmp_path / "siege" / "liaisons" / "siege-ca.pem").read_text()
    assert ca.startswith("-----BEGIN CERTIFICATE-----"), "the siège's authority, to copy beside each site's day file"
    assert "tls {" in (tmp_path / "siege" / "nats" / "SIEGE.conf").read_text(), "its leaf port speaks TLS"
    for site in ("pantin", "montreuil"):  # each site's certificate and key, to copy beside its day file
        own = (tmp_path / "siege" / "liaisons" / f"{site}.pem").read_text()
        assert "BEGIN CERTIFICATE" in own and "PRIVATE KEY" in own
