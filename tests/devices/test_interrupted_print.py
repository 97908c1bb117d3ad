"""A print job cut in the middle of a ticket (issue 17): the printer's state is read first, the half ticket is
closed with « TICKET INTERROMPU » and a cut, then the full ticket is printed once. A real TCP printer that
drops the line after 300 bytes."""

from __future__ import annotations

from devices.printing.escpos_stream import barcode_payloads_from_escpos
from devices.printing.fake import FakeNetworkPrinter
from devices.printing.spooler import IMPRIME
from devices.printing.ticket import INTERRUPTED_LINE, interrupted_marker, ticket_bytes
from tests.helpers.devices import TICKET, Hooks, make_spooler, network_printer

STATUS_QUERIES = (b"\x10\x04\x01", b"\x10\x04\x02", b"\x10\x04\x04")


def job_bytes(data: bytes) -> bytes:
    """What reached the paper: the bytes received less the status queries."""
    for query in STATUS_QUERIES:
        data = data.replace(query, b"")
    return data


def test_a_ticket_cut_mid_job_is_marked_then_printed_once_in_full(tmp_path, poll):
    hooks = Hooks()
    full, marker = ticket_bytes(TICKET), interrupted_marker()
    with FakeNetworkPrinter() as fake:
        fake.cut_after(300)  # the line drops 300 bytes into the first job
        spooler = make_spooler(tmp_path, network_printer(fake), hooks).start()
        job_id = spooler.submit(TICKET)
        poll(lambda: spooler.job(job_id)["status"] == IMPRIME)
        spooler.stop()
        paper = job_bytes(fake.data)
    stub_end = paper.index(marker)
    assert full.startswith(paper[:stub_end]) and 250 < stub_end < len(full)  # the half ticket, then the marker
    assert paper[stub_end:] == marker + full  # marker, cut, and the full ticket once
    assert paper.count(INTERRUPTED_LINE.encode()) == 1
    assert barcode_payloads_from_escpos(paper[stub_end + len(marker):]) == barcode_payloads_from_escpos(full)
    assert hooks.events[-1][1]["ticket_interrompu_marque"] is True and spooler.job(job_id)["interrupted"] == 0


def test_a_printer_that_keeps_cutting_gets_every_stub_marked_and_one_full_ticket(tmp_path, poll):
    hooks = Hooks()
    full, marker = ticket_bytes(TICKET), interrupted_marker()
    with FakeNetworkPrinter() as fake:
        fake.cut_after(300, times=3)
        spooler = make_spooler(tmp_path, network_printer(fake), hooks, max_attempts=10).start()
        job_id = spooler.submit(TICKET)
        poll(lambda: spooler.job(job_id)["status"] == IMPRIME)
        spooler.stop()
        paper = job_bytes(fake.data)
    pieces = paper.split(marker)
    assert len(pieces) == 4 and pieces[-1] == full  # three half tickets, each closed by the marker, then one full
    assert all(full.startswith(p) and p != full for p in pieces[:-1])
    assert barcode_payloads_from_escpos(pieces[-1]) == barcode_payloads_from_escpos(full)


def test_a_fault_before_anything_is_written_is_not_an_interruption(tmp_path, poll):
    hooks = Hooks()
    with FakeNetworkPrinter("paper_out") as fake:
        spooler = make_spooler(tmp_path, network_printer(fake), hooks).start()
        job_id = spooler.submit(TICKET)
        poll(lambda: spooler.job(job_id)["attempts"] >= 2)
        fake.status = "online"
        poll(lambda: spooler.job(job_id)["status"] == IMPRIME)
        spooler.stop()
        paper = job_bytes(fake.data)
    assert paper == ticket_bytes(TICKET)  # the state was read first: nothing sent while out of paper, no marker
