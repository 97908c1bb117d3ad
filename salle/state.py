"""What the journal means now: candidats, who is in which salle, doors, alerts. Updated only by `project`.

`project(db, event)` is called by the journal for each event it appends, inside the same transaction,
so the derived tables always match the journal; `rebuild` replays the whole journal into them.
"""

from __future__ import annotations

import json
from datetime import datetime

import sqlite_utils

from .rules import hhmm

STATE_TABLES = {
    "meta": ({"key": str, "value": str}, "key"),
    "staff": ({"id": str, "name": str, "role": str, "salle": str, "site": str, "code_hash": str}, "id"),
    "tokens": ({"token_hash": str, "staff_id": str, "device": str, "created_at": str}, "token_hash"),
    "candidats": ({
        "numero": str, "nom": str, "nom_naissance": str, "prenom": str, "date_naissance": str, "site": str,
        "salle": str, "place": str, "tiers_temps": int, "pieces_manquantes": str, "epreuves": str,
        "amenagements": str, "nom_cle": str, "nom_naissance_cle": str, "pieces_produites_at": str,
    }, "numero"),
    "presences": ({
        "epreuve": str, "numero": str, "salle": str, "status": str, "entered_at": str, "place": str,
        "piece_identite": str, "exited_at": str, "toilettes_since": str, "accompagnateur": str,
        "emarge_at": str, "copies": int, "copie_blanche": int, "abandon": int,
    }, ("epreuve", "numero")),
    "refus": ({"seq": int, "epreuve": str, "numero": str, "salle": str, "verdict": str, "at": str}, "seq"),
    "deroulement": ({
        "epreuve": str, "site": str, "doors_close_at": str, "doors_closed_at": str, "doors_closed_by": str,
        "started_at": str, "ended_at": str,
    }, ("epreuve", "site")),
    "appareils": ({"name": str, "kind": str, "salle": str, "site": str, "online": int, "message": str, "since": str},
                  "name"),
    "alerts": ({
        "seq": int, "kind": str, "epreuve": str, "site": str, "salle": str, "candidat": str, "message": str,
        "created_at": str, "resolved_at": str, "resolution": str,
    }, "seq"),
}


def ensure_state_schema(db: sqlite_utils.Database) -> None:
    existing = set(db.table_names())
    for name, (columns, pk) in STATE_TABLES.items():
        if name not in existing:
            db[name].create(columns, pk=pk)
    db["candidats"].create_index(["nom_cle", "date_naissance"], if_not_exists=True)
    db["candidats"].create_index(["nom_naissance_cle", "date_naissance"], if_not_exists=True)
    db["candidats"].create_index(["salle"], if_not_exists=True)
    db["presences"].create_index(["epreuve", "salle"], if_not_exists=True)


def _payload(event: dict) -> dict:
    return json.loads(event["payload"]) if event["payload"] else {}


def _upsert(db, table: str, row: dict, pk) -> None:
    cols = list(row)
    db.execute(
        f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)}) "
        f"ON CONFLICT ({', '.join(pk if isinstance(pk, tuple) else (pk,))}) DO UPDATE SET "
        + ", ".join(f"{c} = excluded.{c}" for c in cols),
        [row[c] for c in cols],
    )


def _update(db, table: str, where: dict, values: dict) -> None:
    db.execute(
        f"UPDATE {table} SET {', '.join(f'{c} = ?' for c in values)} WHERE "
        + " AND ".join(f"{c} = ?" for c in where),
        [*values.values(), *where.values()],
    )


# --- one function per event type ----------------------------------------------------------------


def _session_chargee(db, e, p):
    _upsert(db, "meta", {"key": "session_toml", "value": p["session_toml"]}, "key")
    db.execute("DELETE FROM staff")
    for person in p["staff"]:
        _upsert(db, "staff", person, "id")
    for row in p["deroulement"]:
        db.execute(
            "INSERT INTO deroulement (epreuve, site, doors_close_at) VALUES (?, ?, ?) "
            "ON CONFLICT (epreuve, site) DO NOTHING",
            [row["epreuve"], row["site"], row["doors_close_at"]],
        )


