"""Barcodes in a still image (a tablet camera frame): OpenCV grayscale, then pyzbar on Code 128 and QR only."""

from __future__ import annotations

import numpy as np

SYMBOLS = None  # filled lazily: importing pyzbar loads libzbar


def _symbols():
    global SYMBOLS
    if SYMBOLS is None:
        from pyzbar.pyzbar import ZBarSymbol

        SYMBOLS = [ZBarSymbol.CODE128, ZBarSymbol.QRCODE]  # restricted: faster, no false reads (ENVIRONMENT.md)
    return SYMBOLS


def decode_image(data: bytes) -> list[str] | None:
    """The codes read in a JPEG/PNG image, in reading order without repeats; None when `data` is not an image."""
    import cv2
    from pyzbar.pyzbar import decode

    if not data or not data.startswith((b"\xff\xd8", b"\x89PNG\r\n\x1a\n")):  # JPEG or PNG only
        return None
    gray = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_GRAYSCALE)
    if gray is None or gray.size == 0:
        return None
    return decode_frame(gray, decode)


def decode_frame(gray, decode=None) -> list[str]:
    """The codes read in a grayscale NumPy frame."""
    if decode is None:
        from pyzbar.pyzbar import decode
    codes: list[str] = []
    for symbol in decode(gray, symbols=_symbols()):
        text = symbol.data.decode("utf-8", "replace")
        if text not in codes:
            codes.append(text)
    return codes
