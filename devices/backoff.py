"""Exponential backoff shared by every device loop that reconnects or retries."""

from __future__ import annotations

import threading


class Backoff:
    """Delays that double from `initial` up to `maximum`; `reset()` after a success."""

    def __init__(self, initial: float = 0.2, maximum: float = 5.0, factor: float = 2.0):
        assert 0 < initial <= maximum and factor >= 1
        self.initial, self.maximum, self.factor = initial, maximum, factor
        self._next = initial

    def next_delay(self) -> float:
        delay = self._next
        self._next = min(self._next * self.factor, self.maximum)
        return delay

    def reset(self) -> None:
        self._next = self.initial

    def wait(self, stop: threading.Event) -> bool:
        """Sleep for the next delay unless `stop` is set first; True when stopped."""
        return stop.wait(self.next_delay())
