"""The règlement as code: pure functions over plain data and an injected `now`, each citing its rule id.

Nothing here reads a clock, a database or a request. Each function answers a `Verdict`: a code from a
closed vocabulary, the rule that decided it, and a French sentence saying what to do. Rule ids are those
of RULES.md; the quotes are the règlement's own words (seeds/004, « Règlement général des concours »).
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from .model import PIECES_IDENTITE, Candidat, Concours, Epreuve, Salle, Site

# Scan verdicts (DESIGN.md: a closed vocabulary).
ADMIS = "admis"
DEJA_PRESENT = "deja_present"
MAUVAISE_SALLE = "mauvaise_salle"
MAUVAIS_SITE = "mauvais_site"
NON_CONVOQUE = "non_convoque"
INCONNU = "inconnu"
PORTES_FERMEES = "portes_fermees"
PIECES_MANQUANTES = "pieces_manquantes"
ILLISIBLE = "illisible"
SCAN_VERDICTS = (
    ADMIS, DEJA_PRESENT, MAUVAISE_SALLE, MAUVAIS_SITE, NON_CONVOQUE, INCONNU, PORTES_FERMEES,
    PIECES_MANQUANTES, ILLISIBLE,
)

# Exit and toilet answers: one "allowed" code each, and the reasons for a refusal.
SORTIE_AUTORISEE = "sortie_autorisee"
TOILETTES_AUTORISEES = "toilettes_autorisees"
NON_PRESENT = "non_present"
DEJA_SORTI = "deja_sorti"
AUX_TOILETTES = "aux_toilettes"
EPREUVE_NON_COMMENCEE = "epreuve_non_commencee"
EPREUVE_COURTE = "epreuve_courte"  # R15
COPIE_NON_REMISE = "copie_non_remise"  # R16
QUINZE_DERNIERES_MINUTES = "quinze_dernieres_minutes"  # R17
SUJET_COMMUN = "sujet_commun"  # R18
IDENTITE_NON_VERIFIEE = "identite_non_verifiee"  # R8
ACCOMPAGNATEUR_REQUIS = "accompagnateur_requis"  # R19
ATTENDRE_SIGNAL = "attendre_signal"  # R22
EXIT_REFUSALS = (
    NON_PRESENT, DEJA_SORTI, AUX_TOILETTES, EPREUVE_NON_COMMENCEE, EPREUVE_COURTE, COPIE_NON_REMISE,
    QUINZE_DERNIERES_MINUTES, SUJET_COMMUN, IDENTITE_NON_VERIFIEE, ACCOMPAGNATEUR_REQUIS, ATTENDRE_SIGNAL,
)

# Door closing (R3).
PORTES_DEJA_FERMEES = "portes_deja_fermees"
HEURE_PASSEE = "heure_passee"
MOTIF_REQUIS = "motif_requis"
FERMETURE_DEPLACEE = "fermeture_deplacee"

EXIT_LIMIT = timedelta(minutes=90)  # R15, R18: « une heure trente »
LAST_MINUTES = timedelta(minutes=15)  # R17: « les quinze dernières minutes »


@dataclass(frozen=True)
class Verdict:
    code: str
    message: str
    rule: str = ""
    allowed_from: datetime | None = None
    data: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.code in (ADMIS, SORTIE_AUTORISEE, TOILETTES_AUTORISEES, FERMETURE_DEPLACEE) or self.code in OK_CODES

    def to_dict(self) -> dict:
        return {
            "verdict": self.code,
            "ok": self.ok,
            "message": self.message,
            "regle": self.rule,
            "autorise_a_partir_de": self.allowed_from.isoformat(timespec="seconds") if self.allowed_from else None,
            **self.data,
        }


def hhmm(when: datetime) -> str:
    """French clock time as written on convocations: 9 h 05."""
    return f"{when.hour} h {when.minute:02d}"


# --- Reading the code --------------------------------------------------------------------------


@dataclass(frozen=True)
class ParsedCode:
    numero: str | None
    verdict: Verdict | None  # set when the code is refused before any lookup


def parse_code(raw: str | None, concours: Concours) -> ParsedCode:
    """Read a convocation code into a numéro d'inscription (R26: « l'identifiant … le numéro d'inscription »).

    An empty or garbled read is `illisible`; a clean read that is not a convocation of this concours
    is `inconnu` (R4: access « exclusivement réservé aux candidats régulièrement convoqués »).
    """
    code = (raw or "").strip()
    if not code or len(code) > 128 or not all(c.isprintable() and c != "\ufffd" for c in code):
        return ParsedCode(None, Verdict(ILLISIBLE, "Code illisible : scannez de nouveau, ou cherchez le candidat "
                                        "par son nom ou son numéro.", "R4"))
    pattern = re.escape(concours.code_format).replace(re.escape("{numero}"), "(?P<numero>.+)")
    match = re.fullmatch(pattern, code)
    numero = match.group("numero").strip() if match else None
    if not numero or (concours.numero_pattern and not re.fullmatch(concours.numero_pattern, numero)):
        return ParsedCode(None, Verdict(INCONNU, "Ce code n'est pas une convocation de ce concours : accès refusé. "
                                        "Orientez la personne vers l'accueil.", "R4"))
    return ParsedCode(numero, None)


def normalize_name(text: str) -> str:
    """Names compared without case, accents, hyphens or spaces: « Lefèvre-Dupont » == « LEFEVRE DUPONT »."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if c.isalnum() and not unicodedata.combining(c)).casefold()


