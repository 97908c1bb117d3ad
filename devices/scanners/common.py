"""What every scanner shares: the sink types, safe delivery to sinks, and one-second de-duplication."""

from __future__ import annotations

import logging
import threading
import time
from typing import Callable

log = logging.getLogger(__name__)
CodeSink = Callable[[str], None]
StatusSink = Callable[[bool, str], None]


def log_status(online: bool, message_fr: str) -> None:
    """Default status sink: the log."""
    log.info("%s : %s", "en ligne" if online else "hors ligne", message_fr)


def deliver(sink: Callable, *args) -> None:
    """Call a sink; a failing sink is logged and never stops a reading loop."""
    try:
        sink(*args)
    except Exception:  # the sink is someone else's code: keep reading whatever it does
        log.exception("le traitement de %r a échoué", args)


class Debouncer:
    """Let a code through unless the same code passed less than `window` seconds ago."""

    def __init__(self, window: float = 1.0, clock: Callable[[], float] = time.monotonic):
        self.window = window
        self.clock = clock
        self._last: dict[str, float] = {}
        self._lock = threading.Lock()

    def accept(self, code: str) -> bool:
        now = self.clock()
        with self._lock:
            last = self._last.get(code)
            self._last[code] = now
            if len(self._last) > 1000:
                self._forget_before(now - self.window)
            return last is None or now - last >= self.window

    def _forget_before(self, limit: float) -> None:
        for code in [c for c, t in self._last.items() if t < limit]:
            del self._last[code]
