"""The server assembled: the day, the API blueprints, live updates, the pages, the borne (kiosk) and the site's
devices. This is the one place where the core meets `kiosk/` and `devices/`: they use the core, the core never
imports them."""

from __future__ import annotations

import re
from pathlib import Path

from flask import Flask, current_app, has_request_context, request
from flask_socketio import SocketIO

import kiosk
from devices.scanners.still_images import decode_image
from devices.site import ServerProbe, SiteDevices

from ..clock import SystemClock
from ..commands.doors import start_doorkeeper
from ..day import ExamDay
from ..reseau.autres_sites import OtherSites
from ..reseau.publication import Publisher
from ..reseau.secours import Fence, Standby, StandbyAcks
from ..reseau.service import FileOtherSites, file_link_status, process_link_status
from . import arrivals, devices, doors, emargement, incidents, live, movements, openapi, orals, pages, papers, salles
from . import secours, session, staff
from .http import install_errors
from .limits import Limits

API_BLUEPRINTS = [session.bp, staff.bp, salles.bp, arrivals.bp, movements.bp, doors.bp, emargement.bp,
                  incidents.bp, orals.bp, papers.bp, devices.bp]


def create_app(config: dict | None = None) -> Flask:
    """Build the whole server on one SQLite file. Config keys: DB_PATH (required), CLOCK (a clock object,
    default the system clock), DOORKEEPER (close doors at the set time by itself, default True), DEVICES
    (a devices.config.DevicesConfig: door scanners, relays and the borne's printer to run with the server),
    RELAY_WATCH_SECONDS (how often a relay is checked between signals, 2), SIGNIN_DEVICE_LIMIT and
    SIGNIN_CODE_LIMIT (failed sign-ins, `limits` tiers, longest first: the first one hit names the wait),
    SIGNIN_ALERT_AFTER and SIGNIN_LOCK_AFTER (failures from one address within an hour before a console alert,
    before a right code is locked), TOKEN_IDLE_MINUTES, SECOURS (on the site's standby laptop, {"principal": the
    main's address}: it copies the site's stream and takes no command until promoted, salle/reseau/secours.py),
    RESEAU (with a [reseau] section in the session file:
    True, the default, publish the journal and read the other sites from threads of this process; "processus", a
    `salle reseau` process does it beside the server (salle serve); False, neither); the borne's KIOSK_* keys
    (kiosk.register)."""
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
    app.extensions["salle.decode_image"] = decode_image
    app.extensions["salle.server_probe"] = lambda: ServerProbe(app)

    # async_handlers=False: a client's events are handled in its own connection's thread, one after the other (a
    # tablet's previews), not each in a new thread with a new SQLite reader (0.5 ms a preview, measured).
    standby = app.config.get("SECOURS")
    origins = {secours.origin(standby["principal"])} if standby and standby.get("principal") else set()
    socketio = SocketIO(app, async_mode="threading", cors_allowed_origins=secours.socket_origins(origins) if standby
                        else None, json=app.json, async_handlers=False)
    app.extensions["salle.socketio"] = socketio

    install_errors(app)
    app.extensions["salle.limits"] = Limits()  # the sign-in's and the borne's rate limits, called by those routes
    for bp in API_BLUEPRINTS:
        app.register_blueprint(bp)
    app.register_blueprint(pages.bp)
    api_blueprints = [*API_BLUEPRINTS, *kiosk.register(app)]
    if standby:
        app.register_blueprint(secours.bp)
        app.register_blueprint(secours.page_bp)
        api_blueprints.append(secours.bp)
        app.after_request(secours.cors(origins))
    else:
        app.register_blueprint(secours.main_bp)
        api_blueprints.append(secours.main_bp)
    app.extensions["salle.openapi"] = openapi.document(api_blueprints)
    live.init(app, socketio, day)
    site_devices = app.config.get("DEVICES")
    if site_devices is not None:
        app.extensions["salle.devices"] = SiteDevices(
            day, site_devices, on_read=lambda salle, answer, scanner: live.scan_read(app, salle, answer, scanner),
            relay_watch=app.config.get("RELAY_WATCH_SECONDS", 2.0)).start()
    app.after_request(security_headers)
    reseau = day.session.reseau
    if reseau is not None and reseau.acquittement == "secours" and not standby:  # issue 15: durable twice
        app.extensions["salle.acquittements"] = acks = StandbyAcks(day, reseau).start()
        app.after_request(secours.acknowledged_by_standby(acks))
    if reseau is not None and reseau.secours and not standby:  # fenced once the standby says it is promoted
        app.extensions["salle.veille_secours"] = Fence(day, reseau, may_write=signing_in).start()
    if standby:  # the door's work starts with the promotion
        if day.session.reseau is None:
            raise RuntimeError("Portable de secours : la session n'a pas de section [reseau] (site, nats).")
        app.extensions["salle.secours"] = Standby(day, day.session.reseau, standby.get("principal"),
                                                  on_promoted=lambda: start_door_work(app)).start()
        if app.extensions["salle.secours"].promotion is not None:
            start_door_work(app)
    else:
        start_door_work(app)
    return app


def start_door_work(app) -> None:
    """What a serving laptop runs beside the requests: the journal to NATS and the other sites read, the doors
    closed at their time."""
    day, reseau = app.extensions["salle.day"], app.config.get("RESEAU", True)
    if day.session.reseau is not None and reseau == "processus":  # salle serve runs them in `salle reseau`
        day.other_sites = FileOtherSites(day)
        app.extensions["salle.liaison"] = lambda: file_link_status(day)
    elif day.session.reseau is not None and reseau:  # issue 15: the journal to NATS, the other sites' entries
        publisher = app.extensions["salle.reseau"] = Publisher(day, day.session.reseau).start()
        others = app.extensions["salle.autres_sites"] = OtherSites(day, day.session.reseau).start()
        app.extensions["salle.liaison"] = lambda: process_link_status(day, publisher, others)
    if app.config["DOORKEEPER"]:
        start_doorkeeper(day, period=max(0.05, min(0.5, 0.5 / day.clock.speed)))


def signing_in() -> bool:
    """A sign-in or a sign-out, which a main unsure of its standby's promotion still takes (Fence)."""
    return has_request_context() and request.path in ("/api/v1/auth/login", "/api/v1/auth/logout")


HOST = re.compile(r"[A-Za-z0-9.\-\[\]:]{1,255}")


def content_security_policy(host: str, standby: str | None = None) -> str:
    """Scripts, styles, images and connections from the app itself (no inline script or style anywhere),
    Socket.IO's websocket on the same host (and the site's standby laptop, where a tablet moves by itself), and
    never inside a frame."""
    websocket = f" ws://{host} wss://{host}" if HOST.fullmatch(host) else ""
    if standby:
        scheme, address = standby.split("://", 1)
        websocket += f" {standby} {'wss' if scheme == 'https' else 'ws'}://{address}"
    return ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
            f"connect-src 'self'{websocket}; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")


def security_headers(response):
    """On every answer, pages and API alike: the staff tokens in localStorage stay the app's own."""
    day = current_app.extensions.get("salle.day")  # None: the siège's console (salle/web/siege.py)
    reseau = day.session.reseau if day is not None else None
    standby = reseau.secours if reseau is not None and "salle.secours" not in current_app.extensions else None
    response.headers["Content-Security-Policy"] = content_security_policy(request.host, standby)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Frame-Options"] = "DENY"
    return response
