"""One site's archive read back for the consolidation: checked as `salle purge` checks it (manifest hashes, hash
chain), its session parsed, and its journal replayed into an in-memory copy of the day's state tables."""

from __future__ import annotations

import hashlib
import io
import json
import re
import sqlite3
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils

from .. import collation
from ..errors import SalleError
from ..export import JOURNAL, MANIFEST, check_archive
from ..journal import EVENT_COLUMNS, ensure_schema
from ..model import Session
from ..session_file import parse_session
from ..state import rebuild


class ArchiveRefusee(SalleError):
    code = "archive_refusee"
    status = 400


@dataclass
class SiteArchive:
    """A checked archive: its manifest, its journal's chain (every event's hash, in seq order), its session."""

    path: Path
    sha256: str
    manifest: dict
    session_toml: str
    session: Session
    hashes: list[str]
    sites: set[str]  # the sites this file recorded something for (a scan, a door, an incident…)
    events: list[dict] | None = field(default=None, repr=False)  # None: read again from the archive when replayed

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def origin(self) -> str:
        """The chain's first hash names the day file it comes from: two exports of one file share it."""
        return self.hashes[0][:16]

    @property
    def count(self) -> int:
        return len(self.hashes)

    @property
    def head(self) -> str:
        return self.hashes[-1]

    @property
    def session_sha256(self) -> str:
        """The session file's hash, its `[reseau]` table left out: that table says which site this laptop is and
        where its NATS server listens, so it differs between the sites of one concours by design (issue 15)."""
        return hashlib.sha256(without_reseau(self.session_toml).encode("utf-8")).hexdigest()

    def journal(self) -> list[dict]:
        """The events, read again from the archive (only the hashes are kept between the check and the replay:
        ten sites' journals at once would hold every event in memory)."""
        if self.events is not None:
            return self.events
        raw = self.path.read_bytes()
        if hashlib.sha256(raw).hexdigest() != self.sha256:  # changed since it was checked: refuse, write nothing
            raise _refuse(self.path, "le fichier a changé pendant la consolidation.")
        with zipfile.ZipFile(io.BytesIO(raw)) as z:
            return [json.loads(line) for line in z.read(JOURNAL).splitlines()]

    def replay(self) -> sqlite_utils.Database:
        """The day's state tables as the file had them at the export: the journal replayed in memory."""
        conn = sqlite3.connect(":memory:", isolation_level=None)
        conn.row_factory = sqlite3.Row
        collation.register(conn)
        db = sqlite_utils.Database(conn)
        ensure_schema(db)
        columns = list(EVENT_COLUMNS)
        conn.execute("BEGIN")
        conn.executemany(f"INSERT INTO events ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})",
                         ([e.get(c) for c in columns] for e in self.journal()))
        conn.execute("COMMIT")
        rebuild(db)
        return db


def without_reseau(toml_text: str) -> str:
    """The session file without its `[reseau]` table (from its header to the next table's, or the end)."""
    return re.sub(r"(?ms)^\[reseau\][^\n]*\n.*?(?=^\[|\Z)", "", toml_text)


def _refuse(path: Path, what: str) -> ArchiveRefusee:
    return ArchiveRefusee(f"{path.name} : {what} Rien n'a été consolidé.", code="archive_refusee")


def read_archive(path: Path) -> SiteArchive:
    """The archive checked whole, or ArchiveRefusee naming the file and what is wrong with it, in French."""
    if not path.exists():
        raise _refuse(path, "fichier introuvable.")
    if path.is_dir():
        raise _refuse(path, "c'est un dossier, pas une archive ZIP de « salle export ».")
    if not zipfile.is_zipfile(path):
        raise _refuse(path, "ce n'est pas une archive ZIP lisible (fichier tronqué, incomplet ou d'un autre type).")
    try:
        check_archive(path)
    except SalleError as exc:
        detail = exc.message.removeprefix(path.name + " : ").rstrip(".")
        raise _refuse(path, f"archive refusée — {detail}.") from exc
    raw = path.read_bytes()
    try:
        with zipfile.ZipFile(path) as z:
            manifest = json.loads(z.read(MANIFEST))
            events = [json.loads(line) for line in z.read(JOURNAL).splitlines()]
            toml_text = z.read("session.toml").decode("utf-8")
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise _refuse(path, f"archive incomplète ({type(exc).__name__}).") from exc
    if not events:
        raise _refuse(path, "son journal est vide : rien à consolider.")
    try:
        session = parse_session(toml_text, f"{path.name}/session.toml")
    except SalleError as exc:
        raise _refuse(path, f"fichier de session illisible ({exc.message}).") from exc
    if manifest.get("concours") != session.concours.code:
        raise _refuse(path, "le manifeste et le fichier de session ne nomment pas le même concours.")
    return SiteArchive(path, hashlib.sha256(raw).hexdigest(), manifest, toml_text, session,
                       [e["hash"] for e in events], _sites(events))


def _sites(events: list[dict]) -> set[str]:
    return {e["site"] for e in events if e["site"]}


def from_journal(events: list[dict], session_toml: str, name: str) -> SiteArchive:
    """A day file's journal, as it is now, taken as an archive (the console's bilan of the day, before any export)."""
    session = parse_session(session_toml, "session.toml")
    return SiteArchive(Path(name), "", {"concours": session.concours.code}, session_toml, session,
                       [e["hash"] for e in events], _sites(events), events)
