"""The papers before the day, from the console (organiser, responsable of the site): one candidat's convocation,
the list to post at a site's entrance, its door labels, a salle's table labels (PDF, named downloads)."""

from __future__ import annotations

from flask import Blueprint, g
from werkzeug.exceptions import HTTPException

from ..day import candidat_from_row
from ..documents import affichage
from ..documents.convocations import check_session, convocations_of, render
from ..errors import Introuvable, SalleError
from .api import allow, day, http_error, no_cache, salle_error
from .api_salle import _as_file, _file

bp = Blueprint("api_documents", __name__, url_prefix="/api/v1/documents")
bp.register_error_handler(SalleError, salle_error)
bp.register_error_handler(HTTPException, http_error)
bp.after_request(no_cache)


def _pdf(data: bytes, name: str):
    return _file(data, "application/pdf", name)


def _candidats(where: str = "", params=()) -> list:
    return [candidat_from_row(r) for r in day().journal.query(f"SELECT * FROM candidats {where}", params)]


@bp.get("/convocations/<numero>.pdf")
@allow("admin", "responsable")
def convocation(numero):
    d = day()
    found = _candidats("WHERE numero = ?", [numero])
    if not found:
        raise Introuvable(f"Candidat « {numero[:40]} » inconnu.", code="candidat_inconnu")
    d.site_for(g.caller, found[0].site)
    check_session(d.session)
    convs = convocations_of(d.session, found)
    if not convs:
        raise Introuvable(f"{found[0].display_name} n'est convoqué(e) à aucune épreuve.", code="non_convoque")
    return _pdf(render(d.session, convs[0]), convs[0].filename)


@bp.get("/sites/<site>/liste.pdf")
@allow("admin", "responsable")
def site_list(site):
    site = day().site_for(g.caller, site)
    return _pdf(affichage.site_list(day().session, site.code, _candidats()), f"liste-{site.code}.pdf")


@bp.get("/sites/<site>/portes.pdf")
@allow("admin", "responsable")
def door_labels(site):
    site = day().site_for(g.caller, site)
    return _pdf(affichage.door_labels(day().session, site.code, _candidats()), f"portes-{site.code}.pdf")


@bp.get("/salles/<salle>/tables.pdf")
@allow("admin", "responsable")
def table_labels(salle):
    salle = day().salle_for(g.caller, salle)
    return _pdf(affichage.table_labels(day().session, salle, _candidats("WHERE salle = ?", [salle.code])),
                f"tables-{salle.code}.pdf")


def openapi_extend(doc: dict, op, as_file=_as_file) -> None:
    """This blueprint's paths in the OpenAPI document (called by salle.web.openapi)."""
    roles = "admin, responsable du site"
    doc["paths"].update({
        "/api/v1/documents/convocations/{numero}.pdf": {"get": as_file(op(
            "Convocation d'un candidat (PDF, code-barres et QR)", roles, params=("numero",)), "application/pdf")},
        "/api/v1/documents/sites/{site}/liste.pdf": {"get": as_file(op(
            "Liste à afficher à l'entrée du site (PDF, ordre alphabétique, sans date de naissance)", roles,
            params=("site",)), "application/pdf")},
        "/api/v1/documents/sites/{site}/portes.pdf": {"get": as_file(op(
            "Étiquettes de porte des salles du site (PDF)", roles, params=("site",)), "application/pdf")},
        "/api/v1/documents/salles/{salle}/tables.pdf": {"get": as_file(op(
            "Étiquettes de table de la salle, dans l'ordre des places (PDF)", roles, params=("salle",)),
            "application/pdf")},
    })
