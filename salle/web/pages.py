"""The staff pages' entry point; the pages themselves only use the API and Socket.IO."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

bp = Blueprint("pages", __name__)


@bp.get("/")
def home():
    day = current_app.extensions["salle.day"]
    return render_template("home.html", session=day.session, repetition=day.clock.rehearsal,
                           now=day.clock.now())
