"""What a tablet or a responsable sends through the API: client ids, a drawn signature, admitting candidats,
starting E1, an émargement, a camera frame; and `refused` for a call that must fail."""

from __future__ import annotations

import uuid

import requests

from salle.client import ApiError
from tests.helpers.day import at

SIGNATURE = [[{"x": 10, "y": 20, "t": 0}, {"x": 30, "y": 25, "t": 16}, {"x": 60, "y": 15, "t": 32}],
             [{"x": 40, "y": 40, "t": 300}, {"x": 80, "y": 42, "t": 320}]]


def cid() -> str:
    return str(uuid.uuid4())


def admit(tablet, salle: str, numeros, piece: str = "cni") -> None:
    for numero in numeros:
        assert tablet.scan(salle, numero, piece)["verdict"] == "admis"


def start(clock, responsable, when: str = "09:00", epreuve: str = "E1", site: str = "PANTIN") -> None:
    clock.set(at(when))
    responsable.post(f"/api/v1/epreuves/{epreuve}/sites/{site}/debut", {"client_id": cid()})


def emarge(tablet, salle: str, numero: str, **fields) -> dict:
    return tablet.post(f"/api/v1/salles/{salle}/emargements",
                       {"numero": numero, "client_id": cid(), "copies": 1, "signature": SIGNATURE, **fields})


def post_image(live, tablet, data: bytes, fields: dict) -> dict:
    """A camera frame posted by A01's tablet as a multipart form, as the tablet's camera sends it."""
    r = requests.post(f"{live.url}/api/v1/salles/A01/images", files={"image": ("frame.png", data, "image/png")},
                      data=fields, headers={"Authorization": f"Bearer {tablet.token}"}, timeout=10)
    assert r.status_code == 200, r.text
    return r.json()


def said_no(call) -> dict:
    """Run `call`, expect the règlement's no: a 200 whose verdict is « ok: false » with nothing recorded; returns
    the refusal as {code, message, details: the whole answer}."""
    answer = call()
    assert answer["ok"] is False and answer["enregistre"] is False and answer["message"], answer
    return {"code": answer["verdict"], "message": answer["message"], "details": answer}


def refused(call, status: int) -> dict:
    """Run `call`, expect an ApiError with `status`; returns the French error."""
    try:
        call()
    except ApiError as exc:
        assert exc.status == status, exc.body
        assert exc.body["erreur"]["message"]
        return exc.body["erreur"]
    raise AssertionError(f"expected HTTP {status}")