# --- The épreuve's timeline ---------------------------------------------------------------------


def extra_minutes(epreuve: Epreuve, tiers_temps: bool) -> int:
    """R24: aménagements come from the file; a tiers-temps adds a third of the épreuve's duration."""
    return math.ceil(epreuve.duration / 3) if tiers_temps else 0


def start_of(epreuve: Epreuve, started_at: datetime | None) -> datetime:
    """R9: timings run from the recorded ouverture des sujets; the planned start until it is recorded."""
    return started_at or epreuve.start_dt


def candidate_end(epreuve: Epreuve, started_at: datetime | None, tiers_temps: bool) -> datetime:
    """The end of this candidate's épreuve: recorded start + duration + their extra time (R9, R24)."""
    return start_of(epreuve, started_at) + timedelta(minutes=epreuve.duration + extra_minutes(epreuve, tiers_temps))


def current_epreuve(epreuves, now: datetime) -> Epreuve | None:
    """The épreuve a salle door is working for at `now`: the latest one whose accueil has opened, while its
    longest time (with tiers-temps) has not run out; else the next one of the same day; else None.
    Morning and afternoon épreuves of one day are thus told apart by the clock (R8)."""
    today = sorted((e for e in epreuves if e.date == now.date()), key=lambda e: e.start_dt)
    opened = [e for e in today if e.accueil_dt <= now]
    if opened and now < candidate_end(opened[-1], None, True) + timedelta(minutes=30):
        return opened[-1]
    return next((e for e in today if now < e.accueil_dt), None)


# --- Arrival at the salle door ------------------------------------------------------------------


@dataclass(frozen=True)
class Arrival:
    """What is known at the moment a convocation is scanned at a salle door."""

    concours: Concours
    epreuve: Epreuve
    door_salle: Salle
    candidat: Candidat | None
    candidat_site: Site | None = None
    candidat_salle: Salle | None = None
    doors_close_at: datetime | None = None  # the set time for the candidat's site (R3)
    doors_closed_at: datetime | None = None  # when the closing was recorded, if it was
    started_at: datetime | None = None  # recorded ouverture des sujets (R9)
    entered_at: datetime | None = None  # already admitted to this épreuve at that time
    entered_place: str = ""
    entered_salle: Salle | None = None  # where that admission was recorded
    entered_site: Site | None = None
    pieces_produites_at: datetime | None = None  # R7: when the missing pièces were produced (this scan: now)
    piece_identite: str | None = None  # R5, None when only previewing
    seen_at: datetime | None = None  # checked by eye at the door while the tablet could not reach the server


def doors_closed(close_at: datetime | None, closed_at: datetime | None, now: datetime) -> bool:
    """R3: the doors are closed once pronounced, or once their set time has come, whichever is first."""
    return closed_at is not None or (close_at is not None and now >= close_at)


