"""Movements inside the épreuve (/api/v1/salles/<salle>/sorties, /toilettes, /toilettes/retour)."""

from __future__ import annotations

from flask import g

from ..commands import movements
from .http import STAFF, ApiBlueprint, day, reply

bp = ApiBlueprint("movements", __name__)
WHO = "admin, responsable du site, surveillant de la salle"
MOVE = dict(roles=STAFF, request=movements.MovementRequest, response="Verdict", who=WHO)


@bp.endpoint("POST", "/salles/<salle>/sorties", summary="Sortie définitive (R8, R15–R18, R22, R24)", **MOVE)
def sortie(salle, req):
    return reply(movements.sortie(day(), g.caller, salle, req))


@bp.endpoint("POST", "/salles/<salle>/toilettes", summary="Départ aux toilettes accompagné (R17, R19)", **MOVE)
def toilettes(salle, req):
    return reply(movements.toilettes(day(), g.caller, salle, req))


@bp.endpoint("POST", "/salles/<salle>/toilettes/retour", summary="Retour des toilettes (R19)", **MOVE)
def toilettes_retour(salle, req):
    return reply(movements.toilettes_retour(day(), g.caller, salle, req))
