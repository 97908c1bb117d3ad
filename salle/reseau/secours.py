"""A site's standby laptop (`salle secours`): a live copy of the site's journal, promoted by the responsable when
the main laptop dies, then serving the door on the same journal (issue 15).

The standby starts from a copy of the main's day file (made before the day, like the paper lists): the same
session, the same key for the staff codes. It reads the site's JetStream stream (an ordered consumer, pushed as
the main publishes) and appends each event only if it is the next link of the chain (the siège's check: seq,
`prev_hash`, hash recomputed, the site's own subject and header) through the journal's writer, so the same
`events` table and projections follow and its state is the main's. A copied event with a client id also leaves
an answer in `acks`: a tablet replaying it after the move is answered « déjà enregistré », never recorded twice.
Until promoted the file takes no command (`Journal.guard`): a sign-in, a scan, the doorkeeper would fork the
chain. After each batch it says on core NATS how far its copy goes (`salle.<concours>.<site>.secours`): the main
waits for that before answering a write when `[reseau] acquittement = "secours"` (StandbyAcks).

Promotion is a deliberate act of the site's responsable (or an admin), refused while the copy is behind what the
stream was seen to hold or its chain broke, and while the main still answers unless forced; it is journaled
(`secours_promu`: who, when, how far the copy went), and the chain goes on from the main's last event held.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
import ssl
import threading
import time
import urllib.error
import urllib.request

from ..errors import Conflit, Interdit, Invalide, SalleError
from ..journal import EVENT_COLUMNS, Actor, Serialized, verify_chain, verify_events
from ..model import Reseau
from . import sujets
from .connexion import KEPT, ONE_LOOK, connect_site
from .siege import DUPLICATE, check_link, quiet
from .tls import client_context

log = logging.getLogger(__name__)
PROMOTED = "secours_promu"
TAKEN_BACK = "reprise_principal"
MAIN_CONFIRMED = "principal_confirme"
BEAT = 1.0  # seconds between two « how far my copy goes » of the standby, and two looks at the stream's end


def rebuilt_answer(event: dict) -> dict:
    """What a replay of a copied event's client id is answered: the event's own verdict and message."""
    payload = json.loads(event["payload"] or "{}")
    verdict = payload.get("verdict", event["type"]) if isinstance(payload, dict) else event["type"]
    return {"verdict": verdict, "ok": verdict in (event["type"], "admis"), "enregistre": True,
            "message": payload.get("message") or "Déjà enregistré par le serveur principal.",
            "regle": payload.get("regle", ""), "autorise_a_partir_de": None, "candidat": None}


class Standby:
    """The copy of the site's stream into this day file, from a thread of its own; `promote()` ends it."""

    def __init__(self, day, reseau: Reseau, principal: str | None, on_promoted=None):
        self.day = day
        self.reseau = reseau
        self.principal = principal.rstrip("/") if principal else None
        self.on_promoted = on_promoted  # called after the promotion's commit (the doorkeeper, the publication)
        concours = day.session.concours.code
        self.subject = sujets.subject(concours, reseau.site)
        self.stream = sujets.stream(concours, reseau.site)
        self.beat_subject = sujets.standby_subject(concours, reseau.site)
        self.known = 0  # the last seq the site's stream was seen to hold
        ok, message, _ = verify_chain(day.db_path)  # the copy as found on disk, before anything is added
        self.broken: str | None = None if ok else message  # why the copy stopped: a link that did not hold
        self.connected = False
        self.copied = 0
        self.promotion = day.journal.one("SELECT actor, server_time FROM events WHERE type = ?", [PROMOTED])
        self.stopping = threading.Event()
        self._lock = threading.Lock()  # a promotion, or a batch being copied
        self._thread = threading.Thread(target=self._main, name="salle-secours", daemon=True)
        if self.promotion is None:
            day.journal.guard = self._refuse_commands

    def start(self) -> "Standby":
        if self.promotion is None and not self.broken:
            self.day.threads.append(self._thread)
            self._thread.start()
        return self

    def _refuse_commands(self) -> None:
        raise SalleError("Serveur de secours : il garde une copie du journal du site et n'enregistre rien tant que "
                         "le responsable ne l'a pas promu. Rien n'a été enregistré.", code="secours_non_promu",
                         status=503)

    # --- what the console shows ----------------------------------------------------------------------------

    def status(self) -> dict:
        head = self.day.journal.head_seq
        return {"site": self.reseau.site, "principal": self.principal, "promu": self.promotion is not None,
                "promotion": self.promotion, "copie_jusqu_a": head, "flux_jusqu_a": max(self.known, head),
                "en_retard": max(0, self.known - head), "connecte": self.connected, "erreur": self.broken,
                "tete": self.day.journal.head}

    # --- the promotion -------------------------------------------------------------------------------------

    def _allowed(self, caller, what: str) -> None:
        _site_responsable(caller, self.reseau.site, what)

    def promote(self, caller, force: bool, confirmed: bool) -> dict:
        """The responsable's deliberate act: checked, journaled, then this server takes the door's commands."""
        self._allowed(caller, "promouvoir le serveur de secours")
        if not confirmed:
            raise Conflit("Promotion non confirmée : cochez la confirmation. Rien n'a changé.",
                          code="confirmation_manquante")
        with self._lock:
            if self.promotion is not None:
                raise Conflit(f"Ce serveur de secours a déjà été promu (par {self.promotion['actor']}, "
                              f"{self.promotion['server_time'][11:16].replace(':', ' h ')}) : il sert déjà les "
                              "portes.", code="deja_promu")
            self._check_copy()
            answers = self._main_answers()
            if answers and not force:
                raise Conflit(f"Le serveur principal ({self.principal}) répond encore : deux serveurs prendraient "
                              "les entrées. Arrêtez-le, ou cochez « forcer » si les tablettes ne l'atteignent plus. "
                              "Rien n'a changé.", code="principal_actif")
            self.stopping.set()  # the copy ends here: nothing of the main's can be appended after the promotion
            head = self.day.journal.head_seq
            payload = {"principal": self.principal, "principal_repond": answers, "force": force,
                       "copie_jusqu_a": head, "tete": self.day.journal.head}
            event = self.day.journal.write(lambda tx: tx.append(PROMOTED, caller.actor, payload,
                                                                site=self.reseau.site), past_guard=True)
            self.day.journal.guard = None
            self.promotion = {"actor": event["actor"], "server_time": event["server_time"]}
        if self.on_promoted:
            self.on_promoted()
        return {"verdict": "promu", "ok": True, "enregistre": True, "regle": "", "autorise_a_partir_de": None,
                "message": f"Serveur de secours promu : il prend les entrées du site {self.reseau.site} à partir de "
                           f"l'événement n° {head + 1}.", "seq": event["seq"], "copie_jusqu_a": head}

    # --- the main's own events, taken back after the promotion --------------------------------------------

    def take_back(self, caller, path) -> dict:
        """The dead main laptop's day file, read once its disk is (a copy on a USB key): the events it recorded
        that never reached this copy — committed and acknowledged to a tablet, then the main died before
        publishing them; or taken on the main's own fork while it could not see this promotion — are appended
        to this journal, each once, at the time it happened (`server_time`), with an answer for its client id.

        Only the devices' commands (a client id) are taken: the main's own events (its doorkeeper, its sign-ins)
        this server made its own since. A command whose client id this journal already holds (the tablet
        replayed it here after moving) is not taken again. The file must be the main's: its chain intact and
        holding, at the promotion's point, the very event the copy held. The taking is journaled
        (`reprise_principal`: what was taken, and the candidats this server has also seen since, to check)."""
        self._allowed(caller, "reprendre le journal du serveur principal")
        promotion = self.day.journal.one(f"SELECT seq, payload FROM events WHERE type = '{PROMOTED}' "
                                         "ORDER BY seq DESC LIMIT 1")
        if promotion is None:
            raise Conflit("Ce portable n'est pas promu : sa copie suit encore le serveur principal, il n'y a rien "
                          "à reprendre. Rien n'a changé.", code="secours_non_promu")
        point = json.loads(promotion["payload"])
        events = _day_file_events(path)
        ok, why, _ = verify_events(events)
        if not ok:
            raise Invalide(f"Le journal de ce fichier est altéré : {why} Rien n'a été repris.", code="chaine_rompue")
        held = point["copie_jusqu_a"]
        if len(events) < held or (held and events[held - 1]["hash"] != point["tete"]):
            raise Conflit(f"Ce fichier n'est pas le journal du serveur principal de ce site : son événement "
                          f"n° {held} n'est pas celui que la copie tenait à la promotion. Rien n'a été repris.",
                          code="autre_journal")
        later = events[held:]
        known = {r["client_id"] for r in self.day.journal.query("SELECT client_id FROM acks")}
        taken = [e for e in later if e["client_id"] and e["client_id"] not in known]
        replayed = sum(1 for e in later if e["client_id"] and e["client_id"] in known)
        own = len(later) - len(taken) - replayed
        if not taken:
            return {"verdict": "rien_a_reprendre", "ok": True, "enregistre": False, "regle": "",
                    "autorise_a_partir_de": None, "reprises": 0, "deja_la": replayed, "non_repris": own,
                    "a_verifier": [],
                    "message": f"Rien à reprendre : ce journal a déjà tout ce que le serveur principal a enregistré "
                               f"après le n° {held} ({replayed} action(s) déjà ici, {own} événement(s) propres au "
                               "serveur principal). Rien n'a changé."}
        seen_here = {r["candidat"] for r in self.day.journal.query(
            "SELECT DISTINCT candidat FROM events WHERE seq > ? AND candidat IS NOT NULL", [promotion["seq"]])}
        check = sorted({e["candidat"] for e in taken if e["candidat"] in seen_here})

        def write(tx):
            for e in taken:
                copied = tx.append(e["type"], Actor(id=e["actor"], role=e["role"], device=e["device"] or ""),
                                   Serialized(e["payload"]) if e["payload"] is not None else None,
                                   client_id=e["client_id"], device_time=e["device_time"], epreuve=e["epreuve"],
                                   site=e["site"], salle=e["salle"], candidat=e["candidat"],
                                   server_time=e["server_time"])
                _answer_for(tx, e, copied["seq"])
            return tx.append(TAKEN_BACK, caller.actor, {
                "apres": held, "repris": [{"seq": e["seq"], "hash": e["hash"], "type": e["type"]} for e in taken],
                "deja_la": replayed, "non_repris": own, "a_verifier": check, "tete_du_fichier": events[-1]["hash"]},
                site=self.reseau.site)

        event = self.day.journal.write(write)
        note = (f" Ces candidats ont aussi été vus par ce portable depuis la promotion : vérifiez leur état — "
                f"{', '.join(check)}." if check else "")
        return {"verdict": "repris", "ok": True, "enregistre": True, "regle": "", "autorise_a_partir_de": None,
                "seq": event["seq"], "reprises": len(taken), "deja_la": replayed, "non_repris": own,
                "a_verifier": check,
                "message": f"{len(taken)} action(s) du serveur principal reprise(s) dans ce journal, à leur heure "
                           f"({replayed} déjà ici, renvoyée(s) par les tablettes ; {own} événement(s) propres au "
                           f"serveur principal non repris).{note}"}

    def _check_copy(self) -> None:
        if self.broken:
            raise Conflit(f"La copie du journal est interrompue : {self.broken} Promotion impossible : prévenez "
                          "l'administrateur. Rien n'a changé.", code="copie_rompue")
        head = self.day.journal.head_seq
        if self.known > head:
            raise Conflit(f"La copie a {self.known - head} événement(s) de retard sur le flux du site (copie jusqu'au "
                          f"n° {head}, flux jusqu'au n° {self.known}) : attendez qu'elle le rattrape. Rien n'a "
                          "changé.", code="copie_en_retard")

    def _main_answers(self, timeout: float = 1.5) -> bool:
        if not self.principal:
            return False
        try:
            with urllib.request.urlopen(self.principal + "/api/v1/health", timeout=timeout,
                                        context=client_context(self.day.db_path.parent)):
                return True
        except (urllib.error.HTTPError, ssl.SSLError):
            return True  # it answered, if only to say it is unwell (or with a certificate this laptop doubts)
        except urllib.error.URLError as exc:
            return isinstance(exc.reason, ssl.SSLError)
        except OSError:
            return False

    # --- the copy's thread ---------------------------------------------------------------------------------

    def _stopped(self) -> bool:
        return self.stopping.is_set() or self.day.stopping.is_set()

    def _main(self) -> None:
        try:
            asyncio.run(self._run())
        except Exception:
            log.exception("copie du journal arrêtée")

    async def _run(self) -> None:
        backoff = 0.1
        while not self.stopping.is_set() and not self.day.stopping.is_set():
            nc = None
            try:
                nc = await connect_site(self.reseau, self.day.db_path.parent, self._stopped, **KEPT,
                                        connect_timeout=2, error_cb=quiet, name=f"salle-secours-{self.reseau.site}")
                await self._follow(nc)
            except Exception as exc:  # a cut link, a dead nats-server: what is copied stays, try again
                self.connected = False
                log.info("copie interrompue : %r", exc)
                await asyncio.sleep(backoff)
                backoff = min(2.0, backoff * 2)
            finally:
                if nc is not None and not nc.is_closed:
                    try:
                        await asyncio.wait_for(nc.close(), 2)
                    except Exception:
                        pass

    async def _follow(self, nc) -> None:
        from nats.errors import TimeoutError as NatsTimeout
        from nats.js.api import DeliverPolicy

        js = nc.jetstream(timeout=5)
        sub = await js.subscribe(self.subject, ordered_consumer=True, deliver_policy=DeliverPolicy.ALL)
        self.connected = True
        next_look = 0.0
        while not self.stopping.is_set() and not self.day.stopping.is_set():
            if time.monotonic() >= next_look:  # how far the stream goes, and how far the copy goes
                await self._look(js)
                await nc.publish(self.beat_subject, self._beat())
                next_look = time.monotonic() + BEAT
            try:
                batch = [await sub.next_msg(timeout=0.2)]
            except NatsTimeout:
                continue
            while sub.pending_msgs and len(batch) < 256:
                batch.append(await sub.next_msg(timeout=0.1))
            if self._copy(batch):
                await nc.publish(self.beat_subject, self._beat())

    async def _look(self, js) -> None:
        from nats.js.errors import NotFoundError

        try:
            last = await js.get_last_msg(self.stream, self.subject)
        except NotFoundError:
            return
        self.known = max(self.known, int((last.headers or {}).get(sujets.SEQ_HEADER, "0")))

    def _beat(self) -> bytes:
        journal = self.day.journal
        return json.dumps({"site": self.reseau.site, "seq": journal.head_seq, "hash": journal.head,
                           "promu": self.promotion is not None, "a": time.time()}).encode()

    def _copy(self, messages) -> bool:
        """Append the messages that are the next links of the chain, in one commit; a broken link stops the copy
        (what was copied before it stays, a true prefix of the site's journal). Whether anything was appended."""
        with self._lock:
            if self.stopping.is_set() or self.broken:
                return False
            head, head_hash = self.day.journal.head_seq, self.day.journal.head
            kept = []
            for msg in messages:
                event = _event(msg.data)
                problem = check_link(self.reseau.site, dict(msg.headers or {}), event, head, head_hash,
                                     lambda seq: self._kept_hash(seq, kept))
                if problem == DUPLICATE:
                    continue
                if problem:
                    self.broken = problem
                    log.error("copie du journal : %s", problem)
                    break
                kept.append(event)
                head, head_hash = event["seq"], event["hash"]
                self.known = max(self.known, head)
            if kept:
                self.day.journal.write(lambda tx: self._append(tx, kept), past_guard=True)
                self.copied += len(kept)
            return bool(kept)

    def _kept_hash(self, seq: int, kept: list[dict]) -> str | None:
        for event in kept:
            if event["seq"] == seq:
                return event["hash"]
        row = self.day.journal.one("SELECT hash FROM events WHERE seq = ?", [seq])
        return row["hash"] if row else None

    @staticmethod
    def _append(tx, events: list[dict]) -> None:
        for event in events:
            tx.copy(event)
            if event["client_id"]:
                _answer_for(tx, event, event["seq"])


