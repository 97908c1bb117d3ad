"""The kiosk's API (/api/v1/kiosk/…): lookup and print for the kiosk role only (R27), reprint and the console's
count of printed convocations for the responsable."""

from __future__ import annotations

import hashlib

from flask import Blueprint, current_app, g, request
from werkzeug.exceptions import HTTPException

from salle.errors import SalleError
from salle.web.api import allow, bearer_token, body, http_error, reply, salle_error

from . import service

lookup_bp = Blueprint("kiosk_recherche", __name__, url_prefix="/api/v1/kiosk")  # rate-limited as a whole
bp = Blueprint("kiosk_api", __name__, url_prefix="/api/v1")
RATE_LIMITED = ("Trop de recherches depuis cette borne : patientez une minute, ou adressez-vous au personnel "
                "de l'accueil.")
NO_PRINTER = "Aucune imprimante n'est reliée à la borne : adressez-vous au personnel de l'accueil."


def day():
    return current_app.extensions["salle.day"]


def printer():
    return current_app.extensions.get("kiosk.printer")


def rate_limit_key() -> str:
    """The kiosk's staff id from its token (R27: « the kiosk lookup is rate-limited »), else the address."""
    token = bearer_token()
    if token:
        try:
            return "personnel:" + day().authenticate(token).actor.id
        except SalleError:
            return "jeton:" + hashlib.sha256(token.encode()).hexdigest()[:16]
    return "adresse:" + (request.remote_addr or "?")


def not_a_kiosk() -> bool:
    """Not signed in as a kiosk: the lookup view refuses it (401, 403), and the limit does not count it."""
    try:
        return day().authenticate(bearer_token()).role != "kiosk"
    except SalleError:
        return True


def too_many(exc: HTTPException):
    return reply({"erreur": {"code": "trop_de_recherches", "message": RATE_LIMITED}}, 429)


for blueprint in (lookup_bp, bp):
    blueprint.register_error_handler(SalleError, salle_error)
    blueprint.register_error_handler(HTTPException, http_error)
lookup_bp.register_error_handler(429, too_many)


@lookup_bp.after_request
def no_cache(response):
    response.headers["Cache-Control"] = "no-store"
    return response


bp.after_request(no_cache)


@lookup_bp.post("/recherches")
@allow("kiosk")
def lookup():
    """By nom + date_naissance, or by numero: one candidat, « plusieurs », or « introuvable »."""
    return reply(service.lookup(day(), g.caller, body()))


@bp.post("/kiosk/impressions")
@allow("kiosk")
def print_convocation():
    spooler = printer()
    if spooler is None:
        caller = g.caller
        day().journal.write(lambda tx: tx.append("alerte", caller.actor, {"kind": "imprimante", "message": NO_PRINTER},
                                                 site=caller.site))
        raise SalleError(NO_PRINTER, code="pas_d_imprimante", status=503)
    answer, replayed = service.request_print(day(), g.caller, body())
    job = service.job_of_request(day(), answer["demande"]) if replayed else None
    if job is None:  # first time (or a retry of a request the spooler never got)
        job = spooler.submit(answer["ticket"], actor=g.caller.actor, site=answer["site"], epreuve=answer["epreuve"],
                             demande=answer["demande"])
    wait = 0.0 if replayed else float(current_app.config.get("KIOSK_PRINT_WAIT", 8.0))
    return reply({**spooler.status(job, wait), "rejoue": replayed, "candidat": answer["candidat"]})


@bp.get("/kiosk/impressions/<job>")
@allow("kiosk")
def print_status(job):
    """The kiosk polls its job while the printer is faulty."""
    spooler = printer()
    if spooler is None:
        raise SalleError(NO_PRINTER, code="pas_d_imprimante", status=503)
    row = day().journal.one("SELECT kiosk FROM impressions WHERE job = ?", [job[:64]])
    if row is None or row["kiosk"] != g.caller.actor.id:  # R27: only its own jobs
        raise service.Introuvable("Impression inconnue.", code="impression_inconnue")
    return reply(spooler.status(job))


@bp.post("/kiosk/impressions/<job>/reimprimer")
@allow("admin", "responsable")
def reprint(job):
    row = service.job_for_reprint(day(), g.caller, job)
    spooler = printer()
    if spooler is None:
        raise SalleError(NO_PRINTER, code="pas_d_imprimante", status=503)
    spooler.reprint(row["job"], actor=g.caller.actor, site=row["site"], epreuve=row["epreuve"])
    return reply(spooler.status(row["job"], float(current_app.config.get("KIOSK_PRINT_WAIT", 8.0))))


@bp.get("/sites/<site>/convocations-imprimees")
@allow("admin", "responsable")
def printed(site):
    return reply({"site": site, "candidats": service.printed_per_candidat(day(), g.caller, site)})
