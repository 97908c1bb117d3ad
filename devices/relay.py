"""Door signal: an optional serial relay (light or bell) switched when the doors close and when the épreuve ends.

A relay failure raises an alert and never reaches the caller: closing the doors must never be blocked (R3).
`check()` tells whether the relay is there between two signals (its line opens and answers the kernel), so that
an unplugged relay is seen at once, not at the next signal hours later.
"""

from __future__ import annotations

import errno
import logging
import os
import threading

import serial

from devices.config import RelayConfig
from devices.hooks import AlertSink, deliver, log_alert
from devices.serial_link import (
    SERIAL_ERRORS,
    SerialFactory,
    close_quietly,
    french_reason,
    is_device_path,
    open_serial,
)

log = logging.getLogger(__name__)
WHAT = {"doors_closed": "la fermeture des portes", "epreuve_end": "la fin de l'épreuve"}


class DoorRelay:
    """Send the configured command bytes to a serial relay board; reopen the line once if it died."""

    def __init__(self, config: RelayConfig, *, on_alert: AlertSink = log_alert,
                 serial_factory: SerialFactory = serial.serial_for_url):
        self.config = config
        self.name = config.name
        self.on_alert = on_alert
        self._factory = serial_factory
        self._port = None
        self._lock = threading.Lock()
        self.last_error: str | None = None  # French, for the console

    def doors_closed(self) -> bool:
        """Signal the fermeture des portes; True when the relay took the command."""
        return self.signal("doors_closed")

    def epreuve_ended(self) -> bool:
        """Signal the end of the épreuve; True when the relay took the command."""
        return self.signal("epreuve_end")

    def signal(self, kind: str) -> bool:
        """Send the bytes configured for `kind` (doors_closed | epreuve_end); False and an alert on failure."""
        command = getattr(self.config, kind)
        if not command:
            return True
        if self._switch(command):
            return True
        deliver(self.on_alert, "relais",
                f"Signal de porte « {self.name} » non déclenché pour {WHAT[kind]} ({self.last_error}) : "
                f"prévenez les candidats de vive voix.")
        return False

    def check(self) -> bool:
        """Is the relay there? Opens its line if needed; False (and `last_error`) when it is gone."""
        with self._lock:
            try:
                self._ensure_open()
                self._port.in_waiting  # an ioctl on the line: fails once the device is gone
            except SERIAL_ERRORS as exc:
                self._lost(exc)
                return False
            self.last_error = None
            return True

    def close(self) -> None:
        with self._lock:
            close_quietly(self._port)
            self._port = None

    def _switch(self, command: bytes) -> bool:
        with self._lock:
            for _ in range(2):  # a stale line (relay unplugged and replugged) gets one reopen
                try:
                    self._ensure_open()
                    self._port.write(command)
                    self._port.flush()
                    self.last_error = None
                    return True
                except SERIAL_ERRORS as exc:
                    log.warning("relais %s : %s", self.name, exc)
                    self._lost(exc)
        return False

    def _ensure_open(self) -> None:
        url = self.config.url
        if self._port is not None and is_device_path(url) and not os.path.exists(url):
            raise serial.SerialException(errno.ENOENT, f"{url} disappeared")  # unplugged: udev removed its name
        if self._port is None:
            self._port = open_serial(url, self.config.baudrate, self.config.timeout, self._factory)

    def _lost(self, exc: BaseException) -> None:
        close_quietly(self._port)
        self._port = None
        self.last_error = french_reason(exc)