def seen_before_closing(a: Arrival, now: datetime) -> bool:
    """R3: « les candidats arrivant après la fermeture des portes … ne sont plus acceptés »: judged when the
    candidat arrived. Offline, the surveillant checked the convocation by eye at `seen_at` (the tablet's
    clock, set by the server's) and the entry reaches the server later: the doors were still open then if
    `seen_at` came before both the set time and the pronounced closing."""
    t = a.seen_at
    return (t is not None and t < now and (a.doors_close_at is None or t < a.doors_close_at)
            and (a.doors_closed_at is None or t < a.doors_closed_at))


def check_arrival(a: Arrival, now: datetime) -> Verdict:
    """Decide an arrival scan: R4 (convoked only), R3 (late), R1 (site, salle), R7 (pièces), R5 (identity)."""
    c = a.candidat
    if c is None:
        return Verdict(INCONNU, "Numéro inconnu pour ce concours : accès refusé. Orientez la personne vers "
                       "l'accueil.", "R4")
    who = {"candidat": c.numero}
    if not c.convoque(a.epreuve.code):
        return Verdict(NON_CONVOQUE, f"{c.display_name} n'est pas convoqué(e) à l'épreuve « {a.epreuve.label} » : "
                       "accès refusé.", "R4", data=who)
    if a.entered_at is not None:
        return _already_entered(a, who)
    # R1 before R3: at the wrong site or salle the candidat is told where to go, not recorded late here.
    if c.site != a.door_salle.site:
        site = a.candidat_site
        where = f"{site.name}, {site.address}" if site else c.site
        return Verdict(MAUVAIS_SITE, f"Mauvais site : {c.display_name} est convoqué(e) à {where}. Il (elle) ne peut "
                       "pas composer ici.", "R1", data={**who, "site": c.site})
    if c.salle != a.door_salle.code:
        salle = a.candidat_salle
        where = salle.display + (f", {salle.access}" if salle and salle.access else "") if salle else c.salle
        return Verdict(MAUVAISE_SALLE, f"Aller en {where} — place {c.place}.", "R1", data={**who, "salle": c.salle})
    if doors_closed(a.doors_close_at, a.doors_closed_at, now):
        if not seen_before_closing(a, now):
            closed = a.doors_closed_at or a.doors_close_at
            return Verdict(PORTES_FERMEES, f"Portes fermées depuis {hhmm(closed)} : {c.display_name} n'est pas admis(e) "
                           "à composer, quel que soit le motif du retard. Refus enregistré.", "R3", data=who)
        who = {**who, "hors_ligne": True, "entre_a": a.seen_at.isoformat(timespec="seconds")}
    if c.pieces_manquantes:
        # R7: « produire au plus tard avant le début de l'épreuve … A défaut … l'accès à la salle … est refusé »
        start = start_of(a.epreuve, a.started_at)
        if a.pieces_produites_at is not None and a.pieces_produites_at >= start:
            return Verdict(PIECES_MANQUANTES, f"Pièces manquantes ({c.pieces_manquantes}) non produites avant le "
                           f"début de l'épreuve ({hhmm(start)}) : accès refusé.", "R7", data=who)
        if a.pieces_produites_at is None:
            return Verdict(PIECES_MANQUANTES, f"Pièces manquantes : {c.pieces_manquantes}. Si le candidat les "
                           "produit, confirmez « pièces produites » ; sinon l'accès est refusé.", "R7", data=who)
    end = candidate_end(a.epreuve, a.started_at, c.tiers_temps)
    extra = f" Tiers-temps : fin à {hhmm(end)}." if c.tiers_temps else ""
    if a.piece_identite is None:
        return Verdict(ADMIS, f"{c.display_name}, place {c.place} : vérifiez la pièce d'identité avec photo.{extra}",
                       "R5", data={**who, "a_confirmer": True})
    if who.get("hors_ligne"):  # R3: let in before the doors closed, recorded after: the responsable confirms
        extra += (f" Entré(e) à {hhmm(a.seen_at)} selon la tablette hors ligne, avant la fermeture des portes : le "
                  "responsable de salle est alerté pour confirmer.")
    if a.piece_identite == "aucune":
        return Verdict(ADMIS, f"Admis(e) sans pièce d'identité : place {c.place}. Le responsable de salle est alerté "
                       f"et fera un contrôle d'identité spécifique.{extra}", "R5", data={**who, "alerte": True})
    return Verdict(ADMIS, f"Admis(e) : place {c.place} ({PIECES_IDENTITE[a.piece_identite]}).{extra}",
                   "R3" if who.get("hors_ligne") else "R5", data=who)


