"""The versioned JSON API (/api/v1): everything a tablet, a console, a kiosk or a script can do."""

from __future__ import annotations

import functools
import time

from flask import Blueprint, current_app, g, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from ..day import require_client_id
from ..errors import Interdit, Invalide, SalleError
from ..journal import storage_health
from .openapi import openapi_document

bp = Blueprint("api", __name__, url_prefix="/api/v1")
STAFF = ("admin", "responsable", "surveillant")


def day():
    return current_app.extensions["salle.day"]


def reply(data, status: int = 200):
    clock = day().clock
    body = dict(data) if isinstance(data, dict) else {"elements": data}
    body.setdefault("repetition", bool(clock.rehearsal))
    body.setdefault("heure_serveur", clock.now().isoformat(timespec="seconds"))
    response = jsonify(body)
    response.status_code = status
    return response


MAX_DEPTH = 32  # a signature is 4 levels deep; Python's JSON parser gives up (RecursionError) near 1000


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


@bp.errorhandler(SalleError)
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


@bp.errorhandler(HTTPException)
@bp.app_errorhandler(HTTPException)
@bp.app_errorhandler(500)
def http_error(exc: HTTPException):
    """Every HTTP error in French: JSON under /api/v1, a French page elsewhere."""
    code = exc.code or 500
    message = HTTP_MESSAGES.get(code, "Requête refusée.")
    if code == 404 and request.path.startswith(bp.url_prefix + "/"):
        message = "Adresse inconnue de l'API."
    if code == 429 and request.endpoint == "api.login":
        message = _sign_in_wait()
    if not request.path.startswith(bp.url_prefix + "/"):
        html = render_template("erreur.html", code=code, message=message, repetition=day().clock.rehearsal)
        return html, code, {"Content-Type": "text/html; charset=utf-8"}
    return reply({"erreur": {"code": f"http_{code}", "message": message}}, code)


@bp.after_request
def no_cache(response):
    response.headers["Cache-Control"] = "no-store"
    if day().clock.rehearsal:
        response.headers["X-Salle-Repetition"] = "oui"
    return response


# --- public ----------------------------------------------------------------------------------------


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_document())


@bp.get("/health")
def health():
    """Up, and able to record: the day's file can be written now (probe) and the disk space left (503 if not)."""
    d = day()
    storage = storage_health(d.db_path)
    ok = storage["ecriture_possible"]
    return reply({"ok": ok, "tete_journal": d.journal.head, "stockage": storage}, 200 if ok else 503)


@bp.post("/auth/login")
def login():
    data = body()
    token, staff = day().login(data.get("code"), data.get("device") or request.headers.get("User-Agent", "")[:80],
                               request.remote_addr or "")
    return reply({"token": token, "personnel": staff})


def limit_sign_in(app, limiter) -> None:
    """Failed sign-ins limited per device (its address) and per code typed (as its keyed hash), tier after tier
    (SIGNIN_DEVICE_LIMIT, SIGNIN_CODE_LIMIT): a growing wait. Only failures count; past a limit every attempt
    waits, the right code too. flask-limiter's decorator, applied to the registered view."""
    failed = lambda response: response.status_code == 401  # noqa: E731
    view = app.view_functions["api.login"]
    view = limiter.limit(lambda: app.config["SIGNIN_DEVICE_LIMIT"], key_func=_device_key, deduct_when=failed)(view)
    view = limiter.limit(lambda: app.config["SIGNIN_CODE_LIMIT"], key_func=_code_key, deduct_when=failed)(view)
    app.view_functions["api.login"] = view


def _device_key() -> str:
    return "connexion-appareil:" + (request.remote_addr or "?")


def _code_key() -> str:
    try:
        data = request.get_json(silent=True)
    except RecursionError:
        data = None
    code = data.get("code") if isinstance(data, dict) else None
    return "connexion-code:" + (day().code_hash(code)[:32] if isinstance(code, str) and len(code) <= 64 else "?")


