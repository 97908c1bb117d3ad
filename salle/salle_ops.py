"""The salle at work: émargement (R20, R25), incidents and fraud reports (R10–R14, R23), alerts (R5), the end
of the épreuve (R21, R22), camera frames and the search for a candidate whose code cannot be read.

Each command is a function (day, caller, …) -> answer: it checks the input (French 400 on bad input), then
decides with a rule of salle.rules inside one idempotent journal command. A refusal raises a French 409 and
records nothing; a retry with the same client_id gets the first answer back.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
import re
from datetime import datetime

from . import rules
from .day import Caller, ExamDay, _dt, _fetch, _name_homonyms, candidat_from_row, candidat_public, require_client_id
from .errors import Conflit, Interdit, Introuvable, Invalide
from .images import decode_image
from .journal import Tx
from .model import Epreuve, Salle
from .state import salle_fin

MAX_STROKES = 200
MAX_POINTS = 5000
MAX_COPIES = 99
MAX_TEXT = 4000
SIGNATURE_BOX = 10000  # coordinates are canvas pixels: anything beyond is not a signature


# --- input checks (bad input: French 400, nothing recorded) -----------------------------------------


def _numero(body: dict, required: bool = True) -> str | None:
    numero = body.get("numero")
    if numero is None and not required:
        return None
    if not isinstance(numero, str) or not numero.strip() or len(numero) > 64:
        raise Invalide("Numéro du candidat manquant.", code="numero_manquant")
    return numero.strip()


def _text(value, what: str, required: bool = True, limit: int = MAX_TEXT) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()) or len(value) > limit:
        raise Invalide(f"{what} : texte manquant ou trop long ({limit} caractères au plus).", code="texte_invalide")
    return value.strip()


def _bool(body: dict, key: str) -> bool:
    value = body.get(key, False)
    if not isinstance(value, bool):
        raise Invalide(f"« {key} » doit valoir true ou false.", code="requete_invalide")
    return value


def parse_strokes(value, what: str = "Signature") -> list[list[list[float]]]:
    """Vector strokes [[{x, y, t}, …], …] checked and compacted to [[[x, y, t], …], …] (R20: the signature
    « atteste de la remise »; R11: the candidate's countersignature)."""
    bad = Invalide(f"{what} manquante ou invalide : tracez-la dans le cadre (traits de points x, y, t).",
                   code="signature_invalide")
    if not isinstance(value, list) or not value or len(value) > MAX_STROKES:
        raise bad
    strokes, total = [], 0
    for stroke in value:
        if not isinstance(stroke, list) or not stroke:
            raise bad
        total += len(stroke)
        if total > MAX_POINTS:
            raise Invalide(f"{what} trop longue ({MAX_POINTS} points au plus).", code="signature_invalide")
        points = []
        for point in stroke:
            if not isinstance(point, dict):
                raise bad
            xyt = [point.get("x"), point.get("y"), point.get("t", 0)]
            if not all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in xyt):
                raise bad
            if not (0 <= xyt[0] <= SIGNATURE_BOX and 0 <= xyt[1] <= SIGNATURE_BOX and xyt[2] >= 0):
                raise bad
            points.append([round(xyt[0], 1), round(xyt[1], 1), round(xyt[2])])
        strokes.append(points)
    return strokes


def _copies(body: dict, abandon: bool) -> tuple[int, bool]:
    """R20: number of copies handed in (≥ 1) or « copie blanche »; an abandon (R25) hands in none."""
    blanche = _bool(body, "copie_blanche")
    copies = body.get("copies")
    if abandon:
        if copies not in (None, 0) or blanche:
            raise Invalide("Un abandon ne porte ni copies ni copie blanche.", code="copies_invalides")
        return 0, False
    if blanche:
        if copies not in (None, 0):
            raise Invalide("Copie blanche : ne donnez pas aussi un nombre de copies.", code="copies_invalides")
        return 0, True
    if copies is None:
        raise Invalide("Nombre de copies remises manquant (au moins 1), ou cochez « copie blanche ».",
                       code="copies_invalides")
    if not isinstance(copies, int) or isinstance(copies, bool) or not 1 <= copies <= MAX_COPIES:
        raise Invalide(f"Nombre de copies invalide : un nombre entier de 1 à {MAX_COPIES}, ou « copie blanche ».",
                       code="copies_invalides")
    return copies, False


