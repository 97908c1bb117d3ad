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
import itertools
import json
import os
import pickle
import sqlite3
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from .day import ExamDay
from .state import queries
from .errors import SalleError
from .journal import EVENT_COLUMNS, canonical_rows, connect, hashed, verify_events

FORMAT = 1
MANIFEST = "manifest.json"
JOURNAL = "journal.jsonl"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# An event as the archive's line, made by SQLite: compact JSON, keys in order, non-ASCII kept — Python's
# `json.dumps(event, ensure_ascii=False, sort_keys=True, separators=(",", ":"))`, byte for byte (see `canonical_rows`).
_LINE = ("CAST(json_object(" + ", ".join(f"'{c}', {c}" for c in sorted(EVENT_COLUMNS))
         + ") || char(10) AS BLOB) AS line")


def _put_journal(archive: zipfile.ZipFile, day: ExamDay, digests: dict) -> tuple[bool, str, int, str | None]:
    """The journal into the archive as JSON lines, one batch of events at a time (a day of 190,000 events is never
    held whole), hashed as written, its chain checked on the way. Each line and each event's canonical JSON are
    made by SQLite (journal.canonical_rows): no Python dict or JSON text per event. `check_archive` checks the
    chain again on the lines as archived."""
    digest, head, batch = hashlib.sha256(), [None], []

    def archived(out):
        for event in canonical_rows(day.journal.reader().conn, _LINE):
            batch.append(event["line"])
            if len(batch) == 500:
                flush(out)
            head[0] = event["hash"]
            yield event
        flush(out)

    def flush(out):
        data = b"".join(batch)
        out.write(data)
        digest.update(data)
        batch.clear()

    with archive.open(JOURNAL, "w", force_zip64=True) as out:
        events = archived(out)
        ok, message, count = verify_events(events, hashed)
        for _ in events:  # a check stopped at a broken event: the rest is archived all the same, as it is
            pass
    digests[JOURNAL] = digest.hexdigest()
    return ok, message, count, head[0]


def export_day(day: ExamDay, directory: Path, progress=lambda line: None) -> Path:
    """Write the day's archive in `directory` (created if needed); returns its path. Written to a temporary
    name, flushed to disk, then renamed: a half-written archive never carries the final name. `progress(line)`
    is told each step, in French (the command line shows it)."""
    session = day.session
    directory.mkdir(parents=True, exist_ok=True)
    stem = f"export-{session.concours.code}-{_stamp()}"
    fd, name = tempfile.mkstemp(dir=directory, prefix=f"{stem}-", suffix=".zip.partiel")  # its own, even when
    os.close(fd)  # another laptop exports into the same folder in the same second
    partial = Path(name)
    codes = [e.code for e in session.epreuves]
    try:
        _write(day, partial, codes, progress)
        with open(partial, "rb") as f:
            os.fsync(f.fileno())
    except BaseException:
        partial.unlink(missing_ok=True)  # nothing half-written is left beside the archives
        raise
    return _publish(partial, directory, stem)


def _write(day: ExamDay, partial: Path, codes: list[str], progress) -> None:
    from .pv_oral import build_any_pv

    session = day.session
    digests: dict[str, str] = {}
    # The CSV lists are half the work at 100,000 candidats: a process of its own makes them on the second core
    # while this one writes the journal and the PVs.
    lists = _ListsProcess(day.journal.path, codes)
    # deflate's fastest level: a third of the default's time on a day of 100,000, for a few more megabytes
    with lists, zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:

        def put(name: str, data: bytes) -> None:
            archive.writestr(name, data)
            digests[name] = _sha256(data)

        progress("  journal…")
        ok, message, count, head = _put_journal(archive, day, digests)
        put("session.toml", (queries.session_toml(day.journal.reader()) or "").encode("utf-8"))
        for code in codes:
            progress(f"  épreuve {code} : procès-verbal…")
            put(f"pv-{code}.pdf", build_any_pv(day, code, chain=(ok, message, count)))
        progress("  candidats et émargements…")
        for name, data in lists.result().items():
            put(name, data)
        manifest = {  # last: it names every file with its hash (readers find it by its name)
            "format": FORMAT,
            "concours": session.concours.code,
            "libelle": session.concours.label,
            "exporte_le": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "evenements": count,
            "tete_chaine": head,
            "chaine_integre": ok,
            "verification": message,
            "fichiers": digests,
        }
        archive.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2))


