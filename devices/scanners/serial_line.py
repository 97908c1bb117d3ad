"""Serial scanner: one code per line (CR, LF or CRLF) on any pyserial URL, reconnecting by itself."""

from __future__ import annotations

import logging
import time
from typing import Callable

import serial

from devices.backoff import Backoff
from devices.scanners.common import CodeSink, Debouncer, StatusSink, deliver, log_status
from devices.serial_link import SERIAL_ERRORS, SerialFactory, close_quietly, french_reason, open_serial
from devices.worker import Worker

log = logging.getLogger(__name__)
MAX_LINE = 512


class LineSplitter:
    """Bytes in, clean codes out: lines ended by CR or LF; garbage (binary, non-UTF-8, too long) dropped."""

    def __init__(self, max_line: int = MAX_LINE):
        self.max_line = max_line
        self._buffer = bytearray()
        self._overflow = False

    def feed(self, data: bytes) -> list[str]:
        codes = []
        for byte in data:
            if byte in (0x0A, 0x0D):
                code = self._end_line()
                if code:
                    codes.append(code)
            elif len(self._buffer) >= self.max_line:
                self._overflow = True
            else:
                self._buffer.append(byte)
        return codes

    def _end_line(self) -> str | None:
        raw, overflow = bytes(self._buffer), self._overflow
        self._buffer.clear()
        self._overflow = False
        if overflow:
            log.warning("ligne série trop longue ignorée (%d octets et plus)", self.max_line)
            return None
        try:
            text = raw.decode("utf-8").strip()
        except UnicodeDecodeError:
            log.warning("ligne série illisible ignorée : %r", raw[:64])
            return None
        if not text.isprintable():
            log.warning("ligne série avec caractères de contrôle ignorée : %r", raw[:64])
            return None
        return text or None


class SerialScanner(Worker):
    """Read codes from a serial scanner on its own thread; report unplug/replug through `on_status`."""

    def __init__(
        self,
        url: str,
        on_code: CodeSink,
        *,
        name: str | None = None,
        on_status: StatusSink = log_status,
        baudrate: int = 9600,
        timeout: float = 0.2,
        dedupe_seconds: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        backoff: Backoff | None = None,
        serial_factory: SerialFactory = serial.serial_for_url,
    ):
        self.url = url
        self.name = name or url
        super().__init__(f"scanner-{self.name}")
        self.on_code = on_code
        self.on_status = on_status
        self.baudrate = baudrate
        self.timeout = timeout
        self.debouncer = Debouncer(dedupe_seconds, clock)
        self.backoff = backoff or Backoff(0.2, 5.0)
        self._factory = serial_factory
        self.online: bool | None = None
        self.last_message = ""
        self.port = None

    def run(self) -> None:
        """Open, read lines, and on any line failure close and reopen with backoff, until stopped."""
        while not self._stop.is_set():
            try:
                self.port = open_serial(self.url, self.baudrate, self.timeout, self._factory)
            except SERIAL_ERRORS as exc:
                self._set_online(False, f"Lecteur {self.name} injoignable : {french_reason(exc)} ; nouvel essai "
                                        "automatique…")
                self.backoff.wait(self._stop)
                continue
            self.backoff.reset()
            self._set_online(True, f"Lecteur {self.name} connecté.")
            try:
                self._read_lines(self.port)
            except SERIAL_ERRORS as exc:
                self._set_online(False, f"Lecteur {self.name} perdu : {french_reason(exc)} ; reconnexion "
                                        "automatique…")
            finally:
                close_quietly(self.port)
                self.port = None

    def _read_lines(self, port) -> None:
        splitter = LineSplitter()
        while not self._stop.is_set():
            data = port.read(max(1, port.in_waiting))
            for code in splitter.feed(data):
                if self.debouncer.accept(code):
                    deliver(self.on_code, code)

    def _set_online(self, online: bool, message_fr: str) -> None:
        self.last_message = message_fr
        if online != self.online:
            self.online = online
            deliver(self.on_status, online, message_fr)