def _already_entered(a: Arrival, who: dict) -> Verdict:
    """R4, R8: one convocation, one entry. The same convocation read again at the door where it entered is
    nothing to do; read at another salle or site, the person holding it may not be the one admitted: the
    surveillant keeps them at the door and the responsable is alerted (`data.ailleurs`)."""
    c, here = a.candidat, a.door_salle
    place = a.entered_place or c.place
    if a.entered_salle is None or a.entered_salle.code == here.code:
        return Verdict(DEJA_PRESENT, f"{c.display_name} est déjà entré(e) dans cette salle à {hhmm(a.entered_at)}, "
                       f"place {place} : rien à faire.", "R8", data=who)
    where = a.entered_salle.display
    if a.entered_site is not None and a.entered_site.code != here.site:
        where += f" — {a.entered_site.name}, {a.entered_site.address}"
    return Verdict(DEJA_PRESENT, f"Convocation déjà utilisée : {c.display_name} est déjà entré(e) à "
                   f"{hhmm(a.entered_at)}, {where}, place {place}. Ne laissez pas entrer : gardez la personne à la "
                   "porte, le responsable est alerté.", "R4",
                   data={**who, "ailleurs": True, "entre_salle": a.entered_salle.code,
                         "entre_site": a.entered_salle.site})


# --- Exits and toilets --------------------------------------------------------------------------


@dataclass(frozen=True)
class Presence:
    """Where a present candidate stands in the épreuve, for an exit or a toilet trip."""

    epreuve: Epreuve
    started_at: datetime | None  # R9
    tiers_temps: bool = False  # R24
    status: str | None = "present"  # present, toilettes, sorti, or None when never admitted
    emarge: bool = False  # copy handed in and émargement signed (R16, R20)
    identite_verifiee: bool = False  # fresh identity check for this exit (R8)
    released: bool = False  # the salle's release recorded (R22)


def _not_in_salle(p: Presence) -> Verdict | None:
    if p.status is None:
        return Verdict(NON_PRESENT, "Ce candidat n'est pas enregistré comme présent dans cette salle.", "R8")
    if p.status == "sorti":
        return Verdict(DEJA_SORTI, "Ce candidat est déjà sorti définitivement.", "R16")
    if p.status == "toilettes":
        return Verdict(AUX_TOILETTES, "Ce candidat est aux toilettes : enregistrez d'abord son retour.", "R19")
    return None


def check_exit(p: Presence, now: datetime) -> Verdict:
    """Decide a definitive exit: R15 (short épreuve), R18 (sujet commun), R17 (last 15 min), R16 (copy and
    émargement first), R8 (identity checked « avant toute autorisation de sortie »), R22 (the signal)."""
    refused = _not_in_salle(p)
    if refused:
        return refused
    e = p.epreuve
    if not e.written:  # R25: orals have none of the written épreuves' exit limits
        return Verdict(SORTIE_AUTORISEE, "Sortie enregistrée.", "R25")
    if p.started_at is None:
        return Verdict(EPREUVE_NON_COMMENCEE, "L'épreuve n'a pas commencé : pas de sortie définitive avant "
                       "l'ouverture des sujets. Prévenez le responsable de salle.", "R9")
    start = start_of(e, p.started_at)
    end = candidate_end(e, p.started_at, p.tiers_temps)
    if now >= end:
        if p.released:
            return Verdict(SORTIE_AUTORISEE, "Sortie autorisée : la salle est libérée.", "R22")
        return Verdict(ATTENDRE_SIGNAL, "Fin de l'épreuve : les candidats sortent une fois toutes les copies "
                       "ramassées et recomptées, au signal du responsable.", "R22")
    if now >= end - LAST_MINUTES:
        return Verdict(QUINZE_DERNIERES_MINUTES, f"Aucune sortie dans les quinze dernières minutes (fin à "
                       f"{hhmm(end)}).", "R17", allowed_from=end)
    if e.duration <= EXIT_LIMIT.total_seconds() / 60:
        return Verdict(EPREUVE_COURTE, "Aucune sortie anticipée pour une épreuve de 1 h 30 ou moins : sortie à la "
                       f"fin de l'épreuve ({hhmm(end)}).", "R15", allowed_from=end)
    if e.sujet_commun and now < start + EXIT_LIMIT:
        return Verdict(SUJET_COMMUN, f"Sujet commun : aucune sortie avant {hhmm(start + EXIT_LIMIT)} (1 h 30 après le "
                       "début).", "R18", allowed_from=start + EXIT_LIMIT)
    if not p.emarge:
        return Verdict(COPIE_NON_REMISE, "Sortie anticipée seulement après remise de la copie et émargement avec "
                       "le nombre de copies.", "R16")
    if not p.identite_verifiee:
        return Verdict(IDENTITE_NON_VERIFIEE, "Vérifiez l'identité du candidat avant d'autoriser sa sortie.", "R8")
    return Verdict(SORTIE_AUTORISEE, "Sortie anticipée autorisée : copie remise et émargement fait.", "R16")


