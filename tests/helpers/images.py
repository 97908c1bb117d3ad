"""Camera frames made on the spot: a QR code, a Code 128 photographed as a JPEG, a blank frame."""

from __future__ import annotations

import cv2
import numpy as np


def qr_png(text: str) -> bytes:
    q = cv2.QRCodeEncoder.create().encode(text)
    q = cv2.resize(q, None, fx=8, fy=8, interpolation=cv2.INTER_NEAREST)
    q = cv2.copyMakeBorder(q, 40, 40, 40, 40, cv2.BORDER_CONSTANT, value=255)
    return cv2.imencode(".png", q)[1].tobytes()


def code128_jpeg(text: str) -> bytes:
    import zxingcpp

    img = np.array(zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.Code128).to_image(scale=3,
                                                                                           add_quiet_zones=True))
    img = cv2.copyMakeBorder(img, 60, 60, 60, 60, cv2.BORDER_CONSTANT, value=255)
    return cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, 90])[1].tobytes()


def blank_png() -> bytes:
    return cv2.imencode(".png", np.full((240, 320), 255, np.uint8))[1].tobytes()