def _heure(value, epreuve: Epreuve, what: str) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
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


def _fingerprint(op: str, salle: str, body: dict) -> dict:
    digest = hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()
    return {"op": op, "salle": salle, "body": digest}


def _run(day: ExamDay, client_id: str, fingerprint: dict, decide) -> dict:
    answer, replayed = day.journal.command(client_id, fingerprint, decide)
    return {**answer, "rejoue": replayed}


def _refuse(verdict: rules.Verdict):
    """A rule said no: a French 409 carrying the rule and the time from which it would be allowed."""
    raise Conflit(verdict.message, code=verdict.code, data={
        **verdict.data, "regle": verdict.rule,
        "autorise_a_partir_de": verdict.allowed_from.isoformat(timespec="seconds") if verdict.allowed_from else None})


def _answer(verdict: rules.Verdict, **extra) -> dict:
    return {**verdict.to_dict(), "ok": True, "enregistre": True, **extra}


def _context(day: ExamDay, caller: Caller, salle_code: str, body: dict) -> tuple[Salle, Epreuve, str]:
    salle = day.salle_for(caller, salle_code)
    client_id = require_client_id(body.get("client_id"))
    epreuve = day.epreuve_for(body.get("epreuve"), day.clock.now())
    return salle, epreuve, client_id


def _responsable(caller: Caller, salle: Salle) -> None:
    if caller.role not in ("admin", "responsable"):
        raise Interdit(f"Seul le responsable du site {salle.site} peut faire cela.")


# --- émargement (R20, R21, R25) --------------------------------------------------------------------------


def emarger(day: ExamDay, caller: Caller, salle_code: str, body: dict) -> dict:
    salle, epreuve, client_id = _context(day, caller, salle_code, body)
    numero = _numero(body)
    abandon = _bool(body, "abandon")
    copies, blanche = _copies(body, abandon)
    signature = parse_strokes(body.get("signature"))

    def decide(tx: Tx) -> dict:
        c, presence = day._presence_facts(tx.db, epreuve, salle, numero, False)
        verdict = rules.check_emargement(rules.EmargementFacts(presence, abandon), tx.now)
        if verdict.code != rules.EMARGEMENT_ENREGISTRE:
            _refuse(verdict)
        tx.append("emargement", caller.actor, {"copies": copies, "copie_blanche": blanche, "abandon": abandon,
                                               "signature": signature, "message": verdict.message},
                  client_id=client_id, epreuve=epreuve.code, site=salle.site, salle=salle.code, candidat=c.numero)
        return _answer(verdict, epreuve=epreuve.code, salle=salle.code, candidat=candidat_public(c), copies=copies,
                       copie_blanche=blanche, abandon=abandon)

    return _run(day, client_id, _fingerprint("emargement", salle.code, body), decide)


# --- incidents and fraud reports (R10–R14, R23) ----------------------------------------------------------


