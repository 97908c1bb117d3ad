"""Small durable SQLite tables for device queues (print jobs, scans waiting for the server)."""

from __future__ import annotations

import sqlite3
import threading

import sqlite_utils


class LockedDatabase:
    """A sqlite-utils database in WAL with synchronous=FULL, usable from device threads (one lock)."""

    def __init__(self, path):
        connection = sqlite3.connect(str(path), check_same_thread=False)
        self.db = sqlite_utils.Database(connection)
        self.db.enable_wal()
        self.db.execute("PRAGMA synchronous=FULL")
        self.lock = threading.Lock()

    def write(self, action) -> None:
        """Run `action(db)` inside one transaction."""
        with self.lock, self.db.conn:
            action(self.db)

    def rows(self, table: str, where: str, args: list, **kwargs) -> list[dict]:
        with self.lock:
            return list(self.db.table(table).rows_where(where, args, **kwargs))

    def close(self) -> None:
        with self.lock:
            self.db.conn.close()
