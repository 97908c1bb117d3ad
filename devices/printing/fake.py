"""A fake network receipt printer: a real TCP server on 127.0.0.1 that keeps every byte and answers DLE EOT like a printer."""

from __future__ import annotations

import socket
import threading

# Status bytes per state for DLE EOT 1 (printer), 2 (offline cause), 4 (paper sensor); 0x12 = fixed bits.
STATES = {
    "online": {1: 0x12, 2: 0x12, 4: 0x12},
    "paper_out": {1: 0x1A, 2: 0x32, 4: 0x72},
    "cover_open": {1: 0x1A, 2: 0x16, 4: 0x12},
    "offline": {1: 0x1A, 2: 0x52, 4: 0x12},
    "silent": {},  # accepts the connection, never answers: the client times out
}


class FakeNetworkPrinter:
    """Listen on a random port (or `port`); `status` may change at any time; `unplug()` / `plug()` close and reopen it."""

    def __init__(self, status: str = "online", port: int = 0):
        assert status in STATES
        self.status = status
        self.received = bytearray()
        self.queries: list[int] = []
        self.connections = 0
        self._lock = threading.Lock()
        self._server: socket.socket | None = None
        self._stop = threading.Event()
        self.port = port
        self.plug()

    # -- device life ---------------------------------------------------------------
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

    close = unplug

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.unplug()

    # -- what the printer received ------------------------------------------------
    @property
    def data(self) -> bytes:
        with self._lock:
            return bytes(self.received)

    def clear(self) -> None:
        with self._lock:
            self.received.clear()
            self.queries.clear()

    # -- server --------------------------------------------------------------------
    def _accept_loop(self, server: socket.socket, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                client, _ = server.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._serve, args=(client, stop), daemon=True).start()

    def _serve(self, client: socket.socket, stop: threading.Event) -> None:
        client.settimeout(0.05)
        pending = b""
        with client:
            while not stop.is_set():
                try:
                    chunk = client.recv(4096)
                except socket.timeout:
                    continue
                except OSError:
                    return
                if not chunk:
                    return
                with self._lock:
                    self.received += chunk
                pending = self._answer_queries(client, pending + chunk)

    def _answer_queries(self, client: socket.socket, data: bytes) -> bytes:
        """Answer each complete DLE EOT n in `data`; return an incomplete tail to keep."""
        i = 0
        while True:
            i = data.find(b"\x10\x04", i)
            if i < 0:
                return data[-1:] if data.endswith(b"\x10") else b""
            if i + 2 >= len(data):
                return data[i:]
            self._answer(client, data[i + 2])
            i += 3

    def _answer(self, client: socket.socket, n: int) -> None:
        self.queries.append(n)
        answer = STATES[self.status].get(n)
        if answer is not None:
            try:
                client.sendall(bytes([answer]))
            except OSError:
                pass
