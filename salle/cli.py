"""The `salle` command: set up the day, import candidats, serve, verify the journal, export and purge, run the
demo."""

from __future__ import annotations

import sqlite3
import sys
from datetime import datetime
from pathlib import Path

import click

from .clock import RehearsalClock, SystemClock
from .errors import SalleError

DB = click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), envvar="SALLE_DB",
                  default="salle.db", show_default=True, help="Fichier SQLite du jour d'examen.")


def fail(exc: SalleError):
    click.echo(f"Erreur : {exc.message}", err=True)
    sys.exit(2)


def open_day(db_path: Path, clock=None):
    from .day import ExamDay

    if not db_path.exists():
        fail(SalleError(f"{db_path} n'existe pas : lancez d'abord « salle init SESSION.toml --db {db_path} »."))
    return ExamDay(db_path, clock or SystemClock())


@click.group()
def main():
    """Salle : le jour d'examen (accueil, salles, émargement, procès-verbal)."""


@main.command()
@click.argument("session_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@DB
@click.option("--force", is_flag=True, help="Remplacer un fichier existant.")
def init(session_file: Path, db_path: Path, force: bool):
    """Créer un fichier SQLite neuf à partir d'un fichier de session TOML."""
    from .day import ExamDay
    from .session_file import load_session

    try:
        load_session(session_file)  # check before touching anything
    except SalleError as exc:
        fail(exc)
    if db_path.exists():
        if not force:
            fail(SalleError(f"{db_path} existe déjà : choisissez un autre fichier ou ajoutez --force."))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    day = ExamDay(db_path, SystemClock())
    try:
        session = day.load_session(session_file.read_text(encoding="utf-8"))
    finally:
        day.close()
    click.echo(f"{db_path} créé : {session.concours.label}, {len(session.epreuves)} épreuve(s), "
               f"{len(session.sites)} site(s), {len(session.salles)} salle(s).")


@main.group("import")
def import_group():
    """Importer des données du système d'inscription."""


@import_group.command("candidats")
@click.argument("csv_file", type=click.Path(dir_okay=False, path_type=Path))
@DB
def import_candidats_cmd(csv_file: Path, db_path: Path):
    """Importer les candidats d'un fichier CSV (UTF-8 ou Windows-1252, « ; » ou « , »)."""
    from .importing import import_candidats, read_file

    day = open_day(db_path)
    try:
        report = import_candidats(day, read_file(csv_file), csv_file.name)
    except SalleError as exc:
        fail(exc)
    finally:
        day.close()
    for line in report.lines():
        click.echo(line)


def parse_clock(value: str | None, speed: float):
    if not value:
        return SystemClock()
    try:
        start = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter("heure attendue au format 2027-03-18T08:10", param_hint="--clock")
    if speed <= 0:
        raise click.BadParameter("la vitesse doit être positive", param_hint="--speed")
    try:
        return RehearsalClock(start, speed)  # a time with an offset is converted to the server's local time
    except ValueError:
        raise click.BadParameter("heure de répétition hors des années 2000 à 2199", param_hint="--clock")


@main.command()
@DB
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--clock", "clock_start", default=None, help="Répétition : démarrer l'horloge à cette heure "
              "(2027-03-18T08:10).")
@click.option("--speed", default=1.0, show_default=True, type=float, help="Répétition : vitesse de l'horloge.")
@click.option("--threads", default=256, show_default=True, type=int, help="Connexions simultanées (tablettes).")
@click.option("--devices", "devices_path", default=None, envvar="SALLE_DEVICES",
              type=click.Path(dir_okay=False, path_type=Path), help="devices.toml : lecteurs et relais à lancer.")
def serve(db_path: Path, host: str, port: int, clock_start: str | None, speed: float, threads: int,
          devices_path: Path | None):
    """Servir l'API, les pages et le direct sur le réseau local."""
    from .server import serve as run
    from .web import create_app

    if not db_path.exists():
        fail(SalleError(f"{db_path} n'existe pas : lancez d'abord « salle init »."))
    devices = None
    if devices_path:
        from devices.config import load_config

        try:
            devices = load_config(devices_path)
        except SalleError as exc:
            fail(exc)
    clock = parse_clock(clock_start, speed)
    mode = f"RÉPÉTITION (horloge simulée depuis {clock_start}, vitesse ×{speed:g})" if clock.rehearsal else "réel"
    click.echo(f"Salle sur http://{host}:{port}/ — mode {mode}", err=True)
    run(lambda: create_app({"DB_PATH": str(db_path), "CLOCK": clock, "DEVICES": devices}), host=host, port=port,
        threads=threads)


