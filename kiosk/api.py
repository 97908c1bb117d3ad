"""The kiosk's API (/api/v1/kiosk/…): lookup and print (the replacement convocation; the attestation de présence
of a candidat who has left) for the kiosk role only (R27), reprint and the console's count of printed convocations
for the responsable."""

from __future__ import annotations

from flask import current_app, g

from salle.commands import kiosk
from salle.errors import Introuvable, SalleError
from salle.state import queries
from salle.web.http import ApiBlueprint, body, day, reply
from salle.web.limits import in_words

bp = ApiBlueprint("kiosk", __name__)
RATE_LIMITED = ("Trop de recherches depuis cette borne : patientez une minute, ou adressez-vous au personnel "
                "de l'accueil.")
PRINTS_LIMITED = ("Trop d'impressions depuis cette borne : patientez {attente}, ou adressez-vous au personnel de "
                  "l'accueil.")
CANDIDAT_LIMITED = ("Votre convocation a déjà été imprimée plusieurs fois aujourd'hui : adressez-vous au personnel "
                    "de l'accueil, qui vous la remettra.")
ATTESTATION_LIMITED = ("Votre attestation de présence a déjà été imprimée plusieurs fois aujourd'hui : adressez-vous "
                       "au personnel de l'accueil.")
NO_PRINTER = "Aucune imprimante n'est reliée à la borne : adressez-vous au personnel de l'accueil."
RESP = "admin, responsable du site"


def printer():
    return current_app.extensions.get("kiosk.printer")


@bp.endpoint("POST", "/kiosk/recherches", roles=("kiosk",), body=kiosk.LookupRequest, statuses=(429,), who="kiosk",
                    summary="Trouver sa convocation : un seul candidat, « plusieurs » ou « introuvable » (R6, R1, R3, "
                            "R27). Limité par borne (429).")
def lookup():
    """By nom + date_naissance, or by numero: one candidat, « plusieurs », or « introuvable ». Every lookup of a
    borne counts (R27: the lookup is rate-limited), whatever it sends."""
    spec, key = current_app.config["KIOSK_LOOKUP_LIMIT"], "borne:" + g.caller.actor.id
    limits = current_app.extensions["salle.limits"]
    if limits.wait(spec, key) is not None:
        raise SalleError(RATE_LIMITED, code="trop_de_recherches", status=429)
    limits.hit(spec, key)
    return reply(kiosk.lookup(day(), g.caller, kiosk.LookupRequest.parse(body())))


def _spooler():
    spooler = printer()
    if spooler is None:
        raise SalleError(NO_PRINTER, code="pas_d_imprimante", status=503)
    return spooler


@bp.endpoint("GET", "/kiosk/accueil", roles=("kiosk",), who="kiosk",
             summary="L'écran d'accueil de la borne : concours, jour, et si une convocation peut encore être imprimée "
                     "aujourd'hui sur ce site (R3)")
def welcome():
    return reply(kiosk.welcome(day(), g.caller))


@bp.endpoint("POST", "/kiosk/impressions", roles=("kiosk",), request=kiosk.PrintRequest, response="Verdict",
             who="kiosk", statuses=(429,),
             summary="Imprimer la convocation de remplacement, numéro + date de naissance (R6, R26, R27) ; portes "
                     "fermées (R3) : refusé, « ok » faux. Limité par borne et par candidat (429).")
def print_convocation(req):
    return _print(lambda quota: kiosk.request_print(day(), g.caller, req, quota), "impressions-candidat:",
                  CANDIDAT_LIMITED)


@bp.endpoint("POST", "/kiosk/attestations", roles=("kiosk",), request=kiosk.AttestationRequest,
             response="Verdict", who="kiosk", statuses=(429,),
             summary="Imprimer son attestation de présence une fois sorti de la salle, numéro + date de naissance "
                     "(R27) ; pas encore sorti : refusé, « ok » faux. Limité par borne et par candidat (429).")
def print_attestation(req):
    return _print(lambda quota: kiosk.request_attestation(day(), g.caller, req, quota), "attestations-candidat:",
                  ATTESTATION_LIMITED)


def _print(request, candidat_prefix: str, candidat_limited: str):
    """A print request of the borne: its printer, the borne's limit (every attempt counts), the command (which
    calls `quota` once the candidat is known), then the ticket to the spooler once; a retry prints nothing more."""
    if printer() is None:
        caller = g.caller
        day().journal.write(lambda tx: tx.append("alerte", caller.actor, {"kind": "imprimante", "message": NO_PRINTER},
                                                 site=caller.site))
    spooler = _spooler()
    limits, config = current_app.extensions["salle.limits"], current_app.config
    borne_spec, borne_key = config["KIOSK_PRINT_LIMIT"], "impressions-borne:" + g.caller.actor.id
    wait = limits.wait(borne_spec, borne_key)
    if wait is not None:  # every attempt of a borne counts: a wrong date of birth too
        raise SalleError(PRINTS_LIMITED.format(attente=in_words(wait)), code="trop_d_impressions", status=429)
    limits.hit(borne_spec, borne_key)
    candidat_spec = config["KIOSK_PRINT_LIMIT_CANDIDAT"]

    def quota(numero: str) -> None:  # once the candidat is known: the limit says nothing of a numéro that is not
        if limits.wait(candidat_spec, candidat_prefix + numero) is not None:
            raise SalleError(candidat_limited, code="trop_d_impressions_candidat", status=429)

    answer = request(quota)
    if not answer["ok"]:
        return reply(answer)
    replayed = answer["rejoue"]
    if not replayed:  # a retry of the same request prints nothing more: it does not count
        limits.hit(candidat_spec, candidat_prefix + answer["candidat"]["numero"])
    job = queries.job_of_request(day().journal.reader(), answer["demande"]) if replayed else None
    if job is None:  # first time (or a retry of a request the spooler never got)
        job = spooler.submit(answer["ticket"], actor=g.caller.actor, site=answer["site"], epreuve=answer["epreuve"],
                             demande=answer["demande"])
    wait = 0.0 if replayed else float(current_app.config.get("KIOSK_PRINT_WAIT", 8.0))
    return reply({**spooler.status(job, wait), "rejoue": replayed, "candidat": answer["candidat"]})


@bp.endpoint("GET", "/kiosk/impressions/<job>", roles=("kiosk",), who="kiosk",
             summary="État d'une impression de cette borne")
def print_status(job):
    """The kiosk polls its job while the printer is faulty."""
    spooler = _spooler()
    row = queries.print_job(day().journal.reader(), job[:64])
    if row is None or row["kiosk"] != g.caller.actor.id:  # R27: only its own jobs
        raise Introuvable("Impression inconnue.", code="impression_inconnue")
    return reply(spooler.status(job))


@bp.endpoint("POST", "/kiosk/impressions/<job>/reimprimer", roles=("admin", "responsable"), who=RESP,
             summary="Réimprimer une convocation (échec ou perte)")
def reprint(job):
    row = kiosk.job_for_reprint(day(), g.caller, job)
    spooler = _spooler()
    spooler.reprint(row["job"], actor=g.caller.actor, site=row["site"], epreuve=row["epreuve"])
    return reply(spooler.status(row["job"], float(current_app.config.get("KIOSK_PRINT_WAIT", 8.0))))


@bp.endpoint("GET", "/sites/<site>/convocations-imprimees", roles=("admin", "responsable"), who=RESP,
             summary="Convocations imprimées à la borne, par candidat, réimpressions signalées")
def printed(site):
    code = day().site_for(g.caller, site).code
    return reply({"site": site, "candidats": queries.printed_per_candidat(day().journal.reader(), code)})
