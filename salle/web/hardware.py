"""The site's hardware wired to the day: door scanners post scans, devices report their state, relays follow the doors.

Which devices exist is configuration (devices.toml, see devices/README.md); this module only connects them:
a scanner bound to a salle sends each code through the same scan path as a tablet (a preview: the
surveillant confirms the identity document on the tablet, R5); a scanner or relay going off line is journaled,
which raises an alert on the console; a relay is switched after the door closing and the end of the
épreuve are durable, from its own thread, so that it can never delay or block them (R3).
"""

from __future__ import annotations

import collections
import itertools
import logging
import queue
import threading
import uuid

from devices.config import DevicesConfig
from devices.inventory import make_scanner
from devices.relay import DoorRelay

from ..day import Caller, ExamDay
from ..errors import SalleError
from ..journal import Actor

log = logging.getLogger(__name__)


class SiteDevices:
    def __init__(self, day: ExamDay, socketio, config: DevicesConfig):
        self.day = day
        self.socketio = socketio
        self.scanners = {}
        self.relays = [DoorRelay(r, on_alert=self._relay_alert) for r in config.relays.values()]
        self._signals: queue.Queue = queue.Queue()
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
            caller = Caller(Actor(id=f"appareil:{name}", role="appareil", device=name, name=f"Lecteur {name}"),
                            role="surveillant", salle=salle.code, site=salle.site)
            self.scanners[name] = make_scanner(sc, lambda code, n=name, c=caller: self._code(n, c, code),
                                               lambda online, message, n=name, c=caller: self._status(n, c, online,
                                                                                                       message))
        day.journal.subscribe(self._on_events)
        threading.Thread(target=self._run_signals, name="salle-relays", daemon=True).start()

    def start(self) -> "SiteDevices":
        for scanner in self.scanners.values():
            scanner.start()
        return self

    def stop(self) -> None:
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
            answer = self.day.scan(caller, caller.salle, {"code": code, "client_id": f"{name}:{uuid.uuid4()}"})
        except SalleError as exc:
            log.warning("lecteur %s : %s", name, exc.message)
            read["verdict"] = exc.code
            return
        read["verdict"] = answer.get("verdict")
        self.socketio.emit("scan_lu", {**answer, "lecteur": name}, to=f"salle:{caller.salle}")

    def _status(self, name: str, caller: Caller, online: bool, message: str) -> None:
        payload = {"nom": name, "type": "lecteur", "en_ligne": online,
                   "message": message if online else f"Lecteur « {name} » hors ligne : {message}"}
        self.day.journal.write(lambda tx: tx.append("appareil_etat", caller.actor, payload, salle=caller.salle,
                                                    site=caller.site))

    # --- relays --------------------------------------------------------------------------------

    def _on_events(self, events: list[dict]) -> None:
        for event in events:
            if event["type"] in ("portes_fermees", "fin_epreuve"):
                self._signals.put(event["type"])

    def _run_signals(self) -> None:
        while True:
            kind = self._signals.get()
            for relay in self.relays:
                try:
                    relay.doors_closed() if kind == "portes_fermees" else relay.epreuve_ended()
                except Exception:  # e.g. its alert could not be recorded: the next signal must still go out
                    log.exception("relais")

    def _relay_alert(self, kind: str, message: str) -> None:
        actor = Actor(id="appareil:relais", role="appareil", device="relais", name="Relais de porte")
        payload = {"nom": "relais", "type": "relais", "en_ligne": False, "message": message}
        self.day.journal.write(lambda tx: tx.append("appareil_etat", actor, payload))

    def reads(self, after: int = 0, site: str | None = None, scanner: str | None = None) -> list[dict]:
        """The codes the door scanners read since read number `after` (the last 500 kept), oldest first."""
        with self._reads_lock:
            reads = [dict(r) for r in self._reads if r["n"] > after]
        return [r for r in reads if (site is None or r["site"] == site) and (scanner is None or r["lecteur"] == scanner)]

    def status(self) -> list[dict]:
        return self.day.journal.query("SELECT name AS nom, kind AS type, salle, site, online AS en_ligne, message, "
                                      "since AS depuis FROM appareils ORDER BY name")
