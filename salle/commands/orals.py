"""An oral's passages (seed 004, « épreuves orales »): the arrival at the waiting room (through the door's scan),
the jury's decision on a lateness (R28), the tirage au sort (R30), the passage started and ended by the jury,
an abandon (R25) and a renunciation (R32)."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, model_validator

from .. import rules
from ..errors import Interdit, Introuvable, Invalide
from ..model import Epreuve, Jury, Salle
from ..state import queries
from .common import answer, fingerprint, run
from .request import ClientId, DeviceTime, Fr, Request, iso_datetime, strokes, text

# the jury's own (and the responsable's, the admin's); a surveillant of the room records the others
JURY_ACTIONS = ("decision", "passage", "renonciation", "auditeurs", "fraude", "pv")


class OralRequest(Request):
    """What every oral command carries: the client's id (a retry answers the first answer)."""

    client_id: ClientId
    device_time: DeviceTime


class DecisionRequest(OralRequest):
    decision: Annotated[Literal["vu", "reporte", "absent"], Field(
        description="vu : le jury interroge le candidat en retard ; reporte : force majeure, nouvelle heure avant la "
                    "fin des oraux (R28) ; absent"), Fr(
        "Décision « {valeur} » inconnue : vu, reporte ou absent.", "decision_invalide")]
    nouvelle_heure: Annotated[str | None, Field(description="Report : nouvelle date et heure ISO 8601"), Fr(
        "« nouvelle_heure » doit être une date et heure ISO 8601.", "heure_invalide")] = None
    motif: text("Motif et pièces justificatives", 500, required=False)


class TirageRequest(OralRequest):
    mode: Annotated[Literal["logiciel", "papier"], Field(
        description="logiciel : Salle tire le numéro ; papier : le tirage fait sur papier est saisi"), Fr(
        "Mode de tirage « {valeur} » inconnu : logiciel ou papier.", "tirage_invalide")] = "logiciel"
    sujet: Annotated[int | None, Field(ge=1, le=99999, description="Tirage papier : le numéro tiré"), Fr(
        "Numéro de sujet invalide : un nombre entier.", "sujet_invalide")] = None
    temoin: text("Témoin du tirage (membre du jury ou surveillant désigné)", 200, "temoin_manquant")

    @model_validator(mode="after")
    def _paper(self):
        if (self.mode == "papier") != (self.sujet is not None):
            raise Invalide("Tirage papier : saisissez le numéro tiré ; tirage par le logiciel : pas de numéro.",
                           code="sujet_invalide")
        return self


class AuditeursRequest(OralRequest):
    nombre: Annotated[int, Field(ge=1, le=50, description="Auditeurs admis à ce passage"), Fr(
        "Nombre d'auditeurs invalide : un nombre entier de 1 à 50.", "nombre_invalide")]
    accord_candidat: Annotated[bool, Field(description="Le candidat a donné son accord (R29)"), Fr(
        "« accord_candidat » doit valoir true ou false.")]
    demande_ecrite: Annotated[bool, Field(description="Demande faite par écrit au plus tard la veille"), Fr(
        "« demande_ecrite » doit valoir true ou false.")] = False


class IncidentOralRequest(OralRequest):
    type: Annotated[Literal[tuple(rules.ORAL_INCIDENTS)], Field(description="Type d'incident (R31, R33, R23)"), Fr(
        "Type d'incident « {valeur} » inconnu.", "type_invalide")]
    texte: text("Faits constatés", 2000)
    decision: Annotated[Literal["averee", "non_averee"] | None, Field(
        description="Fraude : la décision du jury (R33)"), Fr(
        "Décision « {valeur} » inconnue : averee ou non_averee.", "decision_invalide")] = None


class AbandonRequest(OralRequest):
    signature: strokes("Signature du candidat (mention « abandon »)")


class RenonciationRequest(OralRequest):
    signature: strokes("Contre-signature du candidat", optional=True) = None
    refus_de_signer: Annotated[bool, Field(description="Le candidat refuse de contresigner"), Fr(
        "« refus_de_signer » doit valoir true ou false.")] = False

    @model_validator(mode="after")
    def _countersigned(self):
        if (self.signature is None) != self.refus_de_signer:
            raise Invalide("Fiche d'entretien : la contre-signature du candidat, ou « refus de signer » (R32).",
                           code="signature_invalide")
        return self


