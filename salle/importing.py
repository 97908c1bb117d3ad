"""Candidats from the registration system's CSV export: encodings, separators and French headers as found.

A file with any rejected row changes nothing. Importing the same file twice changes nothing; a corrected
file updates what changed and says what; a candidat who already has events is never deleted.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time

from .errors import Invalide
from .journal import SYSTEM, Actor, Tx, serialize
from . import planning
from . import amenagements as amenagements_
from .model import TIERS_TEMPS, Epreuve, Passage, Session, parse_temps_majores, temps_majores_text
from .rules import normalize_name
from .state import queries

# Normalised header -> field. Headers are compared without case, accents, spaces or punctuation.
HEADERS = {
    "numero": ("ndinscription", "nodinscription", "numerodinscription", "numeroinscription", "ninscription",
               "numero", "identifiant", "nodossier", "numerodossier"),
    "nom": ("nomusuel", "nom", "nomdusage"),
    "nom_naissance": ("nomdenaissance", "nomnaissance", "nomdejeunefille"),
    "prenom": ("prenom", "prenoms"),
    "date_naissance": ("datedenaissance", "datenaissance", "nele", "neele"),
    "site": ("site", "centre", "lieu"),
    "salle": ("salle",),
    "place": ("place", "table", "numerodeplace"),
    "tiers_temps": ("tierstemps", "tiertemps", "amenagementtierstemps", "tempsmajore", "tempssupplementaire",
                    "majorationdetemps", "majorationdutemps", "amenagementdeduree", "amenagementtemps"),
    "pieces_manquantes": ("piecesmanquantes", "piecemanquante", "piecesamanquer"),
    "epreuves": ("epreuves", "epreuve"),
    "amenagements": ("amenagements", "autresamenagements", "aides"),
    # An oral's passage (R28): the jury, the day and the time on the convocation; the épreuve when several orals.
    "epreuve_orale": ("epreuveorale", "oral", "epreuvedoral"),
    "jury": ("jury", "numerodejury", "jurydoral"),
    "passage_date": ("datedepassage", "datepassage", "jourdepassage", "datedeloral", "dateoral"),
    "passage_heure": ("heuredepassage", "heurepassage", "heuredeloral", "heureoral"),
}
REQUIRED = ("numero", "nom", "prenom", "date_naissance", "site")
LABELS = {"numero": "N° d'inscription", "nom": "Nom usuel", "prenom": "Prénom", "date_naissance": "Date de naissance",
          "site": "Site"}
COMPARED = ("nom", "nom_naissance", "prenom", "date_naissance", "site", "salle", "place", "tiers_temps",
            "temps_majore", "pieces_manquantes", "epreuves", "amenagements", "passages")


def _temps_majore_columns(majore) -> dict:
    """R24: a third on every épreuve is stored as the older yes/no (tiers_temps = 1, as day files before the
    figures have it); any other figure in temps_majore, with tiers_temps = 1 meaning « some extra time »."""
    if majore == (("", TIERS_TEMPS),):
        return {"tiers_temps": 1, "temps_majore": ""}
    return {"tiers_temps": int(bool(majore)), "temps_majore": temps_majores_text(majore)}


class ImportRejete(Invalide):
    code = "import_rejete"


@dataclass
class ImportReport:
    fichier: str
    ajoutes: list[str] = field(default_factory=list)
    modifies: list[dict] = field(default_factory=list)
    supprimes: list[str] = field(default_factory=list)
    conserves: list[str] = field(default_factory=list)  # absent from the file but with events: kept
    convocations: str = ""  # with convocations already generated: how many to send again (never silently)

    @property
    def changed(self) -> bool:
        return bool(self.ajoutes or self.modifies or self.supprimes)

    def lines(self) -> list[str]:
        out = [f"{self.fichier} : {len(self.ajoutes)} ajouté(s), {len(self.modifies)} modifié(s), "
               f"{len(self.supprimes)} supprimé(s)."]
        for change in self.modifies:
            diffs = ", ".join(f"{k} : « {change['avant'][k]} » → « {v} »" for k, v in change["apres"].items())
            out.append(f"  modifié {change['numero']} : {diffs}")
        for numero in self.conserves:
            out.append(f"  conservé {numero} : absent du fichier mais déjà enregistré ce jour (présence, scan).")
        if not self.changed:
            out.append("  Aucun changement.")
        if self.convocations:
            out.append(self.convocations)
        return out


def norm_header(text: str) -> str:
    return normalize_name(text.replace("°", "o"))


def decode_csv(raw: bytes, name: str) -> str:
    """UTF-8 (with or without BOM) or Windows-1252; anything else is refused with a French message."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in raw[:4096]:
        raise ImportRejete(f"{name} : encodage UTF-16 ou fichier binaire : enregistrez le fichier en « CSV UTF-8 » "
                           "ou « CSV (séparateur : point-virgule) ».", code="encodage")
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = raw.decode("cp1252")
        except UnicodeDecodeError as exc:
            raise ImportRejete(f"{name} : encodage non reconnu (ni UTF-8 ni Windows-1252, octet illisible en "
                               f"position {exc.start}).", code="encodage") from exc
    if re.search("[ÃÂ][\u0080-\u00bf\u2018-\u203a\u0152\u0153\u0160\u0161\u0178\u017d\u017e]", text):
        raise ImportRejete(f"{name} : accents mal encodés (« Ã© » au lieu de « é ») : le fichier a été converti deux "
                           "fois ; réexportez-le en UTF-8.", code="encodage")
    if any(unicodedata.category(ch) == "Cc" and ch not in "\r\n\t" for ch in text):
        raise ImportRejete(f"{name} : caractères de contrôle dans le fichier : ce n'est pas un CSV texte.",
                           code="encodage")
    return text