@main.command()
@DB
def reconstruire(db_path: Path):
    """Refaire les tables dérivées (présences, portes, alertes…) à partir du journal, le serveur arrêté : pour le
    jour où l'une d'elles est mise en doute. Le journal lui-même n'est pas touché."""
    import time

    import sqlite_utils

    from .journal import connect, verify_chain
    from .state import rebuild

    if not db_path.exists():
        fail(SalleError(f"{db_path} n'existe pas."))
    conn = connect(db_path)
    try:
        ok, message, _ = verify_chain(db_path)
        if not ok:
            fail(SalleError(f"Journal altéré, rien n'a été reconstruit : {message}"))
        started = time.monotonic()
        try:
            count = rebuild(sqlite_utils.Database(conn))
        except sqlite3.OperationalError as exc:
            fail(SalleError(f"Le fichier est occupé (le serveur tourne-t-il ?) : rien n'a été reconstruit ({exc})."))
    finally:
        conn.close()
    click.echo(f"{count} événements rejoués en {time.monotonic() - started:.1f} s : les tables dérivées sont à jour.")


@main.command()
@DB
def verify(db_path: Path):
    """Vérifier la chaîne de hachage du journal : nomme le premier événement modifié."""
    from .journal import verify_chain

    if not db_path.exists():
        fail(SalleError(f"{db_path} n'existe pas."))
    ok, message, _ = verify_chain(db_path)
    click.echo(message)
    sys.exit(0 if ok else 1)


@main.command()
@DB
@click.option("--devices", "devices_path", default=None, envvar="SALLE_DEVICES",
              type=click.Path(dir_okay=False, path_type=Path), help="devices.toml (défaut : $SALLE_DEVICES).")
@click.option("--serveur", "server_url", default="http://127.0.0.1:8000", envvar="SALLE_SERVEUR", show_default=True,
              help="Le serveur du site : s'il tourne, la vérification passe par lui (il tient les appareils).")
@click.option("--code", "staff_code", default=None, envvar="SALLE_CODE",
              help="Code personnel d'un responsable ou d'un admin, quand le serveur tourne ($SALLE_CODE ; demandé "
                   "sinon).")
@click.option("--sans-impression", is_flag=True, help="Ne pas imprimer de ticket d'essai.")
@click.option("--attendre-scan", "scan_wait", default=10.0, show_default=True, type=click.FloatRange(0, 20),
              help="Secondes laissées pour scanner le ticket d'essai (code 2026000000) à chaque lecteur.")
def verifier(db_path: Path, devices_path: Path | None, server_url: str, staff_code: str | None,
             sans_impression: bool, scan_wait: float):
    """Vérification du matin : le site est-il prêt à ouvrir ses portes ? (moins de 30 s)"""
    from .client import ApiClient, ApiError
    from .preflight import Point, Report, run

    client = ApiClient(server_url, timeout=40)
    try:
        client.request("GET", "/api/v1/health", check=False)
        server_up = True
    except OSError:
        server_up = False
    if server_up:
        code = staff_code or click.prompt("Code personnel (responsable ou admin)", hide_input=True)
        try:
            client.login(code, device="salle verifier")
            answer = client.post("/api/v1/verification", {"imprimer": not sans_impression, "attendre_scan": scan_wait})
        except ApiError as exc:
            fail(SalleError(f"serveur {server_url} : {exc.body.get('erreur', {}).get('message', exc.status)}"))
        report = Report(answer["pret"], [Point(**p) for p in answer["points"]], answer["duree_s"])
        click.echo(f"Vérification par le serveur {server_url} :")
    else:
        probe = None
        if devices_path and devices_path.exists():
            from devices.config import load_config
            from devices.inventory import LocalProbe

            try:
                probe = LocalProbe(load_config(devices_path))
            except SalleError as exc:
                fail(exc)
        day = open_day(db_path)
        try:
            report = run(day, probe, print_test=not sans_impression, scan_wait=scan_wait,
                         server_problem=f"ne répond pas sur {server_url} : les tablettes et la borne ne peuvent "
                                        "pas travailler")
        finally:
            day.close()
        click.echo(f"Vérification sans serveur ({db_path}) :")
    click.echo(report.text())
    sys.exit(0 if report.pret else 1)


@main.command()
@click.option("--dir", "workdir", type=click.Path(file_okay=False, path_type=Path), default=Path("demo-day"),
              show_default=True, help="Dossier où écrire la session, les candidats et la base de démonstration.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--speed", default=1.0, show_default=True, type=float, help="Vitesse de l'horloge simulée.")
@click.option("--candidats", "count", default=300, show_default=True, type=int)
@click.option("--duration", default=0.0, type=float, help="Arrêter après ce nombre de secondes (0 : jamais).")
def demo(workdir: Path, host: str, port: int, speed: float, count: int, duration: float):
    """Une journée de démonstration : session, ~300 candidats, serveur en répétition, scans simulés."""
    from .demo import run_demo

    run_demo(workdir, host=host, port=port, speed=speed, count=count, duration=duration)


