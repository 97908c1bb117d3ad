"""The surveillant's tablet (/tablette) and the responsable's console (/console): static pages that use only
the /api/v1 API and Socket.IO."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

bp = Blueprint("pages_salle", __name__)


def _page(template: str):
    day = current_app.extensions["salle.day"]
    response = current_app.make_response(render_template(template, repetition=day.clock.rehearsal))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/tablette")
def tablette():
    return _page("tablette.html")


@bp.get("/console")
def console():
    return _page("console.html")
