"""The morning pre-flight (`salle verifier`, POST /api/v1/verification): is the site ready to open its doors?

It checks the day's file (session, candidats, the journal's chain), the clock against the session, the disk
left, every configured device (a scanner has read a code, a printer prints a test ticket and tells its paper,
a relay answers), and that every salle of the day has a signed-in tablet and every site its borne. Each point
says what was seen and, when it is not right, what to do, in French. The devices are reached through a probe:
the running server's own (it holds the ports) or, with the server stopped, the devices directly.
"""

from __future__ import annotations

import shutil
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Protocol

from .journal import verify_chain
from .state import queries

OK, ATTENTION, A_CORRIGER = "ok", "attention", "a_corriger"
MARK = {OK: "✔", ATTENTION: "!", A_CORRIGER: "✘"}
DISK_MIN_MB, DISK_WARN_MB = 100, 1000
TEST_CODE = "2026000000"  # the test ticket's code (devices.printing.ticket.test_ticket)


@dataclass
class Point:
    point: str  # what is checked, e.g. « Lecteur porte_A01 »
    etat: str  # ok | attention | a_corriger
    detail: str  # what was seen
    a_faire: str = ""  # how to fix it, when not ok

    def line(self) -> str:
        text = f"{MARK[self.etat]} {self.point} : {self.detail}"
        return text + (f"\n    → {self.a_faire}" if self.a_faire else "")


@dataclass
class DeviceResult:
    name: str
    kind: str  # lecteur | imprimante | relais
    ok: bool
    detail: str
    warn: bool = False
    a_faire: str = ""
    site: str | None = None


class DeviceProbe(Protocol):
    def check_devices(self, site: str | None, print_test: bool, scan_wait: float) -> list[DeviceResult]: ...


@dataclass
class Report:
    pret: bool
    points: list[Point] = field(default_factory=list)
    duree_s: float = 0.0

    def to_dict(self) -> dict:
        return {"pret": self.pret, "resume": self.summary(), "duree_s": round(self.duree_s, 2),
                "points": [asdict(p) for p in self.points]}

    def summary(self) -> str:
        todo = [p for p in self.points if p.etat == A_CORRIGER]
        warn = [p for p in self.points if p.etat == ATTENTION]
        if todo:
            return f"PAS PRÊT : {len(todo)} point(s) à corriger avant l'ouverture des portes" + (
                f", {len(warn)} à surveiller." if warn else ".")
        return "PRÊT pour l'ouverture des portes" + (f" ({len(warn)} point(s) à surveiller)." if warn else ".")

    def text(self) -> str:
        return "\n".join([*(p.line() for p in self.points), "", self.summary(), f"(vérifié en {self.duree_s:.1f} s)"])


def run(day, probe: DeviceProbe | None, *, site: str | None = None, print_test: bool = True,
        scan_wait: float = 0.0, server_problem: str | None = None) -> Report:
    """Every check, in the order a responsable walks the site; `site` limits the salles and devices to one site."""
    started = time.monotonic()
    points = [*_file(day), _clock(day), _disk(day)]
    if server_problem:
        points.append(Point("Serveur", A_CORRIGER, server_problem, "Démarrez-le : systemctl start salle "
                                                                    "(journalctl -u salle dit pourquoi il s'arrête)."))
    if probe is None:
        points.append(Point("Appareils", ATTENTION, "aucun fichier devices.toml : ni lecteur, ni imprimante, ni relais",
                            "Si le site en a, écrivez /etc/salle/devices.toml (deploy/README.md, étape 4)."))
    else:
        points += [_device_point(r) for r in probe.check_devices(site, print_test, scan_wait)]
    points += _signed_in(day, site)
    return Report(all(p.etat != A_CORRIGER for p in points), points, time.monotonic() - started)


def _file(day) -> list[Point]:
    session = day.session
    today = [e for e in session.epreuves if e.date == day.clock.now().date()]
    count = queries.candidat_count(day.journal.reader())
    points = [Point("Fichier du jour", OK if count else A_CORRIGER,
                    f"{day.db_path.name}, concours {session.concours.code} ({session.concours.label}), "
                    f"{count} candidat(s)",
                    "" if count else "Importez les candidats : salle import candidats inscrits.csv --db …")]
    ok, message, _ = verify_chain(day.db_path)
    points.append(Point("Journal", OK if ok else A_CORRIGER, message,
                        "" if ok else "Ne continuez pas sur ce fichier : appelez l'organisateur (salle verify)."))
    if not today:
        dates = ", ".join(sorted({e.date.strftime("%d/%m/%Y") for e in session.epreuves}))
        points.append(Point("Épreuves du jour", A_CORRIGER, f"aucune épreuve le {day.clock.now():%d/%m/%Y} "
                            f"(la session en a le {dates})",
                            "Vérifiez le fichier de session chargé, ou la date de cet ordinateur."))
    else:
        points.append(Point("Épreuves du jour", OK, ", ".join(f"{e.code} {e.label} à {e.start:%H:%M}" for e in today)))
    return points


