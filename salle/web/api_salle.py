"""API of the salle at work (/api/v1): émargement, incidents, alerts, end of épreuve, camera frames, search, PV."""

from __future__ import annotations

from flask import Blueprint, Response, g, request
from werkzeug.exceptions import HTTPException

from .. import pv, rules, salle_ops
from ..errors import Introuvable, Invalide, SalleError
from .api import STAFF, allow, body, day, http_error, no_cache, reply, salle_error

bp = Blueprint("api_salle", __name__, url_prefix="/api/v1")
bp.register_error_handler(SalleError, salle_error)
bp.register_error_handler(HTTPException, http_error)
bp.after_request(no_cache)


@bp.post("/salles/<salle>/emargements")
@allow(*STAFF)
def emargement(salle):
    return reply(salle_ops.emarger(day(), g.caller, salle, body()))


@bp.post("/salles/<salle>/incidents")
@allow(*STAFF)
def incident(salle):
    return reply(salle_ops.signaler(day(), g.caller, salle, body()))


@bp.get("/alertes")
@allow(*STAFF)
def alertes():
    return reply({"alertes": salle_ops.alertes(day(), g.caller, request.args.get("toutes") in ("1", "oui", "true"))})


@bp.post("/alertes/<seq>/resolution")
@allow("admin", "responsable")
def resolution(seq):
    if not seq.isdigit() or len(seq) > 12:
        raise Introuvable(f"Alerte n° {seq[:20]} inconnue.", code="alerte_inconnue")
    return reply(salle_ops.resoudre_alerte(day(), g.caller, int(seq), body()))


@bp.post("/incidents/<seq>/decision")
@allow("admin", "responsable")
def decision_fraude(seq):
    if not seq.isdigit() or len(seq) > 12:
        raise Introuvable(f"Rapport de fraude n° {seq[:20]} inconnu.", code="rapport_inconnu")
    return reply(salle_ops.decider_fraude(day(), g.caller, int(seq), body()))


@bp.get("/salles/<salle>/fin")
@allow(*STAFF)
def fin(salle):
    return reply(salle_ops.fin(day(), g.caller, salle, request.args.get("epreuve")))


@bp.post("/salles/<salle>/recomptage")
@allow(*STAFF)
def recomptage(salle):
    return reply(salle_ops.recompter(day(), g.caller, salle, body()))


@bp.post("/salles/<salle>/liberation")
@allow(*STAFF)
def liberation(salle):
    return reply(salle_ops.liberer(day(), g.caller, salle, body()))


@bp.post("/salles/<salle>/images")
@allow(*STAFF)
def images(salle):
    """A camera frame: multipart (field « image », other fields as form values) or JSON with base64 « image »."""
    day().salle_for(g.caller, salle)  # access first: nothing is decoded for a caller without access
    upload = request.files.get("image")
    if upload is not None:
        data, fields = upload.read(), request.form.to_dict()
        if "pieces_produites" in fields:
            fields["pieces_produites"] = fields["pieces_produites"] in ("1", "true", "oui")
    elif request.mimetype == "application/json":
        fields = body()
        data = salle_ops.image_bytes(fields.get("image"))
    else:
        raise Invalide("Image manquante : envoyez une photo JPEG ou PNG (multipart, champ « image », ou JSON "
                       "base64).", code="image_manquante")
    return reply(salle_ops.scan_image(day(), g.caller, salle, data, fields))


@bp.get("/salles/<salle>/recherche")
@allow(*STAFF)
def recherche(salle):
    found = salle_ops.rechercher(day(), g.caller, salle, request.args.get("q"), request.args.get("epreuve"))
    return reply({"candidats": found})


# --- PV and paper fallback -------------------------------------------------------------------------------


def _site_scope(epreuve: str) -> str | None:
    """A responsable sees their own site; an admin any site, or all of them."""
    d = day()
    d.epreuve_for(epreuve, d.clock.now())
    site = request.args.get("site") or (g.caller.site if g.caller.role == "responsable" else None)
    if site or g.caller.role != "admin":
        d.site_for(g.caller, site or "")
    return site


