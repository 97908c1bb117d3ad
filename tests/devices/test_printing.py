"""The convocation ticket on real python-escpos bytes, a fake TCP printer for every fault, and the spooler."""

from __future__ import annotations

import pytest
from escpos.printer import Dummy

from devices.config import PrinterConfig
from devices.printing.escpos_stream import barcode_payloads_from_escpos, decode_code128_data, escpos_symbols
from devices.printing.fake import FakeNetworkPrinter, FakeSerialPrinter
from devices.printing.faults import CoverOpen, PaperOut, PrinterOffline, PrinterTimeout
from devices.printing.printer import TicketPrinter
from devices.printing.spooler import ECHOUE, EN_ATTENTE, IMPRIME, UnknownJob
from devices.printing.ticket import (
    REPLACEMENT_LINE,
    ConvocationTicket,
    TicketInvalide,
    compose_convocation,
    ticket_bytes,
)
from devices.scanners.decoders import PyzbarDecoder, ZxingDecoder
from devices.symbols import render_code128, render_qr
from tests.helpers.devices import TICKET, Hooks, make_spooler, network_printer

# -- the ticket ---------------------------------------------------------------------------
def test_ticket_prints_accents_and_euro_in_one_pinned_code_page():
    printer = Dummy()
    compose_convocation(printer, TICKET)
    data = printer.output
    assert data.count(b"\x1bt") == 1 and b"\x1bt\x10" in data  # ESC t 16 = CP1252, once
    for text in ("Épreuve écrite", "LEFÈVRE Zoé", "l'Œuvre", "bâtiment B, 1er étage", REPLACEMENT_LINE):
        assert text.encode("cp1252") in data
    priced = Dummy()
    compose_convocation(priced, TICKET.__class__(**{**TICKET.to_dict(), "site_address": "Frais : 10 €"}))
    assert "Frais : 10 €".encode("cp1252") in priced.output and b"\x1bt\x0f" not in priced.output  # no Greek table


def test_numero_printed_large_R26():
    data = ticket_bytes(TICKET)
    large = data.index(b"\x1d!\x22")  # GS ! : triple width and height
    assert data.index(b"2026004217\n", large) - large < 40


def test_ticket_uses_native_barcode_and_qr_commands_not_raster():
    data = ticket_bytes(TICKET)
    assert escpos_symbols(data) == [("code128", "2026004217"), ("qr", "2026004217")]
    assert b"\x1dkI\x0c{B2026004217" in data  # GS k 73, function B, {B prefix
    assert b"\x1dv0" not in data and b"\x1b*" not in data  # no raster or bit image


def test_profile_without_qr_prints_only_the_code128():
    data = ticket_bytes(TICKET, profile="TH230")
    assert [kind for kind, _ in escpos_symbols(data)] == ["code128"]


def test_ticket_stays_under_2_kb():
    size = len(ticket_bytes(TICKET))
    print(f"convocation ticket: {size} bytes of ESC/POS")
    assert size < 2048


@pytest.mark.parametrize("decoder_class", [PyzbarDecoder, ZxingDecoder])
def test_printed_barcode_scans_back_to_the_numero(decoder_class):
    payloads = barcode_payloads_from_escpos(ticket_bytes(TICKET))
    assert payloads == [TICKET.numero, TICKET.numero]
    assert decoder_class().decode(render_code128(payloads[0], module_px=2)) == [TICKET.numero]
    assert decoder_class().decode(render_qr(payloads[1], module_px=5)) == [TICKET.numero]


def test_code128_code_sets_read_back():
    assert decode_code128_data(b"{C\x14\x1a{BAB{{C") == "2026AB{C"


# -- faults on a real TCP connection ----------------------------------------------------------
def test_printer_online_receives_the_ticket_and_status_queries_before_and_after():
    with FakeNetworkPrinter() as fake:
        size = network_printer(fake).print_ticket(TICKET)
    assert fake.data.count(b"\x10\x04\x01") == 2 and fake.queries == [1, 4, 1, 4]
    assert size == len(ticket_bytes(TICKET)) and ticket_bytes(TICKET) in fake.data


