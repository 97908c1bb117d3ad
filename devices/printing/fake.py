"""Fake receipt printers: a TCP server on 127.0.0.1, or the far end of a serial pty; both keep every byte and
answer DLE EOT status queries like a printer in the chosen state."""

from __future__ import annotations

import os
import socket
import threading
import time
from typing import Callable

# Status bytes per state for DLE EOT 1 (printer), 2 (offline cause), 4 (paper sensor); 0x12 = fixed bits.
STATES = {
    "online": {1: 0x12, 2: 0x12, 4: 0x12},
    "paper_low": {1: 0x12, 2: 0x12, 4: 0x1E},
    "paper_out": {1: 0x1A, 2: 0x32, 4: 0x72},
    "cover_open": {1: 0x1A, 2: 0x16, 4: 0x12},
    "offline": {1: 0x1A, 2: 0x52, 4: 0x12},
    "silent": {},  # takes the bytes, never answers: the client times out
}


class FakePrinter:
    """The printer's side of the wire: records bytes, answers each DLE EOT n from `status` (changeable any time)."""

    def __init__(self, status: str = "online"):
        assert status in STATES
        self.status = status
        self.received = bytearray()
        self.queries: list[int] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()

    @property
    def data(self) -> bytes:
        with self._lock:
            return bytes(self.received)

    def clear(self) -> None:
        with self._lock:
            self.received.clear()
            self.queries.clear()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.unplug()

    def unplug(self) -> None:  # pragma: no cover - overridden
        self._stop.set()

    def _serve(self, read: Callable[[], bytes | None], write: Callable[[bytes], None], stop: threading.Event) -> None:
        """Read chunks until `read` returns None (line closed) or `stop`; b"" means nothing yet."""
        pending = b""
        while not stop.is_set():
            chunk = read()
            if chunk is None:
                return
            if not chunk:
                continue
            with self._lock:
                self.received += chunk
            pending = self._answer_queries(write, pending + chunk)

    def _answer_queries(self, write: Callable[[bytes], None], data: bytes) -> bytes:
        """Answer each complete DLE EOT n in `data`; return an incomplete tail to keep."""
        i = 0
        while True:
            i = data.find(b"\x10\x04", i)
            if i < 0:
                return data[-1:] if data.endswith(b"\x10") else b""
            if i + 2 >= len(data):
                return data[i:]
            self.queries.append(data[i + 2])
            answer = STATES[self.status].get(data[i + 2])
            if answer is not None:
                write(bytes([answer]))
            i += 3


class FakeNetworkPrinter(FakePrinter):
    """Listens on a random port (or `port`); `unplug()` / `plug()` switch it off and on, same port."""

    def __init__(self, status: str = "online", port: int = 0):
        super().__init__(status)
        self.connections = 0
        self.cuts: list[int] = []  # cut the next connections after this many bytes each (a printer failing mid-job)
        self._server: socket.socket | None = None
        self.port = port
        self.plug()

    def plug(self) -> "FakeNetworkPrinter":
        server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", self.port))
        server.listen(8)
        server.settimeout(0.05)
        self.port = server.getsockname()[1]
        self._server = server
        self._stop = threading.Event()
        threading.Thread(target=self._accept_loop, args=(server, self._stop), daemon=True).start()
        return self

    def unplug(self) -> None:
        """Stop listening: new connections are refused, as with a printer switched off."""
        self._stop.set()
        if self._server:
            self._server.close()
            self._server = None

    def _accept_loop(self, server: socket.socket, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                client, _ = server.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._client, args=(client, stop), daemon=True).start()

    def cut_after(self, size: int, times: int = 1) -> None:
        """The next `times` connections are cut (reset) after `size` bytes: the printer fails mid-ticket."""
        self.cuts += [size] * times

    def _client(self, client: socket.socket, stop: threading.Event) -> None:
        client.settimeout(0.05)
        limit = self.cuts.pop(0) if self.cuts else None
        seen = 0

        def read() -> bytes | None:
            nonlocal seen
            try:
                chunk = client.recv(4096) or None
            except socket.timeout:
                return b""
            except OSError:
                return None
            if chunk and limit is not None and seen + len(chunk) > limit:
                chunk = chunk[: limit - seen]
                with self._lock:
                    self.received += chunk
                client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                return None  # the line drops: closed with a reset
            seen += len(chunk or b"")
            return chunk

        def write(answer: bytes) -> None:
            try:
                client.sendall(answer)
            except OSError:
                pass

        with client:
            self._serve(read, write, stop)


class FakeSerialPrinter(FakePrinter):
    """Sits on the far end of a pty pair (e.g. socat's B link) while the printer connector opens the A end."""

    def __init__(self, tty_path: str, status: str = "online"):
        super().__init__(status)
        self._fd = os.open(tty_path, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
        threading.Thread(target=self._serve, args=(self._read, self._write, self._stop), daemon=True).start()

    def _read(self) -> bytes | None:
        try:
            return os.read(self._fd, 4096)
        except BlockingIOError:
            time.sleep(0.005)
            return b""
        except OSError:
            return None

    def _write(self, answer: bytes) -> None:
        try:
            os.write(self._fd, answer)
        except OSError:
            pass

    def unplug(self) -> None:
        self._stop.set()
        fd, self._fd = self._fd, -1
        if fd >= 0:
            os.close(fd)
