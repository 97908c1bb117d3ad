"""Calling the hooks Salle gives to devices (sinks, alerts, journal) so that they never stop a device loop."""

from __future__ import annotations

import logging
from typing import Callable

log = logging.getLogger(__name__)
StatusSink = Callable[[bool, str], None]
AlertSink = Callable[[str, str], None]
RecordSink = Callable[[str, dict], None]


def deliver(sink: Callable, *args) -> bool:
    """Call a hook; if it fails, log it and return False: a device loop keeps running whatever the hook does."""
    try:
        sink(*args)
    except Exception:  # the hook is someone else's code
        log.exception("le traitement de %r a échoué", args)
        return False
    return True


def log_status(online: bool, message_fr: str) -> None:
    """Default status hook: the log."""
    log.info("%s : %s", "en ligne" if online else "hors ligne", message_fr)


def log_alert(kind: str, message_fr: str) -> None:
    """Default alert hook: the log."""
    log.warning("alerte %s : %s", kind, message_fr)
