"""Live updates: Socket.IO connections authenticated like the API, rooms per salle, per site and for admins.
Every push to the browsers leaves from here: committed events (`evenement(s)`), salle summaries (`salle_etat`),
and a door scan only previewed (`scan_lu`, for the tablet to confirm the identity document)."""

from __future__ import annotations

import json
import logging
import queue
import threading
import time

from flask import request
from flask_socketio import ConnectionRefusedError, join_room

from ..commands import arrivals
from ..day import signed_out
from ..errors import Interdit, Invalide, NonAutorise, SalleError
from ..state.queries import salle_summary
from .http import envelope
from .secours import NOT_AT_STANDBY

log = logging.getLogger(__name__)
PUBLIC_PAYLOAD = ("verdict", "message", "accompagnateur", "avant", "apres", "motif", "copies", "copie_blanche",
                  "abandon", "kind", "auto", "heure_prevue", "resolution", "alerte")
# an oral's passage as the jury moves it (R28, R30, R25, R32): the waiting room's tablets follow it
ORAL_PASSAGE_EVENTS = ("decision_retard", "tirage_sujet", "appel_candidat", "passage_debut", "passage_fin",
                       "abandon_oral", "renonciation")


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


def called(event: dict) -> dict:
    """A call as the waiting room's screen shows it: the numéro, the jury, the salle; never a name (R27)."""
    payload = json.loads(event["payload"] or "{}")
    return {"numero": event["candidat"], "jury": payload.get("jury"), "jury_libelle": payload.get("jury_libelle"),
            "salle_libelle": payload.get("salle_libelle"), "heure": event["server_time"][:19]}


class Broadcaster:
    """Pushes committed events to their rooms from its own thread, so the journal writer never waits on a
    socket. Salle summaries (counts for the console) are recomputed at most every `summary_period` seconds
    per salle touched: a burst of scans costs one summary, not one per scan; a room given several summaries in
    one tick (a site's console, the admins) gets them in one message, `salles_etat` (a list)."""

    def __init__(self, socketio, day, summary_period: float = 0.1):
        self.socketio = socketio
        self.day = day
        self.summary_period = summary_period
        self.queue: queue.Queue = queue.Queue()
        self.connected: dict[str, object] = {}  # Socket.IO sid -> the Caller it signed in as
        self._touched: dict[tuple[str, str], None] = {}
        self._lock = threading.Lock()
        # Both end with the day (ExamDay.close joins them), so the journal then closes their readers: left
        # running, each server's pair kept its connections to the day's file open for good.
        for target, name in ((self._run, "salle-broadcaster"), (self._run_summaries, "salle-summaries")):
            thread = threading.Thread(target=target, name=name, daemon=True)
            day.threads.append(thread)
            thread.start()

    def __call__(self, events: list[dict]) -> None:
        self.queue.put(events)

    def _run(self) -> None:
        while not self.day.stopping.is_set():
            try:
                events = self.queue.get(timeout=0.2)
            except queue.Empty:
                continue
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
            if event["type"] == "appel_candidat":
                self.socketio.emit("appel", called(event), to=f"affichage:{event['site']}")
            data = public_event(event)
            for room in rooms_for(event):
                by_room.setdefault(room, []).append(data)
            if event.get("salle") and event.get("epreuve"):
                touched.append((event["salle"], event["epreuve"]))
            elif event.get("site") and event.get("epreuve"):
                touched.extend((s.code, event["epreuve"]) for s in self.day.session.salles_of(event["site"]))
            if event["type"] == "arrivee_oral":  # the waiting room's door too, not only the jury's room (R28)
                touched.append((json.loads(event["payload"]).get("porte"), event["epreuve"]))
            if event["type"] in ORAL_PASSAGE_EVENTS:  # what the jury decided reaches the waiting room's tablets
                touched.extend(self._waiting_rooms(event["site"], event["epreuve"]))
        for room, items in by_room.items():
            if len(items) == 1:
                self.socketio.emit("evenement", items[0], to=room)
            else:
                self.socketio.emit("evenements", items, to=room)
        with self._lock:
            self._touched.update(dict.fromkeys(touched))

    def _waiting_rooms(self, site: str, epreuve: str) -> list[tuple[str, str]]:
        """The salles of `site` whose surveillant's tablet is connected now and works for the oral `epreuve`
        (its waiting room, wherever the site put it): each gets its summary, and its tablet reads its list again."""
        rooms = {c.salle for c in list(self.connected.values()) if c.role == "surveillant" and c.salle}
        out = []
        for code in sorted(rooms):
            salle = self.day.session.salle(code)
            if salle is None or salle.site != site:
                continue
            try:
                if self.day.epreuve_for(None, self.day.clock.now(), code).code == epreuve:
                    out.append((code, epreuve))
            except SalleError:  # no épreuve today at that salle
                continue
        return out

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
        while not self.day.stopping.wait(self.summary_period):
            if time.monotonic() - checked >= 1.0:
                checked = time.monotonic()
                try:
                    self._disconnect_expired()
                except Exception:
                    log.exception("expiry check failed")
            with self._lock:
                touched, self._touched = self._touched, {}
            by_room: dict[str, list[dict]] = {}
            for salle_code, epreuve_code in touched:
                try:
                    summary = self._summary(salle_code, epreuve_code)
                except Exception:
                    log.exception("summary failed")
                    continue
                if summary:
                    for room in ("admin", f"salle:{summary['salle']}", f"site:{summary['site']}"):
                        by_room.setdefault(room, []).append(summary)
            for room, summaries in by_room.items():  # a site's console: one message per tick, not one per salle
                try:
                    if len(summaries) == 1:
                        self.socketio.emit("salle_etat", summaries[0], to=room)
                    else:
                        self.socketio.emit("salles_etat", summaries, to=room)
                except Exception:
                    log.exception("summary push failed")

    def _summary(self, salle_code: str, epreuve_code: str) -> dict | None:
        session = self.day.session
        salle, epreuve = session.salle(salle_code), session.epreuve(epreuve_code)
        if not (salle and epreuve):
            return None
        return salle_summary(self.day.journal.reader(), salle, epreuve, self.day.clock.now(), session)


