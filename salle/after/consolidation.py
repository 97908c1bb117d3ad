"""`salle consolider`: every site's archive in one SQLite record of the concours (tables in RECORD_TABLES).

Each archive is checked whole first (salle.after.archives); one refused archive refuses the run and nothing is
written. An archive is known by its chain's first hash (its day file): the same export again changes nothing, a
later export of the same file replaces the earlier one only if it extends it (same chain, more events), an earlier
one is left aside, and another file claiming a site already consolidated is refused. The record keeps what each
archive's journal means (its presences, refusals, incidents… replayed by the day's own projections), and from all
of them the outcome of each candidat at each épreuve (`resultats`) and the anomalies.
"""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

import sqlite_utils

from ..errors import SalleError
from ..export import _publish
from ..model import Session
from ..rules import INCIDENT_TYPES
from ..session_file import parse_session
from .archives import ArchiveRefusee, SiteArchive, read_archive

FORMAT = "salle-consolidation-1"
OUTCOMES = {  # resultats.statut → what the lists and the hand-off say
    "present": "présent", "absent": "absent", "refuse_retard": "refusé (retard)",
    "refuse_pieces": "refusé (pièces manquantes)", "exclu": "exclu", "abandon": "abandon",
    "renonce": "renonciation",  # an oral (R32): came, then renounced before the jury
}
SAT = ("present", "exclu", "abandon", "renonce")  # the outcomes of a candidat who was there
PER_ARCHIVE = ("chaines", "inscrits", "presences", "refus", "incidents", "alertes", "deroulement", "fins",
               "impressions")
RECORD_TABLES = {
    # the concours: format, code, libelle, organisateur, session_sha256, session_toml
    "concours": ({"cle": str, "valeur": str}, "cle"),
    "archives": ({"archive": str, "fichier": str, "sha256": str, "sites": str, "evenements": int, "tete_chaine": str,
                  "exporte_le": str, "consolide_le": str}, "archive"),
    "chaines": ({"archive": str, "seq": int, "hash": str}, ("archive", "seq")),
    "epreuves": ({"code": str, "libelle": str, "date": str, "debut": str, "fin": str, "fermeture_portes": str,
                  "nature": str}, "code"),
    "sites": ({"code": str, "nom": str, "adresse": str}, "code"),
    "salles": ({"code": str, "site": str, "libelle": str}, "code"),
    # the candidats as each archive has them (files may differ: a candidat moved to another site)
    "inscrits": ({"archive": str, "numero": str, "nom": str, "nom_naissance": str, "prenom": str,
                  "date_naissance": str, "site": str, "salle": str, "place": str, "tiers_temps": int,
                  "epreuves": str, "passages": str}, ("archive", "numero")),
    "presences": ({"archive": str, "epreuve": str, "numero": str, "site": str, "salle": str, "place": str,
                   "statut": str, "arrivee": str, "sortie": str, "emarge_at": str, "copies": int,
                   "copie_blanche": int, "abandon": int, "exclu": int, "piece_identite": str},
                  ("archive", "epreuve", "numero")),
    "refus": ({"archive": str, "seq": int, "epreuve": str, "numero": str, "site": str, "salle": str, "verdict": str,
               "at": str}, ("archive", "seq")),
    "incidents": ({"archive": str, "seq": int, "epreuve": str, "site": str, "salle": str, "numero": str,
                   "type": str, "libelle": str, "texte": str, "at": str, "exclusion": int, "decision": str,
                   "pv": str}, ("archive", "seq")),
    "alertes": ({"archive": str, "seq": int, "kind": str, "epreuve": str, "site": str, "salle": str, "numero": str,
                 "message": str, "created_at": str, "resolved_at": str, "resolution": str}, ("archive", "seq")),
    "deroulement": ({"archive": str, "epreuve": str, "site": str, "doors_close_at": str, "doors_closed_at": str,
                     "started_at": str, "ended_at": str}, ("archive", "epreuve", "site")),
    "fins": ({"archive": str, "epreuve": str, "salle": str, "site": str, "recount_at": str, "copies_comptees": int,
              "copies_emargees": int, "ecart": int, "released_at": str}, ("archive", "epreuve", "salle")),
    "impressions": ({"archive": str, "job": str, "numero": str, "epreuve": str, "site": str, "statut": str,
                     "created_at": str, "printed_at": str}, ("archive", "job")),
    # derived from every archive: one row per candidat and épreuve convoked, and what looks wrong
    "candidats": ({"numero": str, "nom": str, "nom_naissance": str, "prenom": str, "date_naissance": str,
                   "site": str, "salle": str, "place": str, "tiers_temps": int, "epreuves": str}, "numero"),
    "resultats": ({"epreuve": str, "numero": str, "statut": str, "site": str, "salle": str, "place": str,
                   "arrivee": str, "sortie": str, "copies": int, "copie_blanche": int, "archive": str},
                  ("epreuve", "numero")),
    "anomalies": ({"numero": str, "epreuve": str, "type": str, "detail": str}, ("numero", "epreuve", "type")),
}


