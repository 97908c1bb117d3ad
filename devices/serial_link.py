"""Opening a serial line from a pyserial URL, always with a timeout and, for a device node, exclusively;
shared by scanners and relays. Also: who holds a port, and pyserial's errors said in French."""

from __future__ import annotations

import errno
import os
from typing import Callable

import serial

# What a serial line raises when the device is missing, unplugged, busy or misconfigured.
SERIAL_ERRORS = (serial.SerialException, OSError, ValueError)
SerialFactory = Callable[..., serial.SerialBase]


class PortBusy(serial.SerialException):
    """Another program holds the port (pyserial's exclusive lock); the message names it, in French."""

    def __init__(self, url: str, holders: list[tuple[int, str]]):
        self.url, self.holders = url, holders
        who = ", ".join(f"le processus {pid} ({command})" for pid, command in holders) or "un autre programme"
        super().__init__(f"le port {url} est déjà utilisé par {who} : un port série ne se lit que par un "
                         "programme à la fois")


def is_device_path(url: str) -> bool:
    """A device node (/dev/ttyACM0, a pty link), as opposed to a pyserial URL (socket://, loop://, rfc2217://)."""
    return "://" not in url


def open_serial(url: str, baudrate: int = 9600, timeout: float = 0.2,
                factory: SerialFactory = serial.serial_for_url) -> serial.SerialBase:
    """Open `url` (/dev/ttyACM0, socket://host:port, loop://…); raises one of SERIAL_ERRORS.

    A device node is opened exclusively (pyserial's flock): a second program gets PortBusy naming the holder
    instead of splitting the scanner's bytes with it (issue 17)."""
    assert timeout is not None and timeout > 0, "a serial line always needs a timeout"
    options = {"baudrate": baudrate, "timeout": timeout, "write_timeout": timeout}
    if is_device_path(url):
        options["exclusive"] = True
    try:
        return factory(url, **options)
    except serial.SerialException as exc:
        if "exclusively lock" in str(exc) or exc.errno in (errno.EAGAIN, errno.EWOULDBLOCK, errno.EBUSY):
            raise PortBusy(url, port_holders(url)) from exc
        raise


def port_holders(path: str) -> list[tuple[int, str]]:
    """(pid, command line) of the processes holding a lock on the device `path` (/proc/locks), else of those
    that have it open (/proc/*/fd), this process excepted."""
    try:
        st = os.stat(path)
    except OSError:
        return []
    key = f"{os.major(st.st_dev):02x}:{os.minor(st.st_dev):02x}:{st.st_ino}"
    pids = []
    try:
        with open("/proc/locks", encoding="ascii", errors="replace") as locks:
            for line in locks:
                fields = line.split()
                if key in fields and "->" not in fields:
                    pids.append(int(fields[fields.index(key) - 1]))
    except (OSError, ValueError):
        pass
    if not pids:
        pids = _pids_with_open(os.path.realpath(path))
    return [(pid, _command(pid)) for pid in dict.fromkeys(pids) if pid != os.getpid()]


def _pids_with_open(real: str) -> list[int]:
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
            if any(os.readlink(f"/proc/{pid}/fd/{fd}") == real for fd in fds):
                found.append(int(pid))
        except OSError:
            continue
    return found


def _command(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            words = f.read().rstrip(b"\0").split(b"\0")
    except OSError:
        return "?"
    text = " ".join(os.path.basename(w.decode(errors="replace")) if i == 0 else w.decode(errors="replace")
                    for i, w in enumerate(words))
    return text[:80] + ("…" if len(text) > 80 else "")


def french_reason(exc: BaseException) -> str:
    """What went wrong with a serial line, in French (pyserial's own messages are English)."""
    if isinstance(exc, PortBusy):
        return str(exc)
    number = getattr(exc, "errno", None)
    text = str(exc)
    if number == errno.ENOENT or "No such file" in text:
        return "périphérique absent (débranché ?)"
    if number in (errno.EACCES, errno.EPERM) or "Permission denied" in text:
        return "accès refusé (le service doit être du groupe « salle », voir deploy/udev)"
    if number == errno.EIO or "returned no data" in text or "Input/output" in text:
        return "le périphérique a cessé de répondre (débranché ?)"
    if number in (errno.ENXIO, errno.ENODEV):
        return "périphérique disparu (débranché ?)"
    if isinstance(exc, serial.SerialTimeoutException) or "timeout" in text.lower():
        return "le périphérique ne répond pas (délai dépassé)"
    if isinstance(exc, ValueError):
        return "réglage de la liaison série invalide (vitesse, URL)"
    if "refused" in text.lower():
        return "connexion refusée"
    return "erreur de la liaison série"


def close_quietly(port) -> None:
    """Close a port that may already be dead."""
    if port is None:
        return
    try:
        port.close()
    except SERIAL_ERRORS:
        pass
