"""Helpers for the salle-at-work tests: client ids, a drawn signature, admitting candidats, starting E1."""

from __future__ import annotations

import uuid

import cv2
import numpy as np

from salle.client import ApiError
from support import at

SIGNATURE = [[{"x": 10, "y": 20, "t": 0}, {"x": 30, "y": 25, "t": 16}, {"x": 60, "y": 15, "t": 32}],
             [{"x": 40, "y": 40, "t": 300}, {"x": 80, "y": 42, "t": 320}]]


def cid() -> str:
    return str(uuid.uuid4())


def candidats(day, salle: str, n: int, tiers_temps: int = 0) -> list[str]:
    rows = day.journal.query("SELECT numero FROM candidats WHERE salle = ? AND pieces_manquantes = '' AND "
                             "tiers_temps = ? ORDER BY numero LIMIT ?", [salle, tiers_temps, n])
    assert len(rows) == n
    return [r["numero"] for r in rows]


def admit(tablet, salle: str, numeros, piece: str = "cni") -> None:
    for numero in numeros:
        assert tablet.scan(salle, numero, piece)["verdict"] == "admis"


def start(clock, responsable, when: str = "09:00", epreuve: str = "E1", site: str = "PANTIN") -> None:
    clock.set(at(when))
    responsable.post(f"/api/v1/epreuves/{epreuve}/sites/{site}/debut", {"client_id": cid()})


def emarge(tablet, salle: str, numero: str, **fields) -> dict:
    return tablet.post(f"/api/v1/salles/{salle}/emargements",
                       {"numero": numero, "client_id": cid(), "copies": 1, "signature": SIGNATURE, **fields})


def refused(call, status: int) -> dict:
    """Run `call`, expect an ApiError with `status`; returns the French error."""
    try:
        call()
    except ApiError as exc:
        assert exc.status == status, exc.body
        assert exc.body["erreur"]["message"]
        return exc.body["erreur"]
    raise AssertionError(f"expected HTTP {status}")


def count(day, event_type: str) -> int:
    return day.journal.one("SELECT COUNT(*) AS n FROM events WHERE type = ?", [event_type])["n"]


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
