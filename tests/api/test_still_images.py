"""Camera photos posted by a tablet go through the still-image chain (issue 16): zxing-cpp first, then pyzbar
when it reads nothing, as devices/README.md says; each image here is read by one of them only."""

import cv2
import numpy as np
import pytest
import zxingcpp

from devices.scanners.decoders import PyzbarDecoder, ZxingDecoder
from tests.helpers.api import cid, post_image
from tests.helpers.day import candidats, count


def inverted_qr_png(text: str) -> bytes:
    """White on black (a convocation shown on a phone in dark mode): zxing-cpp reads it, zbar does not."""
    q = cv2.resize(cv2.QRCodeEncoder.create().encode(text), None, fx=8, fy=8, interpolation=cv2.INTER_NEAREST)
    q = cv2.copyMakeBorder(q, 40, 40, 40, 40, cv2.BORDER_CONSTANT, value=255)
    return cv2.imencode(".png", 255 - q)[1].tobytes()


def squeezed_code128_png(text: str) -> bytes:
    """A Code 128 squeezed to 40 % of its width (a photo taken at a slant): zbar reads it, zxing-cpp does not."""
    bars = np.array(zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.Code128).to_image(scale=4,
                                                                                            add_quiet_zones=True))
    bars = cv2.copyMakeBorder(bars, 60, 60, 60, 60, cv2.BORDER_CONSTANT, value=255)
    return cv2.imencode(".png", cv2.resize(bars, None, fx=0.4, fy=1, interpolation=cv2.INTER_AREA))[1].tobytes()


def gray(png: bytes):
    return cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_GRAYSCALE)


@pytest.mark.parametrize("make, reader, blind", [(inverted_qr_png, ZxingDecoder, PyzbarDecoder),
                                                 (squeezed_code128_png, PyzbarDecoder, ZxingDecoder)])
def test_a_photo_only_one_decoder_reads_admits_the_candidat(live, make, reader, blind):
    tablet = live.client("surveillant")
    numero = candidats(live.day, "A01", 1)[0]
    image = make(numero)
    assert reader().decode(gray(image)) == [numero] and blind().decode(gray(image)) == []  # the premise
    answer = post_image(live, tablet, image, {"client_id": cid(), "piece_identite": "cni"})
    assert answer["codes"] == [numero] and answer["verdict"] == "admis" and answer["enregistre"] is True
    assert count(live.day, "scan") == 1
