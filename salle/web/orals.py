"""An oral's passages (/api/v1/oraux/<epreuve>/…): a jury's list, a candidat's passage, the jury's decision on a
lateness (R28), the tirage au sort (R30), the passage started and ended, abandon (R25), renunciation (R32).
The arrival at the waiting room is the door's scan (/api/v1/salles/<salle>/scans)."""

from __future__ import annotations

from flask import g, request

from ..commands import orals
from .http import ApiBlueprint, day, reply
from .papers import PDF, attachment

bp = ApiBlueprint("orals", __name__)
ORAL = ("admin", "responsable", "surveillant", "jury")
JURY = ("admin", "responsable", "jury")
WHO_JURY = "admin, responsable du site du jury, jury"
WHO_ALL = WHO_JURY + ", surveillant de la salle de préparation ou du jury"
PASSAGE = "/oraux/<epreuve>/candidats/<numero>"


@bp.endpoint("GET", "/oraux/<epreuve>/jurys/<jury>/passages", roles=ORAL, who=WHO_ALL,
             summary="Les passages du jour d'un jury, avec leur état (R28)")
def jury_passages(epreuve, jury):
    return reply(orals.passages_du_jury(day(), g.caller, epreuve, jury))


@bp.endpoint("GET", "/oraux/<epreuve>/jurys/<jury>/pv.pdf", roles=JURY, response=PDF,
             who="admin, responsable du site du jury, le jury lui-même",
             summary="Procès-verbal d'un jury de l'oral (PDF) : heures prévues et réelles, retards et décisions, "
                     "sujets tirés, remise des sujets, abandons, renonciations, auditeurs, incidents, empreinte")
def jury_pv(epreuve, jury):
    data, name = orals.pv_du_jury(day(), g.caller, epreuve, jury)
    return attachment(data, PDF, name)


@bp.endpoint("GET", "/oraux/<epreuve>/suivi", roles=("admin", "responsable"), query=("site",),
             who="admin, responsable du site",
             summary="Suivi d'un oral au site : avancement et retard de chaque jury, candidats en attente, retards à "
                     "décider (R28)")
def suivi(epreuve):
    return reply(orals.suivi(day(), g.caller, epreuve, request.args.get("site")))


@bp.endpoint("GET", PASSAGE, roles=ORAL, who=WHO_ALL,
             summary="Le passage d'un candidat : état, heures journalisées (préparation, passage), sujet tiré")
def passage(epreuve, numero):
    return reply(orals.passage(day(), g.caller, epreuve, numero))


@bp.endpoint("POST", PASSAGE + "/decision", roles=JURY, request=orals.DecisionRequest, response="Verdict",
             who=WHO_JURY, summary="Décision du jury sur un retard : vu, reporté (force majeure), absent (R28)")
def decision(epreuve, numero, req):
    return reply(orals.decider_retard(day(), g.caller, epreuve, numero, req))


@bp.endpoint("POST", PASSAGE + "/tirage", roles=ORAL, request=orals.TirageRequest, response="Verdict", who=WHO_ALL,
             summary="Tirage au sort du sujet, par le logiciel ou sur papier, avec son témoin ; un seul (R30)")
def tirage(epreuve, numero, req):
    return reply(orals.tirer_sujet(day(), g.caller, epreuve, numero, req))


@bp.endpoint("POST", PASSAGE + "/appel", roles=JURY, request=orals.OralRequest, response="Verdict", who=WHO_JURY,
             summary="Appeler le candidat : son numéro (jamais son nom) s'affiche en salle d'attente (R27)")
def appel(epreuve, numero, req):
    return reply(orals.appeler(day(), g.caller, epreuve, numero, req))


@bp.endpoint("GET", "/affichage/appels", roles=("admin", "responsable", "affichage"), query=("site",),
             who="admin, responsable du site, écran de la salle d'attente (affichage)",
             summary="Salle d'attente : derniers appels (numéro → jury, salle) et retard de chaque jury (R27)")
def affichage_appels():
    return reply(orals.appels(day(), g.caller, request.args.get("site")))


@bp.endpoint("POST", PASSAGE + "/debut", roles=JURY, request=orals.OralRequest, response="Verdict", who=WHO_JURY,
             summary="Début du passage devant le jury, après la préparation (R24)")
def debut(epreuve, numero, req):
    return reply(orals.commencer_passage(day(), g.caller, epreuve, numero, req))


@bp.endpoint("POST", PASSAGE + "/fin", roles=JURY, request=orals.OralRequest, response="Verdict", who=WHO_JURY,
             summary="Fin du passage devant le jury")
def fin(epreuve, numero, req):
    return reply(orals.terminer_passage(day(), g.caller, epreuve, numero, req))


@bp.endpoint("POST", PASSAGE + "/sujet-rendu", roles=ORAL, request=orals.OralRequest, response="Verdict",
             who=WHO_ALL, summary="Le candidat rend son sujet à la fin de l'épreuve, une fois (R31)")
def sujet_rendu(epreuve, numero, req):
    return reply(orals.rendre_sujet(day(), g.caller, epreuve, numero, req))


@bp.endpoint("POST", PASSAGE + "/auditeurs", roles=JURY, request=orals.AuditeursRequest, response="Verdict",
             who=WHO_JURY, summary="Auditeurs admis par le jury, avec l'accord du candidat, dans sa limite (R29)")
def auditeurs(epreuve, numero, req):
    return reply(orals.admettre_auditeurs(day(), g.caller, epreuve, numero, req))


@bp.endpoint("POST", PASSAGE + "/incidents", roles=ORAL, request=orals.IncidentOralRequest, response="Verdict",
             who=WHO_ALL + " (une fraude : le jury seul, R33)",
             summary="Incident à l'oral (R31, R23) ; fraude : décision du jury, avérée ou non (R33)")
def incident_oral(epreuve, numero, req):
    return reply(orals.signaler_incident(day(), g.caller, epreuve, numero, req))


@bp.endpoint("POST", PASSAGE + "/abandon", roles=ORAL, request=orals.AbandonRequest, response="Verdict", who=WHO_ALL,
             summary="Abandon : le candidat signe l'émargement avec la mention « abandon » (R25)")
def abandon(epreuve, numero, req):
    return reply(orals.abandonner(day(), g.caller, epreuve, numero, req))


@bp.endpoint("POST", PASSAGE + "/renonciation", roles=JURY, request=orals.RenonciationRequest, response="Verdict",
             who=WHO_JURY, summary="Renonciation à l'épreuve, notée sur la fiche d'entretien et contresignée (R32)")
def renonciation(epreuve, numero, req):
    return reply(orals.renoncer(day(), g.caller, epreuve, numero, req))
