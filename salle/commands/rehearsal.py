"""The rehearsal clock: in a rehearsal (salle demo, a training day) an admin sets the time."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import Field

from ..errors import Interdit, Invalide
from .request import Request, iso_datetime


class ClockRequest(Request):
    maintenant: Annotated[Any, Field(json_schema_extra={"type": "string", "format": "date-time"},
                                     description="L'heure à régler, par exemple « 2027-03-18T08:40 »")] = None


def set_clock(day, caller, req: ClockRequest) -> datetime:
    """Rehearsal only: set the clock (ISO 8601; an offset is converted to the server's local time), on a day of
    the session or the rehearsal's own first day; journaled with the time before."""
    clock = day.clock
    if not clock.rehearsal:
        raise Interdit("L'horloge ne se règle qu'en mode répétition.", code="pas_en_repetition")
    when = iso_datetime(req.maintenant, "Heure invalide : attendu « 2027-03-18T08:40 ».", code="heure_invalide")
    if when is None:
        raise Invalide("Heure manquante : envoyez « maintenant », par exemple « 2027-03-18T08:40 ».",
                       code="heure_invalide")
    days = sorted({e.date for e in day.session.epreuves} | {getattr(clock, "first_day", None)} - {None})
    if when.date() not in days:
        allowed = ", ".join(d.strftime("%d/%m/%Y") for d in days)
        raise Invalide(f"L'horloge de répétition ne se règle que sur un jour de la session ou de la "
                       f"répétition ({allowed}) : le {when:%d/%m/%Y} est refusé. Rien n'a changé.",
                       code="heure_hors_session")
    before = clock.now()
    day.journal.write(lambda tx: tx.append("horloge_reglee", caller.actor,
                                           {"avant": before.isoformat(), "apres": when.isoformat()}))
    clock.set(when)
    return clock.now()
