"""A realistic demo day: a concours on two sites, ~300 candidats, a server in rehearsal mode, simulated scans."""

from __future__ import annotations

import csv
import os
import random
import signal
import threading
import time
from datetime import date, datetime, timedelta
from pathlib import Path

from .server import ChildServer

DEMO_DATE = date(2027, 3, 18)
NOMS = [
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau", "Simon",
    "Laurent", "Lefèvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier", "Morel", "Girard",
    "André", "Lefebvre", "Mercier", "Dupont", "Lambert", "Bonnet", "François", "Martinez", "Legrand", "Garnier",
    "Faure", "Rousseau", "Blanc", "Guérin", "Müller", "Henry", "Roussel", "Nicolas", "Perrin", "Morin", "Mathieu",
    "Clément", "Gauthier", "Dumont", "Lopez", "Fontaine", "Chevalier", "Robin", "Masson", "Sanchez", "Gérard",
    "Nguyen", "Boyer", "Denis", "Lemaire", "Duval", "Joly", "Gautier", "Roger", "Roche", "Roy", "Noël", "Meyer",
    "Lucas", "Meunier", "Jean", "Pérez", "Marchand", "Dufour", "Blanchard", "Barbier", "Brun", "Dumas", "Brunet",
    "Schmitt", "Leroux", "Colin", "Fernandez", "Pierre", "Renard", "Arnaud", "Rolland", "Caron", "Aubert", "Giraud",
    "Leclerc", "Vidal", "Bourgeois", "Renaud", "Lemoine", "Picard", "Gaillard", "Philippe", "Leclercq", "Lacroix",
    "Fabre", "Dupuis", "Olivier", "Rodriguez", "Da Silva", "Hubert", "Louis", "Charles", "Guillot", "Rivière",
    "Le Gall", "Guillaume", "Adam", "Rey", "Moulin", "Gonzalez", "Berger", "Lecomte", "Ménard", "Fleury", "Deschamps",
    "Carpentier", "Julien", "Benoît", "Paris", "Maillard", "Marchal", "Aubry", "Vasseur", "Le Roux", "Renault",
    "Jacquet", "Collet", "Prévost", "Poirier", "Charpentier", "Royer", "Huet", "Baron", "Dupuy", "Pons", "Paul",
    "Laine", "Carré", "Bréton", "Rémy", "Schneider", "Perrot", "Guyot", "Barre", "Marty", "Cousin", "N'Diaye",
    "Diallo", "Traoré", "Benali", "Haddad", "Çelik", "Lefèvre-Dupont", "Saint-Martin", "Ben Salah", "Kowalski",
]
PRENOMS = [
    "Camille", "Léa", "Manon", "Chloé", "Inès", "Sarah", "Emma", "Jade", "Louise", "Zoé", "Lucie", "Anaïs", "Clara",
    "Mathilde", "Hélène", "Nathalie", "Isabelle", "Sylvie", "Céline", "Aurélie", "Sandrine", "Véronique", "Élodie",
    "Fatima", "Aïcha", "Mélanie", "Thomas", "Lucas", "Hugo", "Théo", "Nathan", "Louis", "Maxime", "Antoine",
    "Alexandre", "Quentin", "Nicolas", "Julien", "Sébastien", "Jérôme", "Frédéric", "Stéphane", "François", "Éric",
    "Mohamed", "Karim", "Yanis", "Mehdi", "Noé", "Raphaël", "Gaëlle", "Benoît", "Cédric", "Loïc", "Jean-Pierre",
    "Marie-Claire", "Anne-Sophie", "Pierre-Yves", "Mickaël", "Grégory",
]
PIECES = ["Copie du diplôme", "Arrêtés administratifs ou contrats de travail", "Justificatif REP"]

STAFF = [
    ("Claire Admin", "admin", None, None, "10004271"),
    ("Marc Responsable (Pantin)", "responsable", None, "PANTIN", "20003817"),
    ("Julie Responsable (Montreuil)", "responsable", None, "MONTREUIL", "20005923"),
    ("Paul Surveillant (A01)", "surveillant", "A01", None, "30001746"),
    ("Nadia Surveillante (B12)", "surveillant", "B12", None, "30002958"),
    ("Yves Surveillant (M1)", "surveillant", "M1", None, "30003162"),
    ("Sofia Surveillante (M2)", "surveillant", "M2", None, "30004385"),
    ("Borne accueil Pantin", "kiosk", None, "PANTIN", "40001629"),
    ("Borne accueil Montreuil", "kiosk", None, "MONTREUIL", "40002874"),
]


