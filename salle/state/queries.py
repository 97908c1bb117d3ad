"""The read side: what the state tables say, as plain data or as the facts the rules decide on.

Every function takes `db`: a reader (`journal.reader()`, outside a transaction) or the writer's `tx.db` (inside
one, seeing what the command is about to decide on). Nothing here writes; nothing here checks who asks (the
commands and the web layer do, with ExamDay.salle_for / site_for).
"""

from __future__ import annotations

import json
from dataclasses import replace
import sqlite3
from datetime import date, datetime, timedelta

from .. import rules
from ..planning import slot
from ..model import Candidat, Epreuve, Passage, Salle, Session, parse_temps_majores


def fetch(db, sql: str, params=()) -> dict | None:
    """One row as a dict, from a sqlite-utils Database or a sqlite3 connection."""
    cursor = getattr(db, "conn", db).execute(sql, params)
    row = cursor.fetchone()
    return dict(zip([d[0] for d in cursor.description], row)) if row is not None else None


def rows(db, sql: str, params=()) -> list[dict]:
    cursor = getattr(db, "conn", db).execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, r)) for r in cursor.fetchall()]


def iso(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") if value else None


def dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


# --- candidats --------------------------------------------------------------------------------------------


def candidat_from_row(row: dict) -> Candidat:
    """R24: `temps_majore` holds the figures (« 1/3 », « E1: 20 min ; E2: 1/3 »); a row without (a day file or an
    import from before them) has the older yes/no `tiers_temps`: a third."""
    majore = parse_temps_majores(row.get("temps_majore") or "")
    return Candidat(
        numero=row["numero"], nom=row["nom"], prenom=row["prenom"],
        date_naissance=date.fromisoformat(row["date_naissance"]), site=row["site"], salle=row["salle"],
        place=row["place"] or "", nom_naissance=row["nom_naissance"] or "",
        tiers_temps=bool(row["tiers_temps"]) and not majore, temps_majore=majore,
        pieces_manquantes=row["pieces_manquantes"] or "", epreuves=tuple(json.loads(row["epreuves"] or "[]")),
        amenagements=row["amenagements"] or "",
    )


def temps_majore_public(c: Candidat, epreuve: str | None = None) -> str:
    """R24: the extra time as a person reads it (« tiers-temps », « 20 min »), at one épreuve or at every one."""
    if epreuve is not None:
        t = c.majoration(epreuve)
        return t.label if t else ""
    if c.temps_majore:
        return " ; ".join(f"{code}: {t.label}" if code else t.label for code, t in c.temps_majore)
    return "tiers-temps" if c.tiers_temps else ""


def oral_passages(db, session: Session, epreuve: Epreuve, jury: str | None = None) -> list[tuple[Passage, Candidat]]:
    """R28: the passages of an oral (of one jury), by time: each candidat's from the import, else the one the
    session file plans for them; only candidats the day knows."""
    out = []
    for row in rows(db, "SELECT * FROM candidats WHERE passages LIKE ?", [f'%"{epreuve.code}"%']):
        for p in json.loads(row["passages"]):
            if p["epreuve"] == epreuve.code and (jury is None or p["jury"] == jury):
                out.append((Passage(row["numero"], p["epreuve"], p["jury"], datetime.fromisoformat(p["at"])),
                            candidat_from_row(row)))
    imported = {p.numero for p, _ in out}
    planned = [p for p in session.passages if p.epreuve == epreuve.code and p.numero not in imported
               and (jury is None or p.jury == jury)]
    if planned:
        known = {r["numero"]: r for r in rows(db, f"SELECT * FROM candidats WHERE numero IN "
                                                  f"({','.join('?' * len(planned))})", [p.numero for p in planned])}
        out.extend((p, candidat_from_row(known[p.numero])) for p in planned if p.numero in known)
    return sorted(out, key=lambda pc: (pc[0].at, pc[0].jury, pc[0].numero))


def all_oral_passages(db, session: Session) -> dict[tuple[str, str], Passage]:
    """Every passage of every oral, by (numéro, épreuve): what the convocations print (R28)."""
    return {(p.numero, p.epreuve): p for e in session.epreuves if not e.written
            for p, _ in oral_passages(db, session, e)}


def oral_passage(db, session: Session, epreuve: Epreuve, numero: str) -> Passage | None:
    """R28: one candidat's passage at an oral, or None when they have none."""
    row = fetch(db, "SELECT passages FROM candidats WHERE numero = ?", [numero])
    if row is None:
        return None
    for p in json.loads(row["passages"] or "[]"):
        if p["epreuve"] == epreuve.code:
            return Passage(numero, p["epreuve"], p["jury"], datetime.fromisoformat(p["at"]))
    return next((p for p in session.passages if p.epreuve == epreuve.code and p.numero == numero), None)


def oral_row(db, epreuve: str, numero: str) -> dict | None:
    """The candidat's row of the `oraux` table for an oral épreuve (None before they arrived or were decided on)."""
    return fetch(db, "SELECT * FROM oraux WHERE epreuve = ? AND numero = ?", [epreuve, numero])


def oral_facts(db, session: Session, epreuve: Epreuve, c: Candidat | None) -> rules.Oral | None:
    """Where a candidat stands at an oral (R28): their passage as planned or moved by the jury, and what the
    journal recorded; None without a passage at this épreuve."""
    p = oral_passage(db, session, epreuve, c.numero) if c else None
    if p is None:
        return None
    row = oral_row(db, epreuve.code, c.numero) or {}
    return rules.Oral(
        epreuve=epreuve, convoque_a=dt(row.get("reporte_a")) or p.at, jury=p.jury, temps=c.majoration(epreuve.code),
        arrived_at=dt(row.get("arrived_at")), late=bool(row.get("late")), decision=row.get("decision"),
        reporte=bool(row.get("reporte_a")), tirage_at=dt(row.get("tirage_at")), sujet=row.get("sujet"),
        passage_debut=dt(row.get("passage_debut")), passage_fin=dt(row.get("passage_fin")),
        abandon_at=dt(row.get("abandon_at")), renonce_at=dt(row.get("renonce_at")),
        sujet_rendu_at=dt(row.get("sujet_rendu_at")))


def oral_card(db, session: Session, epreuve: Epreuve, c: Candidat, o: rules.Oral) -> dict:
    """A candidat's passage as the jury and the waiting room's surveillant read it: state, times (journaled:
    a page reloaded or a server restarted shows the same), subject number, aménagement."""
    row = oral_row(db, epreuve.code, c.numero) or {}
    jury = session.jury(o.jury)
    return {
        "candidat": candidat_public(c), "epreuve": epreuve.code, "jury": o.jury,
        "jury_libelle": jury.name if jury else o.jury, "salle": jury.salle if jury else None,
        "statut": rules.oral_state(o), "convoque_a": iso(o.convoque_a), "arrivee": iso(o.arrived_at),
        "retard": o.late, "decision": o.decision, "decision_a": iso(dt(row.get("decision_at"))), "reporte": o.reporte,
        "sujet": o.sujet, "tirage_a": iso(o.tirage_at), "tirage_mode": row.get("tirage_mode"),
        "temoin": row.get("temoin"), "fin_preparation": iso(rules.preparation_end(o)),
        "debut_passage": iso(o.passage_debut), "fin_passage_prevue": iso(rules.passage_end(o)),
        "fin_passage": iso(o.passage_fin), "abandon_a": iso(o.abandon_at), "renonciation_a": iso(o.renonce_at),
        "sujet_rendu_a": iso(o.sujet_rendu_at), "sujet_manquant": rules.sujet_manquant(o),
        "temps_majore": temps_majore_public(c, epreuve.code), "amenagements": c.amenagements,
        "amenagements_detail": c.amenagements_detail.public(),
    }


def oral_called_at(db, epreuve: Epreuve, c: Candidat) -> datetime | None:
    """When the jury last called this candidat to an oral (the waiting room's screen showed it), or None."""
    row = fetch(db, "SELECT appel_at FROM oraux WHERE epreuve = ? AND numero = ?", [epreuve.code, c.numero])
    return dt((row or {}).get("appel_at"))


def isos(value):
    """`value` with every datetime inside (dicts, lists) as ISO 8601 text, for a JSON answer."""
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, dict):
        return {k: isos(v) for k, v in value.items()}
    if isinstance(value, list):
        return [isos(v) for v in value]
    return value


