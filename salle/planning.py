"""Oral passages in time: each candidat's tirage au sort, preparation and passage before the jury, and the checks
of a planning (no jury with two candidats at once, no candidat before two jurys at once, never more candidats
preparing than the preparation rooms' seats). Pure functions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from .model import Epreuve, Jury, Passage, TempsMajore
from .rules import hhmm, oral_extra


@dataclass(frozen=True)
class Slot:
    """A passage laid out: convoked (and drawing) at `convoque`, before the jury from `debut` to `fin`."""

    numero: str
    epreuve: str
    jury: str
    convoque: datetime
    debut: datetime
    fin: datetime

    @property
    def window(self) -> str:
        return f"{hhmm(self.convoque)}–{hhmm(self.fin)}"


def slot(epreuve: Epreuve, p: Passage, temps: TempsMajore | None = None) -> Slot:
    """The planned passage: preparation from the convocation time, then the passage (both with the aménagement)."""
    prep, extra = oral_extra(epreuve, temps)
    debut = p.at + timedelta(minutes=epreuve.preparation + prep)
    return Slot(p.numero, p.epreuve, p.jury, p.at, debut, debut + timedelta(minutes=epreuve.passage + extra))


def conflicts(slots: list[Slot], where=lambda s: s.numero) -> list[str]:
    """French lines naming each jury with two candidats at once (their passages overlap) and each candidat
    convoked twice at once (from one convocation to the end of the passage); `where(slot)` names a slot's
    origin (a line of the file, a numéro)."""
    out = []
    by_jury: dict[str, list[Slot]] = {}
    by_candidat: dict[str, list[Slot]] = {}
    for s in slots:
        by_jury.setdefault(s.jury, []).append(s)
        by_candidat.setdefault(s.numero, []).append(s)
    for jury, found in by_jury.items():
        found.sort(key=lambda s: s.debut)
        for a, b in zip(found, found[1:]):
            if b.debut < a.fin:
                out.append(f"{where(b)} : le jury {jury} a déjà {a.numero} de {hhmm(a.debut)} à {hhmm(a.fin)} "
                           f"({where(a)}), passage de {b.numero} à {hhmm(b.debut)}")
    for numero, found in by_candidat.items():
        found.sort(key=lambda s: s.convoque)
        for a, b in zip(found, found[1:]):
            if b.convoque < a.fin:
                out.append(f"{where(b)} : {numero} est déjà convoqué(e) {a.window} ({a.epreuve}, jury {a.jury})")
    return out


def preparing_at_once(slots: list[Slot]) -> int:
    """The most candidats preparing at the same time (from their convocation to their passage)."""
    edges = sorted([(s.convoque, 1) for s in slots if s.convoque < s.debut]
                   + [(s.debut, -1) for s in slots if s.convoque < s.debut])
    most = now = 0
    for _, step in edges:  # at the same minute an end (-1) comes before a start (+1): a seat freed is reused
        now += step
        most = max(most, now)
    return most


# --- `salle planning`: the passages laid out from the candidats and the jurys' hours ---------------------------


def windows(epreuve: Epreuve, jury: Jury) -> list[tuple[datetime, datetime]]:
    """A jury's working hours over the orals' days: each day's own (`horaires_jour`), else its `horaires`, else
    the épreuve's span."""
    span = ((epreuve.start, (epreuve.start_dt + timedelta(minutes=epreuve.duration)).time()),)
    first, last = epreuve.dates
    out = []
    for n in range((last - first).days + 1):
        day = first + timedelta(days=n)
        hours = jury.hours_on(day)
        out.extend((datetime.combine(day, a), datetime.combine(day, b)) for a, b in (span if hours is None else hours))
    return out


def plan(epreuve: Epreuve, jurys: list[Jury], candidats: list[tuple[str, TempsMajore | None]],
         fixed: list[Slot] = (), places_preparation: int | None = None) -> tuple[list[Passage], list[str]]:
    """Each candidat (in the order given) before the jury free the soonest (ties: the one with fewest passages, so
    the juries stay balanced), their passage within the jury's hours, lengthened by their aménagement (R24), and
    convoked for the tirage and the preparation before it. One passage per candidat: none is at two juries at once.
    `places_preparation`: the seats of the preparation rooms — never more candidats preparing at once (from their
    convocation to their passage); a passage waits for a seat. `fixed`: passages already planned (the session
    file's), kept, their time and their seat taken. Returns the passages and the numéros left without a place."""
    free = {j.code: windows(epreuve, j) for j in jurys}  # each jury's remaining hours, the first one in use
    count = {j.code: 0 for j in jurys}
    seats = Seats(epreuve, places_preparation)
    for s in fixed:
        seats.take(s.convoque, s.debut)
        if s.jury in free:
            free[s.jury] = _block(free[s.jury], s.debut, s.fin)
            count[s.jury] += 1
    placed, unplaced = [], []
    for numero, temps in candidats:
        prep, extra = oral_extra(epreuve, temps)
        length = timedelta(minutes=epreuve.passage + extra)
        before = timedelta(minutes=epreuve.preparation + prep)
        best = None
        for j in jurys:
            start = _first_fit(free[j.code], length, before, seats)
            if start is not None and (best is None or (start, count[j.code]) < (best[0], count[best[1]])):
                best = (start, j.code)
        if best is None:
            unplaced.append(numero)
            continue
        start, code = best
        _take(free[code], start, start + length)
        seats.take(start - before, start)
        count[code] += 1
        placed.append(Passage(numero, epreuve.code, code, start - before))
    return placed, unplaced


class Seats:
    """The preparation rooms' seats minute by minute over the orals' days: how many candidats prepare at once."""

    def __init__(self, epreuve: Epreuve, places: int | None):
        self.places = places
        self.origin = datetime.combine(epreuve.dates[0], datetime.min.time())
        self.used = [0] * (((epreuve.dates[1] - epreuve.dates[0]).days + 1) * 1440)

    def _minutes(self, start: datetime, end: datetime) -> range:
        first = max(0, int((start - self.origin).total_seconds() // 60))
        last = min(len(self.used), -int(-(end - self.origin).total_seconds() // 60))
        return range(first, last)

    def full_until(self, start: datetime, end: datetime) -> datetime | None:
        """None when a seat is free all along [start, end); else the end of the last full minute in it."""
        if self.places is None:
            return None
        full = [m for m in self._minutes(start, end) if self.used[m] >= self.places]
        return self.origin + timedelta(minutes=full[-1] + 1) if full else None

    def take(self, start: datetime, end: datetime) -> None:
        for m in self._minutes(start, end):
            self.used[m] += 1


def _block(hours: list[tuple[datetime, datetime]], start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """The hours without [start, end)."""
    out = []
    for a, b in hours:
        if b <= start or end <= a:
            out.append((a, b))
            continue
        if a < start:
            out.append((a, start))
        if end < b:
            out.append((end, b))
    return out


def _first_fit(hours: list[tuple[datetime, datetime]], length: timedelta, before: timedelta,
               seats: Seats) -> datetime | None:
    """The soonest start in the jury's hours for a passage of `length` whose preparation (`before` it) finds a
    seat all along: when a minute of it is full, the start moves to just after that minute's preparation."""
    for a, b in hours:
        start = a
        while start + length <= b:
            full = seats.full_until(start - before, start)
            if full is None:
                return start
            start = full + before
    return None


def _take(hours: list[tuple[datetime, datetime]], start: datetime, until: datetime) -> None:
    """The jury is busy from `start` until `until`: the hours lose that time (a gap before it stays usable for a
    shorter passage)."""
    hours[:] = _block(hours, start, until)
