"""Print spooler: every ticket job is stored, journaled, retried while the printer is down, and re-printable.

Journal events (through the injected `record(event_type, payload)`):
  impression_demandee — a job was queued (or queued again by `reprint`)
  impression_reussie  — the printer took the ticket and reported no fault afterwards
  impression_echouee  — the job gave up after `max_attempts` faults; `reprint(job_id)` queues it again
Alerts (through `on_alert(kind, message_fr)`): the fault kind (papier, capot, hors_ligne, delai) when a
fault starts or changes, `impression_echouee` when a job gives up, `imprimante_retablie` when it prints again.
"""

from __future__ import annotations

import json
import logging
import threading
import uuid
from datetime import datetime
from typing import Callable, Protocol

from devices.backoff import Backoff
from devices.hooks import AlertSink, RecordSink, deliver, log_alert
from devices.printing.faults import PrinterFault
from devices.printing.ticket import ConvocationTicket, TicketInvalide, ticket_from_dict
from devices.storage import LockedDatabase
from devices.worker import Worker

log = logging.getLogger(__name__)

EN_ATTENTE, IMPRIME, ECHOUE = "en_attente", "imprime", "echoue"


class JobStore(Protocol):
    def add(self, job: dict) -> None: ...
    def update(self, job_id: str, **fields) -> None: ...
    def get(self, job_id: str) -> dict | None: ...
    def next_waiting(self) -> dict | None: ...


class SqliteJobStore:
    """Jobs in a `print_jobs` table of a SQLite file (WAL, one transaction per write)."""

    def __init__(self, path: str):
        self.store = LockedDatabase(path)
        self.store.write(_create_jobs_table)

    def add(self, job: dict) -> None:
        self.store.write(lambda db: db["print_jobs"].insert(job))

    def update(self, job_id: str, **fields) -> None:
        self.store.write(lambda db: db["print_jobs"].update(job_id, fields))

    def get(self, job_id: str) -> dict | None:
        rows = self.store.rows("print_jobs", "id = ?", [job_id])
        return rows[0] if rows else None

    def next_waiting(self) -> dict | None:
        rows = self.store.rows("print_jobs", "status = ?", [EN_ATTENTE], order_by="created, rowid", limit=1)
        return rows[0] if rows else None

    def close(self) -> None:
        self.store.close()


def _create_jobs_table(db) -> None:
    if db["print_jobs"].exists():
        if "interrupted" not in db["print_jobs"].columns_dict:  # a spool file from before issue 17
            db["print_jobs"].add_column("interrupted", int)
        return
    db["print_jobs"].create(
        {"id": str, "printer": str, "ticket": str, "status": str, "attempts": int,
         "last_error": str, "created": str, "updated": str, "interrupted": int},
        pk="id",
        not_null={"ticket", "status", "attempts", "created", "updated"},
    )
    db["print_jobs"].create_index(["status", "created"])


class UnknownJob(KeyError):
    """No print job has this id."""


