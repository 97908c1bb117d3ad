"""The site's hardware wired to the day: door scanners post scans, devices report their state, relays follow the doors.

Which devices exist is configuration (devices.toml, see devices/README.md); this module only connects them:
a scanner bound to a salle sends each code through the same scan path as a tablet (a preview: the
surveillant confirms the identity document on the tablet, R5). Every device has a site and is watched the same
way: its state is journaled (`appareil_etat`), going off line raises a console alert and coming back closes it.
A relay is switched after its own site's door closing and end of the épreuve are durable, from its own thread,
so that it can never delay or block them (R3); a signal it could not take is sent again when it comes back
while it still means something, otherwise the responsable is told which door did not move.
"""

from __future__ import annotations

import collections
import itertools
import logging
import queue
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from salle.commands.arrivals import ScanRequest, scan
from salle.commands.devices import record_device_state
from salle.day import Caller, ExamDay
from salle.errors import SalleError
from salle.journal import Actor
from salle.state import queries

from .config import DevicesConfig
from .inventory import make_scanner
from .relay import WHAT, DoorRelay

log = logging.getLogger(__name__)
RELAY_WATCH_SECONDS = 2.0
LATE_END_SIGNAL = timedelta(minutes=15)  # an end-of-épreuve bell later than this would only confuse


@dataclass
class Signal:
    kind: str  # doors_closed | epreuve_end
    epreuve: str | None
    site: str
    at: datetime

    def describe(self) -> str:
        return f"{WHAT[self.kind]} ({self.epreuve or '?'}, site {self.site}, {self.at:%H:%M})"


