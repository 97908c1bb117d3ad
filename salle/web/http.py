"""What every API blueprint shares: the answer's envelope, the JSON body, who is asking, errors in French, and
the declaration of a route together with its OpenAPI operation (`ApiBlueprint.endpoint`)."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from flask import Blueprint, current_app, g, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from ..day import ExamDay
from ..errors import Interdit, Invalide, SalleError

API = "/api/v1"
STAFF = ("admin", "responsable", "surveillant")
MAX_DEPTH = 32  # a signature is 4 levels deep; Python's JSON parser gives up (RecursionError) near 1000


def day() -> ExamDay:
    return current_app.extensions["salle.day"]


def envelope(exam_day: ExamDay, data) -> dict:
    """Every answer, by HTTP or over the live connection, carries « repetition » and « heure_serveur »."""
    clock = exam_day.clock
    out = dict(data) if isinstance(data, dict) else {"elements": data}
    out.setdefault("repetition", bool(clock.rehearsal))
    out.setdefault("heure_serveur", clock.now().isoformat(timespec="seconds"))
    return out


def reply(data, status: int = 200):
    response = jsonify(envelope(day(), data))
    response.status_code = status
    return response


def body() -> dict:
    try:
        data = request.get_json(silent=True)
    except RecursionError:
        data = None
    if not isinstance(data, dict) or _too_deep(data):
        raise Invalide("Requête illisible : un objet JSON est attendu (Content-Type: application/json), imbriqué "
                       f"sur {MAX_DEPTH} niveaux au plus.", code="json_invalide")
    return data


def _too_deep(data) -> bool:
    """Whether `data` nests lists and objects deeper than MAX_DEPTH (checked without recursion)."""
    level = [data]
    for _ in range(MAX_DEPTH):
        level = [v for x in level if isinstance(x, (dict, list)) for v in (x.values() if isinstance(x, dict) else x)]
        if not level:
            return False
    return any(isinstance(x, (dict, list)) for x in level)


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    return header[7:].strip() if header.lower().startswith("bearer ") else None


def allow(*roles: str):
    """Sign-in required, and one of `roles`; the caller is in g.caller."""

    def wrap(view):
        @functools.wraps(view)
        def inner(*args, **kwargs):
            g.caller = day().authenticate(bearer_token())
            if g.caller.role not in roles:
                raise Interdit(f"Action interdite pour le rôle « {g.caller.role} ».")
            return view(*args, **kwargs)

        return inner

    return wrap


def flag(name: str) -> bool:
    return request.args.get(name) in ("1", "oui", "true")


# --- errors in French ----------------------------------------------------------------------------------------


def salle_error(exc: SalleError):
    return reply({"erreur": exc.to_dict()}, exc.status)


HTTP_MESSAGES = {  # what a person reads instead of Werkzeug's (or gunicorn's) English pages
    400: "Requête invalide : rien n'a été enregistré.", 401: "Connectez-vous avec votre code personnel.",
    403: "Accès interdit.", 404: "Adresse inconnue : vérifiez-la.", 405: "Méthode non permise pour cette adresse.",
    413: "Requête trop volumineuse.", 414: "Adresse trop longue : rien n'a été enregistré.",
    415: "Type de contenu non pris en charge.", 429: "Trop de requêtes : patientez un instant.",
    431: "En-têtes trop volumineux : rien n'a été enregistré.",
    500: "Erreur interne du serveur : rien n'a été enregistré pour cette action. Réessayez ; si cela persiste, "
         "prévenez le responsable.",
}


def http_error(exc: HTTPException):
    """Every HTTP error in French: JSON under /api/v1, a French page elsewhere."""
    code = getattr(exc, "code", None) or 500
    message = HTTP_MESSAGES.get(code, "Requête refusée.")
    if code == 404 and request.path.startswith(API + "/"):
        message = "Adresse inconnue de l'API."
    if not request.path.startswith(API + "/"):
        html = render_template("erreur.html", code=code, message=message, repetition=day().clock.rehearsal)
        return html, code, {"Content-Type": "text/html; charset=utf-8"}
    return reply({"erreur": {"code": f"http_{code}", "message": message}}, code)


def install_errors(app) -> None:
    """For the whole app: SalleError and HTTP errors (pages too) in French."""
    app.register_error_handler(SalleError, salle_error)
    app.register_error_handler(HTTPException, http_error)
    app.register_error_handler(500, http_error)


def no_cache(response):
    response.headers["Cache-Control"] = "no-store"
    if day().clock.rehearsal:
        response.headers["X-Salle-Repetition"] = "oui"
    return response


# --- routes declared with their OpenAPI operation -----------------------------------------------------------


@dataclass
class Operation:
    """A route's OpenAPI operation, declared where the route is (salle.web.openapi builds the document)."""

    summary: str
    who: str
    request: type | None = None  # a salle.commands.request.Request model: the body, parsed and documented
    body: type | None = None  # a model documented as the JSON body, read by the view itself (camera frames)
    response: str = "Reponse"  # a schema of salle.web.openapi, or a media type for a file answer
    query: tuple[str, ...] = ()
    public: bool = False
    statuses: tuple[int, ...] = ()  # beyond those every operation may answer


class ApiBlueprint(Blueprint):
    """A blueprint of /api/v1 whose routes each declare their roles, their request model and their OpenAPI
    operation in one place. A route with a request model receives the parsed request as `req`."""

    def __init__(self, name: str, import_name: str, url_prefix: str = API):
        super().__init__(name, import_name, url_prefix=url_prefix)
        self.operations: dict[tuple[str, str], Operation] = {}  # (OpenAPI path, method) -> operation
        self.after_request(no_cache)

    def endpoint(self, method: str, rule: str, *, roles: tuple[str, ...] = (), **operation):
        op = Operation(**operation)

        def wrap(view):
            inner = view
            if op.request is not None:
                model = op.request

                @functools.wraps(view)
                def inner(*args, **kwargs):
                    return view(*args, req=model.parse(body()), **kwargs)
            if roles:
                inner = allow(*roles)(inner)
            self.add_url_rule(rule, view_func=inner, methods=[method])
            path = (self.url_prefix or "") + rule
            self.operations[(path.replace("<", "{").replace(">", "}"), method.lower())] = op
            return view

        return wrap