class ReleveInvalide(ArchiveRefusee):
    code = "releve_invalide"


@dataclass
class Summary:
    record: Path
    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    older: list[str] = field(default_factory=list)
    counts: dict = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.replaced)

    def french(self) -> str:
        lines = []
        if self.added:
            lines.append(f"{len(self.added)} archive(s) ajoutée(s) : {', '.join(self.added)}.")
        if self.replaced:
            lines.append(f"{len(self.replaced)} archive(s) remplacée(s) par une exportation plus récente du même "
                         f"journal : {', '.join(self.replaced)}.")
        if self.unchanged:
            lines.append(f"{len(self.unchanged)} archive(s) déjà consolidée(s), inchangée(s) : "
                         f"{', '.join(self.unchanged)}.")
        if self.older:
            lines.append(f"{len(self.older)} archive(s) plus ancienne(s) qu'une exportation déjà consolidée du même "
                         f"journal, laissée(s) de côté : {', '.join(self.older)}.")
        c = self.counts
        if self.changed:
            lines.append(f"Relevé {self.record} : {c.get('archives', 0)} archive(s), {c.get('sites', 0)} site(s), "
                         f"{c.get('candidats', 0)} candidat(s), {c.get('present', 0)} présence(s), "
                         f"{c.get('absent', 0)} absence(s), {c.get('refus', 0)} refus, "
                         f"{c.get('anomalies', 0)} anomalie(s).")
        else:
            lines.append(f"Relevé {self.record} : rien à changer.")
        return "\n".join(lines)


# --- the record file --------------------------------------------------------------------------------------------


def open_record(path: Path, *, create: bool = False) -> sqlite_utils.Database:
    """The record's file: made with its tables when `create`, else checked to be a record of Salle."""
    if not create:
        if not path.exists():
            raise ReleveInvalide(f"{path} : relevé introuvable : lancez d'abord « salle consolider ARCHIVE.zip… "
                                 f"--sortie {path} ».", code="releve_introuvable")
        try:
            conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            fmt = conn.execute("SELECT valeur FROM concours WHERE cle = 'format'").fetchone()
        except sqlite3.Error:
            fmt = None
        if not fmt or fmt[0] != FORMAT:
            raise ReleveInvalide(f"{path} n'est pas un relevé de consolidation de Salle : rien n'a été modifié.")
        conn.close()
    conn = sqlite3.connect(str(path), isolation_level=None)
    conn.row_factory = sqlite3.Row
    from .. import collation

    collation.register(conn)
    db = sqlite_utils.Database(conn)
    if create:
        for name, (columns, pk) in RECORD_TABLES.items():
            db[name].create(columns, pk=pk)
        db["resultats"].create_index(["numero"])
        db["presences"].create_index(["numero"])
    return db


def concours_facts(db: sqlite_utils.Database) -> dict[str, str]:
    return {r["cle"]: r["valeur"] for r in db.conn.execute("SELECT cle, valeur FROM concours")}


def record_session(db: sqlite_utils.Database) -> Session:
    return parse_session(concours_facts(db)["session_toml"], "session.toml du relevé")


# --- consolidating -----------------------------------------------------------------------------------------------