def signaler(day: ExamDay, caller: Caller, salle_code: str, body: dict) -> dict:
    salle, epreuve, client_id = _context(day, caller, salle_code, body)
    kind = body.get("type")
    if not isinstance(kind, str) or kind not in rules.INCIDENT_TYPES:
        raise Invalide(f"Type d'incident inconnu : choisissez parmi {', '.join(rules.INCIDENT_TYPES)}.",
                       code="type_incident_invalide")
    texte = _text(body.get("texte"), "Description des faits")
    numero = _numero(body, required=kind in rules.INCIDENTS_WITH_CANDIDAT)
    payload = {"type": kind, "texte": texte, "rapporteur": caller.actor.name}
    debut = _heure(body.get("debut"), epreuve, "Heure de début")
    fin = _heure(body.get("fin"), epreuve, "Heure de fin")
    times = {"Heure de début": debut, "Heure de fin": fin}
    if kind == "fraude":
        payload.update(_fraud_report(body, epreuve))
        times["Heure des faits"] = _dt(payload.get("heure_faits"))
    if debut:
        payload["debut"] = debut.isoformat(timespec="minutes")
    if fin:
        payload["fin"] = fin.isoformat(timespec="minutes")

    def decide(tx: Tx) -> dict:
        c = presence = None
        if numero:
            c, presence = day._presence_facts(tx.db, epreuve, salle, numero, False)
            if presence.status is None:
                raise Conflit(f"{c.display_name} n'est pas enregistré(e) comme présent(e) dans cette salle.",
                              code=rules.NON_PRESENT)
        started = _dt(day._deroulement(tx.db, epreuve.code, salle.site).get("started_at"))
        verdict = rules.check_incident(kind, epreuve, started, bool(c and c.tiers_temps), tx.now, debut, fin)
        if verdict.code != rules.INCIDENT_ENREGISTRE:
            _refuse(verdict)
        _within_epreuve(times, epreuve, started, tx.now)
        label = rules.INCIDENT_TYPES[kind][0]
        message = f"{label} — {c.display_name}" if c else label
        tx.append("incident", caller.actor, {**payload, "message": message, "regle": verdict.rule},
                  client_id=client_id, epreuve=epreuve.code, site=salle.site, salle=salle.code,
                  candidat=c.numero if c else None)
        return _answer(verdict, epreuve=epreuve.code, salle=salle.code, type=kind,
                       candidat=candidat_public(c) if c else None)

    return _run(day, client_id, _fingerprint("incident", salle.code, body), decide)


def _fraud_report(body: dict, epreuve: Epreuve) -> dict:
    """R11: the surveillant reports — facts, time of the facts, reporting staff, the candidate's countersignature
    or « refus de signer ». The exclusion is the jury's decision (decider_fraude): an « exclusion » sent with a
    report is not the surveillant's to give and is ignored."""
    refus = _bool(body, "refus_de_signer")
    heure = _heure(body.get("heure_faits"), epreuve, "Heure des faits")
    if heure is None:
        raise Invalide("Rapport de fraude : indiquez l'heure des faits (« 10:45 »).", code="heure_invalide")
    report = {"refus_de_signer": refus, "heure_faits": heure.isoformat(timespec="minutes")}
    if refus:
        if body.get("contresignature"):
            raise Invalide("Rapport de fraude : contresignature ou « refus de signer », pas les deux.",
                           code="signature_invalide")
    else:
        report["contresignature"] = parse_strokes(body.get("contresignature"), "Contresignature du candidat "
                                                  "(ou cochez « refus de signer »)")
    return report


def decider_fraude(day: ExamDay, caller: Caller, seq: int, body: dict) -> dict:
    """R11: « le jury peut le cas échéant décider de son exclusion immédiate »: the responsable records the
    jury's decision on a fraud report — exclusion or not, who decided — once; the PV's annex shows it."""
    client_id = require_client_id(body.get("client_id"))
    if not isinstance(body.get("exclusion"), bool):
        raise Invalide("Décision du jury : « exclusion » doit valoir true (exclusion immédiate) ou false.",
                       code="requete_invalide")
    exclusion = body["exclusion"]
    decide_par = _text(body.get("decide_par"), "Membre du jury qui a décidé (nom et qualité)", limit=200)
    observation = _text(body.get("observation"), "Observation", required=False, limit=500)
    report = day.journal.one("SELECT * FROM incidents WHERE seq = ?", [seq])
    if report is None or report["type"] != "fraude":
        raise Introuvable(f"Rapport de fraude n° {seq} inconnu.", code="rapport_inconnu")
    day.site_for(caller, report["site"])
    name = day.journal.one("SELECT nom, prenom FROM candidats WHERE numero = ?", [report["candidat"]]) or {}
    who = f"{name.get('nom', '').upper()} {name.get('prenom', '')}".strip() or report["candidat"]

    def decide(tx: Tx) -> dict:
        done = _fetch(tx.db, "SELECT at FROM decisions_fraude WHERE incident = ?", [seq])
        if done:
            raise Conflit(f"La décision du jury sur ce rapport est déjà enregistrée ({done['at'][11:16]}).",
                          code="decision_deja_enregistree")
        message = (f"Décision du jury ({decide_par}) : {who} exclu(e) de la salle pour l'épreuve." if exclusion
                   else f"Décision du jury ({decide_par}) : pas d'exclusion, {who} poursuit l'épreuve.")
        tx.append("decision_fraude", caller.actor, {"incident": seq, "exclusion": exclusion, "decide_par": decide_par,
                                                    "observation": observation, "message": message},
                  client_id=client_id, epreuve=report["epreuve"], site=report["site"], salle=report["salle"],
                  candidat=report["candidat"])
        return {"ok": True, "enregistre": True, "incident": seq, "exclusion": exclusion, "decide_par": decide_par,
                "message": message + " Consignée au procès-verbal."}

    return _run(day, client_id, {"op": "decision_fraude", "seq": seq, "x": exclusion, "p": decide_par}, decide)


