"""The exam day as plain data: concours, épreuves, sites, salles, staff and candidats."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from fractions import Fraction
from urllib.parse import urlsplit

ROLES = ("admin", "responsable", "surveillant", "kiosk", "jury", "affichage")  # affichage: the waiting room's TV
PIECES_IDENTITE = {
    "cni": "carte nationale d'identité",
    "passeport": "passeport",
    "permis": "permis de conduire",
    "titre_sejour": "titre de séjour",
    "aucune": "aucune pièce d'identité",
}


@dataclass(frozen=True)
class Concours:
    code: str
    label: str
    session: str = ""
    organisateur: str = ""
    numero_pattern: str = ""  # regex a numéro d'inscription must match, empty = any
    code_format: str = "{numero}"  # what the convocation barcode carries

    def payload(self, numero: str) -> str:
        """What a convocation's barcode carries (the original and the borne's replacement alike)."""
        return self.code_format.replace("{numero}", numero)


@dataclass(frozen=True)
class Epreuve:
    code: str
    label: str
    date: date
    start: time
    duration: int  # minutes
    doors_close: time
    accueil: time
    convocation: time
    kind: str = "ecrit"  # "ecrit" or "oral"
    sujet_commun: bool = False
    materiel: tuple[str, ...] | None = None  # authorised material, as the convocation lists it (None: not given)
    # An oral (seed 004, « épreuves orales »): start and duration span its passages; each candidat has their own.
    preparation: int = 0  # minutes of preparation after the tirage au sort (0: no preparation)
    passage: int = 0  # minutes before the jury
    sujets: tuple[int, ...] = ()  # the subjects' numbers, drawn by lot (R30); never their text
    salles_preparation: tuple[str, ...] = ()
    last_date: date | None = None  # the orals' last day (the date when None)

    def at(self, t: time) -> datetime:
        return datetime.combine(self.date, t)

    @property
    def start_dt(self) -> datetime:
        return self.at(self.start)

    @property
    def end_dt(self) -> datetime:
        return self.start_dt + timedelta(minutes=self.duration)

    @property
    def doors_close_dt(self) -> datetime:
        return self.at(self.doors_close)

    @property
    def accueil_dt(self) -> datetime:
        return self.at(self.accueil)

    @property
    def convocation_dt(self) -> datetime:
        return self.at(self.convocation)

    @property
    def written(self) -> bool:
        return self.kind == "ecrit"

    @property
    def dates(self) -> tuple[date, date]:
        """The first and last day of the épreuve (an oral may run over several days)."""
        return self.date, self.last_date or self.date


@dataclass(frozen=True)
class Site:
    code: str
    name: str
    address: str


@dataclass(frozen=True)
class Reseau:
    """The session file's [reseau]: this server's site and its own NATS server (issue 15, salle/reseau/)."""

    site: str
    nats: str  # the site's NATS server, e.g. nats://127.0.0.1:4222
    demarrer: bool = False  # Salle starts that nats-server itself, on the laptop whose address `nats` names
    siege: str | None = None  # the siège's leaf-node address (nats-leaf://hôte:7422), for the started server
    secours: str | None = None  # the site's standby laptop (http://hôte:port): the tablets move there by themselves
    acquittement: str = "local"  # "secours": a write is answered once the standby holds it too

    @property
    def nats_host(self) -> str:
        return urlsplit(self.nats).hostname or ""

    @property
    def nats_port(self) -> int:
        return urlsplit(self.nats).port or 4222

    @property
    def nats_shared(self) -> bool:
        """Whether the site's nats-server is reached over the network (the standby's or a third box's address),
        not on this laptop alone: it then asks a password (`<site>-nats.secret`)."""
        return self.nats_host not in ("127.0.0.1", "localhost", "::1")


@dataclass(frozen=True)
class Salle:
    code: str
    site: str
    capacity: int
    rows: int
    columns: int
    label: str = ""
    access: str = ""  # how to get there: "bâtiment B, 1er étage"

    @property
    def seats(self) -> list[str]:
        """Seat names in filling order: row letter then column number (A1, A2, … B1 …)."""
        return [seat_name(r, c) for r in range(self.rows) for c in range(self.columns)][: self.capacity]

    @property
    def display(self) -> str:
        return self.label or f"Salle {self.code}"


def seat_name(row: int, column: int) -> str:
    letters = ""
    row += 1
    while row:
        row, rem = divmod(row - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{column + 1}"


@dataclass(frozen=True)
class Staff:
    name: str
    role: str
    code: str
    salle: str | None = None
    site: str | None = None
    jury: str | None = None  # role jury: the jury they sit on


@dataclass(frozen=True)
class Jury:
    """A jury of an oral épreuve: where it sits and who is on it."""

    code: str
    epreuve: str
    name: str
    salle: str
    membres: tuple[str, ...] = ()
    horaires: tuple[tuple[time, time], ...] = ()  # its hours each day of the orals; the gaps are its breaks
    auditeurs_max: int | None = None  # R29: how many auditeurs at once the jury admits (None: no limit set)
    horaires_jour: tuple[tuple[date, tuple[tuple[time, time], ...]], ...] = ()  # a day's own hours (none: off)

    def hours_on(self, day: date) -> tuple[tuple[time, time], ...] | None:
        """Its hours on `day`: that day's own when given, else its usual ones (None: none given at all)."""
        own = dict(self.horaires_jour)
        if day in own:
            return own[day]
        return self.horaires or None


