"""The borne's tickets, each composed once against python-escpos's base class: the replacement convocation (R6,
R26) and the attestation de présence of a candidat who has left (issue 14)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from escpos.escpos import Escpos
from escpos.exceptions import Error as EscposError
from escpos.printer import Dummy

from salle.errors import Invalide

# Code pages that print French accents and €, best first, when the configured one is missing.
FRENCH_CODEPAGES = ("CP1252", "CP858", "ISO_8859-15")
REPLACEMENT_LINE = "Document de remplacement — borne d'accueil"


class TicketInvalide(Invalide):
    """A ticket the printer cannot print whatever its state (e.g. a barcode payload outside Code 128)."""

    code = "ticket_invalide"


@dataclass(frozen=True)
class ConvocationTicket:
    concours_label: str
    epreuve_label: str
    epreuve_date: str
    numero: str
    nom: str
    prenom: str
    site_name: str
    site_address: str
    salle_label: str
    salle_access: str
    place: str
    convocation_time: str
    barcode_payload: str

    WHAT = "Convocation"

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "ConvocationTicket":
        return cls(**{name: str(data[name]) for name in cls.__dataclass_fields__})


@dataclass(frozen=True)
class AttestationTicket:
    """An attestation de présence on the borne's paper: who, which épreuves with their times, who attests."""

    autorite: str
    concours_label: str
    jour: str
    numero: str
    nom: str
    prenom: str
    date_naissance: str
    lignes: tuple[str, ...]  # one per épreuve: « label — site, arrivée 8 h 40, départ 12 h 05 »
    fait_a: str  # « Fait à Pantin, le jeudi 18 mars 2027 »
    signataire: str
    qualite: str

    DOCUMENT = "attestation"
    WHAT = "Attestation de présence"

    def to_dict(self) -> dict:
        return {**asdict(self), "lignes": list(self.lignes), "document": self.DOCUMENT}

    @classmethod
    def from_dict(cls, data: dict) -> "AttestationTicket":
        fields = {name: str(data[name]) for name in cls.__dataclass_fields__ if name != "lignes"}
        return cls(**fields, lignes=tuple(str(line) for line in data["lignes"]))


def ticket_from_dict(data: dict):
    """The ticket a stored job holds: an attestation when it says so, else a convocation (jobs stored before
    issue 14 say nothing)."""
    if data.get("document") == AttestationTicket.DOCUMENT:
        return AttestationTicket.from_dict(data)
    return ConvocationTicket.from_dict(data)


def pinned_codepage(printer: Escpos, wanted: str = "CP1252") -> str | None:
    """`wanted` if the printer's profile has it, else the first French-capable one it has."""
    available = set(printer.profile.get_code_pages())
    for name in (wanted, *FRENCH_CODEPAGES):
        if name in available:
            return name
    return None


def compose_convocation(printer: Escpos, t: ConvocationTicket, *, codepage: str = "CP1252") -> None:
    """Write the ticket to `printer`: text in one pinned code page, native Code 128 (and QR when the profile has it)."""
    printer.hw("INIT")
    printer.magic.encoding = None  # ESC @ reset the printer's table: make the next charcode emit ESC t
    pinned = pinned_codepage(printer, codepage)
    printer.charcode(pinned or "AUTO")
    columns = printer.profile.get_columns("a")

    _style(printer, align="center", bold=True)
    printer.textln(t.concours_label)
    printer.textln(t.epreuve_label)
    _style(printer, align="center")
    printer.textln(t.epreuve_date)
    printer.textln("-" * columns)
    _style(printer, align="center", bold=True)
    printer.textln("CONVOCATION")
    _style(printer, align="left")
    printer.textln(f"{t.nom.upper()} {t.prenom}")
    printer.textln("N° d'inscription :")
    _style(printer, align="center", bold=True, custom_size=True, width=3, height=3)
    printer.textln(t.numero)  # R26: large and readable
    _style(printer, align="left")
    printer.textln(f"Site : {t.site_name}")
    printer.textln(t.site_address)
    printer.textln(f"Salle : {t.salle_label} — {t.salle_access}")
    _style(printer, align="left", bold=True)
    printer.textln(f"Place : {t.place}")
    printer.textln(f"Convocation à : {t.convocation_time}")
    _style(printer, align="center")
    printer.ln()
    printer.barcode("{B" + t.barcode_payload, "CODE128", height=80, width=2, pos="BELOW", function_type="B")
    if printer.profile.supports("qrCode"):
        printer.qr(t.barcode_payload, size=5, native=True)
    _style(printer, align="center")
    printer.textln(REPLACEMENT_LINE)
    printer.cut()


