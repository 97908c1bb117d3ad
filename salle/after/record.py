"""The concours' record opened for reading, for what is made from it (lists, attestations, hand-off)."""

from __future__ import annotations

from pathlib import Path

from ..model import Session
from .consolidation import concours_facts, open_record, record_session


class Record:
    """A record written by `salle consolider`, read-only: its session, and its tables through `query`."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.db = open_record(self.path)
        self.db.conn.execute("PRAGMA query_only = ON")
        self.session: Session = record_session(self.db)
        self.facts = concours_facts(self.db)

    def query(self, sql: str, params=()) -> list[dict]:
        return [dict(r) for r in self.db.conn.execute(sql, params).fetchall()]

    def close(self) -> None:
        self.db.conn.close()

    def __enter__(self) -> "Record":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