@dataclass(frozen=True)
class Passage:
    """A candidat's passage at an oral (R28: « le jour et à l'heure figurant sur sa convocation »): `at` is the
    time they are convoked, the tirage au sort; the preparation follows, then the passage before the jury."""

    numero: str
    epreuve: str
    jury: str
    at: datetime


@dataclass(frozen=True)
class Session:
    concours: Concours
    epreuves: tuple[Epreuve, ...]
    sites: tuple[Site, ...]
    salles: tuple[Salle, ...]
    staff: tuple[Staff, ...] = field(default=())
    jurys: tuple[Jury, ...] = field(default=())
    passages: tuple[Passage, ...] = field(default=())  # planned in the session file (the CSV import may add)
    reseau: Reseau | None = None

    def epreuve(self, code: str) -> Epreuve | None:
        return next((e for e in self.epreuves if e.code == code), None)

    def jury(self, code: str) -> Jury | None:
        return next((j for j in self.jurys if j.code == code), None)

    def jurys_of(self, epreuve: str) -> list[Jury]:
        return [j for j in self.jurys if j.epreuve == epreuve]

    def oral_rooms(self, epreuve: Epreuve) -> set[str]:
        """The salles an oral uses: its preparation rooms (the waiting room among them) and its juries' rooms."""
        return {*epreuve.salles_preparation, *(j.salle for j in self.jurys_of(epreuve.code))}

    def site(self, code: str) -> Site | None:
        return next((s for s in self.sites if s.code == code), None)

    def salle(self, code: str) -> Salle | None:
        return next((s for s in self.salles if s.code == code), None)

    def salles_of(self, site: str) -> list[Salle]:
        return [s for s in self.salles if s.site == site]


@dataclass(frozen=True)
class TempsMajore:
    """R24: extra time granted beforehand (« adaptation de la durée »), a fraction of the épreuve's duration or a
    number of minutes."""

    fraction: Fraction | None = None
    minutes: int = 0

    def minutes_for(self, duration: int) -> int:
        """The extra minutes on an épreuve (or a preparation, a passage) of `duration` minutes, rounded up."""
        return math.ceil(duration * self.fraction) if self.fraction is not None else self.minutes

    @property
    def text(self) -> str:
        """As the import reads it back: « 1/3 », « 20 min »."""
        if self.fraction is not None:
            return f"{self.fraction.numerator}/{self.fraction.denominator}"
        return f"{self.minutes} min"

    @property
    def label(self) -> str:
        """As a person reads it: « tiers-temps », « 1/4 de temps », « 20 min »."""
        if self.fraction == Fraction(1, 3):
            return "tiers-temps"
        return f"{self.text} de temps" if self.fraction is not None else f"{self.minutes} min"


