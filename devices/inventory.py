"""Devices built from devices.toml, and whether each one answers right now (for `salle devices`)."""

from __future__ import annotations

import time
from pathlib import Path

import cv2

from devices.config import PrinterConfig, RelayConfig, ScannerConfig
from devices.hooks import StatusSink, log_status
from devices.printing.faults import PrinterFault
from devices.printing.printer import TicketPrinter
from devices.scanners.camera import CameraScanner
from devices.scanners.common import CodeSink
from devices.scanners.decoders import make_decoder
from devices.scanners.serial_line import SerialScanner
from devices.serial_link import SERIAL_ERRORS, PortBusy, close_quietly, french_reason, open_serial


def make_scanner(config: ScannerConfig, on_code: CodeSink, on_status: StatusSink = log_status):
    """A CameraScanner or SerialScanner for `config` (not started)."""
    if config.kind == "serial":
        return SerialScanner(config.url, on_code, name=config.name, on_status=on_status, baudrate=config.baudrate)
    return CameraScanner(config.source, on_code, decoder=make_decoder(config.decoder), on_status=on_status)


def describe_printer(c: PrinterConfig) -> str:
    where = {
        "usb": f"USB {c.usb_vendor or 0:04x}:{c.usb_product or 0:04x}",
        "network": f"réseau {c.host}:{c.port}",
        "serial": f"série {c.device} à {c.baudrate} bauds",
        "file": f"fichier {c.path}",
        "cups": f"CUPS {c.cups_name}",
        "dummy": "factice (rien n'est imprimé)",
    }[c.connection]
    return f"{where}, profil {c.profile or 'default'}"


def describe_scanner(c: ScannerConfig) -> str:
    if c.kind == "serial":
        return f"lecteur série {c.url}" + (f", salle {c.salle}" if c.salle else "")
    return f"caméra {c.source}, décodeur {c.decoder}" + (f", salle {c.salle}" if c.salle else "")


def probe_printer(c: PrinterConfig) -> tuple[bool, str]:
    try:
        TicketPrinter(c).check()
    except PrinterFault as fault:
        return False, fault.message
    return True, "prête"


def probe_serial(url: str, baudrate: int) -> tuple[bool, str]:
    try:
        port = open_serial(url, baudrate, timeout=0.5)
    except PortBusy as busy:  # the server holds it: it is there (the server's own state is in /appareils)
        who = ", ".join(f"processus {pid} ({command})" for pid, command in busy.holders) or "un autre programme"
        return True, f"branché, tenu par {who}"
    except SERIAL_ERRORS as exc:
        return False, f"injoignable : {french_reason(exc)}"
    close_quietly(port)
    return True, "connecté"


def probe_scanner(c: ScannerConfig) -> tuple[bool, str]:
    if c.kind == "serial":
        return probe_serial(c.url, c.baudrate)
    if isinstance(c.source, str) and not Path(c.source).exists():
        return False, f"fichier ou caméra {c.source} introuvable"
    capture = cv2.VideoCapture(c.source)
    try:
        return (True, "connectée") if capture.isOpened() else (False, "caméra introuvable ou occupée")
    finally:
        capture.release()


def probe_relay(c: RelayConfig) -> tuple[bool, str]:
    return probe_serial(c.url, c.baudrate)


# --- the morning pre-flight (salle verifier): one device at a time, what it does and what to do --------------

TEST_CODE_HINT = "scannez le ticket d'essai (code 2026000000) avec ce lecteur, puis relancez la vérification"


def printer_preflight(printer, print_test: bool) -> tuple[bool, str, bool, str]:
    """(ok, detail, warn, what to do) for a TicketPrinter-like object: a test ticket, then its paper."""
    from devices.printing.ticket import test_ticket

    try:
        detail = ""
        if print_test:
            size = printer.print_ticket(test_ticket())
            detail = f"ticket d'essai imprimé ({size} octets) ; "
        paper = printer.paper_state() if hasattr(printer, "paper_state") else None
    except PrinterFault as fault:
        return False, fault.message, False, "Réglez l'imprimante (papier, capot, câble, alimentation) et relancez."
    if paper == "bientot_fini":
        return True, detail + "papier bientôt fini", True, "Changez le rouleau avant l'ouverture des portes."
    if paper is None:
        return True, detail + "état du papier inconnu (connexion sans retour)", True, \
            "Regardez le rouleau vous-même."
    return True, detail + "papier présent", False, ""


def scanner_preflight(config: ScannerConfig, wait: float) -> tuple[bool, str, bool, str]:
    """A scanner the server does not hold: its port opens, and it reads a code within `wait` seconds."""
    if wait <= 0 or config.kind != "serial":
        ok, state = probe_scanner(config)
        return ok, state, ok, TEST_CODE_HINT if ok else "Branchez le lecteur (voir ls -l /dev/salle-*)."
    codes: list[str] = []
    statuses: list[tuple[bool, str]] = []
    scanner = make_scanner(config, codes.append, lambda online, message: statuses.append((online, message)))
    scanner.start()
    deadline = time.monotonic() + wait
    while not codes and time.monotonic() < deadline:
        time.sleep(0.05)
    scanner.stop()
    if codes:
        return True, f"a lu « {codes[0]} »", False, ""
    if statuses and statuses[-1][0]:
        return True, f"connecté, aucun code lu en {wait:g} s", True, TEST_CODE_HINT
    return False, statuses[-1][1] if statuses else "injoignable", False, "Branchez le lecteur (ls -l /dev/salle-*)."


class LocalProbe:
    """The devices of devices.toml reached directly (the server is stopped: nobody holds their ports)."""

    def __init__(self, config):
        self.config = config

    def check_devices(self, site, print_test: bool, scan_wait: float):
        from salle.preflight import DeviceResult
        from devices.relay import DoorRelay

        results = []
        for name, c in self.config.printers.items():
            if site and c.site not in (None, site):
                continue
            ok, detail, warn, todo = printer_preflight(TicketPrinter(c), print_test)
            results.append(DeviceResult(name, "imprimante", ok, detail, warn, todo, c.site))
        for name, c in self.config.scanners.items():
            if site and c.site not in (None, site):
                continue
            ok, detail, warn, todo = scanner_preflight(c, scan_wait)
            results.append(DeviceResult(name, "lecteur", ok, detail, warn, todo, c.salle or c.site))
        for name, c in self.config.relays.items():
            if site and c.site not in (None, site):
                continue
            relay = DoorRelay(c)
            ok = relay.check()
            relay.close()
            results.append(DeviceResult(name, "relais", ok, "répond" if ok else relay.last_error, False,
                                        "" if ok else "Branchez le relais (ls -l /dev/salle-*).", c.site))
        return results
