"""The exam day as a service: the session, the journal and the clock together, and every command of the day.

The web layer and the CLI call these methods; each write is one journal command (idempotent by client id),
each decision one rule of salle.rules evaluated inside the writer's transaction, on the state it sees.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from . import rules
from .clock import local_naive
from .errors import Conflit, Interdit, Introuvable, Invalide, NonAutorise, SalleError
from .journal import SYSTEM, Actor, Journal, Tx
from .model import PIECES_IDENTITE, Candidat, Epreuve, Salle, Session
from .session_file import parse_session
from .state import ensure_state_schema, project, salle_fin

log = logging.getLogger(__name__)
CLIENT_ID = re.compile(r"[A-Za-z0-9._:-]{8,100}")


@dataclass(frozen=True)
class Caller:
    """A signed-in person (or device) and what they may reach."""

    actor: Actor
    role: str
    salle: str | None = None
    site: str | None = None
    token_hash: str | None = None  # the sign-in this request came with (None for devices and the system)
    signed_in_on: str | None = None  # the day of that sign-in (ISO date): the token ends with that day


def signed_out(caller: Caller, payload: dict) -> bool:
    """Whether a « deconnexion » (this token) or « jetons_revoques » (all of a person's) event ends `caller`."""
    return caller.token_hash == payload.get("token_hash") or caller.actor.id == payload.get("personnel")


def _iso(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") if value else None


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def candidat_from_row(row: dict) -> Candidat:
    return Candidat(
        numero=row["numero"], nom=row["nom"], prenom=row["prenom"],
        date_naissance=date.fromisoformat(row["date_naissance"]), site=row["site"], salle=row["salle"],
        place=row["place"] or "", nom_naissance=row["nom_naissance"] or "", tiers_temps=bool(row["tiers_temps"]),
        pieces_manquantes=row["pieces_manquantes"] or "", epreuves=tuple(json.loads(row["epreuves"] or "[]")),
        amenagements=row["amenagements"] or "",
    )


def candidat_public(c: Candidat) -> dict:
    """What a surveillant's screen shows of a candidat."""
    return {
        "numero": c.numero, "nom": c.nom, "prenom": c.prenom, "site": c.site, "salle": c.salle, "place": c.place,
        "tiers_temps": c.tiers_temps, "amenagements": c.amenagements, "pieces_manquantes": c.pieces_manquantes,
    }


def require_client_id(value) -> str:
    if not isinstance(value, str) or not CLIENT_ID.fullmatch(value):
        raise Invalide("Identifiant de requête (client_id) manquant ou invalide : 8 à 100 lettres, chiffres ou "
                       "« - _ . : ».", code="client_id_invalide")
    return value


class ExamDay:
    """One SQLite file holding the session, the journal and the state; one clock."""

    def __init__(self, db_path: str | Path, clock, *, start_doorkeeper: bool = False):
        self.db_path = Path(db_path)
        self.clock = clock
        self.journal = Journal(self.db_path, clock, projector=self._project)
        ensure_state_schema(self.journal._db)
        self._session: Session | None = None
        self._callers: dict[str, Caller] = {}
        self._seen: dict[str, float] = {}  # token hash → its last request (time.monotonic), for the idle expiry
        self.token_idle_minutes = 240.0  # create_app: TOKEN_IDLE_MINUTES
        self.signin_alert_after = 5  # failed sign-ins from one address within an hour: console alert
        self.signin_lock_after = 5  # … after which a right code from that address is locked
        self._revocations = 0  # sign-outs committed so far (see authenticate)
        self.journal.subscribe(self._forget_revoked)
        self._secret = self._load_secret()
        self._stop = threading.Event()
        self._doorkeeper = None
        if start_doorkeeper:
            self.start_doorkeeper()

    # --- setting up ------------------------------------------------------------------------------

    def _load_secret(self) -> bytes:
        """The key that hashes staff codes: local to this file, outside the journal and the derived state."""
        db = self.journal._db
        db.execute("CREATE TABLE IF NOT EXISTS local_secret (id INTEGER PRIMARY KEY CHECK (id = 1), value TEXT)")
        db.execute("INSERT OR IGNORE INTO local_secret (id, value) VALUES (1, ?)", [secrets.token_hex(32)])
        return bytes.fromhex(db.execute("SELECT value FROM local_secret").fetchone()[0])

    def code_hash(self, code: str) -> str:
        return hmac.new(self._secret, code.strip().encode(), hashlib.sha256).hexdigest()

    def load_session(self, toml_text: str, actor: Actor = SYSTEM) -> Session:
        """Journal the session file (staff codes only as keyed hashes); a reload keeps door times already moved."""
        session = parse_session(toml_text)
        staff = [
            {"id": f"P{i + 1:03d}", "name": s.name, "role": s.role, "salle": s.salle,
             "site": s.site or (session.salle(s.salle).site if s.salle else None), "code_hash": self.code_hash(s.code)}
            for i, s in enumerate(session.staff)
        ]
        deroulement = [{"epreuve": e.code, "site": s.code, "doors_close_at": _iso(e.doors_close_dt)}
                       for e in session.epreuves for s in session.sites]
        payload = {"session_toml": _without_staff(toml_text), "staff": staff, "deroulement": deroulement}
        self.journal.write(lambda tx: tx.append("session_chargee", actor, payload))
        return self.session

    def _project(self, db, event: dict) -> None:
        project(db, event)
        if event["type"] == "session_chargee":  # this process is the only writer: forget the cached copies
            self._session = None
            self._callers.clear()

    @property
    def session(self) -> Session:
        session = self._session
        if session is None:
            row = self.journal.one("SELECT value FROM meta WHERE key = 'session_toml'")
            if row is None:
                raise Conflit("Aucune session chargée : lancez d'abord « salle init SESSION.toml ».",
                              code="pas_de_session")
            session = self._session = parse_session(row["value"])
        return session

    # --- staff -----------------------------------------------------------------------------------

    def login(self, code, device: str = "", address: str = "") -> tuple[str, dict]:
        """A personal code → a token. A failure is journaled (never the code typed) with the device's address;
        past SIGNIN_ALERT_AFTER failures from one address within an hour the console gets an alert, and a right
        code typed from an address with SIGNIN_LOCK_AFTER failures is locked (it may have been guessed) until a
        responsable unlocks it. The rate of attempts is limited in the web layer (flask-limiter)."""
        device = str(device or "")[:80]
        if not isinstance(code, str) or not code.strip() or len(code) > 64:
            self._signin_failed(address, device, "code_invalide")
            raise NonAutorise("Code personnel manquant ou invalide.", code="code_invalide")
        row = self.journal.one("SELECT * FROM staff WHERE code_hash = ?", [self.code_hash(code)])
        if row is None:
            self._signin_failed(address, device, "code_inconnu")
            raise NonAutorise("Code personnel inconnu : vérifiez le code ou demandez-le au responsable.",
                              code="code_inconnu")
        locked = self.journal.one("SELECT 1 FROM staff_locks WHERE staff_id = ?", [row["id"]]) is not None
        unlocked = self.journal.one("SELECT MAX(seq) AS seq FROM events WHERE type = 'code_deverrouille' "
                                    "AND json_extract(payload, '$.personnel') = ?", [row["id"]])["seq"]
        failures = self._recent_failures(self.journal.reader().conn, address, unlocked)
        if not locked and failures >= self.signin_lock_after:
            self._lock_code(row, address, device)
            locked = True
        if locked:
            raise Interdit("Ce code personnel est verrouillé après des tentatives de connexion répétées : "
                           "demandez au responsable de le débloquer.", code="code_verrouille")
        token = secrets.token_urlsafe(32)
        actor = Actor(id=row["id"], role=row["role"], device=device, name=row["name"])
        token_hash = hashlib.sha256(token.encode()).hexdigest()
        self.journal.write(lambda tx: tx.append("connexion", actor, {"token_hash": token_hash}))
        self._seen[token_hash] = time.monotonic()
        return token, self.staff_public(row)

    def _recent_failures(self, db, address: str, after_seq: int | None = None) -> int:
        """Failed sign-ins from `address` within the last hour (and after event `after_seq`: an unlock)."""
        since = (self.clock.now() - timedelta(hours=1)).isoformat(timespec="milliseconds")
        return _fetch(db, "SELECT COUNT(*) AS n FROM events WHERE type = 'connexion_refusee' AND server_time >= ? "
                          "AND seq > ? AND json_extract(payload, '$.adresse') = ?",
                      [since, after_seq or 0, address])["n"]

    def _signin_failed(self, address: str, device: str, reason: str) -> None:
        """Journal a failed sign-in (the address, the device's name, why; never the code typed); the
        SIGNIN_ALERT_AFTER-th failure within an hour from one address raises an alert on every console."""
        def record(tx: Tx) -> None:
            failures = self._recent_failures(tx.db, address) + 1
            device_actor = Actor(id=SYSTEM.id, role=SYSTEM.role, device=device, name=SYSTEM.name)
            tx.append("connexion_refusee", device_actor, {"adresse": address, "appareil": device, "motif": reason,
                                                          "echecs": failures})
            if failures == self.signin_alert_after:
                tx.append("alerte", SYSTEM, {"kind": "connexions_refusees", "message": (
                    f"{failures} codes personnels refusés en moins d'une heure depuis l'appareil {address or '?'}"
                    f"{f' ({device})' if device else ''} : vérifiez qui l'utilise.")})

        self.journal.write(record)

    def _lock_code(self, row: dict, address: str, device: str) -> None:
        def lock(tx: Tx) -> None:
            failures = self._recent_failures(tx.db, address)
            tx.append("code_verrouille", SYSTEM, {"personnel": row["id"], "nom": row["name"], "adresse": address,
                                                  "echecs": failures}, site=row["site"], salle=row["salle"])
            tx.append("alerte", SYSTEM, {"kind": "code_verrouille", "message": (
                f"Code de {row['name']} verrouillé : tapé juste depuis l'appareil {address or '?'} après {failures} "
                "codes refusés (deviné ?). Vérifiez, puis débloquez-le depuis la liste du personnel.")},
                site=row["site"], salle=row["salle"])

        self.journal.write(lock)

    def unlock(self, caller: Caller, staff_id: str, body: dict) -> dict:
        """A responsable (surveillants and kiosks of their site) or an admin unlocks a locked code."""
        client_id = require_client_id(body.get("client_id"))
        target = self._staff_target(caller, staff_id)

        def decide(tx: Tx) -> dict:
            if _fetch(tx.db, "SELECT 1 FROM staff_locks WHERE staff_id = ?", [staff_id]) is None:
                raise Conflit(f"Le code de {target['name']} n'est pas verrouillé.", code="pas_verrouille")
            tx.append("code_deverrouille", caller.actor, {"personnel": staff_id, "nom": target["name"]},
                      client_id=client_id, site=target["site"], salle=target["salle"])
            return {"personnel": staff_id, "deverrouille": True, "message": f"Code de {target['name']} débloqué."}

        answer, replayed = self.journal.command(client_id, {"op": "unlock", "staff": staff_id}, decide)
        return {**answer, "rejoue": replayed}

    @staticmethod
    def staff_public(row: dict) -> dict:
        return {"id": row["id"], "nom": row["name"], "role": row["role"], "salle": row["salle"], "site": row["site"]}

    def authenticate(self, token: str | None) -> Caller:
        if not token:
            raise NonAutorise("Connectez-vous avec votre code personnel.", code="non_authentifie")
        token_hash = hashlib.sha256(token.encode()).hexdigest()
        caller = self._callers.get(token_hash)
        if caller is None:
            generation = self._revocations
            row = self.journal.one("SELECT s.*, t.device, t.created_at FROM tokens t JOIN staff s ON s.id = t.staff_id "
                                   "WHERE t.token_hash = ?", [token_hash])
            if row is None:
                raise NonAutorise("Session expirée ou inconnue : reconnectez-vous avec votre code personnel.",
                                  code="jeton_invalide")
            actor = Actor(id=row["id"], role=row["role"], device=row["device"] or "", name=row["name"])
            caller = Caller(actor=actor, role=row["role"], salle=row["salle"], site=row["site"], token_hash=token_hash,
                            signed_in_on=(row["created_at"] or "")[:10])
            if generation == self._revocations:  # no sign-out committed meanwhile: what was read is still true
                self._callers[token_hash] = caller
        self._check_not_expired(caller)
        return caller

    def _check_not_expired(self, caller: Caller) -> None:
        """A token ends with the day it was made on (the day's clock), and after `token_idle_minutes` (real
        minutes) without a request; then a French 401 sends the device back to the sign-in."""
        seen, now = self._seen.get(caller.token_hash), time.monotonic()
        if caller.signed_in_on and caller.signed_in_on < self.clock.now().date().isoformat():
            raise NonAutorise("Session terminée : une connexion vaut pour la journée. Reconnectez-vous avec votre "
                              "code personnel.", code="jeton_expire")
        if seen is not None and now - seen > self.token_idle_minutes * 60:
            raise NonAutorise(f"Session expirée après {self.token_idle_minutes:g} min sans activité : "
                              "reconnectez-vous avec votre code personnel.", code="jeton_expire")
        self._seen[caller.token_hash] = now

    def _forget_revoked(self, events: list[dict]) -> None:
        """After a commit: revoked sign-ins leave the cache (and nothing read before the commit comes back)."""
        for event in events:
            if event["type"] in ("deconnexion", "jetons_revoques"):
                self._revocations += 1
                payload = json.loads(event["payload"])
                for token_hash, caller in list(self._callers.items()):
                    if signed_out(caller, payload):
                        self._callers.pop(token_hash, None)

    def logout(self, caller: Caller) -> dict:
        """Sign this device out: its token stops working at once, here and on its live connection."""
        self.journal.write(lambda tx: tx.append("deconnexion", caller.actor, {"token_hash": caller.token_hash}))
        return {"deconnecte": True}

    def staff_for(self, caller: Caller) -> list[dict]:
        """The staff a responsable (their site) or an admin (everyone) sees, with their signed-in devices."""
        rows = self.journal.query(
            "SELECT s.id, s.name, s.role, s.salle, s.site, COUNT(t.token_hash) AS appareils, "
            "MAX(t.created_at) AS derniere_connexion, l.locked_at FROM staff s LEFT JOIN tokens t ON t.staff_id = s.id "
            "LEFT JOIN staff_locks l ON l.staff_id = s.id GROUP BY s.id ORDER BY s.site, s.role, s.name")
        return [{**self.staff_public(r), "appareils": r["appareils"], "derniere_connexion": r["derniere_connexion"],
                 "verrouille": r["locked_at"] is not None}
                for r in rows if caller.role == "admin" or r["site"] == caller.site]

    def revoke(self, caller: Caller, staff_id: str, body: dict) -> dict:
        """Sign out every device of a staff member (a tablet lost or left signed in), with a journaled reason."""
        client_id = require_client_id(body.get("client_id"))
        motif = body.get("motif")
        if not isinstance(motif, str) or not motif.strip() or len(motif) > 200:
            raise Invalide("Indiquez le motif de la déconnexion (200 caractères au plus).", code="motif_requis")
        target = self._staff_target(caller, staff_id)

        def decide(tx: Tx) -> dict:
            count = tx.db.execute("SELECT COUNT(*) FROM tokens WHERE staff_id = ?", [staff_id]).fetchone()[0]
            tx.append("jetons_revoques", caller.actor, {"personnel": staff_id, "nom": target["name"],
                                                        "motif": motif.strip(), "appareils": count},
                      client_id=client_id, site=target["site"], salle=target["salle"])
            return {"personnel": staff_id, "appareils_deconnectes": count,
                    "message": f"{target['name']} : {count} appareil(s) déconnecté(s)."}

        answer, replayed = self.journal.command(client_id, {"op": "revoke", "staff": staff_id,
                                                            "motif": motif.strip()}, decide)
        return {**answer, "rejoue": replayed}

    def _staff_target(self, caller: Caller, staff_id: str) -> dict:
        """The staff member a responsable (surveillants and kiosks of their site) or an admin may act on."""
        target = self.journal.one("SELECT * FROM staff WHERE id = ?", [staff_id])
        if target is None:
            raise Introuvable(f"Personnel « {str(staff_id)[:20]} » inconnu.", code="personnel_inconnu")
        if caller.role != "admin" and (target["site"] != caller.site or target["role"] not in ("surveillant", "kiosk")):
            raise Interdit("Vous ne pouvez agir que sur les surveillants et les bornes de votre site.")
        return target

    # --- who may touch what (R27) ----------------------------------------------------------------

    def salle_for(self, caller: Caller, salle_code: str) -> Salle:
        salle = self.session.salle(salle_code)
        if salle is None:
            raise Introuvable(f"Salle « {salle_code} » inconnue.", code="salle_inconnue")
        if caller.role == "admin":
            return salle
        if caller.role == "surveillant" and caller.salle == salle.code:
            return salle
        if caller.role == "responsable" and caller.site == salle.site:
            return salle
        raise Interdit(f"Vous n'avez pas accès à la salle {salle.code} : votre rôle ne le permet pas.")

    def site_for(self, caller: Caller, site_code: str):
        site = self.session.site(site_code)
        if site is None:
            raise Introuvable(f"Site « {site_code} » inconnu.", code="site_inconnu")
        if caller.role == "admin" or (caller.role == "responsable" and caller.site == site.code):
            return site
        raise Interdit(f"Seul un responsable du site {site.code} ou un administrateur peut faire cela.")

    def epreuve_for(self, code: str | None, now: datetime) -> Epreuve:
        if code:
            epreuve = self.session.epreuve(code)
            if epreuve is None:
                raise Introuvable(f"Épreuve « {code} » inconnue.", code="epreuve_inconnue")
            return epreuve
        epreuve = rules.current_epreuve(self.session.epreuves, now)
        if epreuve is None:
            raise Conflit("Aucune épreuve en cours ou à venir aujourd'hui.", code="pas_d_epreuve")
        return epreuve

    # --- reading the state (inside or outside a transaction) -------------------------------------

    def _candidat(self, db, numero: str) -> Candidat | None:
        row = _fetch(db, "SELECT * FROM candidats WHERE numero = ?", [numero])
        return candidat_from_row(row) if row else None

    def _deroulement(self, db, epreuve: str, site: str) -> dict:
        return _fetch(db, "SELECT * FROM deroulement WHERE epreuve = ? AND site = ?", [epreuve, site]) or {}

    def _presence(self, db, epreuve: str, numero: str) -> dict | None:
        return _fetch(db, "SELECT * FROM presences WHERE epreuve = ? AND numero = ?", [epreuve, numero])

    # --- the scan --------------------------------------------------------------------------------

    def scan(self, caller: Caller, salle_code: str, body: dict) -> dict:
        """An arrival scan at a salle door. With `piece_identite` it decides and records; without it,
        an admissible candidat is only previewed (nothing recorded) so the surveillant can check the ID."""
        salle = self.salle_for(caller, salle_code)
        client_id = require_client_id(body.get("client_id"))
        piece = body.get("piece_identite")
        if piece is not None and (not isinstance(piece, str) or piece not in PIECES_IDENTITE):
            raise Invalide(f"Pièce d'identité « {str(piece)[:40]} » inconnue : choisissez parmi "
                           f"{', '.join(PIECES_IDENTITE)}.", code="piece_identite_invalide")
        pieces_produites = body.get("pieces_produites", False)
        if not isinstance(pieces_produites, bool):
            raise Invalide("« pieces_produites » doit valoir true ou false.", code="requete_invalide")
        code = body.get("code")
        if code is not None and not isinstance(code, str):
            raise Invalide("Le code scanné doit être du texte.", code="code_invalide")
        device_time = _device_time(body.get("device_time"))
        now = self.clock.now()
        epreuve = self.epreuve_for(body.get("epreuve"), now)
        seen_at = _seen_at(body.get("heure_constatee"), now, epreuve)
        parsed = rules.parse_code(code, self.session.concours)
        if parsed.verdict:  # illisible, inconnu: nothing is recorded (bad input changes nothing)
            return self._answer(parsed.verdict, epreuve, salle, None, recorded=False)
        fingerprint = {"op": "scan", "salle": salle.code, "code": code, "piece": piece, "pp": pieces_produites,
                       "epreuve": body.get("epreuve")}

        def decide(tx: Tx) -> dict:
            arrival = self._arrival(tx.db, epreuve, salle, parsed.numero, piece, pieces_produites, tx.now, seen_at)
            verdict = rules.check_arrival(arrival, tx.now)
            c = arrival.candidat
            if c is None or (verdict.code == rules.ADMIS and piece is None):
                return self._answer(verdict, epreuve, salle, c, recorded=False)
            tx.append("scan", caller.actor, {
                "verdict": verdict.code, "code": code, "piece_identite": piece, "message": verdict.message,
                "pieces_produites": pieces_produites and bool(c.pieces_manquantes), "place": c.place,
                "regle": verdict.rule, **{k: verdict.data[k] for k in ("entre_a", "entre_salle", "entre_site")
                                          if k in verdict.data},
            }, client_id=client_id, device_time=device_time, epreuve=epreuve.code, site=salle.site,
                salle=salle.code, candidat=c.numero)
            return self._answer(verdict, epreuve, salle, c, recorded=True)

        if piece is None:  # a preview: when it records nothing, a reader answers it and the writer never waits
            arrival = self._arrival(self.journal.reader(), epreuve, salle, parsed.numero, piece, pieces_produites,
                                    now, seen_at)
            verdict = rules.check_arrival(arrival, now)
            if arrival.candidat is None or verdict.code == rules.ADMIS:
                return {**self._answer(verdict, epreuve, salle, arrival.candidat, recorded=False), "rejoue": False}
        answer, replayed = self.journal.command(client_id, fingerprint, decide)
        return {**answer, "rejoue": replayed}

    def _arrival(self, db, epreuve: Epreuve, salle: Salle, numero: str, piece, pieces_produites, now,
                 seen_at: datetime | None = None) -> rules.Arrival:
        session = self.session
        row = _fetch(db, "SELECT * FROM candidats WHERE numero = ?", [numero])
        if row is None:
            return rules.Arrival(session.concours, epreuve, salle, None)
        c = candidat_from_row(row)
        der = self._deroulement(db, epreuve.code, c.site)
        presence = self._presence(db, epreuve.code, c.numero)
        produced = _dt(row["pieces_produites_at"])
        if produced is None and pieces_produites and c.pieces_manquantes:
            produced = now
        return rules.Arrival(
            concours=session.concours, epreuve=epreuve, door_salle=salle, candidat=c,
            candidat_site=session.site(c.site), candidat_salle=session.salle(c.salle),
            doors_close_at=_dt(der.get("doors_close_at")), doors_closed_at=_dt(der.get("doors_closed_at")),
            started_at=_dt(der.get("started_at")),
            entered_at=_dt(presence["entered_at"]) if presence else None,
            entered_place=(presence or {}).get("place") or "",
            entered_salle=session.salle(presence["salle"]) if presence else None,
            entered_site=session.site(session.salle(presence["salle"]).site) if presence else None,
            pieces_produites_at=produced, piece_identite=piece,
            seen_at=seen_at,
        )

    def _answer(self, verdict: rules.Verdict, epreuve: Epreuve, salle: Salle, c: Candidat | None,
                recorded: bool) -> dict:
        return {**verdict.to_dict(), "enregistre": recorded, "epreuve": epreuve.code, "salle": salle.code,
                "candidat": candidat_public(c) if c else None}

    # --- exits and toilets (R15–R19, R24) ---------------------------------------------------------

    def _presence_facts(self, db, epreuve: Epreuve, salle: Salle, numero: str, identite: bool) -> tuple:
        c = self._candidat(db, numero)
        if c is None:
            raise Introuvable(f"Candidat « {numero} » inconnu.", code="candidat_inconnu")
        presence = self._presence(db, epreuve.code, numero)
        if presence and presence["salle"] != salle.code:
            presence = None
        der = self._deroulement(db, epreuve.code, salle.site)
        facts = rules.Presence(
            epreuve=epreuve, started_at=_dt(der.get("started_at")), tiers_temps=c.tiers_temps,
            status=presence["status"] if presence else None, emarge=bool(presence and presence["emarge_at"]),
            identite_verifiee=identite, released=self._released(db, epreuve, salle),
        )
        return c, facts

    @staticmethod
    def _released(db, epreuve: Epreuve, salle: Salle) -> bool:
        """R22: the salle's release recorded (after the recount)."""
        return _fetch(db, "SELECT 1 FROM fins WHERE epreuve = ? AND salle = ? AND released_at IS NOT NULL",
                      [epreuve.code, salle.code]) is not None

    def _movement(self, caller: Caller, salle_code: str, body: dict, op: str) -> dict:
        salle = self.salle_for(caller, salle_code)
        client_id = require_client_id(body.get("client_id"))
        numero = body.get("numero")
        if not isinstance(numero, str) or not numero.strip():
            raise Invalide("Numéro du candidat manquant.", code="numero_manquant")
        accompagnateur = body.get("accompagnateur") or ""
        if not isinstance(accompagnateur, str):
            raise Invalide("« accompagnateur » doit être un nom.", code="requete_invalide")
        piece = body.get("piece_identite")
        if piece is not None and (not isinstance(piece, str) or piece not in PIECES_IDENTITE):
            raise Invalide("Pièce d'identité inconnue.", code="piece_identite_invalide")
        epreuve = self.epreuve_for(body.get("epreuve"), self.clock.now())
        device_time = _device_time(body.get("device_time"))
        fingerprint = {"op": op, "salle": salle.code, "numero": numero, "acc": accompagnateur, "piece": piece}

        def decide(tx: Tx) -> dict:
            c, facts = self._presence_facts(tx.db, epreuve, salle, numero.strip(), piece is not None)
            if op == "sortie":
                verdict = rules.check_exit(facts, tx.now)
            elif op == "toilettes_sortie":
                verdict = rules.check_toilettes(facts, accompagnateur, tx.now)
            else:
                verdict = (rules.Verdict("retour_enregistre", "Retour des toilettes enregistré.", "R19")
                           if facts.status == "toilettes" else
                           rules.Verdict(rules.NON_PRESENT, "Ce candidat n'est pas sorti aux toilettes.", "R19"))
            answer = {**verdict.to_dict(), "ok": verdict.ok or verdict.code == "retour_enregistre",
                      "enregistre": False, "epreuve": epreuve.code, "salle": salle.code,
                      "candidat": candidat_public(c)}
            if answer["ok"]:
                tx.append(op, caller.actor, {"accompagnateur": accompagnateur.strip(), "piece_identite": piece,
                                             "message": verdict.message},
                          client_id=client_id, device_time=device_time, epreuve=epreuve.code, site=salle.site,
                          salle=salle.code, candidat=c.numero)
                answer["enregistre"] = True
            return answer

        answer, replayed = self.journal.command(client_id, fingerprint, decide)
        return {**answer, "rejoue": replayed}

    def sortie(self, caller, salle_code, body):
        return self._movement(caller, salle_code, body, "sortie")

    def toilettes(self, caller, salle_code, body):
        return self._movement(caller, salle_code, body, "toilettes_sortie")

    def toilettes_retour(self, caller, salle_code, body):
        return self._movement(caller, salle_code, body, "toilettes_retour")

    # --- doors and start (R3, R9) ----------------------------------------------------------------

    def move_doors(self, caller: Caller, epreuve_code: str, site_code: str, body: dict) -> dict:
        site = self.site_for(caller, site_code)
        epreuve = self.epreuve_for(epreuve_code, self.clock.now())
        client_id = require_client_id(body.get("client_id"))
        new_time = _parse_new_time(body.get("heure"), epreuve)
        motif = body.get("motif") or ""
        if not isinstance(motif, str) or len(motif) > 200:  # a cell of the PV's table
            raise Invalide("Le motif doit être un texte de 200 caractères au plus.", code="requete_invalide")

        def decide(tx: Tx) -> dict:
            der = self._deroulement(tx.db, epreuve.code, site.code)
            before = _dt(der["doors_close_at"])
            verdict = rules.check_move_doors(before, _dt(der.get("doors_closed_at")), new_time, motif, tx.now)
            if verdict.ok:
                tx.append("fermeture_deplacee", caller.actor,
                          {"avant": _iso(before), "apres": _iso(new_time), "motif": motif.strip()},
                          client_id=client_id, epreuve=epreuve.code, site=site.code)
            return {**verdict.to_dict(), "enregistre": verdict.ok, "portes": self._doors(tx.db, epreuve, site.code)}

        answer, replayed = self.journal.command(client_id, {"op": "move", "e": epreuve.code, "s": site.code,
                                                            "t": _iso(new_time), "m": motif}, decide)
        if not answer["ok"]:
            raise Conflit(answer["message"], code=answer["verdict"])
        return {**answer, "rejoue": replayed}

    def close_doors(self, caller: Caller | None, epreuve_code: str, site_code: str, client_id: str) -> dict:
        """Pronounce the door closing (R3): by the responsable, or by the doorkeeper at the set time."""
        actor = caller.actor if caller else SYSTEM
        if caller:
            self.site_for(caller, site_code)
        epreuve = self.epreuve_for(epreuve_code, self.clock.now())

        def decide(tx: Tx) -> dict:
            der = self._deroulement(tx.db, epreuve.code, site_code)
            if not der.get("doors_closed_at"):
                tx.append("portes_fermees", actor, {"heure_prevue": der.get("doors_close_at"), "auto": caller is None},
                          client_id=client_id, epreuve=epreuve.code, site=site_code)
            return {"ok": True, "enregistre": bool(tx.events), "portes": self._doors(tx.db, epreuve, site_code)}

        answer, _ = self.journal.command(client_id, {"op": "close", "e": epreuve.code, "s": site_code}, decide)
        return answer

    def start_epreuve(self, caller: Caller, epreuve_code: str, site_code: str, body: dict) -> dict:
        """R9: the ouverture des sujets, from which every timing of the épreuve runs."""
        site = self.site_for(caller, site_code)
        epreuve = self.epreuve_for(epreuve_code, self.clock.now())
        client_id = require_client_id(body.get("client_id"))

        def decide(tx: Tx) -> dict:
            der = self._deroulement(tx.db, epreuve.code, site.code)
            if der.get("started_at"):
                raise Conflit(f"Le début de l'épreuve est déjà enregistré ({der['started_at'][11:16]}).",
                              code="deja_commencee")
            tx.append("debut_epreuve", caller.actor, {}, client_id=client_id, epreuve=epreuve.code, site=site.code)
            return {"ok": True, "enregistre": True, "debut": tx.now.isoformat(timespec="seconds")}

        answer, replayed = self.journal.command(client_id, {"op": "start", "e": epreuve.code, "s": site.code}, decide)
        return {**answer, "rejoue": replayed}

    def _doors(self, db, epreuve: Epreuve, site: str) -> dict:
        der = self._deroulement(db, epreuve.code, site)
        return {"epreuve": epreuve.code, "site": site, "heure_fermeture": der.get("doors_close_at"),
                "fermees_a": der.get("doors_closed_at"), "debut": der.get("started_at")}

    def tick(self) -> None:
        """The doorkeeper's tick, without anyone acting: close every door whose set time has come (R3), and
        record the end of each started épreuve at its recorded start + duration (R9; tiers-temps go on)."""
        now = self.clock.now()
        stamp = now.isoformat(timespec="milliseconds")
        for d in self.journal.query("SELECT epreuve, site FROM deroulement WHERE doors_closed_at IS NULL "
                                    "AND doors_close_at <= ?", [stamp]):
            self.close_doors(None, d["epreuve"], d["site"], f"auto:portes:{d['epreuve']}:{d['site']}")
        for d in self.journal.query("SELECT epreuve, site, started_at FROM deroulement WHERE started_at IS NOT NULL "
                                    "AND ended_at IS NULL"):
            epreuve = self.session.epreuve(d["epreuve"])
            if epreuve and now >= _dt(d["started_at"]) + timedelta(minutes=epreuve.duration):
                self._end_epreuve(epreuve, d["site"])

    def _end_epreuve(self, epreuve: Epreuve, site: str) -> None:
        def decide(tx: Tx) -> dict:
            der = self._deroulement(tx.db, epreuve.code, site)
            if not der.get("ended_at"):
                tx.append("fin_epreuve", SYSTEM, {"debut": der.get("started_at"), "duree": epreuve.duration},
                          epreuve=epreuve.code, site=site)
            return {"ok": True}

        self.journal.command(f"auto:fin:{epreuve.code}:{site}", {"op": "fin", "e": epreuve.code, "s": site}, decide)

    def start_doorkeeper(self, period: float = 0.5) -> None:
        def loop():
            while not self._stop.wait(period):
                try:
                    self.tick()
                except SalleError as exc:  # e.g. the file is busy: try again at the next tick
                    log.warning("doorkeeper: %s", exc.message)
                except Exception:  # R3 depends on this thread: whatever happened, it keeps ticking
                    log.exception("doorkeeper")

        self._doorkeeper = threading.Thread(target=loop, name="salle-doorkeeper", daemon=True)
        self._doorkeeper.start()

    # --- the rehearsal clock ----------------------------------------------------------------------

    def set_clock(self, caller: Caller, value) -> datetime:
        """Rehearsal only: set the clock to `value` (ISO 8601; an offset is converted to the server's local time),
        on a day of the session or the rehearsal's own first day; journaled with the time before."""
        clock = self.clock
        if not clock.rehearsal:
            raise Interdit("L'horloge ne se règle qu'en mode répétition.", code="pas_en_repetition")
        when = _iso_datetime(value, "Heure invalide : attendu « 2027-03-18T08:40 ».", code="heure_invalide")
        if when is None:
            raise Invalide("Heure manquante : envoyez « maintenant », par exemple « 2027-03-18T08:40 ».",
                           code="heure_invalide")
        days = sorted({e.date for e in self.session.epreuves} | {getattr(clock, "first_day", None)} - {None})
        if when.date() not in days:
            allowed = ", ".join(d.strftime("%d/%m/%Y") for d in days)
            raise Invalide(f"L'horloge de répétition ne se règle que sur un jour de la session ou de la "
                           f"répétition ({allowed}) : le {when:%d/%m/%Y} est refusé. Rien n'a changé.",
                           code="heure_hors_session")
        before = clock.now()
        self.journal.write(lambda tx: tx.append("horloge_reglee", caller.actor,
                                                {"avant": before.isoformat(), "apres": when.isoformat()}))
        clock.set(when)
        return clock.now()

    # --- views -----------------------------------------------------------------------------------

    def salle_state(self, caller: Caller, salle_code: str, epreuve_code: str | None = None) -> dict:
        salle = self.salle_for(caller, salle_code)
        now = self.clock.now()
        epreuve = self.epreuve_for(epreuve_code, now)
        return salle_summary(self, salle, epreuve, now)

    def salle_candidats(self, caller: Caller, salle_code: str, epreuve_code: str | None = None) -> list[dict]:
        salle = self.salle_for(caller, salle_code)
        epreuve = self.epreuve_for(epreuve_code, self.clock.now())
        rows = self.journal.query(
            "SELECT c.*, p.status, p.entered_at, p.piece_identite, p.exited_at, p.toilettes_since, "
            "p.accompagnateur, p.emarge_at, p.copies, p.copie_blanche FROM candidats c LEFT JOIN presences p "
            "ON p.numero = c.numero AND p.epreuve = ? WHERE c.salle = ? ORDER BY c.nom COLLATE FR, c.prenom COLLATE FR",
            [epreuve.code, salle.code],
        )
        refus = {r["numero"]: r for r in self.journal.query(
            "SELECT numero, verdict, at FROM refus WHERE epreuve = ? AND salle = ? ORDER BY seq", [epreuve.code, salle.code])}
        out = []
        for row in rows:
            c = candidat_from_row(row)
            if not c.convoque(epreuve.code):
                continue
            refused = refus.get(c.numero) if row["status"] is None else None
            out.append({**candidat_public(c), "statut": row["status"] or ("refuse" if refused else "attendu"),
                        "entree": row["entered_at"], "piece_identite": row["piece_identite"], "sortie": row["exited_at"],
                        "toilettes_depuis": row["toilettes_since"], "accompagnateur": row["accompagnateur"],
                        "emargement": row["emarge_at"], "copies": row["copies"],
                        "refus": {"verdict": refused["verdict"], "a": refused["at"]} if refused else None})
        _name_homonyms(out, rows)
        return out

    def candidat_card(self, caller: Caller, salle_code: str, numero: str, epreuve_code: str | None = None) -> dict:
        """A candidat at this salle now: where they stand and, for each action of the tablet, whether it applies
        now and else from when (the same rules the commands apply; nothing recorded)."""
        salle = self.salle_for(caller, salle_code)
        now = self.clock.now()
        epreuve = self.epreuve_for(epreuve_code, now)
        db = self.journal.reader()
        c, facts = self._presence_facts(db, epreuve, salle, numero.strip(), True)
        if c.salle != salle.code:
            raise Introuvable(f"{c.display_name} n'est pas convoqué(e) dans cette salle.", code="candidat_inconnu")
        presence = self._presence(db, epreuve.code, c.numero) or {}
        end = rules.candidate_end(epreuve, facts.started_at, c.tiers_temps)
        checks = {
            "toilettes": rules.check_toilettes(facts, "accompagnateur", now),
            "sortie": rules.check_exit(facts, now),
            "emargement": rules.check_emargement(rules.EmargementFacts(facts), now),
        }
        return {
            "candidat": {**candidat_public(c), "date_naissance": c.date_naissance.isoformat()},
            "statut": facts.status or "attendu", "entree": presence.get("entered_at"),
            "piece_identite": presence.get("piece_identite"), "sortie": presence.get("exited_at"),
            "toilettes_depuis": presence.get("toilettes_since"), "accompagnateur": presence.get("accompagnateur"),
            "emargement": presence.get("emarge_at"), "copies": presence.get("copies"),
            "fin": _iso(end), "debut": _iso(facts.started_at),
            "actions": {name: {"possible": v.ok or v.code == rules.EMARGEMENT_ENREGISTRE, "message": v.message,
                               "a_partir_de": _iso(v.allowed_from)} for name, v in checks.items()},
        }

    def close(self) -> None:
        self._stop.set()
        if self._doorkeeper:
            self._doorkeeper.join(timeout=5)
        self.journal.close()


def salle_summary(day: ExamDay, salle: Salle, epreuve: Epreuve, now: datetime) -> dict:
    counts = day.journal.one(
        "SELECT COUNT(*) AS present_total, SUM(status = 'present') AS present, SUM(status = 'toilettes') AS toilettes, "
        "SUM(status = 'sorti') AS sortis, SUM(emarge_at IS NOT NULL) AS emarges, SUM(status IN ('present', "
        "'toilettes') AND EXISTS (SELECT 1 FROM candidats c WHERE c.numero = presences.numero AND c.tiers_temps = 1)) "
        "AS tiers_temps FROM presences WHERE epreuve = ? AND salle = ?", [epreuve.code, salle.code],
    )
    expected = day.journal.one(
        "SELECT COUNT(*) AS n FROM candidats WHERE salle = ? AND (epreuves IN ('', '[]') OR EXISTS "
        "(SELECT 1 FROM json_each(candidats.epreuves) WHERE value = ?))", [salle.code, epreuve.code])["n"]
    der = day._deroulement(day.journal.reader().conn, epreuve.code, salle.site)
    end = rules.candidate_end(epreuve, _dt(der.get("started_at")), False)
    # Refusals as they ended: not a candidate admitted afterwards, not a scan after the épreuve's end.
    refused = day.journal.one(
        "SELECT COUNT(DISTINCT r.numero) AS n, COUNT(DISTINCT CASE WHEN r.verdict = 'portes_fermees' THEN r.numero "
        "END) AS late FROM refus r WHERE r.epreuve = ? AND r.salle = ? AND r.at < ? AND NOT EXISTS (SELECT 1 FROM "
        "presences p WHERE p.epreuve = r.epreuve AND p.numero = r.numero)",
        [epreuve.code, salle.code, end.isoformat(timespec="milliseconds")])
    late = refused["late"] or 0
    entered = counts["present_total"] or 0
    return {
        "salle": salle.code, "libelle": salle.display, "site": salle.site, "acces": salle.access,
        "capacite": salle.capacity, "rangees": salle.rows, "colonnes": salle.columns,
        "epreuve": {"code": epreuve.code, "libelle": epreuve.label, "debut_prevu": _iso(epreuve.start_dt),
                    "duree": epreuve.duration, "sujet_commun": epreuve.sujet_commun, "type": epreuve.kind},
        "attendus": expected, "presents": counts["present"] or 0, "toilettes": counts["toilettes"] or 0,
        "sortis": counts["sortis"] or 0, "absents": expected - entered, "emarges": counts["emarges"] or 0,
        "refuses_retard": late, "refuses": refused["n"] or 0, "tiers_temps": counts["tiers_temps"] or 0, "sans_emargement": entered - (counts["emarges"] or 0),
        "fin": _iso(end), "liberee_a": (salle_fin(day.journal.reader(), epreuve.code, salle.code) or {}).get(
            "released_at"),
        "portes": {"heure_fermeture": der.get("doors_close_at"), "fermees_a": der.get("doors_closed_at"),
                   "fermees": rules.doors_closed(_dt(der.get("doors_close_at")), _dt(der.get("doors_closed_at")), now),
                   "debut": der.get("started_at")},
    }


def _name_homonyms(out: list[dict], rows) -> None:
    """Two candidats of one list with the same name are told apart by their date of birth."""
    keys = {}
    for item in out:
        keys.setdefault(rules.normalize_name(item["nom"] + item["prenom"]), []).append(item)
    births = {r["numero"]: r["date_naissance"] for r in rows}
    for same in keys.values():
        if len(same) > 1:
            for item in same:
                item["date_naissance"] = births[item["numero"]]


def _fetch(db, sql: str, params) -> dict | None:
    """One row as a dict, from a sqlite-utils Database or a sqlite3 connection."""
    conn = getattr(db, "conn", db)
    cursor = conn.execute(sql, params)
    row = cursor.fetchone()
    if row is None:
        return None
    return dict(zip([d[0] for d in cursor.description], row))


def _iso_datetime(value, message: str, code: str = "requete_invalide") -> datetime | None:
    """An ISO 8601 date and time sent by a device (« Z » accepted) in the server's local time (an offset is
    converted to it), or None; else `message`, in French."""
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > 40:
        raise Invalide(message, code=code)
    try:
        return local_naive(datetime.fromisoformat(value.replace("Z", "+00:00")))
    except (ValueError, OverflowError) as exc:  # OverflowError: an offset that takes it past year 1 or 9999
        raise Invalide(message, code=code) from exc


def _device_time(value) -> str | None:
    _iso_datetime(value, "« device_time » doit être une date ISO 8601.")
    return value


def _seen_at(value, now: datetime, epreuve: Epreuve) -> datetime | None:
    """When the surveillant checked the candidat by eye while the tablet was offline: the tablet's clock set
    by the server's, in the server's local time (an offset-aware time is converted to it); between the
    accueil's opening of the épreuve and now."""
    seen = _iso_datetime(value, "« heure_constatee » doit être une date et heure ISO 8601.")
    if seen is None:
        return None
    if seen < epreuve.accueil_dt:
        raise Invalide(f"« heure_constatee » ({seen:%d/%m/%Y %H:%M}) est avant l'ouverture de l'accueil de "
                       f"l'épreuve {epreuve.code} ({epreuve.accueil_dt:%d/%m/%Y %H:%M}) : l'horloge de la tablette "
                       "est fausse. Rien n'est enregistré.", code="requete_invalide")
    if seen > now + timedelta(minutes=2):
        raise Invalide(f"« heure_constatee » ({seen:%H:%M}) est après l'heure du serveur ({now:%H:%M}) : l'horloge de "
                       "la tablette est fausse. Rien n'est enregistré.", code="requete_invalide")
    return seen


def _parse_new_time(value, epreuve: Epreuve) -> datetime:
    """« 09:15 », or an ISO date and time on the épreuve's day (an offset is converted to local time)."""
    message = "Nouvelle heure de fermeture invalide : attendu « 09:15 »."
    if isinstance(value, str):
        m = re.fullmatch(r"\s*(\d{1,2})\s*[:hH]\s*(\d{2})\s*", value)
        if m and int(m.group(1)) < 24 and int(m.group(2)) < 60:
            return epreuve.at(datetime.strptime(f"{m.group(1)}:{m.group(2)}", "%H:%M").time())
    when = _iso_datetime(value, message, code="heure_invalide")
    if when is None or when.date() != epreuve.date:
        raise Invalide(message + f" L'heure doit être le jour de l'épreuve ({epreuve.date:%d/%m/%Y}).",
                       code="heure_invalide")
    return when


def _without_staff(toml_text: str) -> str:
    """The session file as journaled: without the [[personnel]] tables, whose codes are kept only as keyed
    hashes in the staff table."""
    out, in_staff = [], False
    for line in toml_text.splitlines():
        stripped = line.strip()
        if stripped.startswith("["):
            in_staff = stripped == "[[personnel]]"
        if not in_staff:
            out.append(line)
    return "\n".join(out) + "\n"
