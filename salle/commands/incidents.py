"""What goes to the PV besides the candidats: incidents and fraud reports (R10–R14, R23), the jury's decision
on a fraud report (R11), and the alerts a responsable treats (R5)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field

from .. import rules
from ..errors import Interdit, Introuvable, Invalide
from ..model import Epreuve
from ..state import queries
from ..state.queries import dt
from .common import accepted, answer, fingerprint, refused, run
from .request import ClientId, EpreuveCode, Fr, Request, strokes, text

MAX_TEXT = 4000
HOUR = Annotated[str | None, Field(json_schema_extra={"example": "10:45"})]


class IncidentRequest(Request):
    client_id: ClientId
    type: Annotated[Literal[tuple(rules.INCIDENT_TYPES)], Field(description="Type d'incident"), Fr(
        f"Type d'incident inconnu : choisissez parmi {', '.join(rules.INCIDENT_TYPES)}.", "type_incident_invalide")]
    texte: text("Description des faits", MAX_TEXT)
    numero: Annotated[str | None, Field(description="Le candidat concerné (exigé pour une fraude, un malaise…)"),
                      Fr("Numéro du candidat manquant.", "numero_manquant")] = None
    debut: Annotated[HOUR, Fr("Heure de début invalide : attendu une heure comme « 10:45 ».", "heure_invalide")] = None
    fin: Annotated[HOUR, Fr("Heure de fin invalide : attendu une heure comme « 10:45 ».", "heure_invalide")] = None
    heure_faits: Annotated[HOUR, Fr("Heure des faits invalide : attendu une heure comme « 10:45 ».",
                                    "heure_invalide")] = None
    refus_de_signer: Annotated[bool, Field(description="Fraude : le candidat refuse de contresigner (R11)"), Fr(
        "« refus_de_signer » doit valoir true ou false.")] = False
    contresignature: strokes("Contresignature du candidat (ou cochez « refus de signer »)", optional=True) = None
    epreuve: EpreuveCode = None


class FraudDecisionRequest(Request):
    client_id: ClientId
    exclusion: Annotated[bool, Field(description="true : exclusion immédiate décidée par le jury"), Fr(
        "Décision du jury : « exclusion » doit valoir true (exclusion immédiate) ou false.")]
    decide_par: text("Membre du jury qui a décidé (nom et qualité)", 200)
    observation: text("Observation", 500, required=False)


class AlertResolutionRequest(Request):
    client_id: ClientId
    resolution: text("Ce qui a été fait", 500)  # a cell of the PV's table


def _hour(value: str | None, epreuve: Epreuve, what: str) -> datetime | None:
    if value is None:
        return None
    m = re.fullmatch(r"\s*(\d{1,2})\s*[:hH]\s*(\d{2})\s*", value)
    if m and int(m.group(1)) < 24 and int(m.group(2)) < 60:
        return datetime.combine(epreuve.date, datetime.strptime(f"{m[1]}:{m[2]}", "%H:%M").time())
    raise Invalide(f"{what} invalide : attendu une heure comme « 10:45 ».", code="heure_invalide")


def _within_epreuve(times: dict[str, datetime | None], epreuve: Epreuve, started: datetime | None,
                    now: datetime) -> None:
    """An incident's times are times of the épreuve: from its accueil to its longest end (recorded start,
    tiers-temps), and not after now; else a French 400 and nothing is recorded."""
    earliest, latest = epreuve.accueil_dt, rules.candidate_end(epreuve, started, True)
    for what, when in times.items():
        if when is None:
            continue
        if not earliest <= when <= latest:
            raise Invalide(f"{what} ({when:%H:%M}) hors de l'épreuve {epreuve.code} : attendu entre "
                           f"{earliest:%H:%M} et {latest:%H:%M}. Rien n'est enregistré.", code="heure_hors_epreuve")
        if when > now:
            raise Invalide(f"{what} ({when:%H:%M}) est après l'heure du serveur ({now:%H:%M}). Rien n'est "
                           "enregistré.", code="heure_future")


def _fraud_report(req: IncidentRequest, epreuve: Epreuve) -> dict:
    """R11: the surveillant reports — facts, time of the facts, reporting staff, the candidate's countersignature
    or « refus de signer ». The exclusion is the jury's decision (decider_fraude): an « exclusion » sent with a
    report is not the surveillant's to give and is ignored."""
    heure = _hour(req.heure_faits, epreuve, "Heure des faits")
    if heure is None:
        raise Invalide("Rapport de fraude : indiquez l'heure des faits (« 10:45 »).", code="heure_invalide")
    report = {"refus_de_signer": req.refus_de_signer, "heure_faits": heure.isoformat(timespec="minutes")}
    if req.refus_de_signer:
        if req.contresignature:
            raise Invalide("Rapport de fraude : contresignature ou « refus de signer », pas les deux.",
                           code="signature_invalide")
    elif req.contresignature is None:
        raise Invalide("Contresignature du candidat (ou cochez « refus de signer ») manquante ou invalide : "
                       "tracez-la dans le cadre (traits de points x, y, t).", code="signature_invalide")
    else:
        report["contresignature"] = req.contresignature
    return report


