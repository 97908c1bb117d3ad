"""Opening a serial line from a pyserial URL, always with a timeout; shared by scanners and relays."""

from __future__ import annotations

from typing import Callable

import serial

# What a serial line raises when the device is missing, unplugged, busy or misconfigured.
SERIAL_ERRORS = (serial.SerialException, OSError, ValueError)
SerialFactory = Callable[..., serial.SerialBase]


def open_serial(url: str, baudrate: int = 9600, timeout: float = 0.2,
                factory: SerialFactory = serial.serial_for_url) -> serial.SerialBase:
    """Open `url` (/dev/ttyACM0, socket://host:port, loop://…); raises one of SERIAL_ERRORS."""
    assert timeout is not None and timeout > 0, "a serial line always needs a timeout"
    return factory(url, baudrate=baudrate, timeout=timeout, write_timeout=timeout)


def close_quietly(port) -> None:
    """Close a port that may already be dead."""
    if port is None:
        return
    try:
        port.close()
    except SERIAL_ERRORS:
        pass
