"""The kiosk's printer: devices' PrintSpooler wired to the journal (events, alerts for the console).

The spooler (devices.printing.spooler) keeps its jobs in its own small SQLite file, retries while the printer
is faulty and marks a job failed after its last try; every step reaches the journal through `record`, every
fault the console through `on_alert` (journal event `alerte`). A job is never lost silently.
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
import time
from pathlib import Path

from devices.backoff import Backoff
from devices.config import PrinterConfig, load_config
from devices.printing.printer import TicketPrinter
from devices.printing.spooler import ECHOUE, EN_ATTENTE, IMPRIME, PrintSpooler, SqliteJobStore, UnknownJob
from devices.printing.ticket import ticket_from_dict
from salle.errors import Introuvable, SalleError
from salle.journal import Actor
from salle.state import queries

log = logging.getLogger(__name__)
PRINTER_ACTOR = Actor(id="imprimante_borne", role="systeme", device="imprimante", name="Imprimante de la borne")
EVENT_TYPES = {"impression_reussie": "convocation_imprimee"}  # the spooler's names -> the journal's
STATUS = {IMPRIME: "imprimee", ECHOUE: "echec", EN_ATTENTE: "en_attente"}
PRINTED_MESSAGE = "Votre {document} est imprimée : prenez-la sous l'écran."
WAITING_MESSAGE = "Impression en cours…"


def build_printer(value):
    """KIOSK_PRINTER as given: a printer object (print_ticket), a devices PrinterConfig, a dict of its fields,
    or the path of a devices.toml (« devices.toml#accueil » names the printer, else its first one)."""
    if value is None or hasattr(value, "print_ticket"):
        return value
    if isinstance(value, PrinterConfig):
        return TicketPrinter(value)
    if isinstance(value, dict):
        return TicketPrinter(PrinterConfig(**{"name": "borne", **value}))
    path, _, name = str(value).partition("#")
    printers = load_config(Path(path)).printers
    if not printers or (name and name not in printers):
        raise SalleError(f"{path} : imprimante « {name or '(aucune)'} » absente de la configuration.",
                         code="configuration_invalide")
    return TicketPrinter(printers[name] if name else next(iter(printers.values())))


KIOSK_PRINTER_NAME = "accueil"


def printer_from_devices(config) -> PrinterConfig | None:
    """The borne's printer in the server's devices.toml: `[printers.accueil]`, else its only printer."""
    if config is None or not config.printers:
        return None
    if KIOSK_PRINTER_NAME in config.printers:
        return config.printers[KIOSK_PRINTER_NAME]
    if len(config.printers) == 1:
        return next(iter(config.printers.values()))
    log.warning("%s : plusieurs imprimantes et aucune nommée « accueil » : la borne n'a pas d'imprimante.",
                config.source)
    return None


class SharedPrinter:
    """The printer as the spooler and the watch both use it, one at a time (a network printer takes one
    connection); `check()` is a no-op for a printer object without one."""

    def __init__(self, printer):
        self.printer = printer
        self.name = printer.name
        self._lock = threading.Lock()

    def render(self, ticket):
        return self.printer.render(ticket)

    def print_ticket(self, ticket, **options):
        with self._lock:
            return self.printer.print_ticket(ticket, **options)

    def paper_state(self) -> str | None:
        paper_state = getattr(self.printer, "paper_state", None)
        if paper_state is None:
            return None
        with self._lock:
            return paper_state()

    def check(self) -> None:
        check = getattr(self.printer, "check", None)
        if check is not None:
            with self._lock:
                check()


class KioskPrinter:
    """One printer for the server's kiosks; `submit` queues a ticket and returns its job id. Watched like every
    device (issue 17): listed in /appareils with its state, a fault is an alert, its return closes it."""

    def __init__(self, day, printer, spool_path: Path, *, max_attempts: int = 20,
                 backoff: tuple[float, float] = (0.5, 10.0), watch: float = 5.0, site: str | None = None):
        self.day = day
        self.printer = SharedPrinter(printer)
        self._context = threading.local()
        self._order = threading.Lock()  # a job's request is journaled before the worker's outcome for it
        self._site: str | None = site
        self._fixed_site = site
        self._state_lock = threading.Lock()
        self._state: tuple[bool, str | None] | None = None  # (online, fault kind) last journaled
        self._stop = threading.Event()
        self.spooler = PrintSpooler(self.printer, SqliteJobStore(str(spool_path)), record=self.record,
                                    on_alert=self.on_alert, max_attempts=max_attempts, backoff=Backoff(*backoff),
                                    now=day.clock.now).start()
        if watch:
            threading.Thread(target=self._watch, args=(watch,), name="kiosk-printer-watch", daemon=True).start()

    # --- hooks the spooler calls -------------------------------------------------------------------

    def record(self, event_type: str, payload: dict) -> None:
        ctx = getattr(self._context, "value", None)
        if ctx is None:  # the spooler's worker: wait until the submit that queued the job has journaled it
            with self._order:
                ctx = self._job_context(payload.get("job_id"))
        self._write(event_type, payload, ctx)

    def _write(self, event_type: str, payload: dict, ctx: dict) -> None:
        payload = {**payload, **({"demande": ctx["demande"]} if ctx.get("demande") else {})}
        actor = ctx.get("actor") or PRINTER_ACTOR
        self.day.journal.write(lambda tx: tx.append(
            EVENT_TYPES.get(event_type, event_type), actor, payload, epreuve=ctx.get("epreuve"),
            site=ctx.get("site"), candidat=payload.get("numero")))

    def on_alert(self, kind: str, message: str) -> None:
        """For the console (R6: « a job is never lost silently »): a fault is the printer's state (an alert, closed
        when it prints or answers again); a job given up is an alert of its own."""
        if kind == "imprimante_retablie":
            self._set_state(True, None, f"Imprimante « {self.printer.name} » de nouveau prête.")
        elif kind in ("impression_echouee", "ticket_invalide"):
            self.day.journal.write(lambda tx: tx.append("alerte", PRINTER_ACTOR, {"kind": kind, "message": message},
                                                        site=self._site))
        else:
            fault = self.spooler.fault
            text = fault.message if fault is not None and fault.kind == kind else message
            self._set_state(False, kind, f"Imprimante « {self.printer.name} » : {text}")

    def _set_state(self, online: bool, kind: str | None, message: str) -> None:
        from salle.commands.devices import record_device_state

        with self._state_lock:
            if self._state == (online, kind):
                return
            self._state = (online, kind)
            record_device_state(self.day, PRINTER_ACTOR, self.printer.name, "imprimante", online, message,
                                site=self._site, alert=kind)

    def _watch(self, period: float) -> None:
        """Ask the printer its state now and then while nothing prints: a printer switched off, out of paper or
        back is seen without waiting for a candidat."""
        from devices.printing.faults import PrinterFault

        while not self._stop.wait(0 if self._state is None else period):
            try:
                self.printer.check()
            except PrinterFault as fault:
                self._set_state(False, fault.kind, f"Imprimante « {self.printer.name} » : {fault.message}")
                continue
            except Exception:  # a printer object of someone else's: never stop watching
                log.exception("surveillance de l'imprimante")
                continue
            self._set_state(True, None, f"Imprimante « {self.printer.name} » prête.")

    def _job_context(self, job_id) -> dict:
        row = queries.print_job(self.day.journal.reader(), job_id) or {}
        return {"epreuve": row.get("epreuve"), "site": row.get("site")}

    @contextlib.contextmanager
    def context(self, **ctx):
        """Who asks (the kiosk, or the responsable reprinting), for the events the spooler records now."""
        self._context.value = ctx
        self._site = self._fixed_site or ctx.get("site") or self._site
        try:
            yield
        finally:
            self._context.value = None

    # --- what the kiosk API calls -----------------------------------------------------------------

    def submit(self, ticket: dict, **ctx) -> str:
        with self._order, self.context(**ctx):
            return self.spooler.submit(ticket_from_dict(ticket))

    def reprint(self, job_id: str, **ctx) -> None:
        with self._order, self.context(**ctx):
            try:
                self.spooler.reprint(job_id)
            except UnknownJob:
                raise Introuvable(f"Impression « {job_id} » inconnue.", code="impression_inconnue") from None

    def status(self, job_id: str, wait: float = 0.0) -> dict:
        """The job as the kiosk screen shows it; waits up to `wait` seconds for its first try."""
        deadline = time.monotonic() + wait
        while True:
            job = self.spooler.job(job_id)
            if job is None:
                raise Introuvable(f"Impression « {job_id} » inconnue.", code="impression_inconnue")
            if job["status"] != EN_ATTENTE or job["attempts"] or time.monotonic() >= deadline:
                break
            time.sleep(0.02)
        statut = STATUS[job["status"]]
        document = "attestation" if json.loads(job["ticket"]).get("document") == "attestation" else "convocation"
        if statut == "imprimee":
            message = PRINTED_MESSAGE.format(document=document)
        elif job["last_error"]:
            message = (f"{job['last_error']} Votre {document} sera imprimée dès que l'imprimante sera prête."
                       if statut == "en_attente" else
                       f"{job['last_error']} Votre {document} n'a pas pu être imprimée : un membre du personnel "
                       "va vous aider.")
        else:
            message = WAITING_MESSAGE
        return {"job": job_id, "statut": statut, "message": message, "tentatives": job["attempts"],
                "panne": bool(job["last_error"]) and statut != "imprimee"}

    def stop(self) -> None:
        self._stop.set()
        self.spooler.stop()


def from_config(app, day) -> KioskPrinter | None:
    printer = build_printer(app.config.get("KIOSK_PRINTER"))
    if printer is None:
        return None
    spool = app.config.get("KIOSK_SPOOL_DB") or str(Path(app.config["DB_PATH"]).with_suffix("")) + "-impressions.db"
    site = getattr(getattr(printer, "config", None), "site", None)
    return KioskPrinter(day, printer, Path(spool), max_attempts=int(app.config.get("KIOSK_PRINT_ATTEMPTS", 20)),
                        backoff=tuple(app.config.get("KIOSK_PRINT_BACKOFF", (0.5, 10.0))),
                        watch=float(app.config.get("KIOSK_PRINTER_WATCH", 5.0)), site=site)