def parse_date(text: str) -> date | None:
    m = re.fullmatch(r"\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s*", text)
    if m:
        try:
            return date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        except ValueError:
            return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


def read_rows(raw: bytes, name: str) -> tuple[Iterator[dict], dict]:
    """Rows as {field: text, "_line": n}, one at a time (a file of 100,000 rows is never held as dicts twice), and
    the header mapping; raises on a bad file as a whole before the first row."""
    text = decode_csv(raw, name)
    first = (text.partition("\n")[0].splitlines() or [""])[0]  # the header line, without splitting the whole file
    if not first.strip():
        raise ImportRejete(f"{name} : fichier vide.", code="fichier_vide")
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(reader)
    mapping: dict[int, str] = {}
    for i, h in enumerate(header):
        key = norm_header(h)
        for fld, aliases in HEADERS.items():
            if key in aliases and fld not in mapping.values():
                mapping[i] = fld
    missing = [LABELS[f] for f in REQUIRED if f not in mapping.values()]
    if missing:
        raise ImportRejete(f"{name} : colonne(s) manquante(s) : {', '.join(missing)} (en-têtes lus : "
                           f"{', '.join(h.strip() for h in header)}).", code="colonne_manquante")

    def rows() -> Iterator[dict]:
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            record = {fld: (row[i].strip() if i < len(row) else "") for i, fld in mapping.items()}
            record["_line"] = reader.line_num
            record["_width"] = len(row)
            yield record

    return rows(), {"width": len(header)}


