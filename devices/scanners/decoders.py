"""Barcode decoders for grayscale frames: zxing-cpp and pyzbar, both restricted to Code 128 and QR."""

from __future__ import annotations

import logging
from typing import Protocol

import numpy as np

log = logging.getLogger(__name__)


class Decoder(Protocol):
    name: str

    def decode(self, gray_frame: np.ndarray) -> list[str]:
        """Every Code 128 / QR payload in the frame; [] when none is readable."""


def as_gray(frame) -> np.ndarray | None:
    """A 2-D uint8 contiguous image from what a camera or a caller hands us; None if it is not an image."""
    import cv2

    if not isinstance(frame, np.ndarray) or frame.size == 0:
        return None
    if frame.dtype != np.uint8:
        if not np.issubdtype(frame.dtype, np.number):
            return None
        frame = np.clip(frame, 0, 255).astype(np.uint8)
    if frame.ndim == 3 and frame.shape[2] in (3, 4):
        frame = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY if frame.shape[2] == 3 else cv2.COLOR_BGRA2GRAY)
    if frame.ndim != 2 or min(frame.shape) < 8:
        return None
    return np.ascontiguousarray(frame)


def _unique(codes) -> list[str]:
    return list(dict.fromkeys(c for c in codes if c))


class ZxingDecoder:
    """zxing-cpp; formats passed as a list (zxing-cpp 3.x)."""

    name = "zxing-cpp"

    def __init__(self):
        import zxingcpp

        self._zxing = zxingcpp
        self._formats = [zxingcpp.BarcodeFormat.Code128, zxingcpp.BarcodeFormat.QRCode]

    def decode(self, gray_frame: np.ndarray) -> list[str]:
        gray = as_gray(gray_frame)
        if gray is None:
            return []
        results = self._zxing.read_barcodes(gray, formats=self._formats)
        return _unique(r.text for r in results if r.valid)


class PyzbarDecoder:
    """pyzbar (libzbar0) limited to CODE128 and QRCODE symbols."""

    name = "pyzbar"

    def __init__(self):
        from pyzbar import pyzbar

        self._pyzbar = pyzbar
        self._symbols = [pyzbar.ZBarSymbol.CODE128, pyzbar.ZBarSymbol.QRCODE]

    def decode(self, gray_frame: np.ndarray) -> list[str]:
        gray = as_gray(gray_frame)
        if gray is None:
            return []
        results = self._pyzbar.decode(gray, symbols=self._symbols)
        return _unique(_text(r.data) for r in results)


def _text(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


class ChainDecoder:
    """Try each decoder in turn until one finds a code: for still images, where time is not short."""

    def __init__(self, decoders: list[Decoder]):
        assert decoders
        self.decoders = decoders
        self.name = " puis ".join(d.name for d in decoders)

    def decode(self, gray_frame: np.ndarray) -> list[str]:
        for decoder in self.decoders:
            codes = decoder.decode(gray_frame)
            if codes:
                return codes
        return []


_ORDER = {"zxing": (ZxingDecoder, PyzbarDecoder), "pyzbar": (PyzbarDecoder, ZxingDecoder)}
DEFAULT = "zxing"  # faster and reads more codes: see devices/README.md, « Décodage »


def make_decoder(name: str = "auto") -> Decoder:
    """The decoder for a camera loop: `name` if it loads, else the other one."""
    first = DEFAULT if name == "auto" else name
    for cls in _ORDER[first]:
        try:
            return cls()
        except ImportError as exc:
            log.warning("décodeur %s indisponible : %s", cls.name, exc)
    raise RuntimeError("Aucun décodeur de codes-barres disponible : installez zxing-cpp ou libzbar0.")


def still_image_decoder() -> Decoder:
    """Both decoders, default first: a photo posted by a tablet deserves a second chance."""
    available = []
    for cls in _ORDER[DEFAULT]:
        try:
            available.append(cls())
        except ImportError as exc:
            log.warning("décodeur %s indisponible : %s", cls.name, exc)
    return ChainDecoder(available)


def decode_image_bytes(data: bytes, decoder: Decoder | None = None) -> list[str]:
    """Codes in an encoded image (JPEG/PNG as posted by a tablet); [] when unreadable."""
    import cv2

    buffer = np.frombuffer(data or b"", dtype=np.uint8)
    frame = cv2.imdecode(buffer, cv2.IMREAD_GRAYSCALE) if buffer.size else None
    if frame is None:
        return []
    return (decoder or still_image_decoder()).decode(frame)