def check_toilettes(p: Presence, accompagnateur: str, now: datetime) -> Verdict:
    """Decide a toilet trip: R19 (accompanied, time not recovered), R17 (none in the candidate's last 15 min)."""
    refused = _not_in_salle(p)
    if refused:
        return refused
    if not (accompagnateur or "").strip():
        return Verdict(ACCOMPAGNATEUR_REQUIS, "Indiquez le surveillant qui accompagne le candidat.", "R19")
    end = candidate_end(p.epreuve, p.started_at, p.tiers_temps)
    if p.started_at is not None and now >= end - LAST_MINUTES:
        return Verdict(QUINZE_DERNIERES_MINUTES, f"Plus de toilettes dans les quinze dernières minutes (fin à "
                       f"{hhmm(end)}).", "R17")
    return Verdict(TOILETTES_AUTORISEES, f"Toilettes : accompagné(e) par {accompagnateur.strip()}. Le temps passé "
                   "dehors n'est pas récupéré.", "R19")


# --- Door closing -------------------------------------------------------------------------------


def check_move_doors(close_at: datetime, closed_at: datetime | None, new_time: datetime, motif: str,
                     now: datetime) -> Verdict:
    """R3: the set time may be moved only before it passes (a delayed start), with a reason for the PV."""
    if doors_closed(close_at, closed_at, now):
        return Verdict(PORTES_DEJA_FERMEES, f"Les portes sont fermées depuis {hhmm(closed_at or close_at)} : "
                       "l'heure ne peut plus être changée.", "R3")
    if new_time <= now:
        return Verdict(HEURE_PASSEE, f"La nouvelle heure ({hhmm(new_time)}) est déjà passée.", "R3")
    if not (motif or "").strip():
        return Verdict(MOTIF_REQUIS, "Indiquez le motif du changement : il figurera au procès-verbal.", "R3")
    return Verdict(FERMETURE_DEPLACEE, f"Fermeture des portes déplacée à {hhmm(new_time)}.", "R3")


# --- Émargement, incidents and the end of the épreuve (issue 5: the salle at work) -----------------

EMARGEMENT_ENREGISTRE = "emargement_enregistre"
DEJA_EMARGE = "deja_emarge"  # R20: one émargement per candidate and épreuve
ABANDON_ORAL_SEULEMENT = "abandon_oral_seulement"  # R25
INCIDENT_ENREGISTRE = "incident_enregistre"
FIN_NON_ATTEINTE = "fin_non_atteinte"  # R13, R22
HEURES_INVALIDES = "heures_invalides"  # R14
RECOMPTAGE_ENREGISTRE = "recomptage_enregistre"
RECOMPTAGE_REQUIS = "recomptage_requis"  # R22
SALLE_LIBEREE = "salle_liberee"
DEJA_LIBEREE = "deja_liberee"
OK_CODES = (EMARGEMENT_ENREGISTRE, INCIDENT_ENREGISTRE, RECOMPTAGE_ENREGISTRE, SALLE_LIBEREE)