# --- alerts (R5, R11) -------------------------------------------------------------------------------------

# What each alert asks of the responsable (the console and the PV say this; the message gives the details).
ALERT_TITLES = {
    "sans_piece_identite": "Candidat admis sans pièce d'identité : faire un contrôle d'identité spécifique",
    "admission_hors_ligne": "Entrée notée hors ligne avant la fermeture : confirmer l'heure avec le surveillant",
    "convocation_deja_utilisee": "Convocation présentée une deuxième fois : contrôler les deux identités",
    "fraude": "Suspicion de fraude : consigner la décision du jury",
    "appareil_hors_ligne": "Appareil hors ligne : vérifier le lecteur ou l'imprimante",
    "connexions_refusees": "Codes personnels refusés à répétition : vérifier qui utilise l'appareil",
    "code_verrouille": "Code personnel verrouillé : vérifier, puis le débloquer",
}


def alertes(day: ExamDay, caller: Caller, toutes: bool = False) -> list[dict]:
    sql, params = "SELECT * FROM alerts WHERE 1 = 1", []
    if not toutes:
        sql += " AND resolved_at IS NULL"
    if caller.role == "surveillant":
        sql, params = sql + " AND salle = ?", [*params, caller.salle]
    elif caller.role == "responsable":  # an alert without a site (a door relay) concerns every site served here
        sql, params = sql + " AND (site = ? OR site IS NULL)", [*params, caller.site]
    rows = day.journal.query(sql + " ORDER BY seq", params)
    names = {c["numero"]: f"{c['nom'].upper()} {c['prenom']}" for c in day.journal.query(
        "SELECT numero, nom, prenom FROM candidats WHERE numero IN (%s)" % ",".join("?" * len(rows)),
        [r["candidat"] for r in rows])} if rows else {}
    return [{"seq": r["seq"], "type": r["kind"], "epreuve": r["epreuve"], "site": r["site"], "salle": r["salle"],
             "candidat": r["candidat"], "candidat_nom": names.get(r["candidat"]), "message": r["message"],
             "titre": ALERT_TITLES.get(r["kind"], r["message"]), "creee_a": r["created_at"],
             "resolue_a": r["resolved_at"], "resolution": r["resolution"]} for r in rows]