# --- who may act ----------------------------------------------------------------------------------------------


def oral_epreuve(day, code: str) -> Epreuve:
    epreuve = day.epreuve_for(code)
    if epreuve.written:
        raise Introuvable(f"L'épreuve {epreuve.code} n'est pas un oral.", code="epreuve_inconnue")
    return epreuve


def jury_for(day, caller, jury: Jury, action: str) -> None:
    """R27: a jury acts on its own passages; the responsable of its site and the admin on all; a surveillant of
    the oral's preparation room or of the jury's room records arrivals, draws and abandons (R25, R30)."""
    site = day.session.salle(jury.salle).site
    if caller.role == "admin" or (caller.role == "responsable" and caller.site == site):
        return
    if caller.role == "jury" and caller.jury == jury.code:
        return
    epreuve = day.session.epreuve(jury.epreuve)
    if caller.role == "surveillant" and action not in JURY_ACTIONS and (
            caller.salle in epreuve.salles_preparation or caller.salle == jury.salle):
        return
    raise Interdit(f"Vous n'avez pas accès aux passages du {jury.name} : votre rôle ne le permet pas.")


def _candidat(db, numero: str):
    c = queries.candidat(db, numero)
    if c is None:
        raise Introuvable(f"Candidat « {numero} » inconnu.", code="candidat_inconnu")
    return c


def _passage(day, db, epreuve: Epreuve, numero: str):
    c = _candidat(db, numero)
    o = queries.oral_facts(db, day.session, epreuve, c)
    if o is None:
        raise Introuvable(f"{c.display_name} n'a pas de passage à l'épreuve {epreuve.code}.", code="passage_inconnu")
    return c, o


def _checked(day, caller, epreuve: Epreuve, numero: str, action: str):
    """The candidat and their passage as the day knows them now, after checking who asks (before the write)."""
    c, o = _passage(day, day.journal.reader(), epreuve, numero)
    jury_for(day, caller, day.session.jury(o.jury), action)
    return c


def _oral_command(day, caller, epreuve: Epreuve, numero: str, action: str, req: OralRequest, event: str,
                  check, payload=lambda tx, o: {}) -> dict:
    """One oral command: who may act, then in one journal transaction the passage read, the rule asked, the event
    appended (with the jury's salle and site, so its room hears of it)."""
    _checked(day, caller, epreuve, numero, action)

    def decide(tx) -> dict:
        c, o = _passage(day, tx.db, epreuve, numero)
        verdict = check(o, tx.now)
        jury = day.session.jury(o.jury)
        where = {"epreuve": epreuve.code, "jury": o.jury}
        if not verdict.ok:
            return answer(verdict, False, **where, candidat=queries.candidat_public(c))
        data = {"message": verdict.message, **payload(tx, o)}
        tx.append(event, caller.actor, data, client_id=req.client_id, device_time=req.device_time,
                  epreuve=epreuve.code, site=day.session.salle(jury.salle).site, salle=jury.salle, candidat=c.numero)
        card = queries.oral_card(tx.db, day.session, epreuve, c, queries.oral_facts(tx.db, day.session, epreuve, c))
        return answer(verdict, True, **where, candidat=queries.candidat_public(c), passage=card,
                      **{k: v for k, v in data.items() if k in ("sujet", "decision", "nouvelle_heure")})

    return run(day, req.client_id, fingerprint(event, e=epreuve.code, n=numero, body=req.model_dump()), decide)


# --- arrival at the waiting room (the door's scan, R28) --------------------------------------------------------


