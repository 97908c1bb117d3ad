"""Run the server the way the Flask-SocketIO documentation says for production: gunicorn, one worker,
many threads (one per open websocket), with simple-websocket underneath."""

from __future__ import annotations

import gc
import logging
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from gunicorn.app.base import BaseApplication
from gunicorn.workers.gthread import ThreadWorker


class SalleWorker(ThreadWorker):
    """gunicorn's gthread worker, with a tablet's connection kept on its thread between two requests.

    gthread hands every kept-alive connection back to its main loop after each request, and that
    loop hands the next request to a pool thread again: several thread switches a request. Here a
    thread waits up to `linger` seconds for the same connection's next request, as long as three
    quarters of the threads are free for others; past that, the connection goes back to the poller as
    in gthread. Websockets hold their thread for the day in both (Flask-SocketIO's threading mode)."""

    linger = 1.0

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._busy = 0
        self._busy_lock = threading.Lock()
        self._notified = 0.0

    def notify(self):
        # The arbiter only reads this heartbeat with a timeout, and `serve` runs without one (websockets
        # stay open all day): touch the file once a second, not at every turn of the main loop.
        now = time.monotonic()
        if now - self._notified >= 1.0:
            self._notified = now
            super().notify()

    def handle(self, conn):
        with self._busy_lock:
            self._busy += 1
        try:
            keepalive = super().handle(conn)
            while keepalive is True and self.alive and self._next_request_arrives(conn):
                keepalive = super().handle(conn)
            return keepalive
        finally:
            with self._busy_lock:
                self._busy -= 1

    def _next_request_arrives(self, conn) -> bool:
        if conn.parser.unreader.buf.getvalue():  # already read ahead
            return True
        if self._busy > self.cfg.threads * 3 // 4:
            return False
        poller = select.poll()
        poller.register(conn.sock, select.POLLIN)
        return bool(poller.poll(self.linger * 1000))


class _Gunicorn(BaseApplication):
    def __init__(self, factory, options: dict):
        self.factory = factory
        self.options = options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        app = self.factory()
        # Everything built so far (modules, the app, the session) lives as long as the worker: set it
        # aside from the cyclic garbage collector, whose full passes over it held the GIL for 40-60 ms
        # (every request waited) on this machine.
        gc.collect()
        gc.freeze()
        return app


def serve(factory, host: str = "127.0.0.1", port: int = 8000, threads: int = 256, access_log: bool = False) -> None:
    """Blocks serving `factory()` (called in the worker, after the fork) until stopped."""
    options = {
        "bind": f"{host}:{port}",
        "workers": 1,  # never more without a message queue (Flask-SocketIO)
        "worker_class": "salle.server.SalleWorker",
        "threads": threads,
        "timeout": 0,  # websockets stay open for the day
        "graceful_timeout": 5,
        "keepalive": 30,
        "loglevel": "warning",
        "accesslog": "-" if access_log else None,
    }
    logging.getLogger("gunicorn.error").setLevel(logging.WARNING)
    _Gunicorn(factory, options).run()


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def wait_for_server(base_url: str, timeout: float = 30.0, alive=lambda: True) -> None:
    """Return once the server at `base_url` answers its health check."""
    from .client import ApiClient

    deadline = time.monotonic() + timeout
    while True:
        try:
            ApiClient(base_url, timeout=2).get("/api/v1/health")
            return
        except OSError:
            if not alive() or time.monotonic() > deadline:
                raise RuntimeError(f"le serveur n'a pas démarré sur {base_url}") from None
            time.sleep(0.1)


class ChildServer:
    """`salle serve` as a child process in its own process group (the demo, the tests, the benchmarks)."""

    def __init__(self, db: Path, *, host: str = "127.0.0.1", port: int | None = None, clock: str | None = None,
                 speed: float = 1.0, threads: int = 256, env: dict | None = None, output=subprocess.DEVNULL,
                 timeout: float = 60):
        self.port = port or free_port(host)
        self.url = f"http://{host}:{self.port}"
        command = [sys.executable, "-m", "salle", "serve", "--db", str(db), "--host", host, "--port", str(self.port),
                   "--threads", str(threads)]
        if clock:
            command += ["--clock", clock, "--speed", str(speed)]
        self.proc = subprocess.Popen(command, stdout=output, stderr=output, env=env, start_new_session=True)
        try:
            self.wait_ready(timeout)
        except BaseException:  # not ready, or interrupted meanwhile: never leave it running behind us
            self.stop()
            raise

    def wait_ready(self, timeout: float) -> None:
        wait_for_server(self.url, timeout, alive=lambda: self.proc.poll() is None)

    def cpu_seconds(self, fields=(11, 12)) -> float:
        """CPU time (user + system by default) of the server's processes, gunicorn arbiter and worker."""
        children = subprocess.run(["pgrep", "-P", str(self.proc.pid)], capture_output=True, text=True).stdout.split()
        total = 0
        for pid in [str(self.proc.pid), *children]:
            try:
                stat = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += sum(int(stat[i]) for i in fields)
        return total / os.sysconf("SC_CLK_TCK")

    def kill(self) -> None:
        """SIGKILL the whole server (arbiter and worker): nothing is shut down cleanly."""
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()
