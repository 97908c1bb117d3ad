"""The papers (/api/v1): the PV, the émargement export and sheets, and before the day the convocations, the site
list, door and table labels. Every file is a named download, never an anonymous tab."""

from __future__ import annotations

from pathlib import Path

from flask import Response, g, request

from .. import pv, pv_oral
from ..documents import affichage
from ..documents.convocations import check_session, convocations_of, render
from ..errors import Introuvable, Invalide
from ..state import queries
from .http import STAFF, ApiBlueprint, day, flag

bp = ApiBlueprint("papers", __name__)
PDF, CSV, ZIP = "application/pdf", "text/csv", "application/zip"
RESP = dict(roles=("admin", "responsable"), who="admin, responsable du site")
ADMIN = dict(roles=("admin",), who="admin (organisateur)")


def attachment(data, content_type: str, name: str) -> Response:
    """A named download (Content-Disposition: attachment)."""
    return Response(data, content_type=content_type, headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _name(*parts: str, ext: str) -> str:
    return "-".join(p.upper() for p in parts if p) + f".{ext}"


def _site_scope(epreuve: str) -> str | None:
    """A responsable sees their own site; an admin any site, or all of them."""
    d = day()
    d.epreuve_for(epreuve)
    site = request.args.get("site") or (g.caller.site if g.caller.role == "responsable" else None)
    if site or g.caller.role != "admin":
        d.site_for(g.caller, site or "")
    return site


# --- after the épreuve: the PV and the émargement -------------------------------------------------------------


@bp.endpoint("GET", "/epreuves/<epreuve>/pv.pdf", query=("site",), response=PDF, **RESP,
             summary="Procès-verbal de l'épreuve (PDF)")
def pv_pdf(epreuve):
    site = _site_scope(epreuve)
    e = day().session.epreuve(epreuve)
    return attachment(pv_oral.build_any_pv(day(), epreuve, site), PDF,
                      _name("PV", e.code, site or "tous-sites", e.date.isoformat(), ext="pdf"))


@bp.endpoint("GET", "/bilan.pdf", response=PDF, **RESP,
             summary="Bilan de la journée en graphiques (PDF) : arrivées, taux de présence, refus, incidents, "
                     "libération des salles")
def bilan_pdf():
    from ..after.bilan import bilan_of_day
    from ..journal import EVENT_COLUMNS
    from ..state import reports

    reader = day().journal.reader()
    data = bilan_of_day(reports.all_events(reader, EVENT_COLUMNS), queries.session_toml(reader) or "")
    return attachment(data, PDF, _name("BILAN", day().session.concours.code, ext="pdf"))


@bp.endpoint("GET", "/epreuves/<epreuve>/emargement.csv", query=("site",), response=CSV, **RESP,
             summary="Export de l'émargement (CSV UTF-8 BOM, « ; »)")
def emargement_csv(epreuve):
    site = _site_scope(epreuve)
    e = day().session.epreuve(epreuve)
    return attachment(pv.emargement_csv(day(), epreuve, site).encode("utf-8"), "text/csv; charset=utf-8",
                      _name("EMARGEMENT", e.code, site or "tous-sites", e.date.isoformat(), ext="csv"))


@bp.endpoint("GET", "/epreuves/<epreuve>/feuilles-emargement.pdf", query=("site", "remplie"), response=PDF, **RESP,
             summary="Feuilles d'émargement de toutes les salles du site, dans l'ordre des places (PDF) ; "
                     "?remplie=1 : remplies d'après le journal")
def feuilles(epreuve):
    d = day()
    site = _site_scope(epreuve) or g.caller.site
    if not site:
        raise Invalide("Indiquez le site (?site=…) : les feuilles d'émargement se tirent site par site.",
                       code="site_manquant")
    e = d.session.epreuve(epreuve)
    remplie = flag("remplie")
    return attachment(pv.feuilles_emargement(d, site, e.code, remplie), PDF,
                      _name("EMARGEMENT", e.code, site, "remplies" if remplie else "", e.date.isoformat(), ext="pdf"))


@bp.endpoint("GET", "/salles/<salle>/feuille-emargement.pdf", roles=STAFF, query=("epreuve", "remplie"),
             response=PDF, who="admin, responsable du site, surveillant de la salle",
             summary="Feuille d'émargement de la salle dans l'ordre des places (PDF) ; ?remplie=1 : remplie "
                     "d'après le journal")
def feuille(salle):
    d = day()
    d.salle_for(g.caller, salle)
    epreuve = d.epreuve_for(request.args.get("epreuve"), salle=salle)
    remplie = flag("remplie")
    return attachment(pv.feuille_emargement(d, salle, epreuve.code, remplie), PDF,
                      _name("EMARGEMENT", salle, epreuve.code, "remplie" if remplie else "", epreuve.date.isoformat(),
                            ext="pdf"))


# --- before the day: convocations and what is posted on site --------------------------------------------------


@bp.endpoint("GET", "/documents/convocations/<numero>.pdf", response=PDF, **RESP,
             summary="Convocation d'un candidat (PDF, code-barres et QR)")
def convocation(numero):
    d = day()
    found = queries.candidats(d.journal.reader(), "WHERE numero = ?", [numero])
    if not found:
        raise Introuvable(f"Candidat « {numero[:40]} » inconnu.", code="candidat_inconnu")
    d.site_for(g.caller, found[0].site)
    check_session(d.session)
    convs = convocations_of(d.session, found, {
        k: p for k, p in queries.all_oral_passages(d.journal.reader(), d.session).items() if k[0] == numero})
    if not convs:
        raise Introuvable(f"{found[0].display_name} n'est convoqué(e) à aucune épreuve.", code="non_convoque")
    return attachment(render(d.session, convs[0]), PDF, convs[0].filename)


@bp.endpoint("GET", "/documents/convocations.zip", response=ZIP, **ADMIN,
             summary="Toutes les convocations de la dernière génération (`salle convocations`) : ZIP avec index.csv")
def convocations_zip():
    return _generated("convocations.zip", ZIP)


@bp.endpoint("GET", "/documents/a_renvoyer.zip", response=ZIP, **ADMIN,
             summary="Les convocations à renvoyer (faits changés depuis la génération précédente) : ZIP")
def to_send_again_zip():
    return _generated("a_renvoyer.zip", ZIP)


@bp.endpoint("GET", "/documents/a_renvoyer.csv", response=CSV, **ADMIN,
             summary="La liste des convocations à renvoyer (CSV, « ; »)")
def to_send_again_csv():
    return _generated("a_renvoyer.csv", CSV)


def _generated(name: str, content_type: str):
    """A file of the last generation of the convocations, from the folder the day file records."""
    generation = queries.last_generation(day().journal.reader())
    if generation is None:
        raise Introuvable("Aucune génération des convocations : lancez « salle convocations --db … -o DOSSIER ».",
                          code="pas_de_convocations")
    path = Path(generation["dossier"]) / name
    if not path.is_file():
        raise Introuvable(f"Aucune convocation à renvoyer depuis la dernière génération ({generation['dossier']})."
                          if name.startswith("a_renvoyer") else
                          f"{name} introuvable dans {generation['dossier']} : relancez « salle convocations ».",
                          code="fichier_absent")
    return attachment(path.read_bytes(), content_type, name)


@bp.endpoint("GET", "/documents/sites/<site>/liste.pdf", response=PDF, **RESP,
             summary="Liste à afficher à l'entrée du site (PDF, ordre alphabétique, sans date de naissance)")
def site_list(site):
    return _site_poster(site, affichage.site_list, "liste")


@bp.endpoint("GET", "/documents/sites/<site>/portes.pdf", response=PDF, **RESP,
             summary="Étiquettes de porte des salles du site (PDF)")
def door_labels(site):
    return _site_poster(site, affichage.door_labels, "portes")


def _site_poster(site_code: str, draw, name: str):
    """A paper posted at a site's entrance or doors, drawn from every candidat, for its responsable or an admin."""
    site = day().site_for(g.caller, site_code)
    candidats = queries.candidats(day().journal.reader())
    return attachment(draw(day().session, site.code, candidats), PDF, f"{name}-{site.code}.pdf")


@bp.endpoint("GET", "/documents/salles/<salle>/tables.pdf", response=PDF, **RESP,
             summary="Étiquettes de table de la salle, dans l'ordre des places (PDF)")
def table_labels(salle):
    salle = day().salle_for(g.caller, salle)
    candidats = queries.candidats(day().journal.reader(), "WHERE salle = ?", [salle.code])
    return attachment(affichage.table_labels(day().session, salle, candidats), PDF, f"tables-{salle.code}.pdf")
