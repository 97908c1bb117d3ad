"""The exam day as plain data: concours, épreuves, sites, salles, staff and candidats."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

ROLES = ("admin", "responsable", "surveillant", "kiosk")
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


@dataclass(frozen=True)
class Site:
    code: str
    name: str
    address: str


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


@dataclass(frozen=True)
class Session:
    concours: Concours
    epreuves: tuple[Epreuve, ...]
    sites: tuple[Site, ...]
    salles: tuple[Salle, ...]
    staff: tuple[Staff, ...] = field(default=())

    def epreuve(self, code: str) -> Epreuve | None:
        return next((e for e in self.epreuves if e.code == code), None)

    def site(self, code: str) -> Site | None:
        return next((s for s in self.sites if s.code == code), None)

    def salle(self, code: str) -> Salle | None:
        return next((s for s in self.salles if s.code == code), None)

    def salles_of(self, site: str) -> list[Salle]:
        return [s for s in self.salles if s.site == site]


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
    tiers_temps: bool = False  # R24: a third of each épreuve's duration added, from the file only
    pieces_manquantes: str = ""
    epreuves: tuple[str, ...] = ()  # empty = every épreuve of the concours
    amenagements: str = ""

    def convoque(self, epreuve: str) -> bool:
        return not self.epreuves or epreuve in self.epreuves

    @property
    def display_name(self) -> str:
        return f"{self.nom.upper()} {self.prenom}"