# Incident types for the PV: code -> (label on the PV, rule).
INCIDENT_TYPES = {
    "mauvais_sujet": ("Erreur de sujet signalée", "R10"),
    "fraude": ("Suspicion de fraude — rapport", "R11"),
    "tenue": ("Tenue incorrecte", "R12"),
    "alcool": ("Consommation d'alcool", "R12"),
    "tabac": ("Tabac", "R12"),
    "ecouteurs": ("Écouteurs", "R12"),
    "telephone": ("Téléphone", "R12"),
    "communication": ("Communication entre candidats", "R12"),
    "ecrit_apres_fin": ("A continué d'écrire après la fin", "R13"),
    "alarme_incendie": ("Alarme incendie — évacuation", "R14"),
    "anomalie": ("Anomalie dans le déroulement", "R23"),
}
INCIDENTS_WITH_CANDIDAT = ("mauvais_sujet", "fraude", "ecrit_apres_fin")


@dataclass(frozen=True)
class EmargementFacts:
    """What is known when a candidate signs the émargement sheet."""

    presence: Presence
    abandon: bool = False


def check_emargement(f: EmargementFacts, now: datetime) -> Verdict:
    """R20: « le candidat signe la feuille d'émargement et indique le nombre de copies remises »; once per
    épreuve. R25: « abandon » only at an oral. R9: on a written épreuve, copies exist once the subject is open."""
    p = f.presence
    if p.status is None:
        return Verdict(NON_PRESENT, "Ce candidat n'est pas enregistré comme présent dans cette salle : pas "
                       "d'émargement.", "R20")
    if p.emarge:
        return Verdict(DEJA_EMARGE, "Ce candidat a déjà émargé pour cette épreuve : rien n'est enregistré.", "R20")
    if p.status == "toilettes":
        return Verdict(AUX_TOILETTES, "Ce candidat est aux toilettes : enregistrez d'abord son retour.", "R19")
    if f.abandon and p.epreuve.written:
        return Verdict(ABANDON_ORAL_SEULEMENT, "« Abandon » ne s'émarge qu'à une épreuve orale ; à l'écrit, "
                       "le candidat rend sa copie (ou une copie blanche).", "R25")
    if p.epreuve.written and p.started_at is None:
        return Verdict(EPREUVE_NON_COMMENCEE, "L'épreuve n'a pas commencé : l'émargement se fait à la remise "
                       "des copies.", "R9")
    return Verdict(EMARGEMENT_ENREGISTRE, "Émargement enregistré : la signature atteste de la remise des "
                   "copies.", "R20")


def check_incident(kind: str, epreuve: Epreuve, started_at: datetime | None, tiers_temps: bool, now: datetime,
                   debut: datetime | None = None, fin: datetime | None = None) -> Verdict:
    """R10–R14, R23: incidents consignés au procès-verbal. R13 (« continuer à écrire après l'injonction de
    fin ») only from the candidate's end; R14 (alarme incendie) with its start and end, not in the future."""
    label, rule = INCIDENT_TYPES[kind]
    if kind == "ecrit_apres_fin":
        end = candidate_end(epreuve, started_at, tiers_temps)
        if started_at is None or now < end:
            return Verdict(FIN_NON_ATTEINTE, f"La fin de l'épreuve pour ce candidat n'est pas encore arrivée "
                           f"(fin à {hhmm(end)}).", rule, allowed_from=end)
    if kind == "alarme_incendie":
        if debut is None or debut > now or (fin is not None and (fin < debut or fin > now)):
            return Verdict(HEURES_INVALIDES, "Alarme incendie : indiquez l'heure de début (et de fin) de "
                           "l'évacuation, passées et dans l'ordre.", rule)
    return Verdict(INCIDENT_ENREGISTRE, f"{label} : consigné au procès-verbal.", rule)


def salle_end(epreuve: Epreuve, started_at: datetime | None, tiers_temps_in_salle: list[bool]) -> datetime:
    """R22, R24: the salle's copies are all collected at the latest end of the candidates still in it
    (the recorded start when nobody is left)."""
    if not tiers_temps_in_salle:
        return start_of(epreuve, started_at)
    return max(candidate_end(epreuve, started_at, t) for t in tiers_temps_in_salle)


