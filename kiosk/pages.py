"""The kiosk's full-screen touch page (/borne): it only uses the kiosk API."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request

from salle.web.http import day as current_day

from salle.commands.kiosk import french_date, numero_prefix

bp = Blueprint("kiosk_pages", __name__, template_folder="templates", static_folder="static",
               static_url_path="/borne/static")


def _seconds(name: str, default: int, low: int, high: int) -> int:
    try:
        return max(low, min(high, int(request.args.get(name, default))))
    except ValueError:
        return default


@bp.get("/borne")
def borne():
    """The page; `?idle=N` (seconds without a touch before the welcome screen comes back) and `?avertir=N`
    (seconds of that announced with « Continuer », 0: none) override the config for a test or a demo."""
    day = current_day()
    config = current_app.config
    idle = _seconds("idle", config["KIOSK_IDLE_SECONDS"], 1, 600)
    # announced in the last third at most: a short idle (a test's 2 s) is not announced at all
    avertir = _seconds("avertir", min(config["KIOSK_IDLE_WARNING_SECONDS"], idle // 3), 0, idle - 1)
    concours = day.session.concours
    now = day.clock.now()
    response = current_app.make_response(render_template(
        "borne.html", repetition=day.clock.rehearsal, idle=idle, avertir=avertir, concours=concours,
        prefix=numero_prefix(concours.numero_pattern), year=now.year, jour=french_date(now.date())))
    response.headers["Cache-Control"] = "no-store"
    return response
