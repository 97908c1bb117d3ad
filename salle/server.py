"""Run the server the way the Flask-SocketIO documentation says for production: gunicorn, one worker,
many threads (one per open websocket), with simple-websocket underneath."""

from __future__ import annotations

import logging

from gunicorn.app.base import BaseApplication


class _Gunicorn(BaseApplication):
    def __init__(self, factory, options: dict):
        self.factory = factory
        self.options = options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        return self.factory()


def serve(factory, host: str = "127.0.0.1", port: int = 8000, threads: int = 256, access_log: bool = False) -> None:
    """Blocks serving `factory()` (called in the worker, after the fork) until stopped."""
    options = {
        "bind": f"{host}:{port}",
        "workers": 1,  # never more without a message queue (Flask-SocketIO)
        "worker_class": "gthread",
        "threads": threads,
        "timeout": 0,  # websockets stay open for the day
        "graceful_timeout": 5,
        "keepalive": 30,
        "loglevel": "warning",
        "accesslog": "-" if access_log else None,
    }
    logging.getLogger("gunicorn.error").setLevel(logging.WARNING)
    _Gunicorn(factory, options).run()
