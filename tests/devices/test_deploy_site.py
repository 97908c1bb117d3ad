"""The site as deploy/README.md installs it: the production unit's environment and command, the README's
devices.toml (its devices swapped for real stand-ins: a TCP printer, socat ptys), and a ticket printed through
the borne (issue 17)."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from devices.printing.escpos_stream import barcode_payloads_from_escpos
from devices.printing.fake import FakeNetworkPrinter
from salle import demo
from salle.client import ApiClient
from salle.ports import free_port
from salle.server import wait_for_server
from tests.helpers.day import CODES
from tests.helpers.devices import SocatPair
from tests.helpers.waiting import wait_for

ROOT = Path(__file__).resolve().parents[2]
UNIT = ROOT / "deploy" / "systemd" / "salle.service"
README = ROOT / "deploy" / "README.md"


def unit_service(path: Path = UNIT) -> tuple[dict[str, str], list[str], str]:
    """The [Service] section's Environment= values, ExecStart= argv and WorkingDirectory= of a systemd unit."""
    env, argv, workdir = {}, [], ""
    for line in path.read_text(encoding="utf-8").splitlines():
        key, _, value = line.strip().partition("=")
        if key == "Environment":
            for assignment in shlex.split(value):
                name, _, val = assignment.partition("=")
                env[name] = val
        elif key == "ExecStart":
            argv = shlex.split(value)
        elif key == "WorkingDirectory":
            workdir = value
    return env, argv, workdir


def readme_devices_toml() -> str:
    """The devices.toml that step 4 of deploy/README.md asks for."""
    text = README.read_text(encoding="utf-8")
    step = text[text.index("4. The devices of this site"):]
    return textwrap.dedent(re.search(r"```toml\n(.*?)```", step, re.S)[1])


def site_as_installed(readme_toml: str, printer_port: int, scanner_tty: str, relay_tty: str) -> str:
    """The README's file with each device replaced by its stand-in (same sections, same names)."""
    toml = re.sub(r'(\[printers\.accueil\]\n).*?\n\n',
                  rf'\1connection = "network"\nhost = "127.0.0.1"\nport = {printer_port}\ntimeout = 2\n\n',
                  readme_toml, count=1, flags=re.S)
    toml = toml.replace("/dev/salle-scanner-A101", scanner_tty).replace("/dev/salle-relay-portes", relay_tty)
    toml = toml.replace('salle = "A101"', 'salle = "A01"')  # a salle of the demo session
    assert scanner_tty in toml and relay_tty in toml and f"port = {printer_port}" in toml
    return toml


@pytest.fixture
def installed_site(day, demo_files, tmp_path):
    """/etc/salle and /var/lib/salle under tmp_path, the unit's command and environment, stand-in devices."""
    etc, state = tmp_path / "etc-salle", tmp_path / "var-lib-salle"
    etc.mkdir(), state.mkdir()
    for name in ("scanner", "relay"):
        (tmp_path / name).mkdir()
    scanner, relay = SocatPair(tmp_path / "scanner").start(), SocatPair(tmp_path / "relay").start()
    printer = FakeNetworkPrinter()
    day.close()
    os.replace(demo_files / "salle.db", state / "salle.db")
    env, argv, workdir = unit_service()
    assert env["SALLE_DEVICES"] == "/etc/salle/devices.toml" and workdir == "/var/lib/salle"
    (etc / "devices.toml").write_text(site_as_installed(readme_devices_toml(), printer.port, scanner.a, relay.a),
                                      encoding="utf-8")
    port = free_port()

    def here(arg: str) -> str:
        return arg.replace("/etc/salle", str(etc)).replace("/var/lib/salle", str(state))

    assert argv[0] == "/opt/salle/.venv/bin/salle" and argv[argv.index("--port") + 1] == "8000"
    command = [sys.executable, "-m", "salle", *[here(a) for a in argv[1:]]]
    command[command.index("--port") + 1] = str(port)
    # The one addition: a rehearsal clock on the session's day (the unit runs on the real one).
    command += ["--clock", "2027-03-18T08:10"]
    process_env = {**os.environ, **{k: here(v) for k, v in env.items()}}
    process_env.pop("SALLE_KIOSK_PRINTER", None)
    log = open(tmp_path / "serve.log", "wb")
    proc = subprocess.Popen(command, env=process_env, cwd=here(workdir), stdout=log, stderr=log,
                            start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        try:
            wait_for_server(url, 60, alive=lambda: proc.poll() is None)
        except RuntimeError:
            log.flush()
            raise AssertionError((tmp_path / "serve.log").read_text(encoding="utf-8")[-2000:]) from None
        yield {"url": url, "printer": printer, "scanner": scanner, "relay": relay, "state": state}
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, 15)
            proc.wait(20)
        log.close()
        printer.unplug()
        scanner.kill()
        relay.kill()


def test_the_readme_site_prints_a_ticket_through_the_borne_and_reads_its_door_scanner(installed_site, day, tmp_path):
    site = installed_site
    kiosk = ApiClient(site["url"])
    kiosk.login(CODES["kiosk"], device="borne")
    numero = "ATP27-00003"
    born = demo.candidats_csv(tmp_path / "rows.csv", 3)[2]["Date de naissance"]  # the demo rows, same seed
    found = kiosk.post("/api/v1/kiosk/recherches", {"numero": numero, "date_naissance": born})
    assert found["resultat"] == "trouve"
    printed = kiosk.post("/api/v1/kiosk/impressions", {"numero": numero, "date_naissance": born,
                                                      "client_id": "deploy-test-1"})
    assert printed["statut"] == "imprimee", printed
    assert barcode_payloads_from_escpos(site["printer"].data)[0] == numero

    admin = ApiClient(site["url"])
    admin.login(CODES["admin"], device="console")
    devices = wait_for(lambda: {d["nom"]: d for d in admin.get("/api/v1/appareils")["appareils"]}.get("porte_A101"),
                       timeout=15)
    assert devices["en_ligne"] and devices["salle"] == "A01"
    relay = wait_for(lambda: {d["nom"]: d for d in admin.get("/api/v1/appareils")["appareils"]}.get("portes"),
                     timeout=15)
    assert relay["en_ligne"] and relay["site"] == "PANTIN"

    # The morning pre-flight against this site, as step 8 runs it.
    result = subprocess.run([sys.executable, "-m", "salle", "verifier", "--serveur", site["url"], "--attendre-scan",
                             "0"], env={**os.environ, "SALLE_CODE": CODES["admin"]}, capture_output=True, text=True,
                            timeout=60)
    assert "✔ Imprimante accueil : borne : ticket d'essai imprimé" in result.stdout, result.stdout
    assert "✔ Relais portes (PANTIN) : répond" in result.stdout
    assert "! Lecteur porte_A101 (PANTIN) : en ligne, aucun code lu" in result.stdout