@pytest.mark.parametrize(
    "status,fault,message",
    [
        ("paper_out", PaperOut, "Plus de papier dans l'imprimante : appelez un membre du personnel."),
        ("cover_open", CoverOpen, "Capot de l'imprimante ouvert"),
        ("offline", PrinterOffline, "Imprimante hors ligne"),
        ("silent", PrinterTimeout, "L'imprimante ne répond pas"),
    ],
)
def test_each_fault_is_reported_in_french_and_nothing_is_printed(status, fault, message):
    with FakeNetworkPrinter(status) as fake:
        with pytest.raises(fault) as raised:
            network_printer(fake).print_ticket(TICKET)
    assert str(raised.value).startswith(message)
    assert b"CONVOCATION" not in fake.data


def test_unplugged_printer_is_offline():
    fake = FakeNetworkPrinter()
    fake.unplug()
    with pytest.raises(PrinterOffline, match="Imprimante hors ligne"):
        network_printer(fake).print_ticket(TICKET)


def test_missing_usb_device_or_file_path_is_offline(tmp_path):
    missing_file = TicketPrinter(PrinterConfig("f", "file", path=str(tmp_path / "absent" / "lp0")))
    with pytest.raises(PrinterOffline):
        missing_file.print_ticket(TICKET)
    target = tmp_path / "ticket.bin"
    TicketPrinter(PrinterConfig("f", "file", path=str(target))).print_ticket(TICKET)
    assert target.read_bytes() == ticket_bytes(TICKET)


# -- the spooler --------------------------------------------------------------------------------
def test_job_printed_and_journaled(tmp_path, poll):
    hooks = Hooks()
    with FakeNetworkPrinter() as fake:
        spooler = make_spooler(tmp_path, network_printer(fake), hooks).start()
        job_id = spooler.submit(TICKET)
        poll(lambda: spooler.job(job_id)["status"] == IMPRIME)
        spooler.stop()
    assert [e for e, _ in hooks.events] == ["impression_demandee", "impression_reussie"]
    assert hooks.events[0][1] == {
        "job_id": job_id, "imprimante": "accueil", "numero": "2026004217", "reimpression": False}
    assert ticket_bytes(TICKET) in fake.data and hooks.alerts == []


def test_printer_comes_back_after_paper_change_and_the_job_is_printed(tmp_path, poll):
    hooks = Hooks()
    with FakeNetworkPrinter("paper_out") as fake:
        spooler = make_spooler(tmp_path, network_printer(fake), hooks).start()
        job_id = spooler.submit(TICKET)
        poll(lambda: spooler.job(job_id)["attempts"] >= 2)
        assert spooler.job(job_id)["status"] == EN_ATTENTE
        assert spooler.job(job_id)["last_error"].startswith("Plus de papier")
        fake.status = "online"  # paper roll changed
        poll(lambda: spooler.job(job_id)["status"] == IMPRIME)
        spooler.stop()
    assert ticket_bytes(TICKET) in fake.data
    assert [kind for kind, _ in hooks.alerts] == ["papier", "imprimante_retablie"]  # one alert per fault, not per try
    assert hooks.alerts[0][1] == f"Imprimante accueil : {PaperOut.message}"


def test_printer_switched_off_then_on_on_the_same_port(tmp_path, poll):
    hooks = Hooks()
    fake = FakeNetworkPrinter()
    port = fake.port
    fake.unplug()
    spooler = make_spooler(tmp_path, network_printer(fake), hooks).start()
    try:
        job_id = spooler.submit(TICKET)
        poll(lambda: spooler.job(job_id)["attempts"] >= 2)
        fake.port = port
        fake.plug()
        poll(lambda: spooler.job(job_id)["status"] == IMPRIME)
    finally:
        spooler.stop()
        fake.unplug()
    assert hooks.alerts[0][0] == "hors_ligne"