def _clock(day) -> Point:
    now: datetime = day.clock.now()
    today = sorted((e for e in day.session.epreuves if e.date == now.date()), key=lambda e: e.doors_close_dt)
    mode = " (RÉPÉTITION : horloge simulée)" if day.clock.rehearsal else ""
    if not today:
        return Point("Horloge", A_CORRIGER, f"{now:%d/%m/%Y %H:%M:%S}{mode} : pas un jour de la session",
                     "Réglez la date de l'ordinateur (timedatectl) ou chargez la bonne session.")
    first = today[0]
    if now >= first.doors_close_dt:
        return Point("Horloge", ATTENTION, f"{now:%H:%M:%S}{mode} : la fermeture des portes de {first.code} "
                     f"({first.doors_close:%H:%M}) est passée", "Si l'heure est fausse, réglez-la (timedatectl).")
    if now < datetime.combine(now.date(), first.accueil) and (datetime.combine(now.date(), first.accueil) - now
                                                              ).total_seconds() > 4 * 3600:
        return Point("Horloge", ATTENTION,
                     f"{now:%H:%M:%S}{mode} : plus de 4 h avant l'accueil ({first.accueil:%H:%M})",
                     "Vérifiez l'heure de l'ordinateur avec votre montre ou votre téléphone.")
    return Point("Horloge", OK, f"{now:%d/%m/%Y %H:%M:%S}{mode}, accueil de {first.code} à {first.accueil:%H:%M}, "
                 f"portes fermées à {first.doors_close:%H:%M} ; comparez avec votre montre")


def _disk(day) -> Point:
    free = shutil.disk_usage(day.db_path.parent).free / 1e6
    if free < DISK_MIN_MB:
        return Point("Disque", A_CORRIGER, f"{free:.0f} Mo libres à côté de {day.db_path.name}",
                     "Libérez de la place (anciens exports, fichiers des jours passés) : il faut au moins "
                     f"{DISK_MIN_MB} Mo.")
    state = OK if free >= DISK_WARN_MB else ATTENTION
    return Point("Disque", state, f"{free:.0f} Mo libres", "" if state == OK else
                 f"Assez pour la journée, mais libérez de la place dès que possible (moins de {DISK_WARN_MB} Mo).")


def _device_point(r: DeviceResult) -> Point:
    label = {"lecteur": "Lecteur", "imprimante": "Imprimante", "relais": "Relais"}[r.kind]
    state = A_CORRIGER if not r.ok else ATTENTION if r.warn else OK
    return Point(f"{label} {r.name}" + (f" ({r.site})" if r.site else ""), state, r.detail, r.a_faire)


def _signed_in(day, site: str | None) -> list[Point]:
    """Each salle with candidats has a surveillant's tablet signed in today; each site its borne."""
    today = day.clock.now().date().isoformat()
    rows = queries.sign_ins_on(day.journal.reader(), today)
    tablets: dict[str, int] = {}
    bornes: dict[str, int] = {}
    for r in rows:
        if r["role"] == "surveillant" and r["salle"]:
            tablets[r["salle"]] = tablets.get(r["salle"], 0) + r["n"]
        elif r["role"] == "kiosk":
            bornes[r["site"] or ""] = bornes.get(r["site"] or "", 0) + r["n"]
    points = []
    busy = queries.salles_with_candidats(day.journal.reader())
    for salle in day.session.salles:
        if salle.code not in busy or (site and salle.site != site):
            continue
        n = tablets.get(salle.code, 0)
        points.append(Point(f"Tablette {salle.code}", OK if n else A_CORRIGER,
                            f"{n} appareil(s) connecté(s) aujourd'hui" if n else "aucune tablette connectée",
                            "" if n else f"Connectez la tablette de {salle.code} avec le code personnel de son "
                                         "surveillant (page /tablette)."))
    for s in day.session.sites:
        if site and s.code != site:
            continue
        n = bornes.get(s.code, 0) + bornes.get("", 0)
        points.append(Point(f"Borne {s.code}", OK if n else ATTENTION,
                            "connectée" if n else "aucune borne connectée aujourd'hui",
                            "" if n else "Si le site a une borne : tapez son code sur la borne (page /borne)."))
    return points