TIERS_TEMPS = TempsMajore(Fraction(1, 3))
YES = {"oui", "o", "x", "1", "vrai", "yes", "true"}
NO = {"", "non", "n", "0", "faux", "no", "false"}
MAX_MAJORATION_MINUTES = 600
_MINUTES = re.compile(r"(?:(\d{1,3})\s*h\s*(\d{1,2})?|(\d{1,3})\s*(?:min|mn|minutes?|m)\.?)")


def parse_temps_majore(text: str) -> TempsMajore | None:
    """One figure of extra time as registration systems write it: « oui » (a third, the tiers-temps), « non »,
    « 1/3 », « 1/4 », « 20 min », « 1 h », « 1 h 30 ». ValueError on anything else (the caller says where)."""
    t = (text or "").strip().lower().replace("\u00a0", " ")
    if t in NO:
        return None
    if t in YES or t in ("tiers-temps", "tiers temps", "tiers"):
        return TIERS_TEMPS
    m = re.fullmatch(r"(\d{1,2})\s*/\s*(\d{1,2})", t)
    if m:
        num, den = int(m.group(1)), int(m.group(2))
        if num == 0 or den == 0 or Fraction(num, den) > 1:
            raise ValueError(t)
        return TempsMajore(Fraction(num, den))
    m = _MINUTES.fullmatch(t)
    if m:
        minutes = int(m.group(3)) if m.group(3) else int(m.group(1)) * 60 + int(m.group(2) or 0)
        if not 0 < minutes <= MAX_MAJORATION_MINUTES:
            raise ValueError(t)
        return TempsMajore(minutes=minutes)
    raise ValueError(t)


def parse_temps_majores(text: str, epreuves=()) -> tuple[tuple[str, TempsMajore], ...]:
    """A candidat's extra time, per épreuve: one figure for every épreuve (« 1/3 »), or « E1: 1/3 ; E2: 20 min »
    (`epreuves`: the known codes, when given). ValueError naming what is wrong (in French)."""
    t = (text or "").strip()
    if ":" not in t and "=" not in t:
        one = parse_temps_majore(t)
        return (("", one),) if one else ()
    out = []
    for part in (p.strip() for p in re.split(r"[;,|]", t) if p.strip()):
        code, sep, figure = part.replace("=", ":").partition(":")
        code = code.strip()
        if not sep or not code or (epreuves and code not in epreuves):
            raise ValueError(part)
        one = parse_temps_majore(figure)
        if one and code not in dict(out):
            out.append((code, one))
    return tuple(out)


def temps_majores_text(majorations: tuple[tuple[str, TempsMajore], ...]) -> str:
    """The stored form, read back by parse_temps_majores: « 1/3 », or « E1: 1/3 ; E2: 20 min »."""
    if len(majorations) == 1 and majorations[0][0] == "":
        return majorations[0][1].text
    return " ; ".join(f"{code}: {t.text}" for code, t in majorations)


@dataclass(frozen=True)
class Candidat:
    numero: str
    nom: str
    prenom: str
    date_naissance: date
    site: str
    salle: str
    place: str
    nom_naissance: str = ""
    tiers_temps: bool = False  # R24, the older yes/no: a third of each épreuve's duration, unless temps_majore says
    pieces_manquantes: str = ""
    epreuves: tuple[str, ...] = ()  # empty = every épreuve of the concours
    amenagements: str = ""  # human or technical aids, a separate room: shown to the surveillant and the jury
    temps_majore: tuple[tuple[str, TempsMajore], ...] = ()  # R24, per épreuve code ("" = every épreuve)

    def convoque(self, epreuve: str) -> bool:
        return not self.epreuves or epreuve in self.epreuves

    def majoration(self, epreuve: str) -> TempsMajore | None:
        """R24: this candidat's extra time at an épreuve, from the file only."""
        given = dict(self.temps_majore)
        if given:
            return given.get(epreuve, given.get(""))
        return TIERS_TEMPS if self.tiers_temps else None

    @property
    def amenagements_detail(self):
        """R24: the aids and rooms granted, in their kinds (salle.amenagements); a day file's older free text kept."""
        from .amenagements import parse

        return parse(self.amenagements, strict=False)

    @property
    def temps_majore_any(self) -> bool:
        return bool(self.temps_majore) or self.tiers_temps

    @property
    def display_name(self) -> str:
        return f"{self.nom.upper()} {self.prenom}"
