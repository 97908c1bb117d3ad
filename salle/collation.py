"""French alphabetical order for every list Salle shows or prints: accents sort with their letter (ÇELIK among
the C, not after Z), case is ignored, ligatures are spelt out (Œ as OE); SQLite uses it as `COLLATE FR`."""

from __future__ import annotations

import sqlite3
import unicodedata
from functools import lru_cache

_LIGATURES = str.maketrans({"Œ": "OE", "œ": "oe", "Æ": "AE", "æ": "ae", "ß": "ss"})


@lru_cache(maxsize=65536)
def french_key(text: str | None) -> tuple[str, str]:
    """Letters without accents or case first; the written form breaks ties (« COTE » before « CÔTE »)."""
    spelt = (text or "").translate(_LIGATURES)
    base = "".join(c for c in unicodedata.normalize("NFKD", spelt) if not unicodedata.combining(c))
    return base.casefold(), text or ""


def french_compare(a: str | None, b: str | None) -> int:
    ka, kb = french_key(a), french_key(b)
    return (ka > kb) - (ka < kb)


def register(conn: sqlite3.Connection) -> None:
    conn.create_collation("FR", french_compare)
