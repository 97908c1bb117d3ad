"""The read side of the papers after the épreuve (the PV, the émargement sheets and export, the session's
archive): what they say, read from the state tables and, where the PV tells who did what when, from the journal's
events. Like salle.state.queries, nothing here writes or checks who asks."""

from __future__ import annotations

import json

from ..collation import french_key
from ..model import TIERS_TEMPS, TempsMajore
from .queries import candidat_from_row, rows


def _marks(values) -> str:
    return ",".join("?" * len(values))


def events_of(db, epreuve: str, site: str | None, *types: str) -> list[dict]:
    """The épreuve's events of these types (of a site, or all), oldest first, each with its payload as `data`."""
    sql = f"SELECT * FROM events WHERE epreuve = ? AND type IN ({_marks(types)})"
    params = [epreuve, *types]
    if site:
        sql, params = sql + " AND site = ?", [*params, site]
    return _with_data(rows(db, sql + " ORDER BY seq", params))


def _with_data(found: list[dict]) -> list[dict]:
    for row in found:
        row["data"] = json.loads(row["payload"] or "{}")
    return found


def server_changes(db, site: str) -> list[dict]:
    """The site's standby promoted, the dead main's events taken back, a restarted main's entries resumed on the
    responsable's word (issue 15), oldest first, with `data`: the day's, whatever the épreuve (they are the site's
    server's, not an épreuve's)."""
    return _with_data(rows(db, "SELECT * FROM events WHERE site = ? AND type IN ('secours_promu', "
                               "'reprise_principal', 'principal_confirme') ORDER BY seq", [site]))


def all_events(db, columns: list[str]) -> list[dict]:
    return rows(db, f"SELECT {', '.join(columns)} FROM events ORDER BY seq")


def staff_names(db) -> dict[str, str]:
    return {r["id"]: r["name"] for r in rows(db, "SELECT id, name FROM staff")}


def candidat_name(db, numero: str) -> str | None:
    """« NOM Prénom » of one numéro, None if unknown."""
    found = rows(db, "SELECT nom, prenom FROM candidats WHERE numero = ?", [numero])
    return f"{found[0]['nom'].upper()} {found[0]['prenom']}" if found else None


def candidat_columns(db, columns: list[str]) -> list[dict]:
    return rows(db, f"SELECT {', '.join(columns)} FROM candidats ORDER BY numero")


def responsables(db, sites: list[str]) -> list[str]:
    if not sites:
        return []
    return [r["name"] for r in rows(db, f"SELECT name FROM staff WHERE role = 'responsable' AND site IN "
                                        f"({_marks(sites)}) ORDER BY name", sites)]


def temps_majores_present(db, epreuve: str, site: str) -> list[tuple[TempsMajore, int]]:
    """R24: candidats of the site with extra time at this épreuve who came in, counted per figure (the
    tiers-temps first, then the longest)."""
    counts: dict[TempsMajore, int] = {}
    for row in rows(db, "SELECT c.* FROM presences p JOIN candidats c ON c.numero = p.numero WHERE "
                        "p.epreuve = ? AND c.site = ? AND c.tiers_temps = 1", [epreuve, site]):
        t = candidat_from_row(row).majoration(epreuve)
        if t:
            counts[t] = counts.get(t, 0) + 1
    return sorted(counts.items(), key=lambda kv: (kv[0] != TIERS_TEMPS, kv[0].text))


def surveillants_signed_in(db, day_iso: str, salles: list[str]) -> list[dict]:
    """The surveillants of these salles who signed in on that day, with their first sign-in."""
    if not salles:
        return []
    return rows(db, "SELECT s.name, s.salle, MIN(e.server_time) AS first FROM events e JOIN staff s ON s.id = e.actor "
                    "WHERE e.type = 'connexion' AND substr(e.server_time, 1, 10) = ? AND s.role = 'surveillant' AND "
                    f"s.salle IN ({_marks(salles)}) GROUP BY s.id ORDER BY s.salle, s.name", [day_iso, *salles])