@main.command()
@DB
@click.option("--epreuve", required=True, help="Code de l'épreuve (E1).")
@click.option("--site", default=None, help="Code du site (par défaut : tous).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=Path("pv.pdf"),
              show_default=True)
def pv(db_path: Path, epreuve: str, site: str | None, output: Path):
    """Écrire le procès-verbal de l'épreuve (PDF) à partir du journal."""
    from .pv import build_pv

    day = open_day(db_path)
    try:
        output.write_bytes(build_pv(day, epreuve, site))
    except SalleError as exc:
        fail(exc)
    finally:
        day.close()
    click.echo(f"Procès-verbal écrit dans {output}.")


def _session_and_candidats(db_path: Path):
    from .day import candidat_from_row

    day = open_day(db_path)
    try:
        rows = day.journal.query("SELECT * FROM candidats ORDER BY numero")
        return day.session, [candidat_from_row(r) for r in rows]
    finally:
        day.close()


@main.command()
@DB
@click.option("-o", "--output", "folder", type=click.Path(file_okay=False, path_type=Path),
              default=Path("convocations"), show_default=True, help="Dossier des convocations.")
@click.option("--workers", default=0, type=int, help="Processus (0 : selon les cœurs).")
def convocations(db_path: Path, folder: Path, workers: int):
    """Écrire les convocations (un PDF par candidat et par jour, code-barres et QR), leur ZIP et leur index ;
    à la génération suivante dans le même dossier, la liste de celles à renvoyer."""
    from .documents.convocations import write_all

    session, candidats = _session_and_candidats(db_path)

    def progress(done: int, total: int):
        click.echo(f"\r  {done}/{total} convocations…", nl=done == total, err=True)

    try:
        summary = write_all(session, candidats, folder, workers, progress)
    except SalleError as exc:
        fail(exc)
    click.echo(summary.french())


@main.command()
@DB
@click.option("-o", "--output", "folder", type=click.Path(file_okay=False, path_type=Path),
              default=Path("affichage"), show_default=True, help="Dossier des documents à afficher.")
def affichage(db_path: Path, folder: Path):
    """Écrire les listes à afficher à l'entrée de chaque site, les étiquettes de porte et les étiquettes de table."""
    from .documents import affichage as docs

    session, candidats = _session_and_candidats(db_path)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for site in session.sites:
        for name, data in ((f"liste-{site.code}.pdf", docs.site_list(session, site.code, candidats)),
                           (f"portes-{site.code}.pdf", docs.door_labels(session, site.code, candidats))):
            (folder / name).write_bytes(data)
            written.append(name)
    for salle in session.salles:
        name = f"tables-{salle.code}.pdf"
        (folder / name).write_bytes(docs.table_labels(session, salle, candidats))
        written.append(name)
    click.echo(f"{len(written)} document(s) écrit(s) dans {folder} : listes à afficher par site, étiquettes de "
               f"porte par site, étiquettes de table par salle ({len(candidats)} candidats).")


@main.command()
@DB
@click.option("-o", "--output", "directory", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
              show_default=True, help="Dossier où écrire l'archive.")
def export(db_path: Path, directory: Path):
    """Exporter la journée dans une archive ZIP : journal, candidats, émargements, procès-verbaux."""
    from .export import check_archive, export_day

    day = open_day(db_path)
    try:
        archive = export_day(day, directory)
    except SalleError as exc:
        fail(exc)
    finally:
        day.close()
    checked = check_archive(archive)  # read back what was written
    click.echo(f"Export écrit dans {archive} : {checked.events} événements, tête de chaîne {checked.head}.")


@main.command()
@DB
@click.option("--export", "archive", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="L'archive écrite par « salle export » pour ce fichier.")
@click.option("--oui", is_flag=True, help="Ne pas demander de confirmation.")
def purge(db_path: Path, archive: Path, oui: bool):
    """Supprimer le fichier du jour (données personnelles, R27) après avoir vérifié son export."""
    from .export import check_archive, purge as purge_day

    try:
        check_archive(archive)
        if not oui:
            answer = click.prompt(f"Supprimer définitivement {db_path} ? (o/n)", default="n", show_default=False)
            if answer.strip().lower() not in ("o", "oui"):
                click.echo("Rien n'est supprimé.")
                sys.exit(1)
        click.echo(purge_day(db_path, archive))
    except SalleError as exc:
        fail(exc)


def _register_optional_groups():
    try:
        from devices.cli import devices
    except ImportError:
        return
    main.add_command(devices)


_register_optional_groups()