def compose_attestation(printer: Escpos, t: AttestationTicket, *, codepage: str = "CP1252") -> None:
    """Write an attestation de présence to `printer`, in one pinned code page (no barcode)."""
    printer.hw("INIT")
    printer.magic.encoding = None
    pinned = pinned_codepage(printer, codepage)
    printer.charcode(pinned or "AUTO")
    columns = printer.profile.get_columns("a")
    _style(printer, align="center", bold=True)
    printer.textln(t.autorite)
    _style(printer, align="center")
    printer.textln(t.concours_label)
    printer.textln("-" * columns)
    _style(printer, align="center", bold=True, double_height=True)
    printer.textln("ATTESTATION DE PRÉSENCE")
    _style(printer, align="left")
    printer.textln(f"{t.signataire}, {t.qualite}," if t.signataire else "L'autorité organisatrice")
    printer.textln("atteste que")
    _style(printer, align="left", bold=True)
    printer.textln(f"{t.nom.upper()} {t.prenom}")
    _style(printer, align="left")
    printer.textln(f"né(e) le {t.date_naissance}, n° d'inscription {t.numero},")
    printer.textln(f"était présent(e) le {t.jour} :")
    for line in t.lignes:
        printer.textln(f"- {line}")
    printer.ln()
    printer.textln(t.fait_a + ".")
    _style(printer, align="right", bold=True)
    printer.textln(t.qualite or "L'autorité organisatrice")
    _style(printer, align="right")
    printer.textln(t.signataire)
    _style(printer, align="center")
    printer.ln()
    printer.textln("Imprimée à la borne d'accueil")
    printer.cut()


def _style(printer: Escpos, **settings) -> None:
    printer.set_with_default(**settings)


def ticket_bytes(t: ConvocationTicket | AttestationTicket, *, profile: str | None = None,
                 codepage: str = "CP1252") -> bytes:
    """The ESC/POS bytes of a ticket, composed on a Dummy printer with `profile`; TicketInvalide if impossible."""
    dummy = Dummy(profile=profile)
    if isinstance(t, AttestationTicket):
        try:
            compose_attestation(dummy, t, codepage=codepage)
        except EscposError as exc:
            raise TicketInvalide(f"Attestation {t.numero} impossible à imprimer ({type(exc).__name__}).") from exc
        return dummy.output
    try:
        compose_convocation(dummy, t, codepage=codepage)
    except EscposError as exc:
        raise TicketInvalide(
            f"Convocation {t.numero} impossible à imprimer : le code « {t.barcode_payload} » "
            f"ne peut pas être imprimé en Code 128 ({type(exc).__name__}).",
        ) from exc
    return dummy.output


INTERRUPTED_LINE = "*** TICKET INTERROMPU ***"


def interrupted_marker(*, profile: str | None = None) -> bytes:
    """What ends a ticket cut in the middle, before the full one is printed again: a few blank lines (the
    printer may still hold half a line), « TICKET INTERROMPU », why, and a cut; ASCII only, any code page."""
    dummy = Dummy(profile=profile)
    dummy._raw(b"\n\n")
    dummy.set_with_default(align="center", bold=True, double_height=True)
    dummy.textln(INTERRUPTED_LINE)
    dummy.set_with_default(align="center")
    dummy.textln("Ticket incomplet : ne pas le remettre.")
    dummy.textln("Le ticket complet suit.")
    dummy.cut()
    return dummy.output


def test_ticket() -> ConvocationTicket:
    """A sample ticket for `salle devices test-print`."""
    return ConvocationTicket(
        concours_label="Concours d'attaché territorial — essai",
        epreuve_label="Note de synthèse (épreuve d'essai)",
        epreuve_date="jeudi 3 décembre 2026",
        numero="2026000000",
        nom="Essai",
        prenom="Impression",
        site_name="Centre d'examens",
        site_address="12 rue de l'Église, 75000 Paris",
        salle_label="Salle 101",
        salle_access="bâtiment B, 1er étage",
        place="1",
        convocation_time="08:00",
        barcode_payload="2026000000",
    )
