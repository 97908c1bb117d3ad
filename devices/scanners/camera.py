"""Camera scanner: OpenCV frames on their own thread, decoded, each new code handed to a sink."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Callable

import cv2

from devices.backoff import Backoff
from devices.scanners.common import CodeSink, Debouncer, StatusSink, deliver, log_status
from devices.scanners.decoders import Decoder, make_decoder
from devices.worker import Worker


class CameraScanner(Worker):
    """Read frames from a camera index or a video file and pass each decoded code to `on_code`.

    A video file is read once to its end (tests, replays); a camera is reopened with backoff
    when it stops delivering frames. Without an injected clock, a video file is timed by its
    own frame timestamps, so the 1-second de-duplication is deterministic.
    """

    def __init__(
        self,
        source: int | str,
        on_code: CodeSink,
        *,
        decoder: Decoder | None = None,
        on_status: StatusSink = log_status,
        clock: Callable[[], float] | None = None,
        dedupe_seconds: float = 1.0,
        backoff: Backoff | None = None,
        capture_factory: Callable = cv2.VideoCapture,
    ):
        super().__init__(f"camera-{source}")
        self.source = source
        self.on_code = on_code
        self.on_status = on_status
        self.decoder = decoder or make_decoder()
        self.is_file = isinstance(source, str) and Path(source).is_file()
        self._capture_factory = capture_factory
        self._capture = None
        self._clock = clock or (self._video_time if self.is_file else time.monotonic)
        self.debouncer = Debouncer(dedupe_seconds, self._clock)
        self.backoff = backoff or Backoff(0.5, 5.0)
        self.frames = 0

    def _video_time(self) -> float:
        return (self._capture.get(cv2.CAP_PROP_POS_MSEC) if self._capture else 0.0) / 1000.0

    def run(self) -> None:
        """The frame loop; returns at the end of a video file or when stopped."""
        try:
            while not self._stop.is_set():
                if not self._open():
                    if self.is_file or self.backoff.wait(self._stop):
                        return
                    continue
                self._read_until_failure()
                if self.is_file:
                    return
                deliver(self.on_status, False, f"La caméra {self.source} ne fournit plus d'images : reconnexion…")
        finally:
            self._release()

    def _open(self) -> bool:
        self._release()
        capture = self._capture_factory(self.source)
        if not capture.isOpened():
            capture.release()
            deliver(self.on_status, False, f"Caméra {self.source} introuvable ou occupée.")
            return False
        self._capture = capture
        self.backoff.reset()
        deliver(self.on_status, True, f"Caméra {self.source} prête.")
        return True

    def _read_until_failure(self) -> None:
        while not self._stop.is_set():
            ok, frame = self._capture.read()
            if not ok or frame is None:
                return
            self.frames += 1
            self.process_frame(frame)

    def process_frame(self, frame) -> list[str]:
        """Decode one frame (BGR or grayscale) and forward the codes not seen in the last second."""
        gray = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY) if frame.ndim == 3 else frame
        fresh = [code for code in self.decoder.decode(gray) if self.debouncer.accept(code)]
        for code in fresh:
            deliver(self.on_code, code)
        return fresh

    def _release(self) -> None:
        if self._capture is not None:
            self._capture.release()
            self._capture = None

