"""`salle devices` with click's CliRunner against the fake printer, loop://, a socat pty and a video file."""

from __future__ import annotations

import threading

import pytest
from click.testing import CliRunner

from devices.cli import devices
from devices.printing.escpos_stream import barcode_payloads_from_escpos
from devices.printing.fake import FakeNetworkPrinter
from devices.synthetic import Scene, make_frame, write_video


@pytest.fixture
def fake_printer():
    with FakeNetworkPrinter() as fake:
        yield fake


def write_config(tmp_path, text: str) -> str:
    path = tmp_path / "devices.toml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def printer_section(fake) -> str:
    return f'[printers.accueil]\nconnection = "network"\nhost = "127.0.0.1"\nport = {fake.port}\ntimeout = 0.5\n'


def run(*args, env=None):
    return CliRunner().invoke(devices, list(args), env=env, catch_exceptions=False)


def test_list_without_subcommand_shows_what_answers(tmp_path, fake_printer):
    config = write_config(tmp_path, printer_section(fake_printer) + """
[printers.cuisine]
connection = "network"
host = "127.0.0.1"
port = 9
timeout = 0.5

[scanners.boucle]
kind = "serial"
url = "loop://"

[scanners.absent]
kind = "serial"
url = "/dev/ttyACM-absent"

[relays.portes]
url = "loop://"
doors_closed = "A0 01 01 A2"
""")
    result = run("--config", config)
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert f"  ✔ accueil — réseau 127.0.0.1:{fake_printer.port}, profil default — prête" in lines
    assert any(line.startswith("  ✘ cuisine") and "Imprimante hors ligne" in line for line in lines)
    assert "  ✔ boucle — lecteur série loop:// — connecté" in lines
    assert any(line.startswith("  ✘ absent") and "injoignable" in line for line in lines)
    assert "  ✔ portes — série loop:// — connecté" in lines
    assert run("--config", config, "list").output == result.output


def test_config_from_environment_and_french_error_for_a_wrong_key(tmp_path):
    config = write_config(tmp_path, '[printers.a]\nconnection = "réseau"\n')
    result = CliRunner().invoke(devices, ["list"], env={"SALLE_DEVICES": config})
    assert result.exit_code == 1
    assert "ligne 2 : clé printers.a.connection : « réseau » n'est pas une valeur permise" in result.output


def test_test_print_sends_a_ticket_that_scans(tmp_path, fake_printer):
    config = write_config(tmp_path, printer_section(fake_printer))
    result = run("--config", config, "test-print", "--printer", "accueil")
    assert result.exit_code == 0, result.output
    assert "Ticket d'essai envoyé à accueil" in result.output
    assert barcode_payloads_from_escpos(fake_printer.data) == ["2026000000", "2026000000"]


def test_test_print_reports_the_fault_in_french(tmp_path, fake_printer):
    fake_printer.status = "paper_out"
    config = write_config(tmp_path, printer_section(fake_printer))
    result = run("--config", config, "test-print")
    assert result.exit_code == 1
    assert "accueil : Plus de papier dans l'imprimante" in result.output
    assert "inconnu" in run("--config", config, "test-print", "--printer", "bureau").output


def test_test_scan_prints_codes_from_a_serial_scanner(tmp_path, socat):
    config = write_config(tmp_path, f'[scanners.porte]\nkind = "serial"\nurl = "{socat.a}"\n')
    feeder = threading.Timer(0.2, socat.write_b, [b"2026000101\r\n2026000102\r\n"])
    feeder.start()
    result = run("--config", config, "test-scan", "--count", "2", "--timeout", "20")
    feeder.join()
    assert result.exit_code == 0, result.output
    codes = [line.split()[-1] for line in result.stdout.splitlines()]
    assert codes == ["2026000101", "2026000102"]


def test_test_scan_reads_a_video_file_camera(tmp_path):
    frames = [make_frame(Scene("qr", "2026000103", 4), seed=i) for i in range(5)]
    video = write_video(tmp_path / "cam.avi", frames)
    config = write_config(tmp_path, f'[scanners.webcam]\nkind = "camera"\nsource = "{video}"\n')
    result = run("--config", config, "test-scan", "--timeout", "20")
    assert result.exit_code == 0
    assert [line.split()[-1] for line in result.stdout.splitlines()] == ["2026000103"]
