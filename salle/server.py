"""Run the server the way the Flask-SocketIO documentation says for production: gunicorn, one worker,
many threads (one per open websocket), with simple-websocket underneath."""

from __future__ import annotations

import gc
import html
import json
import logging
import os
import select
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from gunicorn import util
from gunicorn.app.base import BaseApplication
from gunicorn.workers.gthread import ThreadWorker

from .ports import free_port


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
        if getattr(conn.sock, "pending", None) and conn.sock.pending():  # https: already decrypted, not polled
            return True
        if self._busy > self.cfg.threads * 3 // 4:
            return False
        poller = select.poll()
        poller.register(conn.sock, select.POLLIN)
        return bool(poller.poll(self.linger * 1000))


    def handle_error(self, req, client, addr, exc):
        """gunicorn's answer to a request it could not read (a request line over 4094 bytes: 414, bad headers:
        400 or 431), with the same status but in French: its own pages are English."""
        captured = _Captured(client)
        super().handle_error(req, captured, addr, exc)  # logs as gunicorn does; its page stays in `captured`
        status = captured.status() or 500
        message = FRENCH_ERRORS.get(status, FRENCH_ERRORS[400] if status < 500 else FRENCH_ERRORS[500])
        path = getattr(req, "path", "") or ""
        if path.startswith("/api/"):
            body = json.dumps({"erreur": {"code": f"http_{status}", "message": message}}, ensure_ascii=False)
            content_type = "application/json"
        else:
            body = FRENCH_PAGE.format(status=status, message=html.escape(message))
            content_type = "text/html; charset=utf-8"
        data = body.encode("utf-8")
        head = (f"HTTP/1.1 {status} {captured.reason()}\r\nConnection: close\r\nContent-Type: {content_type}\r\n"
                f"Content-Length: {len(data)}\r\n\r\n").encode("latin-1")
        try:
            util.write_nonblock(client, head + data)
        except OSError:
            self.log.debug("Failed to send error message.")


FRENCH_ERRORS = {400: "Requête illisible : rien n'a été enregistré.", 403: "Accès interdit.",
                 414: "Adresse trop longue : rien n'a été enregistré.", 417: "Requête refusée.",
                 431: "En-têtes trop volumineux : rien n'a été enregistré.", 501: "Requête non prise en charge.",
                 500: "Erreur interne du serveur : rien n'a été enregistré. Réessayez ; si cela persiste, "
                      "prévenez le responsable."}
FRENCH_PAGE = ('<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Erreur {status} — Salle</title>'
               '</head><body><h1>{message}</h1><p>Erreur {status}. <a href="/">Retour à l\'accueil de Salle</a></p>'
               '</body></html>')


class _Captured:
    """A client socket whose writes are kept (gunicorn's English error page), everything else passed on."""

    def __init__(self, sock):
        self._sock = sock
        self.data = b""

    def __getattr__(self, name):
        return getattr(self._sock, name)

    def gettimeout(self):
        return 0.0

    def sendall(self, data):
        self.data += data

    def send(self, data):
        self.data += data
        return len(data)

    def _status_line(self) -> list[str]:
        return self.data.split(b"\r\n", 1)[0].decode("latin-1").split(" ", 2)

    def status(self) -> int | None:
        parts = self._status_line()
        return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None

    def reason(self) -> str:
        parts = self._status_line()
        return parts[2] if len(parts) > 2 else "Error"


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


def serve(factory, host: str = "127.0.0.1", port: int = 8000, threads: int = 256, access_log: bool = False,
          certificate: Path | None = None) -> None:
    """Blocks serving `factory()` (called in the worker, after the fork) until stopped; over https with
    `certificate` (one file: the certificate, then its key)."""
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
    if certificate is not None:
        options.update(certfile=str(certificate), keyfile=str(certificate))
    logging.getLogger("gunicorn.error").setLevel(logging.WARNING)
    _Gunicorn(factory, options).run()


def wait_for_server(base_url: str, timeout: float = 30.0, alive=lambda: True, context=None) -> None:
    """Return once the server at `base_url` answers its health check (https: verified with `context`)."""
    from .client import ApiClient

    deadline = time.monotonic() + timeout
    while True:
        try:
            ApiClient(base_url, timeout=2, context=context).request("GET", "/api/v1/health", check=False)  # it is up
            return
        except OSError:
            if not alive() or time.monotonic() > deadline:
                raise RuntimeError(f"le serveur n'a pas démarré sur {base_url}") from None
            time.sleep(0.1)


class ChildServer:
    """`salle serve` as a child process in its own process group (the demo, the tests, the benchmarks)."""

    def __init__(self, db: Path, *, host: str = "127.0.0.1", port: int | None = None, clock: str | None = None,
                 speed: float = 1.0, threads: int = 256, env: dict | None = None, output=subprocess.DEVNULL,
                 timeout: float = 60, command: tuple[str, ...] = ("serve",), context=None):
        """`context`: an ssl context trusting the server's certificate, when it serves https (one beside `db`)."""
        self.port = port or free_port(host)
        self.context = context
        self.url = f"{'https' if context else 'http'}://{host}:{self.port}"
        command = [sys.executable, "-m", "salle", *command, "--db", str(db), "--host", host, "--port", str(self.port),
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
        wait_for_server(self.url, timeout, alive=lambda: self.proc.poll() is None, context=self.context)

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