def session_toml(day: date = DEMO_DATE) -> str:
    staff = "\n".join(
        f'[[personnel]]\nname = "{n}"\nrole = "{r}"\ncode = "{c}"\n' + (f'salle = "{s}"\n' if s else "")
        + (f'site = "{t}"\n' if t else "")
        for n, r, s, t, c in STAFF
    )
    return f'''# Session de démonstration — générée par « salle demo »
[concours]
code = "ATP27"
label = "Adjoint technique principal de 2e classe — session 2027"
session = "2027"
organisateur = "Centre de gestion — service concours"
numero_pattern = "ATP27-[0-9]{{5}}"

[[epreuves]]
code = "E1"
label = "Épreuve écrite d'admissibilité — questions techniques"
date = {day.isoformat()}
accueil = "08:00"
convocation = "08:30"
start = "09:00"
duration = "3h"
doors_close = "09:00"
kind = "ecrit"
sujet_commun = false
materiel = ["stylo à bille noir ou bleu", "règle graduée", "calculatrice non programmable"]

[[epreuves]]
code = "E2"
label = "Épreuve écrite — cas pratique (sujet national commun)"
date = {day.isoformat()}
accueil = "13:15"
convocation = "13:30"
start = "14:00"
duration = "1h30"
doors_close = "14:00"
kind = "ecrit"
sujet_commun = true
materiel = ["stylo à bille noir ou bleu"]

[[sites]]
code = "PANTIN"
name = "Centre de gestion — siège"
address = "1 rue Lucienne Gérain, 93500 Pantin"

[[sites]]
code = "MONTREUIL"
name = "Maison des examens"
address = "12 avenue de la Résistance, 93100 Montreuil"

[[salles]]
code = "A01"
site = "PANTIN"
label = "Salle A01"
access = "bâtiment A, rez-de-chaussée"
rows = 9
columns = 10

[[salles]]
code = "B12"
site = "PANTIN"
label = "Salle B12"
access = "bâtiment B, 1er étage"
rows = 6
columns = 10

[[salles]]
code = "M1"
site = "MONTREUIL"
label = "Amphithéâtre M1"
access = "entrée principale, à gauche"
rows = 10
columns = 10

[[salles]]
code = "M2"
site = "MONTREUIL"
label = "Salle M2"
access = "2e étage, ascenseur au fond du hall"
rows = 8
columns = 8

{staff}'''


# The oral afternoon (issue 13): O1 at Pantin from 14:00, beside E2, two juries, a waiting and preparation room,
# twelve admissible candidats convoked to it only (ATP27-09001…), one by one.
ORAL_STAFF = [
    ("Jury 1 (O101)", "jury", "J1", None, "50001234"),
    ("Jury 2 (O102)", "jury", "J2", None, "50002345"),
    ("Écran salle d'attente (Pantin)", "affichage", None, "PANTIN", "60001234"),
    ("Léa Surveillante (P01, salle d'attente)", "surveillant", "P01", None, "30005517"),
]
ORAL_CANDIDATS = [(f"ATP27-{9000 + i:05d}", "J1" if i % 2 else "J2", 14 * 60 + 20 * ((i - 1) // 2), i in (11, 12))
                  for i in range(1, 13)]  # numéro, jury, convoked at (minutes), tiers-temps


def oral_toml(day: date = DEMO_DATE) -> str:
    """The oral afternoon's part of the demo session: O1, its rooms, its juries and their staff, the passages."""
    staff = "\n".join(
        f'[[personnel]]\nname = "{n}"\nrole = "{r}"\ncode = "{c}"\n'
        + (f'jury = "{b}"\n' if r == "jury" else f'salle = "{b}"\n' if b else "") + (f'site = "{t}"\n' if t else "")
        for n, r, b, t, c in ORAL_STAFF)
    passages = "\n".join(
        f'[[passages]]\nnumero = "{n}"\nepreuve = "O1"\njury = "{j}"\ndate = {day.isoformat()}\n'
        f'heure = "{m // 60:02d}:{m % 60:02d}"\n' for n, j, m, _ in ORAL_CANDIDATS)
    rooms = [("P01", "Salle P01 — attente et préparation", "bâtiment C, rez-de-chaussée", 2, 6),
             ("O101", "Salle O101", "bâtiment C, 1er étage", 1, 4),
             ("O102", "Salle O102", "bâtiment C, 1er étage", 1, 4)]
    salles = "\n".join(f'[[salles]]\ncode = "{c}"\nsite = "PANTIN"\nlabel = "{lab}"\naccess = "{a}"\nrows = {r}\n'
                       f'columns = {k}\n' for c, lab, a, r, k in rooms)
    jurys = "\n".join(f'[[jurys]]\ncode = "J{i}"\nepreuve = "O1"\nname = "Jury {i}"\nsalle = "O10{i}"\n'
                      f'membres = {m}\nhoraires = ["14:00-17:00"]\nauditeurs_max = 3\n'
                      for i, m in ((1, '["Mme Durand", "M. Petit"]'), (2, '["Mme Haddad", "M. Leroy"]')))
    return f'''
[[epreuves]]
code = "O1"
label = "Épreuve orale d'admission — entretien avec le jury"
kind = "oral"
date = {day.isoformat()}
accueil = "13:30"
convocation = "14:00"
start = "14:00"
duration = "3h"
doors_close = "14:00"
preparation = "20 min"
passage = "20 min"
sujets = "1-20"
salles_preparation = ["P01"]

{salles}
{jurys}
{passages}
{staff}'''


def oral_candidats(path: Path) -> None:
    """The oral's twelve admissible candidats, added to the demo's candidats file, convoked to O1 only."""
    rng = random.Random(9)
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f, delimiter=";"))
    for row in rows:
        row["Épreuves"] = ""
    for numero, _, _, tiers in ORAL_CANDIDATS:
        rows.append({"N° d'inscription": numero, "Nom usuel": rng.choice(NOMS).upper(), "Nom de naissance": "",
                     "Prénom": rng.choice(PRENOMS), "Date de naissance": f"{1 + rng.randrange(28):02d}/0"
                     f"{1 + rng.randrange(9)}/19{70 + rng.randrange(30)}", "Site": "PANTIN", "Salle": "P01",
                     "Place": "", "Tiers-temps": "oui" if tiers else "non", "Pièces manquantes": "", "Épreuves": "O1"})
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), delimiter=";")
        writer.writeheader()
        writer.writerows(rows)


