"""After the session: everything the organiser keeps, in one ZIP; then the day's file can be purged (R27).

R27 (« seules les personnes habilitées … peuvent avoir accès à vos données »): the laptop does not keep
candidats' personal data once the session is over. `export_day` writes one archive: the whole journal
(JSON lines, self-verifying: every event carries its hash), the session file, the candidats as imported,
the émargement of each épreuve (CSV) and its procès-verbal (PDF), and a manifest with the chain head and a
SHA-256 of each file. `purge` deletes the day's SQLite file only after checking that such an archive holds
exactly this journal, unaltered, and that nobody else has the file open.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import zipfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from .csv_out import csv_text
from .day import ExamDay
from .errors import SalleError
from .journal import EVENT_COLUMNS, connect, verify_events

FORMAT = 1
MANIFEST = "manifest.json"
JOURNAL = "journal.jsonl"
CANDIDAT_COLUMNS = ["numero", "nom", "nom_naissance", "prenom", "date_naissance", "site", "salle", "place",
                    "tiers_temps", "pieces_manquantes", "epreuves", "amenagements", "pieces_produites_at"]


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _journal_lines(events: list[dict]) -> bytes:
    return "".join(json.dumps(e, ensure_ascii=False, sort_keys=True) + "\n" for e in events).encode("utf-8")


def _candidats_csv(day: ExamDay) -> bytes:
    rows = day.journal.query(f"SELECT {', '.join(CANDIDAT_COLUMNS)} FROM candidats ORDER BY numero")
    return csv_text(CANDIDAT_COLUMNS, ([row[c] for c in CANDIDAT_COLUMNS] for row in rows)).encode("utf-8")


def export_day(day: ExamDay, directory: Path) -> Path:
    """Write the day's archive in `directory` (created if needed); returns its path. Written to a temporary
    name, flushed to disk, then renamed: a half-written archive never carries the final name."""
    from .pv import build_pv, emargement_csv

    session = day.session
    events = day.journal.query(f"SELECT {', '.join(EVENT_COLUMNS)} FROM events ORDER BY seq")
    files: dict[str, bytes] = {
        JOURNAL: _journal_lines(events),
        "session.toml": (day.journal.one("SELECT value FROM meta WHERE key = 'session_toml'") or {}).get(
            "value", "").encode("utf-8"),
        "candidats.csv": _candidats_csv(day),
    }
    for epreuve in session.epreuves:
        files[f"emargement-{epreuve.code}.csv"] = emargement_csv(day, epreuve.code).encode("utf-8")
        files[f"pv-{epreuve.code}.pdf"] = build_pv(day, epreuve.code)
    ok, message, count = verify_events(json.loads(line) for line in files[JOURNAL].splitlines())  # as archived
    manifest = {
        "format": FORMAT,
        "concours": session.concours.code,
        "libelle": session.concours.label,
        "exporte_le": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "evenements": count,
        "tete_chaine": events[-1]["hash"] if events else None,
        "chaine_integre": ok,
        "verification": message,
        "fichiers": {name: _sha256(data) for name, data in files.items()},
    }
    directory.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    target = directory / f"export-{session.concours.code}-{stamp}.zip"
    partial = target.with_suffix(".zip.partiel")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2))
        for name, data in files.items():
            archive.writestr(name, data)
    with open(partial, "rb") as f:
        os.fsync(f.fileno())
    partial.rename(target)
    return target


@dataclass
class Checked:
    events: int
    head: str | None


def check_archive(archive: Path) -> Checked:
    """The archive is a complete, unaltered export: every file matches the manifest, the journal's chain
    holds. Raises SalleError in French otherwise."""
    try:
        with zipfile.ZipFile(archive) as z:
            manifest = json.loads(z.read(MANIFEST))
            if manifest.get("format") != FORMAT:
                raise SalleError(f"{archive.name} : format d'export inconnu ({manifest.get('format')}).",
                                 code="export_invalide")
            for name, digest in manifest["fichiers"].items():
                if _sha256(z.read(name)) != digest:
                    raise SalleError(f"{archive.name} : le fichier {name} a été modifié depuis l'export.",
                                     code="export_invalide")
            lines = z.read(JOURNAL).splitlines()
    except (OSError, zipfile.BadZipFile, KeyError, ValueError, TypeError) as exc:
        raise SalleError(f"{archive.name} n'est pas un export de Salle lisible ({exc}).", code="export_invalide")
    ok, message, count = verify_events(json.loads(line) for line in lines)
    if not ok:
        raise SalleError(f"{archive.name} : {message}", code="export_invalide")
    head = json.loads(lines[-1])["hash"] if lines else None
    if count != manifest.get("evenements") or head != manifest.get("tete_chaine"):
        raise SalleError(f"{archive.name} : le journal ne correspond pas au manifeste.", code="export_invalide")
    return Checked(count, head)


def purge(db_path: Path, archive: Path) -> str:
    """Delete the day's file (and its WAL) once `archive` is checked to hold exactly its journal (R27).
    Nothing is deleted on any doubt; the French message says why."""
    if not db_path.exists():
        raise SalleError(f"{db_path} n'existe pas : rien à purger.", code="introuvable")
    checked = check_archive(archive)
    conn = connect(db_path, readonly=True)
    try:
        row = conn.execute("SELECT COUNT(*), MAX(seq) FROM events").fetchone()
        head = conn.execute("SELECT hash FROM events ORDER BY seq DESC LIMIT 1").fetchone()
    except sqlite3.Error as exc:
        raise SalleError(f"{db_path} n'est pas un fichier de Salle lisible ({exc}) : rien n'est supprimé.")
    finally:
        conn.close()
    if row[0] != checked.events or (head[0] if head else None) != checked.head:
        newer = row[0] - checked.events
        detail = (f"le journal a {newer} événement(s) de plus que l'export : exportez à nouveau"
                  if newer > 0 else "cet export vient d'un autre journal")
        raise SalleError(f"{archive.name} ne contient pas ce journal ({detail}). Rien n'est supprimé.",
                         code="export_perime")
    _refuse_if_in_use(db_path)
    for suffix in ("-wal", "-shm", ""):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    return (f"{db_path} supprimé : {checked.events} événements, tous dans {archive.name} "
            f"(tête de chaîne {checked.head}).")


def _refuse_if_in_use(db_path: Path) -> None:
    """Leaving WAL mode needs the file to ourselves: it fails while a server (or anyone) has it open."""
    conn = sqlite3.connect(str(db_path), timeout=0.2, isolation_level=None)
    try:
        conn.execute("PRAGMA busy_timeout = 200")
        mode = conn.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
    except sqlite3.Error:
        mode = None
    finally:
        conn.close()
    if mode != "delete":
        raise SalleError(f"{db_path} est encore ouvert (serveur « salle serve » en marche ?) : arrêtez-le, "
                         "puis recommencez. Rien n'est supprimé.", code="fichier_occupe")