class SiteDevices:
    def __init__(self, day: ExamDay, config: DevicesConfig, on_read=lambda salle, answer, scanner: None,
                 relay_watch: float = RELAY_WATCH_SECONDS):
        self.day = day
        self.on_read = on_read  # a scan previewed: (salle, answer, scanner name), for the live push
        self.scanners = {}
        self.relay_watch = relay_watch
        self.relays = [DoorRelay(r, on_alert=lambda *_: None) for r in config.relays.values()]
        self.relay_sites = {r.name: self._relay_site(r.config) for r in self.relays}
        self._relay_online: dict[str, bool | None] = {r.name: None for r in self.relays}
        self._pending: dict[str, Signal] = {}  # relay name -> the signal it could not take
        self._signals: queue.Queue = queue.Queue()
        self._relay_lock = threading.Lock()  # the signals' thread and the watch take turns
        self._stop = threading.Event()
        self._reads: collections.deque = collections.deque(maxlen=500)  # what `salle devices test-scan` shows
        self._read_numbers = itertools.count(1)
        self._reads_lock = threading.Lock()
        for name, sc in config.scanners.items():
            if not sc.salle:
                log.info("lecteur %s sans salle : utilisable seulement par « salle devices test-scan »", name)
                continue
            salle = day.session.salle(sc.salle)
            if salle is None:
                raise SalleError(f"devices.toml : le lecteur « {name} » est affecté à la salle « {sc.salle} », "
                                 "inconnue de la session.")
            if sc.site and sc.site != salle.site:
                raise SalleError(f"devices.toml : le lecteur « {name} » est au site « {sc.site} » mais sa salle "
                                 f"{salle.code} est au site « {salle.site} ».")
            caller = Caller(Actor(id=f"appareil:{name}", role="appareil", device=name, name=f"Lecteur {name}"),
                            role="surveillant", salle=salle.code, site=salle.site)
            self.scanners[name] = make_scanner(sc, lambda code, n=name, c=caller: self._code(n, c, code),
                                               lambda online, message, n=name, c=caller: self._status(n, c, online,
                                                                                                       message))
        day.journal.subscribe(self._on_events)
        threading.Thread(target=self._run_signals, name="salle-relays", daemon=True).start()

    def _relay_site(self, config) -> str:
        sites = [s.code for s in self.day.session.sites]
        if config.site is None:
            if len(sites) == 1:
                return sites[0]
            raise SalleError(f"devices.toml : le relais « {config.name} » doit dire le site dont il suit les portes "
                             f"(site = \"{sites[0]}\") : la session a plusieurs sites ({', '.join(sites)}).")
        if config.site not in sites:
            raise SalleError(f"devices.toml : le relais « {config.name} » est au site « {config.site} », inconnu de "
                             f"la session ({', '.join(sites)}).")
        return config.site

    def start(self) -> "SiteDevices":
        for scanner in self.scanners.values():
            scanner.start()
        if self.relays:
            threading.Thread(target=self._watch_relays, name="salle-relays-watch", daemon=True).start()
        return self

    def stop(self) -> None:
        self._stop.set()
        for scanner in self.scanners.values():
            scanner.stop()
        for relay in self.relays:
            relay.close()

    # --- scanners ------------------------------------------------------------------------------

    def _code(self, name: str, caller: Caller, code: str) -> None:
        read = {"heure": self.day.clock.now().isoformat(timespec="seconds"), "lecteur": name, "salle": caller.salle,
                "site": caller.site, "code": code, "verdict": None}
        with self._reads_lock:
            read["n"] = next(self._read_numbers)
            self._reads.append(read)
        try:
            answer = scan(self.day, caller, caller.salle, ScanRequest(code=code, client_id=f"{name}:{uuid.uuid4()}"))
        except SalleError as exc:
            log.warning("lecteur %s : %s", name, exc.message)
            read["verdict"] = exc.code
            return
        read["verdict"] = answer.get("verdict")
        self.on_read(caller.salle, answer, name)

    def _status(self, name: str, caller: Caller, online: bool, message: str) -> None:
        message = message if online else f"Lecteur « {name} » hors ligne : {message}"
        record_device_state(self.day, caller.actor, name, "lecteur", online, message, salle=caller.salle,
                            site=caller.site)

    def reads(self, after: int = 0, site: str | None = None, scanner: str | None = None) -> list[dict]:
        """The codes the door scanners read since read number `after` (the last 500 kept), oldest first."""
        with self._reads_lock:
            reads = [dict(r) for r in self._reads if r["n"] > after]
        return [r for r in reads
                if (site is None or r["site"] == site) and (scanner is None or r["lecteur"] == scanner)]

    # --- relays --------------------------------------------------------------------------------

    def _on_events(self, events: list[dict]) -> None:
        for event in events:
            kind = {"portes_fermees": "doors_closed", "fin_epreuve": "epreuve_end"}.get(event["type"])
            if kind:
                at = datetime.fromisoformat(event["server_time"])
                self._signals.put(Signal(kind, event.get("epreuve"), event.get("site"), at))

    def _run_signals(self) -> None:
        while True:
            signal = self._signals.get()
            for relay in self.relays:
                if self.relay_sites[relay.name] != signal.site:
                    continue  # another site's doors
                try:
                    with self._relay_lock:
                        self._send(relay, signal)
                except Exception:  # e.g. its alert could not be recorded: the next signal must still go out
                    log.exception("relais")

    def _send(self, relay: DoorRelay, signal: Signal) -> None:
        if relay.signal(signal.kind):
            self._pending.pop(relay.name, None)
            return
        self._pending[relay.name] = signal
        self._relay_state(relay, False, (
            f"Relais de porte « {relay.name} » injoignable ({relay.last_error}) : le signal de {signal.describe()} "
            "n'est pas parti. Prévenez les candidats de vive voix ; il sera envoyé au retour du relais s'il a encore "
            "un sens."))

    def _watch_relays(self) -> None:
        while not self._stop.wait(0 if None in self._relay_online.values() else self.relay_watch):
            for relay in self.relays:
                try:
                    with self._relay_lock:
                        self._watch(relay)
                except Exception:
                    log.exception("surveillance du relais %s", relay.name)

    def _watch(self, relay: DoorRelay) -> None:
        if not relay.check():
            if self._relay_online[relay.name] is not False:
                where = self.relay_sites[relay.name]
                self._relay_state(relay, False, f"Relais de porte « {relay.name} » (site {where}) hors ligne : "
                                                f"{relay.last_error}.")
            return
        if self._relay_online[relay.name]:
            return
        pending = self._pending.pop(relay.name, None)
        message = f"Relais de porte « {relay.name} » (site {self.relay_sites[relay.name]}) en ligne."
        if pending and self._still_meaningful(pending):
            sent = relay.signal(pending.kind)
            message += (f" Signal de {pending.describe()} envoyé à son retour, à "
                        f"{self.day.clock.now():%H:%M}." if sent else "")
            if not sent:
                self._pending[relay.name] = pending
                return
        elif pending:
            self._relay_state(relay, True, message)
            self._relay_alert(relay, f"Le signal de {pending.describe()} n'a jamais été donné par le relais "
                                     f"« {relay.name} » : la porte n'a pas bougé. Il n'est plus envoyé (trop tard).")
            return
        self._relay_state(relay, True, message)

    def _still_meaningful(self, signal: Signal) -> bool:
        """A door-closing signal until the épreuve ends at that site; an end bell within 15 minutes."""
        if signal.kind == "epreuve_end":
            return self.day.clock.now() - signal.at <= LATE_END_SIGNAL
        return not queries.deroulement(self.day.journal.reader(), signal.epreuve, signal.site).get("ended_at")

    def _relay_state(self, relay: DoorRelay, online: bool, message: str) -> None:
        self._relay_online[relay.name] = online
        actor = Actor(id=f"appareil:{relay.name}", role="appareil", device=relay.name, name="Relais de porte")
        record_device_state(self.day, actor, relay.name, "relais", online, message, site=self.relay_sites[relay.name])

    def _relay_alert(self, relay: DoorRelay, message: str) -> None:
        actor = Actor(id=f"appareil:{relay.name}", role="appareil", device=relay.name, name="Relais de porte")
        self.day.journal.write(lambda tx: tx.append("alerte", actor, {"kind": "relais", "message": message},
                                                    site=self.relay_sites[relay.name]))

    def status(self) -> list[dict]:
        return queries.devices(self.day.journal.reader())