def candidats_csv(path: Path, count: int = 300, seed: int = 2027, prefix: str = "ATP27") -> list[dict]:
    """Write the registration system's export (Windows-1252, « ; ») and return the rows."""
    rng = random.Random(seed)
    rows = []
    for i in range(1, count + 1):
        site = "PANTIN" if i % 2 else "MONTREUIL"
        rows.append({
            "N° d'inscription": f"{prefix}-{i:05d}",
            "Nom usuel": rng.choice(NOMS).upper(),
            "Nom de naissance": "",
            "Prénom": rng.choice(PRENOMS),
            "Date de naissance": date(1965 + rng.randrange(38), 1 + rng.randrange(12), 1 + rng.randrange(28))
            .strftime("%d/%m/%Y"),
            "Site": site,
            "Salle": "",
            "Place": "",
            "Tiers-temps": "oui" if rng.random() < 0.04 else "non",
            "Pièces manquantes": rng.choice(PIECES) if rng.random() < 0.05 else "",
        })
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), delimiter=";")
        writer.writeheader()
        writer.writerows(rows)
    return rows


def build(workdir: Path, count: int = 300, orals: bool = False) -> Path:
    """Session file, candidats file and a fresh database in `workdir`; returns the database path. `orals`: with
    the oral afternoon (O1, two juries, twelve candidats: what `salle demo` runs)."""
    from .clock import SystemClock
    from .day import ExamDay
    from .importing import import_candidats

    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "session.toml").write_text(session_toml() + (oral_toml() if orals else ""), encoding="utf-8")
    candidats_csv(workdir / "candidats.csv", count)
    if orals:
        oral_candidats(workdir / "candidats.csv")
    db = workdir / "salle.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    day = ExamDay(db, SystemClock())
    try:
        day.load_session((workdir / "session.toml").read_text(encoding="utf-8"))
        import_candidats(day, (workdir / "candidats.csv").read_bytes(), "candidats.csv")
    finally:
        day.close()
    return db


