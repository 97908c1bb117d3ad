"""Live updates: Socket.IO connections authenticated like the API, rooms per salle, per site and for admins."""

from __future__ import annotations

import json
import logging
import queue
import threading
import time

from flask import request
from flask_socketio import ConnectionRefusedError, join_room

from ..errors import SalleError
from ..day import salle_summary, signed_out

log = logging.getLogger(__name__)
PUBLIC_PAYLOAD = ("verdict", "message", "accompagnateur", "avant", "apres", "motif", "copies", "copie_blanche",
                  "abandon", "kind", "auto", "heure_prevue", "resolution", "alerte")


def rooms_for(event: dict) -> list[str]:
    rooms = ["admin"]
    if event.get("salle"):
        rooms.append(f"salle:{event['salle']}")
    if event.get("site"):
        rooms.append(f"site:{event['site']}")
    return rooms


def public_event(event: dict) -> dict:
    payload = json.loads(event["payload"] or "{}")
    return {
        "seq": event["seq"], "type": event["type"], "epreuve": event["epreuve"], "site": event["site"],
        "salle": event["salle"], "candidat": event["candidat"], "heure": event["server_time"],
        "auteur": event["actor"], **{k: payload[k] for k in PUBLIC_PAYLOAD if k in payload},
    }


class Broadcaster:
    """Pushes committed events to their rooms from its own thread, so the journal writer never waits on a
    socket. Salle summaries (counts for the console) are recomputed at most every `summary_period` seconds
    per salle touched: a burst of scans costs one summary, not one per scan."""

    def __init__(self, socketio, day, summary_period: float = 0.25):
        self.socketio = socketio
        self.day = day
        self.summary_period = summary_period
        self.queue: queue.Queue = queue.Queue()
        self.connected: dict[str, object] = {}  # Socket.IO sid -> the Caller it signed in as
        self._touched: dict[tuple[str, str], None] = {}
        self._lock = threading.Lock()
        threading.Thread(target=self._run, name="salle-broadcaster", daemon=True).start()
        threading.Thread(target=self._run_summaries, name="salle-summaries", daemon=True).start()

    def __call__(self, events: list[dict]) -> None:
        self.queue.put(events)

    def _run(self) -> None:
        while True:
            events = self.queue.get()
            try:
                self._push(events)
            except Exception:  # a failed push must not stop the next ones; clients resync on reconnect
                log.exception("push failed")

    def _push(self, events: list[dict]) -> None:
        """One message per room for what has piled up: a lone event as "evenement", several as "evenements"
        (a list, oldest first). Under load this batches by itself: what arrives while a push is being sent
        goes in the next one, so each tablet wakes once per push, not once per scan."""
        while True:  # take what else has piled up meanwhile
            try:
                events = events + self.queue.get_nowait()
            except queue.Empty:
                break
        by_room: dict[str, list[dict]] = {}
        touched = []
        for event in events:
            if event["type"] in ("deconnexion", "jetons_revoques"):
                self._disconnect_revoked(json.loads(event["payload"]))
            if event["type"] in ("connexion", "deconnexion"):
                continue
            data = public_event(event)
            for room in rooms_for(event):
                by_room.setdefault(room, []).append(data)
            if event.get("salle") and event.get("epreuve"):
                touched.append((event["salle"], event["epreuve"]))
            elif event.get("site") and event.get("epreuve"):
                touched.extend((s.code, event["epreuve"]) for s in self.day.session.salles_of(event["site"]))
        for room, items in by_room.items():
            if len(items) == 1:
                self.socketio.emit("evenement", items[0], to=room)
            else:
                self.socketio.emit("evenements", items, to=room)
        with self._lock:
            self._touched.update(dict.fromkeys(touched))

    def _disconnect_revoked(self, payload: dict) -> None:
        """A signed-out device loses its live connection too (it reconnects, is refused, and shows the sign-in)."""
        for sid, caller in list(self.connected.items()):
            if signed_out(caller, payload):
                self.connected.pop(sid, None)
                self.socketio.server.disconnect(sid, namespace="/")

    def _disconnect_expired(self) -> None:
        """A sign-in ends with its day (ExamDay.authenticate): its live connection too, at the day's end."""
        today = self.day.clock.now().date().isoformat()
        for sid, caller in list(self.connected.items()):
            if caller.signed_in_on and caller.signed_in_on < today:
                self.connected.pop(sid, None)
                self.socketio.server.disconnect(sid, namespace="/")

    def _run_summaries(self) -> None:
        checked = time.monotonic()
        while True:
            time.sleep(self.summary_period)
            if time.monotonic() - checked >= 1.0:
                checked = time.monotonic()
                try:
                    self._disconnect_expired()
                except Exception:
                    log.exception("expiry check failed")
            with self._lock:
                touched, self._touched = self._touched, {}
            for salle_code, epreuve_code in touched:
                try:
                    self._summary(salle_code, epreuve_code)
                except Exception:
                    log.exception("summary failed")

    def _summary(self, salle_code: str, epreuve_code: str) -> None:
        session = self.day.session
        salle, epreuve = session.salle(salle_code), session.epreuve(epreuve_code)
        if salle and epreuve:
            summary = salle_summary(self.day, salle, epreuve, self.day.clock.now())
            self.socketio.emit("salle_etat", summary, to=["admin", f"salle:{salle.code}", f"site:{salle.site}"])


def init(app, socketio, day) -> None:
    broadcaster = Broadcaster(socketio, day)
    day.journal.subscribe(broadcaster)

    @socketio.on("disconnect")
    def disconnect(*_):
        broadcaster.connected.pop(request.sid, None)

    @socketio.on("connect")
    def connect(auth=None):
        token = (auth or {}).get("token") if isinstance(auth, dict) else None
        token = token or request.args.get("token")
        try:
            caller = day.authenticate(token)
        except SalleError as exc:
            raise ConnectionRefusedError(exc.message, {"code": exc.code})
        if caller.role == "kiosk":
            raise ConnectionRefusedError("La borne d'accueil n'a pas accès au suivi des salles.",
                                         {"code": "role_interdit"})
        if caller.role == "admin":
            join_room("admin")
        elif caller.role == "responsable":
            join_room(f"site:{caller.site}")
        elif caller.role == "surveillant":
            join_room(f"salle:{caller.salle}")
        broadcaster.connected[request.sid] = caller
        return True
