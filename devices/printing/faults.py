"""Printer faults as typed exceptions with French messages, and the real-time status query (DLE EOT n)."""

from __future__ import annotations

import socket

import serial
from escpos.escpos import Escpos

DLE_EOT = b"\x10\x04"
PRINTER_STATUS, OFFLINE_CAUSE, PAPER_SENSOR = 1, 2, 4
OFFLINE_BIT = 0x08  # n=1
COVER_OPEN_BIT, PAPER_END_STOP_BIT, ERROR_BIT = 0x04, 0x20, 0x40  # n=2
PAPER_END_BITS = 0x60  # n=4
PAPER_NEAR_END_BITS = 0x0C  # n=4: the roll is nearly finished


class PrinterFault(Exception):
    """A printer that cannot print now; `kind` is stable, `message` is for the kiosk screen."""

    kind = "imprimante"
    message = "L'imprimante ne peut pas imprimer : appelez un membre du personnel."

    def __init__(self, detail: str = ""):
        super().__init__(self.message)
        self.detail = detail
        self.partial = False  # some of the ticket may have reached the paper (set by TicketPrinter)


class PaperOut(PrinterFault):
    kind = "papier"
    message = "Plus de papier dans l'imprimante : appelez un membre du personnel."


class CoverOpen(PrinterFault):
    kind = "capot"
    message = "Capot de l'imprimante ouvert : refermez-le ou appelez un membre du personnel."


class PrinterOffline(PrinterFault):
    kind = "hors_ligne"
    message = "Imprimante hors ligne (débranchée ou éteinte) : appelez un membre du personnel."


class PrinterTimeout(PrinterFault):
    kind = "delai"
    message = "L'imprimante ne répond pas : vérifiez qu'elle est allumée ou appelez un membre du personnel."


def query(printer: Escpos, n: int) -> int:
    """Send DLE EOT n and return the status byte; PrinterTimeout when nothing comes back.

    On a serial line the one byte is read by itself: python-escpos reads 16, and pyserial waits for all 16 until
    the line's timeout, so every query took the whole timeout (four a ticket: 20 s at the default 5 s)."""
    try:
        line = getattr(printer, "device", None)
        if isinstance(line, serial.Serial):
            printer._raw(DLE_EOT + bytes([n]))
            answer = line.read(1)
            answer += line.read(line.in_waiting)  # a printer that says more: its last byte, as below
        else:
            answer = printer.query_status(DLE_EOT + bytes([n]))
    except (socket.timeout, TimeoutError) as exc:
        raise PrinterTimeout(str(exc)) from exc
    if not answer:
        raise PrinterTimeout("pas de réponse à DLE EOT")
    return answer[-1]


def check_status(printer: Escpos) -> None:
    """Raise the fault the printer reports, if any (needs a connection that can read back)."""
    if query(printer, PRINTER_STATUS) & OFFLINE_BIT:
        cause = query(printer, OFFLINE_CAUSE)
        if cause & COVER_OPEN_BIT:
            raise CoverOpen(f"DLE EOT 2 = {cause:#04x}")
        if cause & PAPER_END_STOP_BIT:
            raise PaperOut(f"DLE EOT 2 = {cause:#04x}")
        raise PrinterOffline(f"DLE EOT 2 = {cause:#04x}")
    paper = query(printer, PAPER_SENSOR)
    if paper & PAPER_END_BITS == PAPER_END_BITS:
        raise PaperOut(f"DLE EOT 4 = {paper:#04x}")
