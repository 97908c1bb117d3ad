"""The state tables: what the journal means now, each table declared once (columns, primary key).

They are derived: `salle.state.projections` writes them from the events, and `salle reconstruire` drops and
rebuilds them from the journal. The journal's own tables (events, acks) are salle.journal's.
"""

from __future__ import annotations

import sqlite_utils

STATE_TABLES = {
    "meta": ({"key": str, "value": str}, "key"),
    "staff": ({"id": str, "name": str, "role": str, "salle": str, "site": str, "code_hash": str, "jury": str}, "id"),
    "tokens": ({"token_hash": str, "staff_id": str, "device": str, "created_at": str}, "token_hash"),
    "candidats": ({
        "numero": str, "nom": str, "nom_naissance": str, "prenom": str, "date_naissance": str, "site": str,
        "salle": str, "place": str, "tiers_temps": int, "pieces_manquantes": str, "epreuves": str,
        "amenagements": str, "nom_cle": str, "nom_naissance_cle": str, "pieces_produites_at": str,
        "temps_majore": str,  # R24: the figures; empty with tiers_temps = 1 is the older yes/no (a third)
        "passages": str,  # R28: JSON [{epreuve, jury, at}] from the import (the session file may plan others)
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
    "incidents": ({
        "seq": int, "epreuve": str, "site": str, "salle": str, "candidat": str, "type": str, "texte": str,
        "at": str, "auteur": str, "exclusion": int,
    }, "seq"),
    "decisions_fraude": ({
        "incident": int, "epreuve": str, "candidat": str, "exclusion": int, "decide_par": str, "observation": str,
        "at": str, "recorded_by": str,
    }, "incident"),
    "fins": ({
        "epreuve": str, "salle": str, "recount_at": str, "copies_comptees": int, "copies_emargees": int,
        "ecart": int, "released_at": str, "released_by": str,
    }, ("epreuve", "salle")),
    # The borne's print jobs (R6): impression_borne is the kiosk's request; the spooler journals
    # impression_demandee (queued, or queued again: a reprint), convocation_imprimee, impression_echouee.
    "impressions": ({
        "job": str, "demande": int, "numero": str, "epreuve": str, "site": str, "candidat_site": str, "kiosk": str,
        "status": str, "imprimees": int, "reimpressions": int, "attempts": int, "message": str, "created_at": str,
        "printed_at": str,
    }, "job"),
    # An oral's passages as they happen (R25, R28, R30, R32); the planned time and jury are the candidat's passage.
    "oraux": ({
        "epreuve": str, "numero": str, "jury": str, "arrived_at": str, "late": int, "piece_identite": str,
        "decision": str, "decision_at": str, "decision_by": str, "reporte_a": str, "motif": str, "tirage_at": str,
        "sujet": int, "tirage_mode": str, "temoin": str, "passage_debut": str, "passage_fin": str, "abandon_at": str,
        "renonce_at": str, "refus_de_signer": int, "appel_at": str, "sujet_rendu_at": str, "sujet_rendu_by": str,
    }, ("epreuve", "numero")),
    "staff_locks": ({"staff_id": str, "locked_at": str, "adresse": str, "echecs": int}, "staff_id"),
}


def ensure_state_schema(db: sqlite_utils.Database) -> None:
    existing = set(db.table_names())
    for name, (columns, pk) in STATE_TABLES.items():
        if name not in existing:
            db[name].create(columns, pk=pk)
        else:  # a day file from an earlier Salle: the columns added since
            for column, kind in columns.items():
                if column not in db[name].columns_dict:
                    db[name].add_column(column, kind)
    db["candidats"].create_index(["nom_cle", "date_naissance"], if_not_exists=True)
    db["candidats"].create_index(["nom_naissance_cle", "date_naissance"], if_not_exists=True)
    db["candidats"].create_index(["salle"], if_not_exists=True)
    db["presences"].create_index(["epreuve", "salle"], if_not_exists=True)