def _site_responsable(caller, site: str, what: str) -> None:
    """Only the site's responsable or an admin may `what` (a laptop's change of role, journaled)."""
    if caller.role not in ("admin", "responsable") or (caller.role == "responsable" and caller.site != site):
        raise Interdit(f"Seul un responsable du site {site} ou un administrateur peut {what}. Rien n'a changé.",
                       code="role_interdit")


def _answer_for(tx, event: dict, seq: int) -> None:
    """The answer a replay of an event another server recorded gets here (`rebuilt_answer`), under its client id:
    `seq` is the event's in this journal (a copied event's own; a taken-back one's new)."""
    tx.db.execute("INSERT OR IGNORE INTO acks (client_id, fingerprint, response, seq, at) VALUES (?, NULL, ?, ?, ?)",
                  [event["client_id"], json.dumps(rebuilt_answer(event), ensure_ascii=False), seq,
                   event["server_time"]])


def _day_file_events(path) -> list[dict]:
    """The events of a day file given by hand (a copy of it, opened read-write so that SQLite folds in its
    « -wal » if it came with one: a laptop that died left its last commits there); not one: a French refusal."""
    try:
        conn = sqlite3.connect(path)
        try:
            conn.row_factory = sqlite3.Row
            events = [dict(r) for r in conn.execute(f"SELECT {', '.join(EVENT_COLUMNS)} FROM events ORDER BY seq")]
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise Invalide("Ce fichier n'est pas un fichier du jour de Salle (le fichier .db ou .sqlite du serveur "
                       "principal) : rien n'a été repris.", code="fichier_invalide") from exc
    if not events:
        raise Invalide("Ce fichier du jour ne contient aucun événement : rien n'a été repris.",
                       code="fichier_invalide")
    return events