def consolidate(paths: list[Path], record: Path, progress: Callable[[str], None] = lambda line: None,
                streams: list[tuple[str, str]] = (), concours: str | None = None) -> Summary:
    """Check every archive, then add, replace or leave each; write the record in one transaction, or not at all.
    `streams`: (NATS address, site) whose journal is read from NATS (salle/reseau/archive.py), checked, and made
    into the archive `salle export` would write; those archives are kept beside the record once it is written."""
    if not paths and not streams:
        raise ArchiveRefusee("Aucune archive donnée : rien n'a été consolidé.", code="archive_refusee")
    if streams:  # their archives are made beside the record: its folder first
        _check_record_path(record)
    folder = tempfile.TemporaryDirectory(prefix=".salle-flux-", dir=record.parent) if streams else nullcontext()
    with folder as tmp:
        made = [_from_stream(url, site, Path(tmp), concours, progress) for url, site in streams]
        paths = [*paths, *made]
        archives = []
        for i, path in enumerate(paths, 1):
            archive = read_archive(Path(path))
            progress(f"  {i}/{len(paths)} {archive.name} : {archive.count} événements, chaîne intègre, sites "
                     f"{', '.join(sorted(archive.sites)) or '(aucun)'}.")
            archives.append(archive)
        summary = consolidate_archives(archives, record, progress)
        for path in made:  # what was consolidated, kept beside the record
            _publish(path, record.parent, path.stem)
    return summary


def _from_stream(url: str, site: str, folder: Path, concours: str | None, progress) -> Path:
    from ..reseau.archive import export_stream

    progress(f"  Journal du site {site} lu dans NATS…")
    try:
        return export_stream(url, site, folder, concours)
    except SalleError as exc:
        raise ArchiveRefusee(exc.message.replace("Rien n'a été écrit.", "Rien n'a été consolidé."),
                             code="archive_refusee") from exc


def _check_record_path(record: Path) -> None:
    if record.is_dir():
        raise ReleveInvalide(f"{record} est un dossier : donnez le nom du fichier du relevé (concours.sqlite). "
                             "Rien n'a été consolidé.", code="releve_invalide")
    if not record.parent.is_dir():
        raise ReleveInvalide(f"Le dossier {record.parent} n'existe pas : créez-le ou choisissez un autre chemin pour "
                             "--sortie. Rien n'a été consolidé.", code="releve_invalide")


def consolidate_archives(archives: list[SiteArchive], record: Path,
                         progress: Callable[[str], None] = lambda line: None) -> Summary:
    """`consolidate` once the archives are read and checked."""
    _check_record_path(record)
    exists = record.exists()
    db = open_record(record) if exists else None
    partial = record.with_name(record.name + ".partiel")
    try:
        stored = _stored(db) if db else {}
        facts = concours_facts(db) if db else {}
        _same_concours(archives, facts)
        summary = Summary(record)
        chosen = _choose(archives, stored, db, summary)
        _sites_once(chosen, stored)
        if not summary.changed:
            return summary
        if db is None:
            partial.unlink(missing_ok=True)
            db = open_record(partial, create=True)
        _write(db, chosen, summary, progress)
        summary.counts = _counts(db)
    except BaseException:
        if not exists:  # a new record is made under another name and renamed at the end: nothing is left
            if db is not None:
                db.conn.close()
                db = None
            partial.unlink(missing_ok=True)
        raise
    finally:
        if db is not None:
            db.conn.close()
    if not exists:
        os.replace(partial, record)
    return summary


def _stored(db) -> dict[str, dict]:
    return {r["archive"]: dict(r) for r in db.conn.execute("SELECT * FROM archives")}


def _same_concours(archives: list[SiteArchive], facts: dict) -> None:
    first = archives[0]
    code = facts.get("code", first.session.concours.code)
    digest = facts.get("session_sha256", first.session_sha256)
    where = "du relevé" if facts else f"de {first.name}"
    for a in archives:
        if a.session.concours.code != code:
            raise ArchiveRefusee(f"{a.name} : archive d'un autre concours ({a.session.concours.code}, celui {where} "
                                 f"est {code}). Rien n'a été consolidé.", code="autre_concours")
        if a.session_sha256 != digest:
            raise ArchiveRefusee(f"{a.name} : même concours ({code}) mais fichier de session différent de celui "
                                 f"{where} : chaque site doit travailler avec le même fichier de session. Rien n'a été "
                                 "consolidé.", code="autre_session")


def _hash_at(db, archive: str, seq: int) -> str | None:
    row = db.conn.execute("SELECT hash FROM chaines WHERE archive = ? AND seq = ?", [archive, seq]).fetchone()
    return row[0] if row else None


