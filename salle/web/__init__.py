"""Flask application factory: the API, live updates over Socket.IO, and the staff pages."""

from __future__ import annotations

import re
from pathlib import Path

from flask import Flask, request
from flask_socketio import SocketIO

import kiosk

from ..clock import SystemClock
from ..day import ExamDay


def create_app(config: dict | None = None) -> Flask:
    """Build the whole server on one SQLite file. Config keys: DB_PATH (required), CLOCK (a clock object,
    default the system clock), DOORKEEPER (close doors at the set time by itself, default True), DEVICES
    (a devices.config.DevicesConfig: door scanners, relays and the borne's printer to run with the server),
    RELAY_WATCH_SECONDS (how often a relay is checked between signals, 2), SIGNIN_DEVICE_LIMIT and
    SIGNIN_CODE_LIMIT (failed sign-ins, flask-limiter tiers, longest first: the first one hit names the wait),
    SIGNIN_ALERT_AFTER and SIGNIN_LOCK_AFTER (failures
    from one address within an hour before a console alert, before a right code is locked), TOKEN_IDLE_MINUTES."""
    app = Flask(__name__, static_folder="static", template_folder="templates")
    app.config.update(DOORKEEPER=True, JSON_SORT_KEYS=False, MAX_CONTENT_LENGTH=8 * 1024 * 1024,
                      SIGNIN_DEVICE_LIMIT="30 per day;10 per hour;3 per minute",
                      SIGNIN_CODE_LIMIT="10 per hour;3 per minute",
                      SIGNIN_ALERT_AFTER=5, SIGNIN_LOCK_AFTER=5, TOKEN_IDLE_MINUTES=240)
    app.config.update(config or {})
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    db_path = app.config.get("DB_PATH")
    if not db_path:
        raise RuntimeError("create_app needs DB_PATH")
    clock = app.config.get("CLOCK") or SystemClock()
    day = ExamDay(Path(db_path), clock)
    day.session  # refuse to start on a file without a session
    day.token_idle_minutes = float(app.config["TOKEN_IDLE_MINUTES"])
    day.signin_alert_after, day.signin_lock_after = app.config["SIGNIN_ALERT_AFTER"], app.config["SIGNIN_LOCK_AFTER"]
    app.extensions["salle.day"] = day

    socketio = SocketIO(app, async_mode="threading", cors_allowed_origins=None, json=app.json)
    app.extensions["salle.socketio"] = socketio

    from . import api, api_documents, api_salle, live, pages, pages_salle

    app.register_blueprint(api.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(api_salle.bp)  # issue 5: the salle at work
    app.register_blueprint(pages_salle.bp)  # issue 5: tablet and console pages
    app.register_blueprint(api_documents.bp)  # the papers before the day
    kiosk.register(app)  # the accueil borne (issue 7)
    api.limit_sign_in(app, app.extensions["kiosk.limiter"])  # issue 16: the same flask-limiter
    live.init(app, socketio, day)
    devices = app.config.get("DEVICES")
    if devices is not None:
        from .hardware import SiteDevices

        app.extensions["salle.devices"] = SiteDevices(day, socketio, devices,
                                                      relay_watch=app.config.get("RELAY_WATCH_SECONDS", 2.0)).start()
    app.after_request(security_headers)
    if app.config["DOORKEEPER"]:
        day.start_doorkeeper(period=max(0.05, min(0.5, 0.5 / clock.speed)))
    return app


HOST = re.compile(r"[A-Za-z0-9.\-\[\]:]{1,255}")


def content_security_policy(host: str) -> str:
    """Scripts, styles, images and connections from the app itself (no inline script or style anywhere),
    Socket.IO's websocket on the same host, and never inside a frame."""
    websocket = f" ws://{host} wss://{host}" if HOST.fullmatch(host) else ""
    return ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
            f"connect-src 'self'{websocket}; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")


def security_headers(response):
    """On every answer, pages and API alike (issue 16): the staff tokens in localStorage stay the app's own."""
    response.headers["Content-Security-Policy"] = content_security_policy(request.host)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Frame-Options"] = "DENY"
    return response


def day_of(app: Flask) -> ExamDay:
    return app.extensions["salle.day"]


def socketio_of(app: Flask) -> SocketIO:
    return app.extensions["salle.socketio"]