class Importer:
    """Checks every row against the session, assigns missing places, and computes the change to apply."""

    def __init__(self, session: Session):
        self.session = session

    def check(self, rows: Iterable[dict], width: int) -> tuple[list[dict], list[str]]:
        session = self.session
        errors, out, seen, slots = [], [], {}, []
        epreuve_codes = {e.code for e in session.epreuves}
        for r in rows:
            line = r["_line"]
            problems = []
            if r["_width"] != width:
                problems.append(f"{r['_width']} colonnes au lieu de {width}")
            numero = r.get("numero", "")
            if not numero:
                problems.append("N° d'inscription vide")
            elif session.concours.numero_pattern and not re.fullmatch(session.concours.numero_pattern, numero):
                problems.append(f"N° d'inscription « {numero} » d'un autre format que ceux de ce concours")
            elif numero in seen:
                problems.append(f"N° d'inscription « {numero} » déjà présent ligne {seen[numero]}")
            seen.setdefault(numero, line)
            for fld in ("nom", "prenom"):
                if not r.get(fld):
                    problems.append(f"{LABELS[fld]} vide")
                elif len(r[fld]) > 100:
                    problems.append(f"{LABELS[fld]} trop long")
            born = parse_date(r.get("date_naissance", ""))
            if born is None:
                problems.append(f"date de naissance « {r.get('date_naissance', '')} » invalide (attendu jj/mm/aaaa)")
            site = _find_code(r.get("site", ""), [s.code for s in session.sites])
            if site is None:
                problems.append(f"site « {r.get('site', '')} » inconnu")
            salle = None
            if r.get("salle"):
                salle = _find_code(r["salle"], [s.code for s in session.salles])
                if salle is None:
                    problems.append(f"salle « {r['salle']} » inconnue")
                elif site and session.salle(salle).site != site:
                    problems.append(f"salle « {salle} » hors du site {site}")
            try:  # R24: « oui » (a third), « 1/3 », « 20 min », or per épreuve « E1: 1/3 ; E2: 20 min »
                majore = parse_temps_majores(r.get("tiers_temps", ""), epreuve_codes)
            except ValueError:
                majore = ()
                problems.append(f"tiers-temps « {r.get('tiers_temps')} » : attendu oui, non, une fraction de la durée "
                                "(1/3) ou des minutes (20 min), pour toutes les épreuves ou par épreuve (E1: 1/3 ; "
                                "E2: 20 min)")
            try:  # R24: human or technical aids, a separate room, fractionnement, read into their kinds
                amenagements = amenagements_.parse(r.get("amenagements", "")).text
            except ValueError as exc:
                amenagements = ""
                problems.append(f"{exc} ({amenagements_.EXPECTED})")
            epreuves = [e.strip() for e in re.split(r"[ ,;|]+", r.get("epreuves", "")) if e.strip()]
            unknown = [e for e in epreuves if e not in epreuve_codes]
            if unknown:
                problems.append(f"épreuve(s) inconnue(s) : {', '.join(unknown)}")
            passage = self.passage(r, problems)
            if problems:
                errors.append(f"ligne {line} : " + " ; ".join(problems))
                continue
            if passage:
                slots.append((planning.slot(passage[0], passage[1], dict(majore).get(passage[0].code,
                                                                                    dict(majore).get(""))), line))
            out.append({
                "numero": numero, "nom": r["nom"], "nom_naissance": r.get("nom_naissance", ""), "prenom": r["prenom"],
                "date_naissance": born.isoformat(), "site": site, "salle": salle or "", "place": r.get("place", ""),
                **_temps_majore_columns(majore), "pieces_manquantes": r.get("pieces_manquantes", ""),
                "epreuves": json.dumps(sorted(epreuves)), "amenagements": amenagements,
                "passages": json.dumps([{"epreuve": passage[1].epreuve, "jury": passage[1].jury,
                                         "at": passage[1].at.isoformat(timespec="minutes")}]) if passage else "",
                "_line": line,
            })
        slots.extend(self.planned(out, {s.numero for s, _ in slots}))
        lines = {s: line for s, line in slots}
        errors.extend(planning.conflicts([s for s, _ in slots], where=lambda s: (
            f"ligne {lines[s]}" if isinstance(lines[s], int) else lines[s])))
        return out, errors

    def planned(self, records: list[dict], imported: set[str]) -> list[tuple]:
        """The session file's passages still in force (R28): those of the file's candidats who get none here; a
        passage imported must not clash with them either."""
        majore = {r["numero"]: r for r in records}
        out = []
        for i, p in enumerate(self.session.passages):
            r = majore.get(p.numero)
            if r is None or p.numero in imported:
                continue
            given = dict(parse_temps_majores(r["temps_majore"]) or ((("", TIERS_TEMPS),) if r["tiers_temps"] else ()))
            temps = given.get(p.epreuve, given.get(""))
            out.append((planning.slot(self.session.epreuve(p.epreuve), p, temps),
                        f"passages[{i + 1}] du fichier de session"))
        return out

    def passage(self, r: dict, problems: list[str]) -> tuple[Epreuve, Passage] | None:
        """R28: a candidat's passage at an oral from the Jury, Date and Heure de passage columns (and Épreuve
        orale when the session has several); None when the line has none. Problems are appended in French."""
        if not any(r.get(k) for k in ("jury", "passage_date", "passage_heure", "epreuve_orale")):
            return None
        orals = [e for e in self.session.epreuves if not e.written]
        code = r.get("epreuve_orale", "")
        epreuve = self.session.epreuve(code) if code else (orals[0] if len(orals) == 1 else None)
        if epreuve is None or epreuve.written:
            problems.append(f"épreuve orale « {code} » inconnue" if code else "épreuve orale à préciser (colonne "
                            "« Épreuve orale »)" if orals else "passage à un oral, mais la session n'a pas d'oral")
            return None
        jury = self.session.jury(r.get("jury", ""))
        if jury is None or jury.epreuve != epreuve.code:
            problems.append(f"jury « {r.get('jury', '')} » inconnu pour l'épreuve {epreuve.code}")
        day = parse_date(r.get("passage_date", ""))
        first, last = epreuve.dates
        if day is None:
            problems.append(f"date de passage « {r['passage_date']} » invalide (attendu jj/mm/aaaa)"
                            if r.get("passage_date") else "date de passage manquante")
        elif not first <= day <= last:
            problems.append(f"date de passage {day:%d/%m/%Y} hors des jours de l'épreuve {epreuve.code}")
        m = re.fullmatch(r"\s*(\d{1,2})\s*[:hH]\s*(\d{2})\s*", r.get("passage_heure", ""))
        if m and (int(m.group(1)) > 23 or int(m.group(2)) > 59):
            m = None
        if not m:
            problems.append(f"heure de passage « {r['passage_heure']} » invalide (attendu 14:20 ou 14 h 20)"
                            if r.get("passage_heure") else "heure de passage manquante")
        if jury is None or jury.epreuve != epreuve.code or day is None or not first <= day <= last or not m:
            return None
        at = datetime.combine(day, time(int(m.group(1)), int(m.group(2))))
        return epreuve, Passage(r.get("numero", ""), epreuve.code, jury.code, at)

    def place(self, records: list[dict], existing: dict[str, dict]) -> list[str]:
        """Give a salle and a place to those without, alphabetically, filling each salle's seat plan in order.
        A candidat already placed keeps the place they had if the file gives none."""
        errors = []
        taken: dict[str, dict[str, int]] = {s.code: {} for s in self.session.salles}
        for r in records:
            old = existing.get(r["numero"])
            if old and not r["salle"] and old["site"] == r["site"]:
                r["salle"] = old["salle"]
            if old and not r["place"] and old["salle"] == r["salle"]:
                r["place"] = old["place"]
        plans = {s.code: set(s.seats) for s in self.session.salles}  # a seat plan's names, built once
        for r in records:
            if r["salle"] and r["place"]:
                salle = self.session.salle(r["salle"])
                if r["place"] not in plans[salle.code]:
                    errors.append(f"ligne {r['_line']} : place « {r['place']} » hors du plan de la salle {salle.code}")
                elif r["place"] in taken[salle.code]:
                    errors.append(f"ligne {r['_line']} : place {r['place']} de la salle {salle.code} déjà donnée "
                                  f"ligne {taken[salle.code][r['place']]}")
                else:
                    taken[salle.code][r["place"]] = r["_line"]
        waiting = sorted((r for r in records if not (r["salle"] and r["place"])),
                         key=lambda r: (normalize_name(r["nom"]), normalize_name(r["prenom"]), r["numero"]))
        free = _FreeSeats(self.session, taken)
        for r in waiting:
            salles = [self.session.salle(r["salle"])] if r["salle"] else self.session.salles_of(r["site"])
            seat = free.first(salles)
            if seat is None:
                where = f"la salle {r['salle']}" if r["salle"] else f"le site {r['site']}"
                errors.append(f"ligne {r['_line']} : plus de place libre dans {where}")
                continue
            r["salle"], r["place"] = seat
            taken[seat[0]][seat[1]] = r["_line"]
        return errors


