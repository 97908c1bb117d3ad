"""The kiosk's full-screen touch page (/borne): it only uses the kiosk API."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request

from .service import numero_prefix

bp = Blueprint("kiosk_pages", __name__, template_folder="templates", static_folder="static",
               static_url_path="/borne/static")


@bp.get("/borne")
def borne():
    day = current_app.extensions["salle.day"]
    try:
        idle = max(1, min(600, int(request.args.get("idle", current_app.config["KIOSK_IDLE_SECONDS"]))))
    except ValueError:
        idle = current_app.config["KIOSK_IDLE_SECONDS"]
    concours = day.session.concours
    response = current_app.make_response(render_template(
        "borne.html", repetition=day.clock.rehearsal, idle=idle, concours=concours,
        prefix=numero_prefix(concours.numero_pattern), year=day.clock.now().year))
    response.headers["Cache-Control"] = "no-store"
    return response
