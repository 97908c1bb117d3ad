"""`salle devices`: list the configured hardware and whether it answers, test-print a ticket, test-scan codes."""

from __future__ import annotations

import threading
from datetime import datetime

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
@click.pass_obj
def test_scan(config: DevicesConfig, name: str | None, count: int | None, timeout: float | None) -> None:
    """Affiche les codes lus par un lecteur, au fil de l'eau."""
    scanner_config = _pick(config.scanners, name, "lecteur", "--scanner")
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