def _sign_in_wait() -> str:
    limiter = current_app.extensions.get("kiosk.limiter")
    breached = [limit.reset_at for limit in (limiter.current_limits if limiter else []) if limit.breached]
    seconds = max(1, round(max(breached) - time.time())) if breached else 60  # the longest wait of the tiers hit
    wait = f"{seconds} s" if seconds < 120 else f"{seconds // 60} min" if seconds < 7200 else f"{seconds // 3600} h"
    return f"Trop de codes refusés depuis cet appareil ou pour ce code : réessayez dans {wait}."


@bp.post("/auth/logout")
@allow(*STAFF, "kiosk")
def logout():
    return reply(day().logout(g.caller))


@bp.get("/personnel")
@allow("admin", "responsable")
def staff_list():
    return reply({"personnel": day().staff_for(g.caller)})


@bp.post("/personnel/<personnel>/deconnexion")
@allow("admin", "responsable")
def revoke(personnel):
    return reply(day().revoke(g.caller, personnel, body()))


@bp.post("/personnel/<personnel>/deverrouillage")
@allow("admin", "responsable")
def unlock(personnel):
    return reply(day().unlock(g.caller, personnel, body()))


# --- the session --------------------------------------------------------------------------------


@bp.get("/me")
@allow(*STAFF, "kiosk")
def me():
    c = g.caller
    return reply({"id": c.actor.id, "nom": c.actor.name, "role": c.role, "salle": c.salle, "site": c.site})


@bp.get("/session")
@allow(*STAFF, "kiosk")
def session():
    s = day().session
    visible_sites = [x for x in s.sites if g.caller.role == "admin" or x.code == g.caller.site]
    data = {
        "concours": {"code": s.concours.code, "libelle": s.concours.label, "session": s.concours.session},
        "epreuves": [
            {"code": e.code, "libelle": e.label, "date": e.date.isoformat(), "debut": e.start_dt.isoformat(),
             "duree": e.duration, "fermeture_portes": e.doors_close_dt.isoformat(), "type": e.kind,
             "sujet_commun": e.sujet_commun, "convocation": e.convocation_dt.isoformat()}
            for e in s.epreuves
        ],
        "sites": [{"code": x.code, "nom": x.name, "adresse": x.address} for x in visible_sites],
    }
    if g.caller.role != "kiosk":
        codes = {x.code for x in visible_sites}
        data["salles"] = [
            {"code": x.code, "libelle": x.display, "site": x.site, "capacite": x.capacity, "rangees": x.rows,
             "colonnes": x.columns, "acces": x.access}
            for x in s.salles if x.site in codes and (g.caller.role != "surveillant" or x.code == g.caller.salle)
        ]
    return reply(data)


@bp.get("/clock")
@allow(*STAFF, "kiosk")
def clock_get():
    clock = day().clock
    return reply({"maintenant": clock.now().isoformat(timespec="seconds"), "vitesse": clock.speed})


@bp.put("/clock")
@allow("admin")
def clock_set():
    when = day().set_clock(g.caller, body().get("maintenant"))
    return reply({"maintenant": when.isoformat(timespec="seconds")})


# --- salles -------------------------------------------------------------------------------------


@bp.get("/salles")
@allow(*STAFF)
def salles():
    d = day()
    out = []
    for salle in d.session.salles:
        try:
            out.append(d.salle_state(g.caller, salle.code, request.args.get("epreuve")))
        except Interdit:
            continue
    return reply({"salles": out})


@bp.get("/salles/<salle>")
@allow(*STAFF)
def salle_state(salle):
    return reply(day().salle_state(g.caller, salle, request.args.get("epreuve")))


@bp.get("/salles/<salle>/candidats")
@allow(*STAFF)
def salle_candidats(salle):
    return reply({"candidats": day().salle_candidats(g.caller, salle, request.args.get("epreuve"))})


