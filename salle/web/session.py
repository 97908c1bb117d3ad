"""The day itself: health, the OpenAPI document, the session (concours, épreuves, sites, salles), the clock."""

from __future__ import annotations

from flask import current_app, g, jsonify

from ..commands import rehearsal
from ..journal import storage_health
from .http import STAFF, ApiBlueprint, day, reply

bp = ApiBlueprint("session", __name__)
EVERYONE = (*STAFF, "kiosk", "jury", "affichage")


@bp.endpoint("GET", "/health", public=True, summary="État du serveur et tête du journal", who="tous")
def health():
    """Up, and able to record: the day's file can be written now (probe) and the disk space left (503 if not)."""
    d = day()
    storage = storage_health(d.db_path)
    ok = storage["ecriture_possible"]
    return reply({"ok": ok, "tete_journal": d.journal.head, "stockage": storage}, 200 if ok else 503)


@bp.endpoint("GET", "/openapi.json", public=True, response="Document", summary="Ce document", who="tous")
def openapi():
    return jsonify(current_app.extensions["salle.openapi"])


@bp.endpoint("GET", "/session", roles=EVERYONE, summary="Concours, épreuves, sites et salles visibles",
             who="tous les rôles")
def session():
    s = day().session
    caller = g.caller
    visible_sites = [x for x in s.sites if caller.role == "admin" or x.code == caller.site]
    data = {
        "concours": {"code": s.concours.code, "libelle": s.concours.label, "session": s.concours.session},
        "epreuves": [
            {"code": e.code, "libelle": e.label, "date": e.date.isoformat(), "debut": e.start_dt.isoformat(),
             "duree": e.duration, "fermeture_portes": e.doors_close_dt.isoformat(), "type": e.kind,
             "sujet_commun": e.sujet_commun, "convocation": e.convocation_dt.isoformat(),
             **({"dernier_jour": e.dates[1].isoformat()} if not e.written else {})}
            for e in s.epreuves
        ],
        "sites": [{"code": x.code, "nom": x.name, "adresse": x.address} for x in visible_sites],
    }
    if caller.role != "kiosk":
        codes = {x.code for x in visible_sites}
        data["salles"] = [
            {"code": x.code, "libelle": x.display, "site": x.site, "capacite": x.capacity, "rangees": x.rows,
             "colonnes": x.columns, "acces": x.access}
            for x in s.salles
            if x.site in codes and (caller.role not in ("surveillant", "jury") or x.code == caller.salle)
        ]
    return reply(data)


@bp.endpoint("GET", "/reseau", roles=("admin", "responsable"), summary="Liaisons du site : publication du journal, "
             "siège et autres sites", who="admin, responsable")
def reseau():
    """What the site's console shows of its links (issue 15); `configure: false` without a [reseau] section."""
    status = current_app.extensions.get("salle.liaison")
    return reply({"configure": False} if status is None else {"configure": True, **status()})


@bp.endpoint("GET", "/clock", roles=EVERYONE, summary="Heure du serveur (simulée en répétition)",
             who="tous les rôles")
def clock_get():
    clock = day().clock
    return reply({"maintenant": clock.now().isoformat(timespec="seconds"), "vitesse": clock.speed})


@bp.endpoint("PUT", "/clock", roles=("admin",), request=rehearsal.ClockRequest,
             summary="Régler l'horloge (répétition seulement)", who="admin")
def clock_set(req):
    when = rehearsal.set_clock(day(), g.caller, req)
    return reply({"maintenant": when.isoformat(timespec="seconds")})