def _candidats_importes(db, e, p):
    for row in p["ajoutes"]:
        _upsert(db, "candidats", row, "numero")
    for change in p["modifies"]:
        _update(db, "candidats", {"numero": change["numero"]}, change["apres"])
    for numero in p["supprimes"]:
        db.execute("DELETE FROM candidats WHERE numero = ?", [numero])


def _connexion(db, e, p):
    _upsert(db, "tokens", {"token_hash": p["token_hash"], "staff_id": e["actor"], "device": e["device"],
                           "created_at": e["server_time"]}, "token_hash")


def _scan(db, e, p):
    if p.get("pieces_produites"):
        db.execute("UPDATE candidats SET pieces_produites_at = ? WHERE numero = ? AND pieces_produites_at IS NULL",
                   [e["server_time"], e["candidat"]])
    verdict = p["verdict"]
    if verdict == "admis":
        _upsert(db, "presences", {
            "epreuve": e["epreuve"], "numero": e["candidat"], "salle": e["salle"], "status": "present",
            "entered_at": p.get("entre_a") or e["server_time"], "place": p.get("place"),
            "piece_identite": p.get("piece_identite"),
        }, ("epreuve", "numero"))
        if p.get("piece_identite") == "aucune":  # R5: the responsable carries out a specific control
            _alert(db, e, "sans_piece_identite", p["message"])
        if p.get("entre_a"):  # R3: let in offline before the closing, recorded after it: the responsable confirms
            _alert(db, e, "admission_hors_ligne", p["message"])
    elif verdict == "deja_present" and p.get("entre_salle"):  # R4: one convocation read at two doors
        _doubled_convocation(db, e, p)
    elif verdict in ("portes_fermees", "pieces_manquantes"):  # R3, R7: refusals recorded for the PV
        db.execute("INSERT INTO refus (seq, epreuve, numero, salle, verdict, at) VALUES (?, ?, ?, ?, ?, ?)",
                   [e["seq"], e["epreuve"], e["candidat"], e["salle"], verdict, e["server_time"]])


def _doubled_convocation(db, e, p):
    """R4: a convocation already used at another door: the responsable of this door's site checks the person."""
    entered = db.execute("SELECT entered_at FROM presences WHERE epreuve = ? AND numero = ?",
                         [e["epreuve"], e["candidat"]]).fetchone()
    name = db.execute("SELECT nom, prenom FROM candidats WHERE numero = ?", [e["candidat"]]).fetchone()
    who = f"{name[0].upper()} {name[1]} ({e['candidat']})" if name else e["candidat"]
    where = p["entre_salle"] + ("" if p["entre_site"] == e["site"] else f", site {p['entre_site']}")
    _alert(db, e, "convocation_deja_utilisee",
           f"Convocation de {who} présentée à la porte de {e['salle']} à {_hhmm(e['server_time'])}, alors que ce "
           f"candidat est déjà entré à {_hhmm(entered[0]) if entered else '?'} en {where}. La personne est retenue "
           "à la porte : contrôlez son identité, et celle de la personne admise.")


def _hhmm(iso: str) -> str:
    return hhmm(datetime.fromisoformat(iso))  # « 8 h 41 », as the door's own messages say it


def _alert(db, e, kind, message):
    db.execute(
        "INSERT INTO alerts (seq, kind, epreuve, site, salle, candidat, message, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [e["seq"], kind, e["epreuve"], e["site"], e["salle"], e["candidat"], message, e["server_time"]],
    )


def _alerte(db, e, p):
    _alert(db, e, p["kind"], p["message"])


def _alerte_resolue(db, e, p):
    _update(db, "alerts", {"seq": p["alerte"]}, {"resolved_at": e["server_time"], "resolution": p["resolution"]})


def _portes_fermees(db, e, p):
    _update(db, "deroulement", {"epreuve": e["epreuve"], "site": e["site"]},
            {"doors_closed_at": e["server_time"], "doors_closed_by": e["actor"]})


