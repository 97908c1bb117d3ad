"""The day's clock: the system clock, or a rehearsal clock that starts at a set time and may run faster."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta

EARLIEST, LATEST = datetime(2000, 1, 1), datetime(2200, 1, 1)  # a rehearsal clock never leaves these years


def local_naive(when: datetime) -> datetime:
    """`when` in the exam site's local time, without offset (like the session file): an offset-aware time is
    converted to the server's local time."""
    return when.astimezone().replace(tzinfo=None) if when.tzinfo is not None else when


def check_rehearsal_start(when: datetime) -> datetime:
    """A rehearsal clock's time: local, naive, and far enough from datetime's limits that it can never overflow."""
    when = local_naive(when)
    if not EARLIEST <= when < LATEST:
        raise ValueError(f"rehearsal time out of range: {when}")
    return when


class SystemClock:
    """Local wall-clock time of the exam site (naive datetimes, like the session file)."""

    rehearsal = False
    speed = 1.0

    def now(self) -> datetime:
        return datetime.now()

    def set(self, when: datetime) -> None:  # pragma: no cover - guarded by the API
        raise RuntimeError("the system clock cannot be set")

    def sleep_for(self, exam_seconds: float) -> float:
        """Real seconds to wait for `exam_seconds` of exam time to pass."""
        return exam_seconds


class RehearsalClock:
    """A simulated clock for a répétition or the demo: starts at `start`, runs `speed` times faster."""

    rehearsal = True

    def __init__(self, start: datetime, speed: float = 1.0, monotonic=time.monotonic):
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.speed = float(speed)
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._origin = check_rehearsal_start(start)
        self.first_day = self._origin.date()  # the rehearsal's own day, where its clock may also be set
        self._t0 = monotonic()

    def now(self) -> datetime:
        with self._lock:
            return self._origin + timedelta(seconds=(self._monotonic() - self._t0) * self.speed)

    def set(self, when: datetime) -> None:
        when = check_rehearsal_start(when)
        with self._lock:
            self._origin = when
            self._t0 = self._monotonic()

    def sleep_for(self, exam_seconds: float) -> float:
        return exam_seconds / self.speed


class FixedClock:
    """A clock that only moves when told to: for tests and scripts."""

    rehearsal = True
    speed = 1.0

    def __init__(self, start: datetime):
        self._now = start
        self.first_day = start.date()

    def now(self) -> datetime:
        return self._now

    def set(self, when: datetime) -> None:
        self._now = check_rehearsal_start(when)

    def advance(self, **delta) -> datetime:
        self._now += timedelta(**delta)
        return self._now

    def sleep_for(self, exam_seconds: float) -> float:
        return exam_seconds
