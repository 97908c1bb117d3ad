"""Reading a salle: its state, its candidats, one candidat's card, the search, the end of the épreuve, alerts."""

from __future__ import annotations

from flask import g, request

from .. import rules
from ..errors import Interdit, Introuvable, Invalide
from ..state import queries
from .http import STAFF, ApiBlueprint, day, flag, reply

bp = ApiBlueprint("salles", __name__)
WHO = "admin, responsable du site, surveillant de la salle"


def _salle_and_epreuve(salle_code: str):
    d = day()
    salle = d.salle_for(g.caller, salle_code)
    return salle, d.epreuve_for(request.args.get("epreuve"), salle=salle.code)


@bp.endpoint("GET", "/salles", roles=STAFF, query=("epreuve",), summary="Salles visibles et leur état",
             who="admin, responsable, surveillant")
def salles():
    d = day()
    now = d.clock.now()
    out = []
    for salle in d.session.salles:
        try:
            d.salle_for(g.caller, salle.code)
        except Interdit:
            continue
        epreuve = d.epreuve_for(request.args.get("epreuve"), now, salle.code)
        out.append(queries.salle_summary(d.journal.reader(), salle, epreuve, now, d.session))
    return reply({"salles": out})


@bp.endpoint("GET", "/salles/<salle>", roles=STAFF, query=("epreuve",), response="EtatSalle",
             summary="État d'une salle", who=WHO)
def salle_state(salle):
    s, epreuve = _salle_and_epreuve(salle)
    return reply(queries.salle_summary(day().journal.reader(), s, epreuve, day().clock.now(), day().session))


@bp.endpoint("GET", "/salles/<salle>/candidats", roles=STAFF, query=("epreuve",),
             summary="Candidats d'une salle et leur statut", who=WHO)
def salle_candidats(salle):
    s, epreuve = _salle_and_epreuve(salle)
    return reply({"candidats": queries.salle_candidats(day().journal.reader(), s, epreuve, day().session)})


@bp.endpoint("GET", "/salles/<salle>/candidats/<numero>", roles=STAFF, query=("epreuve",), who=WHO,
             summary="Fiche d'un candidat : où il en est, et pour chaque action (toilettes, sortie, émargement) si "
                     "elle est possible maintenant, sinon à partir de quand ; rien n'est enregistré")
def candidat_card(salle, numero):
    s, epreuve = _salle_and_epreuve(salle)
    db = day().journal.reader()
    c = queries.candidat(db, numero.strip())
    if c is None:
        raise Introuvable(f"Candidat « {numero.strip()[:64]} » inconnu.", code="candidat_inconnu")
    if c.salle != s.code:
        raise Introuvable(f"{c.display_name} n'est pas convoqué(e) dans cette salle.", code="candidat_inconnu")
    return reply(queries.candidat_card(db, s, epreuve, c, day().clock.now()))


@bp.endpoint("GET", "/salles/<salle>/recherche", roles=STAFF, query=("q", "epreuve"),
             summary="Chercher un candidat du site par nom ou numéro", who=WHO)
def recherche(salle):
    s = day().salle_for(g.caller, salle)
    q = request.args.get("q")
    if not isinstance(q, str) or len(q.strip()) < 2 or len(q) > 64:
        raise Invalide("Recherche : tapez au moins 2 caractères du nom ou du numéro.", code="recherche_invalide")
    if not rules.normalize_name(q):
        raise Invalide("Recherche : tapez des lettres ou des chiffres.", code="recherche_invalide")
    epreuve = day().epreuve_for(request.args.get("epreuve"))
    return reply({"candidats": queries.search(day().journal.reader(), day().session, s, epreuve, q)})


@bp.endpoint("GET", "/salles/<salle>/fin", roles=STAFF, query=("epreuve",), who=WHO,
             summary="Fin d'épreuve : sans émargement, copies, recomptage (R21, R22)")
def fin(salle):
    s, epreuve = _salle_and_epreuve(salle)
    return reply(queries.end_of_salle(day().journal.reader(), s, epreuve, day().clock.now()))


@bp.endpoint("GET", "/alertes", roles=STAFF, query=("toutes",), who=WHO,
             summary="Alertes ouvertes du site (?toutes=1 : aussi les traitées)")
def alertes():
    caller = g.caller
    scope = {"salle": caller.salle} if caller.role == "surveillant" else {
        "site": caller.site} if caller.role == "responsable" else {}
    return reply({"alertes": queries.alerts(day().journal.reader(), resolved_too=flag("toutes"), **scope)})