def resoudre_alerte(day: ExamDay, caller: Caller, seq: int, body: dict) -> dict:
    """R5: the responsable records the specific identity control carried out (or what was done)."""
    client_id = require_client_id(body.get("client_id"))
    resolution = _text(body.get("resolution"), "Ce qui a été fait", limit=500)  # a cell of the PV's table
    alert = day.journal.one("SELECT * FROM alerts WHERE seq = ?", [seq])
    if alert is None:
        raise Introuvable(f"Alerte n° {seq} inconnue.", code="alerte_inconnue")
    if alert["site"] is not None:
        day.site_for(caller, alert["site"])
    elif caller.role not in ("responsable", "admin"):
        raise Interdit("Seul un responsable ou un administrateur traite cette alerte.")

    def decide(tx: Tx) -> dict:
        current = _fetch(tx.db, "SELECT resolved_at FROM alerts WHERE seq = ?", [seq])
        if current["resolved_at"]:
            raise Conflit(f"Alerte déjà traitée à {current['resolved_at'][11:16]}.", code="alerte_deja_traitee")
        tx.append("alerte_resolue", caller.actor, {"alerte": seq, "resolution": resolution},
                  client_id=client_id, epreuve=alert["epreuve"], site=alert["site"], salle=alert["salle"],
                  candidat=alert["candidat"])
        return {"ok": True, "enregistre": True, "alerte": seq, "resolution": resolution,
                "message": "Alerte traitée : consignée au procès-verbal."}

    return _run(day, client_id, {"op": "resolution", "seq": seq, "r": resolution}, decide)


# --- end of the épreuve (R21, R22) ------------------------------------------------------------------------


def _end_facts(day: ExamDay, db, epreuve: Epreuve, salle: Salle) -> tuple[datetime | None, datetime]:
    started = _dt(day._deroulement(db, epreuve.code, salle.site).get("started_at"))
    conn = getattr(db, "conn", db)
    inside = [bool(r[0]) for r in conn.execute(
        "SELECT c.tiers_temps FROM presences p JOIN candidats c ON c.numero = p.numero WHERE p.epreuve = ? "
        "AND p.salle = ? AND p.status IN ('present', 'toilettes')", [epreuve.code, salle.code])]
    return started, rules.salle_end(epreuve, started, inside)


def _copies_emargees(db, epreuve: str, salle: str) -> int:
    row = _fetch(db, "SELECT COALESCE(SUM(copies), 0) AS n FROM presences WHERE epreuve = ? AND salle = ? "
                 "AND emarge_at IS NOT NULL", [epreuve, salle])
    return row["n"]


def sans_emargement(day: ExamDay, epreuve: str, salle: str) -> list[dict]:
    """R21: « un candidat n'ayant pas émargé sera réputé ne pas avoir rendu de copie »."""
    rows = day.journal.query(
        "SELECT c.numero, c.nom, c.prenom, p.place, p.status FROM presences p JOIN candidats c ON c.numero = "
        "p.numero WHERE p.epreuve = ? AND p.salle = ? AND p.emarge_at IS NULL ORDER BY c.nom COLLATE FR, c.prenom COLLATE FR",
        [epreuve, salle])
    return [{"numero": r["numero"], "nom": r["nom"], "prenom": r["prenom"], "place": r["place"],
             "statut": r["status"]} for r in rows]


def _display(row: dict) -> str:
    return f"{row['nom'].upper()} {row['prenom']} ({row['place'] or '—'})"


def _liberation_facts(day: ExamDay, db, epreuve: Epreuve, salle: Salle, motif: str = "") -> rules.Liberation:
    """R21, R22, R19: what a release would leave open, read from the state."""
    _, end = _end_facts(day, db, epreuve, salle)
    state = salle_fin(db, epreuve.code, salle.code)
    conn = getattr(db, "conn", db)
    cur = conn.execute(
        "SELECT c.nom, c.prenom, p.place, p.status, p.emarge_at FROM presences p JOIN candidats c ON c.numero = "
        "p.numero WHERE p.epreuve = ? AND p.salle = ? AND (p.emarge_at IS NULL OR p.status = 'toilettes') "
        "ORDER BY p.place, c.nom COLLATE FR", [epreuve.code, salle.code])
    rows = [dict(zip([d[0] for d in cur.description], r)) for r in cur.fetchall()]
    return rules.Liberation(
        recounted=bool(state.get("recount_at")), end=end, released_at=_dt(state.get("released_at")),
        sans_emargement=tuple(_display(r) for r in rows if r["emarge_at"] is None),
        copies_comptees=state.get("copies_comptees") if state.get("recount_at") else None,
        copies_emargees=_copies_emargees(db, epreuve.code, salle.code),
        dehors=tuple(_display(r) for r in rows if r["status"] == "toilettes"), motif=motif)