def arrive(day, caller, salle: Salle, epreuve: Epreuve, numero: str, req, where: dict,
           seen: datetime | None = None) -> dict:
    """R28: a convocation scanned at an oral's waiting room, through the same scan as a salle door. On time: present;
    late: recorded and shown to the jury, who decides. Without `piece_identite`, only previewed (R5, R8). `seen`:
    when the surveillant checked it while the tablet was offline: the arrival is judged and recorded at that time."""

    def facts(db) -> rules.OralArrival:
        c = queries.candidat(db, numero)
        o = queries.oral_facts(db, day.session, epreuve, c)
        jury = day.session.jury(o.jury) if o else None
        label = f"{jury.name}, {day.session.salle(jury.salle).display}" if jury else ""
        return rules.OralArrival(epreuve, salle, c, o, day.session.site(c.site) if c else None, label,
                                 req.piece_identite, seen)

    def public(a):
        return queries.candidat_public(a.candidat) if a.candidat else None

    if req.piece_identite is None:  # a preview records nothing: a reader answers
        a = facts(day.journal.reader())
        verdict = rules.check_oral_arrival(a, day.clock.now())
        return {**answer(verdict, False, **where, candidat=public(a)), "rejoue": False}

    def decide(tx) -> dict:
        a = facts(tx.db)
        verdict = rules.check_oral_arrival(a, tx.now)
        if verdict.code not in (rules.ADMIS, rules.EN_RETARD):
            return answer(verdict, False, **where, candidat=public(a))
        jury = day.session.jury(a.oral.jury)
        tx.append("arrivee_oral", caller.actor, {
            "verdict": verdict.code, "message": verdict.message, "piece_identite": req.piece_identite,
            "jury": jury.code, "convoque_a": queries.iso(a.oral.convoque_a), "porte": salle.code,
            "retard_minutes": verdict.data.get("retard_minutes", 0), **({"entre_a": queries.iso(seen)} if seen else {}),
        }, client_id=req.client_id, device_time=req.device_time, epreuve=epreuve.code,
            site=day.session.salle(jury.salle).site, salle=jury.salle, candidat=a.candidat.numero)
        return answer(verdict, True, **where, candidat=public(a))

    return run(day, req.client_id, fingerprint("arrivee_oral", salle=salle.code, n=numero, piece=req.piece_identite,
                                               epreuve=epreuve.code), decide)


# --- the jury's and the designated surveillants' commands --------------------------------------------------------


def decider_retard(day, caller, epreuve_code: str, numero: str, req: DecisionRequest) -> dict:
    """R28: the jury's decision on a late (or missing) candidat, journaled with who decided and when."""
    epreuve = oral_epreuve(day, epreuve_code)
    nouvelle = None
    if req.decision == "reporte":
        nouvelle = iso_datetime(req.nouvelle_heure, "« nouvelle_heure » doit être une date et heure ISO 8601.",
                                "heure_invalide")
    elif req.nouvelle_heure is not None:
        raise Invalide("Une nouvelle heure ne va qu'avec un report.", code="heure_invalide")

    def payload(tx, o):
        return {"decision": req.decision, "motif": req.motif, "nouvelle_heure": queries.iso(nouvelle),
                "avant": queries.iso(o.convoque_a)}

    return _oral_command(day, caller, epreuve, numero, "decision", req, "decision_retard",
                         lambda o, now: rules.check_decision_retard(o, req.decision, nouvelle, req.motif, now), payload)


def tirer_sujet(day, caller, epreuve_code: str, numero: str, req: TirageRequest) -> dict:
    """R30: the subject drawn by lot among the épreuve's numbers (`secrets`: unpredictable), or a paper draw
    entered, with its witness; one draw per candidat and épreuve, whatever the path (the check and the append are
    one journal transaction: two tablets at once get one draw and one refusal)."""
    epreuve = oral_epreuve(day, epreuve_code)
    if req.sujet is not None and req.sujet not in epreuve.sujets:
        raise Invalide(f"Sujet n° {req.sujet} inconnu : les sujets de l'épreuve {epreuve.code} sont "
                       f"{_numbers(epreuve.sujets)}.", code="sujet_invalide")

    def payload(tx, o):
        sujet = req.sujet if req.mode == "papier" else secrets.choice(epreuve.sujets)
        return {"sujet": sujet, "mode": req.mode, "temoin": req.temoin}

    return _oral_command(day, caller, epreuve, numero, "tirage", req, "tirage_sujet",
                         lambda o, now: rules.check_tirage(o), payload)


def _numbers(sujets: tuple[int, ...]) -> str:
    if sujets and list(sujets) == list(range(sujets[0], sujets[-1] + 1)):
        return f"{sujets[0]} à {sujets[-1]}"
    return ", ".join(str(s) for s in sujets) or "aucun"


