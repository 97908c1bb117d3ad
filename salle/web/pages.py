"""The staff pages: the home page, the surveillant's tablet (/tablette), the responsable's console (/console),
the jury's page at an oral (/jury) and the waiting room's screen (/affichage). They are static pages that use
only the /api/v1 API and Socket.IO."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, send_from_directory

from .http import day

bp = Blueprint("pages", __name__)


@bp.get("/")
def home():
    d = day()
    return render_template("home.html", session=d.session, repetition=d.clock.rehearsal, now=d.clock.now())


def _page(template: str):
    response = current_app.make_response(render_template(template, repetition=day().clock.rehearsal))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/tablette")
def tablette():
    return _page("tablette.html")


@bp.get("/tablette.sw.js")
def tablette_service_worker():
    """The tablet's page kept on the tablet, for a reload while the main laptop is dead (static/tablette/sw.js).
    Served from the root so that its scope may be /tablette; always checked for a newer one."""
    response = send_from_directory(current_app.static_folder, "tablette/sw.js", mimetype="text/javascript",
                                   max_age=0)
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/console")
def console():
    return _page("console.html")


@bp.get("/jury")
def jury():
    """The jury's page at an oral: its passages, the draw, the passage (role jury)."""
    return _page("jury.html")


@bp.get("/affichage")
def affichage():
    """The waiting room's screen: the numéros called, never names (role affichage, R27)."""
    return _page("affichage.html")