def _fermeture_deplacee(db, e, p):
    _update(db, "deroulement", {"epreuve": e["epreuve"], "site": e["site"]}, {"doors_close_at": p["apres"]})


def _debut_epreuve(db, e, p):
    _update(db, "deroulement", {"epreuve": e["epreuve"], "site": e["site"]}, {"started_at": e["server_time"]})


def _fin_epreuve(db, e, p):
    _update(db, "deroulement", {"epreuve": e["epreuve"], "site": e["site"]}, {"ended_at": e["server_time"]})


DEVICE_ALERTS = ("appareil_hors_ligne", "papier", "capot", "hors_ligne", "delai", "imprimante")


def _appareil_etat(db, e, p):
    """A device (door scanner, relay, printer) went off line (an alert for the console, of kind p["alerte"] or
    appareil_hors_ligne) or came back (its open alerts resolved)."""
    _upsert(db, "appareils", {"name": p["nom"], "kind": p["type"], "salle": e["salle"], "site": e["site"],
                              "online": int(p["en_ligne"]), "message": p["message"], "since": e["server_time"]}, "name")
    if p["en_ligne"]:
        _resolve_device_alerts(db, e, f"%« {p['nom']} »%")
    else:
        _alert(db, e, p.get("alerte") or "appareil_hors_ligne", p["message"])


def _resolve_device_alerts(db, e, message_like: str) -> None:
    marks = ", ".join("?" * len(DEVICE_ALERTS))
    db.execute(f"UPDATE alerts SET resolved_at = ?, resolution = ? WHERE kind IN ({marks}) "
               "AND candidat IS NULL AND message LIKE ? AND resolved_at IS NULL",
               [e["server_time"], "Rétabli automatiquement.", *DEVICE_ALERTS, message_like])


def _imprimante_retablie(db, e, p):
    """Files written before issue 17: the borne's printer printed again; its fault alerts are resolved."""
    _resolve_device_alerts(db, e, "Imprimante %")


def _sortie(db, e, p):
    _update(db, "presences", {"epreuve": e["epreuve"], "numero": e["candidat"]},
            {"status": "sorti", "exited_at": e["server_time"]})


def _toilettes_sortie(db, e, p):
    _update(db, "presences", {"epreuve": e["epreuve"], "numero": e["candidat"]},
            {"status": "toilettes", "toilettes_since": e["server_time"], "accompagnateur": p["accompagnateur"]})


def _toilettes_retour(db, e, p):
    _update(db, "presences", {"epreuve": e["epreuve"], "numero": e["candidat"]},
            {"status": "present", "toilettes_since": None, "accompagnateur": None})


def _emargement(db, e, p):
    _update(db, "presences", {"epreuve": e["epreuve"], "numero": e["candidat"]}, {
        "emarge_at": e["server_time"], "copies": p.get("copies", 0), "copie_blanche": int(bool(p.get("copie_blanche"))),
        "abandon": int(bool(p.get("abandon"))),
    })


def _deconnexion(db, e, p):
    db.execute("DELETE FROM tokens WHERE token_hash = ?", [p["token_hash"]])


def _jetons_revoques(db, e, p):
    db.execute("DELETE FROM tokens WHERE staff_id = ?", [p["personnel"]])


PROJECTIONS = {
    "session_chargee": _session_chargee,
    "deconnexion": _deconnexion,
    "jetons_revoques": _jetons_revoques,
    "candidats_importes": _candidats_importes,
    "connexion": _connexion,
    "scan": _scan,
    "alerte": _alerte,
    "alerte_resolue": _alerte_resolue,
    "portes_fermees": _portes_fermees,
    "fermeture_deplacee": _fermeture_deplacee,
    "debut_epreuve": _debut_epreuve,
    "fin_epreuve": _fin_epreuve,
    "appareil_etat": _appareil_etat,
    "imprimante_retablie": _imprimante_retablie,
    "sortie": _sortie,
    "toilettes_sortie": _toilettes_sortie,
    "toilettes_retour": _toilettes_retour,
    "emargement": _emargement,
}


