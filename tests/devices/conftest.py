"""Fixtures for device tests: polling helper, socat pty pairs, a fake network printer."""

from __future__ import annotations

import os
import shutil
import subprocess
import time

import pytest


def wait_until(predicate, timeout: float = 5.0, interval: float = 0.01):
    """Poll `predicate` until it returns something truthy; fail the test after `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout} s: {predicate}")


class SocatPair:
    """A real pty pair from socat, with stable link names; kill it to unplug, start it to replug."""

    def __init__(self, directory):
        self.a = str(directory / "ttyA")
        self.b = str(directory / "ttyB")
        self.process: subprocess.Popen | None = None
        self._fd_b: int | None = None

    def start(self) -> "SocatPair":
        self.process = subprocess.Popen(
            ["socat", "-d", "-d", f"pty,raw,echo=0,link={self.a}", f"pty,raw,echo=0,link={self.b}"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(lambda: os.path.exists(self.a) and os.path.exists(self.b))
        return self

    def kill(self) -> None:
        """Unplug: socat ends (SIGTERM, so it removes its links) and both ptys vanish."""
        if self._fd_b is not None:
            os.close(self._fd_b)
            self._fd_b = None
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(5)
        wait_until(lambda: not os.path.exists(self.a))

    def _b(self) -> int:
        if self._fd_b is None:
            self._fd_b = os.open(self.b, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
        return self._fd_b

    def write_b(self, data: bytes) -> None:
        """Write to the B end, as the scanner would."""
        os.write(self._b(), data)

    def read_b(self, timeout: float = 5.0, until: int = 1) -> bytes:
        """Read what arrived at the B end (what the relay board would receive)."""
        received = b""
        deadline = time.monotonic() + timeout
        while len(received) < until and time.monotonic() < deadline:
            try:
                received += os.read(self._b(), 1024)
            except BlockingIOError:
                time.sleep(0.01)
        return received


@pytest.fixture
def socat(tmp_path):
    if shutil.which("socat") is None:  # last resort: the Makefile installs socat
        pytest.skip("socat absent (make test l'installe)")
    pair = SocatPair(tmp_path).start()
    yield pair
    pair.kill()


@pytest.fixture
def poll():
    return wait_until
