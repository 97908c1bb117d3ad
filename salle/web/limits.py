"""Rate limits where they are needed and nowhere else: the sign-in (failed codes, per device and per code typed)
and the borne's lookups (per borne). The `limits` library (flask-limiter's own engine: fixed windows, counters in
memory, reset on restart) is called from those two routes only, so that no other request — a scan — pays for
resolving limits it does not have."""

from __future__ import annotations

import time

from limits import parse_many
from limits.storage import MemoryStorage
from limits.strategies import FixedWindowRateLimiter


class Limits:
    def __init__(self):
        self._window = FixedWindowRateLimiter(MemoryStorage())

    def wait(self, spec: str, key: str) -> float | None:
        """Seconds until `key` may try again when a tier of `spec` (« 10 per hour;3 per minute ») is used up —
        the longest of the tiers used up — else None."""
        waits = [self._window.get_window_stats(item, key).reset_time - time.time()
                 for item in parse_many(spec) if not self._window.test(item, key)]
        return max(waits) if waits else None

    def hit(self, spec: str, key: str) -> None:
        """Count one attempt of `key` in every tier of `spec`."""
        for item in parse_many(spec):
            self._window.hit(item, key)


def in_words(seconds: float) -> str:
    """« 40 s », « 12 min », « 2 h »: a wait as a person reads it."""
    seconds = max(1, round(seconds))
    return f"{seconds} s" if seconds < 120 else f"{seconds // 60} min" if seconds < 7200 else f"{seconds // 3600} h"