# --- issue 5: the salle at work (incidents, recount, release) ------------------------------------------

STATE_TABLES.update({
    "incidents": ({
        "seq": int, "epreuve": str, "site": str, "salle": str, "candidat": str, "type": str, "texte": str,
        "at": str, "auteur": str, "exclusion": int,
    }, "seq"),
    "fins": ({
        "epreuve": str, "salle": str, "recount_at": str, "copies_comptees": int, "copies_emargees": int,
        "ecart": int, "released_at": str, "released_by": str,
    }, ("epreuve", "salle")),
})


def _incident(db, e, p):
    db.execute("INSERT INTO incidents (seq, epreuve, site, salle, candidat, type, texte, at, auteur, exclusion) "
               "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
               [e["seq"], e["epreuve"], e["site"], e["salle"], e["candidat"], p["type"], p.get("texte"),
                e["server_time"], e["actor"], int(bool(p.get("exclusion")))])
    if p["type"] == "fraude":  # R11: the responsable is told at once
        _alert(db, e, "fraude", p.get("message") or "Rapport de fraude")
    if p.get("exclusion") and e["candidat"]:  # R11: « exclusion immédiate »
        _update(db, "presences", {"epreuve": e["epreuve"], "numero": e["candidat"]},
                {"status": "sorti", "exited_at": e["server_time"]})


def _recomptage(db, e, p):
    _upsert(db, "fins", {"epreuve": e["epreuve"], "salle": e["salle"], "recount_at": e["server_time"],
                         "copies_comptees": p["copies_comptees"], "copies_emargees": p["copies_emargees"],
                         "ecart": p["ecart"]}, ("epreuve", "salle"))


def _liberation(db, e, p):
    _update(db, "fins", {"epreuve": e["epreuve"], "salle": e["salle"]},
            {"released_at": e["server_time"], "released_by": e["actor"]})


STATE_TABLES["decisions_fraude"] = ({
    "incident": int, "epreuve": str, "candidat": str, "exclusion": int, "decide_par": str, "observation": str,
    "at": str, "recorded_by": str,
}, "incident")


def _decision_fraude(db, e, p):
    """R11: the jury's decision on a fraud report; an exclusion takes the candidate out of the salle."""
    db.execute("INSERT INTO decisions_fraude (incident, epreuve, candidat, exclusion, decide_par, observation, at, "
               "recorded_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
               [p["incident"], e["epreuve"], e["candidat"], int(p["exclusion"]), p["decide_par"], p.get("observation"),
                e["server_time"], e["actor"]])
    db.execute("UPDATE incidents SET exclusion = ? WHERE seq = ?", [int(p["exclusion"]), p["incident"]])
    db.execute("UPDATE alerts SET resolved_at = ?, resolution = ? WHERE seq = ? AND resolved_at IS NULL",
               [e["server_time"], p["message"], p["incident"]])
    if p["exclusion"] and e["candidat"]:
        db.execute("UPDATE presences SET status = 'sorti', exited_at = ?, toilettes_since = NULL WHERE epreuve = ? "
                   "AND numero = ? AND status IN ('present', 'toilettes')",
                   [e["server_time"], e["epreuve"], e["candidat"]])


PROJECTIONS.update({"incident": _incident, "recomptage": _recomptage, "liberation": _liberation,
                    "decision_fraude": _decision_fraude})


def salle_fin(db, epreuve: str, salle: str) -> dict:
    """The recount and release of a salle (R22), {} before any recount."""
    conn = getattr(db, "conn", db)
    cur = conn.execute("SELECT * FROM fins WHERE epreuve = ? AND salle = ?", [epreuve, salle])
    row = cur.fetchone()
    return dict(zip([d[0] for d in cur.description], row)) if row else {}


def project(db: sqlite_utils.Database, event: dict) -> None:
    """Apply one event to the derived tables. Events without a projection (horloge_reglee…) change nothing here."""
    handler = PROJECTIONS.get(event["type"])
    if handler:
        handler(db, event, _payload(event))


