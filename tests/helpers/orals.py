"""An oral day on top of the demo session: the épreuve O1 on 19 March 2027 (20 min of preparation, 20 min before
the jury, subjects 1 to 12), two jurys at Pantin, a preparation room, their staff, four passages planned."""

from __future__ import annotations

from datetime import date, datetime

from salle import demo

ORAL_DAY = date(2027, 3, 19)
JURY_CODES = {"J1": "50001234", "J2": "50002345"}
AFFICHAGE_CODE = "60001234"  # the waiting room's screen at Pantin
ORAL_TOML = f'''
[[epreuves]]
code = "O1"
label = "Épreuve orale d'admission — entretien avec le jury"
kind = "oral"
date = {ORAL_DAY.isoformat()}
accueil = "13:30"
convocation = "14:00"
start = "14:00"
duration = "4h"
doors_close = "14:00"
preparation = "20 min"
passage = "20 min"
sujets = "1-12"
salles_preparation = ["P01"]

[[salles]]
code = "P01"
site = "PANTIN"
label = "Salle P01 (préparation)"
access = "bâtiment C, rez-de-chaussée"
rows = 2
columns = 6

[[salles]]
code = "O101"
site = "PANTIN"
label = "Salle O101"
access = "bâtiment C, 1er étage"
rows = 1
columns = 4

[[salles]]
code = "O102"
site = "PANTIN"
label = "Salle O102"
access = "bâtiment C, 1er étage"
rows = 1
columns = 4

[[jurys]]
code = "J1"
epreuve = "O1"
name = "Jury 1"
salle = "O101"
membres = ["Mme Durand", "M. Petit"]

[[jurys]]
code = "J2"
epreuve = "O1"
name = "Jury 2"
salle = "O102"
membres = ["Mme Haddad", "M. Leroy"]

[[passages]]
numero = "ATP27-00001"
epreuve = "O1"
jury = "J1"
date = {ORAL_DAY.isoformat()}
heure = "14:00"

[[passages]]
numero = "ATP27-00003"
epreuve = "O1"
jury = "J1"
date = {ORAL_DAY.isoformat()}
heure = "14:20"

[[passages]]
numero = "ATP27-00005"
epreuve = "O1"
jury = "J2"
date = {ORAL_DAY.isoformat()}
heure = "14:00"

[[passages]]
numero = "ATP27-00007"
epreuve = "O1"
jury = "J2"
date = {ORAL_DAY.isoformat()}
heure = "14:20"

[[personnel]]
name = "Jury 1 (O101)"
role = "jury"
jury = "J1"
code = "{JURY_CODES["J1"]}"

[[personnel]]
name = "Jury 2 (O102)"
role = "jury"
jury = "J2"
code = "{JURY_CODES["J2"]}"

[[personnel]]
name = "Écran de la salle d'attente (Pantin)"
role = "affichage"
site = "PANTIN"
code = "{AFFICHAGE_CODE}"
'''


def oral_session_toml() -> str:
    return demo.session_toml() + ORAL_TOML


def oral_at(hhmm: str) -> datetime:
    return datetime.combine(ORAL_DAY, datetime.strptime(hhmm, "%H:%M").time())


def with_amenagements(raw: bytes, by_numero: dict[str, str]) -> bytes:
    """The demo's candidats CSV with an « Aménagements » column (R24): `by_numero` keys as ATP27_00001."""
    lines = raw.decode("utf-8-sig").splitlines()
    cells = {k.replace("_", "-"): v for k, v in by_numero.items()}
    out = [lines[0] + ";Aménagements"]
    for line in lines[1:]:
        value = cells.get(line.split(";", 1)[0], "")
        out.append(f'{line};"{value}"')
    return ("\r\n".join(out) + "\r\n").encode("utf-8")


def open_oral_day(folder, clock, toml: str | None = None, amenagements: dict | None = None):
    """The oral day's file in `folder` (the demo's files there): its session (`toml`, else the oral one) written
    and loaded, the demo's candidats imported (with these aménagements, R24); the clock at 13:30."""
    from salle.day import ExamDay
    from salle.importing import import_candidats

    toml = toml or oral_session_toml()
    (folder / "session.toml").write_text(toml, encoding="utf-8")
    clock.set(oral_at("13:30"))
    d = ExamDay(folder / "salle.db", clock)
    d.load_session(toml)
    raw = (folder / "candidats.csv").read_bytes()
    import_candidats(d, with_amenagements(raw, amenagements) if amenagements else raw, "candidats.csv")
    return d
