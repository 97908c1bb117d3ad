"""The règlement as code: pure functions over plain data and an injected `now`, each citing its rule id.

Nothing here reads a clock, a database or a request. Each function answers a `Verdict`: a code from a
closed vocabulary, the rule that decided it, and a French sentence saying what to do. Rule ids are those
of RULES.md; the quotes are the règlement's own words (seeds/004, « Règlement général des concours »).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from .model import PIECES_IDENTITE, TIERS_TEMPS, Candidat, Concours, Epreuve, Salle, Site, TempsMajore

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
RETOUR_ENREGISTRE = "retour_enregistre"  # R19
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
        return self.code in (ADMIS, SORTIE_AUTORISEE, TOILETTES_AUTORISEES, RETOUR_ENREGISTRE, FERMETURE_DEPLACEE) \
            or self.code in OK_CODES

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


Majoration = TempsMajore | bool | None  # R24: a figure; True is the older yes/no tiers-temps (a third)


def majoration(temps: Majoration) -> TempsMajore | None:
    """R24: the extra time as a figure; the older boolean means a third (« tiers-temps »)."""
    if isinstance(temps, TempsMajore):
        return temps
    return TIERS_TEMPS if temps else None


def extra_minutes(epreuve: Epreuve, temps: Majoration) -> int:
    """R24: « adaptation de la durée », granted beforehand (from the file): a fraction of the épreuve's
    duration, rounded up to the minute, or a number of minutes."""
    t = majoration(temps)
    return t.minutes_for(epreuve.duration) if t else 0


def extra_text(end: datetime, temps: Majoration) -> str:
    """What the surveillant reads of a candidat's extra time: « Tiers-temps : fin à 13 h 05. »."""
    t = majoration(temps)
    return f" {t.label[0].upper()}{t.label[1:]} : fin à {hhmm(end)}." if t else ""


def start_of(epreuve: Epreuve, started_at: datetime | None) -> datetime:
    """R9: timings run from the recorded ouverture des sujets; the planned start until it is recorded."""
    return started_at or epreuve.start_dt


def candidate_end(epreuve: Epreuve, started_at: datetime | None, temps: Majoration) -> datetime:
    """The end of this candidate's épreuve: recorded start + duration + their extra time (R9, R24)."""
    return start_of(epreuve, started_at) + timedelta(minutes=epreuve.duration + extra_minutes(epreuve, temps))


def current_epreuve(epreuves, now: datetime) -> Epreuve | None:
    """The épreuve a salle door is working for at `now`: the latest one whose accueil has opened, while its
    longest time (with a tiers-temps, the usual longest) has not run out; else the next one of the same day;
    else None.
    Morning and afternoon épreuves of one day are thus told apart by the clock (R8). An oral over several days
    runs the same hours each of its days."""
    day = now.date()
    by_code = {e.code: e for e in epreuves}
    today = sorted((e if e.date == day else replace(e, date=day) for e in epreuves
                    if e.date <= day <= (e.last_date or e.date)), key=lambda e: e.start_dt)
    opened = [e for e in today if e.accueil_dt <= now]
    if opened and now < candidate_end(opened[-1], None, True) + timedelta(minutes=30):
        return by_code[opened[-1].code]
    return next((by_code[e.code] for e in today if now < e.accueil_dt), None)


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
    entered_elsewhere: bool = False  # the entry above was recorded by another site's server (issue 15)
    other_sites_unchecked: str | None = None  # « hors liaison depuis 10 h 12 »: other sites' entries unknown now


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
            return Verdict(PORTES_FERMEES, f"Portes fermées depuis {hhmm(closed)} : {c.display_name} n'est pas "
                           "admis(e) à composer, quel que soit le motif du retard. Refus enregistré.", "R3", data=who)
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
    temps = c.majoration(a.epreuve.code)
    extra = extra_text(candidate_end(a.epreuve, a.started_at, temps), temps)
    if a.other_sites_unchecked:  # R4 across sites: never blocks, says what could not be checked
        extra += (f" Les autres sites ne peuvent pas être vérifiés en ce moment ({a.other_sites_unchecked}) : "
                  "entrée non bloquée.")
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
    tiers_temps: Majoration = False  # R24: the candidat's extra time at this épreuve (True: a third)
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