class ServerProbe:
    """The pre-flight's view of the devices through the running server: the ports it holds are never opened a
    second time (its scanners' states and reads, its relays checked under its own lock, the borne's printer
    through the spooler's lock); devices of devices.toml it does not run are reached directly."""

    RECENT = timedelta(minutes=30)

    def __init__(self, app):
        self.config: DevicesConfig | None = app.config.get("DEVICES")
        self.site_devices: SiteDevices | None = app.extensions.get("salle.devices")
        self.kiosk = app.extensions.get("kiosk.printer")
        self.day: ExamDay = app.extensions["salle.day"]

    def check_devices(self, site, print_test: bool, scan_wait: float) -> list:
        from salle.preflight import DeviceResult

        from .inventory import LocalProbe, printer_preflight

        results, direct = [], DevicesConfig(self.config.source if self.config else "")
        if self.kiosk is not None:
            where = self.kiosk._fixed_site
            if not site or where in (None, site):
                ok, detail, warn, todo = printer_preflight(self.kiosk.printer, print_test)
                results.append(DeviceResult(self.kiosk.printer.name, "imprimante", ok, "borne : " + detail, warn,
                                            todo, where))
        if self.config is not None:
            held = set(self.site_devices.scanners) if self.site_devices else set()
            direct.printers.update({n: c for n, c in self.config.printers.items()
                                    if self.kiosk is None or n != self.kiosk.printer.name})
            direct.scanners.update({n: c for n, c in self.config.scanners.items() if n not in held})
            results += self._scanners(site, scan_wait) + self._relays(site)
        return results + LocalProbe(direct).check_devices(site, print_test, 0)  # no wait on top of the server's

    def _scanners(self, site, wait: float) -> list:
        from salle.preflight import DeviceResult

        from .inventory import TEST_CODE_HINT

        if self.site_devices is None:
            return []
        mine = {n: s for n, s in self.site_devices.scanners.items()
                if not site or self._scanner_site(n) == site}
        deadline = time.monotonic() + wait
        while True:
            last = {n: self._last_read(n) for n in mine}
            waiting = [n for n in mine if not last[n] and getattr(mine[n], "online", None) is not False]
            if not waiting or time.monotonic() >= deadline:  # a scanner off line cannot read: not waited for
                break
            time.sleep(0.1)
        results = []
        for name, scanner in mine.items():
            online, read = getattr(scanner, "online", None), last[name]
            where = self._scanner_site(name)
            if online is False or (online is None and not read):
                why = getattr(scanner, "last_message", "") or ""
                results.append(DeviceResult(name, "lecteur", False, f"hors ligne — {why}" if why else "hors ligne",
                                            False,
                                            "Branchez le lecteur (ls -l /dev/salle-*) ; il se reconnecte seul.", where))
            elif read:
                results.append(DeviceResult(name, "lecteur", True, f"en ligne, a lu « {read['code']} » à "
                                            f"{read['heure'][11:16]}", False, "", where))
            else:
                results.append(DeviceResult(name, "lecteur", True, "en ligne, aucun code lu depuis 30 min", True,
                                            TEST_CODE_HINT[0].upper() + TEST_CODE_HINT[1:] + ".", where))
        return results

    def _scanner_site(self, name: str) -> str | None:
        salle = self.day.session.salle(self.config.scanners[name].salle)
        return salle.site if salle else None

    def _last_read(self, name: str) -> dict | None:
        since = (self.day.clock.now() - self.RECENT).isoformat(timespec="seconds")
        reads = [r for r in self.site_devices.reads(0, scanner=name) if r["heure"] >= since]
        return reads[-1] if reads else None

    def _relays(self, site) -> list:
        from salle.preflight import DeviceResult

        if self.site_devices is None:
            return []
        results = []
        for relay in self.site_devices.relays:
            where = self.site_devices.relay_sites[relay.name]
            if site and where != site:
                continue
            with self.site_devices._relay_lock:
                ok = relay.check()
            results.append(DeviceResult(relay.name, "relais", ok, "répond" if ok else relay.last_error, False,
                                        "" if ok else "Branchez le relais (ls -l /dev/salle-*) ; le serveur le "
                                                      "retrouve seul.", where))
        return results
