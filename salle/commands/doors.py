"""The doors and the start of an épreuve, per site: the closing time moved or pronounced (R3), the ouverture
des sujets (R9), and the doorkeeper that closes the doors and ends the épreuve on time without anyone acting."""

from __future__ import annotations

import logging
import re
import threading
from datetime import datetime, timedelta
from typing import Annotated, Any

from pydantic import Field

from .. import rules
from ..errors import Invalide, SalleError
from ..journal import SYSTEM
from ..model import Epreuve
from ..state import queries
from ..state.queries import dt, iso
from .common import accepted, answer, fingerprint, refused, run
from .request import ClientId, Fr, Request, iso_datetime

log = logging.getLogger(__name__)


class MoveDoorsRequest(Request):
    client_id: ClientId
    heure: Annotated[Any, Field(json_schema_extra={"type": "string", "example": "09:15"},
                                description="Nouvelle heure de fermeture (« 09:15 », ou date et heure ISO)")] = None
    motif: Annotated[str | None, Field(description="Pourquoi l'heure change (consigné au procès-verbal)"), Fr(
        "Le motif doit être un texte de 200 caractères au plus.")] = None


class ClientIdRequest(Request):
    """A command with nothing to say but its client id."""

    client_id: ClientId


def new_closing_time(value, epreuve: Epreuve) -> datetime:
    """« 09:15 », or an ISO date and time on the épreuve's day (an offset is converted to local time)."""
    message = "Nouvelle heure de fermeture invalide : attendu « 09:15 »."
    if isinstance(value, str):
        m = re.fullmatch(r"\s*(\d{1,2})\s*[:hH]\s*(\d{2})\s*", value)
        if m and int(m.group(1)) < 24 and int(m.group(2)) < 60:
            return epreuve.at(datetime.strptime(f"{m.group(1)}:{m.group(2)}", "%H:%M").time())
    when = iso_datetime(value, message, code="heure_invalide")
    if when is None or when.date() != epreuve.date:
        raise Invalide(message + f" L'heure doit être le jour de l'épreuve ({epreuve.date:%d/%m/%Y}).",
                       code="heure_invalide")
    return when


def move_doors(day, caller, epreuve_code: str, site_code: str, req: MoveDoorsRequest) -> dict:
    """R3: the closing time moved before it passes, with a reason."""
    site = day.site_for(caller, site_code)
    epreuve = day.epreuve_for(epreuve_code)
    new_time = new_closing_time(req.heure, epreuve)
    motif = req.motif or ""
    if len(motif) > 200:  # a cell of the PV's table
        raise Invalide("Le motif doit être un texte de 200 caractères au plus.", code="requete_invalide")

    def decide(tx) -> dict:
        der = queries.deroulement(tx.db, epreuve.code, site.code)
        before = dt(der["doors_close_at"])
        verdict = rules.check_move_doors(before, dt(der.get("doors_closed_at")), new_time, motif, tx.now)
        if verdict.ok:
            tx.append("fermeture_deplacee", caller.actor,
                      {"avant": iso(before), "apres": iso(new_time), "motif": motif.strip()},
                      client_id=req.client_id, epreuve=epreuve.code, site=site.code)
        return answer(verdict, verdict.ok, portes=queries.doors(tx.db, epreuve, site.code))

    return run(day, req.client_id, fingerprint("move", e=epreuve.code, s=site.code, t=iso(new_time), m=motif), decide)


def close_doors(day, caller, epreuve_code: str, site_code: str, req: ClientIdRequest) -> dict:
    """R3: the responsable pronounces the closing now (or the doorkeeper at the set time: caller None)."""
    actor = caller.actor if caller else SYSTEM
    if caller:
        day.site_for(caller, site_code)
    epreuve = day.epreuve_for(epreuve_code)

    def decide(tx) -> dict:
        der = queries.deroulement(tx.db, epreuve.code, site_code)
        if der.get("doors_closed_at"):  # what was asked holds: said, nothing more recorded
            return {**accepted("portes_fermees", f"Portes déjà fermées à {rules.hhmm(dt(der['doors_closed_at']))}.",
                               "R3", portes=queries.doors(tx.db, epreuve, site_code)), "enregistre": False}
        tx.append("portes_fermees", actor, {"heure_prevue": der.get("doors_close_at"), "auto": caller is None},
                  client_id=req.client_id, epreuve=epreuve.code, site=site_code)
        return accepted("portes_fermees", "Portes fermées : plus aucun candidat n'est admis.", "R3",
                        portes=queries.doors(tx.db, epreuve, site_code))

    return run(day, req.client_id, fingerprint("close", e=epreuve.code, s=site_code), decide)


