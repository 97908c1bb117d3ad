"""The accueil borne (R6): a candidat without convocation finds it and gets a replacement printed. The borne's
commands are salle.commands.kiosk; here are its API, its page and its printer."""

from __future__ import annotations

import os

DEFAULT_LOOKUP_LIMIT = "20/minute"
DEFAULT_PRINT_LIMIT = "6/minute"  # per borne: a candidat spends about a minute of taps on one print
DEFAULT_PRINT_LIMIT_CANDIDAT = "3/day"  # per numéro, whichever borne


def register(app) -> list:
    """Everything the kiosk adds to the server: its API, its page and the printer. Returns its API blueprints
    (for the OpenAPI document).

    Config: KIOSK_PRINTER (printer object, devices PrinterConfig, dict, or « devices.toml[#name] »; env
    SALLE_KIOSK_PRINTER; else the `[printers.accueil]` section of the server's DEVICES, or its only printer),
    KIOSK_LOOKUP_LIMIT (« 20/minute »; env SALLE_KIOSK_LOOKUP_LIMIT), KIOSK_PRINT_LIMIT (per borne,
    « 6/minute »), KIOSK_PRINT_LIMIT_CANDIDAT (per numéro, « 3/day »), KIOSK_IDLE_SECONDS (back to the welcome
    screen, 30), KIOSK_IDLE_WARNING_SECONDS (announced before, 10), KIOSK_PRINT_WAIT, KIOSK_PRINT_ATTEMPTS,
    KIOSK_PRINT_BACKOFF, KIOSK_SPOOL_DB."""
    from . import api, pages, printing

    app.config.setdefault("KIOSK_PRINTER", os.environ.get("SALLE_KIOSK_PRINTER") or None)
    if app.config["KIOSK_PRINTER"] is None:  # the production unit only names devices.toml
        app.config["KIOSK_PRINTER"] = printing.printer_from_devices(app.config.get("DEVICES"))
    app.config.setdefault("KIOSK_LOOKUP_LIMIT", os.environ.get("SALLE_KIOSK_LOOKUP_LIMIT") or DEFAULT_LOOKUP_LIMIT)
    app.config.setdefault("KIOSK_PRINT_LIMIT", os.environ.get("SALLE_KIOSK_PRINT_LIMIT") or DEFAULT_PRINT_LIMIT)
    app.config.setdefault("KIOSK_PRINT_LIMIT_CANDIDAT",
                          os.environ.get("SALLE_KIOSK_PRINT_LIMIT_CANDIDAT") or DEFAULT_PRINT_LIMIT_CANDIDAT)
    app.config.setdefault("KIOSK_IDLE_SECONDS", 30)
    app.config.setdefault("KIOSK_IDLE_WARNING_SECONDS", 10)
    app.register_blueprint(api.bp)
    app.register_blueprint(pages.bp)
    app.extensions["kiosk.printer"] = printing.from_config(app, app.extensions["salle.day"])
    return [api.bp]
