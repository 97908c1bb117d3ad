"""The siège's read-only console (`salle siege`): one tile per site, its salles' counts and doors, its alerts, and
whether its link is up (« hors liaison depuis 10 h 12 »). A Flask app of its own on the siège's replicas
(salle/reseau/siege.py); the page reloads itself every few seconds, nothing on it writes anything."""

from __future__ import annotations

from flask import Flask, jsonify, render_template

from .app import security_headers


def create_siege_app(siege, refresh_seconds: int = 5) -> Flask:
    app = Flask(__name__, static_folder="static", template_folder="templates")
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    app.extensions["salle.siege"] = siege

    @app.get("/")
    def console():
        return render_template("siege.html", etat=siege.state(), refresh=refresh_seconds, repetition=False)

    @app.get("/api/v1/siege")
    def etat():
        return jsonify(siege.state())

    app.after_request(security_headers)
    return app
