"""The accueil borne (R6): a candidat without convocation finds it and asks for a replacement to be printed.

Every lookup and every print request is journaled; a lookup never stores what was typed (R27), only whether a
candidat was found and which. The printing itself is the kiosk's (kiosk.printing, a spooler on the device).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, Callable

from pydantic import Field

from .. import rules
from ..errors import Interdit, Introuvable, Invalide
from ..importing import parse_date
from ..model import Candidat, Epreuve
from ..state import queries
from ..state.queries import dt
from .common import accepted, fingerprint, refused, run
from .request import ClientId, Request

MAX_NAME = 100
MAX_NUMERO = 40
MOIS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
        "novembre", "décembre")
JOURS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")

NOT_FOUND = ("Nous ne trouvons pas de convocation avec ces informations. Vérifiez ce que vous avez tapé, ou "
             "adressez-vous au personnel de l'accueil : il vous aidera.")
SEVERAL = ("Plusieurs candidats portent ce nom et sont nés ce jour-là : pour trouver votre convocation, tapez "
           "votre numéro d'inscription, ou adressez-vous au personnel de l'accueil.")


def french_date(d: date) -> str:
    return f"{JOURS[d.weekday()]} {d.day} {MOIS[d.month - 1]} {d.year}"


def numero_prefix(pattern: str) -> str:
    """The literal start of a numéro pattern (« ATP27-[0-9]{5} » -> « ATP27- »): the kiosk keypad types only
    the digits after it (R26: the numéro d'inscription identifies the candidat)."""
    match = re.match(r"[A-Za-z0-9_\- /]*", pattern or "")
    return match.group(0) if match else ""


def parse_numero(raw, concours) -> str:
    """The numéro typed on the kiosk: the whole numéro, or only its digits after the concours' prefix."""
    if not isinstance(raw, str) or not raw.strip():
        raise Invalide("Tapez votre numéro d'inscription.", code="numero_manquant")
    text = re.sub(r"\s+", "", raw).upper()
    if len(text) > MAX_NUMERO:
        raise Invalide("Numéro d'inscription trop long : vérifiez-le sur vos courriels du centre de gestion.",
                       code="numero_invalide")
    pattern = concours.numero_pattern
    if pattern and re.fullmatch(pattern, text):
        return text
    if text.isdigit() and text.isascii():
        return numero_prefix(pattern) + text if pattern else text
    raise Invalide("Numéro d'inscription invalide : tapez seulement les chiffres de votre numéro.",
                   code="numero_invalide")


def parse_birth_date(raw, today: date) -> date:
    if not isinstance(raw, str) or not raw.strip():
        raise Invalide("Indiquez votre date de naissance (jour, mois, année).", code="date_manquante")
    born = parse_date(raw[:20])
    if born is None:
        raise Invalide(f"Date de naissance invalide : le « {raw[:20]} » n'existe pas. Vérifiez le jour et le mois.",
                       code="date_invalide")
    if not (1900 <= born.year <= today.year) or born >= today:
        raise Invalide("Date de naissance invalide : vérifiez l'année.", code="date_invalide")
    return born


def parse_name(raw) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise Invalide("Tapez votre nom (nom de naissance ou nom d'usage).", code="nom_manquant")
    if len(raw) > MAX_NAME:
        raise Invalide(f"Nom trop long : {MAX_NAME} caractères au plus.", code="nom_invalide")
    key = rules.normalize_name(raw)
    if not key:
        raise Invalide("Tapez votre nom avec des lettres.", code="nom_invalide")
    return key


def require_kiosk_site(day, caller):
    if caller.role != "kiosk":
        raise Interdit("Réservé à la borne d'accueil.")
    site = day.session.site(caller.site or "")
    assert site is not None, f"kiosk {caller.actor.id} has no site"
    return site


# --- which épreuve, and may a convocation be printed for it (R3) -------------------------------------


def target_epreuve(day, db, c: Candidat, now: datetime) -> tuple[Epreuve | None, bool]:
    """The candidat's épreuve of today not yet over (the one the salle doors work for), and whether its doors
    are closed (R3: « les candidats arrivant après la fermeture des portes … ne sont plus acceptés »): then
    the kiosk prints nothing until that épreuve is over and the next one, if any, becomes the target."""
    for epreuve in sorted(day.session.epreuves, key=lambda e: e.start_dt):
        if not epreuve.written:  # R28: an oral has no doors; the candidat's own day, until the orals are over
            p = queries.oral_passage(db, day.session, epreuve, c.numero)
            if p and c.convoque(epreuve.code) and p.at.date() == now.date() and now < rules.orals_end(epreuve):
                return epreuve, False
            continue
        if epreuve.date != now.date() or not c.convoque(epreuve.code) or now >= epreuve.end_dt:
            continue
        der = queries.deroulement(db, epreuve.code, c.site)
        return epreuve, rules.doors_closed(dt(der.get("doors_close_at")), dt(der.get("doors_closed_at")), now)
    return None, False


def where_to_go(day, c: Candidat, epreuve: Epreuve) -> tuple[datetime, object, str]:
    """When and where the candidat is convoked: the épreuve's convocation time, salle and place; at an oral, their
    passage (R28): its time, the jury's salle, the jury's name in place of a seat."""
    session = day.session
    if not epreuve.written:
        p = queries.oral_passage(day.journal.reader(), session, epreuve, c.numero)
        jury = session.jury(p.jury) if p else None
        if jury:
            return p.at, session.salle(jury.salle), jury.name
    return epreuve.convocation_dt, session.salle(c.salle), c.place


def convocation_view(day, c: Candidat, epreuve: Epreuve, kiosk_site) -> dict:
    """Only what the candidat needs to find their place (R27): no date of birth, no aménagements."""
    session = day.session
    site = session.site(c.site)
    at, salle, place = where_to_go(day, c, epreuve)
    return {
        "numero": c.numero, "nom": c.nom, "prenom": c.prenom,
        "epreuve": {"code": epreuve.code, "libelle": epreuve.label, "date": french_date(at.date())},
        "convocation": rules.hhmm(at),
        "site": {"code": site.code, "nom": site.name, "adresse": site.address},
        "autre_site": site.code != kiosk_site.code,  # R1: said, and the print is still allowed
        "salle": {"code": salle.code, "libelle": salle.display, "acces": salle.access} if salle else None,
        "place": place,
    }


def _answer_for(day, db, c: Candidat, kiosk_site, now: datetime) -> dict:
    epreuve, closed = target_epreuve(day, db, c, now)
    if epreuve is None:
        return {"resultat": "aucune_epreuve", "impression_possible": False,
                "message": "Vous n'avez plus d'épreuve aujourd'hui : adressez-vous au personnel de l'accueil."}
    view = convocation_view(day, c, epreuve, kiosk_site)
    if closed:  # R3
        return {"resultat": "portes_fermees", "impression_possible": False,
                "candidat": {"nom": c.nom, "prenom": c.prenom, "epreuve": view["epreuve"]},
                "message": f"Les portes sont fermées pour l'épreuve « {epreuve.label} » : aucun candidat ne peut "
                           "plus être admis, quel que soit le motif du retard. Aucune convocation ne peut être "
                           "imprimée. Adressez-vous au personnel de l'accueil."}
    message = "Voici votre convocation. Touchez « Imprimer ma convocation »."
    if view["autre_site"]:  # R1
        message = (f"Attention : vous êtes convoqué(e) sur un autre site : {view['site']['nom']}, "
                   f"{view['site']['adresse']}. Vous ne pouvez composer que là-bas. Vous pouvez imprimer votre "
                   "convocation ici.")
    return {"resultat": "trouve", "impression_possible": True, "candidat": view, "message": message}


# --- the lookup --------------------------------------------------------------------------------------


DATE_FIELD = Annotated[Any, Field(json_schema_extra={"type": "string", "example": "1990-02-28"}, description=(
    "Date de naissance, aaaa-mm-jj ou jj/mm/aaaa : exigée avec le nom comme avec le numéro (R27)"))]
NUMERO_FIELD = Annotated[Any, Field(json_schema_extra={"type": "string"}, description=(
    "Numéro d'inscription complet, ou ses seuls chiffres après le préfixe du concours"))]


class LookupRequest(Request):
    """By nom + date_naissance, or by numero + date_naissance. Checked by the command: the borne's messages speak
    to a candidat."""

    nom: Annotated[Any, Field(json_schema_extra={"type": "string", "maxLength": MAX_NAME}, description=(
        "Nom de naissance ou nom d'usage (accents, casse, tirets et espaces indifférents)"))] = None
    date_naissance: DATE_FIELD = None
    numero: NUMERO_FIELD = None


def lookup(day, caller, req: LookupRequest) -> dict:
    """Find exactly one candidat from two facts: (nom de naissance or nom d'usage) + date de naissance, or
    numéro + date de naissance (R27: numéros are sequential, so a numéro alone would show anyone's name and place).

    Two candidats with the same name and date are never shown (« plusieurs »); an unknown name or numéro and a
    wrong date get the same answer, so the kiosk never tells which fact was wrong, nor whether a name exists."""
    kiosk_site = require_kiosk_site(day, caller)
    now = day.clock.now()
    db = day.journal.reader()
    if req.numero not in (None, ""):
        mode = "numero"
        numero = parse_numero(req.numero, day.session.concours)
        born = parse_birth_date(req.date_naissance, now.date())
        found = queries.candidat_rows(db, "WHERE numero = ? AND date_naissance = ?", [numero, born.isoformat()])
    else:
        mode = "nom"
        key = parse_name(req.nom)
        born = parse_birth_date(req.date_naissance, now.date())
        found = queries.candidats_named(db, key, born)
    if len(found) == 1:
        c = queries.candidat_from_row(found[0])
        result = _answer_for(day, db, c, kiosk_site, now)
    elif found:
        c, result = None, {"resultat": "plusieurs", "impression_possible": False, "message": SEVERAL}
    else:
        c, result = None, {"resultat": "introuvable", "impression_possible": False, "message": NOT_FOUND}
    payload = {"trouve": c is not None, "resultat": result["resultat"], "mode": mode}
    if c is not None:
        payload["numero"] = c.numero
    day.journal.write(lambda tx: tx.append("recherche_borne", caller.actor, payload, site=kiosk_site.code,
                                           candidat=c.numero if c else None))
    return result


# --- the welcome screen ------------------------------------------------------------------------------


def welcome(day, caller) -> dict:
    """What the borne's welcome screen says: the concours and the day, and whether a convocation can still be
    printed today at this site — an épreuve of today not over whose doors at this site are still open (R3)."""
    kiosk_site = require_kiosk_site(day, caller)
    now = day.clock.now()
    db = day.journal.reader()
    today = [e for e in day.session.epreuves if e.dates[0] <= now.date() <= e.dates[1]]
    open_ = [e for e in today if (not e.written and now < rules.orals_end(e)) or (e.written and now < e.end_dt and not
             rules.doors_closed(*(dt(queries.deroulement(db, e.code, kiosk_site.code).get(k))
                                  for k in ("doors_close_at", "doors_closed_at")), now))]  # R3; an oral has no doors
    if open_:
        etat, message = "ouverte", ""
    elif today:
        etat, message = "portes_fermees", (
            "Les portes sont fermées pour toutes les épreuves d'aujourd'hui : aucune convocation ne peut plus être "
            "imprimée. Adressez-vous au personnel de l'accueil.")
    else:
        etat, message = "aucune_epreuve", ("Aucune épreuve aujourd'hui sur ce site : adressez-vous au personnel de "
                                           "l'accueil.")
    return {"concours": day.session.concours.label, "jour": french_date(now.date()), "site": kiosk_site.name,
            "etat": etat, "impression_possible": bool(open_), "message": message}


# --- printing ---------------------------------------------------------------------------------------


def ticket_fields(day, c: Candidat, epreuve: Epreuve) -> dict:
    """The ConvocationTicket's fields (devices.printing.ticket): strings only; the barcode carries the
    concours' code format with the numéro, as the scan at the salle door reads it (R26)."""
    session = day.session
    site = session.site(c.site)
    at, salle, place = where_to_go(day, c, epreuve)  # at an oral: the passage's time, the jury's salle and name
    return {
        "concours_label": session.concours.label, "epreuve_label": epreuve.label,
        "epreuve_date": french_date(at.date()), "numero": c.numero, "nom": c.nom, "prenom": c.prenom,
        "site_name": site.name, "site_address": site.address, "salle_label": salle.display if salle else "",
        "salle_access": salle.access if salle else "", "place": place,
        "convocation_time": rules.hhmm(at),
        "barcode_payload": session.concours.payload(c.numero),  # the original convocation's payload
    }


class PrintRequest(Request):
    client_id: ClientId
    numero: NUMERO_FIELD = None
    date_naissance: DATE_FIELD = None


def request_print(day, caller, req: PrintRequest, quota: Callable[[str], None] | None = None) -> dict:
    """Journal the kiosk's print request (idempotent by client_id). The answer carries the ticket and the
    request's number (« demande »); the web layer hands the ticket to the spooler once, and a retry finds the
    same request. The numéro and the date of birth must match (R27: the ticket shows the candidat's name and
    place), else the lookup's own « introuvable » words. Doors closed (R3): refused, nothing printed. `quota`
    (numéro) may refuse a candidat who printed too often: called once the candidat is known, before anything
    is recorded."""
    kiosk_site = require_kiosk_site(day, caller)
    numero = parse_numero(req.numero, day.session.concours)
    born = parse_birth_date(req.date_naissance, day.clock.now().date())

    def decide(tx) -> dict:
        c = queries.candidat(tx.db, numero)
        if c is None or c.date_naissance != born:  # the same answer for both: which fact was wrong is not said
            raise Introuvable(NOT_FOUND, code="candidat_inconnu")
        found = _answer_for(day, tx.db, c, kiosk_site, tx.now)
        if not found["impression_possible"]:  # R3: doors closed, nothing printed
            return refused(found["resultat"], found["message"], "R3" if found["resultat"] == "portes_fermees" else "")
        if quota is not None:
            quota(c.numero)
        epreuve = day.session.epreuve(found["candidat"]["epreuve"]["code"])
        event = tx.append("impression_borne", caller.actor, {"numero": c.numero}, client_id=req.client_id,
                          epreuve=epreuve.code, site=kiosk_site.code, candidat=c.numero)
        return accepted("impression_demandee", "Impression demandée.", "R6", demande=event["seq"],
                        epreuve=epreuve.code, site=kiosk_site.code, candidat=found["candidat"],
                        ticket=ticket_fields(day, c, epreuve))

    return run(day, req.client_id, fingerprint("impression", numero=numero, ne=born.isoformat()), decide)


def job_for_reprint(day, caller, job_id: str) -> dict:
    """A job a responsable may print again: one of their site's kiosk or candidats (admin: any)."""
    row = queries.print_job(day.journal.reader(), str(job_id)[:64])
    if row is None:
        raise Introuvable(f"Impression « {str(job_id)[:64]} » inconnue.", code="impression_inconnue")
    if caller.role != "admin" and caller.site not in (row["site"], row["candidat_site"]):
        raise Interdit("Cette impression concerne un autre site.")
    return row


# --- the attestation de présence of a candidat who has left (issue 14) ---------------------------------------------


NO_PRESENCE = ("Nous ne trouvons pas de présence enregistrée aujourd'hui à votre nom : adressez-vous au personnel de "
               "l'accueil.")
NOT_LEFT = ("Votre attestation de présence pourra être imprimée ici après votre sortie de la salle : pendant "
            "l'épreuve, adressez-vous au surveillant.")


class AttestationRequest(Request):
    client_id: ClientId
    numero: NUMERO_FIELD = None
    date_naissance: DATE_FIELD = None


def left_today(day, db, numero: str, today: date) -> tuple[list[dict], bool]:
    """The candidat's presences of the day's épreuves that are over for them (exit recorded, or salle released),
    each with its `depart`; and whether they were admitted to any épreuve today at all."""
    out, admitted = [], False
    for epreuve in day.session.epreuves:
        if epreuve.date != today:
            continue
        if not epreuve.written:  # an oral (R28): arrived at the waiting room, out at the passage's end
            o = queries.oral_row(db, epreuve.code, numero)
            if o and o["arrived_at"] and o["decision"] != "absent":
                admitted = True
                departure = o["passage_fin"] or o["abandon_at"] or o["renonce_at"]
                jury = day.session.jury(o["jury"])
                if departure and jury:
                    out.append({"salle": jury.salle, "entered_at": o["arrived_at"], "epreuve": epreuve,
                                "depart": departure})
            continue
        p = queries.presence(db, epreuve.code, numero)
        if p is None:
            continue
        admitted = True
        departure = p["exited_at"] if p["status"] == "sorti" else queries.salle_fin(db, epreuve.code, p["salle"]).get(
            "released_at")
        if departure:
            out.append({**p, "epreuve": epreuve, "depart": departure})
    return out, admitted


def attestation_fields(day, c: Candidat, left: list[dict], today: date) -> dict:
    """The AttestationTicket's fields (devices.printing.ticket), from the session file's [attestation] table."""
    from ..after.attestations import attestation_table
    from ..pv import ville

    session = day.session
    layout = attestation_table(queries.session_toml(day.journal.reader()) or "")
    lines, towns = [], []
    for p in left:
        site = session.site(session.salle(p["salle"]).site)
        towns.append(ville(site.address, site.name))
        lines.append(f"{p['epreuve'].label} — {site.name}, {site.address} : arrivée à "
                     f"{rules.hhmm(dt(p['entered_at']))}, départ à {rules.hhmm(dt(p['depart']))}")
    return {
        "autorite": layout.get("autorite") or session.concours.organisateur, "concours_label": session.concours.label,
        "jour": french_date(today), "numero": c.numero, "nom": c.nom, "prenom": c.prenom,
        "date_naissance": c.date_naissance.strftime("%d/%m/%Y"), "lignes": lines,
        "fait_a": f"Fait à {layout.get('lieu') or towns[0]}, le {french_date(today)}",
        "signataire": layout.get("signataire", ""), "qualite": layout.get("qualite", ""),
        "document": "attestation",
    }


def request_attestation(day, caller, req: AttestationRequest, quota: Callable[[str], None] | None = None) -> dict:
    """Journal the borne's request for a candidat's attestation de présence (numéro and date of birth, as for a
    replacement convocation, R27): only once they have left the salle of every épreuve it names; the answer
    carries the ticket, which the web layer hands to the spooler once. `quota` as for request_print."""
    kiosk_site = require_kiosk_site(day, caller)
    numero = parse_numero(req.numero, day.session.concours)
    today = day.clock.now().date()
    born = parse_birth_date(req.date_naissance, today)

    def decide(tx) -> dict:
        c = queries.candidat(tx.db, numero)
        if c is None or c.date_naissance != born:
            raise Introuvable(NOT_FOUND, code="candidat_inconnu")
        left, admitted = left_today(day, tx.db, c.numero, today)
        if not left:
            return refused("pas_encore_sorti" if admitted else "aucune_presence", NOT_LEFT if admitted else
                           NO_PRESENCE)
        if quota is not None:
            quota(c.numero)
        event = tx.append("impression_borne", caller.actor, {"numero": c.numero, "document": "attestation"},
                          client_id=req.client_id, epreuve=left[-1]["epreuve"].code, site=kiosk_site.code,
                          candidat=c.numero)
        return accepted("impression_demandee", "Impression de votre attestation de présence demandée.", "",
                        demande=event["seq"], epreuve=left[-1]["epreuve"].code, site=kiosk_site.code,
                        candidat={"numero": c.numero, "nom": c.nom, "prenom": c.prenom},
                        ticket=attestation_fields(day, c, left, today))

    return run(day, req.client_id, fingerprint("attestation", numero=numero, ne=born.isoformat()), decide)
