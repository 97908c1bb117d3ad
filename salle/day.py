"""The exam day: one SQLite file holding the session, the journal and the state, and one clock.

ExamDay is what every command, read and page is given: the session (cached, reloaded when the journal says it
changed), the journal, the clock, and who may reach what (the signed-in staff, R27). The commands themselves
are in salle.commands, the reads in salle.state.queries.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from . import rules
from .errors import Conflit, Interdit, Introuvable, NonAutorise
from .journal import SYSTEM, Actor, Journal
from .model import Epreuve, Salle, Session
from .session_file import parse_session
from .state import ensure_state_schema, project
from .state import queries
from .state.queries import iso


@dataclass(frozen=True)
class Caller:
    """A signed-in person (or device) and what they may reach."""

    actor: Actor
    role: str
    salle: str | None = None
    site: str | None = None
    token_hash: str | None = None  # the sign-in this request came with (None for devices and the system)
    signed_in_on: str | None = None  # the day of that sign-in (ISO date): the token ends with that day
    jury: str | None = None  # role jury: the jury they sit on


def signed_out(caller: Caller, payload: dict) -> bool:
    """Whether a « deconnexion » (this token) or « jetons_revoques » (all of a person's) event ends `caller`."""
    return caller.token_hash == payload.get("token_hash") or caller.actor.id == payload.get("personnel")


class ExamDay:
    """One SQLite file holding the session, the journal and the state; one clock."""

    def __init__(self, db_path: str | Path, clock):
        self.db_path = Path(db_path)
        self.clock = clock
        self.journal = Journal(self.db_path, clock, projector=project)
        self.journal.prepare(ensure_state_schema)
        self._session: Session | None = None
        self._callers: dict[str, Caller] = {}
        self.seen: dict[str, float] = {}  # token hash → its last request (time.monotonic), for the idle expiry
        self.token_idle_minutes = 240.0  # create_app: TOKEN_IDLE_MINUTES
        self.signin_alert_after = 5  # failed sign-ins from one address within an hour: console alert
        self.signin_lock_after = 5  # … after which a right code from that address is locked
        self._revocations = 0  # sign-outs committed so far (see authenticate)
        self.journal.subscribe(self._after_commit)
        self._secret = self.journal.prepare(self._load_secret)
        self.stopping = threading.Event()  # set by close(): the day's own threads (the doorkeeper) end
        self.threads: list[threading.Thread] = []  # … and are joined before the journal closes
        self.other_sites = None  # with [reseau]: the other sites' entries as read (salle/reseau/autres_sites.py)
        self.journal.own_site = self._own_site

    # --- setting up ------------------------------------------------------------------------------

    @staticmethod
    def _load_secret(db) -> bytes:
        """The key that hashes staff codes: local to this file, outside the journal and the derived state."""
        db.execute("CREATE TABLE IF NOT EXISTS local_secret (id INTEGER PRIMARY KEY CHECK (id = 1), value TEXT)")
        db.execute("INSERT OR IGNORE INTO local_secret (id, value) VALUES (1, ?)", [secrets.token_hex(32)])
        return bytes.fromhex(db.execute("SELECT value FROM local_secret").fetchone()[0])

    @staticmethod
    def token_hash(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    def code_hash(self, code: str) -> str:
        return hmac.new(self._secret, code.strip().encode(), hashlib.sha256).hexdigest()

    def load_session(self, toml_text: str, actor: Actor = SYSTEM) -> Session:
        """Journal the session file (staff codes only as keyed hashes); a reload keeps door times already moved."""
        session = parse_session(toml_text)
        staff = [
            {"id": f"P{i + 1:03d}", "name": s.name, "role": s.role, "salle": s.salle,
             "site": s.site or (session.salle(s.salle).site if s.salle else None), "code_hash": self.code_hash(s.code),
             **({"jury": s.jury, "salle": session.jury(s.jury).salle,
                 "site": session.salle(session.jury(s.jury).salle).site} if s.jury else {})}
            for i, s in enumerate(session.staff)
        ]
        deroulement = [{"epreuve": e.code, "site": s.code, "doors_close_at": iso(e.doors_close_dt)}
                       for e in session.epreuves for s in session.sites]
        payload = {"session_toml": _without_staff(toml_text), "staff": staff, "deroulement": deroulement}
        self.journal.write(lambda tx: tx.append("session_chargee", actor, payload))
        return self.session

    def _own_site(self) -> str | None:
        """With [reseau], this server's site: the only one its events may name (the others have their own)."""
        try:
            reseau = self.session.reseau
        except Conflit:  # no session yet
            return None
        return reseau.site if reseau is not None else None

    @property
    def session(self) -> Session:
        session = self._session
        if session is None:
            toml_text = queries.session_toml(self.journal.reader())
            if toml_text is None:
                raise Conflit("Aucune session chargée : lancez d'abord « salle init SESSION.toml ».",
                              code="pas_de_session")
            session = self._session = parse_session(toml_text)
        return session

    def _after_commit(self, events: list[dict]) -> None:
        """Before the callers are answered: a new session empties the caches; revoked sign-ins leave them (and
        nothing read before the commit comes back, see authenticate)."""
        for event in events:
            if event["type"] == "session_chargee":
                self._session = None
                self._callers.clear()
            elif event["type"] in ("deconnexion", "jetons_revoques"):
                self._revocations += 1
                payload = json.loads(event["payload"])
                for key, caller in list(self._callers.items()):
                    if signed_out(caller, payload):
                        self._callers.pop(key, None)

    # --- who is asking -----------------------------------------------------------------------------

    def authenticate(self, token: str | None) -> Caller:
        if not token:
            raise NonAutorise("Connectez-vous avec votre code personnel.", code="non_authentifie")
        key = self.token_hash(token)
        caller = self._callers.get(key)
        if caller is None:
            generation = self._revocations
            row = queries.signed_in(self.journal.reader(), key)
            if row is None:
                raise NonAutorise("Session expirée ou inconnue : reconnectez-vous avec votre code personnel.",
                                  code="jeton_invalide")
            actor = Actor(id=row["id"], role=row["role"], device=row["device"] or "", name=row["name"])
            caller = Caller(actor=actor, role=row["role"], salle=row["salle"], site=row["site"], token_hash=key,
                            signed_in_on=(row["created_at"] or "")[:10], jury=row.get("jury"))
            if generation == self._revocations:  # no sign-out committed meanwhile: what was read is still true
                self._callers[key] = caller
        self._check_not_expired(caller)
        return caller

    def _check_not_expired(self, caller: Caller) -> None:
        """A token ends with the day it was made on (the day's clock), and after `token_idle_minutes` (real
        minutes) without a request; then a French 401 sends the device back to the sign-in."""
        seen, now = self.seen.get(caller.token_hash), time.monotonic()
        if caller.signed_in_on and caller.signed_in_on < self.clock.now().date().isoformat():
            raise NonAutorise("Session terminée : une connexion vaut pour la journée. Reconnectez-vous avec votre "
                              "code personnel.", code="jeton_expire")
        if seen is not None and now - seen > self.token_idle_minutes * 60:
            raise NonAutorise(f"Session expirée après {self.token_idle_minutes:g} min sans activité : "
                              "reconnectez-vous avec votre code personnel.", code="jeton_expire")
        self.seen[caller.token_hash] = now

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

    def epreuve_for(self, code: str | None, now: datetime | None = None, salle: str | None = None) -> Epreuve:
        """The épreuve named, or the one of now (in progress, or next today) — at `salle` when given: an oral's
        rooms work for the oral once its accueil has opened, the other salles for the written épreuves, so a
        written and an oral épreuve may run the same afternoon."""
        if code:
            epreuve = self.session.epreuve(code)
            if epreuve is None:
                raise Introuvable(f"Épreuve « {code} » inconnue.", code="epreuve_inconnue")
            return epreuve
        now = now or self.clock.now()
        epreuves = self.session.epreuves
        if salle is not None:
            orals = [e for e in epreuves if not e.written and salle in self.session.oral_rooms(e)]
            oral = rules.current_epreuve(orals, now) if orals else None
            if oral is not None and datetime.combine(now.date(), oral.accueil) <= now:
                return oral
            written = [e for e in epreuves if e.written]
            epreuves = written if written and any(e.date == now.date() for e in written) else epreuves
        epreuve = rules.current_epreuve(epreuves, now)
        if epreuve is None:
            raise Conflit("Aucune épreuve en cours ou à venir aujourd'hui.", code="pas_d_epreuve")
        return epreuve

    def close(self) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=5)
        self.journal.close()


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
