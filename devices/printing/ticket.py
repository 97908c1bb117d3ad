"""The replacement convocation ticket, composed once against python-escpos's base class (R6, R26)."""

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

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "ConvocationTicket":
        return cls(**{name: str(data[name]) for name in cls.__dataclass_fields__})


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


def _style(printer: Escpos, **settings) -> None:
    printer.set_with_default(**settings)


def ticket_bytes(t: ConvocationTicket, *, profile: str | None = None, codepage: str = "CP1252") -> bytes:
    """The ESC/POS bytes of a ticket, composed on a Dummy printer with `profile`; TicketInvalide if impossible."""
    dummy = Dummy(profile=profile)
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
