"""The accueil kiosk (R6): a candidat without convocation finds it and gets a replacement printed."""

from __future__ import annotations

import os

DEFAULT_LOOKUP_LIMIT = "20/minute"


def register(app) -> None:
    """Everything the kiosk adds to the server: its API, its page, the rate limit and the printer.

    Config: KIOSK_PRINTER (printer object, devices PrinterConfig, dict, or « devices.toml[#name] »; env
    SALLE_KIOSK_PRINTER; else the `[printers.accueil]` section of the server's DEVICES, or its only printer),
    KIOSK_LOOKUP_LIMIT (« 20/minute »; env SALLE_KIOSK_LOOKUP_LIMIT), KIOSK_IDLE_SECONDS
    (back to the welcome screen, 30), KIOSK_PRINT_WAIT, KIOSK_PRINT_ATTEMPTS, KIOSK_PRINT_BACKOFF, KIOSK_SPOOL_DB."""
    from flask_limiter import Limiter

    from . import api, pages, printing

    app.config.setdefault("KIOSK_PRINTER", os.environ.get("SALLE_KIOSK_PRINTER") or None)
    if app.config["KIOSK_PRINTER"] is None:  # the production unit only names devices.toml (issue 17)
        app.config["KIOSK_PRINTER"] = printing.printer_from_devices(app.config.get("DEVICES"))
    app.config.setdefault("KIOSK_LOOKUP_LIMIT", os.environ.get("SALLE_KIOSK_LOOKUP_LIMIT") or DEFAULT_LOOKUP_LIMIT)
    app.config.setdefault("KIOSK_IDLE_SECONDS", 30)
    limiter = Limiter(api.rate_limit_key, app=app, storage_uri="memory://", default_limits=[],
                      headers_enabled=True)
    # Only a kiosk's lookups count: anyone else gets the view's 401 or 403 first, never a 429 (issue 16).
    limiter.limit(lambda: app.config["KIOSK_LOOKUP_LIMIT"], exempt_when=api.not_a_kiosk)(api.lookup_bp)
    # Only the lookups pay for the limit check, not every scan of the day: flask-limiter installs it on the
    # whole app (0.17 ms a request on the tablets' hot path); it moves to the lookup blueprint.
    app.before_request_funcs[None].remove(limiter._check_request_limit)
    app.before_request_funcs.setdefault(api.lookup_bp.name, []).append(limiter._check_request_limit)
    app.extensions["kiosk.limiter"] = limiter
    app.register_blueprint(api.lookup_bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(pages.bp)
    app.extensions["kiosk.printer"] = printing.from_config(app, app.extensions["salle.day"])
