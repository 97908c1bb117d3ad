"""Devices built from devices.toml, and whether each one answers right now (for `salle devices`)."""

from __future__ import annotations

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
from devices.serial_link import SERIAL_ERRORS, close_quietly, french_reason, open_serial


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
