"""`salle devices`: list the configured hardware and whether it answers, test-print a ticket, test-scan codes."""

from __future__ import annotations

import threading
import time
from datetime import datetime
from urllib.parse import quote

import click

from devices.config import DeviceConfigError, DevicesConfig, default_config_path, load_config
from devices.inventory import (
    describe_printer,
    describe_scanner,
    make_scanner,
    probe_printer,
    probe_relay,
    probe_scanner,
)
from devices.printing.faults import PrinterFault
from devices.printing.printer import TicketPrinter
from devices.printing.ticket import test_ticket
from devices.serial_link import SERIAL_ERRORS, PortBusy, close_quietly, open_serial


@click.group("devices", invoke_without_command=True)
@click.option("--config", "config_path", type=click.Path(dir_okay=False), default=None,
              help="Fichier de configuration des appareils (défaut : $SALLE_DEVICES ou devices.toml).")
@click.pass_context
def devices(ctx: click.Context, config_path: str | None) -> None:
    """Imprimantes, lecteurs de codes-barres et relais de porte du site."""
    try:
        ctx.obj = load_config(config_path or default_config_path())
    except DeviceConfigError as exc:
        raise click.ClickException(exc.message) from None
    if ctx.invoked_subcommand is None:
        ctx.invoke(list_devices)


@devices.command("list")
@click.pass_obj
def list_devices(config: DevicesConfig) -> None:
    """Liste les appareils configurés et indique s'ils répondent."""
    click.echo(f"Configuration : {config.source}")
    sections = [
        ("Imprimantes", config.printers, describe_printer, probe_printer),
        ("Lecteurs", config.scanners, describe_scanner, probe_scanner),
        ("Relais de porte", config.relays, lambda c: f"série {c.url}", probe_relay),
    ]
    for title, items, describe, probe in sections:
        click.echo(f"{title} :")
        if not items:
            click.echo("  (aucun)")
        for name, item in items.items():
            ok, state = probe(item)
            click.echo(f"  {'✔' if ok else '✘'} {name} — {describe(item)} — {state}")


@devices.command("test-print")
@click.option("--printer", "name", default=None, help="Nom de l'imprimante (défaut : la première).")
@click.pass_obj
def test_print(config: DevicesConfig, name: str | None) -> None:
    """Imprime un ticket de convocation d'essai."""
    printer_config = _pick(config.printers, name, "imprimante", "--printer")
    try:
        size = TicketPrinter(printer_config).print_ticket(test_ticket())
    except PrinterFault as fault:
        raise click.ClickException(f"{printer_config.name} : {fault.message}") from None
    click.echo(f"Ticket d'essai envoyé à {printer_config.name} ({size} octets).")


@devices.command("test-scan")
@click.option("--scanner", "name", default=None, help="Nom du lecteur (défaut : le premier).")
@click.option("--count", type=click.IntRange(min=1), default=None, help="S'arrêter après ce nombre de codes.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=None,
              help="S'arrêter après ce nombre de secondes (défaut : Ctrl-C).")
@click.option("--serveur", "server_url", default="http://127.0.0.1:8000", envvar="SALLE_SERVEUR", show_default=True,
              help="Le serveur Salle qui tient le port, quand il tourne ($SALLE_SERVEUR).")
@click.option("--code", "staff_code", default=None, envvar="SALLE_CODE",
              help="Code personnel d'un responsable ou d'un admin pour lire à travers le serveur ($SALLE_CODE ; "
                   "demandé sinon).")
@click.pass_obj
def test_scan(config: DevicesConfig, name: str | None, count: int | None, timeout: float | None,
              server_url: str, staff_code: str | None) -> None:
    """Affiche les codes lus par un lecteur, au fil de l'eau (à travers le serveur s'il tient le port)."""
    scanner_config = _pick(config.scanners, name, "lecteur", "--scanner")
    if scanner_config.kind == "serial":
        try:
            close_quietly(open_serial(scanner_config.url, scanner_config.baudrate, timeout=0.2))
        except PortBusy as busy:
            click.echo(f"{busy} ; lecture à travers le serveur {server_url}.", err=True)
            return _scan_through_server(scanner_config.name, server_url, staff_code, count, timeout)
        except SERIAL_ERRORS:
            pass  # the scanner's own loop says why and keeps trying
    done = threading.Event()
    codes: list[str] = []

    def show(code: str) -> None:
        codes.append(code)
        click.echo(f"{datetime.now():%H:%M:%S} {code}")
        if count and len(codes) >= count:
            done.set()

    def status(online: bool, message_fr: str) -> None:
        click.echo(message_fr, err=True)

    scanner = make_scanner(scanner_config, show, status)
    where = f"{scanner_config.name} ({describe_scanner(scanner_config)})"
    click.echo(f"Lecture sur {where} ; Ctrl-C pour arrêter.", err=True)
    scanner.start()
    try:
        _wait(done, scanner, timeout)
    except KeyboardInterrupt:
        pass
    finally:
        scanner.stop()
    click.echo(f"{len(codes)} code(s) lu(s).", err=True)


def _scan_through_server(name: str, url: str, staff_code: str | None, count: int | None,
                         timeout: float | None) -> None:
    """Show the codes the server's scanner `name` reads (GET /api/v1/appareils/lectures), as test-scan does."""
    from salle.client import ApiClient, ApiError

    client = ApiClient(url, timeout=5)
    code = staff_code or click.prompt("Code personnel (responsable ou admin)", hide_input=True)
    try:
        client.login(code, device="salle devices test-scan")
        last = client.get("/api/v1/appareils/lectures?apres=0")["dernier"]  # only what is read from now on
    except ApiError as exc:
        raise click.ClickException(f"Serveur {url} : {exc.body.get('erreur', {}).get('message', exc.status)}") from None
    except OSError:
        raise click.ClickException(f"Serveur {url} injoignable : indiquez-le avec --serveur.") from None
    click.echo(f"Lecture sur {name} à travers le serveur ; Ctrl-C pour arrêter.", err=True)
    shown, started = 0, time.monotonic()
    try:
        while (count is None or shown < count) and (timeout is None or time.monotonic() - started < timeout):
            answer = client.get(f"/api/v1/appareils/lectures?apres={last}&lecteur={quote(name)}")
            for read in answer["lectures"]:
                shown += 1
                click.echo(f"{read['heure'][11:19]} {read['code']}  ({read['verdict'] or '…'}, salle {read['salle']})")
                if count and shown >= count:
                    break
            last = answer["dernier"]
            time.sleep(0.2)
    except KeyboardInterrupt:
        pass
    except (ApiError, OSError):
        raise click.ClickException(f"Serveur {url} perdu pendant la lecture.") from None
    click.echo(f"{shown} code(s) lu(s).", err=True)


def _wait(done: threading.Event, scanner, timeout: float | None) -> None:
    """Until enough codes, the timeout, or the end of a video file."""
    waited = 0.0
    while not done.is_set() and (timeout is None or waited < timeout) and scanner.running:
        step = 0.05 if timeout is None else min(0.05, timeout - waited)
        done.wait(step)
        waited += step


def _pick(items: dict, name: str | None, what: str, option: str):
    if not items:
        raise click.ClickException(f"Aucun(e) {what} dans la configuration.")
    if name is None:
        return next(iter(items.values()))
    if name not in items:
        raise click.ClickException(f"{what.capitalize()} « {name} » inconnu(e) ; {option} parmi : {', '.join(items)}.")
    return items[name]