def refusals(db, epreuve: str, salles: list[str]) -> list[dict]:
    """Refusals at these salles' doors, oldest first, with the candidat's name and a later admission if any."""
    if not salles:
        return []
    return rows(db, "SELECT r.*, c.nom, c.prenom, p.entered_at, p.salle AS entered_salle FROM refus r JOIN candidats c "
                    "ON c.numero = r.numero LEFT JOIN presences p ON p.epreuve = r.epreuve AND p.numero = r.numero "
                    f"WHERE r.epreuve = ? AND r.salle IN ({_marks(salles)}) ORDER BY r.at", [epreuve, *salles])


def excluded(db, epreuve: str) -> set[str]:
    """Candidats the jury excluded (R11)."""
    return {r["candidat"] for r in rows(db, "SELECT candidat FROM decisions_fraude WHERE epreuve = ? AND "
                                            "exclusion = 1", [epreuve])}


def fraud_decisions(db, epreuve: str) -> dict[int, dict]:
    return {r["incident"]: r for r in rows(db, "SELECT * FROM decisions_fraude WHERE epreuve = ?", [epreuve])}


def alerts_of(db, epreuve: str, site: str) -> list[dict]:
    return rows(db, "SELECT * FROM alerts WHERE epreuve = ? AND site = ? ORDER BY seq", [epreuve, site])


def _convoked(found: list[dict], epreuve: str) -> list[dict]:
    """The rows of candidats convoked to the épreuve (no list of épreuves: to every one); each distinct list read
    once (thousands of candidats share a few)."""
    known: dict[str | None, bool] = {}
    for text in {r["epreuves"] for r in found}:
        codes = json.loads(text or "[]")
        known[text] = not codes or epreuve in codes
    return [r for r in found if known[r["epreuves"]]]


def _french_order(found: list[dict], *columns: str) -> list[dict]:
    """Sorted by these columns as `ORDER BY … COLLATE FR` would, then by numéro: each key made once in Python, where
    SQLite calls the Python collation for every comparison."""
    return sorted(found, key=lambda r: (*(french_key(r[c]) for c in columns), r["numero"]))


def sheet_rows(db, epreuve: str, salle: str) -> list[dict]:
    """An émargement sheet's lines: the salle's convoked candidats (French order) with their presence and their
    first refusal."""
    return _french_order(_convoked(rows(
        db, "SELECT c.*, p.status, p.entered_at, p.exited_at, p.emarge_at, p.copies, p.copie_blanche, p.abandon, "
            "(SELECT verdict FROM refus r WHERE r.epreuve = ? AND r.numero = c.numero ORDER BY r.seq LIMIT 1) AS "
            "refus FROM candidats c LEFT JOIN presences p ON p.numero = c.numero AND p.epreuve = ? WHERE c.salle = ?",
        [epreuve, epreuve, salle]), epreuve), "nom", "prenom")


PRESENCE_COLUMNS = ("status", "entered_at", "piece_identite", "emarge_at", "copies", "copie_blanche", "abandon",
                    "exited_at", "salle_presence")


def candidats_in_order(db, site: str | None) -> list[dict]:
    """The candidats (of a site, or all) in the order of the émargement export: site, salle, French order of names,
    numéro. Read once when the export writes the lists of several épreuves."""
    sql, params = "SELECT numero, nom, prenom, site, salle, place, epreuves FROM candidats", []
    if site:
        sql, params = sql + " WHERE site = ?", [site]
    return sorted(rows(db, sql, params), key=lambda r: (r["site"], r["salle"] is not None, r["salle"] or "",
                                                        french_key(r["nom"]), french_key(r["prenom"]), r["numero"]))


def emargement_rows(db, epreuve: str, site: str | None, candidats: list[dict] | None = None) -> list[dict]:
    """The émargement export's lines: every convoked candidat (of a site, or all) with their presence.
    `candidats`: candidats_in_order's answer, if the caller has it already."""
    found = _convoked(candidats if candidats is not None else candidats_in_order(db, site), epreuve)
    presences = {r["numero"]: r for r in rows(
        db, "SELECT numero, status, entered_at, piece_identite, emarge_at, copies, copie_blanche, abandon, exited_at, "
            "salle AS salle_presence FROM presences WHERE epreuve = ?", [epreuve])}
    absent = dict.fromkeys(PRESENCE_COLUMNS)
    return [{**c, **presences.get(c["numero"], absent)} for c in found]