class PrintSpooler(Worker):
    """Queue tickets for one printer and print them on a worker thread."""

    def __init__(
        self,
        printer,
        store: JobStore,
        *,
        record: RecordSink = lambda event_type, payload: None,
        on_alert: AlertSink = log_alert,
        max_attempts: int = 5,
        backoff: Backoff | None = None,
        now: Callable[[], datetime] = datetime.now,
    ):
        assert max_attempts >= 1
        super().__init__(f"spooler-{printer.name}")
        self.printer = printer
        self.store = store
        self.record = record
        self.on_alert = on_alert
        self.max_attempts = max_attempts
        self.backoff = backoff or Backoff(0.5, 10.0)
        self.now = now
        self.fault: PrinterFault | None = None
        self._jobs_changed = threading.Condition()

    # -- what the kiosk and the console call -----------------------------------------
    def submit(self, ticket: ConvocationTicket) -> str:
        """Queue a ticket; returns the job id. The job is stored and journaled before this returns.

        Raises TicketInvalide at once for a ticket no printer could print.
        """
        self.printer.render(ticket)
        job_id = str(uuid.uuid4())
        stamp = self._stamp()
        self.store.add({"id": job_id, "printer": self.printer.name, "ticket": json.dumps(ticket.to_dict()),
                        "status": EN_ATTENTE, "attempts": 0, "last_error": None, "created": stamp, "updated": stamp,
                        "interrupted": 0})
        self.record("impression_demandee", self._payload(job_id, ticket, reimpression=False))
        self._notify()
        return job_id

    def reprint(self, job_id: str) -> None:
        """Queue a stored job again (after a failure, or a ticket lost on site)."""
        job = self.store.get(job_id)
        if job is None:
            raise UnknownJob(job_id)
        self.store.update(job_id, status=EN_ATTENTE, attempts=0, last_error=None, updated=self._stamp())
        self.record("impression_demandee", self._payload(job_id, _ticket(job), reimpression=True))
        self._notify()

    def job(self, job_id: str) -> dict | None:
        return self.store.get(job_id)

    # -- the worker ------------------------------------------------------------------
    def run(self) -> None:
        """Print waiting jobs oldest first; wait with backoff while the printer is faulty."""
        while not self._stop.is_set():
            job = self.store.next_waiting()
            if job is None:
                with self._jobs_changed:
                    self._jobs_changed.wait(0.5)
                continue
            if self.attempt(job):
                self.backoff.reset()
            else:
                self.backoff.wait(self._stop)

    def attempt(self, job: dict) -> bool:
        """One try at printing `job`; True when printed."""
        ticket = _ticket(job)
        attempts = job["attempts"] + 1
        interrupted = bool(job.get("interrupted"))
        try:
            # Only a printer that can mark a half ticket is told about it (TicketPrinter and its kin).
            size = (self.printer.print_ticket(ticket, interrupted=True) if interrupted
                    else self.printer.print_ticket(ticket))
        except PrinterFault as fault:
            if fault.partial and not interrupted:
                self.store.update(job["id"], interrupted=1)
                log.warning("impression %s interrompue en cours de ticket : marquée au prochain essai", job["id"])
            self._failed(job, ticket, attempts, fault)
            return False
        except TicketInvalide as invalid:  # stored before a configuration change: retrying cannot help
            self._give_up(job, ticket, attempts, "ticket_invalide", invalid.message)
            return True
        self.store.update(job["id"], status=IMPRIME, attempts=attempts, last_error=None, updated=self._stamp(),
                          interrupted=0)
        payload = {**self._payload(job["id"], ticket), "tentatives": attempts, "octets": size}
        if interrupted:
            payload["ticket_interrompu_marque"] = True
        deliver(self.record, "impression_reussie", payload)
        if self.fault is not None:
            self.fault = None
            deliver(self.on_alert, "imprimante_retablie", f"Imprimante {self.printer.name} de nouveau prête.")
        return True

    def _failed(self, job: dict, ticket: ConvocationTicket, attempts: int, fault: PrinterFault) -> None:
        if self.fault is None or self.fault.kind != fault.kind:
            deliver(self.on_alert, fault.kind, f"Imprimante {self.printer.name} : {fault.message}")
        self.fault = fault
        log.warning("impression %s, essai %d : %s (%s)", job["id"], attempts, fault.message, fault.detail)
        if attempts >= self.max_attempts:
            self._give_up(job, ticket, attempts, fault.kind, fault.message)
        else:
            self.store.update(job["id"], status=EN_ATTENTE, attempts=attempts, last_error=fault.message,
                              updated=self._stamp())

    def _give_up(self, job: dict, ticket: ConvocationTicket, attempts: int, kind: str, message: str) -> None:
        self.store.update(job["id"], status=ECHOUE, attempts=attempts, last_error=message, updated=self._stamp())
        payload = {**self._payload(job["id"], ticket), "tentatives": attempts, "erreur": kind, "message": message}
        deliver(self.record, "impression_echouee", payload)
        deliver(self.on_alert, "impression_echouee",
                f"{ticket.WHAT} {ticket.numero} non imprimée après {attempts} essai(s) ({message}) : "
                f"réimpression possible depuis la console.")

    # -- helpers -----------------------------------------------------------------------
    def _payload(self, job_id: str, ticket: ConvocationTicket, **extra) -> dict:
        document = {"document": ticket.DOCUMENT} if hasattr(ticket, "DOCUMENT") else {}
        return {"job_id": job_id, "imprimante": self.printer.name, "numero": ticket.numero, **document, **extra}

    def _stamp(self) -> str:
        return self.now().isoformat(timespec="seconds")

    def _notify(self) -> None:
        with self._jobs_changed:
            self._jobs_changed.notify_all()

    _wake = _notify


def _ticket(job: dict) -> ConvocationTicket:
    return ticket_from_dict(json.loads(job["ticket"]))