def _choose(archives: list[SiteArchive], stored: dict, db, summary: Summary) -> dict[str, SiteArchive]:
    """The latest export of each journal given, judged against the record: {origin: archive to write}."""
    by_origin: dict[str, list[SiteArchive]] = {}
    for a in archives:
        group = by_origin.setdefault(a.origin, [])
        if not any(other.head == a.head for other in group):  # the same export given twice (two copies) is one
            group.append(a)
    chosen = {}
    for origin, group in by_origin.items():
        group.sort(key=lambda a: a.count)
        latest = group[-1]
        for earlier in group[:-1]:
            if latest.hashes[earlier.count - 1] != earlier.head:
                raise ArchiveRefusee(f"{latest.name} et {earlier.name} : deux exportations du même journal qui "
                                     "divergent (la chaîne de hachage ne se prolonge pas) : l'une a été produite "
                                     "depuis un fichier modifié. Rien n'a été consolidé.", code="chaine_divergente")
            summary.older.append(earlier.name)
        known = stored.get(origin)
        if known is None:
            chosen[origin] = latest
            summary.added.append(latest.name)
        elif latest.count == known["evenements"] and latest.head == known["tete_chaine"]:
            summary.unchanged.append(latest.name)
        elif latest.count > known["evenements"] and latest.hashes[known["evenements"] - 1] == known["tete_chaine"]:
            chosen[origin] = latest
            summary.replaced.append(f"{known['fichier']} → {latest.name}")
        elif latest.count < known["evenements"] and _hash_at(db, origin, latest.count) == latest.head:
            summary.older.append(latest.name)
        else:
            raise ArchiveRefusee(f"{latest.name} : même journal que {known['fichier']}, déjà consolidé, mais elle ne "
                                 "le prolonge pas (la chaîne de hachage diverge) : elle ne peut pas le remplacer. "
                                 "Rien n'a été consolidé.", code="chaine_divergente")
    return chosen


def _sites_once(chosen: dict[str, SiteArchive], stored: dict) -> None:
    """A site's day is one file: another file for a site already consolidated (or given twice) is refused."""
    owner: dict[str, str] = {}
    for origin, row in stored.items():
        if origin not in chosen:
            for site in filter(None, (row["sites"] or "").split(",")):
                owner[site] = row["fichier"]
    for origin, a in sorted(chosen.items(), key=lambda item: item[1].name):
        for site in sorted(a.sites):
            if site in owner:
                raise ArchiveRefusee(f"{a.name} : le site {site} figure déjà dans {owner[site]}, d'un autre fichier "
                                     "du jour ; une exportation plus récente du même site doit prolonger ce journal. "
                                     "Rien n'a été consolidé.", code="site_deja_consolide")
        for site in a.sites:
            owner[site] = a.name


def _write(db, chosen: dict[str, SiteArchive], summary: Summary, progress) -> None:
    conn = db.conn
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    conn.execute("BEGIN IMMEDIATE")
    try:
        first = next(iter(chosen.values()))
        if not concours_facts(db):
            _write_session(db, first)
        for origin, a in chosen.items():
            progress(f"  {a.name} : journal rejoué…")
            for table in PER_ARCHIVE:
                conn.execute(f"DELETE FROM {table} WHERE archive = ?", [origin])
            conn.execute("DELETE FROM archives WHERE archive = ?", [origin])
            _insert(db, "archives", [{
                "archive": origin, "fichier": a.name, "sha256": a.sha256, "sites": ",".join(sorted(a.sites)),
                "evenements": a.count, "tete_chaine": a.head, "exporte_le": a.manifest.get("exporte_le"),
                "consolide_le": now}])
            _insert(db, "chaines", ({"archive": origin, "seq": i, "hash": h} for i, h in enumerate(a.hashes, 1)))
            _extract(db, origin, a)
        progress("  résultats par candidat et par épreuve…")
        _derive(db)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def _insert(db, table: str, rows) -> None:
    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        return
    columns = list(first)
    db.conn.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})",
                        ([r[c] for c in columns] for r in (first, *rows)))


def _write_session(db, a: SiteArchive) -> None:
    s = a.session
    _insert(db, "concours", [{"cle": k, "valeur": v} for k, v in (
        ("format", FORMAT), ("code", s.concours.code), ("libelle", s.concours.label),
        ("organisateur", s.concours.organisateur), ("session_sha256", a.session_sha256),
        ("session_toml", a.session_toml))])
    _insert(db, "epreuves", ({"code": e.code, "libelle": e.label, "date": e.date.isoformat(),
                              "debut": e.start_dt.isoformat(), "fin": e.end_dt.isoformat(),
                              "fermeture_portes": e.doors_close_dt.isoformat(), "nature": e.kind}
                             for e in s.epreuves))
    _insert(db, "sites", ({"code": t.code, "nom": t.name, "adresse": t.address} for t in s.sites))
    _insert(db, "salles", ({"code": r.code, "site": r.site, "libelle": r.display} for r in s.salles))


