"""The standby laptop's web side (issue 15): its state and its promotion (/api/v1/secours), its page (/secours),
and CORS for the tablets that were loaded from the main laptop and move here by themselves."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any

from flask import Blueprint, current_app, g, render_template, request
from pydantic import Field, StringConstraints

from ..commands.request import Fr, Request
from ..errors import Introuvable, Invalide, NonAutorise
from ..journal import Actor
from ..state import queries
from ..day import Caller
from .http import ApiBlueprint, bearer_token, day, reply

bp = ApiBlueprint("secours", __name__)
page_bp = Blueprint("secours_page", __name__)
main_bp = ApiBlueprint("principal", __name__)  # on the main laptop: its side of the standby (Fence)


class PromotionRequest(Request):
    code: Annotated[Any, Field(json_schema_extra={"type": "string"},
                               description="Code personnel (sans jeton : la connexion n'est pas journalisée avant "
                                           "la promotion)")] = None
    confirme: Annotated[bool, Field(description="Le responsable confirme la bascule"),
                        Fr("« confirme » doit valoir true ou false.")] = False
    forcer: Annotated[bool, Field(description="Promouvoir même si le serveur principal répond encore"),
                      Fr("« forcer » doit valoir true ou false.")] = False


class MainConfirmationRequest(Request):
    confirme: Annotated[bool, Field(description="Le responsable confirme que le portable de secours n'a pas été "
                                                "promu"), Fr("« confirme » doit valoir true ou false.")] = False
    motif: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
                     Field(description="Comment il le sait (consigné au procès-verbal)"),
                     Fr("Indiquez comment vous savez que le portable de secours n'a pas été promu (200 caractères "
                        "au plus).", "motif_requis")]


def standby():
    return current_app.extensions["salle.secours"]


def fence():
    found = current_app.extensions.get("salle.veille_secours")
    if found is None:
        raise Introuvable("Ce serveur n'a pas de portable de secours ([reseau] secours) : rien à confirmer.",
                          code="sans_secours")
    return found


@main_bp.endpoint("GET", "/principal", roles=("admin", "responsable", "surveillant"), who="personnel",
             summary="Le serveur principal et son portable de secours : s'il attend de savoir si le secours a été "
                     "promu pendant son arrêt (incertain), ou s'il l'a été")
def main_state():
    return reply(fence().status())


@main_bp.endpoint("POST", "/principal/confirmation", roles=("admin", "responsable"), request=MainConfirmationRequest,
             response="Verdict", statuses=(404, 409), who="admin, responsable du site",
             summary="Serveur principal redémarré sans pouvoir joindre son secours ni le flux du site : confirmer que "
                     "le secours n'a pas été promu, pour reprendre les entrées ici (journalisé, au PV)")
def confirm_main(req):
    return reply(fence().confirm(g.caller, req.confirme, req.motif))


@bp.endpoint("GET", "/secours", public=True, summary="Le portable de secours : jusqu'où va sa copie du journal, "
             "s'il est promu", who="tous")
def state():
    return reply(standby().status())


@bp.endpoint("POST", "/secours/promotion", public=True, request=PromotionRequest, response="Verdict",
             statuses=(409,), who="admin, responsable du site (jeton, ou code personnel)",
             summary="Promouvoir le portable de secours : il prend les entrées sur le même journal")
def promote(req):
    return reply(standby().promote(_caller(req.code), req.forcer, req.confirme))


@bp.endpoint("POST", "/secours/reprise", public=True, response="Verdict", statuses=(409,),
             who="admin, responsable du site (jeton, ou code personnel)",
             summary="Après la promotion : reprendre du fichier du jour du serveur principal (multipart, champ "
                     "« journal » : le fichier .sqlite et, s'il existe, son « -wal » ; champ « code ») les actions "
                     "qu'il a enregistrées sans les transmettre, chacune une fois, à leur heure")
def take_back():
    uploads = [f for f in request.files.getlist("journal") if f.filename]
    caller = _caller(request.form.get("code"))  # who first: nothing is read for a caller without the right
    if not uploads or len(uploads) > 2:
        raise Invalide("Déposez le fichier du jour du serveur principal (son .sqlite, et son « -wal » s'il existe à "
                       "côté) : rien n'a été repris.", code="fichier_manquant")
    with tempfile.TemporaryDirectory(prefix="salle-reprise-") as work:
        path = Path(work) / "principal.sqlite"
        for upload in sorted(uploads, key=lambda f: f.filename.endswith("-wal")):
            target = path.with_name(path.name + "-wal") if upload.filename.endswith("-wal") else path
            upload.save(target)
        if not path.exists():
            raise Invalide("Seul le « -wal » a été déposé : il faut aussi le fichier du jour (.sqlite) du serveur "
                           "principal. Rien n'a été repris.", code="fichier_manquant")
        return reply(standby().take_back(caller, path))


def _caller(code) -> Caller:
    """Who promotes: a token of the day (copied from the main's journal), else the personal code, checked against
    the staff's keyed hashes without journaling a sign-in (the file takes no command before the promotion)."""
    d = day()
    token = bearer_token()
    if token:
        return d.authenticate(token)
    if not isinstance(code, str) or not code.strip() or len(code) > 64:
        raise NonAutorise("Tapez votre code personnel pour promouvoir ce portable.", code="code_invalide")
    row = queries.staff_by_code(d.journal.reader(), d.code_hash(code))
    if row is None:
        raise NonAutorise("Code personnel inconnu : rien n'a changé.", code="code_inconnu")
    actor = Actor(id=row["id"], role=row["role"], device=(request.headers.get("User-Agent") or "")[:80],
                  name=row["name"])
    return Caller(actor=actor, role=row["role"], salle=row["salle"], site=row["site"])


@page_bp.get("/secours")
def secours_page():
    response = current_app.make_response(render_template("secours.html", repetition=day().clock.rehearsal))
    response.headers["Cache-Control"] = "no-store"
    return response


def cors(origins: set[str]):
    """The API answers the pages loaded from these origins (the main laptop's): a tablet moved here keeps its
    page, its token and its queue, and sends them here. Only the bearer token is sent, never a cookie."""

    def add_headers(response):
        origin = request.headers.get("Origin")
        if origin in origins and request.path.startswith("/api/"):
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Access-Control-Allow-Headers"] = "Authorization, Content-Type, Accept"
            response.headers["Access-Control-Allow-Methods"] = "GET, POST"
            response.headers["Access-Control-Max-Age"] = "600"
            response.headers["Vary"] = "Origin"
        return response

    return add_headers


def socket_origins(origins: set[str]):
    """Socket.IO's check: this server's own pages, and the main laptop's."""

    def allowed(origin, environ) -> bool:
        own = f"{environ.get('wsgi.url_scheme', 'http')}://{environ.get('HTTP_HOST', '')}"
        return origin is None or origin == own or origin in origins

    return allowed


def origin(url: str) -> str:
    """http://hôte:port/… → http://hôte:port (what a browser sends as Origin)."""
    scheme, rest = url.split("://", 1)
    return f"{scheme}://{rest.split('/', 1)[0]}"


NOT_AT_STANDBY = ("Enregistré sur ce serveur, mais le portable de secours ne l'a pas encore reçu : l'action reste sur "
                  "la tablette, qui la renverra toute seule (elle ne comptera qu'une fois).")


def acknowledged_by_standby(acks):
    """`acquittement = "secours"`: a write is answered once the standby's copy holds the journal as far as it
    went at the answer; else 503 — recorded here, but the tablet keeps the action and sends it again by itself
    (its client id: answered again, never recorded twice), as after a network cut."""

    def wait(response):
        if request.method != "POST" or not request.path.startswith("/api/") or response.status_code >= 300:
            return response
        if acks.wait(day().journal.head_seq):
            return response
        return reply({"erreur": {"code": "secours_injoignable", "message": NOT_AT_STANDBY}}, 503)

    return wait