def _event(data: bytes) -> dict:
    try:
        event = json.loads(data)
    except ValueError:
        return {}
    return event if isinstance(event, dict) else {}


class StandbyAcks:
    """The main's side of `[reseau] acquittement = "secours"`: how far the standby's copy goes, as it says on core
    NATS after each batch it commits; `wait(seq)` until it holds `seq`."""

    def __init__(self, day, reseau: Reseau, timeout: float = 3.0):
        self.day = day
        self.reseau = reseau
        self.timeout = timeout
        self.subject = sujets.standby_subject(day.session.concours.code, reseau.site)
        self.held = 0
        self._cond = threading.Condition()
        self._thread = threading.Thread(target=self._main, name="salle-secours-acquittements", daemon=True)

    def start(self) -> "StandbyAcks":
        self.day.threads.append(self._thread)
        self._thread.start()
        return self

    def wait(self, seq: int) -> bool:
        with self._cond:
            return self._cond.wait_for(lambda: self.held >= seq, self.timeout)

    def _main(self) -> None:
        try:
            asyncio.run(self._run())
        except Exception:
            log.exception("écoute du portable de secours arrêtée")

    async def _run(self) -> None:
        nc = None
        while nc is None and not self.day.stopping.is_set():  # NATS down at the start: writes wait, then 503
            try:
                nc = await connect_site(self.reseau, self.day.db_path.parent, self.day.stopping.is_set, **KEPT,
                                        connect_timeout=2, error_cb=quiet,
                                        name=f"salle-{self.reseau.site}-acquittements")
            except Exception as exc:
                log.info("écoute du portable de secours : %r", exc)
                await asyncio.sleep(1)
        if nc is None:
            return
        try:
            await nc.subscribe(self.subject, cb=self._heard)
            while not self.day.stopping.is_set():
                await asyncio.sleep(0.2)
        finally:
            await asyncio.wait_for(nc.close(), 2)

    async def _heard(self, msg) -> None:
        try:
            seq = int(json.loads(msg.data)["seq"])
        except (ValueError, KeyError, TypeError):
            return
        with self._cond:
            if seq > self.held:
                self.held = seq
                self._cond.notify_all()