def signaler(day, caller, salle_code: str, req: IncidentRequest) -> dict:
    salle = day.salle_for(caller, salle_code)
    epreuve = day.epreuve_for(req.epreuve, salle=salle.code)
    numero = req.numero.strip() if req.numero else None
    if (not numero or len(numero) > 64) and (req.type in rules.INCIDENTS_WITH_CANDIDAT or req.numero is not None):
        raise Invalide("Numéro du candidat manquant.", code="numero_manquant")
    payload = {"type": req.type, "texte": req.texte, "rapporteur": caller.actor.name}
    debut = _hour(req.debut, epreuve, "Heure de début")
    fin = _hour(req.fin, epreuve, "Heure de fin")
    times = {"Heure de début": debut, "Heure de fin": fin}
    if req.type == "fraude":
        payload.update(_fraud_report(req, epreuve))
        times["Heure des faits"] = dt(payload.get("heure_faits"))
    if debut:
        payload["debut"] = debut.isoformat(timespec="minutes")
    if fin:
        payload["fin"] = fin.isoformat(timespec="minutes")

    def decide(tx) -> dict:
        c = None
        if numero:
            c = queries.candidat(tx.db, numero)
            if c is None:
                raise Introuvable(f"Candidat « {numero} » inconnu.", code="candidat_inconnu")
            if queries.presence_facts(tx.db, epreuve, salle, c, False).status is None:
                return refused(rules.NON_PRESENT, f"{c.display_name} n'est pas enregistré(e) comme présent(e) dans "
                               "cette salle.", "R10", epreuve=epreuve.code, salle=salle.code, type=req.type)
        started = dt(queries.deroulement(tx.db, epreuve.code, salle.site).get("started_at"))
        temps = c.majoration(epreuve.code) if c else None  # R24
        verdict = rules.check_incident(req.type, epreuve, started, temps, tx.now, debut, fin)
        done = dict(epreuve=epreuve.code, salle=salle.code, type=req.type,
                    candidat=queries.candidat_public(c) if c else None)
        if not verdict.ok:
            return answer(verdict, False, **done)
        _within_epreuve(times, epreuve, started, tx.now)
        label = rules.INCIDENT_TYPES[req.type][0]
        message = f"{label} — {c.display_name}" if c else label
        tx.append("incident", caller.actor, {**payload, "message": message, "regle": verdict.rule},
                  client_id=req.client_id, epreuve=epreuve.code, site=salle.site, salle=salle.code,
                  candidat=c.numero if c else None)
        return answer(verdict, True, **done)

    return run(day, req.client_id, fingerprint("incident", salle=salle.code, body=req.model_dump()), decide)


def decider_fraude(day, caller, seq: int, req: FraudDecisionRequest) -> dict:
    """R11: « le jury peut le cas échéant décider de son exclusion immédiate »: the responsable records the
    jury's decision on a fraud report — exclusion or not, who decided — once; the PV's annex shows it."""
    report = queries.incident(day.journal.reader(), seq)
    if report is None or report["type"] != "fraude":
        raise Introuvable(f"Rapport de fraude n° {seq} inconnu.", code="rapport_inconnu")
    day.site_for(caller, report["site"])
    c = queries.candidat(day.journal.reader(), report["candidat"] or "")
    who = f"{c.nom.upper()} {c.prenom}" if c else report["candidat"]

    def decide(tx) -> dict:
        done = queries.fraud_decision(tx.db, seq)
        if done:
            return refused("decision_deja_enregistree", f"La décision du jury sur ce rapport est déjà enregistrée "
                           f"({done['at'][11:16]}).", "R11", incident=seq)
        message = (f"Décision du jury ({req.decide_par}) : {who} exclu(e) de la salle pour l'épreuve."
                   if req.exclusion else
                   f"Décision du jury ({req.decide_par}) : pas d'exclusion, {who} poursuit l'épreuve.")
        tx.append("decision_fraude", caller.actor, {"incident": seq, "exclusion": req.exclusion,
                                                    "decide_par": req.decide_par, "observation": req.observation,
                                                    "message": message},
                  client_id=req.client_id, epreuve=report["epreuve"], site=report["site"], salle=report["salle"],
                  candidat=report["candidat"])
        return accepted("decision_enregistree", message + " Consignée au procès-verbal.", "R11", incident=seq,
                        exclusion=req.exclusion, decide_par=req.decide_par)

    return run(day, req.client_id, fingerprint("decision_fraude", seq=seq, x=req.exclusion, p=req.decide_par), decide)


def resoudre_alerte(day, caller, seq: int, req: AlertResolutionRequest) -> dict:
    """R5: the responsable records the specific identity control carried out (or what was done)."""
    alert = queries.alert(day.journal.reader(), seq)
    if alert is None:
        raise Introuvable(f"Alerte n° {seq} inconnue.", code="alerte_inconnue")
    if alert["site"] is not None:
        day.site_for(caller, alert["site"])
    elif caller.role not in ("responsable", "admin"):
        raise Interdit("Seul un responsable ou un administrateur traite cette alerte.")

    def decide(tx) -> dict:
        current = queries.alert(tx.db, seq)
        if current["resolved_at"]:
            return refused("alerte_deja_traitee", f"Alerte déjà traitée à {current['resolved_at'][11:16]}.",
                           alerte=seq)
        tx.append("alerte_resolue", caller.actor, {"alerte": seq, "resolution": req.resolution},
                  client_id=req.client_id, epreuve=alert["epreuve"], site=alert["site"], salle=alert["salle"],
                  candidat=alert["candidat"])
        return accepted("alerte_traitee", "Alerte traitée : consignée au procès-verbal.", alerte=seq,
                        resolution=req.resolution)

    return run(day, req.client_id, fingerprint("resolution", seq=seq, r=req.resolution), decide)
