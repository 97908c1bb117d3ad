"""The morning pre-flight, `salle verifier` (issue 17), on a site with one device missing: through the running
server (which holds the ports), and with the server stopped (the devices reached directly). Real ptys, a real
TCP printer, the real API."""

from __future__ import annotations

import os
import subprocess
import sys

from devices.config import parse_config
from devices.printing.escpos_stream import barcode_payloads_from_escpos
from devices.printing.fake import FakeNetworkPrinter
from salle.ports import free_port
from tests.helpers.day import CODES
from tests.helpers.devices import SocatPair
from tests.helpers.server import LiveServer
from tests.helpers.waiting import wait_for


def site_toml(printer_port: int, scanner_tty: str, relay_tty: str, missing: str) -> str:
    return f'''
[printers.accueil]
connection = "network"
host = "127.0.0.1"
port = {printer_port}
timeout = 1
site = "PANTIN"

[scanners.porte_A01]
kind = "serial"
url = "{scanner_tty}"
salle = "A01"

[scanners.porte_B12]
kind = "serial"
url = "{missing}"
salle = "B12"

[relays.portes]
url = "{relay_tty}"
site = "PANTIN"
doors_closed = "A0 01 01 A2"
'''


def verifier(*args, env_code: str | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    env = {**os.environ, **({"SALLE_CODE": env_code} if env_code else {})}
    env.pop("SALLE_DEVICES", None)
    return subprocess.run([sys.executable, "-m", "salle", "verifier", *args], capture_output=True, text=True,
                          env=env, timeout=timeout)


def failing(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("✘")]


def test_preflight_through_the_server_names_the_missing_scanner_and_reads_the_test_ticket(day, demo_files, clock,
                                                                                          socat, tmp_path):
    day.close()
    (tmp_path / "relay").mkdir()
    relay = SocatPair(tmp_path / "relay").start()
    with FakeNetworkPrinter() as printer:
        toml = site_toml(printer.port, socat.a, relay.a, str(tmp_path / "ttyACM-absent"))
        live = LiveServer(demo_files / "salle.db", clock,
                          config={"DEVICES": parse_config(toml), "KIOSK_PRINTER_WATCH": 0, "RELAY_WATCH_SECONDS": 0.2})
        try:
            for role in ("surveillant", "surveillant_b12", "kiosk"):  # A01's and B12's tablets, PANTIN's borne
                live.client(role)
            run = subprocess.Popen([sys.executable, "-m", "salle", "verifier", "--serveur", live.url,
                                    "--attendre-scan", "10"], env={**os.environ, "SALLE_CODE": CODES["responsable"]},
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            # The printer prints the test ticket; the surveillant scans it at A01's door.
            wait_for(lambda: "2026000000" in barcode_payloads_from_escpos(printer.data), timeout=20)
            socat.write_b(b"2026000000\r\n")
            out, err = run.communicate(timeout=40)
        finally:
            live.app.extensions["salle.devices"].stop()
            live.app.extensions["kiosk.printer"].stop()
            live.stop()
            relay.kill()
    assert run.returncode == 1, (out, err)
    [missing] = failing(out)
    assert missing.startswith("✘ Lecteur porte_B12 (PANTIN) : hors ligne — Lecteur porte_B12 injoignable : "
                              "périphérique absent (débranché ?)"), out
    assert "    → Branchez le lecteur" in out
    assert "✔ Lecteur porte_A01 (PANTIN) : en ligne, a lu « 2026000000 »" in out
    assert "✔ Imprimante accueil (PANTIN) : borne : ticket d'essai imprimé" in out and "papier présent" in out
    assert "✔ Relais portes (PANTIN) : répond" in out
    assert "✔ Tablette A01" in out and "✔ Tablette B12" in out and "✔ Borne PANTIN" in out
    assert "M1" not in out and "MONTREUIL" not in out  # the responsable's own site only
    assert "PAS PRÊT : 1 point(s) à corriger avant l'ouverture des portes" in out


def test_preflight_with_the_server_stopped_checks_the_devices_directly(day, demo_files, clock, socat, tmp_path):
    day.close()
    (tmp_path / "devices.toml").write_text(
        site_toml(free_port(), socat.a, str(tmp_path / "relay-absent"), str(tmp_path / "ttyACM-absent")),
        encoding="utf-8")
    result = verifier("--db", str(demo_files / "salle.db"), "--devices", str(tmp_path / "devices.toml"),
                      "--serveur", f"http://127.0.0.1:{free_port()}", "--attendre-scan", "0")
    lines = failing(result.stdout)
    assert result.returncode == 1
    assert any(line.startswith("✘ Serveur : ne répond pas sur") for line in lines)
    assert "✘ Imprimante accueil (PANTIN) : Imprimante hors ligne (débranchée ou éteinte) : appelez un membre du " \
           "personnel." in lines
    assert "✘ Relais portes (PANTIN) : périphérique absent (débranché ?)" in lines
    assert any(line.startswith("✘ Lecteur porte_B12") and "périphérique absent" in line for line in lines)
    assert not any("porte_A01" in line for line in lines)  # there, its port free: it opens
    assert "✘ Tablette A01 : aucune tablette connectée" in lines
    assert "Errno" not in result.stdout and "No such file" not in result.stdout


def test_the_api_refuses_bad_fields_in_french_and_surveillants(live):
    admin = live.client("admin")
    status, answer = admin.request("POST", "/api/v1/verification", {"attendre_scan": 99}, check=False)
    assert status == 400 and "de 0 à 20" in answer["erreur"]["message"]
    status, _ = live.client("surveillant").request("POST", "/api/v1/verification", {}, check=False)
    assert status == 403
    report = admin.post("/api/v1/verification", {"imprimer": False})
    assert report["pret"] is False and {p["point"] for p in report["points"]} >= {"Fichier du jour", "Horloge",
                                                                                  "Disque", "Journal"}