def oral_calls(db, site: str, limit: int = 12) -> list[dict]:
    """R27: the latest calls at a site's orals, newest first, as the waiting room shows them: numéro, jury, salle."""
    out = []
    for row in rows(db, "SELECT candidat, server_time, payload FROM events WHERE type = 'appel_candidat' AND site = ? "
                        "ORDER BY seq DESC LIMIT ?", [site, limit]):
        p = json.loads(row["payload"])
        out.append({"numero": row["candidat"], "jury": p["jury"], "jury_libelle": p["jury_libelle"],
                    "salle_libelle": p["salle_libelle"], "heure": iso(dt(row["server_time"]))})
    return out


def jury_delays(db, session: Session, site: str, now: datetime) -> list[dict]:
    """How late each jury of the site runs now, in minutes: its next passage not started whose planned start
    (convocation + preparation) has passed, or the last one started after its planned start."""
    out = []
    for jury in session.jurys:
        if session.salle(jury.salle).site != site:
            continue
        epreuve = session.epreuve(jury.epreuve)
        late = 0
        for p, c in oral_passages(db, session, epreuve, jury.code):
            o = oral_facts(db, session, epreuve, c)
            planned = slot(epreuve, replace(p, at=o.convoque_a), o.temps).debut
            if o.passage_debut is not None:
                late = max(0, int((o.passage_debut - planned).total_seconds() // 60))
            elif not o.closed and planned < now:
                late = max(late, int((now - planned).total_seconds() // 60))
                break
        out.append({"jury": jury.code, "libelle": jury.name, "salle_libelle": session.salle(jury.salle).display,
                    "retard_minutes": late})
    return out


def candidat_public(c: Candidat) -> dict:
    """What a surveillant's screen shows of a candidat."""
    return {
        "numero": c.numero, "nom": c.nom, "prenom": c.prenom, "site": c.site, "salle": c.salle, "place": c.place,
        "tiers_temps": c.temps_majore_any, "temps_majore": temps_majore_public(c), "amenagements": c.amenagements,
        "amenagements_detail": c.amenagements_detail.public(), "pieces_manquantes": c.pieces_manquantes,
    }


def candidat(db, numero: str) -> Candidat | None:
    row = fetch(db, "SELECT * FROM candidats WHERE numero = ?", [numero])
    return candidat_from_row(row) if row else None


def candidats(db, where: str = "", params=()) -> list[Candidat]:
    return [candidat_from_row(r) for r in rows(db, f"SELECT * FROM candidats {where}", params)]


def name_homonyms(out: list[dict], found) -> None:
    """Two candidats of one list with the same name are told apart by their date of birth."""
    keys: dict[str, list[dict]] = {}
    for item in out:
        keys.setdefault(rules.normalize_name(item["nom"] + item["prenom"]), []).append(item)
    births = {r["numero"]: r["date_naissance"] for r in found}
    for same in keys.values():
        if len(same) > 1:
            for item in same:
                item["date_naissance"] = births[item["numero"]]


# --- the épreuve per site, presences, the end of a salle ----------------------------------------------------


def deroulement(db, epreuve: str, site: str) -> dict:
    return fetch(db, "SELECT * FROM deroulement WHERE epreuve = ? AND site = ?", [epreuve, site]) or {}


def doors(db, epreuve: Epreuve, site: str) -> dict:
    der = deroulement(db, epreuve.code, site)
    return {"epreuve": epreuve.code, "site": site, "heure_fermeture": der.get("doors_close_at"),
            "fermees_a": der.get("doors_closed_at"), "debut": der.get("started_at")}


def presence(db, epreuve: str, numero: str) -> dict | None:
    return fetch(db, "SELECT * FROM presences WHERE epreuve = ? AND numero = ?", [epreuve, numero])


def salle_fin(db, epreuve: str, salle: str) -> dict:
    """The recount and release of a salle (R22), {} before any recount."""
    return fetch(db, "SELECT * FROM fins WHERE epreuve = ? AND salle = ?", [epreuve, salle]) or {}


def released(db, epreuve: Epreuve, salle: Salle) -> bool:
    """R22: the salle's release recorded (after the recount)."""
    return fetch(db, "SELECT 1 FROM fins WHERE epreuve = ? AND salle = ? AND released_at IS NOT NULL",
                 [epreuve.code, salle.code]) is not None


# --- facts for the rules ------------------------------------------------------------------------------------


def arrival_facts(db, session: Session, epreuve: Epreuve, salle: Salle, numero: str, piece, pieces_produites: bool,
                  now: datetime, seen_at: datetime | None = None) -> rules.Arrival:
    """What R1–R8 decide an arrival on."""
    row = fetch(db, "SELECT * FROM candidats WHERE numero = ?", [numero])
    if row is None:
        return rules.Arrival(session.concours, epreuve, salle, None)
    c = candidat_from_row(row)
    der = deroulement(db, epreuve.code, c.site)
    entered = presence(db, epreuve.code, c.numero)
    elsewhere = entered is None and session.reseau is not None and other_site_entry(db, epreuve.code, c.numero)
    entered = entered or elsewhere or None
    produced = dt(row["pieces_produites_at"])
    if produced is None and pieces_produites and c.pieces_manquantes:
        produced = now
    entered_salle = session.salle(entered["salle"]) if entered else None
    return rules.Arrival(
        concours=session.concours, epreuve=epreuve, door_salle=salle, candidat=c,
        candidat_site=session.site(c.site), candidat_salle=session.salle(c.salle),
        doors_close_at=dt(der.get("doors_close_at")), doors_closed_at=dt(der.get("doors_closed_at")),
        started_at=dt(der.get("started_at")),
        entered_at=dt(entered["entered_at"]) if entered else None,
        entered_place=(entered or {}).get("place") or "",
        entered_salle=entered_salle, entered_site=session.site(entered_salle.site) if entered_salle else None,
        pieces_produites_at=produced, piece_identite=piece, seen_at=seen_at, entered_elsewhere=bool(elsewhere),
    )


def other_site_entry(db, epreuve: str, numero: str) -> dict | None:
    """An admission recorded by another site's server, as this site last read it (salle/reseau/autres_sites.py)."""
    try:
        return fetch(db, "SELECT * FROM reseau_presences WHERE epreuve = ? AND numero = ?", [epreuve, numero])
    except sqlite3.OperationalError:  # not read yet: the table comes with the first read
        return None


def presence_facts(db, epreuve: Epreuve, salle: Salle, c: Candidat, identite: bool) -> rules.Presence:
    """What R15–R25 decide a movement or an émargement on: the candidat's presence in this salle."""
    here = presence(db, epreuve.code, c.numero)
    if here and here["salle"] != salle.code:
        here = None
    der = deroulement(db, epreuve.code, salle.site)
    return rules.Presence(
        epreuve=epreuve, started_at=dt(der.get("started_at")), tiers_temps=c.majoration(epreuve.code),
        status=here["status"] if here else None, emarge=bool(here and here["emarge_at"]),
        identite_verifiee=identite, released=released(db, epreuve, salle),
    )


def end_facts(db, epreuve: Epreuve, salle: Salle) -> tuple[datetime | None, datetime]:
    """The recorded start and the salle's end: the longest end of those still inside (R24: their extra time)."""
    started = dt(deroulement(db, epreuve.code, salle.site).get("started_at"))
    inside = [candidat_from_row(r).majoration(epreuve.code) for r in rows(
        db, "SELECT c.* FROM presences p JOIN candidats c ON c.numero = p.numero WHERE p.epreuve = ? "
            "AND p.salle = ? AND p.status IN ('present', 'toilettes')", [epreuve.code, salle.code])]
    return started, rules.salle_end(epreuve, started, inside)


def copies_emargees(db, epreuve: str, salle: str) -> int:
    return fetch(db, "SELECT COALESCE(SUM(copies), 0) AS n FROM presences WHERE epreuve = ? AND salle = ? "
                     "AND emarge_at IS NOT NULL", [epreuve, salle])["n"]


def sans_emargement(db, epreuve: str, salle: str) -> list[dict]:
    """R21: « un candidat n'ayant pas émargé sera réputé ne pas avoir rendu de copie »."""
    return [{"numero": r["numero"], "nom": r["nom"], "prenom": r["prenom"], "place": r["place"],
             "statut": r["status"]} for r in rows(
        db, "SELECT c.numero, c.nom, c.prenom, p.place, p.status FROM presences p JOIN candidats c ON c.numero = "
            "p.numero WHERE p.epreuve = ? AND p.salle = ? AND p.emarge_at IS NULL "
            "ORDER BY c.nom COLLATE FR, c.prenom COLLATE FR", [epreuve, salle])]


def _display(row: dict) -> str:
    return f"{row['nom'].upper()} {row['prenom']} ({row['place'] or '—'})"


def liberation_facts(db, epreuve: Epreuve, salle: Salle, motif: str = "") -> rules.Liberation:
    """R21, R22, R19: what a release would leave open."""
    _, end = end_facts(db, epreuve, salle)
    state = salle_fin(db, epreuve.code, salle.code)
    left = rows(db, "SELECT c.nom, c.prenom, p.place, p.status, p.emarge_at FROM presences p JOIN candidats c ON "
                    "c.numero = p.numero WHERE p.epreuve = ? AND p.salle = ? AND (p.emarge_at IS NULL OR p.status = "
                    "'toilettes') ORDER BY p.place, c.nom COLLATE FR", [epreuve.code, salle.code])
    return rules.Liberation(
        recounted=bool(state.get("recount_at")), end=end, released_at=dt(state.get("released_at")),
        sans_emargement=tuple(_display(r) for r in left if r["emarge_at"] is None),
        copies_comptees=state.get("copies_comptees") if state.get("recount_at") else None,
        copies_emargees=copies_emargees(db, epreuve.code, salle.code),
        dehors=tuple(_display(r) for r in left if r["status"] == "toilettes"), motif=motif)


# --- what the tablet and the console show -------------------------------------------------------------------


def salle_summary(db, salle: Salle, epreuve: Epreuve, now: datetime, session: Session | None = None) -> dict:
    """A salle's counts and doors, for the tablet's bar and the console's tiles (pushed live by salle_etat); at an
    oral (with the session), the counts of the candidats expected at the site's waiting room (R28)."""
    if session is not None and not epreuve.written:
        return _oral_summary(db, session, salle, epreuve)
    counts = fetch(
        db, "SELECT COUNT(*) AS present_total, SUM(status = 'present') AS present, SUM(status = 'toilettes') AS "
            "toilettes, SUM(status = 'sorti') AS sortis, SUM(emarge_at IS NOT NULL) AS emarges, SUM(status IN "
            "('present', 'toilettes') AND EXISTS (SELECT 1 FROM candidats c WHERE c.numero = presences.numero AND "
            "c.tiers_temps = 1)) AS tiers_temps FROM presences WHERE epreuve = ? AND salle = ?",
        [epreuve.code, salle.code])
    expected = fetch(
        db, "SELECT COUNT(*) AS n FROM candidats WHERE salle = ? AND (epreuves IN ('', '[]') OR EXISTS "
            "(SELECT 1 FROM json_each(candidats.epreuves) WHERE value = ?))", [salle.code, epreuve.code])["n"]
    der = deroulement(db, epreuve.code, salle.site)
    end = rules.candidate_end(epreuve, dt(der.get("started_at")), False)
    # Refusals as they ended: not a candidate admitted afterwards, not a scan after the épreuve's end.
    refused = fetch(
        db, "SELECT COUNT(DISTINCT r.numero) AS n, COUNT(DISTINCT CASE WHEN r.verdict = 'portes_fermees' THEN "
            "r.numero END) AS late FROM refus r WHERE r.epreuve = ? AND r.salle = ? AND r.at < ? AND NOT EXISTS "
            "(SELECT 1 FROM presences p WHERE p.epreuve = r.epreuve AND p.numero = r.numero)",
        [epreuve.code, salle.code, end.isoformat(timespec="milliseconds")])
    entered = counts["present_total"] or 0
    return {
        "salle": salle.code, "libelle": salle.display, "site": salle.site, "acces": salle.access,
        "capacite": salle.capacity, "rangees": salle.rows, "colonnes": salle.columns,
        "epreuve": {"code": epreuve.code, "libelle": epreuve.label, "debut_prevu": iso(epreuve.start_dt),
                    "duree": epreuve.duration, "sujet_commun": epreuve.sujet_commun, "type": epreuve.kind},
        "attendus": expected, "presents": counts["present"] or 0, "toilettes": counts["toilettes"] or 0,
        "sortis": counts["sortis"] or 0, "absents": expected - entered, "emarges": counts["emarges"] or 0,
        "refuses_retard": refused["late"] or 0, "refuses": refused["n"] or 0, "tiers_temps": counts["tiers_temps"] or 0,
        "sans_emargement": entered - (counts["emarges"] or 0),
        "fin": iso(end), "liberee_a": salle_fin(db, epreuve.code, salle.code).get("released_at"),
        "portes": {"heure_fermeture": der.get("doors_close_at"), "fermees_a": der.get("doors_closed_at"),
                   "fermees": rules.doors_closed(dt(der.get("doors_close_at")), dt(der.get("doors_closed_at")), now),
                   "debut": der.get("started_at")},
    }


TABLET_STATES = {"attendu": "attendu", "reporte": "attendu", "absent": "attendu", "present": "present",
                 "en_retard": "present", "en_preparation": "present", "en_passage": "present", "termine": "sorti",
                 "abandon": "sorti", "renonce": "sorti"}


def oral_waiting_list(db, session: Session, salle: Salle, epreuve: Epreuve) -> list[dict]:
    """R28: the candidats expected at an oral at this salle's site (its waiting room), by time, each with the
    door's status (attendu, present, sorti) and the passage's own (`oral`)."""
    out = []
    for p, c in oral_passages(db, session, epreuve):
        jury = session.jury(p.jury)
        if session.salle(jury.salle).site != salle.site:
            continue
        o = oral_facts(db, session, epreuve, c)
        state = rules.oral_state(o)
        row = fetch(db, "SELECT piece_identite, appel_at FROM oraux WHERE epreuve = ? AND numero = ?",
                    [epreuve.code, c.numero]) or {}
        out.append({**candidat_public(c), "statut": TABLET_STATES[state], "entree": iso(o.arrived_at),
                    "piece_identite": row.get("piece_identite"), "sortie": None, "toilettes_depuis": None,
                    "accompagnateur": None, "emargement": None, "copies": None, "refus": None,
                    "oral": {"statut": state, "jury": p.jury, "jury_libelle": jury.name,
                             "salle_libelle": session.salle(jury.salle).display, "convoque_a": iso(o.convoque_a),
                             "sujet": o.sujet, "appel_a": row.get("appel_at"),
                             "fin_preparation": iso(rules.preparation_end(o)),
                             "fin_passage_prevue": iso(rules.passage_end(o))}})
    return out


def _oral_summary(db, session: Session, salle: Salle, epreuve: Epreuve) -> dict:
    """The waiting room's bar at an oral: expected, arrived, gone (passed, abandoned), no doors (R28)."""
    waiting = oral_waiting_list(db, session, salle, epreuve)
    count = {s: sum(c["statut"] == s for c in waiting) for s in ("present", "sorti")}
    return {
        "salle": salle.code, "libelle": salle.display, "site": salle.site, "acces": salle.access,
        "capacite": salle.capacity, "rangees": salle.rows, "colonnes": salle.columns,
        "epreuve": {"code": epreuve.code, "libelle": epreuve.label, "debut_prevu": iso(epreuve.start_dt),
                    "duree": epreuve.duration, "sujet_commun": False, "type": epreuve.kind},
        "attendus": len(waiting), "presents": count["present"], "toilettes": 0, "sortis": count["sorti"],
        "absents": len(waiting) - count["present"] - count["sorti"], "emarges": 0, "refuses_retard": 0, "refuses": 0,
        "tiers_temps": sum(bool(c["temps_majore"]) for c in waiting), "sans_emargement": 0,
        "fin": iso(rules.orals_end(epreuve)), "liberee_a": None,
        "portes": {"heure_fermeture": None, "fermees_a": None, "fermees": False, "debut": None},
    }


def salle_candidats(db, salle: Salle, epreuve: Epreuve, session: Session | None = None) -> list[dict]:
    """The candidats convoqués in a salle for an épreuve, in French alphabetical order, with where they stand; at
    an oral (with the session), those expected at the site's waiting room, by time."""
    if session is not None and not epreuve.written:
        return oral_waiting_list(db, session, salle, epreuve)
    found = rows(
        db, "SELECT c.*, p.status, p.entered_at, p.piece_identite, p.exited_at, p.toilettes_since, "
            "p.accompagnateur, p.emarge_at, p.copies, p.copie_blanche FROM candidats c LEFT JOIN presences p "
            "ON p.numero = c.numero AND p.epreuve = ? WHERE c.salle = ? ORDER BY c.nom COLLATE FR, c.prenom COLLATE FR",
        [epreuve.code, salle.code])
    refus = {r["numero"]: r for r in rows(
        db, "SELECT numero, verdict, at FROM refus WHERE epreuve = ? AND salle = ? ORDER BY seq",
        [epreuve.code, salle.code])}
    out = []
    for row in found:
        c = candidat_from_row(row)
        if not c.convoque(epreuve.code):
            continue
        refused = refus.get(c.numero) if row["status"] is None else None
        out.append({**candidat_public(c), "statut": row["status"] or ("refuse" if refused else "attendu"),
                    "entree": row["entered_at"], "piece_identite": row["piece_identite"], "sortie": row["exited_at"],
                    "toilettes_depuis": row["toilettes_since"], "accompagnateur": row["accompagnateur"],
                    "emargement": row["emarge_at"], "copies": row["copies"],
                    "refus": {"verdict": refused["verdict"], "a": refused["at"]} if refused else None})
    name_homonyms(out, found)
    return out


def candidat_card(db, salle: Salle, epreuve: Epreuve, c: Candidat, now: datetime) -> dict:
    """A candidat at this salle now: where they stand and, for each action of the tablet, whether it applies
    now and else from when (the same rules the commands apply; nothing recorded)."""
    facts = presence_facts(db, epreuve, salle, c, True)
    here = presence(db, epreuve.code, c.numero) or {}
    end = rules.candidate_end(epreuve, facts.started_at, facts.tiers_temps)
    checks = {
        "toilettes": rules.check_toilettes(facts, "accompagnateur", now),
        "sortie": rules.check_exit(facts, now),
        "emargement": rules.check_emargement(rules.EmargementFacts(facts), now),
    }
    return {
        "candidat": {**candidat_public(c), "date_naissance": c.date_naissance.isoformat()},
        "statut": facts.status or "attendu", "entree": here.get("entered_at"),
        "piece_identite": here.get("piece_identite"), "sortie": here.get("exited_at"),
        "toilettes_depuis": here.get("toilettes_since"), "accompagnateur": here.get("accompagnateur"),
        "emargement": here.get("emarge_at"), "copies": here.get("copies"),
        "fin": iso(end), "debut": iso(facts.started_at), "temps_majore": temps_majore_public(c, epreuve.code),
        "actions": {name: {"possible": v.ok, "message": v.message, "a_partir_de": iso(v.allowed_from)}
                    for name, v in checks.items()},
    }


def search(db, session: Session, salle: Salle, epreuve: Epreuve, q: str) -> list[dict]:
    """A candidat whose code cannot be read, by name (accents, case, hyphens ignored) or numéro, within the
    salle's site (R27); the best 20, exact numéro first."""
    key, upper = rules.normalize_name(q), q.strip().upper()
    found = rows(db, "SELECT c.*, p.status FROM candidats c LEFT JOIN presences p ON p.numero = c.numero AND "
                     "p.epreuve = ? WHERE c.site = ? ORDER BY c.nom COLLATE FR, c.prenom COLLATE FR",
                 [epreuve.code, salle.site])
    scored = []
    for row in found:
        names = (row["nom_cle"] or "", row["nom_naissance_cle"] or "",
                 rules.normalize_name(row["nom"] + row["prenom"]), rules.normalize_name(row["prenom"] + row["nom"]))
        numero = row["numero"].upper()
        if upper in numero or any(key in n for n in names if n):
            rank = 0 if numero == upper else 1 if numero.endswith(upper) else 2 if names[0].startswith(key) else 3
            scored.append((rank, row))
    best = [row for _, row in sorted(scored, key=lambda x: x[0])[:20]]
    fmt = session.concours.code_format
    out = []
    for row in best:
        c = candidat_from_row(row)
        out.append({**candidat_public(c), "statut": row["status"] or "attendu", "convoque": c.convoque(epreuve.code),
                    "autre_salle": c.salle != salle.code, "code": fmt.replace("{numero}", c.numero)})
    name_homonyms(out, best)
    return out


def end_of_salle(db, salle: Salle, epreuve: Epreuve, now: datetime) -> dict:
    """The end of the épreuve in a salle (R21, R22): who has not signed, the copies, the recount, the release
    and what a release would leave open."""
    started, end = end_facts(db, epreuve, salle)
    state = salle_fin(db, epreuve.code, salle.code)
    facts = liberation_facts(db, epreuve, salle)
    verdict = rules.check_liberation(facts, now)
    blocking = [] if verdict.code in (rules.SALLE_LIBEREE, rules.LIBERATION_A_CONFIRMER) else [
        {"code": verdict.code, "message": verdict.message}]
    return {"epreuve": epreuve.code, "salle": salle.code, "debut": started and started.isoformat(),
            "fin": end.isoformat(timespec="seconds"), "fin_atteinte": started is not None and now >= end,
            "sans_emargement": sans_emargement(db, epreuve.code, salle.code),
            "copies_emargees": copies_emargees(db, epreuve.code, salle.code),
            "recomptage": {"a": state["recount_at"], "copies_comptees": state["copies_comptees"],
                           "copies_emargees": state["copies_emargees"], "ecart": state["ecart"]} if state else None,
            "liberee_a": state.get("released_at"), "liberee_par": state.get("released_by"),
            "bloquant": blocking, "points_ouverts": rules.liberation_open_items(facts)}


# --- alerts (R5, R11) ---------------------------------------------------------------------------------------

# What each alert asks of the responsable (the console and the PV say this; the message gives the details).
ALERT_TITLES = {
    "sans_piece_identite": "Candidat admis sans pièce d'identité : faire un contrôle d'identité spécifique",
    "admission_hors_ligne": "Entrée notée hors ligne avant la fermeture : confirmer l'heure avec le surveillant",
    "convocation_deja_utilisee": "Convocation présentée une deuxième fois : contrôler les deux identités",
    "fraude": "Suspicion de fraude : consigner la décision du jury",
    "appareil_hors_ligne": "Appareil hors ligne : vérifier le lecteur ou l'imprimante",
    "connexions_refusees": "Codes personnels refusés à répétition : vérifier qui utilise l'appareil",
    "code_verrouille": "Code personnel verrouillé : vérifier, puis le débloquer",
    # the borne's printer (devices/printing/faults.py) and the door relay: their messages speak to the candidat
    # at the borne or name the device; the title says what the responsable does
    "papier": "Imprimante de la borne sans papier : remettre un rouleau",
    "capot": "Capot de l'imprimante de la borne ouvert : le refermer",
    "hors_ligne": "Imprimante de la borne hors ligne : la rebrancher ou la rallumer",
    "delai": "Imprimante de la borne sans réponse : vérifier qu'elle est allumée et branchée",
    "imprimante": "Imprimante de la borne indisponible : la vérifier",
    "impression_echouee": "Convocation non imprimée à la borne : la réimprimer ou la remettre à la main",
    "ticket_invalide": "Convocation impossible à imprimer à la borne : la remettre à la main",
    "relais": "Signal de porte non donné : prévenir les candidats de vive voix",
}


def alerts(db, *, salle: str | None = None, site: str | None = None, resolved_too: bool = False) -> list[dict]:
    """Alerts of a salle, of a site (with those of no site: a door relay serves every site here), or all."""
    sql, params = "SELECT * FROM alerts WHERE 1 = 1", []
    if not resolved_too:
        sql += " AND resolved_at IS NULL"
    if salle is not None:
        sql, params = sql + " AND salle = ?", [*params, salle]
    elif site is not None:
        sql, params = sql + " AND (site = ? OR site IS NULL)", [*params, site]
    found = rows(db, sql + " ORDER BY seq", params)
    names = {c["numero"]: f"{c['nom'].upper()} {c['prenom']}" for c in rows(
        db, "SELECT numero, nom, prenom FROM candidats WHERE numero IN (%s)" % ",".join("?" * len(found)),
        [r["candidat"] for r in found])} if found else {}
    return [{"seq": r["seq"], "type": r["kind"], "epreuve": r["epreuve"], "site": r["site"], "salle": r["salle"],
             "candidat": r["candidat"], "candidat_nom": names.get(r["candidat"]), "message": r["message"],
             "titre": ALERT_TITLES.get(r["kind"], r["message"]), "creee_a": r["created_at"],
             "resolue_a": r["resolved_at"], "resolution": r["resolution"]} for r in found]


# --- staff and sign-ins -------------------------------------------------------------------------------------


def staff_public(row: dict) -> dict:
    return {"id": row["id"], "nom": row["name"], "role": row["role"], "salle": row["salle"], "site": row["site"]}


def staff(db, site: str | None = None) -> list[dict]:
    """The staff (of a site, or everyone) with their signed-in devices and whether their code is locked."""
    found = rows(db, "SELECT s.id, s.name, s.role, s.salle, s.site, COUNT(t.token_hash) AS appareils, "
                     "MAX(t.created_at) AS derniere_connexion, l.locked_at FROM staff s LEFT JOIN tokens t ON "
                     "t.staff_id = s.id LEFT JOIN staff_locks l ON l.staff_id = s.id GROUP BY s.id "
                     "ORDER BY s.site, s.role, s.name")
    return [{**staff_public(r), "appareils": r["appareils"], "derniere_connexion": r["derniere_connexion"],
             "verrouille": r["locked_at"] is not None} for r in found if site is None or r["site"] == site]


def recent_failures(db, now: datetime, address: str, after_seq: int | None = None) -> int:
    """Failed sign-ins from `address` within the last hour (and after event `after_seq`: an unlock)."""
    since = (now - timedelta(hours=1)).isoformat(timespec="milliseconds")
    return fetch(db, "SELECT COUNT(*) AS n FROM events WHERE type = 'connexion_refusee' AND server_time >= ? "
                     "AND seq > ? AND json_extract(payload, '$.adresse') = ?", [since, after_seq or 0, address])["n"]


def last_unlock(db, staff_id: str) -> int | None:
    return fetch(db, "SELECT MAX(seq) AS seq FROM events WHERE type = 'code_deverrouille' "
                     "AND json_extract(payload, '$.personnel') = ?", [staff_id])["seq"]


def devices(db, site: str | None = None) -> list[dict]:
    """Door scanners, relays and printers: on line or not (a device of no site serves every site)."""
    found = rows(db, "SELECT name AS nom, kind AS type, salle, site, online AS en_ligne, message, since AS depuis "
                     "FROM appareils ORDER BY name")
    return [r for r in found if site is None or r["site"] in (None, site)]


# --- the borne's prints (R6) --------------------------------------------------------------------------------


def job_of_request(db, demande: int) -> str | None:
    row = fetch(db, "SELECT job FROM impressions WHERE demande = ?", [demande])
    return row["job"] if row else None


def printed_per_candidat(db, site: str) -> list[dict]:
    """For the console: per candidat, the convocations printed at this site's kiosk or for this site's
    candidats; more than one is a reprint, flagged."""
    found = rows(db, "SELECT i.*, c.nom, c.prenom FROM impressions i LEFT JOIN candidats c ON c.numero = i.numero "
                     "WHERE i.site = ? OR i.candidat_site = ? ORDER BY i.numero, i.job", [site, site])
    out: dict[str, dict] = {}
    for r in found:
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


# --- single rows the commands act on ------------------------------------------------------------------------


def last_generation(db) -> dict | None:
    """The last `salle convocations` recorded in the day file: {"dossier": its folder, "nombre": …}, or None."""
    row = fetch(db, "SELECT payload FROM events WHERE type = 'convocations_generees' ORDER BY seq DESC LIMIT 1")
    return json.loads(row["payload"]) if row else None


def session_toml(db) -> str | None:
    row = fetch(db, "SELECT value FROM meta WHERE key = 'session_toml'")
    return row["value"] if row else None


def signed_in(db, token_hash: str) -> dict | None:
    """The staff member a token was given to, with the device and when."""
    return fetch(db, "SELECT s.*, t.device, t.created_at FROM tokens t JOIN staff s ON s.id = t.staff_id "
                     "WHERE t.token_hash = ?", [token_hash])


def staff_by_code(db, code_hash: str) -> dict | None:
    return fetch(db, "SELECT * FROM staff WHERE code_hash = ?", [code_hash])


def staff_member(db, staff_id: str) -> dict | None:
    return fetch(db, "SELECT * FROM staff WHERE id = ?", [staff_id])


def code_locked(db, staff_id: str) -> bool:
    return fetch(db, "SELECT 1 FROM staff_locks WHERE staff_id = ?", [staff_id]) is not None


def devices_signed_in(db, staff_id: str) -> int:
    return fetch(db, "SELECT COUNT(*) AS n FROM tokens WHERE staff_id = ?", [staff_id])["n"]


def sign_ins_on(db, day_iso: str) -> list[dict]:
    """Per role, salle and site: how many devices signed in that day."""
    return rows(db, "SELECT s.role, s.salle, s.site, COUNT(t.token_hash) AS n FROM staff s LEFT JOIN tokens t "
                    "ON t.staff_id = s.id AND substr(t.created_at, 1, 10) = ? GROUP BY s.role, s.salle, s.site",
                [day_iso])


def doors_due(db, now: datetime) -> list[dict]:
    """(épreuve, site) whose doors' set time has come and which are not closed yet (R3)."""
    return rows(db, "SELECT epreuve, site FROM deroulement WHERE doors_closed_at IS NULL AND doors_close_at <= ?",
                [now.isoformat(timespec="milliseconds")])


def started_not_ended(db) -> list[dict]:
    return rows(db, "SELECT epreuve, site, started_at FROM deroulement WHERE started_at IS NOT NULL "
                    "AND ended_at IS NULL")


def incident(db, seq: int) -> dict | None:
    return fetch(db, "SELECT * FROM incidents WHERE seq = ?", [seq])


def fraud_decision(db, incident_seq: int) -> dict | None:
    return fetch(db, "SELECT * FROM decisions_fraude WHERE incident = ?", [incident_seq])


def alert(db, seq: int) -> dict | None:
    return fetch(db, "SELECT * FROM alerts WHERE seq = ?", [seq])


def candidats_named(db, key: str, born: date) -> list[dict]:
    """Candidats whose nom or nom de naissance (normalised) is `key`, born on `born`."""
    return rows(db, "SELECT * FROM candidats WHERE nom_cle = ?1 AND date_naissance = ?2 UNION "
                    "SELECT * FROM candidats WHERE nom_naissance_cle = ?1 AND date_naissance = ?2",
                [key, born.isoformat()])


def candidat_rows(db, where: str = "", params=()) -> list[dict]:
    return rows(db, f"SELECT * FROM candidats {where}", params)


def candidats_with_events(db) -> set[str]:
    """Candidats the journal speaks of: never deleted by an import."""
    return {r["candidat"] for r in rows(db, "SELECT DISTINCT candidat FROM events WHERE candidat IS NOT NULL")}


def salles_with_candidats(db) -> set[str]:
    return {r["salle"] for r in rows(db, "SELECT DISTINCT salle FROM candidats WHERE salle IS NOT NULL")}


def candidat_count(db) -> int:
    return fetch(db, "SELECT COUNT(*) AS n FROM candidats")["n"]


def print_job(db, job: str) -> dict | None:
    return fetch(db, "SELECT * FROM impressions WHERE job = ?", [job])
