"""Live updates: Socket.IO connections authenticated like the API, rooms per salle, per site and for admins."""

from __future__ import annotations

import json
import logging
import queue
import threading

from flask import request
from flask_socketio import ConnectionRefusedError, join_room

from ..errors import SalleError
from ..day import salle_summary

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
    socket; after each batch, one fresh summary per salle touched."""

    def __init__(self, socketio, day):
        self.socketio = socketio
        self.day = day
        self.queue: queue.Queue = queue.Queue()
        threading.Thread(target=self._run, name="salle-broadcaster", daemon=True).start()

    def __call__(self, events: list[dict]) -> None:
        self.queue.put(events)

    def _run(self) -> None:
        while True:
            events = self.queue.get()
            while True:  # coalesce what has piled up
                try:
                    events = events + self.queue.get_nowait()
                except queue.Empty:
                    break
            try:
                self._push(events)
            except Exception:  # a failed push must not stop the next ones; clients resync on reconnect
                log.exception("push failed")

    def _push(self, events: list[dict]) -> None:
        touched = {}
        for event in events:
            if event["type"] in ("connexion",):
                continue
            self.socketio.emit("evenement", public_event(event), to=rooms_for(event))
            if event.get("salle") and event.get("epreuve"):
                touched[(event["salle"], event["epreuve"])] = event
            elif event.get("site") and event.get("epreuve"):
                for salle in self.day.session.salles_of(event["site"]):
                    touched[(salle.code, event["epreuve"])] = event
        session = self.day.session
        for (salle_code, epreuve_code), event in touched.items():
            salle, epreuve = session.salle(salle_code), session.epreuve(epreuve_code)
            if salle and epreuve:
                summary = salle_summary(self.day, salle, epreuve, self.day.clock.now())
                self.socketio.emit("salle_etat", summary, to=["admin", f"salle:{salle.code}", f"site:{salle.site}"])


def init(app, socketio, day) -> None:
    day.journal.subscribe(Broadcaster(socketio, day))

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
        return True
