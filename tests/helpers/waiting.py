"""Waiting for something another thread or process does: poll, never sleep a fixed time."""

from __future__ import annotations

import time


def wait_for(predicate, timeout: float = 10.0, what: str | None = None, interval: float = 0.01):
    """Poll `predicate` until it returns something truthy and return that; fail the test after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what or predicate}")
        time.sleep(interval)
