"""Arrivals at a salle door (/api/v1/salles/<salle>/scans and /images): a code scanned, typed or on a photo."""

from __future__ import annotations

import base64
import binascii

from flask import current_app, g, request

from ..commands import arrivals
from ..errors import Invalide
from . import live
from .http import STAFF, ApiBlueprint, body, day, reply

bp = ApiBlueprint("arrivals", __name__)
WHO = "admin, responsable du site, surveillant de la salle"


@bp.endpoint("POST", "/salles/<salle>/scans", roles=STAFF, request=arrivals.ScanRequest, response="Verdict",
             summary="Scan d'une convocation à la porte (R1, R3, R4, R5, R7, R8)", who=WHO)
def scan(salle, req):
    answer = arrivals.scan(day(), g.caller, salle, req)
    live.share_preview(current_app, salle, answer)
    return reply(answer)


@bp.endpoint("POST", "/salles/<salle>/images", roles=STAFF, response="Verdict", who=WHO,
             body=arrivals.ImageRequest,
             summary="Image de la caméra : codes lus (Code 128, QR) puis scan de chacun ; multipart (champ « image », "
                     "les autres en champs de formulaire) ou JSON (« image » en base64, avec client_id, "
                     "piece_identite, pieces_produites, epreuve)")
def images(salle):
    day().salle_for(g.caller, salle)  # access first: nothing is decoded for a caller without access
    upload = request.files.get("image")
    if upload is not None:
        data, fields = upload.read(), request.form.to_dict()
        if "pieces_produites" in fields:
            fields["pieces_produites"] = fields["pieces_produites"] in ("1", "true", "oui")
    elif request.mimetype == "application/json":
        fields = body()
        data = image_bytes(fields.get("image"))
    else:
        raise Invalide("Image manquante : envoyez une photo JPEG ou PNG (multipart, champ « image », ou JSON "
                       "base64).", code="image_manquante")
    req = arrivals.ImageFields.parse(fields)
    codes = current_app.extensions["salle.decode_image"](data)
    if codes is None:
        raise Invalide("Ce fichier n'est pas une image JPEG ou PNG lisible.", code="image_invalide")
    return reply(arrivals.scan_codes(day(), g.caller, salle, codes, req))


def image_bytes(value) -> bytes:
    """A frame sent as base64 (or a data: URL) in JSON."""
    if not isinstance(value, str) or not value:
        raise Invalide("Image manquante : envoyez une photo JPEG ou PNG (champ « image »).", code="image_manquante")
    if value.startswith("data:"):
        value = value.partition(",")[2]
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise Invalide("Image illisible : le contenu n'est pas du base64 valide.", code="image_invalide") from exc