def appeler(day, caller, epreuve_code: str, numero: str, req: OralRequest) -> dict:
    """The jury calls the candidat: the waiting room's screen shows « numéro → jury, salle » (R27: never a name)."""
    epreuve = oral_epreuve(day, epreuve_code)

    def payload(tx, o):
        jury = day.session.jury(o.jury)
        return {"jury": jury.code, "jury_libelle": jury.name, "salle_libelle": day.session.salle(jury.salle).display}

    return _oral_command(day, caller, epreuve, numero, "passage", req, "appel_candidat",
                         lambda o, now: rules.check_appel(o), payload)


def appels(day, caller, site_code: str | None = None) -> dict:
    """What the waiting room's screen shows (R27: numéros, never names): the latest calls of the site's juries,
    and how late each jury runs."""
    site = site_code or caller.site
    if caller.role not in ("admin",) and site != caller.site:
        raise Interdit(f"Vous n'avez pas accès à l'affichage du site {site}.")
    if day.session.site(site) is None:
        raise Introuvable(f"Site « {site} » inconnu.", code="site_inconnu")
    db = day.journal.reader()
    return {"site": site, "appels": queries.oral_calls(db, site), "retards": queries.jury_delays(
        db, day.session, site, day.clock.now())}


def commencer_passage(day, caller, epreuve_code: str, numero: str, req: OralRequest) -> dict:
    epreuve = oral_epreuve(day, epreuve_code)
    return _oral_command(day, caller, epreuve, numero, "passage", req, "passage_debut", rules.check_debut_passage)


def terminer_passage(day, caller, epreuve_code: str, numero: str, req: OralRequest) -> dict:
    epreuve = oral_epreuve(day, epreuve_code)
    return _oral_command(day, caller, epreuve, numero, "passage", req, "passage_fin",
                         lambda o, now: rules.check_fin_passage(o))


def rendre_sujet(day, caller, epreuve_code: str, numero: str, req: OralRequest) -> dict:
    """R31: the candidat gives the subject back (« remet le sujet à la fin »), journaled by whom and when."""
    epreuve = oral_epreuve(day, epreuve_code)
    return _oral_command(day, caller, epreuve, numero, "remise", req, "sujet_rendu",
                         lambda o, now: rules.check_remise_sujet(o), lambda tx, o: {"sujet": o.sujet})


def abandonner(day, caller, epreuve_code: str, numero: str, req: AbandonRequest) -> dict:
    """R25: the candidat gives up, tells the surveillants and signs « abandon »."""
    epreuve = oral_epreuve(day, epreuve_code)
    return _oral_command(day, caller, epreuve, numero, "abandon", req, "abandon_oral",
                         lambda o, now: rules.check_abandon(o), lambda tx, o: {"signature": req.signature})


def renoncer(day, caller, epreuve_code: str, numero: str, req: RenonciationRequest) -> dict:
    """R32: the renunciation noted by the jury on the fiche d'entretien, countersigned (or the refusal noted)."""
    epreuve = oral_epreuve(day, epreuve_code)
    return _oral_command(day, caller, epreuve, numero, "renonciation", req, "renonciation",
                         lambda o, now: rules.check_renonciation(o),
                         lambda tx, o: {"signature": req.signature, "refus_de_signer": req.refus_de_signer})


def admettre_auditeurs(day, caller, epreuve_code: str, numero: str, req: AuditeursRequest) -> dict:
    """R29: auditeurs admitted by the jury to a passage, with the candidat's agreement, within its limit."""
    epreuve = oral_epreuve(day, epreuve_code)

    def check(o, now):
        return rules.check_auditeurs(o, req.nombre, req.accord_candidat, day.session.jury(o.jury).auditeurs_max)

    return _oral_command(day, caller, epreuve, numero, "auditeurs", req, "auditeurs_admis", check,
                         lambda tx, o: {"nombre": req.nombre, "demande_ecrite": req.demande_ecrite})


def signaler_incident(day, caller, epreuve_code: str, numero: str, req: IncidentOralRequest) -> dict:
    """R31, R23: an incident at an oral, for the PV; R33: a fraud is the jury's to rule on, with its decision."""
    epreuve = oral_epreuve(day, epreuve_code)
    if req.type != "fraude" and req.decision is not None:
        raise Invalide("Une décision ne va qu'avec une fraude (R33).", code="decision_invalide")
    return _oral_command(day, caller, epreuve, numero, "fraude" if req.type == "fraude" else "incident", req,
                         "incident_oral", lambda o, now: rules.check_incident_oral(o, req.type, req.decision),
                         lambda tx, o: {"type": req.type, "texte": req.texte, "decision": req.decision})


