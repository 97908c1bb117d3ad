"""Arrivals at a salle door (R1–R8): a convocation's code scanned, typed or read on a camera frame."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Annotated, Any

from pydantic import Field

from .. import rules
from ..errors import Invalide
from ..model import Epreuve
from ..state import queries
from . import orals
from .common import answer, fingerprint, run
from .request import ClientId, DeviceTime, EpreuveCode, Fr, Piece, Request, iso_datetime

PIECE_FR = Fr("Pièce d'identité « {valeur} » inconnue : choisissez parmi cni, passeport, permis, titre_sejour, "
              "aucune.", "piece_identite_invalide")


class ImageFields(Request):
    """What comes with any scan: a code read (ScanRequest) or a camera frame (ImageRequest, decoded by the web
    layer's decoder)."""

    client_id: ClientId
    piece_identite: Annotated[Piece | None, Field(
        description="Pièce d'identité présentée (R5). Absente : un candidat admissible est seulement prévisualisé, "
                    "rien n'est enregistré."), PIECE_FR] = None
    pieces_produites: Annotated[bool, Field(description="Pièces manquantes produites (R7)"), Fr(
        "« pieces_produites » doit valoir true ou false.")] = False
    device_time: DeviceTime
    epreuve: EpreuveCode = None


class ScanRequest(ImageFields):
    code: Annotated[str | None, Field(description="Texte lu sur le code-barres de la convocation"), Fr(
        "Le code scanné doit être du texte.", "code_invalide")] = None
    heure_constatee: Annotated[Any, Field(json_schema_extra={"type": "string"}, description=(
        "Hors ligne : heure (du serveur, sans fuseau) à laquelle le surveillant a vérifié la convocation ; R3 est "
        "jugée à cette heure, une entrée admise ainsi après la fermeture alerte le responsable."))] = None
    derniere_liaison: Annotated[Any, Field(json_schema_extra={"type": "string"}, description=(
        "Avec heure_constatee : la dernière heure du serveur reçue par la tablette avant de voir le candidat "
        "(« heure_serveur » de sa dernière réponse) ; heure_constatee ne peut pas être avant, ni elle après "
        "l'heure du serveur."))] = None


class ImageRequest(ImageFields):
    """A camera frame sent as JSON (or as multipart: the field « image » and the others as form fields)."""

    image: Annotated[str, Field(description="JPEG/PNG en base64 (ou multipart « image »)")]


def seen_at(value, now: datetime, epreuve: Epreuve, contact=None) -> datetime | None:
    """When the surveillant checked the candidat by eye while the tablet was offline: the tablet's clock set
    by the server's, in the server's local time (an offset-aware time is converted to it); between the
    accueil's opening of the épreuve and now, and not before the tablet's last contact with the server
    (`contact`: the server's time in the last answer it got, never in the future)."""
    seen = iso_datetime(value, "« heure_constatee » doit être une date et heure ISO 8601.")
    last = iso_datetime(contact, "« derniere_liaison » doit être une date et heure ISO 8601.")
    if last is not None and last > now:
        raise Invalide(f"« derniere_liaison » ({last:%d/%m/%Y %H:%M:%S}) est après l'heure du serveur ({now:%H:%M:%S}) "
                       ": le serveur n'a pas pu la donner. Rien n'est enregistré.", code="requete_invalide")
    if seen is None:
        return None
    if seen < epreuve.accueil_dt:
        raise Invalide(f"« heure_constatee » ({seen:%d/%m/%Y %H:%M}) est avant l'ouverture de l'accueil de "
                       f"l'épreuve {epreuve.code} ({epreuve.accueil_dt:%d/%m/%Y %H:%M}) : l'horloge de la tablette "
                       "est fausse. Rien n'est enregistré.", code="requete_invalide")
    if last is not None and seen < last:
        raise Invalide(f"« heure_constatee » ({seen:%H:%M:%S}) est avant la dernière liaison de la tablette avec le "
                       f"serveur ({last:%H:%M:%S}) : l'horloge de la tablette a reculé. Rien n'est enregistré.",
                       code="requete_invalide")
    if seen > now + timedelta(minutes=2):
        raise Invalide(f"« heure_constatee » ({seen:%H:%M}) est après l'heure du serveur ({now:%H:%M}) : l'horloge de "
                       "la tablette est fausse. Rien n'est enregistré.", code="requete_invalide")
    return seen


def scan(day, caller, salle_code: str, req: ScanRequest) -> dict:
    """An arrival scan at a salle door. With `piece_identite` it decides and records; without it, an admissible
    candidat is only previewed (nothing recorded) so the surveillant can check the ID."""
    salle = day.salle_for(caller, salle_code)
    now = day.clock.now()
    epreuve = day.epreuve_for(req.epreuve, now, salle.code)
    seen = seen_at(req.heure_constatee, now, epreuve, req.derniere_liaison)
    parsed = rules.parse_code(req.code, day.session.concours)
    where = {"epreuve": epreuve.code, "salle": salle.code, "code": req.code}  # the code read, as it was read
    if parsed.verdict:  # illisible, inconnu: nothing is recorded (bad input changes nothing)
        return {**answer(parsed.verdict, False, **where, candidat=None), "rejoue": False}
    if not epreuve.written:  # R28: an oral's waiting room; lateness is the jury's to decide, not refused here
        return orals.arrive(day, caller, salle, epreuve, parsed.numero, req, where, seen)

    unchecked = day.other_sites.unchecked() if day.other_sites is not None else None  # never waits on NATS

    def facts(db, at: datetime) -> rules.Arrival:
        arrival = queries.arrival_facts(db, day.session, epreuve, salle, parsed.numero, req.piece_identite,
                                        req.pieces_produites, at, seen)
        return replace(arrival, other_sites_unchecked=unchecked) if unchecked else arrival

    if req.piece_identite is None:  # a preview: when it records nothing, a reader answers, the writer never waits
        arrival = facts(day.journal.reader(), now)
        verdict = rules.check_arrival(arrival, now)
        if arrival.candidat is None or verdict.code == rules.ADMIS:
            return {**answer(verdict, False, **where, candidat=_public(arrival.candidat)), "rejoue": False}

    def decide(tx) -> dict:
        arrival = facts(tx.db, tx.now)
        verdict = rules.check_arrival(arrival, tx.now)
        c = arrival.candidat
        if c is None or (verdict.code == rules.ADMIS and req.piece_identite is None):
            return answer(verdict, False, **where, candidat=_public(c))
        tx.append("scan", caller.actor, {
            "verdict": verdict.code, "code": req.code, "piece_identite": req.piece_identite, "message": verdict.message,
            "pieces_produites": req.pieces_produites and bool(c.pieces_manquantes), "place": c.place,
            "regle": verdict.rule, **{k: verdict.data[k] for k in ("entre_a", "entre_salle", "entre_site")
                                      if k in verdict.data},
            **({"autre_site_entre_a": queries.iso(arrival.entered_at)} if arrival.entered_elsewhere else {}),
        }, client_id=req.client_id, device_time=req.device_time, epreuve=epreuve.code, site=salle.site,
            salle=salle.code, candidat=c.numero)
        return answer(verdict, True, **where, candidat=_public(c))

    return run(day, req.client_id, fingerprint("scan", salle=salle.code, code=req.code, piece=req.piece_identite,
                                               pp=req.pieces_produites, epreuve=req.epreuve), decide)


def _public(c) -> dict | None:
    return queries.candidat_public(c) if c else None


def scan_codes(day, caller, salle_code: str, codes: list[str], fields: ImageFields) -> dict:
    """The codes read on a camera frame, each through the same scan as a typed or wedge scan."""
    common = fields.model_dump(exclude={"client_id"})
    results = [scan(day, caller, salle_code, ScanRequest.parse({**common, "code": code,
                                                                "client_id": f"{fields.client_id[:90]}:{i}"}))
               for i, code in enumerate(codes or [""])]
    if not codes:
        results[0]["message"] = ("Aucun code-barres lisible sur l'image : rapprochez la convocation, évitez les "
                                 "reflets, ou cherchez le candidat par son nom ou son numéro.")
    return {**results[0], "codes": codes, "resultats": results}
