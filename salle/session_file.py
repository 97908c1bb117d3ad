"""Load and check the TOML session file that describes the exam day; errors name the wrong key, in French."""

from __future__ import annotations

import re
import tomllib
from datetime import date, datetime, time, timedelta
from pathlib import Path

from .errors import Invalide
from .model import ROLES, Concours, Epreuve, Salle, Session, Site, Staff


class SessionFileError(Invalide):
    code = "fichier_session_invalide"


def load_session(path: str | Path) -> Session:
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SessionFileError(f"Fichier de session illisible : {path} ({exc.strerror}).") from exc
    return parse_session(raw, name=path.name)


def parse_session(raw: bytes | str, name: str = "session.toml") -> Session:
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise SessionFileError(f"{name} : le fichier doit être enregistré en UTF-8.") from exc
    try:
        data = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as exc:
        raise SessionFileError(f"{name} : syntaxe TOML invalide ({_french_toml_error(exc)}).") from exc
    return _Reader(name).session(data)


def _french_toml_error(exc: tomllib.TOMLDecodeError) -> str:
    m = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
    return f"ligne {m.group(1)}, colonne {m.group(2)}" if m else str(exc)


class _Reader:
    """Reads one table after another, keeping the path of the key being read for messages."""

    def __init__(self, name: str):
        self.name = name

    def fail(self, where: str, what: str):
        raise SessionFileError(f"{self.name} : « {where} » : {what}.", data={"cle": where})

    def get(self, table: dict, key: str, where: str, kind, required=True, default=None):
        if key not in table:
            if required:
                self.fail(f"{where}.{key}" if where else key, "clé manquante")
            return default
        value = table[key]
        if kind is str:
            if not isinstance(value, str) or not value.strip():
                self.fail(f"{where}.{key}", "texte non vide attendu")
            return value.strip()
        if kind is int:
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                self.fail(f"{where}.{key}", f"nombre entier positif attendu, pas « {value} »")
            return value
        if kind is bool:
            if not isinstance(value, bool):
                self.fail(f"{where}.{key}", f"true ou false attendu, pas « {value} »")
            return value
        return kind(value, f"{where}.{key}")

    def date(self, value, where):
        if isinstance(value, date) and not isinstance(value, datetime):
            return value
        if isinstance(value, str):
            for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
                try:
                    return datetime.strptime(value.strip(), fmt).date()
                except ValueError:
                    pass
        self.fail(where, f"date attendue (2027-03-18 ou 18/03/2027), pas « {value} »")

    def time(self, value, where):
        if isinstance(value, time):
            return value
        if isinstance(value, str):
            m = re.fullmatch(r"\s*(\d{1,2})\s*[:hH]\s*(\d{2})\s*", value)
            if m and int(m.group(1)) < 24 and int(m.group(2)) < 60:
                return time(int(m.group(1)), int(m.group(2)))
        self.fail(where, f"heure attendue (09:00), pas « {value} »")

    def duration(self, value, where):
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            return value
        if isinstance(value, str):
            m = re.fullmatch(r"\s*(\d+)\s*h\s*(\d{0,2})\s*", value.lower())
            if m:
                minutes = int(m.group(1)) * 60 + int(m.group(2) or 0)
                if minutes > 0:
                    return minutes
            m = re.fullmatch(r"\s*(\d+)\s*(min)?\s*", value.lower())
            if m and int(m.group(1)) > 0:
                return int(m.group(1))
        self.fail(where, f"durée attendue en minutes ou « 3h », « 1h30 », pas « {value} »")

    def tables(self, data: dict, key: str) -> list[dict]:
        items = data.get(key)
        if not items:
            self.fail(key, f"au moins un élément [[{key}]] est attendu")
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            self.fail(key, f"tableau de tables [[{key}]] attendu")
        return items

    def session(self, data: dict) -> Session:
        if "concours" not in data or not isinstance(data["concours"], dict):
            self.fail("concours", "table [concours] manquante")
        concours = self.concours(data["concours"])
        epreuves = tuple(self.epreuve(t, f"epreuves[{i + 1}]") for i, t in enumerate(self.tables(data, "epreuves")))
        sites = tuple(self.site(t, f"sites[{i + 1}]") for i, t in enumerate(self.tables(data, "sites")))
        salles = tuple(self.salle(t, f"salles[{i + 1}]") for i, t in enumerate(self.tables(data, "salles")))
        staff = tuple(self.staff(t, f"personnel[{i + 1}]") for i, t in enumerate(data.get("personnel", [])))
        self.unique("epreuves", [e.code for e in epreuves])
        self.unique("sites", [s.code for s in sites])
        self.unique("salles", [s.code for s in salles])
        self.unique("personnel", [s.code for s in staff], what="code personnel")
        site_codes = {s.code for s in sites}
        salle_codes = {s.code for s in salles}
        for i, salle in enumerate(salles):
            if salle.site not in site_codes:
                self.fail(f"salles[{i + 1}].site", f"site « {salle.site} » inconnu (sites : {', '.join(sorted(site_codes))})")
        for i, person in enumerate(staff):
            if person.salle and person.salle not in salle_codes:
                self.fail(f"personnel[{i + 1}].salle", f"salle « {person.salle} » inconnue")
            if person.site and person.site not in site_codes:
                self.fail(f"personnel[{i + 1}].site", f"site « {person.site} » inconnu")
        return Session(concours, epreuves, sites, salles, staff)

    def unique(self, key, codes, what="code"):
        seen = set()
        for i, code in enumerate(codes):
            if code in seen:
                self.fail(f"{key}[{i + 1}].code", f"{what} « {code} » en double")
            seen.add(code)

    def concours(self, t: dict) -> Concours:
        pattern = self.get(t, "numero_pattern", "concours", str, required=False, default="")
        if pattern:
            try:
                re.compile(pattern)
            except re.error:
                self.fail("concours.numero_pattern", "expression régulière invalide")
        code_format = self.get(t, "code_format", "concours", str, required=False, default="{numero}")
        if "{numero}" not in code_format:
            self.fail("concours.code_format", "doit contenir {numero}")
        return Concours(
            code=self.get(t, "code", "concours", str),
            label=self.get(t, "label", "concours", str),
            session=str(t.get("session", "")),
            organisateur=str(t.get("organisateur", "")),
            numero_pattern=pattern,
            code_format=code_format,
        )

    def epreuve(self, t: dict, where: str) -> Epreuve:
        start = self.get(t, "start", where, self.time)
        day = self.get(t, "date", where, self.date)
        duration = self.get(t, "duration", where, self.duration)
        doors_close = self.get(t, "doors_close", where, self.time, required=False, default=start)
        start_dt = datetime.combine(day, start)
        convocation = self.get(
            t, "convocation", where, self.time, required=False, default=(start_dt - timedelta(minutes=30)).time()
        )
        accueil = self.get(t, "accueil", where, self.time, required=False, default=convocation)
        kind = self.get(t, "kind", where, str, required=False, default="ecrit")
        if kind not in ("ecrit", "oral"):
            self.fail(f"{where}.kind", f"« ecrit » ou « oral » attendu, pas « {kind} »")
        if kind == "ecrit" and datetime.combine(day, convocation) > start_dt - timedelta(minutes=30):
            # R2: « convoqués au moins une demi-heure avant le démarrage de la première épreuve écrite »
            self.fail(f"{where}.convocation", "les candidats sont convoqués au moins 30 minutes avant le début (R2)")
        if datetime.combine(day, doors_close) > start_dt + timedelta(minutes=duration):
            self.fail(f"{where}.doors_close", "la fermeture des portes doit précéder la fin de l'épreuve")
        if accueil > convocation:
            self.fail(f"{where}.accueil", "l'accueil ouvre au plus tard à l'heure de convocation")
        return Epreuve(
            code=self.get(t, "code", where, str),
            label=self.get(t, "label", where, str),
            date=day,
            start=start,
            duration=duration,
            doors_close=doors_close,
            accueil=accueil,
            convocation=convocation,
            kind=kind,
            sujet_commun=self.get(t, "sujet_commun", where, bool, required=False, default=False),
            materiel=self.materiel(t, where),
        )

    def materiel(self, t: dict, where: str) -> tuple[str, ...] | None:
        """The material the candidats may use (seed 004: « dont la liste leur a été communiquée dans leur
        convocation »): a list of short texts; required only to write the convocations."""
        if "materiel" not in t:
            return None
        items = t["materiel"]
        if not isinstance(items, list) or not all(isinstance(i, str) and i.strip() and len(i) <= 200 for i in items):
            self.fail(f"{where}.materiel", "liste de textes attendue, par exemple [\"stylo à bille noir\"]")
        return tuple(i.strip() for i in items)

    def site(self, t: dict, where: str) -> Site:
        return Site(
            code=self.get(t, "code", where, str),
            name=self.get(t, "name", where, str),
            address=self.get(t, "address", where, str),
        )

    def salle(self, t: dict, where: str) -> Salle:
        rows = self.get(t, "rows", where, int)
        columns = self.get(t, "columns", where, int)
        capacity = self.get(t, "capacity", where, int, required=False, default=rows * columns)
        if capacity > rows * columns:
            self.fail(f"{where}.capacity", f"{capacity} places pour un plan de {rows} × {columns}")
        return Salle(
            code=self.get(t, "code", where, str),
            site=self.get(t, "site", where, str),
            capacity=capacity,
            rows=rows,
            columns=columns,
            label=self.get(t, "label", where, str, required=False, default=""),
            access=self.get(t, "access", where, str, required=False, default=""),
        )

    def staff(self, t: dict, where: str) -> Staff:
        role = self.get(t, "role", where, str)
        if role not in ROLES:
            self.fail(f"{where}.role", f"rôle « {role} » inconnu (rôles : {', '.join(ROLES)})")
        code = str(t.get("code", "")).strip()
        if not re.fullmatch(r"[0-9]{8,32}", code):  # typed on numeric keypads; 8 digits at least (issue 16)
            self.fail(f"{where}.code", "code personnel de 8 à 32 chiffres attendu")
        salle = self.get(t, "salle", where, str, required=role == "surveillant")
        site = self.get(t, "site", where, str, required=role in ("responsable", "kiosk"))
        return Staff(name=self.get(t, "name", where, str), role=role, code=code, salle=salle, site=site)