class Fence:
    """The main's side of a promotion: it asks its standby every few seconds whether it was promoted, and from
    then on takes no command (a main restarted after its death, or cut off while the standby was forced): two
    servers never take entries on two forks of the journal. Its 503 sends the tablets to the standby (api.js).

    A main that cannot reach its standby (the laptops' own link cut, the standby's address wrong) also looks at the
    site's stream on its nats-server, the witness both laptops reach: the promoted standby publishes there, so a
    stream whose events past this journal's common part hold a `secours_promu` fences this server just the same.

    A main restarted once the doors took entries is unsure until it has asked one of the two: the standby may have
    been promoted while it was down. Until then it takes no door command (503, the tablets keep them and try the
    standby), only sign-ins (`may_write`, the web layer's say); when neither can be reached, the responsable
    confirms from the console that the standby was not promoted (`confirm`, journaled) and the doors go on here."""

    LOOK_BACK = 5000  # at the first look, the stream's last messages read (a main restarted long after)

    def __init__(self, day, reseau: Reseau, period: float = 2.0, may_write=lambda: False):
        self.day = day
        self.standby = reseau.secours.rstrip("/")
        self.reseau = reseau
        self.period = period
        self.may_write = may_write
        self.promotion: dict | None = None
        self._read_up_to: int | None = None  # the stream's messages read so far (stream sequence)
        self._lock = threading.Lock()
        entries = day.journal.one("SELECT 1 AS n FROM events WHERE type = 'scan' LIMIT 1")
        self.unsure_since: str | None = day.clock.now().isoformat(timespec="seconds") if entries else None
        if self.unsure_since:  # before the first request: no entry slips in before the first answer
            day.journal.guard = self._refuse_unsure
        self._thread = threading.Thread(target=self._watch, name="salle-secours-veille", daemon=True)

    def start(self) -> "Fence":
        self.day.threads.append(self._thread)
        self._thread.start()
        return self

    def _watch(self) -> None:
        while self.promotion is None:
            reached, promotion = self._asked()
            if not reached:  # the standby unreachable: the site's stream may still say it was promoted
                reached, promotion = self._in_stream()
            with self._lock:
                if promotion:
                    self.promotion = promotion
                    self.unsure_since = None
                    self.day.journal.guard = self._refuse
                    log.error("le portable de secours %s a été promu : ce serveur ne prend plus les entrées",
                              self.standby)
                    return
                if reached and self.unsure_since:  # one of the two said: not promoted
                    self._sure()
            if self.day.stopping.wait(self.period):
                return

    def status(self) -> dict:
        return {"secours": self.standby, "incertain": self.unsure_since is not None, "depuis": self.unsure_since,
                "promotion": self.promotion}

    def confirm(self, caller, confirmed: bool, motif: str) -> dict:
        """The responsable's word, when neither the standby nor the stream can be asked: the standby was not
        promoted, the doors go on here. Journaled, with the reason, for the PV."""
        _site_responsable(caller, self.reseau.site, "reprendre les entrées sur ce serveur")
        if not confirmed:
            raise Conflit("Reprise non confirmée : cochez que le portable de secours n'a pas été promu. Rien n'a "
                          "changé.", code="confirmation_manquante")
        with self._lock:
            if self.unsure_since is None:
                raise Conflit("Ce serveur prend déjà les entrées : rien à confirmer." if self.promotion is None else
                              "Le portable de secours a été promu : ce serveur ne reprend pas les entrées.",
                              code="rien_a_confirmer")
            payload = {"secours": self.standby, "incertain_depuis": self.unsure_since, "motif": motif}
            event = self.day.journal.write(lambda tx: tx.append(MAIN_CONFIRMED, caller.actor, payload,
                                                                site=self.reseau.site), past_guard=True)
            self.day.journal.guard = None
            self.unsure_since = None
        return {"verdict": "principal_confirme", "ok": True, "enregistre": True, "regle": "",
                "autorise_a_partir_de": None, "seq": event["seq"],
                "message": "Reprise confirmée : ce serveur reprend les entrées. Si le portable de secours avait été "
                           "promu, ses entrées seraient à reprendre à la main (dites-le au PV)."}

    def _sure(self) -> None:
        self.unsure_since = None
        if self.day.journal.guard == self._refuse_unsure:
            self.day.journal.guard = None
        log.warning("portable de secours %s non promu : ce serveur reprend les entrées", self.standby)

    def _refuse_unsure(self) -> None:
        if self.may_write():  # a sign-in: the responsable must reach the console to confirm
            return
        raise SalleError(f"Serveur principal redémarré : il ne peut pas encore savoir si le portable de secours "
                         f"({self.standby}) a été promu pendant son arrêt (ni lui ni le serveur NATS du site ne "
                         "répondent). Rien n'a été enregistré ici ; la tablette garde l'action et essaie le portable "
                         "de secours. Rétablissez le réseau, ou le responsable confirme la reprise sur la console.",
                         code="principal_incertain", status=503)

    def _asked(self) -> tuple[bool, dict | None]:
        """(whether the standby answered, its promotion if it says it was promoted)."""
        try:
            with urllib.request.urlopen(self.standby + "/api/v1/secours", timeout=1,
                                        context=client_context(self.day.db_path.parent)) as r:
                state = json.loads(r.read())
            return True, state["promotion"] if state.get("promu") else None
        except (OSError, ValueError, KeyError, TypeError):
            return False, None

    def _in_stream(self) -> tuple[bool, dict | None]:
        """(whether the stream was read, the promotion if it holds one)."""
        try:
            return True, asyncio.run(asyncio.wait_for(self._read_stream(), 5))
        except Exception:  # the site's nats-server unreachable, no stream yet: this server goes on
            return False, None

    async def _read_stream(self) -> dict | None:
        """The stream's messages not read yet (at the first look, its last LOOK_BACK): a `secours_promu` this
        journal does not hold is the standby's promotion."""
        import nats

        concours = self.day.session.concours.code
        stream, subject = sujets.stream(concours, self.reseau.site), sujets.subject(concours, self.reseau.site)
        nc = await connect_site(self.reseau, self.day.db_path.parent, self.day.stopping.is_set, **ONE_LOOK,
                                connect_timeout=1, error_cb=quiet, name=f"salle-{self.reseau.site}-veille")
        try:
            js = nc.jetstream(timeout=2)
            try:
                last = (await js.get_last_msg(stream, subject)).seq
            except nats.js.errors.NotFoundError:  # nothing published on the site yet: no promotion either
                return None
            if self._read_up_to is None:
                self._read_up_to = max(0, last - self.LOOK_BACK)
            while self._read_up_to < last:
                position = self._read_up_to + 1
                try:
                    event = _event((await js.get_msg(stream, position)).data)
                except nats.js.errors.NotFoundError:  # removed from the stream: nothing to read there
                    event = {}
                self._read_up_to = position
                if event.get("type") != PROMOTED:
                    continue
                own = self.day.journal.one("SELECT hash FROM events WHERE seq = ?", [event.get("seq")])
                if own is None or own["hash"] != event.get("hash"):
                    return {"actor": event.get("actor"), "server_time": event.get("server_time") or ""}
            return None
        finally:
            await nc.close()

    def _refuse(self) -> None:
        at = self.promotion["server_time"][11:16].replace(":", " h ")
        raise SalleError(f"Le portable de secours ({self.standby}) a été promu à {at} : ce serveur ne prend plus les "
                         "entrées, les tablettes passent au portable de secours. Rien n'a été enregistré ici.",
                         code="secours_promu", status=503)
