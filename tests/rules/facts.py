"""The plain data the rule tests share: one concours, a 3 h morning épreuve and a 1 h 30 sujet-commun afternoon
épreuve on 18 March 2027, two sites, three salles, one candidat."""

from datetime import date, datetime, time, timedelta

from salle import rules
from salle.model import Candidat, Concours, Epreuve, Salle, Site

CONCOURS = Concours(code="ATP27", label="Adjoint technique", numero_pattern=r"ATP27-\d{5}")
MATIN = Epreuve(code="E1", label="Écrit du matin", date=date(2027, 3, 18), start=time(9), duration=180,
                doors_close=time(9), accueil=time(8), convocation=time(8, 30))
APRES_MIDI = Epreuve(code="E2", label="Écrit de l'après-midi", date=date(2027, 3, 18), start=time(14), duration=90,
                     doors_close=time(14), accueil=time(13, 15), convocation=time(13, 30), sujet_commun=True)
PANTIN = Site("PANTIN", "Centre de gestion — siège", "1 rue Lucienne Gérain, 93500 Pantin")
MONTREUIL = Site("MONTREUIL", "Maison des examens", "12 avenue de la Résistance, 93100 Montreuil")
B12 = Salle("B12", "PANTIN", 60, 6, 10, "Salle B12", "bâtiment B, 1er étage")
A01 = Salle("A01", "PANTIN", 90, 9, 10, "Salle A01", "bâtiment A, rez-de-chaussée")
M1 = Salle("M1", "MONTREUIL", 100, 10, 10, "Amphithéâtre M1")
CANDIDAT = Candidat(numero="ATP27-00042", nom="Lefèvre", prenom="Camille", date_naissance=date(1990, 5, 4),
                    site="PANTIN", salle="B12", place="C4")
CLOSE = MATIN.doors_close_dt
S = timedelta(seconds=1)

STARTED = datetime(2027, 3, 18, 9, 5)  # R9: the recorded ouverture des sujets, five minutes after the planned 9:00
END = STARTED + timedelta(hours=3)  # 12:05
TT_END = END + timedelta(hours=1)  # tiers-temps: + a third of 3 h


def at(h, m=0, s=0):
    return datetime(2027, 3, 18, h, m, s)


def presence(**kw) -> rules.Presence:
    """A candidat present in the salle during MATIN, started at 9:05, copy handed in and identity checked."""
    base = dict(epreuve=MATIN, started_at=STARTED, emarge=True, identite_verifiee=True)
    base.update(kw)
    return rules.Presence(**base)


def arrival(**kw) -> rules.Arrival:
    """A candidat of B12 at B12's door for MATIN, with an identity document."""
    base = dict(concours=CONCOURS, epreuve=MATIN, door_salle=B12, candidat=CANDIDAT, candidat_site=PANTIN,
                candidat_salle=B12, doors_close_at=CLOSE, piece_identite="cni")
    base.update(kw)
    return rules.Arrival(**base)