def feed_scans(base: str, db: Path, clock_start: datetime, speed: float, stop: threading.Event, started: float,
               rng=None) -> None:
    """Surveillants scanning at their doors: most arrive before the doors close, some at the wrong salle,
    a few late (refused, R3), one without identity document (R5), pièces manquantes produced (R7)."""
    import sqlite3

    from .client import ApiClient

    rng = rng or random.Random(7)
    conn = sqlite3.connect(db)
    candidats = conn.execute("SELECT numero, salle, pieces_manquantes FROM candidats").fetchall()
    conn.close()
    by_salle: dict[str, ApiClient] = {}
    for _, _, salle, _, code in (s for s in STAFF if s[1] == "surveillant"):  # the morning's doors
        client = ApiClient(base)
        client.login(code, device=f"demo-tablette-{salle}")
        by_salle[salle] = client
    doors = datetime.combine(DEMO_DATE, datetime.strptime("09:00", "%H:%M").time())
    plan = []
    for numero, salle, pieces in candidats:
        if salle not in by_salle:  # the oral's candidats (P01) come in the afternoon
            continue
        roll = rng.random()
        if roll < 0.06:
            continue  # absent
        if roll < 0.08:
            when = doors + timedelta(minutes=rng.uniform(1, 10))  # late: refused
        else:
            when = clock_start + timedelta(minutes=rng.uniform(0.5, 19))
        plan.append((when, numero, salle, pieces))
    plan.sort()
    others = sorted(by_salle)
    for when, numero, salle, pieces in plan:
        wait = (when - clock_start).total_seconds() / speed - (time.monotonic() - started)
        if stop.wait(max(0.0, wait)):
            return
        try:
            if rng.random() < 0.05:  # presents at the wrong door first
                wrong = rng.choice([s for s in others if s != salle])
                by_salle[wrong].scan(wrong, numero)
            piece = "aucune" if rng.random() < 0.01 else rng.choice(["cni", "cni", "cni", "passeport", "permis"])
            by_salle[salle].scan(salle, numero, piece, pieces_produites=bool(pieces))
        except OSError:
            return


def run_demo(workdir: Path, host="127.0.0.1", port=8000, speed=1.0, count=300, duration=0.0) -> None:
    db = build(workdir, count, orals=True)
    clock_start = datetime.combine(DEMO_DATE, datetime.strptime("08:40", "%H:%M").time())  # 20 min before doors
    base = f"http://{host}:{port}"
    devices = workdir / "devices.toml"  # simulated devices: the kiosk's thermal printer writes to a file
    devices.write_text(f'[printers.accueil]\nconnection = "file"\npath = "{(workdir / "ticket.bin").resolve()}"\n',
                       encoding="utf-8")
    env = {**os.environ, "SALLE_KIOSK_PRINTER": f"{devices.resolve()}#accueil"}
    stop = threading.Event()

    def deaf():
        # The first signal stops the demo; the next ones (a group-wide SIGTERM reaches this process twice, an
        # impatient Ctrl-C) must not cut the server's stop short and leave it running with the port taken.
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)

    def interrupted(signum, frame):
        deaf()
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupted)  # a stop by the service manager stops the server too
    signal.signal(signal.SIGINT, interrupted)
    server = ChildServer(db, host=host, port=port, clock=clock_start.isoformat(timespec="minutes"), speed=speed,
                         env=env, output=None)  # stops its server itself if interrupted while it starts
    try:
        print(banner(base, workdir, count, speed), flush=True)
        feeder = threading.Thread(target=feed_scans, args=(base, db, clock_start, speed, stop, time.monotonic()),
                                  daemon=True)
        feeder.start()
        deadline = time.monotonic() + duration if duration else None
        while server.proc.poll() is None:
            if deadline and time.monotonic() > deadline:
                break
            time.sleep(0.2)
    except KeyboardInterrupt:
        pass
    finally:
        deaf()
        stop.set()
        server.stop()


def banner(base: str, workdir: Path, count: int, speed: float) -> str:
    lines = [
        "",
        "=== Salle — journée de démonstration (RÉPÉTITION) ===",
        f"Concours ATP27, {count} candidats, 2 sites, 4 salles ; horloge simulée : 18/03/2027 08:40 "
        f"(portes fermées à 09:00), vitesse ×{speed:g}. L'après-midi, à côté de l'écrit E2 : l'oral O1 à Pantin "
        "(14:00, 2 jurys, 12 candidats ATP27-09001 à 09012, salle d'attente P01).",
        f"Fichiers : {workdir}/session.toml, {workdir}/candidats.csv, {workdir}/salle.db ; la borne imprime "
        f"dans {workdir}/ticket.bin (imprimante simulée).",
        "",
        f"  Accueil du serveur     {base}/",
        f"  API (OpenAPI)          {base}/api/v1/openapi.json",
        f"  Tablette surveillant   {base}/tablette",
        f"  Console responsable    {base}/console",
        f"  Borne d'accueil        {base}/borne",
        f"  Jury (oral, 14:00)     {base}/jury",
        f"  Salle d'attente (TV)   {base}/affichage",
        "",
        "Codes personnels :",
        *(f"  {code}  {role:<12} {name}" for name, role, _, _, code in STAFF + ORAL_STAFF),
        "",
        "Des scans simulés arrivent aux portes des salles. Ctrl-C pour arrêter.",
    ]
    return "\n".join(lines)

