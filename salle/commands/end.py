"""The end of the épreuve in a salle (R21, R22): the copies recounted, then the salle released."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from .. import rules
from ..state import queries
from ..state.queries import dt
from .common import answer, fingerprint, responsable_only, run
from .request import ClientId, EpreuveCode, Fr, Request, text


class RecountRequest(Request):
    client_id: ClientId
    copies_comptees: Annotated[int, Field(ge=0, le=100000, description="Copies recomptées"), Fr(
        "Nombre de copies recomptées invalide : un nombre entier (0 ou plus).", "copies_invalides")]
    epreuve: EpreuveCode = None


class ReleaseRequest(Request):
    client_id: ClientId
    motif: text("Motif de la libération", 500, required=False, description=(
        "Exigé quand des points restent non résolus (R21, écart de copies, candidats dehors)"))
    epreuve: EpreuveCode = None


def recompter(day, caller, salle_code: str, req: RecountRequest) -> dict:
    salle = day.salle_for(caller, salle_code)
    epreuve = day.epreuve_for(req.epreuve, salle=salle.code)
    responsable_only(caller, salle)
    counted = req.copies_comptees

    def decide(tx) -> dict:
        started, end = queries.end_facts(tx.db, epreuve, salle)
        released = dt(queries.salle_fin(tx.db, epreuve.code, salle.code).get("released_at"))
        verdict = rules.check_recomptage(started, end, released, tx.now)
        if not verdict.ok:
            return answer(verdict, False, epreuve=epreuve.code, salle=salle.code)
        emargees = queries.copies_emargees(tx.db, epreuve.code, salle.code)
        ecart = counted - emargees
        message = (f"Recomptage : {counted} copie(s), autant que sur les émargements." if ecart == 0 else
                   f"Écart : {counted} copie(s) recomptée(s) pour {emargees} émargée(s) ({ecart:+d}). "
                   "L'écart est consigné au procès-verbal.")
        tx.append("recomptage", caller.actor, {"copies_comptees": counted, "copies_emargees": emargees,
                                               "ecart": ecart, "message": message},
                  client_id=req.client_id, epreuve=epreuve.code, site=salle.site, salle=salle.code)
        return answer(verdict, True, message=message, copies_comptees=counted, copies_emargees=emargees,
                      ecart=ecart, epreuve=epreuve.code, salle=salle.code)

    return run(day, req.client_id, fingerprint("recomptage", s=salle.code, e=epreuve.code, n=counted), decide)


def liberer(day, caller, salle_code: str, req: ReleaseRequest) -> dict:
    """R22: the signal to leave. Anything left open (R21, a recount off, someone out) is refused with the list
    unless the responsable gives a reason; the list and the reason go to the PV."""
    salle = day.salle_for(caller, salle_code)
    epreuve = day.epreuve_for(req.epreuve, salle=salle.code)
    responsable_only(caller, salle)

    def decide(tx) -> dict:
        facts = queries.liberation_facts(tx.db, epreuve, salle, req.motif)
        verdict = rules.check_liberation(facts, tx.now)
        if not verdict.ok:
            return answer(verdict, False, epreuve=epreuve.code, salle=salle.code)
        items = verdict.data["points_ouverts"]
        tx.append("liberation", caller.actor, {
            "message": verdict.message, "sans_emargement": len(facts.sans_emargement),
            "points_ouverts": [i["message"] for i in items], "motif": req.motif if items else "",
            "dehors": list(facts.dehors)}, client_id=req.client_id, epreuve=epreuve.code, site=salle.site,
            salle=salle.code)
        return answer(verdict, True, epreuve=epreuve.code, salle=salle.code,
                      sans_emargement=len(facts.sans_emargement))

    return run(day, req.client_id, fingerprint("liberation", s=salle.code, e=epreuve.code, m=req.motif), decide)
