"""The accueil kiosk's commands (R6): find one's own convocation, print a replacement, follow the print jobs.

Functions take (day, caller, …) like the commands of salle.day. Every lookup and every print is journaled;
a lookup never stores what was typed (R27), only whether a candidat was found and which.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from salle import rules
from salle.day import Caller, ExamDay, _dt, candidat_from_row, require_client_id
from salle.errors import Conflit, Interdit, Introuvable, Invalide
from salle.importing import parse_date
from salle.journal import Tx
from salle.model import Candidat, Epreuve

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


def require_kiosk_site(day: ExamDay, caller: Caller):
    if caller.role != "kiosk":
        raise Interdit("Réservé à la borne d'accueil.")
    site = day.session.site(caller.site or "")
    assert site is not None, f"kiosk {caller.actor.id} has no site"
    return site


# --- which épreuve, and may a convocation be printed for it (R3) -------------------------------------


def target_epreuve(day: ExamDay, db, c: Candidat, now: datetime) -> tuple[Epreuve | None, bool]:
    """The candidat's épreuve of today not yet over (the one the salle doors work for), and whether its doors
    are closed (R3: « les candidats arrivant après la fermeture des portes … ne sont plus acceptés »): then
    the kiosk prints nothing until that épreuve is over and the next one, if any, becomes the target."""
    for epreuve in sorted(day.session.epreuves, key=lambda e: e.start_dt):
        if epreuve.date != now.date() or not c.convoque(epreuve.code) or now >= epreuve.end_dt:
            continue
        der = day._deroulement(db, epreuve.code, c.site)
        return epreuve, rules.doors_closed(_dt(der.get("doors_close_at")), _dt(der.get("doors_closed_at")), now)
    return None, False


def convocation_view(day: ExamDay, c: Candidat, epreuve: Epreuve, kiosk_site) -> dict:
    """Only what the candidat needs to find their place (R27): no date of birth, no aménagements."""
    session = day.session
    site = session.site(c.site)
    salle = session.salle(c.salle)
    return {
        "numero": c.numero, "nom": c.nom, "prenom": c.prenom,
        "epreuve": {"code": epreuve.code, "libelle": epreuve.label, "date": french_date(epreuve.date)},
        "convocation": rules.hhmm(epreuve.convocation_dt),
        "site": {"code": site.code, "nom": site.name, "adresse": site.address},
        "autre_site": site.code != kiosk_site.code,  # R1: said, and the print is still allowed
        "salle": {"code": salle.code, "libelle": salle.display, "acces": salle.access} if salle else None,
        "place": c.place,
    }


def _answer_for(day: ExamDay, db, c: Candidat, kiosk_site, now: datetime) -> dict:
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


def lookup(day: ExamDay, caller: Caller, body: dict) -> dict:
    """Find exactly one candidat by (nom de naissance or nom d'usage) + date de naissance, or by numéro.

    Two candidats with the same name and date are never shown (« plusieurs »); no match and a wrong date get
    the same answer, so the kiosk never tells whether a name exists (R27)."""
    kiosk_site = require_kiosk_site(day, caller)
    now = day.clock.now()
    if body.get("numero") not in (None, ""):
        mode = "numero"
        numero = parse_numero(body.get("numero"), day.session.concours)
        rows = day.journal.query("SELECT * FROM candidats WHERE numero = ?", [numero])
    else:
        mode = "nom"
        key = parse_name(body.get("nom"))
        born = parse_birth_date(body.get("date_naissance"), now.date())
        rows = day.journal.query(
            "SELECT * FROM candidats WHERE nom_cle = ?1 AND date_naissance = ?2 "
            "UNION SELECT * FROM candidats WHERE nom_naissance_cle = ?1 AND date_naissance = ?2",
            [key, born.isoformat()])
    if len(rows) == 1:
        c = candidat_from_row(rows[0])
        answer = _answer_for(day, day.journal.reader().conn, c, kiosk_site, now)
    elif rows:
        c, answer = None, {"resultat": "plusieurs", "impression_possible": False, "message": SEVERAL}
    else:
        c, answer = None, {"resultat": "introuvable", "impression_possible": False, "message": NOT_FOUND}
    payload = {"trouve": c is not None, "resultat": answer["resultat"], "mode": mode}
    if c is not None:
        payload["numero"] = c.numero
    day.journal.write(lambda tx: tx.append("recherche_borne", caller.actor, payload, site=kiosk_site.code,
                                           candidat=c.numero if c else None))
    return answer


# --- printing ---------------------------------------------------------------------------------------


def ticket_fields(day: ExamDay, c: Candidat, epreuve: Epreuve) -> dict:
    """The ConvocationTicket's fields (devices.printing.ticket): strings only; the barcode carries the
    concours' code format with the numéro, as the scan at the salle door reads it (R26)."""
    session = day.session
    site = session.site(c.site)
    salle = session.salle(c.salle)
    return {
        "concours_label": session.concours.label, "epreuve_label": epreuve.label,
        "epreuve_date": french_date(epreuve.date), "numero": c.numero, "nom": c.nom, "prenom": c.prenom,
        "site_name": site.name, "site_address": site.address, "salle_label": salle.display if salle else "",
        "salle_access": salle.access if salle else "", "place": c.place,
        "convocation_time": rules.hhmm(epreuve.convocation_dt),
        "barcode_payload": session.concours.payload(c.numero),  # the original convocation's payload
    }


def request_print(day: ExamDay, caller: Caller, body: dict) -> tuple[dict, bool]:
    """Journal the kiosk's print request (idempotent by client_id): (answer, replayed). The answer carries
    the ticket; the caller hands it to the spooler once, and a retry finds the same request (« demande »)."""
    kiosk_site = require_kiosk_site(day, caller)
    client_id = require_client_id(body.get("client_id"))
    numero = parse_numero(body.get("numero"), day.session.concours)

    def decide(tx: Tx) -> dict:
        row = tx.db.execute("SELECT * FROM candidats WHERE numero = ?", [numero]).fetchone()
        if row is None:
            raise Introuvable(NOT_FOUND, code="candidat_inconnu")
        c = candidat_from_row(dict(row))
        answer = _answer_for(day, tx.db.conn, c, kiosk_site, tx.now)
        if not answer["impression_possible"]:  # R3: doors closed, nothing printed
            raise Conflit(answer["message"], code=answer["resultat"])
        epreuve = day.session.epreuve(answer["candidat"]["epreuve"]["code"])
        ticket = ticket_fields(day, c, epreuve)
        event = tx.append("impression_borne", caller.actor, {"numero": c.numero}, client_id=client_id,
                          epreuve=epreuve.code, site=kiosk_site.code, candidat=c.numero)
        return {"demande": event["seq"], "epreuve": epreuve.code, "site": kiosk_site.code,
                "candidat": answer["candidat"], "ticket": ticket}

    return day.journal.command(client_id, {"op": "impression", "numero": numero}, decide)


def job_of_request(day: ExamDay, demande: int) -> str | None:
    row = day.journal.one("SELECT job FROM impressions WHERE demande = ?", [demande])
    return row["job"] if row else None


def job_for_reprint(day: ExamDay, caller: Caller, job_id: str) -> dict:
    """A job a responsable may print again: one of their site's kiosk or candidats (admin: any)."""
    row = day.journal.one("SELECT * FROM impressions WHERE job = ?", [str(job_id)[:64]])
    if row is None:
        raise Introuvable(f"Impression « {str(job_id)[:64]} » inconnue.", code="impression_inconnue")
    if caller.role != "admin" and caller.site not in (row["site"], row["candidat_site"]):
        raise Interdit("Cette impression concerne un autre site.")
    return row


def printed_per_candidat(day: ExamDay, caller: Caller, site_code: str) -> list[dict]:
    """For the console: per candidat, the convocations printed at this site's kiosk or for this site's
    candidats; more than one is a reprint, flagged."""
    site = day.site_for(caller, site_code)
    rows = day.journal.query(
        "SELECT i.*, c.nom, c.prenom FROM impressions i LEFT JOIN candidats c ON c.numero = i.numero "
        "WHERE i.site = ? OR i.candidat_site = ? ORDER BY i.numero, i.job", [site.code, site.code])
    out: dict[str, dict] = {}
    for r in rows:
        entry = out.setdefault(r["numero"], {"numero": r["numero"], "nom": r["nom"], "prenom": r["prenom"],
                                             "imprimees": 0, "demandes": 0, "echecs": 0, "reimpression": False,
                                             "impressions": []})
        entry["demandes"] += 1 + r["reimpressions"]
        entry["imprimees"] += r["imprimees"]
        entry["echecs"] += r["status"] == "echec"
        entry["impressions"].append({"job": r["job"], "epreuve": r["epreuve"], "statut": r["status"],
                                     "imprimees": r["imprimees"], "reimpressions": r["reimpressions"],
                                     "borne": r["kiosk"], "site_borne": r["site"], "demandee_a": r["created_at"],
                                     "imprimee_a": r["printed_at"], "tentatives": r["attempts"],
                                     "erreur": r["message"]})
    for entry in out.values():
        entry["reimpression"] = entry["imprimees"] > 1
    return list(out.values())