def _rows(day, sql: str, params=()) -> list[dict]:
    return [dict(r) for r in day.conn.execute(sql, params).fetchall()]


def _extract(db, origin: str, a: SiteArchive) -> None:
    """What the archive's journal means, read from its replayed state tables, tagged with the archive."""
    day = a.replay()
    session = a.session
    site_of = {s.code: s.site for s in session.salles}
    has_passages = any(c[1] == "passages" for c in day.conn.execute("PRAGMA table_info(candidats)"))
    _insert(db, "inscrits", ({"archive": origin, **r} for r in _rows(
        day, "SELECT numero, nom, nom_naissance, prenom, date_naissance, site, salle, place, tiers_temps, epreuves, "
             f"{'passages' if has_passages else 'NULL AS passages'} FROM candidats")))
    released = {(r["epreuve"], r["salle"]): r["released_at"] for r in _rows(day, "SELECT * FROM fins")}
    ended = {(r["epreuve"], r["site"]): r["ended_at"] for r in _rows(day, "SELECT * FROM deroulement")}
    excluded = {(r["epreuve"], r["candidat"]) for r in _rows(
        day, "SELECT epreuve, candidat FROM decisions_fraude WHERE exclusion = 1")}
    excluded |= {(r["epreuve"], r["candidat"]) for r in _rows(
        day, "SELECT epreuve, candidat FROM incidents WHERE exclusion = 1 AND candidat IS NOT NULL")}
    presences = []
    for p in _rows(day, "SELECT * FROM presences"):
        site = site_of.get(p["salle"])
        exclu = (p["epreuve"], p["numero"]) in excluded
        statut = "exclu" if exclu else "abandon" if p["abandon"] else "present"
        presences.append({
            "archive": origin, "epreuve": p["epreuve"], "numero": p["numero"], "site": site, "salle": p["salle"],
            "place": p["place"], "statut": statut, "arrivee": p["entered_at"],
            "sortie": p["exited_at"] or released.get((p["epreuve"], p["salle"])) or ended.get((p["epreuve"], site)),
            "emarge_at": p["emarge_at"], "copies": p["copies"], "copie_blanche": p["copie_blanche"],
            "abandon": p["abandon"], "exclu": int(exclu), "piece_identite": p["piece_identite"]})
    presences += _orals(day, origin, session, site_of)
    _insert(db, "presences", presences)
    _insert(db, "refus", ({"archive": origin, "seq": r["seq"], "epreuve": r["epreuve"], "numero": r["numero"],
                           "site": site_of.get(r["salle"]), "salle": r["salle"], "verdict": r["verdict"],
                           "at": r["at"]} for r in _rows(day, "SELECT * FROM refus")))
    _insert(db, "incidents", _incidents(day, origin, a))
    _insert(db, "alertes", ({"archive": origin, "seq": r["seq"], "kind": r["kind"], "epreuve": r["epreuve"],
                             "site": r["site"], "salle": r["salle"], "numero": r["candidat"], "message": r["message"],
                             "created_at": r["created_at"], "resolved_at": r["resolved_at"],
                             "resolution": r["resolution"]} for r in _rows(day, "SELECT * FROM alerts")))
    _insert(db, "deroulement", ({"archive": origin, **{k: r[k] for k in (
        "epreuve", "site", "doors_close_at", "doors_closed_at", "started_at", "ended_at")}}
        for r in _rows(day, "SELECT * FROM deroulement")))
    _insert(db, "fins", ({"archive": origin, "epreuve": r["epreuve"], "salle": r["salle"],
                          "site": site_of.get(r["salle"]), "recount_at": r["recount_at"],
                          "copies_comptees": r["copies_comptees"], "copies_emargees": r["copies_emargees"],
                          "ecart": r["ecart"], "released_at": r["released_at"]}
                         for r in _rows(day, "SELECT * FROM fins")))
    _insert(db, "impressions", ({"archive": origin, "job": r["job"], "numero": r["numero"], "epreuve": r["epreuve"],
                                 "site": r["site"], "statut": r["status"], "created_at": r["created_at"],
                                 "printed_at": r["printed_at"]} for r in _rows(day, "SELECT * FROM impressions")))
    day.conn.close()


