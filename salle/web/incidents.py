"""Incidents, fraud reports and alerts (/api/v1/salles/<salle>/incidents, /incidents/<seq>/decision,
/alertes/<seq>/resolution)."""

from __future__ import annotations

from flask import g

from ..commands import incidents
from ..errors import Introuvable
from .http import STAFF, ApiBlueprint, day, reply

bp = ApiBlueprint("incidents", __name__)
RESP = "admin, responsable du site"


def _seq(value: str, message: str, code: str) -> int:
    if not value.isdigit() or len(value) > 12:
        raise Introuvable(message.format(value[:20]), code=code)
    return int(value)


@bp.endpoint("POST", "/salles/<salle>/incidents", roles=STAFF, request=incidents.IncidentRequest, response="Verdict",
             who="admin, responsable du site, surveillant de la salle",
             summary="Incident ou rapport de fraude pour le PV (R10–R14, R23)")
def incident(salle, req):
    return reply(incidents.signaler(day(), g.caller, salle, req))


@bp.endpoint("POST", "/alertes/<seq>/resolution", roles=("admin", "responsable"), response="Verdict", who=RESP,
             request=incidents.AlertResolutionRequest, summary="Traiter une alerte : ce qui a été fait (R5)")
def resolution(seq, req):
    number = _seq(seq, "Alerte n° {} inconnue.", "alerte_inconnue")
    return reply(incidents.resoudre_alerte(day(), g.caller, number, req))


@bp.endpoint("POST", "/incidents/<seq>/decision", roles=("admin", "responsable"), response="Verdict", who=RESP,
             request=incidents.FraudDecisionRequest,
             summary="Décision du jury sur un rapport de fraude : exclusion ou non, qui a décidé (R11)")
def decision_fraude(seq, req):
    number = _seq(seq, "Rapport de fraude n° {} inconnu.", "rapport_inconnu")
    return reply(incidents.decider_fraude(day(), g.caller, number, req))
