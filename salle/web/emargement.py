"""The émargement and the end of the salle (/api/v1/salles/<salle>/emargements, /recomptage, /liberation)."""

from __future__ import annotations

from flask import g

from ..commands import emargement, end
from .http import STAFF, ApiBlueprint, day, reply

bp = ApiBlueprint("emargement", __name__)
WHO = "admin, responsable du site, surveillant de la salle"


@bp.endpoint("POST", "/salles/<salle>/emargements", roles=STAFF, request=emargement.EmargementRequest,
             response="Verdict", who=WHO, summary="Émargement : signature et copies remises (R20, R25)")
def emargements(salle, req):
    return reply(emargement.emarger(day(), g.caller, salle, req))


@bp.endpoint("POST", "/salles/<salle>/recomptage", roles=STAFF, request=end.RecountRequest, response="Verdict",
             who="admin, responsable du site", summary="Recomptage des copies (R22)")
def recomptage(salle, req):
    return reply(end.recompter(day(), g.caller, salle, req))


@bp.endpoint("POST", "/salles/<salle>/liberation", roles=STAFF, request=end.ReleaseRequest, response="Verdict",
             who="admin, responsable du site",
             summary="Libérer la salle après recomptage (R22) ; avec des points non résolus (R21, écart, candidats "
                     "dehors), le motif est exigé")
def liberation(salle, req):
    return reply(end.liberer(day(), g.caller, salle, req))
