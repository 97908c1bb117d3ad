"""The émargement (R20, R21, R25): the candidat signs, handing in a number of copies, a copie blanche, or (at an
oral) an abandon."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, model_validator

from .. import rules
from ..errors import Introuvable, Invalide
from ..state import queries
from .common import answer, fingerprint, run
from .request import ClientId, EpreuveCode, Fr, Numero, Request, strokes

MAX_COPIES = 99


class EmargementRequest(Request):
    client_id: ClientId
    numero: Numero
    abandon: Annotated[bool, Field(description="Abandon à une épreuve orale (R25) : ni copies ni copie blanche"),
                       Fr("« abandon » doit valoir true ou false.")] = False
    copie_blanche: Annotated[bool, Field(description="Copie blanche remise"), Fr(
        "« copie_blanche » doit valoir true ou false.")] = False
    copies: Annotated[int | None, Field(description=f"Copies remises, de 1 à {MAX_COPIES}"), Fr(
        f"Nombre de copies invalide : un nombre entier de 1 à {MAX_COPIES}, ou « copie blanche ».",
        "copies_invalides")] = None
    signature: strokes("Signature")
    epreuve: EpreuveCode = None

    @model_validator(mode="after")
    def _copies(self):
        """R20: a number of copies handed in (≥ 1) or « copie blanche »; an abandon (R25) hands in none."""
        if self.abandon:
            if self.copies not in (None, 0) or self.copie_blanche:
                raise Invalide("Un abandon ne porte ni copies ni copie blanche.", code="copies_invalides")
        elif self.copie_blanche:
            if self.copies not in (None, 0):
                raise Invalide("Copie blanche : ne donnez pas aussi un nombre de copies.", code="copies_invalides")
        elif self.copies is None:
            raise Invalide("Nombre de copies remises manquant (au moins 1), ou cochez « copie blanche ».",
                           code="copies_invalides")
        elif not 1 <= self.copies <= MAX_COPIES:
            raise Invalide(f"Nombre de copies invalide : un nombre entier de 1 à {MAX_COPIES}, ou « copie blanche ».",
                           code="copies_invalides")
        return self


def emarger(day, caller, salle_code: str, req: EmargementRequest) -> dict:
    salle = day.salle_for(caller, salle_code)
    epreuve = day.epreuve_for(req.epreuve, salle=salle.code)
    copies = 0 if req.abandon or req.copie_blanche else req.copies

    def decide(tx) -> dict:
        c = queries.candidat(tx.db, req.numero)
        if c is None:
            raise Introuvable(f"Candidat « {req.numero} » inconnu.", code="candidat_inconnu")
        presence = queries.presence_facts(tx.db, epreuve, salle, c, False)
        verdict = rules.check_emargement(rules.EmargementFacts(presence, req.abandon), tx.now)
        done = dict(epreuve=epreuve.code, salle=salle.code, candidat=queries.candidat_public(c), copies=copies,
                    copie_blanche=req.copie_blanche, abandon=req.abandon)
        if not verdict.ok:
            return answer(verdict, False, **done)
        tx.append("emargement", caller.actor, {"copies": copies, "copie_blanche": req.copie_blanche,
                                               "abandon": req.abandon, "signature": req.signature,
                                               "message": verdict.message},
                  client_id=req.client_id, epreuve=epreuve.code, site=salle.site, salle=salle.code, candidat=c.numero)
        return answer(verdict, True, **done)

    return run(day, req.client_id, fingerprint("emargement", salle=salle.code, body=req.model_dump()), decide)