def preview(app, day, caller, data) -> dict:
    """The `apercu` event's answer: the scan's verdict, or what Api.command makes of an HTTP error (ok false,
    the error's code as the verdict, its French message, `http` its status)."""
    try:
        if caller is None:
            raise NonAutorise("Connectez-vous avec votre code personnel.", code="non_authentifie")
        if caller.role not in ("admin", "responsable", "surveillant"):
            raise Interdit(f"Action interdite pour le rôle « {caller.role} ».")
        if not isinstance(data, dict) or not isinstance(data.get("salle"), str):
            raise Invalide("Aperçu illisible : un objet avec « salle » et le scan est attendu.", code="json_invalide")
        fields = {k: v for k, v in data.items() if k not in ("salle", "piece_identite")}  # never an entry
        answer = arrivals.scan(day, caller, data["salle"], arrivals.ScanRequest.parse(fields))
    except SalleError as exc:
        return {"ok": False, "enregistre": False, "verdict": exc.code, "message": exc.message, "http": exc.status}
    except Exception:  # like the API's 500: nothing recorded for this action, said in French
        log.exception("apercu")
        return {"ok": False, "enregistre": False, "verdict": "http_500", "http": 500,
                "message": "Erreur interne du serveur : rien n'a été enregistré pour cette action. Réessayez."}
    acks = app.extensions.get("salle.acquittements")  # `acquittement = "secours"`: as POST …/scans answers
    if acks is not None and answer["enregistre"] and not acks.wait(day.journal.head_seq):
        return {"ok": False, "enregistre": False, "verdict": "secours_injoignable", "message": NOT_AT_STANDBY,
                "http": 503}
    share_preview(app, data["salle"], answer)
    return envelope(day, answer)


def share_preview(app, salle: str, answer: dict) -> None:
    """A tablet's scan of an admissible candidat, previewed and not recorded: the salle's other tablets see it."""
    if not answer["enregistre"] and answer["verdict"] == "admis":
        scan_read(app, salle, answer)


def scan_read(app, salle: str, answer: dict, scanner: str | None = None) -> None:
    """A scan previewed and not recorded (a door scanner's read, or another tablet's): the salle's tablets show
    it, for the surveillant to confirm with the identity document (R5)."""
    data = {**answer, "lecteur": scanner} if scanner else answer
    app.extensions["salle.socketio"].emit("scan_lu", data, to=f"salle:{salle}")


def init(app, socketio, day) -> None:
    broadcaster = Broadcaster(socketio, day)
    day.journal.subscribe(broadcaster)

    @socketio.on("disconnect")
    def disconnect(*_):
        broadcaster.connected.pop(request.sid, None)

    @socketio.on("apercu")
    def apercu(data=None):
        """A door scan's preview over the tablet's live connection (its answer is the acknowledgement): the same
        command as POST /salles/<salle>/scans without an identity document — an admissible candidat is only
        previewed, a refusal the règlement records (R3, R7) is recorded, durable before the answer. About 5 ms
        less than an HTTP request from the tablet (measured: benchmarks/RESULTS.md, « The door »). Recording an
        entry (with the document shown) stays an HTTP command."""
        return preview(app, day, broadcaster.connected.get(request.sid), data)

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
        elif caller.role in ("surveillant", "jury"):  # a jury: its room's salle (its passages' events)
            join_room(f"salle:{caller.salle}")
        elif caller.role == "affichage":  # the waiting room's screen: the calls only, numéros never names (R27)
            join_room(f"affichage:{caller.site}")
        broadcaster.connected[request.sid] = caller
        return True
