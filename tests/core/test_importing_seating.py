"""Seating at import (issue 19): in time proportional to the rows, and in the same order as before — each
candidat without a place, alphabetically, gets the first free seat of the first salle of their site (or of the
salle the file names) in seat-plan order. Pinned against that rule written the plain way."""

from __future__ import annotations

import random

from salle.importing import import_candidats
from salle.rules import normalize_name


def reference(session, rows: list[dict]) -> dict[str, tuple[str, str]]:
    """The rule the plain way: quadratic, obviously right."""
    taken = {s.code: set() for s in session.salles}
    for r in rows:
        if r["salle"] and r["place"]:
            taken[r["salle"]].add(r["place"])
    out = {r["numero"]: (r["salle"], r["place"]) for r in rows if r["salle"] and r["place"]}
    for r in sorted((r for r in rows if not (r["salle"] and r["place"])),
                    key=lambda r: (normalize_name(r["nom"]), normalize_name(r["prenom"]), r["numero"])):
        salles = [session.salle(r["salle"])] if r["salle"] else session.salles_of(r["site"])
        seat = next(((s.code, p) for s in salles for p in s.seats if p not in taken[s.code]), None)
        taken[seat[0]].add(seat[1])
        out[r["numero"]] = seat
    return out


def test_seating_follows_the_same_order_as_the_plain_rule(empty_day, tmp_path):
    rng = random.Random(19)
    session = empty_day.session
    pantin = session.salles_of("PANTIN")
    names = ["Martin", "Bernard", "Çelik", "Dubois", "Écuyer", "Lefèvre", "N'Diaye", "Zola", "Abadie", "Öztürk"]
    rows = []
    for i in range(100):
        salle = place = ""
        roll = rng.random()
        if roll < 0.2:  # already seated by the file
            salle_obj = rng.choice(pantin)
            salle, place = salle_obj.code, salle_obj.seats[i % len(salle_obj.seats)]
        elif roll < 0.35:  # a salle named, no place
            salle = pantin[-1].code
        rows.append({"numero": f"ATP27-{i + 1:05d}", "nom": rng.choice(names), "prenom": rng.choice(["Léa", "Paul", "Zoé"]),
                     "site": "PANTIN", "salle": salle, "place": place})
    seen = set()
    rows = [r for r in rows if not r["place"] or (key := (r["salle"], r["place"])) not in seen and not seen.add(key)]
    header = "N° d'inscription;Nom usuel;Nom de naissance;Prénom;Date de naissance;Site;Salle;Place;Tiers-temps;Pièces manquantes"
    lines = [header] + [f"{r['numero']};{r['nom']};;{r['prenom']};01/02/1990;{r['site']};{r['salle']};{r['place']};non;"
                        for r in rows]
    import_candidats(empty_day, ("\r\n".join(lines) + "\r\n").encode("utf-8-sig"), "candidats.csv")
    got = {r["numero"]: (r["salle"], r["place"]) for r in empty_day.journal.query("SELECT * FROM candidats")}
    assert got == reference(session, rows)
