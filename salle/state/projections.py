"""The projections: one function per event type, applied to the state tables in the event's own transaction.

`project(db, event)` is called by the journal for each event it appends, inside the same transaction, so the
state always matches the journal; `rebuild` replays the whole journal into freshly made tables. Events without a
projection (horloge_reglee, recherche_borne, impression_borne…) change nothing here.
"""

from __future__ import annotations

import json
from datetime import datetime

import sqlite_utils

from ..rules import hhmm
from .tables import STATE_TABLES, ensure_state_schema


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


_DECODER = json.JSONDecoder()


def _first_list(text: str, key: str):
    """The items of the list under `key`, the object's first key, decoded one at a time; then, once they are all
    read, a function giving the rest of the object as a dict. A text shaped otherwise is decoded whole."""
    head = f'{{"{key}": ['
    if not text.startswith(head):
        whole = json.loads(text)
        return iter(whole.pop(key, [])), lambda: whole
    at, end = len(head), [None]

    def items():
        nonlocal at
        while True:
            at = _skip(text, at)
            if text[at] == "]":
                end[0] = at + 1
                return
            item, at = _DECODER.raw_decode(text, at)
            yield item
            at = _skip(text, at)
            if text[at] == ",":
                at += 1

    def rest() -> dict:
        tail = text[_skip(text, end[0]):]
        return json.loads("{" + tail[1:]) if tail.startswith(",") else {}

    return items(), rest


def _skip(text: str, at: int) -> int:
    while text[at] in " \n\r\t":
        at += 1
    return at


def _from_text(handler):
    """A projection that reads the event's JSON text itself, for a payload too large to hold as Python objects."""
    handler.from_text = True
    return handler


@_from_text
def _candidats_importes(db, e, _):
    """The rows added (100,000 at a concours's first import) are read from the event's JSON one at a time, each
    written before the next is read: never 100,000 dicts at once (the journal wrote the payload with sorted keys,
    so `ajoutes` comes first). The changes and deletions are few, and read whole."""
    rows, rest = _first_list(e["payload"], "ajoutes")
    for row in rows:
        _upsert(db, "candidats", row, "numero")
    p = rest()
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
            _alert(db, e, "sans_piece_identite", _admitted(db, e, p, "Contrôle d'identité spécifique à faire") +
                   " sans pièce d'identité. Consignez le contrôle effectué : il figure au procès-verbal.")
        if p.get("entre_a"):  # R3: let in offline before the closing, recorded after it: the responsable confirms
            _alert(db, e, "admission_hors_ligne", _admitted(db, e, p, "Heure d'entrée à confirmer") +
                   f" selon la tablette hors ligne, avant la fermeture des portes ; reçu par le serveur à "
                   f"{_hhmm(e['server_time'])}. Confirmez l'heure avec le surveillant.")
    elif verdict == "deja_present" and p.get("entre_salle"):  # R4: one convocation read at two doors
        _doubled_convocation(db, e, p)
    elif verdict in ("portes_fermees", "pieces_manquantes"):  # R3, R7: refusals recorded for the PV
        db.execute("INSERT INTO refus (seq, epreuve, numero, salle, verdict, at) VALUES (?, ?, ?, ?, ?, ?)",
                   [e["seq"], e["epreuve"], e["candidat"], e["salle"], verdict, e["server_time"]])


def _doubled_convocation(db, e, p):
    """R4: a convocation already used at another door: the responsable of this door's site checks the person."""
    entered = db.execute("SELECT entered_at FROM presences WHERE epreuve = ? AND numero = ?",
                         [e["epreuve"], e["candidat"]]).fetchone()
    who = _who(db, e["candidat"])
    when = entered[0] if entered else p.get("autre_site_entre_a")  # or as read from another site (issue 15)
    where = p["entre_salle"] + ("" if p["entre_site"] == e["site"] else f", site {p['entre_site']}")
    _alert(db, e, "convocation_deja_utilisee",
           f"Convocation de {who} présentée à la porte de {e['salle']} à {_hhmm(e['server_time'])}, alors que ce "
           f"candidat est déjà entré à {_hhmm(when) if when else '?'} en {where}. La personne est retenue "
           "à la porte : contrôlez son identité, et celle de la personne admise.")


def _admitted(db, e, p, task: str) -> str:
    """The start of an admission's alert, written for the responsable: what to do, then who, where and when."""
    return (f"{task} : {_who(db, e['candidat'])}, place {p.get('place') or '?'} en {e['salle']}, admis(e) à "
            f"{_hhmm(p.get('entre_a') or e['server_time'])}")


def _who(db, numero: str) -> str:
    name = db.execute("SELECT nom, prenom FROM candidats WHERE numero = ?", [numero]).fetchone()
    return f"{name[0].upper()} {name[1]} ({numero})" if name else numero


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
    """Files written by earlier versions: the borne's printer printed again; its fault alerts are resolved."""
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



