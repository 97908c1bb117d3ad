"""Load and check the TOML session file that describes the exam day; errors name the wrong key, in French."""

from __future__ import annotations

import re
import tomllib
from datetime import date, datetime, time, timedelta
from pathlib import Path

from .errors import Invalide
from . import planning
from .model import ROLES, Concours, Epreuve, Jury, Passage, Reseau, Salle, Session, Site, Staff


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
        jurys = tuple(self.jury(t, f"jurys[{i + 1}]") for i, t in enumerate(self.optional_tables(data, "jurys")))
        passages = tuple(self.passage(t, f"passages[{i + 1}]")
                         for i, t in enumerate(self.optional_tables(data, "passages")))
        self.unique("epreuves", [e.code for e in epreuves])
        self.unique("sites", [s.code for s in sites])
        self.unique("salles", [s.code for s in salles])
        self.unique("personnel", [s.code for s in staff], what="code personnel")
        site_codes = {s.code for s in sites}
        salle_codes = {s.code for s in salles}
        for i, salle in enumerate(salles):
            if salle.site not in site_codes:
                self.fail(f"salles[{i + 1}].site",
                          f"site « {salle.site} » inconnu (sites : {', '.join(sorted(site_codes))})")
        for i, person in enumerate(staff):
            if person.salle and person.salle not in salle_codes:
                self.fail(f"personnel[{i + 1}].salle", f"salle « {person.salle} » inconnue")
            if person.site and person.site not in site_codes:
                self.fail(f"personnel[{i + 1}].site", f"site « {person.site} » inconnu")
        reseau = self.reseau(data["reseau"], site_codes) if "reseau" in data else None
        session = Session(concours, epreuves, sites, salles, staff, jurys, passages, reseau)
        self.orals(session)
        return session

    def optional_tables(self, data: dict, key: str) -> list[dict]:
        if key not in data:
            return []
        return self.tables(data, key)

    def orals(self, session: Session) -> None:
        """The oral épreuves' jurys, preparation rooms and passages refer to what the file declares; a jury never
        has two candidats at once, nor a candidat two passages at once (R28)."""
        self.unique("jurys", [j.code for j in session.jurys])
        salle_codes = {s.code for s in session.salles}
        for i, e in enumerate(session.epreuves):
            for code in e.salles_preparation:
                if code not in salle_codes:
                    self.fail(f"epreuves[{i + 1}].salles_preparation", f"salle « {code} » inconnue")
        for i, j in enumerate(session.jurys):
            e = session.epreuve(j.epreuve)
            if e is None or e.written:
                self.fail(f"jurys[{i + 1}].epreuve", f"épreuve orale « {j.epreuve} » inconnue")
            if j.salle not in salle_codes:
                self.fail(f"jurys[{i + 1}].salle", f"salle « {j.salle} » inconnue")
            first, last = e.dates
            for day, _ in j.horaires_jour:
                if not first <= day <= last:
                    self.fail(f"jurys[{i + 1}].horaires_jour", f"le {day:%d/%m/%Y} n'est pas un jour des oraux de "
                              f"l'épreuve {e.code} ({_days(first, last)})")
        for i, person in enumerate(session.staff):
            if person.role == "jury" and session.jury(person.jury) is None:
                self.fail(f"personnel[{i + 1}].jury", f"jury « {person.jury} » inconnu")
        seen = set()
        for i, p in enumerate(session.passages):
            where = f"passages[{i + 1}]"
            e = session.epreuve(p.epreuve)
            if e is None or e.written:
                self.fail(f"{where}.epreuve", f"épreuve orale « {p.epreuve} » inconnue")
            jury = session.jury(p.jury)
            if jury is None or jury.epreuve != e.code:
                self.fail(f"{where}.jury", f"jury « {p.jury} » inconnu pour l'épreuve {e.code}")
            first, last = e.dates
            if not first <= p.at.date() <= last:
                self.fail(f"{where}.date", f"hors des jours de l'épreuve {e.code} ({first:%d/%m/%Y}"
                          + (f" au {last:%d/%m/%Y})" if last != first else ")"))
            if (p.numero, p.epreuve) in seen:
                self.fail(f"{where}.numero", f"{p.numero} a déjà un passage à l'épreuve {e.code}")
            seen.add((p.numero, p.epreuve))
        names = {p: f"passages[{i + 1}]" for i, p in enumerate(session.passages)}
        slots = {planning.slot(session.epreuve(p.epreuve), p): p for p in session.passages}
        clash = planning.conflicts(list(slots), where=lambda s: names[slots[s]])
        if clash:
            raise SessionFileError(f"{self.name} : passages en conflit : " + " ; ".join(clash) + ".",
                                   data={"cle": "passages"})

    def reseau(self, t, site_codes: set[str]) -> Reseau:
        if not isinstance(t, dict):
            self.fail("reseau", "table [reseau] attendue")
        site = self.get(t, "site", "reseau", str)
        if site not in site_codes:
            self.fail("reseau.site", f"site « {site} » inconnu (sites : {', '.join(sorted(site_codes))})")
        if not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", site):  # a NATS subject token and a stream name
            self.fail("reseau.site", "code de site fait de lettres, chiffres, « - » ou « _ » attendu")
        nats = self.get(t, "nats", "reseau", str)
        if not re.fullmatch(r"(nats|tls)://[A-Za-z0-9.\-\[\]:]+(:[0-9]{1,5})?", nats):
            self.fail("reseau.nats", f"adresse du serveur NATS attendue (nats://hôte:port), pas « {nats} »")
        demarrer = self.get(t, "demarrer", "reseau", bool, required=False, default=False)
        siege = self.get(t, "siege", "reseau", str, required=False)
        if siege is not None and not re.fullmatch(r"nats-leaf://[A-Za-z0-9.\-\[\]:]+(:[0-9]{1,5})?", siege):
            self.fail("reseau.siege", f"adresse de liaison du siège attendue (nats-leaf://hôte:7422), pas « {siege} »")
        if siege is not None and not demarrer:
            self.fail("reseau.siege", "sert au serveur NATS lancé par Salle : ajoutez « demarrer = true »")
        if demarrer and not nats.startswith("nats://"):
            self.fail("reseau.nats", "avec « demarrer = true », Salle lance le serveur NATS du site sur l'ordinateur "
                      "dont c'est l'adresse : nats://hôte:port attendu")
        secours = self.get(t, "secours", "reseau", str, required=False)
        if secours is not None and not re.fullmatch(r"https?://[A-Za-z0-9.\-\[\]:]+(:[0-9]{1,5})?/?", secours):
            self.fail("reseau.secours", f"adresse du portable de secours attendue (http://hôte:port), "
                      f"pas « {secours} »")
        acquittement = self.get(t, "acquittement", "reseau", str, required=False, default="local")
        if acquittement not in ("local", "secours"):
            self.fail("reseau.acquittement", f"« local » ou « secours » attendu, pas « {acquittement} »")
        if acquittement == "secours" and secours is None:
            self.fail("reseau.acquittement", "« secours » demande l'adresse du portable de secours (« secours = »)")
        return Reseau(site=site, nats=nats, demarrer=demarrer, siege=siege,
                      secours=secours.rstrip("/") if secours else None, acquittement=acquittement)

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
            **(self.oral(t, where, day) if kind == "oral" else {}),
        )

    def oral(self, t: dict, where: str, day: date) -> dict:
        """An oral's own keys (seed 004): preparation and passage durations, the subjects' numbers (never their
        text), the preparation rooms, the last day when the orals run over several."""
        preparation = 0
        if t.get("preparation") not in (None, 0, "0"):
            preparation = self.get(t, "preparation", where, self.duration)
        last = self.get(t, "jusqu_au", where, self.date, required=False, default=None)
        if last is not None and last < day:
            self.fail(f"{where}.jusqu_au", "le dernier jour des oraux suit le premier")
        return {"preparation": preparation, "passage": self.get(t, "passage", where, self.duration),
                "sujets": self.sujets(t.get("sujets", []), f"{where}.sujets"),
                "salles_preparation": self.codes(t.get("salles_preparation", []), f"{where}.salles_preparation"),
                "last_date": last}

    def sujets(self, value, where: str) -> tuple[int, ...]:
        """The subjects' numbers: a list of numbers ([1, 2, 3]) or ranges in a text (« 1-30 », « 1-10, 15 »)."""
        numbers: list[int] = []
        items = value if isinstance(value, list) else [value]
        for item in items:
            if isinstance(item, int) and not isinstance(item, bool) and 0 < item < 100000:
                numbers.append(item)
                continue
            for part in (str(item).split(",") if isinstance(item, str) else [None]):
                m = re.fullmatch(r"\s*(\d{1,5})\s*(?:-\s*(\d{1,5})\s*)?", part or "")
                if not m or int(m.group(1)) == 0 or (m.group(2) and int(m.group(2)) < int(m.group(1))):
                    self.fail(where, f"numéros de sujets attendus ([1, 2, 3] ou « 1-30 »), pas « {item} »")
                numbers.extend(range(int(m.group(1)), int(m.group(2) or m.group(1)) + 1))
        if len(set(numbers)) != len(numbers):
            self.fail(where, "numéro de sujet en double")
        if len(numbers) > 10000:
            self.fail(where, "plus de 10 000 sujets")
        return tuple(numbers)

    def codes(self, value, where: str) -> tuple[str, ...]:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            self.fail(where, "liste de codes de salles attendue, par exemple [\"P1\"]")
        return tuple(v.strip() for v in value)

    def jury(self, t: dict, where: str) -> Jury:
        membres = t.get("membres", [])
        if not isinstance(membres, list) or not all(isinstance(m, str) and m.strip() for m in membres):
            self.fail(f"{where}.membres", "liste de noms attendue, par exemple [\"Mme Durand\", \"M. Petit\"]")
        return Jury(code=self.get(t, "code", where, str), epreuve=self.get(t, "epreuve", where, str),
                    name=self.get(t, "name", where, str), salle=self.get(t, "salle", where, str),
                    membres=tuple(m.strip() for m in membres), horaires=self.horaires(t, f"{where}.horaires"),
                    auditeurs_max=self.get(t, "auditeurs_max", where, int, required=False, default=None),
                    horaires_jour=self.horaires_jour(t.get("horaires_jour", {}), f"{where}.horaires_jour"))

    def horaires_jour(self, value, where: str) -> tuple:
        """Days with their own hours: { "2027-03-20" = ["09:00-12:00"] } (an empty list: no passage that day)."""
        if not isinstance(value, dict):
            self.fail(where, "table attendue, par exemple { \"2027-03-20\" = [\"09:00-12:00\"] }")
        days = [(self.date(day, f"{where}.{day}"), self.horaires({"horaires": hours}, f"{where}.{day}"))
                for day, hours in value.items()]
        return tuple(sorted(days))

    def horaires(self, t: dict, where: str) -> tuple[tuple[time, time], ...]:
        """A jury's hours each day, in order (« 09:00-12:00 », « 13:30-17:30 »): the gaps are its breaks."""
        value = t.get("horaires", [])
        out = []
        for item in value if isinstance(value, list) else [value]:
            m = re.fullmatch(r"\s*(\d{1,2})[:h](\d{2})\s*-\s*(\d{1,2})[:h](\d{2})\s*", item) \
                if isinstance(item, str) else None
            if not m or int(m.group(1)) > 23 or int(m.group(3)) > 23 or int(m.group(2)) > 59 or int(m.group(4)) > 59:
                self.fail(where, f"plages horaires attendues, par exemple [\"09:00-12:00\", \"13:30-17:30\"], pas "
                          f"« {item} »")
            start, end = time(int(m.group(1)), int(m.group(2))), time(int(m.group(3)), int(m.group(4)))
            if end <= start or (out and start < out[-1][1]):
                self.fail(where, f"plage « {item} » : les plages vont dans l'ordre, chacune après la précédente")
            out.append((start, end))
        return tuple(out)

    def passage(self, t: dict, where: str) -> Passage:
        day = self.get(t, "date", where, self.date)
        at = datetime.combine(day, self.get(t, "heure", where, self.time))
        numero = str(t.get("numero", "")).strip()
        if not numero or len(numero) > 64:
            self.fail(f"{where}.numero", "numéro d'inscription attendu")
        return Passage(numero=numero, epreuve=self.get(t, "epreuve", where, str), jury=self.get(t, "jury", where, str),
                       at=at)

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
        site = self.get(t, "site", where, str, required=role in ("responsable", "kiosk", "affichage"))
        jury = self.get(t, "jury", where, str, required=role == "jury")
        return Staff(name=self.get(t, "name", where, str), role=role, code=code, salle=salle, site=site, jury=jury)


def _days(first: date, last: date) -> str:
    return f"{first:%d/%m/%Y}" + (f" au {last:%d/%m/%Y}" if last != first else "")
