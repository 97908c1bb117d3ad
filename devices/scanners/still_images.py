"""Barcodes in a still image (a tablet camera frame): OpenCV grayscale, then the still-image decoder chain of
devices.scanners.decoders: zxing-cpp first, pyzbar if it reads nothing (devices/README.md), Code 128 and QR."""

from __future__ import annotations

import threading

import numpy as np

_decoder = None  # built on first use: loading zxing-cpp and libzbar costs time the server's start need not pay
_decoder_lock = threading.Lock()


def still_decoder():
    """One chain for the server's lifetime (both decoders are stateless and thread-safe on separate frames)."""
    global _decoder
    with _decoder_lock:
        if _decoder is None:
            from .decoders import still_image_decoder

            _decoder = still_image_decoder()
        return _decoder


def decode_image(data: bytes) -> list[str] | None:
    """The codes read in a JPEG/PNG image, in reading order without repeats; None when `data` is not an image."""
    import cv2

    if not data or not data.startswith((b"\xff\xd8", b"\x89PNG\r\n\x1a\n")):  # JPEG or PNG only
        return None
    gray = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_GRAYSCALE)
    if gray is None or gray.size == 0:
        return None
    return still_decoder().decode(gray)