def fin(day: ExamDay, caller: Caller, salle_code: str, epreuve_code: str | None = None) -> dict:
    salle = day.salle_for(caller, salle_code)
    now = day.clock.now()
    epreuve = day.epreuve_for(epreuve_code, now)
    db = day.journal.reader()
    started, end = _end_facts(day, db, epreuve, salle)
    state = salle_fin(db, epreuve.code, salle.code)
    facts = _liberation_facts(day, db, epreuve, salle)
    verdict = rules.check_liberation(facts, now)
    blocking = [] if verdict.code in (rules.SALLE_LIBEREE, rules.LIBERATION_A_CONFIRMER) else [
        {"code": verdict.code, "message": verdict.message}]
    return {"epreuve": epreuve.code, "salle": salle.code, "debut": started and started.isoformat(),
            "fin": end.isoformat(timespec="seconds"), "fin_atteinte": started is not None and now >= end,
            "sans_emargement": sans_emargement(day, epreuve.code, salle.code),
            "copies_emargees": _copies_emargees(db, epreuve.code, salle.code),
            "recomptage": {"a": state["recount_at"], "copies_comptees": state["copies_comptees"],
                           "copies_emargees": state["copies_emargees"], "ecart": state["ecart"]} if state else None,
            "liberee_a": state.get("released_at"), "liberee_par": state.get("released_by"),
            "bloquant": blocking, "points_ouverts": rules.liberation_open_items(facts)}


def recompter(day: ExamDay, caller: Caller, salle_code: str, body: dict) -> dict:
    salle, epreuve, client_id = _context(day, caller, salle_code, body)
    _responsable(caller, salle)
    counted = body.get("copies_comptees")
    if not isinstance(counted, int) or isinstance(counted, bool) or not 0 <= counted <= 100000:
        raise Invalide("Nombre de copies recomptées invalide : un nombre entier (0 ou plus).",
                       code="copies_invalides")

    def decide(tx: Tx) -> dict:
        started, end = _end_facts(day, tx.db, epreuve, salle)
        released = _dt(salle_fin(tx.db, epreuve.code, salle.code).get("released_at"))
        verdict = rules.check_recomptage(started, end, released, tx.now)
        if verdict.code != rules.RECOMPTAGE_ENREGISTRE:
            _refuse(verdict)
        emargees = _copies_emargees(tx.db, epreuve.code, salle.code)
        ecart = counted - emargees
        message = (f"Recomptage : {counted} copie(s), autant que sur les émargements." if ecart == 0 else
                   f"Écart : {counted} copie(s) recomptée(s) pour {emargees} émargée(s) ({ecart:+d}). "
                   "L'écart est consigné au procès-verbal.")
        tx.append("recomptage", caller.actor, {"copies_comptees": counted, "copies_emargees": emargees,
                                               "ecart": ecart, "message": message},
                  client_id=client_id, epreuve=epreuve.code, site=salle.site, salle=salle.code)
        return _answer(verdict, message=message, copies_comptees=counted, copies_emargees=emargees, ecart=ecart,
                       epreuve=epreuve.code, salle=salle.code)

    return _run(day, client_id, {"op": "recomptage", "s": salle.code, "e": epreuve.code, "n": counted}, decide)


def liberer(day: ExamDay, caller: Caller, salle_code: str, body: dict) -> dict:
    """R22: the signal to leave. Anything left open (R21, a recount off, someone out) is refused with the list
    unless the responsable gives a reason; the list and the reason go to the PV."""
    salle, epreuve, client_id = _context(day, caller, salle_code, body)
    _responsable(caller, salle)
    motif = _text(body.get("motif"), "Motif de la libération", required=False, limit=500)

    def decide(tx: Tx) -> dict:
        facts = _liberation_facts(day, tx.db, epreuve, salle, motif)
        verdict = rules.check_liberation(facts, tx.now)
        if verdict.code != rules.SALLE_LIBEREE:
            _refuse(verdict)
        items = verdict.data["points_ouverts"]
        tx.append("liberation", caller.actor, {
            "message": verdict.message, "sans_emargement": len(facts.sans_emargement),
            "points_ouverts": [i["message"] for i in items], "motif": motif if items else "",
            "dehors": list(facts.dehors)}, client_id=client_id, epreuve=epreuve.code, site=salle.site,
            salle=salle.code)
        return _answer(verdict, epreuve=epreuve.code, salle=salle.code, sans_emargement=len(facts.sans_emargement))

    return _run(day, client_id, {"op": "liberation", "s": salle.code, "e": epreuve.code, "m": motif}, decide)


