"""The site's devices seen from the console (/api/v1/appareils, /verification, /appareils/lectures). The devices
themselves are run by devices.site, wired in by the app's assembly (salle.web.app)."""

from __future__ import annotations

from typing import Annotated

from flask import current_app, g, request
from pydantic import Field

from ..commands.request import Fr, Request
from ..errors import Invalide
from ..preflight import run
from ..state import queries
from .http import ApiBlueprint, day, reply

bp = ApiBlueprint("devices", __name__)
RESP = dict(roles=("admin", "responsable"), who="admin, responsable (son site)")


class VerificationRequest(Request):
    imprimer: Annotated[bool, Field(description="Imprimer un ticket d'essai (défaut : oui)"), Fr(
        "Champ « imprimer » : vrai ou faux attendu.", "champ_invalide")] = True
    attendre_scan: Annotated[float, Field(ge=0, le=20, description=(
        "Secondes à attendre qu'un lecteur lise un code (défaut : 0)")), Fr(
        "Champ « attendre_scan » : un nombre de secondes de 0 à 20 est attendu.", "champ_invalide")] = 0


def _site() -> str | None:
    return g.caller.site if g.caller.role == "responsable" else None


@bp.endpoint("GET", "/appareils", **RESP, summary="Lecteurs et relais de porte : en ligne ou non (devices.toml)")
def appareils():
    return reply({"appareils": queries.devices(day().journal.reader(), _site())})


@bp.endpoint("POST", "/verification", request=VerificationRequest, **RESP,
             summary="Vérification du matin : fichier du jour, horloge, disque, chaque appareil (ticket d'essai, "
                     "papier, lecteurs, relais), tablettes et bornes connectées ; une liste en français, prêt ou "
                     "quoi corriger")
def verification(req):
    """The morning pre-flight (salle verifier): the day's file, the clock, the disk, the devices, the sign-ins."""
    probe = current_app.extensions["salle.server_probe"]()
    return reply(run(day(), probe, site=_site(), print_test=req.imprimer, scan_wait=float(req.attendre_scan)
                     ).to_dict())


@bp.endpoint("GET", "/appareils/lectures", query=("apres", "lecteur"), **RESP,
             summary="Codes lus par les lecteurs de porte du serveur, depuis le numéro de lecture « apres » (les 500 "
                     "derniers ; « salle devices test-scan » pendant que le serveur tient les ports)")
def appareils_lectures():
    """The codes the server's door scanners read (`salle devices test-scan` while the server holds the ports)."""
    raw = request.args.get("apres", "0")
    if not raw.isdigit() or len(raw) > 12:
        raise Invalide("Paramètre « apres » : un numéro de lecture (entier positif) est attendu.", code="parametre")
    devices = current_app.extensions.get("salle.devices")
    lectures = devices.reads(int(raw), _site(), request.args.get("lecteur") or None) if devices else []
    return reply({"lectures": lectures, "dernier": max([r["n"] for r in lectures], default=int(raw))})