def _orals(day, origin: str, session, site_of: dict) -> list[dict]:
    """An oral's arrivals (R28) as presences: in the jury's salle, out at the passage's end, the abandon (R25) or the
    renunciation (R32); a late arrival the jury noted absent is no presence."""
    if not day.conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'oraux'").fetchone():
        return []
    salle_of = {j.code: j.salle for j in session.jurys}
    out = []
    for o in _rows(day, "SELECT * FROM oraux WHERE arrived_at IS NOT NULL AND decision IS NOT 'absent'"):
        salle = salle_of.get(o["jury"])
        out.append({
            "archive": origin, "epreuve": o["epreuve"], "numero": o["numero"], "site": site_of.get(salle),
            "salle": salle, "place": None,
            "statut": "abandon" if o["abandon_at"] else "renonce" if o["renonce_at"] else "present",
            "arrivee": o["arrived_at"], "sortie": o["passage_fin"] or o["abandon_at"] or o["renonce_at"],
            "emarge_at": None, "copies": None, "copie_blanche": None, "abandon": int(bool(o["abandon_at"])),
            "exclu": 0, "piece_identite": o["piece_identite"]})
    return out


def _incidents(day, origin: str, a: SiteArchive) -> list[dict]:
    """Each incident with the PV that reports it: the archive's pv-<épreuve>.pdf, and for a fraud report its annex
    (numbered in journal order within the épreuve, as the PV numbers them)."""
    decisions = {r["incident"]: r for r in _rows(day, "SELECT * FROM decisions_fraude")}
    annexes: dict[str, int] = {}
    out = []
    for r in _rows(day, "SELECT * FROM incidents ORDER BY seq"):
        pv = f"{a.name}, pv-{r['epreuve']}.pdf, site {r['site']}"
        if r["type"] == "fraude":
            annexes[r["epreuve"]] = annexes.get(r["epreuve"], 0) + 1
            pv += f", annexe {annexes[r['epreuve']]}"
        d = decisions.get(r["seq"])
        decision = None
        if d:
            decision = (f"{'exclusion immédiate' if d['exclusion'] else 'pas d’exclusion'}, décidée par "
                        f"{d['decide_par']}")
        out.append({"archive": origin, "seq": r["seq"], "epreuve": r["epreuve"], "site": r["site"],
                    "salle": r["salle"], "numero": r["candidat"], "type": r["type"],
                    "libelle": INCIDENT_TYPES.get(r["type"], (r["type"],))[0], "texte": r["texte"], "at": r["at"],
                    "exclusion": r["exclusion"], "decision": decision, "pv": f"{pv} (événement n° {r['seq']})"})
    return out


# --- what all archives mean together ------------------------------------------------------------------------------


def _derive(db) -> None:
    conn = db.conn
    for table in ("candidats", "resultats", "anomalies"):
        conn.execute(f"DELETE FROM {table}")
    session = record_session(db)
    order = [r["archive"] for r in conn.execute("SELECT archive FROM archives ORDER BY fichier, archive")]
    presences: dict[tuple, list[dict]] = {}
    for p in _all(conn, "SELECT p.* FROM presences p JOIN archives a USING (archive) ORDER BY p.arrivee, a.fichier"):
        presences.setdefault((p["epreuve"], p["numero"]), []).append(p)
    refusals: dict[tuple, list[dict]] = {}
    for r in _all(conn, "SELECT * FROM refus ORDER BY at, archive, seq"):
        refusals.setdefault((r["epreuve"], r["numero"]), []).append(r)
    candidats: dict[str, dict] = {}
    rank = {origin: i for i, origin in enumerate(order)}
    inscrits = {(r["archive"], r["numero"]): r for r in _all(conn, "SELECT * FROM inscrits")}
    for (_, numero), row in sorted(inscrits.items(), key=lambda item: rank.get(item[0][0], 0)):
        candidats.setdefault(numero, row)
    for (epreuve, numero), found in presences.items():  # the file of the site that saw them wins
        candidats[numero] = inscrits.get((found[0]["archive"], numero)) or candidats.get(numero)
    candidats = {n: c for n, c in candidats.items() if c}
    _insert(db, "candidats", ({k: v for k, v in c.items() if k not in ("archive", "passages")}
                              for c in candidats.values()))
    seen_at: dict[str, list[str]] = {}
    for epreuve, numero in presences:
        seen_at.setdefault(numero, []).append(epreuve)
    every = [e.code for e in session.epreuves]
    orals = {e.code for e in session.epreuves if e.kind == "oral"}
    planned = {(p.epreuve, p.numero) for p in session.passages}
    resultats = []
    for c in candidats.values():
        codes = json.loads(c["epreuves"] or "[]") or every
        if orals:  # an oral convokes only the candidats with a passage (planned, or imported with them)
            imported = {p["epreuve"] for p in json.loads(c.get("passages") or "[]")}
            codes = [e for e in codes if e not in orals or e in imported or (e, c["numero"]) in planned]
        extra = [e for e in seen_at.get(c["numero"], ()) if e not in codes]
        for epreuve in [*codes, *extra]:
            resultats.append(_outcome(c, epreuve, presences.get((epreuve, c["numero"]), []),
                                      refusals.get((epreuve, c["numero"]), [])))
    _insert(db, "resultats", resultats)
    _insert(db, "anomalies", _anomalies(conn, presences))