# --- camera frames and search -------------------------------------------------------------------------------


def image_bytes(value) -> bytes:
    """A frame sent as base64 (or a data: URL) in JSON."""
    if not isinstance(value, str) or not value:
        raise Invalide("Image manquante : envoyez une photo JPEG ou PNG (champ « image »).", code="image_manquante")
    if value.startswith("data:"):
        value = value.partition(",")[2]
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise Invalide("Image illisible : le contenu n'est pas du base64 valide.", code="image_invalide") from exc


def scan_image(day: ExamDay, caller: Caller, salle_code: str, data: bytes, body: dict) -> dict:
    """Decode a camera frame, then put each code read through the same scan path as a typed or wedge scan."""
    client_id = require_client_id(body.get("client_id"))
    codes = decode_image(data)
    if codes is None:
        raise Invalide("Ce fichier n'est pas une image JPEG ou PNG lisible.", code="image_invalide")
    common = {k: body[k] for k in ("piece_identite", "pieces_produites", "epreuve", "device_time") if k in body}
    results = [day.scan(caller, salle_code, {**common, "code": code, "client_id": f"{client_id[:90]}:{i}"})
               for i, code in enumerate(codes or [""])]
    if not codes:
        results[0]["message"] = ("Aucun code-barres lisible sur l'image : rapprochez la convocation, évitez les "
                                 "reflets, ou cherchez le candidat par son nom ou son numéro.")
    return {**results[0], "codes": codes, "resultats": results}


def rechercher(day: ExamDay, caller: Caller, salle_code: str, q, epreuve_code: str | None = None) -> list[dict]:
    """Find a candidate by name (accents, case, hyphens ignored) or numéro, within the salle's site (R27)."""
    salle = day.salle_for(caller, salle_code)
    if not isinstance(q, str) or len(q.strip()) < 2 or len(q) > 64:
        raise Invalide("Recherche : tapez au moins 2 caractères du nom ou du numéro.", code="recherche_invalide")
    key, upper = rules.normalize_name(q), q.strip().upper()
    if not key:
        raise Invalide("Recherche : tapez des lettres ou des chiffres.", code="recherche_invalide")
    epreuve = day.epreuve_for(epreuve_code, day.clock.now())
    rows = day.journal.query(
        "SELECT c.*, p.status FROM candidats c LEFT JOIN presences p ON p.numero = c.numero AND p.epreuve = ? "
        "WHERE c.site = ? ORDER BY c.nom COLLATE FR, c.prenom COLLATE FR", [epreuve.code, salle.site])
    fmt = day.session.concours.code_format
    scored = []
    for row in rows:
        names = (row["nom_cle"] or "", row["nom_naissance_cle"] or "",
                 rules.normalize_name(row["nom"] + row["prenom"]), rules.normalize_name(row["prenom"] + row["nom"]))
        numero = row["numero"].upper()
        if upper in numero or any(key in n for n in names if n):
            rank = 0 if numero == upper else 1 if numero.endswith(upper) else 2 if names[0].startswith(key) else 3
            scored.append((rank, row))
    out, found = [], [row for _, row in sorted(scored, key=lambda x: x[0])[:20]]
    for row in found:
        c = candidat_from_row(row)
        out.append({**candidat_public(c), "statut": row["status"] or "attendu", "convoque": c.convoque(epreuve.code),
                    "autre_salle": c.salle != salle.code, "code": fmt.replace("{numero}", c.numero)})
    _name_homonyms(out, found)
    return out
