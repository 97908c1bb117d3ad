"""A device loop on its own daemon thread (scanners, poster, spooler): start, stop, join."""

from __future__ import annotations

import threading


class Worker:
    """Subclasses implement `run()` and return from it once `self._stop` is set."""

    def __init__(self, thread_name: str):
        self.thread_name = thread_name
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run(self) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def start(self):
        assert self._thread is None, "already started"
        self._thread = threading.Thread(target=self.run, name=self.thread_name, daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake()
        if self._thread and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    def join(self, timeout: float | None = None) -> None:
        if self._thread:
            self._thread.join(timeout)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _wake(self) -> None:
        """Interrupt a wait in `run()` so that `stop()` takes effect at once."""
