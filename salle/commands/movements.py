"""Movements of a candidat inside the épreuve: definitive exit (R8, R15–R18, R22, R24), toilets and back (R17,
R19)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from .. import rules
from ..errors import Introuvable
from ..state import queries
from .common import answer, fingerprint, run
from .request import ClientId, DeviceTime, EpreuveCode, Fr, Numero, Piece, Request

SORTIE, TOILETTES, RETOUR = "sortie", "toilettes_sortie", "toilettes_retour"


class MovementRequest(Request):
    client_id: ClientId
    numero: Numero
    accompagnateur: Annotated[str | None, Field(description="Qui accompagne aux toilettes (R19)"), Fr(
        "« accompagnateur » doit être un nom.")] = None
    piece_identite: Annotated[Piece | None, Field(description="Pièce d'identité vérifiée à la sortie (R8)"), Fr(
        "Pièce d'identité inconnue.", "piece_identite_invalide")] = None
    device_time: DeviceTime
    epreuve: EpreuveCode = None


def sortie(day, caller, salle_code: str, req: MovementRequest) -> dict:
    return _movement(day, caller, salle_code, req, SORTIE)


def toilettes(day, caller, salle_code: str, req: MovementRequest) -> dict:
    return _movement(day, caller, salle_code, req, TOILETTES)


def toilettes_retour(day, caller, salle_code: str, req: MovementRequest) -> dict:
    return _movement(day, caller, salle_code, req, RETOUR)


def _movement(day, caller, salle_code: str, req: MovementRequest, op: str) -> dict:
    salle = day.salle_for(caller, salle_code)
    epreuve = day.epreuve_for(req.epreuve, salle=salle.code)
    accompagnateur = req.accompagnateur or ""

    def decide(tx) -> dict:
        c = queries.candidat(tx.db, req.numero)
        if c is None:
            raise Introuvable(f"Candidat « {req.numero} » inconnu.", code="candidat_inconnu")
        facts = queries.presence_facts(tx.db, epreuve, salle, c, req.piece_identite is not None)
        if op == SORTIE:
            verdict = rules.check_exit(facts, tx.now)
        elif op == TOILETTES:
            verdict = rules.check_toilettes(facts, accompagnateur, tx.now)
        else:
            verdict = rules.check_toilettes_retour(facts)
        if verdict.ok:
            tx.append(op, caller.actor, {"accompagnateur": accompagnateur.strip(), "piece_identite": req.piece_identite,
                                         "message": verdict.message},
                      client_id=req.client_id, device_time=req.device_time, epreuve=epreuve.code, site=salle.site,
                      salle=salle.code, candidat=c.numero)
        return answer(verdict, verdict.ok, epreuve=epreuve.code, salle=salle.code, candidat=queries.candidat_public(c))

    return run(day, req.client_id, fingerprint(op, salle=salle.code, numero=req.numero, acc=accompagnateur,
                                               piece=req.piece_identite), decide)