@bp.get("/salles/<salle>/candidats/<numero>")
@allow(*STAFF)
def candidat_card(salle, numero):
    return reply(day().candidat_card(g.caller, salle, numero, request.args.get("epreuve")))


@bp.post("/salles/<salle>/scans")
@allow(*STAFF)
def scan(salle):
    answer = day().scan(g.caller, salle, body())
    if not answer["enregistre"] and answer["verdict"] == "admis":
        socketio = current_app.extensions["salle.socketio"]
        socketio.emit("scan_lu", answer, to=f"salle:{salle}")  # a door scanner's read, for the tablet to confirm
    return reply(answer)


@bp.post("/salles/<salle>/sorties")
@allow(*STAFF)
def sortie(salle):
    return reply(day().sortie(g.caller, salle, body()))


@bp.post("/salles/<salle>/toilettes")
@allow(*STAFF)
def toilettes(salle):
    return reply(day().toilettes(g.caller, salle, body()))


@bp.post("/salles/<salle>/toilettes/retour")
@allow(*STAFF)
def toilettes_retour(salle):
    return reply(day().toilettes_retour(g.caller, salle, body()))


@bp.get("/appareils")
@allow("admin", "responsable")
def appareils():
    rows = day().journal.query("SELECT name AS nom, kind AS type, salle, site, online AS en_ligne, message, "
                               "since AS depuis FROM appareils ORDER BY name")
    if g.caller.role == "responsable":
        rows = [r for r in rows if r["site"] in (None, g.caller.site)]
    return reply({"appareils": rows})


@bp.post("/verification")
@allow("admin", "responsable")
def verification():
    """The morning pre-flight (salle verifier): the day's file, the clock, the disk, the devices, the sign-ins."""
    from ..preflight import run
    from .hardware import ServerProbe

    data = body()
    imprimer, attendre = data.get("imprimer", True), data.get("attendre_scan", 0)
    if not isinstance(imprimer, bool):
        raise Invalide("Champ « imprimer » : vrai ou faux attendu.", code="champ_invalide")
    if isinstance(attendre, bool) or not isinstance(attendre, (int, float)) or not 0 <= attendre <= 20:
        raise Invalide("Champ « attendre_scan » : un nombre de secondes de 0 à 20 est attendu.", code="champ_invalide")
    site = g.caller.site if g.caller.role == "responsable" else None
    return reply(run(day(), ServerProbe(current_app), site=site, print_test=imprimer, scan_wait=float(attendre)
                     ).to_dict())


@bp.get("/appareils/lectures")
@allow("admin", "responsable")
def appareils_lectures():
    """The codes the server's door scanners read (`salle devices test-scan` while the server holds the ports)."""
    raw = request.args.get("apres", "0")
    if not raw.isdigit() or len(raw) > 12:
        raise Invalide("Paramètre « apres » : un numéro de lecture (entier positif) est attendu.", code="parametre")
    devices = current_app.extensions.get("salle.devices")
    site = g.caller.site if g.caller.role == "responsable" else None
    lectures = devices.reads(int(raw), site, request.args.get("lecteur") or None) if devices else []
    return reply({"lectures": lectures, "dernier": max([r["n"] for r in lectures], default=int(raw))})


# --- épreuve, per site: doors (R3) and start (R9) ----------------------------------------------------


@bp.post("/epreuves/<epreuve>/sites/<site>/fermeture")
@allow("admin", "responsable")
def move_doors(epreuve, site):
    return reply(day().move_doors(g.caller, epreuve, site, body()))


@bp.post("/epreuves/<epreuve>/sites/<site>/portes-fermees")
@allow("admin", "responsable")
def close_doors(epreuve, site):
    data = body()
    return reply(day().close_doors(g.caller, epreuve, site, require_client_id(data.get("client_id"))))


@bp.post("/epreuves/<epreuve>/sites/<site>/debut")
@allow("admin", "responsable")
def start(epreuve, site):
    return reply(day().start_epreuve(g.caller, epreuve, site, body()))


