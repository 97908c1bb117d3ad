"""A configured receipt printer: the python-escpos connector built from devices.toml, status checks, faults."""

from __future__ import annotations

import contextlib
import socket
from pathlib import Path
from typing import Callable

import serial
from escpos import printer as connectors
from escpos.escpos import Escpos
from escpos.exceptions import DeviceNotFoundError

from devices.config import DeviceConfigError, PrinterConfig
from devices.printing.faults import (
    PAPER_NEAR_END_BITS,
    PAPER_SENSOR,
    PrinterFault,
    PrinterOffline,
    PrinterTimeout,
    check_status,
    query,
)
from devices.printing.ticket import ConvocationTicket, interrupted_marker, ticket_bytes

try:  # no libusb on the machine: a USB printer is then simply unreachable
    from usb.core import NoBackendError as _NoUsbBackend
except ImportError:  # pragma: no cover - pyusb is a dependency
    _NoUsbBackend = RuntimeError

# Connections that can read the printer's answer to DLE EOT.
STATUS_CONNECTIONS = ("network", "serial", "usb")


def build_escpos(config: PrinterConfig) -> Escpos:
    """The python-escpos connector for `config` (not yet opened)."""
    common = {"profile": config.profile} if config.profile else {}
    if config.connection == "usb":
        return connectors.Usb(config.usb_vendor, config.usb_product, timeout=int(config.timeout * 1000), **common)
    if config.connection == "network":
        return connectors.Network(config.host, config.port, timeout=config.timeout, **common)
    if config.connection == "serial":
        return connectors.Serial(config.device, config.baudrate, timeout=config.timeout, **common)
    if config.connection == "file":
        return connectors.File(config.path, **common)
    if config.connection == "cups":
        if not connectors.CupsPrinter.is_usable():
            raise DeviceConfigError(
                f"Imprimante {config.name} : connexion « cups » impossible, le module pycups n'est pas installé."
            )
        return connectors.CupsPrinter(config.cups_name, **common)
    if config.connection == "dummy":
        return connectors.Dummy(**common)
    raise AssertionError(f"unknown connection {config.connection}")


@contextlib.contextmanager
def translated_faults():
    """Turn connection errors into PrinterFault with a French message."""
    try:
        yield
    except PrinterFault:
        raise
    except (socket.timeout, TimeoutError, serial.SerialTimeoutException) as exc:
        raise PrinterTimeout(str(exc)) from exc
    except OSError as exc:  # includes pyusb's USBError
        if "timeout" in type(exc).__name__.lower() or "timed out" in str(exc).lower():
            raise PrinterTimeout(str(exc)) from exc
        raise PrinterOffline(str(exc)) from exc
    except (DeviceNotFoundError, serial.SerialException, _NoUsbBackend) as exc:
        raise PrinterOffline(str(exc)) from exc


class TicketPrinter:
    """Print convocation tickets on one configured printer, checking its status before and after."""

    def __init__(self, config: PrinterConfig, factory: Callable[[PrinterConfig], Escpos] = build_escpos):
        self.config = config
        self.name = config.name
        self._factory = factory
        self.can_query = config.connection in STATUS_CONNECTIONS
        self.last_connection: Escpos | None = None

    def render(self, ticket: ConvocationTicket) -> bytes:
        return ticket_bytes(ticket, profile=self.config.profile, codepage=self.config.codepage)

    def print_ticket(self, ticket: ConvocationTicket, *, interrupted: bool = False) -> int:
        """Send one ticket; returns its size in bytes; raises PrinterFault, with `partial` True when some of the
        ticket may have been printed (the fault came during or after the write).

        `interrupted`: the last try stopped mid-ticket. The printer's state is read first (as for every job),
        then the half ticket is closed with « TICKET INTERROMPU » and a cut, the state read again, and only
        then is the full ticket sent: a printer that still cuts the line costs a marker, not another stub."""
        data = self.render(ticket)
        written = False
        try:
            with self._open() as connection:
                if interrupted:
                    written = True
                    connection._raw(interrupted_marker(profile=self.config.profile))
                    if self.can_query:
                        check_status(connection)
                written = True
                connection._raw(data)  # the one write hook every python-escpos connector implements
                if self.can_query:
                    check_status(connection)  # paper ran out or cover opened during the job: print again
        except PrinterFault as fault:
            fault.partial = written
            raise
        return len(data)

    def paper_state(self) -> str | None:
        """« ok », « bientot_fini » (the near-end sensor) or None when the connection cannot tell; PrinterFault
        (PaperOut…) when it cannot print."""
        with self._open() as connection:
            if not self.can_query:
                return None
            return "bientot_fini" if query(connection, PAPER_SENSOR) & PAPER_NEAR_END_BITS == PAPER_NEAR_END_BITS \
                else "ok"

    def check(self) -> None:
        """Raise the current fault, if any; for printers that cannot answer, only try to open them."""
        with self._open():
            pass

    @contextlib.contextmanager
    def _open(self):
        with translated_faults():
            if self.config.connection == "file" and not Path(self.config.path).parent.is_dir():
                raise PrinterOffline(f"{self.config.path} : dossier absent")
            connection = self._factory(self.config)
            self.last_connection = connection
            try:
                connection.open()
                if self.can_query:
                    check_status(connection)
                yield connection
            finally:
                connection.close()
