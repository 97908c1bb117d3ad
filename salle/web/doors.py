"""The doors and the start, per épreuve and site (/api/v1/epreuves/<epreuve>/sites/<site>/…)."""

from __future__ import annotations

from flask import g

from ..commands import doors
from .http import ApiBlueprint, day, reply

bp = ApiBlueprint("doors", __name__)
RESP = dict(roles=("admin", "responsable"), who="admin, responsable du site", response="Verdict")


@bp.endpoint("POST", "/epreuves/<epreuve>/sites/<site>/fermeture", request=doors.MoveDoorsRequest, **RESP,
             summary="Déplacer l'heure de fermeture des portes avant qu'elle passe, avec un motif (R3)")
def move_doors(epreuve, site, req):
    return reply(doors.move_doors(day(), g.caller, epreuve, site, req))


@bp.endpoint("POST", "/epreuves/<epreuve>/sites/<site>/portes-fermees", request=doors.ClientIdRequest, **RESP,
             summary="Prononcer la fermeture des portes maintenant (R3)")
def close_doors(epreuve, site, req):
    return reply(doors.close_doors(day(), g.caller, epreuve, site, req))


@bp.endpoint("POST", "/epreuves/<epreuve>/sites/<site>/debut", request=doors.ClientIdRequest, **RESP,
             summary="Enregistrer l'ouverture des sujets (R9)")
def start(epreuve, site, req):
    return reply(doors.start_epreuve(day(), g.caller, epreuve, site, req))