class _ListsProcess:
    """`python -m salle.lists_csv` on the day's file, its files read back from its output (a pickle). A process
    started afresh rather than forked (the journal's threads may hold locks a fork would copy held) and without
    multiprocessing (whose spawn imports the caller's main module again)."""

    MODULE = "salle.lists_csv"

    def __init__(self, db_path: Path, codes: list[str]):
        package_root = str(Path(__file__).resolve().parent.parent)
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [package_root, os.environ.get("PYTHONPATH")]))}
        self.proc = subprocess.Popen([sys.executable, "-m", self.MODULE, str(db_path), *codes],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)

    def result(self) -> dict[str, bytes]:
        out, err = self.proc.communicate()
        if self.proc.returncode != 0:
            raise SalleError("Les listes de l'export (candidats, émargements) n'ont pas pu être écrites : "
                             + (err.decode("utf-8", "replace").strip().splitlines() or ["cause inconnue"])[-1],
                             code="export_impossible")
        return pickle.loads(out)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.proc.poll() is None:  # the export failed before it asked for the lists
            self.proc.kill()
            self.proc.communicate()


def _stamp() -> str:
    return datetime.now().strftime("%Y%m%d-%H%M%S")


def _publish(partial: Path, directory: Path, stem: str) -> Path:
    """The archive under its final name, never over another archive: a second export in the same second (two sites
    writing to one shared folder or USB key) is « …-2.zip ». A hard link claims the name or fails if it is taken;
    where there are none (a FAT USB key), a rename to a name not yet there."""
    for n in itertools.count(1):
        target = directory / (f"{stem}.zip" if n == 1 else f"{stem}-{n}.zip")
        try:
            os.link(partial, target)
        except FileExistsError:
            continue
        except OSError:  # no hard links on this file system
            if target.exists():
                continue
            partial.rename(target)
            return target
        partial.unlink()
        return target


@dataclass
class Checked:
    events: int
    head: str | None


def check_archive(archive: Path, chain: bool = True) -> Checked:
    """The archive is a complete, unaltered export: every file matches the manifest (its SHA-256, and zip's own
    CRC as it is read), and with `chain` the journal's chain holds on its lines as archived. Read one piece at a
    time (a journal of 190,000 events is 170 MB). Raises SalleError in French otherwise.

    `salle export` reads its archive back without `chain`: its chain was checked on the day's rows as the lines
    were written from them, in the same query (`_put_journal`); what the read-back adds is that the disk holds
    those bytes. `salle purge` and `salle consolider`, which rely on an archive, check the chain on its lines."""
    try:
        with zipfile.ZipFile(archive) as z:
            manifest = json.loads(z.read(MANIFEST))
            if manifest.get("format") != FORMAT:
                raise SalleError(f"{archive.name} : format d'export inconnu ({manifest.get('format')}).",
                                 code="export_invalide")
            for name, digest in manifest["fichiers"].items():
                if name != JOURNAL and _member_sha256(z, name) != digest:
                    raise _modified(archive, name)
            digest, ok, message, count, head = _read_journal(z, chain)
            if not chain:  # as the export found it on the day's rows
                ok, message = manifest.get("chaine_integre") is True, manifest.get("verification", "")
    except (OSError, zipfile.BadZipFile, KeyError, ValueError, TypeError) as exc:
        raise SalleError(f"{archive.name} n'est pas un export de Salle lisible ({exc}).", code="export_invalide")
    if digest != manifest["fichiers"].get(JOURNAL):
        raise _modified(archive, JOURNAL)
    if not ok:
        raise SalleError(f"{archive.name} : {message}", code="export_invalide")
    if count != manifest.get("evenements") or head != manifest.get("tete_chaine"):
        raise SalleError(f"{archive.name} : le journal ne correspond pas au manifeste.", code="export_invalide")
    return Checked(count, head)


def _modified(archive: Path, name: str) -> SalleError:
    return SalleError(f"{archive.name} : le fichier {name} a été modifié depuis l'export.", code="export_invalide")


def _member_sha256(z: zipfile.ZipFile, name: str) -> str:
    digest = hashlib.sha256()
    with z.open(name) as f:
        while piece := f.read(1 << 20):
            digest.update(piece)
    return digest.hexdigest()


def _read_journal(z: zipfile.ZipFile, chain: bool) -> tuple[str, bool, str, int, str | None]:
    """The journal's lines read once: (their SHA-256, chain ok, message, events, head)."""
    digest, last, count = hashlib.sha256(), [b""], [0]

    def lines():
        with z.open(JOURNAL) as f:
            for line in f:
                digest.update(line)
                last[0] = line
                count[0] += 1
                yield line

    ok, message = True, ""
    if chain:
        read = lines()
        ok, message, _ = verify_events(json.loads(line) for line in read)
        for _ in read:  # a check stopped at a broken event: the rest is read for the file's hash
            pass
    else:
        for _ in lines():
            pass
    head = json.loads(last[0])["hash"] if count[0] else None
    return digest.hexdigest(), ok, message, count[0], head


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