def check_recomptage(started_at: datetime | None, end: datetime, released_at: datetime | None,
                     now: datetime) -> Verdict:
    """R22: « les candidats ne sortent qu'une fois toutes les copies ramassées et recomptées »: the recount
    is entered at the end of the épreuve, before the release."""
    if released_at is not None:
        return Verdict(DEJA_LIBEREE, f"La salle est déjà libérée (à {hhmm(released_at)}) : recomptage clos.", "R22")
    if started_at is None:
        return Verdict(EPREUVE_NON_COMMENCEE, "L'épreuve n'a pas commencé : pas de copies à recompter.", "R9")
    if now < end:
        return Verdict(FIN_NON_ATTEINTE, f"Recomptage à la fin de l'épreuve ({hhmm(end)}).", "R22",
                       allowed_from=end)
    return Verdict(RECOMPTAGE_ENREGISTRE, "Recomptage enregistré.", "R22")


LIBERATION_A_CONFIRMER = "liberation_a_confirmer"  # R21, R22: open items need a reason


@dataclass(frozen=True)
class Liberation:
    """What is known when the responsable gives the signal to leave (R22)."""

    recounted: bool
    end: datetime  # the salle's end: the latest end of the candidates still in it (R24)
    released_at: datetime | None = None
    sans_emargement: tuple[str, ...] = ()  # present candidates without émargement, by name (R21)
    copies_comptees: int | None = None
    copies_emargees: int = 0
    dehors: tuple[str, ...] = ()  # candidates out of the salle now (toilets, R19)
    motif: str = ""


def liberation_open_items(f: Liberation) -> list[dict]:
    """What is unresolved before a release, each as {code, message} in French (R21, R22, R19)."""
    items = []
    if f.sans_emargement:
        n = len(f.sans_emargement)
        items.append({"code": "sans_emargement", "message": (
            f"{n} candidat(s) présent(s) sans émargement, réputé(s) ne pas avoir rendu de copie : "
            + ", ".join(f.sans_emargement) + "."), "candidats": list(f.sans_emargement)})
    if f.copies_comptees is not None and f.copies_comptees != f.copies_emargees:
        ecart = f.copies_comptees - f.copies_emargees
        items.append({"code": "ecart_copies", "message": (
            f"Recomptage : {f.copies_comptees} copie(s) pour {f.copies_emargees} émargée(s), écart de {ecart:+d}.")})
    if f.dehors:
        items.append({"code": "candidats_dehors", "message": (
            f"{len(f.dehors)} candidat(s) encore hors de la salle : " + ", ".join(f.dehors) + "."),
            "candidats": list(f.dehors)})
    return items


def check_liberation(f: Liberation, now: datetime) -> Verdict:
    """R22: « les candidats ne sont autorisés à quitter la salle qu'une fois l'ensemble des copies ramassées et
    recomptées »: not before the end nor before the recount; anything left open (R21: a candidate without
    émargement « sera réputé ne pas avoir rendu de copie », a recount off, someone still out) is listed and
    needs the responsable's reason, which goes to the PV."""
    if f.released_at is not None:
        return Verdict(DEJA_LIBEREE, f"La salle est déjà libérée (à {hhmm(f.released_at)}).", "R22")
    if now < f.end:
        return Verdict(FIN_NON_ATTEINTE, f"La salle ne peut être libérée qu'à la fin de l'épreuve ({hhmm(f.end)}).",
                       "R22", allowed_from=f.end)
    if not f.recounted:
        return Verdict(RECOMPTAGE_REQUIS, "Recomptez d'abord les copies : la salle est libérée seulement après "
                       "le recomptage.", "R22")
    items = liberation_open_items(f)
    if items and not f.motif.strip():
        return Verdict(LIBERATION_A_CONFIRMER, f"{len(items)} point(s) non résolu(s) : libérez la salle en "
                       "indiquant le motif (il figurera au procès-verbal), ou réglez-les d'abord.", "R22",
                       data={"points_ouverts": items})
    return Verdict(SALLE_LIBEREE, "Salle libérée : les candidats peuvent sortir."
                   + (f" {len(items)} point(s) non résolu(s) consigné(s) au procès-verbal avec le motif." if items
                      else ""), "R22", data={"points_ouverts": items})