def _file(data, content_type: str, name: str) -> Response:
    """A named download (Content-Disposition: attachment), never an anonymous tab."""
    return Response(data, content_type=content_type, headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _name(*parts: str, ext: str) -> str:
    return "-".join(p.upper() for p in parts if p) + f".{ext}"


@bp.get("/epreuves/<epreuve>/pv.pdf")
@allow("admin", "responsable")
def pv_pdf(epreuve):
    site = _site_scope(epreuve)
    e = day().session.epreuve(epreuve)
    return _file(pv.build_pv(day(), epreuve, site), "application/pdf",
                 _name("PV", e.code, site or "tous-sites", e.date.isoformat(), ext="pdf"))


@bp.get("/epreuves/<epreuve>/emargement.csv")
@allow("admin", "responsable")
def emargement_csv(epreuve):
    site = _site_scope(epreuve)
    e = day().session.epreuve(epreuve)
    return _file(pv.emargement_csv(day(), epreuve, site).encode("utf-8"), "text/csv; charset=utf-8",
                 _name("EMARGEMENT", e.code, site or "tous-sites", e.date.isoformat(), ext="csv"))


@bp.get("/epreuves/<epreuve>/feuilles-emargement.pdf")
@allow("admin", "responsable")
def feuilles(epreuve):
    d = day()
    site = _site_scope(epreuve) or g.caller.site
    if not site:
        raise Invalide("Indiquez le site (?site=…) : les feuilles d'émargement se tirent site par site.",
                       code="site_manquant")
    e = d.session.epreuve(epreuve)
    remplie = request.args.get("remplie") in ("1", "oui", "true")
    return _file(pv.feuilles_emargement(d, site, e.code, remplie), "application/pdf",
                 _name("EMARGEMENT", e.code, site, "remplies" if remplie else "", e.date.isoformat(), ext="pdf"))


@bp.get("/salles/<salle>/feuille-emargement.pdf")
@allow(*STAFF)
def feuille(salle):
    d = day()
    d.salle_for(g.caller, salle)
    epreuve = d.epreuve_for(request.args.get("epreuve"), d.clock.now())
    remplie = request.args.get("remplie") in ("1", "oui", "true")
    return _file(pv.feuille_emargement(d, salle, epreuve.code, remplie), "application/pdf",
                 _name("EMARGEMENT", salle, epreuve.code, "remplie" if remplie else "", epreuve.date.isoformat(),
                       ext="pdf"))


def openapi_extend(doc: dict, op, obj, S, client_id) -> None:
    """Add this blueprint's paths and parameters to the OpenAPI document (called by salle.web.openapi)."""
    doc["components"]["parameters"].update({
        "seq": {"name": "seq", "in": "path", "required": True, "schema": {"type": "integer"}},
        "site_query": {"name": "site", "in": "query", "required": False, "schema": S,
                       "description": "Code du site ; par défaut celui du responsable, tous pour un admin"},
        "remplie": {"name": "remplie", "in": "query", "required": False, "schema": S,
                    "description": "1 : la feuille remplie d'après le journal (copie d'archive)"},
        "q": {"name": "q", "in": "query", "required": True, "schema": S,
              "description": "Nom (sans accents ni casse) ou numéro, 2 caractères au moins"},
    })
    doc["paths"].update(_paths(op, obj, S, client_id))


PDF, CSV = "application/pdf", "text/csv"


def _as_file(operation: dict, media_type: str) -> dict:
    """The operation's 200 answer is a file of `media_type`, not JSON (its errors stay JSON)."""
    operation["responses"]["200"] = {"description": "Le fichier", "content": {
        media_type: {"schema": {"type": "string", "contentMediaType": media_type}}}}
    return operation


def _paths(op, obj, S, client_id) -> dict:
    roles = "admin, responsable du site, surveillant de la salle"
    resp = "admin, responsable du site"
    strokes = {"type": "array", "items": {"type": "array", "items": obj(("x", "y"), x={"type": "number"},
                                                                          y={"type": "number"}, t={"type": "number"})}}
    integer, boolean = {"type": "integer"}, {"type": "boolean"}
    emarg = obj(("numero", "client_id", "signature"), numero=S, client_id=client_id,
                copies={**integer, "minimum": 1}, copie_blanche=boolean, abandon=boolean, signature=strokes, epreuve=S)
    incident = obj(("type", "texte", "client_id"), client_id=client_id, numero=S, texte=S, epreuve=S,
                   type={"type": "string", "enum": list(rules.INCIDENT_TYPES)},
                   debut={**S, "example": "10:45"}, fin={**S, "example": "11:05"}, heure_faits=S,
                   refus_de_signer=boolean, contresignature=strokes)
    cid = obj(("client_id",), client_id=client_id, epreuve=S)
    return {
        "/api/v1/salles/{salle}/emargements": {"post": op("Émargement : signature et copies remises (R20, R25)",
                                                          roles, emarg, params=("salle",))},
        "/api/v1/salles/{salle}/incidents": {"post": op("Incident ou rapport de fraude pour le PV (R10–R14, R23)",
                                                        roles, incident, params=("salle",))},
        "/api/v1/alertes": {"get": op("Alertes ouvertes du site (?toutes=1 : aussi les traitées)", roles)},
        "/api/v1/alertes/{seq}/resolution": {"post": op(
            "Traiter une alerte : ce qui a été fait (R5)", resp, obj(("resolution", "client_id"), resolution=S,
                                                                         client_id=client_id), params=("seq",))},
        "/api/v1/incidents/{seq}/decision": {"post": op(
            "Décision du jury sur un rapport de fraude : exclusion ou non, qui a décidé (R11)", resp,
            obj(("exclusion", "decide_par", "client_id"), exclusion=boolean, decide_par=S, observation=S,
                client_id=client_id), params=("seq",))},
        "/api/v1/salles/{salle}/fin": {"get": op("Fin d'épreuve : sans émargement, copies, recomptage (R21, R22)",
                                                 roles, params=("salle", "epreuve"))},
        "/api/v1/salles/{salle}/recomptage": {"post": op(
            "Recomptage des copies (R22)", resp, obj(("copies_comptees", "client_id"), copies_comptees=integer,
                                                     client_id=client_id, epreuve=S), params=("salle",))},
        "/api/v1/salles/{salle}/liberation": {"post": op(
            "Libérer la salle après recomptage (R22) ; avec des points non résolus (R21, écart, candidats dehors), "
            "le motif est exigé", resp, obj(("client_id",), client_id=client_id, epreuve=S, motif=S),
            params=("salle",))},
        "/api/v1/salles/{salle}/images": {"post": op(
            "Image de la caméra : codes lus (Code 128, QR) puis scan de chacun", roles,
            obj(("image", "client_id"), image={**S, "description": "JPEG/PNG en base64 (ou multipart « image »)"},
                client_id=client_id, piece_identite=S), "Verdict", ("salle",))},
        "/api/v1/epreuves/{epreuve}/pv.pdf": {"get": _as_file(op("Procès-verbal de l'épreuve (PDF)", resp,
                                                                  params=("epreuve_path", "site_query")), PDF)},
        "/api/v1/epreuves/{epreuve}/emargement.csv": {"get": _as_file(op(
            "Export de l'émargement (CSV UTF-8 BOM, « ; »)", resp, params=("epreuve_path", "site_query")), CSV)},
        "/api/v1/epreuves/{epreuve}/feuilles-emargement.pdf": {"get": _as_file(op(
            "Feuilles d'émargement de toutes les salles du site, dans l'ordre des places (PDF) ; ?remplie=1 : "
            "remplies d'après le journal", resp, params=("epreuve_path", "site_query", "remplie")), PDF)},
        "/api/v1/salles/{salle}/feuille-emargement.pdf": {"get": _as_file(op(
            "Feuille d'émargement de la salle dans l'ordre des places (PDF) ; ?remplie=1 : remplie d'après le "
            "journal", roles, params=("salle", "epreuve", "remplie")),
            PDF)},
        "/api/v1/salles/{salle}/recherche": {"get": op("Chercher un candidat du site par nom ou numéro", roles,
                                                       params=("salle", "q", "epreuve"))},
    }