def _all(conn, sql: str, params=()) -> list[dict]:
    return [dict(r) for r in conn.execute(sql, params).fetchall()]


def _outcome(c: dict, epreuve: str, seen: list[dict], refused: list[dict]) -> dict:
    base = {"epreuve": epreuve, "numero": c["numero"], "site": c["site"], "salle": c["salle"], "place": c["place"],
            "arrivee": None, "sortie": None, "copies": None, "copie_blanche": None, "archive": None}
    if seen:
        p = seen[0]
        return {**base, "statut": p["statut"], "site": p["site"], "salle": p["salle"], "place": p["place"],
                "arrivee": p["arrivee"], "sortie": p["sortie"], "copies": p["copies"],
                "copie_blanche": p["copie_blanche"], "archive": p["archive"]}
    if refused:
        late = next((r for r in refused if r["verdict"] == "portes_fermees"), None)
        r = late or refused[0]
        return {**base, "statut": "refuse_retard" if late else "refuse_pieces", "site": r["site"], "salle": r["salle"],
                "arrivee": r["at"], "archive": r["archive"]}
    return {**base, "statut": "absent"}


def _anomalies(conn, presences: dict[tuple, list[dict]]) -> list[dict]:
    """A candidat present at two sites (on one épreuve or over the day), or twice on one épreuve (two files, or one
    convocation presented again after its admission, R4)."""
    found: dict[tuple, str] = {}
    sites_of: dict[str, list[dict]] = {}
    for (epreuve, numero), rows in presences.items():
        sites_of.setdefault(numero, []).extend(rows)
        if len(rows) > 1:
            kind = "deux_sites" if len({r["site"] for r in rows}) > 1 else "deux_fois"
            found[(numero, epreuve, kind)] = "présent(e) " + " et ".join(_where(r) for r in rows)
    for numero, rows in sites_of.items():
        if len({r["site"] for r in rows}) > 1 and not any(k[0] == numero and k[2] == "deux_sites" for k in found):
            found[(numero, ",".join(sorted({r["epreuve"] for r in rows})), "deux_sites")] = \
                "présent(e) " + " et ".join(f"{_where(r)} ({r['epreuve']})" for r in rows)
    for a in _all(conn, "SELECT * FROM alertes WHERE kind = 'convocation_deja_utilisee' ORDER BY created_at"):
        found.setdefault((a["numero"], a["epreuve"], "deux_fois"), a["message"])
    return [{"numero": n, "epreuve": e, "type": k, "detail": d} for (n, e, k), d in sorted(found.items())]


def _where(r: dict) -> str:
    return f"à {r['site']} en {r['salle']} (arrivée {(r['arrivee'] or '')[11:16]})"


def _counts(db) -> dict:
    one = lambda sql: db.conn.execute(sql).fetchone()[0]  # noqa: E731
    counts = {"archives": one("SELECT COUNT(*) FROM archives"), "candidats": one("SELECT COUNT(*) FROM candidats"),
              "sites": one("SELECT COUNT(DISTINCT site) FROM presences"),
              "anomalies": one("SELECT COUNT(*) FROM anomalies"),
              "present": one(f"SELECT COUNT(*) FROM resultats WHERE statut IN {SAT}"),
              "absent": one("SELECT COUNT(*) FROM resultats WHERE statut = 'absent'"),
              "refus": one("SELECT COUNT(*) FROM resultats WHERE statut LIKE 'refuse%'")}
    return counts