def start_epreuve(day, caller, epreuve_code: str, site_code: str, req: ClientIdRequest) -> dict:
    """R9: the ouverture des sujets, from which every timing of the épreuve runs."""
    site = day.site_for(caller, site_code)
    epreuve = day.epreuve_for(epreuve_code)

    def decide(tx) -> dict:
        der = queries.deroulement(tx.db, epreuve.code, site.code)
        if der.get("started_at"):
            return refused("deja_commencee", f"Le début de l'épreuve est déjà enregistré ({der['started_at'][11:16]}).",
                           "R9", debut=der["started_at"])
        tx.append("debut_epreuve", caller.actor, {}, client_id=req.client_id, epreuve=epreuve.code, site=site.code)
        return accepted("debut_enregistre", f"Ouverture des sujets enregistrée à {rules.hhmm(tx.now)}.", "R9",
                        debut=tx.now.isoformat(timespec="seconds"))

    return run(day, req.client_id, fingerprint("start", e=epreuve.code, s=site.code), decide)


# --- the doorkeeper ---------------------------------------------------------------------------------------


def tick(day) -> None:
    """Without anyone acting: close every door whose set time has come (R3), and record the end of each started
    épreuve at its recorded start + duration (R9; tiers-temps go on)."""
    now = day.clock.now()
    reseau = day.session.reseau
    for d in queries.doors_due(day.journal.reader(), now):
        e = day.session.epreuve(d["epreuve"])
        if e is not None and not e.written:  # R28: an oral has no doors to close; lateness is the jury's to judge
            continue
        if reseau is not None and d["site"] != reseau.site:  # each site's server closes its own doors (issue 15)
            continue
        close_doors(day, None, d["epreuve"], d["site"],
                    ClientIdRequest(client_id=f"auto:portes:{d['epreuve']}:{d['site']}"))
    for d in queries.started_not_ended(day.journal.reader()):
        epreuve = day.session.epreuve(d["epreuve"])
        if epreuve and now >= dt(d["started_at"]) + timedelta(minutes=epreuve.duration):
            _end_epreuve(day, epreuve, d["site"])


def _end_epreuve(day, epreuve: Epreuve, site: str) -> None:
    def decide(tx) -> dict:
        der = queries.deroulement(tx.db, epreuve.code, site)
        if not der.get("ended_at"):
            tx.append("fin_epreuve", SYSTEM, {"debut": der.get("started_at"), "duree": epreuve.duration},
                      epreuve=epreuve.code, site=site)
        return {"ok": True}

    day.journal.command(f"auto:fin:{epreuve.code}:{site}", {"op": "fin", "e": epreuve.code, "s": site}, decide)


def start_doorkeeper(day, period: float = 0.5) -> threading.Thread:
    """R3 depends on this thread: it ticks every `period` seconds until the day closes, whatever happens. A
    refusal that lasts (a standby not promoted, a main unsure of its standby) is logged once, not every tick."""

    def loop():
        refused = None  # the message of the refusal going on, logged when it began
        while not day.stopping.wait(period):
            try:
                tick(day)
            except SalleError as exc:  # e.g. the file is busy: try again at the next tick
                if exc.message != refused:
                    log.warning("doorkeeper: %s", exc.message)
                refused = exc.message
                continue
            except Exception:
                log.exception("doorkeeper")
            if refused is not None:
                log.warning("doorkeeper: les portes sont de nouveau tenues")
                refused = None

    thread = threading.Thread(target=loop, name="salle-doorkeeper", daemon=True)
    day.threads.append(thread)
    thread.start()
    return thread
