"""Door signal: an optional serial relay (light or bell) switched when the doors close and when the épreuve ends.

A relay failure raises an alert and never reaches the caller: closing the doors must never be blocked (R3).
"""

from __future__ import annotations

import logging
import threading

import serial

from devices.config import RelayConfig
from devices.hooks import AlertSink, deliver, log_alert
from devices.serial_link import SERIAL_ERRORS, SerialFactory, close_quietly, open_serial

log = logging.getLogger(__name__)


class DoorRelay:
    """Send the configured command bytes to a serial relay board; reopen the line once if it died."""

    def __init__(self, config: RelayConfig, *, on_alert: AlertSink = log_alert,
                 serial_factory: SerialFactory = serial.serial_for_url):
        self.config = config
        self.on_alert = on_alert
        self._factory = serial_factory
        self._port = None
        self._lock = threading.Lock()

    def doors_closed(self) -> bool:
        """Signal the fermeture des portes; True when the relay took the command."""
        return self._switch(self.config.doors_closed, "la fermeture des portes")

    def epreuve_ended(self) -> bool:
        """Signal the end of the épreuve; True when the relay took the command."""
        return self._switch(self.config.epreuve_end, "la fin de l'épreuve")

    def close(self) -> None:
        with self._lock:
            close_quietly(self._port)
            self._port = None

    def _switch(self, command: bytes, what: str) -> bool:
        if not command:
            return True
        with self._lock:
            for _ in range(2):  # a stale line (relay unplugged and replugged) gets one reopen
                try:
                    self._write(command)
                    return True
                except SERIAL_ERRORS as exc:
                    log.warning("relais %s : %s", self.config.name, exc)
                    close_quietly(self._port)
                    self._port = None
                    error = exc
        deliver(self.on_alert, "relais",
                f"Signal de porte « {self.config.name} » non déclenché pour {what} ({error}) : "
                f"prévenez les candidats de vive voix.")
        return False

    def _write(self, command: bytes) -> None:
        if self._port is None:
            self._port = open_serial(self.config.url, self.config.baudrate, self.config.timeout, self._factory)
        self._port.write(command)
        self._port.flush()