def test_job_marked_failed_after_n_tries_then_reprinted_by_id(tmp_path, poll):
    hooks = Hooks()
    with FakeNetworkPrinter("cover_open") as fake:
        spooler = make_spooler(tmp_path, network_printer(fake), hooks, max_attempts=3).start()
        job_id = spooler.submit(TICKET)
        poll(lambda: spooler.job(job_id)["status"] == ECHOUE)
        assert spooler.job(job_id)["attempts"] == 3
        assert hooks.events[-1] == ("impression_echouee", {
            "job_id": job_id, "imprimante": "accueil", "numero": "2026004217", "tentatives": 3,
            "erreur": "capot", "message": CoverOpen.message})
        assert [kind for kind, _ in hooks.alerts] == ["capot", "impression_echouee"]
        assert b"CONVOCATION" not in fake.data

        fake.status = "online"  # cover closed; the responsable reprints from the console
        spooler.reprint(job_id)
        poll(lambda: spooler.job(job_id)["status"] == IMPRIME)
        spooler.stop()
    assert [e for e, _ in hooks.events] == [
        "impression_demandee", "impression_echouee", "impression_demandee", "impression_reussie"]
    assert hooks.events[2][1]["reimpression"] is True
    with pytest.raises(UnknownJob):
        spooler.reprint("pas-un-job")


def test_waiting_jobs_survive_a_restart(tmp_path, poll):
    hooks = Hooks()
    with FakeNetworkPrinter("offline") as fake:
        first = make_spooler(tmp_path, network_printer(fake), hooks)
        job_id = first.submit(TICKET)  # never started: the server stopped before printing
        fake.status = "online"
        second = make_spooler(tmp_path, network_printer(fake), hooks).start()
        poll(lambda: second.job(job_id)["status"] == IMPRIME)
        second.stop()
    assert ticket_bytes(TICKET) in fake.data


def test_unprintable_barcode_refused_at_submit_in_french(tmp_path):
    hooks = Hooks()
    spooler = make_spooler(tmp_path, TicketPrinter(PrinterConfig("accueil", "dummy")), hooks)
    bad = ConvocationTicket(**{**TICKET.to_dict(), "barcode_payload": "Numéro★"})
    with pytest.raises(TicketInvalide, match="Convocation 2026004217 impossible à imprimer : le code « Numéro★ »"):
        spooler.submit(bad)
    assert hooks.events == []


def serial_printer(socat) -> TicketPrinter:
    # 1 s for the fake printer thread to answer a status query (0.3 s left no margin on a loaded machine)
    return TicketPrinter(PrinterConfig("guichet", "serial", device=socat.a, baudrate=19200, timeout=1.0))


def test_serial_printer_on_a_real_pty_prints_and_reads_its_status(socat, poll):
    with FakeSerialPrinter(socat.b) as fake:
        size = serial_printer(socat).print_ticket(TICKET)
        poll(lambda: len(fake.data) >= size)
    assert ticket_bytes(TICKET) in fake.data and fake.queries == [1, 4, 1, 4]


def test_a_serial_printers_answers_are_read_as_they_come_not_after_the_lines_timeout(socat):
    """python-escpos reads 16 bytes for a one-byte status and pyserial waits for them until the line's timeout:
    at 60 s a ticket took four minutes (four status queries). Now it takes what the printer takes to answer."""
    import threading

    printer = TicketPrinter(PrinterConfig("guichet", "serial", device=socat.a, baudrate=19200, timeout=60))
    done = []
    with FakeSerialPrinter(socat.b) as fake:
        job = threading.Thread(target=lambda: done.append(printer.print_ticket(TICKET)), daemon=True)
        job.start()
        job.join(30)  # a hang guard, far below the 240 s the four timeouts would take
        assert done, "the ticket waited on the line's timeout"
        assert fake.queries == [1, 4, 1, 4]


@pytest.mark.parametrize("status,fault", [("paper_out", PaperOut), ("silent", PrinterTimeout)])
def test_serial_printer_faults_on_a_real_pty(socat, status, fault):
    with FakeSerialPrinter(socat.b, status):
        with pytest.raises(fault):
            serial_printer(socat).print_ticket(TICKET)


def test_serial_printer_unplugged_is_offline(socat):
    socat.kill()
    with pytest.raises(PrinterOffline):
        serial_printer(socat).print_ticket(TICKET)
