"""Staff sign-in, sign-out and the staff list (/api/v1/auth, /api/v1/personnel, /api/v1/me)."""

from __future__ import annotations

from flask import current_app, g, request

from ..commands import staff
from ..errors import NonAutorise, SalleError
from ..state import queries
from .http import STAFF, ApiBlueprint, day, reply
from .limits import in_words

bp = ApiBlueprint("staff", __name__)
RESP = "admin, responsable (surveillants et bornes de son site)"


@bp.endpoint("POST", "/auth/login", request=staff.LoginRequest, response="Connexion", public=True, statuses=(429,),
             summary="Connexion avec le code personnel. Échecs limités par appareil et par code, attente croissante "
                     "(429) ; un code juste tapé après des échecs répétés est verrouillé (403)", who="tous")
def login(req):
    """Failed sign-ins are limited per device (its address) and per code typed (as its keyed hash), tier after
    tier (SIGNIN_DEVICE_LIMIT, SIGNIN_CODE_LIMIT): a growing wait. Only failures count; past a limit every
    attempt waits, the right code too."""
    config, limits = current_app.config, current_app.extensions["salle.limits"]
    tiers = [(config["SIGNIN_DEVICE_LIMIT"], "connexion-appareil:" + (request.remote_addr or "?")),
             (config["SIGNIN_CODE_LIMIT"], "connexion-code:" + _code_key(req.code))]
    waits = [w for w in (limits.wait(spec, key) for spec, key in tiers) if w is not None]
    if waits:
        raise SalleError("Trop de codes refusés depuis cet appareil ou pour ce code : réessayez dans "
                         f"{in_words(max(waits))}.", code="trop_de_connexions", status=429)
    try:
        token, person = staff.login(day(), req, request.headers.get("User-Agent", "")[:80], request.remote_addr or "")
    except NonAutorise:
        for spec, key in tiers:
            limits.hit(spec, key)
        raise
    return reply({"token": token, "personnel": person, "secours": standby_address()})


def standby_address() -> str | None:
    """Where the tablets go by themselves if this server stops answering: the site's standby laptop (issue 15)."""
    reseau = day().session.reseau
    return reseau.secours if reseau is not None and "salle.secours" not in current_app.extensions else None


def _code_key(code) -> str:
    return day().code_hash(code)[:32] if isinstance(code, str) and len(code) <= 64 else "?"


@bp.endpoint("POST", "/auth/logout", roles=(*STAFF, "kiosk", "jury", "affichage"),
             who="admin, responsable, surveillant, kiosk, jury, affichage",
             summary="Déconnecter cet appareil : son jeton cesse de valoir, y compris pour le direct")
def logout():
    return reply(staff.logout(day(), g.caller))


@bp.endpoint("GET", "/me", roles=(*STAFF, "kiosk", "jury", "affichage"), summary="Qui suis-je",
             who="admin, responsable, surveillant, kiosk, jury, affichage")
def me():
    c = g.caller
    jury = day().session.jury(c.jury) if c.jury else None
    return reply({"id": c.actor.id, "nom": c.actor.name, "role": c.role, "salle": c.salle, "site": c.site,
                  **({"jury": jury.code, "epreuve": jury.epreuve} if jury else {})})


@bp.endpoint("GET", "/personnel", roles=("admin", "responsable"), summary="Personnel et appareils connectés",
             who="admin (tous), responsable (son site)")
def staff_list():
    site = None if g.caller.role == "admin" else g.caller.site
    return reply({"personnel": queries.staff(day().journal.reader(), site)})


@bp.endpoint("POST", "/personnel/<personnel>/deconnexion", roles=("admin", "responsable"), who=RESP,
             request=staff.RevokeRequest, response="Verdict",
             summary="Déconnecter tous les appareils d'une personne (tablette perdue), avec un motif journalisé")
def revoke(personnel, req):
    return reply(staff.revoke(day(), g.caller, personnel, req))


@bp.endpoint("POST", "/personnel/<personnel>/deverrouillage", roles=("admin", "responsable"), who=RESP,
             request=staff.UnlockRequest, response="Verdict",
             summary="Débloquer un code verrouillé après des connexions refusées")
def unlock(personnel, req):
    return reply(staff.unlock(day(), g.caller, personnel, req))