# --- reads ------------------------------------------------------------------------------------------------------


def passage(day, caller, epreuve_code: str, numero: str) -> dict:
    """One candidat's passage: state, journaled times (the timers), subject number."""
    epreuve = oral_epreuve(day, epreuve_code)
    c = _checked(day, caller, epreuve, numero, "lecture")
    db = day.journal.reader()
    return queries.oral_card(db, day.session, epreuve, c, queries.oral_facts(db, day.session, epreuve, c))


def suivi(day, caller, epreuve_code: str, site_code: str | None = None) -> dict:
    """The responsable's view of an oral at their site: each jury's progress (done, in passage, waiting, absent)
    and how late it runs, who waits for it by numéro (in the waiting room, in preparation, called, next: R28),
    the lates still to decide."""
    epreuve = oral_epreuve(day, epreuve_code)
    site = day.site_for(caller, site_code or caller.site or "")
    db, now = day.journal.reader(), day.clock.now()
    delays = {d["jury"]: d["retard_minutes"] for d in queries.jury_delays(db, day.session, site.code, now)}
    out = []
    for jury in day.session.jurys_of(epreuve.code):
        if day.session.salle(jury.salle).site != site.code:
            continue
        facts = [(c.numero, queries.oral_facts(db, day.session, epreuve, c), queries.oral_called_at(db, epreuve, c))
                 for _, c in queries.oral_passages(db, day.session, epreuve, jury.code)]
        states = [rules.oral_state(o) for _, o, _ in facts]
        count = {s: states.count(s) for s in rules.ORAL_STATES}
        out.append({"jury": jury.code, "libelle": jury.name, "salle": day.session.salle(jury.salle).display,
                    "total": len(states), "etats": count, "retard_minutes": delays.get(jury.code, 0),
                    "en_attente": count["present"] + count["en_preparation"], "a_decider": count["en_retard"],
                    **queries.isos(rules.jury_queue(facts))})
    return {"epreuve": epreuve.code, "site": site.code, "jurys": out}


def passages_du_jury(day, caller, epreuve_code: str, jury_code: str, jour: datetime | None = None) -> dict:
    """A jury's passages of the day (R28), by time, each with its state."""
    epreuve = oral_epreuve(day, epreuve_code)
    jury = _jury_of(day, caller, epreuve, jury_code, "lecture")
    db = day.journal.reader()
    today = (jour or day.clock.now()).date()
    cards = []
    for p, c in queries.oral_passages(db, day.session, epreuve, jury.code):
        o = queries.oral_facts(db, day.session, epreuve, c)
        if o.convoque_a.date() == today or p.at.date() == today:
            cards.append(queries.oral_card(db, day.session, epreuve, c, o))
    cards.sort(key=lambda card: card["convoque_a"])
    return {"epreuve": epreuve.code, "jury": jury.code, "libelle": jury.name, "salle": jury.salle,
            "membres": list(jury.membres), "preparation": epreuve.preparation, "duree_passage": epreuve.passage,
            "passages": cards}


def _jury_of(day, caller, epreuve: Epreuve, jury_code: str, action: str) -> Jury:
    jury = day.session.jury(jury_code)
    if jury is None or jury.epreuve != epreuve.code:
        raise Introuvable(f"Jury « {jury_code} » inconnu pour l'épreuve {epreuve.code}.", code="jury_inconnu")
    jury_for(day, caller, jury, action)
    return jury


def pv_du_jury(day, caller, epreuve_code: str, jury_code: str) -> tuple[bytes, str]:
    """The PV of one jury of an oral (salle.pv_oral) and its file name: for the admin, the responsable of the
    jury's site and the jury itself (R27); read from the journal, nothing written."""
    from ..pv_oral import build_oral_pv

    epreuve = oral_epreuve(day, epreuve_code)
    jury = _jury_of(day, caller, epreuve, jury_code, "pv")
    return build_oral_pv(day, epreuve, jury.code), f"PV-{epreuve.code}-{jury.code}-{epreuve.date.isoformat()}.pdf"
