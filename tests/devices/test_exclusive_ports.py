"""A serial port is read by one program at a time (issue 17): a second opener gets a French message naming the
holder, and `salle devices test-scan` while the server holds the port shows the codes the server reads."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from devices.config import parse_config
from devices.inventory import probe_serial
from devices.serial_link import PortBusy, close_quietly, open_serial
from tests.helpers.day import CODES, candidat_in
from tests.helpers.server import LiveServer


def test_a_second_program_gets_a_french_message_naming_the_holder(socat):
    holder = subprocess.Popen([sys.executable, "-c", "import sys, time\n"
                               "from devices.serial_link import open_serial\n"
                               f"p = open_serial({socat.a!r}); print('ok', flush=True); time.sleep(30)"],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ok"
        with pytest.raises(PortBusy) as busy:
            open_serial(socat.a)
        message = str(busy.value)
        assert f"le processus {holder.pid} (python -c" in message and "un programme à la fois" in message
        assert busy.value.holders[0][0] == holder.pid
        command = busy.value.holders[0][1]  # `salle devices` lists a held port as there, and by whom
        assert probe_serial(socat.a, 9600) == (True, f"branché, tenu par processus {holder.pid} ({command})")
    finally:
        holder.kill()
        holder.wait()
    close_quietly(open_serial(socat.a))  # free again once the holder is gone


def test_test_scan_while_the_server_runs_reads_through_the_server(day, clock, demo_files, socat, tmp_path, poll):
    numeros = [candidat_in(day, "A01", pieces_manquantes="")["numero"]] + [f"ATP27-{n:05d}" for n in (7, 8, 9, 10, 11)]
    day.close()
    toml = f'[scanners.porte_A01]\nkind = "serial"\nurl = "{socat.a}"\nsalle = "A01"\n'
    (tmp_path / "devices.toml").write_text(toml, encoding="utf-8")
    live = LiveServer(demo_files / "salle.db", clock, config={"DEVICES": parse_config(toml)})
    admin = live.client("admin")
    try:
        poll(lambda: [d for d in admin.get("/api/v1/appareils")["appareils"] if d["en_ligne"]], timeout=10)
        cli = subprocess.Popen(
            [sys.executable, "-m", "salle", "devices", "--config", str(tmp_path / "devices.toml"), "test-scan",
             "--count", "6", "--timeout", "90", "--serveur", live.url],  # ends at the 6th code; 30 s once ran out
            env={**os.environ, "SALLE_CODE": CODES["admin"]}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True)
        banner = cli.stderr.readline()
        assert "déjà utilisé par le processus" in banner and "à travers le serveur" in banner, banner
        assert "Lecture sur porte_A01 à travers le serveur" in cli.stderr.readline()
        for numero in numeros:  # 5 codes a second, as a surveillant scans a queue
            socat.write_b(f"{numero}\r\n".encode())
            time.sleep(0.2)
        out, err = cli.communicate(timeout=120)
        shown = [line.split()[1] for line in out.splitlines()]
        assert shown == numeros, (out, err)
        assert "6 code(s) lu(s)." in err
        assert [r["code"] for r in admin.get("/api/v1/appareils/lectures")["lectures"]] == numeros
    finally:
        live.app.extensions["salle.devices"].stop()
        live.stop()


def test_reads_parameter_garbage_gets_a_french_400(live):
    status, answer = live.client("admin").request("GET", "/api/v1/appareils/lectures?apres=-1", check=False)
    assert status == 400 and "numéro de lecture" in answer["erreur"]["message"]
    assert live.client("admin").get("/api/v1/appareils/lectures")["lectures"] == []
    status, _ = live.client("surveillant").request("GET", "/api/v1/appareils/lectures", check=False)
    assert status == 403
