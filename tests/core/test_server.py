"""`salle serve`'s worker on a real port: kept-alive connections stay on their thread a moment, then go back
to the poller; more connections than threads are all served; a stop with lingering connections is clean."""

import json
import os
import socket
import subprocess
from pathlib import Path

import pytest

from tests.helpers.waiting import wait_for
from salle import demo
from salle.server import ChildServer, SalleWorker


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The production server with only 8 threads, so that connections outnumber them."""
    db = demo.build(tmp_path_factory.mktemp("server"), 20)
    server = ChildServer(db, clock="2027-03-18T08:40", threads=8)
    yield server
    server.stop()


class Connection:
    """One raw HTTP/1.1 keep-alive connection: it never reconnects behind our back."""

    def __init__(self, server):
        self.sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
        self.file = self.sock.makefile("rb")

    def health(self) -> dict:
        self.sock.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: salle\r\n\r\n")
        status = self.file.readline()
        assert status.startswith(b"HTTP/1.1 200"), status
        length = 0
        while (line := self.file.readline()) not in (b"\r\n", b""):
            name, _, value = line.partition(b":")
            if name.lower() == b"content-length":
                length = int(value)
        return json.loads(self.file.read(length))

    def close(self):
        self.file.close()
        self.sock.close()


def on_the_poller(server) -> int:
    """How many sockets the worker's gthread main loop waits on (Linux: its epoll descriptors' fdinfo): the
    listening socket, its own wake-up pipe, and each kept-alive connection handed back after its linger."""
    worker = subprocess.run(["pgrep", "-P", str(server.proc.pid)], capture_output=True, text=True).stdout.split()
    assert len(worker) == 1, worker
    watched = 0
    for fd in os.listdir(f"/proc/{worker[0]}/fdinfo"):
        try:
            watched += Path(f"/proc/{worker[0]}/fdinfo/{fd}").read_text().count("tfd:")
        except OSError:  # closed meanwhile
            pass
    return watched


def test_a_kept_alive_connection_is_served_while_it_lingers_and_after(served):
    watched = on_the_poller(served)
    conn = Connection(served)
    try:
        assert all(conn.health()["ok"] for _ in range(20))
        # Its thread waits `SalleWorker.linger` seconds for a next request, then hands it back to the poller.
        wait_for(lambda: on_the_poller(served) == watched + 1, timeout=SalleWorker.linger + 30,
                 what="the connection back on the poller")
        assert all(conn.health()["ok"] for _ in range(20))
    finally:
        conn.close()


def test_more_kept_alive_connections_than_threads_are_all_served(served):
    conns = [Connection(served) for _ in range(20)]
    try:
        answers = [conn.health()["ok"] for _ in range(3) for conn in conns]
    finally:
        for conn in conns:
            conn.close()
    assert answers == [True] * 60


def test_a_stop_with_lingering_connections_is_clean(tmp_path):
    server = ChildServer(demo.build(tmp_path, 20), clock="2027-03-18T08:40", threads=8)
    conns = [Connection(server) for _ in range(4)]
    try:
        for conn in conns:
            conn.health()
        server.stop()  # SIGTERM while four threads wait for their connection's next request
    finally:
        for conn in conns:
            conn.close()
    assert server.proc.returncode == 0


def raw_answer(server, request: bytes) -> tuple[int, str, str]:
    """Send raw bytes, read the whole answer (gunicorn closes after an error): status, content type, body."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(request)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), headers.get("Content-Type", ""), body.decode("utf-8")


@pytest.mark.parametrize("request_bytes, status, words", [
    (b"GET /api/v1/health?q=" + b"x" * 10000 + b" HTTP/1.1\r\nHost: salle\r\n\r\n", 414, "Adresse trop longue"),
    (b"GET /borne?" + b"x" * 5000 + b" HTTP/1.1\r\nHost: salle\r\n\r\n", 414, "Adresse trop longue"),
    (b"N'IMPORTE QUOI\r\n\r\n", 400, "Requête illisible"),
    (b"GET / HTTP/1.1\r\nHost: salle\r\nX: " + b"y" * 10000 + b"\r\n\r\n", 431, "En-têtes trop volumineux"),
])
def test_requests_gunicorn_cannot_read_are_answered_in_french(served, request_bytes, status, words):
    got, content_type, body = raw_answer(served, request_bytes)
    assert got == status and words in body and 'lang="fr"' in body and "charset=utf-8" in content_type
    assert "Bad Request" not in body and "URI Too Long" not in body