def _code_verrouille(db, e, p):
    _upsert(db, "staff_locks", {"staff_id": p["personnel"], "locked_at": e["server_time"], "adresse": p["adresse"],
                                "echecs": p["echecs"]}, "staff_id")


def _code_deverrouille(db, e, p):
    db.execute("DELETE FROM staff_locks WHERE staff_id = ?", [p["personnel"]])



# --- orals (R25, R28, R30, R32) ------------------------------------------------------------------------------


def _oral(db, e, values: dict) -> None:
    _upsert(db, "oraux", {"epreuve": e["epreuve"], "numero": e["candidat"], **values}, ("epreuve", "numero"))


def _arrivee_oral(db, e, p):
    _oral(db, e, {"jury": p["jury"], "arrived_at": p.get("entre_a") or e["server_time"],
                  "late": int(p["verdict"] == "en_retard"),
                  "piece_identite": p["piece_identite"]})
    if p["verdict"] == "en_retard":  # R28: the jury decides; the console sees it wait until then
        _alert(db, e, "retard_oral", f"Retard à l'oral : {_who(db, e['candidat'])}, convoqué(e) à "
               f"{_hhmm(p['convoque_a'])}, arrivé(e) à {_hhmm(p.get('entre_a') or e['server_time'])} "
               f"({p['retard_minutes']} min) : le "
               f"jury {p['jury']} ({e['salle']}) décide s'il l'interroge.")


def _decision_retard(db, e, p):
    db.execute("UPDATE alerts SET resolved_at = ?, resolution = ? WHERE kind = 'retard_oral' AND epreuve = ? AND "
               "candidat = ? AND resolved_at IS NULL", [e["server_time"], f"Décision du jury : {p['decision']}",
                                                         e["epreuve"], e["candidat"]])
    if p["decision"] == "reporte":  # R28: convoked again at the new time; the late arrival is over
        _oral(db, e, {"reporte_a": p["nouvelle_heure"], "motif": p.get("motif"), "arrived_at": None, "late": 0,
                      "decision": None, "decision_at": e["server_time"], "decision_by": e["actor"]})
    else:
        _oral(db, e, {"decision": p["decision"], "decision_at": e["server_time"], "decision_by": e["actor"],
                      "motif": p.get("motif")})


def _tirage_sujet(db, e, p):
    _oral(db, e, {"tirage_at": e["server_time"], "sujet": p["sujet"], "tirage_mode": p["mode"], "temoin": p["temoin"]})


def _appel_candidat(db, e, p):
    _oral(db, e, {"appel_at": e["server_time"]})


def _passage_debut(db, e, p):
    _oral(db, e, {"passage_debut": e["server_time"]})


def _passage_fin(db, e, p):
    _oral(db, e, {"passage_fin": e["server_time"]})


def _sujet_rendu(db, e, p):
    _oral(db, e, {"sujet_rendu_at": e["server_time"], "sujet_rendu_by": e["actor"]})


def _abandon_oral(db, e, p):
    _oral(db, e, {"abandon_at": e["server_time"]})


def _renonciation(db, e, p):
    _oral(db, e, {"renonce_at": e["server_time"], "refus_de_signer": int(bool(p.get("refus_de_signer")))})


PROJECTIONS = {
    "session_chargee": _session_chargee,
    "candidats_importes": _candidats_importes,
    "connexion": _connexion,
    "deconnexion": _deconnexion,
    "jetons_revoques": _jetons_revoques,
    "code_verrouille": _code_verrouille,
    "code_deverrouille": _code_deverrouille,
    "scan": _scan,
    "sortie": _sortie,
    "toilettes_sortie": _toilettes_sortie,
    "toilettes_retour": _toilettes_retour,
    "portes_fermees": _portes_fermees,
    "fermeture_deplacee": _fermeture_deplacee,
    "debut_epreuve": _debut_epreuve,
    "fin_epreuve": _fin_epreuve,
    "emargement": _emargement,
    "incident": _incident,
    "decision_fraude": _decision_fraude,
    "alerte": _alerte,
    "alerte_resolue": _alerte_resolue,
    "recomptage": _recomptage,
    "liberation": _liberation,
    "appareil_etat": _appareil_etat,
    "imprimante_retablie": _imprimante_retablie,
    "impression_demandee": _impression_demandee,
    "convocation_imprimee": _convocation_imprimee,
    "impression_echouee": _impression_echouee,
    "arrivee_oral": _arrivee_oral,
    "decision_retard": _decision_retard,
    "tirage_sujet": _tirage_sujet,
    "appel_candidat": _appel_candidat,
    "passage_debut": _passage_debut,
    "passage_fin": _passage_fin,
    "abandon_oral": _abandon_oral,
    "sujet_rendu": _sujet_rendu,
    "renonciation": _renonciation,
}


def project(db: sqlite_utils.Database, event: dict) -> None:
    """Apply one event to the derived tables. Events without a projection (horloge_reglee…) change nothing here."""
    handler = PROJECTIONS.get(event["type"])
    if handler:
        handler(db, event, None if getattr(handler, "from_text", False) else _payload(event))


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

