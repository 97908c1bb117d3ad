"""Code 128 and QR images of a convocation's payload, drawn by zxing-cpp (already Salle's camera decoder) and
encoded as PNG by OpenCV: no extra library."""

from __future__ import annotations

import cv2
import numpy as np
import zxingcpp


def png(payload: str, kind: str, scale: int) -> bytes:
    fmt = {"code128": zxingcpp.BarcodeFormat.Code128, "qr": zxingcpp.BarcodeFormat.QRCode}[kind]
    image = np.array(zxingcpp.create_barcode(payload, fmt).to_image(scale=scale, add_quiet_zones=True))
    return cv2.imencode(".png", image)[1].tobytes()
