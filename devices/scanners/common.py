"""What every scanner shares: the code sink type and one-second de-duplication."""

from __future__ import annotations

import threading
import time
from typing import Callable

from devices.hooks import StatusSink, deliver, log_status  # noqa: F401  (re-exported for scanners)

CodeSink = Callable[[str], None]


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