def rebuild(db: sqlite_utils.Database) -> int:
    """Drop the derived tables and replay the whole journal into them, in one transaction (one commit, not one
    per statement); returns the events replayed."""
    own = not db.conn.in_transaction
    if own:
        db.conn.execute("BEGIN IMMEDIATE")
    try:
        count = _replay(db)
    except BaseException:
        if own:
            db.conn.execute("ROLLBACK")
        raise
    if own:
        db.conn.execute("COMMIT")
    return count


def _replay(db: sqlite_utils.Database) -> int:
    for name in STATE_TABLES:
        if name in db.table_names():
            db[name].drop()
    ensure_state_schema(db)
    cursor = db.conn.execute("SELECT * FROM events ORDER BY seq")
    columns = [d[0] for d in cursor.description]
    count = 0
    for row in cursor.fetchall():  # read whole before writing: the projections write to the same file
        project(db, dict(zip(columns, row)))
        count += 1
    return count


# --- kiosk (issue 7, R6): replacement convocations printed at the accueil borne ----------------------
# impression_borne is the kiosk's idempotent request (no table); the spooler (devices.printing.spooler)
# journals impression_demandee (queued, or queued again: reimpression), convocation_imprimee, impression_echouee.
# recherche_borne (a lookup) has no table.

STATE_TABLES["impressions"] = ({
    "job": str, "demande": int, "numero": str, "epreuve": str, "site": str, "candidat_site": str, "kiosk": str,
    "status": str, "imprimees": int, "reimpressions": int, "attempts": int, "message": str, "created_at": str,
    "printed_at": str,
}, "job")


def _impression_demandee(db, e, p):
    if db.execute("SELECT 1 FROM impressions WHERE job = ?", [p["job_id"]]).fetchone():
        db.execute("UPDATE impressions SET status = 'en_attente', reimpressions = reimpressions + 1, message = NULL "
                   "WHERE job = ?", [p["job_id"]])
        return
    row = db.execute("SELECT site FROM candidats WHERE numero = ?", [p["numero"]]).fetchone()
    _upsert(db, "impressions", {
        "job": p["job_id"], "demande": p.get("demande"), "numero": p["numero"], "epreuve": e["epreuve"],
        "site": e["site"], "candidat_site": row[0] if row else None, "kiosk": e["actor"], "status": "en_attente",
        "imprimees": 0, "reimpressions": 0, "attempts": 0, "created_at": e["server_time"],
    }, "job")


def _convocation_imprimee(db, e, p):
    db.execute("UPDATE impressions SET status = 'imprimee', printed_at = ?, imprimees = imprimees + 1, "
               "attempts = ?, message = NULL WHERE job = ?", [e["server_time"], p.get("tentatives", 1), p["job_id"]])


def _impression_echouee(db, e, p):
    db.execute("UPDATE impressions SET status = 'echec', attempts = ?, message = ? WHERE job = ?",
               [p.get("tentatives"), p.get("message"), p["job_id"]])


PROJECTIONS.update({
    "impression_demandee": _impression_demandee,
    "convocation_imprimee": _convocation_imprimee,
    "impression_echouee": _impression_echouee,
})


# --- issue 16: staff codes locked after repeated failed sign-ins --------------------------------------------

STATE_TABLES.update({
    "staff_locks": ({"staff_id": str, "locked_at": str, "adresse": str, "echecs": int}, "staff_id"),
})


def _code_verrouille(db, e, p):
    _upsert(db, "staff_locks", {"staff_id": p["personnel"], "locked_at": e["server_time"], "adresse": p["adresse"],
                                "echecs": p["echecs"]}, "staff_id")


def _code_deverrouille(db, e, p):
    db.execute("DELETE FROM staff_locks WHERE staff_id = ?", [p["personnel"]])


PROJECTIONS.update({"code_verrouille": _code_verrouille, "code_deverrouille": _code_deverrouille})