def check_toilettes_retour(p: Presence) -> Verdict:
    """R19: back from the toilets, only for a candidate who went."""
    if p.status != "toilettes":
        return Verdict(NON_PRESENT, "Ce candidat n'est pas sorti aux toilettes.", "R19")
    return Verdict(RETOUR_ENREGISTRE, "Retour des toilettes enregistré.", "R19")


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


# --- Émargement, incidents and the end of the épreuve: the salle at work ---------------------------------

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


def check_incident(kind: str, epreuve: Epreuve, started_at: datetime | None, tiers_temps: Majoration, now: datetime,
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


def salle_end(epreuve: Epreuve, started_at: datetime | None, tiers_temps_in_salle: list[Majoration]) -> datetime:
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


# --- Oral épreuves (seed 004, « Règles générales relatives au déroulement des épreuves orales ») -----------------

EN_RETARD = "en_retard"  # R28: recorded, the jury decides
DECISION_ENREGISTREE = "decision_enregistree"
TIRAGE_ENREGISTRE = "tirage_enregistre"
PASSAGE_COMMENCE = "passage_commence"
PASSAGE_TERMINE = "passage_termine"
APPEL_ENREGISTRE = "appel_enregistre"
ABANDON_ENREGISTRE = "abandon_enregistre"  # R25
RENONCIATION_ENREGISTREE = "renonciation_enregistree"  # R32
SUJET_RENDU = "sujet_rendu"  # R31
ORAL_OK_CODES = (EN_RETARD, DECISION_ENREGISTREE, TIRAGE_ENREGISTRE, APPEL_ENREGISTRE, PASSAGE_COMMENCE,
                 PASSAGE_TERMINE, ABANDON_ENREGISTRE, RENONCIATION_ENREGISTREE, SUJET_RENDU)
OK_CODES = (*OK_CODES, *ORAL_OK_CODES)
DEUXIEME_TIRAGE = "deuxieme_tirage"  # R30
DECISION_ATTENDUE = "decision_attendue"  # R28
DEJA_DECIDE = "deja_decide"
PAS_EN_RETARD = "pas_en_retard"
ORAUX_ACHEVES = "oraux_acheves"  # R28
TIRAGE_REQUIS = "tirage_requis"  # R30
PREPARATION_EN_COURS = "preparation_en_cours"
PASSAGE_NON_COMMENCE = "passage_non_commence"
PASSAGE_DEJA_COMMENCE = "passage_deja_commence"
PASSAGE_CLOS = "passage_clos"  # passed, absent, abandoned, renounced: nothing more to record
PAS_DE_SUJETS = "pas_de_sujets"
PAS_DE_SUJET_TIRE = "pas_de_sujet_tire"  # R31: nothing to give back
SUJET_DEJA_RENDU = "sujet_deja_rendu"  # R31
DEUXIEME_TIRAGE_MESSAGE = ("Les candidats ne sont en aucun cas admis à procéder au tirage au sort d'un deuxième "
                           "sujet.")
DECISIONS_RETARD = {"vu": "sera interrogé(e)", "reporte": "passage reporté (force majeure)",
                    "absent": "noté(e) absent(e)"}
ORAL_STATES = ("attendu", "present", "en_retard", "en_preparation", "en_passage", "termine", "absent", "abandon",
               "reporte", "renonce")


@dataclass(frozen=True)
class Oral:
    """Where a candidat stands at an oral: their passage (R28), and what the journal recorded of it."""

    epreuve: Epreuve
    convoque_a: datetime  # the time on the convocation, or the one the jury moved it to (reporte_a)
    jury: str
    temps: TempsMajore | None = None  # R24
    arrived_at: datetime | None = None
    late: bool = False  # arrived after their time (R28)
    decision: str | None = None  # the jury's on a lateness: vu, absent (reporte moves convoque_a, clears arrival)
    reporte: bool = False
    tirage_at: datetime | None = None
    sujet: int | None = None
    passage_debut: datetime | None = None
    passage_fin: datetime | None = None
    abandon_at: datetime | None = None
    renonce_at: datetime | None = None
    sujet_rendu_at: datetime | None = None  # R31: « le candidat remet le sujet »

    @property
    def closed(self) -> str | None:
        """The state that ends the passage, if any."""
        if self.abandon_at:
            return "abandon"
        if self.renonce_at:
            return "renonce"
        if self.decision == "absent":
            return "absent"
        if self.passage_fin:
            return "termine"
        return None


def oral_state(o: Oral) -> str:
    """The passage's state as the jury's page shows it: attendu, present, en_retard (arrived late, the jury to
    decide), en_preparation, en_passage, termine, absent, abandon, reporte, renonce."""
    if o.closed:
        return o.closed
    if o.passage_debut:
        return "en_passage"
    if o.tirage_at:
        return "en_preparation"
    if o.arrived_at:
        return "en_retard" if o.late and o.decision is None else "present"
    return "reporte" if o.reporte else "attendu"


def oral_late(convoque_a: datetime, now: datetime) -> bool:
    """R28: « se présenter le jour et à l'heure figurant sur sa convocation »: late from the minute after it."""
    return now >= convoque_a + timedelta(minutes=1)


def orals_end(epreuve: Epreuve) -> datetime:
    """R28: when « le déroulement des épreuves orales » is « achevé »: the last day's end of the épreuve."""
    return datetime.combine(epreuve.dates[1], epreuve.start) + timedelta(minutes=epreuve.duration)


def oral_extra(epreuve: Epreuve, temps: TempsMajore | None) -> tuple[int, int]:
    """R24 at an oral: a fraction lengthens the preparation and the passage; minutes go to the preparation
    when there is one, else to the passage (salle.planning lays out the planning the same way)."""
    if temps is None:
        return 0, 0
    if temps.fraction is not None:
        return temps.minutes_for(epreuve.preparation), temps.minutes_for(epreuve.passage)
    return (temps.minutes, 0) if epreuve.preparation else (0, temps.minutes)


def preparation_end(o: Oral) -> datetime | None:
    """The preparation « préalable » runs from the draw for its duration plus the candidat's aménagement (R24)."""
    if o.tirage_at is None:
        return None
    return o.tirage_at + timedelta(minutes=o.epreuve.preparation + oral_extra(o.epreuve, o.temps)[0])


def passage_end(o: Oral) -> datetime | None:
    """The passage's end shown to the jury: its start, the passage's duration, the aménagement (R24)."""
    if o.passage_debut is None:
        return None
    return o.passage_debut + timedelta(minutes=o.epreuve.passage + oral_extra(o.epreuve, o.temps)[1])


def jury_queue(passages: list[tuple[str, Oral, datetime | None]]) -> dict:
    """R28: who waits for a jury now, from its passages by time (numéro, facts, when last called): in the waiting
    room (arrived, subject not drawn; a late one until the jury decides), in preparation (until its end, R24),
    called and not yet before the jury, before the jury, and the next to call — the first by the time « figurant
    sur sa convocation » who is neither called, nor before the jury, nor done."""
    attente, preparation, appeles, en_passage, suivant = [], [], [], None, None
    for numero, o, called_at in sorted(passages, key=lambda p: (p[1].convoque_a, p[0])):
        state = oral_state(o)
        if state in ("present", "en_retard"):
            attente.append({"numero": numero, "convoque_a": o.convoque_a, "arrivee": o.arrived_at,
                            "retard": state == "en_retard"})
        elif state == "en_preparation":
            preparation.append({"numero": numero, "fin": preparation_end(o)})
        elif state == "en_passage":
            en_passage = {"numero": numero, "fin": passage_end(o)}
        if state in ("present", "en_retard", "en_preparation") and called_at is not None:
            appeles.append({"numero": numero, "a": called_at})
        elif suivant is None and state in ("attendu", "present", "en_retard", "en_preparation", "reporte"):
            suivant = {"numero": numero, "convoque_a": o.convoque_a, "statut": state}
    appele = max(appeles, key=lambda a: a["a"]) if appeles else None
    return {"attente": attente, "preparation": preparation, "appele": appele, "en_passage": en_passage,
            "suivant": suivant}


@dataclass(frozen=True)
class OralArrival:
    """A convocation scanned at the waiting room of an oral (the same scan path as a salle door)."""

    epreuve: Epreuve
    door_salle: Salle
    candidat: Candidat | None
    oral: Oral | None  # None: no passage at this épreuve
    candidat_site: Site | None = None
    jury_label: str = ""  # « Jury 2, salle B12 »
    piece_identite: str | None = None
    seen_at: datetime | None = None  # checked by eye while the tablet was offline: the arrival's time


def check_oral_arrival(a: OralArrival, now: datetime) -> Verdict:
    """R28: « Chaque candidat doit se présenter le jour et à l'heure figurant sur sa convocation. En cas de force
    majeure … le jury examine la possibilité de l'interroger un autre jour ou à une autre heure »: a late arrival
    is recorded and shown to the jury, who decides; never refused here. R4, R1, R5/R8 as at a written épreuve."""
    c, o = a.candidat, a.oral
    if c is None:
        return Verdict(INCONNU, "Numéro inconnu pour ce concours : accès refusé. Orientez la personne vers "
                       "l'accueil.", "R4")
    who = {"candidat": c.numero}
    if o is None or not c.convoque(a.epreuve.code):
        return Verdict(NON_CONVOQUE, f"{c.display_name} n'a pas de passage à l'épreuve « {a.epreuve.label} ».",
                       "R4", data=who)
    if c.site != a.door_salle.site:
        site = a.candidat_site
        where = f"{site.name}, {site.address}" if site else c.site
        return Verdict(MAUVAIS_SITE, f"Mauvais site : {c.display_name} est convoqué(e) à {where}.", "R1", data=who)
    if o.closed:
        return Verdict(PASSAGE_CLOS, f"{c.display_name} : passage clos ({o.closed}) à cette épreuve : rien à "
                       "faire.", "R28", data=who)
    if o.arrived_at is not None:
        return Verdict(DEJA_PRESENT, f"{c.display_name} est déjà arrivé(e) à {hhmm(o.arrived_at)} : rien à faire.",
                       "R8", data=who)
    arrived = a.seen_at or now  # offline, the surveillant saw the candidat at seen_at (R28 is judged then)
    late = oral_late(o.convoque_a, arrived)
    where = {**who, "jury": o.jury, "convoque_a": o.convoque_a.isoformat(timespec="minutes")}
    if a.piece_identite is None:
        return Verdict(ADMIS, f"{c.display_name}, convoqué(e) à {hhmm(o.convoque_a)} ({a.jury_label}) : vérifiez la "
                       "pièce d'identité avec photo.", "R5", data={**where, "a_confirmer": True, "retard": late})
    if late:
        minutes = int((arrived - o.convoque_a).total_seconds() // 60)
        return Verdict(EN_RETARD, f"{c.display_name} arrive avec {minutes} min de retard (convoqué(e) à "
                       f"{hhmm(o.convoque_a)}) : arrivée enregistrée, le jury ({a.jury_label}) est prévenu et décide "
                       "s'il l'interroge. Faites patienter le candidat.", "R28",
                       data={**where, "retard_minutes": minutes})
    return Verdict(ADMIS, f"Présent(e) : {c.display_name}, passage devant {a.jury_label}, convoqué(e) à "
                   f"{hhmm(o.convoque_a)} ({PIECES_IDENTITE[a.piece_identite]}).", "R8", data=where)


def check_decision_retard(o: Oral, decision: str, nouvelle_heure: datetime | None, motif: str,
                          now: datetime) -> Verdict:
    """R28: the jury decides on a late or missing candidat: seen (« vu »), rescheduled for force majeure « sous
    réserve … que le déroulement des épreuves orales ne soit pas achevé » (« reporte », with the justification
    produced), or absent. Never once the subject is drawn."""
    state = oral_state(o)
    if o.closed or o.tirage_at is not None or o.passage_debut is not None:
        return Verdict(DEJA_DECIDE, f"Passage déjà engagé ou clos ({state}) : pas de décision de retard.", "R28")
    if o.arrived_at is None and not oral_late(o.convoque_a, now):
        return Verdict(PAS_EN_RETARD, f"Le candidat est attendu à {hhmm(o.convoque_a)} : il n'est pas encore en "
                       "retard.", "R28", allowed_from=o.convoque_a + timedelta(minutes=1))
    if o.arrived_at is not None and not o.late:
        return Verdict(PAS_EN_RETARD, "Le candidat est arrivé à l'heure : rien à décider.", "R28")
    if o.decision is not None:
        return Verdict(DEJA_DECIDE, f"Le jury a déjà décidé : {DECISIONS_RETARD[o.decision]}.", "R28")
    if decision == "vu" and o.arrived_at is None:
        return Verdict(NON_PRESENT, "Le candidat n'est pas arrivé : enregistrez d'abord son arrivée.", "R28")
    if decision == "reporte":
        end = orals_end(o.epreuve)
        if not (motif or "").strip():
            return Verdict(MOTIF_REQUIS, "Report pour force majeure : indiquez le motif et les pièces "
                           "justificatives produites.", "R28")
        if nouvelle_heure is None or nouvelle_heure <= now:
            return Verdict(HEURE_PASSEE, "Indiquez une nouvelle heure de passage à venir.", "R28")
        if now >= end or nouvelle_heure >= end:
            return Verdict(ORAUX_ACHEVES, f"Report impossible : les épreuves orales s'achèvent le "
                           f"{end:%d/%m/%Y} à {hhmm(end)}.", "R28")
        return Verdict(DECISION_ENREGISTREE, f"Passage reporté au {nouvelle_heure:%d/%m/%Y} à "
                       f"{hhmm(nouvelle_heure)}.", "R28")
    return Verdict(DECISION_ENREGISTREE, f"Décision du jury : {DECISIONS_RETARD[decision]}.", "R28")


def _not_ready(o: Oral) -> Verdict | None:
    """What keeps a candidat from the draw or the jury: not arrived, a lateness not decided, a passage closed."""
    if o.closed:
        return Verdict(PASSAGE_CLOS, f"Passage clos ({o.closed}) : rien n'est enregistré.", "R28")
    if o.arrived_at is None:
        return Verdict(NON_PRESENT, "Le candidat n'est pas enregistré comme arrivé : vérifiez d'abord son "
                       "identité (R8).", "R8")
    if o.late and o.decision is None:
        return Verdict(DECISION_ATTENDUE, "Candidat arrivé en retard : le jury décide d'abord s'il l'interroge.",
                       "R28")
    return None


def check_tirage(o: Oral) -> Verdict:
    """R30: « Les candidats sont invités à tirer au sort un sujet … devant le jury … soit devant les surveillants
    désignés » — « Les candidats ne sont en aucun cas admis à procéder au tirage au sort d'un deuxième sujet. »"""
    if o.tirage_at is not None:
        return Verdict(DEUXIEME_TIRAGE, f"{DEUXIEME_TIRAGE_MESSAGE} Sujet déjà tiré à {hhmm(o.tirage_at)} : "
                       f"n° {o.sujet}.", "R30", data={"sujet": o.sujet})
    refused = _not_ready(o)
    if refused:
        return refused
    if not o.epreuve.sujets:
        return Verdict(PAS_DE_SUJETS, "Cette épreuve n'a pas de sujets à tirer au sort (fichier de session).", "R30")
    return Verdict(TIRAGE_ENREGISTRE, "Sujet tiré au sort.", "R30")


def check_appel(o: Oral) -> Verdict:
    """The jury calls a candidat who is there (R8), whose lateness it decided (R28), before the passage starts;
    the waiting room's screen shows the numéro, never the name (R27)."""
    if o.passage_debut is not None:
        return Verdict(PASSAGE_CLOS if o.closed else PASSAGE_DEJA_COMMENCE, f"Passage déjà commencé à "
                       f"{hhmm(o.passage_debut)}.", "R28")
    refused = _not_ready(o)
    if refused:
        return refused
    return Verdict(APPEL_ENREGISTRE, "Candidat appelé : son numéro s'affiche en salle d'attente.", "R27")


def check_debut_passage(o: Oral, now: datetime) -> Verdict:
    """The jury starts the passage once the candidat is there (R8, R28), the subject drawn (R30) and the
    preparation over (its duration and the candidat's aménagement, R24)."""
    if o.passage_debut is not None:
        return Verdict(PASSAGE_CLOS if o.closed else PASSAGE_DEJA_COMMENCE, f"Passage déjà commencé à "
                       f"{hhmm(o.passage_debut)}.", "R28")
    refused = _not_ready(o)
    if refused:
        return refused
    if o.epreuve.sujets and o.tirage_at is None:
        return Verdict(TIRAGE_REQUIS, "Le candidat tire d'abord son sujet au sort.", "R30")
    end = preparation_end(o)
    if end is not None and now < end:
        return Verdict(PREPARATION_EN_COURS, f"Préparation en cours jusqu'à {hhmm(end)}.", "R24", allowed_from=end)
    return Verdict(PASSAGE_COMMENCE, "Passage commencé.", "R28")


def check_remise_sujet(o: Oral) -> Verdict:
    """R31: the candidat « remet le sujet à la fin » of the épreuve — once a subject was drawn (R30), once; at
    the passage's end as after an abandon or a renunciation (the paper goes back to the jury whatever the issue)."""
    if o.tirage_at is None:
        return Verdict(PAS_DE_SUJET_TIRE, "Aucun sujet tiré pour ce candidat : il n'a rien à rendre.", "R31")
    if o.sujet_rendu_at is not None:
        return Verdict(SUJET_DEJA_RENDU, f"Le sujet n° {o.sujet} a déjà été rendu à {hhmm(o.sujet_rendu_at)}.",
                       "R31")
    return Verdict(SUJET_RENDU, f"Sujet n° {o.sujet} rendu au jury.", "R31", data={"sujet": o.sujet})


def sujet_manquant(o: Oral) -> bool:
    """R31: a subject drawn and not given back once the passage is over (passed, abandoned, renounced): the PV
    flags it."""
    return o.tirage_at is not None and o.sujet_rendu_at is None and o.closed is not None


def check_fin_passage(o: Oral) -> Verdict:
    """The jury ends the passage it started."""
    if o.passage_debut is None:
        return Verdict(PASSAGE_NON_COMMENCE, "Le passage n'a pas commencé.", "R28")
    if o.closed:
        return Verdict(PASSAGE_CLOS, f"Passage déjà clos ({o.closed}).", "R28")
    return Verdict(PASSAGE_TERMINE, "Passage terminé.", "R28")


def check_abandon(o: Oral) -> Verdict:
    """R25: « Tout candidat qui renoncerait à passer son épreuve doit le signaler aux surveillants … et signer la
    feuille d'émargement sur laquelle sera portée, en face de son nom, la mention « abandon ». »"""
    if o.closed:
        return Verdict(PASSAGE_CLOS, f"Passage déjà clos ({o.closed}).", "R25")
    if o.arrived_at is None:
        return Verdict(NON_PRESENT, "Le candidat n'est pas enregistré comme arrivé.", "R25")
    return Verdict(ABANDON_ENREGISTRE, "Abandon enregistré : mention « abandon » sur l'émargement, signée.", "R25")


def check_renonciation(o: Oral) -> Verdict:
    """R32: « Un candidat peut renoncer à la totalité de la durée de son épreuve. Dans cette hypothèse, le jury
    mentionnera cette décision sur la fiche d'entretien, et invitera le candidat à contresigner ce document. »"""
    if o.closed:
        return Verdict(PASSAGE_CLOS, f"Passage déjà clos ({o.closed}).", "R32")
    if o.arrived_at is None:
        return Verdict(NON_PRESENT, "Le candidat n'est pas enregistré comme arrivé.", "R32")
    return Verdict(RENONCIATION_ENREGISTREE, "Renonciation notée sur la fiche d'entretien.", "R32")


AUDITEURS_ADMIS = "auditeurs_admis"  # R29
ACCORD_CANDIDAT_REQUIS = "accord_candidat_requis"
LIMITE_AUDITEURS = "limite_auditeurs"
INCIDENT_ORAL_ENREGISTRE = "incident_oral_enregistre"  # R31, R33
DECISION_FRAUDE_REQUISE = "decision_fraude_requise"
OK_CODES = (*OK_CODES, AUDITEURS_ADMIS, INCIDENT_ORAL_ENREGISTRE)
# What goes wrong at an oral, for the PV: code -> (label, rule).
ORAL_INCIDENTS = {
    "communication": ("Communication pendant la préparation ou le passage", "R31"),
    "documents": ("Documents ou brouillons non remis par l'organisateur", "R31"),
    "exterieur": ("Communication avec l'extérieur", "R31"),
    "ecouteurs": ("Écouteurs", "R31"),
    "enregistrement": ("Enregistrement de l'épreuve par le candidat", "R31"),
    "sujet_non_rendu": ("Sujet non restitué au jury", "R31"),
    "fraude": ("Fraude", "R33"),
    "anomalie": ("Anomalie dans le déroulement", "R23"),
}
FRAUD_DECISIONS = {"averee": "fraude avérée : éviction du candidat et note de zéro à l'épreuve",
                   "non_averee": "fraude non avérée : le candidat poursuit"}


def check_auditeurs(o: Oral, nombre: int, accord_candidat: bool, limite: int | None) -> Verdict:
    """R29: « L'accès de tierces personnes étrangères au concours (auditeurs) est admis par le jury, sous réserve
    … de l'accord du candidat à l'épreuve duquel l'auditeur assistera … le jury peut limiter le nombre de personnes
    ainsi autorisées à assister simultanément »."""
    if o.closed:
        return Verdict(PASSAGE_CLOS, f"Passage clos ({o.closed}) : pas d'auditeurs.", "R29")
    if not accord_candidat:
        return Verdict(ACCORD_CANDIDAT_REQUIS, "Les auditeurs n'assistent qu'avec l'accord du candidat.", "R29")
    if limite is not None and nombre > limite:
        return Verdict(LIMITE_AUDITEURS, f"Le jury limite les auditeurs à {limite} à la fois.", "R29")
    return Verdict(AUDITEURS_ADMIS, f"{nombre} auditeur(s) admis par le jury, avec l'accord du candidat.", "R29")


def check_incident_oral(o: Oral, kind: str, decision: str | None) -> Verdict:
    """R31 (« il est strictement interdit aux candidats de communiquer entre eux et d'utiliser des documents … »;
    the subject given back; « aucun enregistrement »), R33: « Les membres du jury statuent sur les cas de fraude
    … En cas de fraude avérée, le jury décide de l'éviction du candidat … et de l'attribution de la note de
    zéro »: a fraud is recorded with the jury's decision."""
    label, rule = ORAL_INCIDENTS[kind]
    if kind == "fraude" and decision not in FRAUD_DECISIONS:
        return Verdict(DECISION_FRAUDE_REQUISE, "Fraude : le jury statue — avérée (éviction, note de zéro) ou non "
                       "avérée.", "R33")
    if kind != "fraude" and o.arrived_at is None and not o.closed:  # a fraud may be reported by the organiser
        return Verdict(NON_PRESENT, "Le candidat n'est pas enregistré comme arrivé.", rule)
    return Verdict(INCIDENT_ORAL_ENREGISTRE, f"{label} : consigné au procès-verbal"
                   + (f" ({FRAUD_DECISIONS[decision]})." if kind == "fraude" else "."), rule)