class _FreeSeats:
    """The first free seat of a list of salles, in seat-plan order, in time proportional to the seats given (not
    to the seats given times the candidats): seats are only ever taken while placing, so each salle's scan resumes
    where it stopped, and a full salle is passed over at once."""

    def __init__(self, session, taken: dict[str, dict[str, int]]):
        self.taken = taken
        self.seats = {s.code: s.seats for s in session.salles}
        self.cursor = {s.code: 0 for s in session.salles}

    def first(self, salles) -> tuple[str, str] | None:
        for salle in salles:
            seats, taken, i = self.seats[salle.code], self.taken[salle.code], self.cursor[salle.code]
            while i < len(seats) and seats[i] in taken:
                i += 1
            self.cursor[salle.code] = i
            if i < len(seats):
                return salle.code, seats[i]
        return None


def _find_code(value: str, codes: list[str]) -> str | None:
    key = normalize_name(value)
    return next((c for c in codes if normalize_name(c) == key), None)


def import_candidats(day, raw: bytes, name: str, actor: Actor = SYSTEM, progress=lambda line: None) -> ImportReport:
    """Check the whole file, then apply the difference as one journaled event; raise with every bad line.
    `progress(line)` is told each step, in French (the command line shows it)."""
    session = day.session
    progress(f"  lecture de {name} ({len(raw) / 1e6:.1f} Mo)…")
    rows, info = read_rows(raw, name)
    progress("  vérification des lignes et placement…")
    importer = Importer(session)
    records, errors = importer.check(rows, info["width"])
    progress(f"  {len(records) + len(errors)} ligne(s) lue(s), {len(errors)} rejetée(s)…")
    sha = hashlib.sha256(raw).hexdigest()

    def apply(tx: Tx) -> ImportReport:
        existing = {r["numero"]: r for r in queries.candidat_rows(tx.db)}
        place_errors = importer.place(records, existing) if not errors else []
        if errors or place_errors:
            lines = errors + place_errors
            raise ImportRejete(f"{name} : {len(lines)} ligne(s) rejetée(s), rien n'a été importé.\n" + "\n".join(lines),
                               data={"lignes": lines})
        report = ImportReport(fichier=name)
        added, changed = [], []
        for row in records:  # each checked record becomes its row in the event, in place (not copied)
            del row["_line"]
            row["nom_cle"] = normalize_name(row["nom"])
            row["nom_naissance_cle"] = normalize_name(row["nom_naissance"]) if row["nom_naissance"] else None
            old = existing.get(row["numero"])
            if old is None:
                added.append(row)
                report.ajoutes.append(row["numero"])
                continue
            diff = {k: row[k] for k in COMPARED if str(old.get(k) or "") != str(row[k] or "")}
            if diff:
                diff.update({k: row[k] for k in ("nom_cle", "nom_naissance_cle") if k in row})
                changed.append({"numero": row["numero"], "avant": {k: old.get(k) for k in diff if k in COMPARED},
                                "apres": diff})
        in_file = {r["numero"] for r in records}
        with_events = queries.candidats_with_events(tx.db)
        for numero in existing:
            if numero not in in_file:
                (report.conserves if numero in with_events else report.supprimes).append(numero)
        report.modifies = [{"numero": c["numero"], "avant": c["avant"],
                            "apres": {k: v for k, v in c["apres"].items() if k in COMPARED}} for c in changed]
        if report.changed:
            records.clear(), existing.clear()  # the rows live on in `added` only, emptied as they are written:
            payload = serialize({"fichier": name, "sha256": sha, "ajoutes": added, "modifies": changed,
                                 "supprimes": report.supprimes}, consume="ajoutes")
            tx.append("candidats_importes", actor, payload)
        return report

    report = day.journal.write(apply)
    if report.changed:
        report.convocations = _convocations_to_send_again(day)
    return report


def _convocations_to_send_again(day) -> str:
    """After a change, when `salle convocations` was run on this day file: what it changes to those generated."""
    reader = day.journal.reader()
    generation = queries.last_generation(reader)
    if generation is None:
        return ""
    from pathlib import Path

    from .documents.convocations import since_generation

    session = day.session
    return since_generation(Path(generation["dossier"]), session, queries.candidats(reader, "ORDER BY numero"),
                            queries.all_oral_passages(reader, session))


def read_file(path) -> bytes:
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError as exc:
        raise ImportRejete(f"Fichier illisible : {path} ({exc.strerror}).", code="fichier_illisible") from exc
