"""Render Code 128 and QR symbols as grayscale images (white background, black modules)."""

from __future__ import annotations

import numpy as np

CODE128_QUIET_MODULES = 10
QR_QUIET_MODULES = 4


def code128_modules(payload: str) -> np.ndarray:
    """The bars of a Code 128 symbol as 0/1 modules (1 = black), quiet zones excluded."""
    import barcode  # python-barcode, installed with python-escpos

    bits = barcode.get("code128", payload).build()[0]
    return np.frombuffer(bits.encode("ascii"), dtype=np.uint8) - ord("0")


def render_code128(payload: str, module_px: int = 3, height_px: int | None = None) -> np.ndarray:
    """A Code 128 symbol for `payload` as a uint8 image, with its quiet zones."""
    modules = code128_modules(payload)
    quiet = np.zeros(CODE128_QUIET_MODULES, dtype=np.uint8)
    row = np.concatenate([quiet, modules, quiet])
    row = np.repeat(255 - row * 255, module_px).astype(np.uint8)
    height = height_px or max(40, module_px * 30)
    return np.tile(row, (height, 1))


def render_qr(payload: str, module_px: int = 4) -> np.ndarray:
    """A QR symbol for `payload` as a uint8 image, with its quiet zone."""
    import qrcode  # installed with python-escpos

    qr = qrcode.QRCode(border=QR_QUIET_MODULES, error_correction=qrcode.constants.ERROR_CORRECT_M)
    qr.add_data(payload)
    qr.make(fit=True)
    matrix = np.array(qr.get_matrix(), dtype=np.uint8)
    image = (255 - matrix * 255).astype(np.uint8)
    return np.kron(image, np.ones((module_px, module_px), dtype=np.uint8))


def render_symbol(kind: str, payload: str, module_px: int) -> np.ndarray:
    """`kind` is "code128" or "qr"."""
    if kind == "code128":
        return render_code128(payload, module_px)
    if kind == "qr":
        return render_qr(payload, module_px)
    raise ValueError(f"unknown symbol kind {kind!r}")
