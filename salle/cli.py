"""The `salle` command: set up the day, import candidats, serve, verify the journal, export and purge, run the
demo."""

from __future__ import annotations

import importlib
import re
import signal
import socket
import sqlite3
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import click

from . import cli_french
from .clock import RehearsalClock, SystemClock
from .errors import SalleError

cli_french.install()  # click's own messages (a mistyped command, a missing argument) in French

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


class Commands(click.Group):
    """`salle devices …` is imported when it is asked for (or listed): its drivers (python-escpos's printer
    profiles, OpenCV) took 0.6 s of the 0.9 s every other command took to start."""

    ELSEWHERE = {"devices": ("devices.cli", "devices")}

    def list_commands(self, ctx):
        return sorted({*super().list_commands(ctx), *self.ELSEWHERE})

    def get_command(self, ctx, name):
        if name in self.ELSEWHERE and name not in self.commands:
            module, attribute = self.ELSEWHERE[name]
            try:
                return getattr(importlib.import_module(module), attribute)
            except ImportError:  # devices/ not installed with this copy
                return None
        return super().get_command(ctx, name)


@click.group(cls=Commands)
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
        report = import_candidats(day, read_file(csv_file), csv_file.name,
                                  progress=lambda line: click.echo(line, err=True))
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


CERTIFICATE = click.option(
    "--certificat", "certificate", default=None, type=click.Path(dir_okay=False, path_type=Path),
    help="Servir en https avec ce certificat (et sa clé, un seul fichier, fait par « salle certificat-web ») ; par "
         "défaut <site>-web.pem à côté du fichier du jour s'il y est.")


def site_code(site: str) -> str:
    """A site's code typed at the siège (letters, digits, - and _), else a French message and exit."""
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,40}", site):
        fail(SalleError(f"Code de site illisible : « {site} » (lettres, chiffres, - et _)."))
    return site


def web_certificate(db_path: Path, given: Path | None, reseau) -> Path | None:
    """The certificate the pages are served with over https: `given`, else `<site>-web.pem` beside the day's file
    when the session names its site and the file is there; None: http. A file that is not a usable certificate
    stops the start with a French message (nothing served on a half-made https)."""
    from .reseau.tls import check_web_cert, web_cert_name

    path = given or (db_path.parent / web_cert_name(reseau.site) if reseau is not None else None)
    if path is None or (given is None and not path.exists()):
        return None
    if not path.exists():
        fail(SalleError(f"{path} n'existe pas : faites le certificat au siège avec « salle certificat-web »."))
    problem = check_web_cert(path)
    if problem:
        fail(SalleError(problem))
    return path


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
@CERTIFICATE
def serve(db_path: Path, host: str, port: int, clock_start: str | None, speed: float, threads: int,
          devices_path: Path | None, certificate: Path | None):
    """Servir l'API, les pages et le direct sur le réseau local."""
    from .server import serve as run
    from .session_file import parse_session
    from .web.app import create_app

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
    toml = _session_text(db_path)
    # https or not, said before anything starts
    certificate = web_certificate(db_path, certificate, parse_session(toml).reseau if toml else None)
    nats, reseau = site_nats_server(db_path)
    network = None
    if reseau is not None:  # the publication and the other sites' reader, beside the server (salle/reseau/service.py)
        network = subprocess.Popen([sys.executable, "-m", "salle", "reseau", "--db", str(db_path)]
                                   + (["--clock", clock_start, "--speed", str(speed)] if clock_start else []),
                                   preexec_fn=_end_with_parent)
    click.echo(f"Salle sur {'https' if certificate else 'http'}://{host}:{port}/ — mode {mode}", err=True)
    try:
        run(lambda: create_app({"DB_PATH": str(db_path), "CLOCK": clock, "DEVICES": devices,
                                "RESEAU": "processus"}), host=host, port=port, threads=threads,
            certificate=certificate)
    finally:
        if network is not None:
            network.terminate()
            network.wait(10)
        if nats is not None:
            nats.stop()


def _end_with_parent() -> None:
    """In the child, before it runs: SIGTERM when `salle serve` ends, even by SIGKILL (Linux's PR_SET_PDEATHSIG)."""
    import ctypes

    ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)


@main.command(hidden=True)
@DB
@click.option("--clock", "clock_start", default=None)
@click.option("--speed", default=1.0, type=float)
def reseau(db_path: Path, clock_start: str | None, speed: float):
    """Publier le journal du site et lire les autres sites (lancé par « salle serve » quand [reseau] existe)."""
    from .reseau.service import run

    run(db_path, parse_clock(clock_start, speed))


@main.command()
@DB
@click.option("--principal", required=True, help="Adresse du serveur principal du site (http://hôte:8000) : "
              "la promotion est refusée tant qu'il répond, sauf si elle est forcée.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--clock", "clock_start", default=None, help="Répétition : démarrer l'horloge à cette heure.")
@click.option("--speed", default=1.0, show_default=True, type=float, help="Répétition : vitesse de l'horloge.")
@click.option("--threads", default=256, show_default=True, type=int, help="Connexions simultanées (tablettes).")
@CERTIFICATE
def secours(db_path: Path, principal: str, host: str, port: int, clock_start: str | None, speed: float,
            threads: int, certificate: Path | None):
    """Portable de secours : copie en direct du journal du site (depuis son flux NATS) ; promu par le responsable
    depuis /secours, il sert les portes sur le même journal. --db : une copie du fichier du jour du principal."""
    from .server import serve as run
    from .web.app import create_app

    if not db_path.exists():
        fail(SalleError(f"{db_path} n'existe pas : copiez-y le fichier du jour du serveur principal."))
    from .session_file import parse_session

    toml = _session_text(db_path)
    reseau = parse_session(toml).reseau if toml is not None else None
    if reseau is None:
        fail(SalleError(f"{db_path} : la session n'a pas de section [reseau] (site, nats) : rien à copier."))
    clock = parse_clock(clock_start, speed)
    certificate = web_certificate(db_path, certificate, reseau)
    nats, _ = site_nats_server(db_path)  # the site's, when `nats` names this laptop: it outlives the main
    click.echo(f"Portable de secours sur {'https' if certificate else 'http'}://{host}:{port}/secours — principal : "
               f"{principal}", err=True)
    try:
        run(lambda: create_app({"DB_PATH": str(db_path), "CLOCK": clock, "SECOURS": {"principal": principal}}),
            host=host, port=port, threads=threads, certificate=certificate)
    finally:
        if nats is not None:
            nats.stop()


def _session_text(db_path: Path) -> str | None:
    from .journal import connect
    from .state.queries import session_toml

    conn = connect(db_path, readonly=True)
    try:
        return session_toml(conn)
    finally:
        conn.close()


def site_nats_server(db_path: Path):
    """(its nats-server or None, the session's [reseau] or None): with `[reseau] demarrer = true` the site's own
    nats-server (JetStream, the site's domain, a leaf node of the siège when `siege` is set), its store beside the
    day's file, started before the server and stopped after it — unless one already answers on its port
    (deploy/systemd/salle-nats.service, configured by `salle nats-site` from the same file): then it is used as it
    is and left running."""
    server, reseau = site_nats_config(db_path)
    if server is None:
        if reseau is not None and reseau.demarrer:  # another computer's address: it runs there
            click.echo(f"Serveur NATS du site {reseau.site} sur {reseau.nats_host}:{reseau.nats_port}, l'ordinateur de "
                       "cette adresse le lance : pas celui-ci.", err=True)
        return None, reseau
    running = server.answering()
    if running is not None and running.get("server_name") != reseau.site:
        fail(SalleError(f"Le port {server.port} est déjà pris par un autre programme que le serveur NATS du site "
                        f"{reseau.site} (celui du paquet Debian ? « systemctl disable --now nats-server ») : "
                        "libérez-le ou changez « nats » dans [reseau]."))
    if running is not None:
        click.echo(f"Serveur NATS du site {reseau.site} déjà lancé sur {reseau.nats} (salle-nats.service) : utilisé "
                   "tel quel.", err=True)
        return None, reseau
    try:
        server.start()
    except RuntimeError as exc:
        fail(SalleError(str(exc)))
    click.echo(f"Serveur NATS du site {reseau.site} : {reseau.nats}"
               + (f", relié au siège {reseau.siege}" if reseau.siege else ""), err=True)
    return server, reseau


def site_nats_config(db_path: Path):
    """(the site's nats-server, configured and not started, or None; the session's [reseau] or None), from the day's
    file and, for a link to the siège, `<site>.secret` and `siege-ca.pem` beside it (French message and exit when
    one is missing, before anything is written). Started by the computer whose address `nats` names: with a
    standby, the standby's (or a third box's), so that the site's stream outlives the main laptop; reached over the
    network, it asks a password, `<site>-nats.secret`, made there and copied beside the other laptop's day file."""
    from .journal import connect
    from .reseau.natsd import NatsServer, kept_secret, site_secret_name, this_computer
    from .reseau.tls import CA_FILE, check_siege, site_cert_name
    from .session_file import parse_session
    from .state.queries import session_toml

    conn = connect(db_path, readonly=True)
    try:
        toml = session_toml(conn)
    finally:
        conn.close()
    session = parse_session(toml) if toml else None
    reseau = session.reseau if session else None
    if reseau is None or not reseau.demarrer:
        return None, reseau
    password, web = None, None
    if reseau.nats_shared:
        shared = db_path.parent / site_secret_name(reseau.site)
        if not this_computer(reseau.nats_host):  # another computer runs it: its password here
            if not shared.exists():
                fail(SalleError(f"Mot de passe du serveur NATS du site introuvable : copiez « {shared.name} » depuis "
                                f"l'ordinateur {reseau.nats_host} (à côté de son fichier du jour) dans "
                                f"{db_path.parent}."))
            return None, reseau
        password = kept_secret(shared)  # this computer runs it for the site's laptops: a password of its own …
        web = web_certificate(db_path, None, reseau)  # … sent over TLS when the site has its https certificate
    port = reseau.nats_port
    remotes = []
    if reseau.siege:  # the leaf link is authenticated: the site's password, made by `salle siege`
        secret = db_path.parent / f"{reseau.site.lower()}.secret"
        if not secret.exists():
            fail(SalleError(f"Mot de passe de liaison du site introuvable : copiez « {secret.name} » du dossier "
                            f"« liaisons » du siège dans {db_path.parent}."))
        remotes = [NatsServer.with_password(reseau.siege, reseau.site, secret.read_text(encoding="utf-8").strip())]
        ca = db_path.parent / CA_FILE  # TLS: the siège's certificate is checked against its authority
        if not ca.exists():
            fail(SalleError(f"Certificat du siège introuvable : copiez « {CA_FILE} » du dossier « liaisons » du siège "
                            f"dans {db_path.parent}."))
        own = db_path.parent / site_cert_name(reseau.site)  # … and the site shows its own
        if not own.exists():
            fail(SalleError(f"Certificat du site introuvable : copiez « {own.name} » du dossier « liaisons » du siège "
                            f"dans {db_path.parent}."))
        problem = check_siege(reseau.siege, ca, site_cert=own)
        if problem:  # the site still works alone: said, not fatal
            click.echo(f"Attention : {problem}", err=True)
    server = NatsServer(db_path.parent / f"nats-{reseau.site.lower()}", reseau.site, reseau.site, port=port,
                        leaf_remotes=remotes, concours=session.concours.code, siege_ca=ca if reseau.siege else None,
                        site_cert=own if reseau.siege else None, host=reseau.nats_host if password else "127.0.0.1",
                        client_password=password, client_cert=web)
    return server, reseau


@main.command("nats-site")
@DB
@click.option("--conf", "conf_path", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Fichier de configuration à écrire (celui que lit le service salle-nats).")
def nats_site(db_path: Path, conf_path: Path):
    """Écrire la configuration du serveur NATS du site, la même que « salle serve » lance, pour le service systemd
    salle-nats (deploy/systemd/salle-nats.service) : port, domaine JetStream, magasin à côté du fichier du jour,
    liaison TLS au siège avec le mot de passe du site."""
    if not db_path.exists():
        fail(SalleError(f"{db_path} n'existe pas : lancez d'abord « salle init »."))
    server, reseau = site_nats_config(db_path)
    if server is None and reseau is not None and reseau.demarrer:
        fail(SalleError(f"Le serveur NATS du site est sur {reseau.nats_host} (« nats » de [reseau]), pas sur cet "
                        "ordinateur : rien à configurer ici."))
    if server is None:
        fail(SalleError("Le fichier de session n'a pas de section [reseau] avec « demarrer = true » : aucun serveur "
                        "NATS de site à configurer."))
    conf_path.parent.mkdir(parents=True, exist_ok=True)
    conf_path.write_text(server.config.read_text(encoding="utf-8"), encoding="utf-8")
    conf_path.chmod(0o600)  # it holds the site's password
    click.echo(f"Configuration du serveur NATS du site {reseau.site} écrite dans {conf_path}", err=True)


@main.command()
@click.argument("session_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dossier", "folder", type=click.Path(file_okay=False, path_type=Path), default=Path("siege"),
              show_default=True, help="Dossier du siège : une copie SQLite par site.")
@click.option("--nats", "nats_url", default=None, help="Serveur NATS du siège déjà lancé (nats://hôte:port) ; "
              "sinon le siège lance le sien.")
@click.option("--nats-port", default=4222, show_default=True, type=int, help="Port du serveur NATS lancé.")
@click.option("--liaison-port", default=7422, show_default=True, type=int,
              help="Port où les serveurs NATS des sites se relient (leaf nodes).")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8100, show_default=True, type=int)
@click.option("--nom", "names", multiple=True, help="Nom ou adresse IP par lesquels les sites joignent le siège, "
              "inscrit dans son certificat (répétable ; en plus du nom de cet ordinateur, localhost et 127.0.0.1).")
@click.option("--clock", "clock_start", default=None, help="Répétition : démarrer l'horloge à cette heure.")
@click.option("--speed", default=1.0, show_default=True, type=float, help="Répétition : vitesse de l'horloge.")
def siege(session_file: Path, folder: Path, nats_url: str | None, nats_port: int, liaison_port: int, host: str,
          port: int, names: tuple[str, ...], clock_start: str | None, speed: float):
    """Le siège : les journaux de tous les sites (via NATS), vérifiés, et la console de tous les sites (lecture)."""
    from .reseau.natsd import NatsServer
    from .reseau.siege import Siege
    from .reseau.tls import CA_FILE, make_siege_tls
    from .server import serve as run
    from .session_file import load_session
    from .web.siege import create_siege_app

    try:
        session = load_session(session_file)
    except SalleError as exc:
        fail(exc)
    nats = None
    if nats_url is None:
        secrets = NatsServer.leaf_secrets(folder / "liaisons", [s.code for s in session.sites])
        own = [socket.gethostname(), "localhost", "127.0.0.1"] + ([host] if host not in ("0.0.0.0", "::") else [])
        try:
            leaf_tls = make_siege_tls(folder / "tls", [*names, *own], folder / "liaisons" / CA_FILE,
                                      [s.code for s in session.sites])
        except RuntimeError as exc:
            fail(SalleError(str(exc)))
        nats = NatsServer(folder / "nats", "SIEGE", "SIEGE", port=nats_port, leaf_port=liaison_port,
                          leaf_users=secrets, concours=session.concours.code, leaf_tls=leaf_tls).start()
        nats_url = nats.url
        click.echo(f"Serveur NATS du siège : {nats.address}, liaisons des sites (TLS) sur le port {liaison_port} ; "
                   f"mot de passe et certificat de chaque site (<site>.secret, <site>.pem) et certificat du siège "
                   f"({CA_FILE}) dans {folder / 'liaisons'} (à copier à côté du fichier du jour du site)", err=True)
    clock = parse_clock(clock_start, speed)
    click.echo(f"Siège sur http://{host}:{port}/", err=True)
    try:
        run(lambda: create_siege_app(Siege(folder, session, nats_url, clock).start()), host=host, port=port,
            threads=16)
    finally:
        if nats is not None:
            nats.stop()


@main.command("renouveler-liaison")
@click.argument("site")
@click.option("--dossier", "folder", type=click.Path(file_okay=False, path_type=Path), default=Path("siege"),
              show_default=True, help="Dossier du siège.")
def renouveler_liaison(site: str, folder: Path):
    """Au siège : un nouveau mot de passe et un nouveau certificat de liaison pour un site (un portable perdu, un
    fichier copié où il ne fallait pas). Au redémarrage de « salle siege », l'ancien mot de passe et l'ancien
    certificat sont refusés ; copiez les nouveaux à côté du fichier du jour du site."""
    from .reseau.natsd import NatsServer
    from .reseau.tls import CA_FILE, renew_site_cert

    site_code(site)
    liaisons = folder / "liaisons"
    secret = liaisons / f"{site.lower()}.secret"
    if not secret.exists():
        fail(SalleError(f"Le site {site} n'a pas de liaison dans {liaisons} (pas de {secret.name}) : lancez d'abord "
                        "« salle siege » avec la session qui le nomme. Rien n'a changé."))
    try:
        cert = renew_site_cert(folder / "tls", liaisons / CA_FILE, site)
    except RuntimeError as exc:
        fail(SalleError(str(exc)))
    secret.unlink()
    NatsServer.leaf_secrets(liaisons, [site])
    click.echo(f"Nouveau mot de passe ({secret.name}) et nouveau certificat ({cert.name}) du site {site} dans "
               f"{liaisons}. Redémarrez « salle siege » : l'ancien mot de passe et l'ancien certificat y sont refusés "
               f"dès lors. Copiez {secret.name} et {cert.name} à côté du fichier du jour du site et redémarrez son "
               "serveur NATS (salle-nats, ou salle serve).", err=True)


@main.command("certificat-web")
@click.argument("site")
@click.option("--dossier", "folder", type=click.Path(file_okay=False, path_type=Path), default=Path("siege"),
              show_default=True, help="Dossier du siège (son autorité de certification, dans tls/).")
@click.option("--nom", "names", multiple=True, required=True, help="Adresse IP ou nom que tapent les tablettes "
              "pour joindre un portable du site : le principal et le secours (répétable).")
def certificat_web(site: str, folder: Path, names: tuple[str, ...]):
    """Au siège : le certificat https des portables d'un site (principal et secours), signé par l'autorité du
    siège. Les tablettes qui font confiance à cette autorité (siege-ca.pem, installé une fois) ouvrent les pages
    en https, et gardent la page de la tablette pour un rechargement pendant la panne du principal."""
    from .reseau.tls import CA_FILE, make_web_cert

    site_code(site)
    bad = [n for n in names if not re.fullmatch(r"[A-Za-z0-9.:\-]{1,253}", n)]
    if bad:
        fail(SalleError(f"Adresse illisible : « {bad[0]} » (une adresse IP ou un nom d'hôte)."))
    try:
        out = make_web_cert(folder / "tls", folder / "liaisons" / CA_FILE, site, list(names))
    except RuntimeError as exc:
        fail(SalleError(str(exc)))
    click.echo(f"Certificat https du site {site} ({', '.join(names)}) : {out} — à copier à côté du fichier du jour, "
               f"sur le principal et le secours ; {CA_FILE} (même dossier) à installer sur chaque tablette comme "
               "autorité de certification.", err=True)


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
    from .reseau.tls import client_context

    client = ApiClient(server_url, timeout=40, context=client_context(db_path.parent))  # https: the siège's authority
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
    from .pv_oral import build_any_pv

    day = open_day(db_path)
    try:
        output.write_bytes(build_any_pv(day, epreuve, site))
    except SalleError as exc:
        fail(exc)
    finally:
        day.close()
    click.echo(f"Procès-verbal écrit dans {output}.")


@main.command()
@DB
@click.option("--epreuve", required=True, help="Code de l'épreuve orale (O1).")
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path), default=Path("planning"),
              show_default=True)
def planning(db_path: Path, epreuve: str, output: Path):
    """Planifier les passages d'un oral : chaque candidat convoqué devant un jury de son site, dans les horaires des
    jurys (pauses comprises, horaires propres à un jour), équilibrés, aménagements respectés, jamais plus de
    candidats en préparation que de places dans les salles de préparation du site. Écrit le fichier des candidats
    avec leur passage (à importer avec « salle import candidats ») et le planning de chaque jury (PDF)."""
    from .documents.planning import by_name, candidats_csv, jury_planning_pdf
    from .planning import plan, slot
    from .state.queries import candidats, oral_passage

    day = open_day(db_path)
    try:
        session = day.session
        e = session.epreuve(epreuve)
        if e is None or e.written:
            fail(SalleError(f"Épreuve orale « {epreuve} » inconnue."))
        everyone = candidats(day.journal.reader(), "ORDER BY numero")
        passages, unplaced = {}, []
        for site in session.sites:
            jurys = [j for j in session.jurys_of(e.code) if session.salle(j.salle).site == site.code]
            convoked = by_name([c for c in everyone if c.site == site.code and c.convoque(e.code)])
            db = day.journal.reader()
            kept = {c.numero: oral_passage(db, session, e, c.numero) for c in convoked}
            fixed = [slot(e, p, c.majoration(e.code)) for c in convoked if (p := kept[c.numero])]
            passages.update((p.numero, p) for p in kept.values() if p)
            if not jurys:
                unplaced += [c.numero for c in convoked if not kept[c.numero]]
                continue
            rooms = [session.salle(code) for code in e.salles_preparation]
            seats = sum(r.capacity for r in rooms if r.site == site.code) or None  # None: no room, no limit
            placed, left = plan(e, jurys, [(c.numero, c.majoration(e.code)) for c in convoked
                                           if not kept[c.numero]], fixed, places_preparation=seats)
            passages.update((p.numero, p) for p in placed)
            unplaced += left
        output.mkdir(parents=True, exist_ok=True)
        (output / f"candidats-passages-{e.code}.csv").write_text(candidats_csv(everyone, passages), encoding="utf-8")
        known = {c.numero: c for c in everyone}
        for jury in session.jurys_of(e.code):
            mine = [(p, known[p.numero]) for p in passages.values() if p.jury == jury.code]
            (output / f"planning-{e.code}-{jury.code}.pdf").write_bytes(
                jury_planning_pdf(session, e, jury, mine, day.clock.rehearsal))
    finally:
        day.close()
    click.echo(f"{len(passages)} passage(s) planifié(s) dans {output}/ ; à charger avec « salle import candidats "
               f"{output}/candidats-passages-{e.code}.csv ».")
    if unplaced:
        click.echo(f"{len(unplaced)} candidat(s) sans place (horaires des jurys pleins, ou pas de jury sur leur "
                   f"site) : {', '.join(unplaced[:20])}{' …' if len(unplaced) > 20 else ''}", err=True)
        sys.exit(1)


def _session_and_candidats(db_path: Path):
    from .state.queries import candidats

    day = open_day(db_path)
    try:
        return day.session, candidats(day.journal.reader(), "ORDER BY numero")
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
    from .documents.convocations import GENERATED, write_all
    from .journal import SYSTEM
    from .state.queries import all_oral_passages

    session, candidats = _session_and_candidats(db_path)
    day = open_day(db_path)
    try:
        passages = all_oral_passages(day.journal.reader(), session)  # R28: each candidat's day and time at an oral
    finally:
        day.close()

    def progress(done: int, total: int):
        click.echo(f"\r  {done}/{total} convocations…", nl=done == total, err=True)

    try:
        summary = write_all(session, candidats, folder, workers, progress, passages)
    except SalleError as exc:
        fail(exc)
    day = open_day(db_path)
    try:  # recorded in the day file: a later import of the candidats says which of these to send again
        day.journal.write(lambda tx: tx.append(GENERATED, SYSTEM, {"dossier": str(folder.resolve()),
                                                                   "nombre": summary.written}))
    finally:
        day.close()
    click.echo(summary.french())


@main.command()
@DB
@click.option("-o", "--output", "folder", type=click.Path(file_okay=False, path_type=Path),
              default=Path("affichage"), show_default=True, help="Dossier des documents à afficher.")
def affichage(db_path: Path, folder: Path):
    """Écrire les listes à afficher à l'entrée de chaque site, les étiquettes de porte et les étiquettes de table."""
    from .documents.affichage import write_all

    session, candidats = _session_and_candidats(db_path)

    def progress(done: int, total: int, name: str):
        click.echo(f"  {done}/{total} documents : {name}", err=True)

    click.echo(write_all(session, candidats, folder, progress).french())


FLUX = [click.option("--depuis", "nats_url", default=None, help="Lire le journal d'un site dans NATS plutôt que "
                     "dans un fichier : le serveur NATS du site, ou celui du siège (nats://[utilisateur:mot de "
                     "passe@]hôte:port)."),
        click.option("--concours", default=None, help="Avec --depuis : le concours, s'il y en a plusieurs.")]


def flux_options(f):
    for option in reversed(FLUX):
        f = option(f)
    return f


@main.command()
@DB
@click.option("-o", "--output", "directory", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
              show_default=True, help="Dossier où écrire l'archive.")
@flux_options
@click.option("--site", default=None, help="Avec --depuis : le site dont le journal est lu.")
def export(db_path: Path, directory: Path, nats_url: str | None, concours: str | None, site: str | None):
    """Exporter la journée dans une archive ZIP : journal, candidats, émargements, procès-verbaux ; depuis le
    fichier du jour, ou (--depuis, --site) depuis le flux NATS du site ou la copie du siège."""
    from .export import check_archive, export_day

    if nats_url is not None or site is not None:
        if not (nats_url and site):
            fail(SalleError("--depuis et --site vont ensemble : le serveur NATS à lire et le site dont le journal "
                            "est exporté. Rien n'a été écrit."))
        from .reseau.archive import export_stream

        try:
            archive = export_stream(nats_url, site, directory, concours, lambda line: click.echo(line, err=True))
        except SalleError as exc:
            fail(exc)
    else:
        day = open_day(db_path)
        try:
            archive = export_day(day, directory, lambda line: click.echo(line, err=True))
        except SalleError as exc:
            fail(exc)
        finally:
            day.close()
    click.echo("  relecture de l'archive…", err=True)
    try:
        checked = check_archive(archive, chain=False)  # read back what was written (its chain: checked as written)
    except SalleError as exc:
        fail(exc)
    click.echo(f"Export écrit dans {archive} : {checked.events} événements, tête de chaîne {checked.head} "
               f"({archive.stat().st_size / 1e6:.1f} Mo, relu et vérifié).")


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


@main.command()
@click.argument("archives", nargs=-1, type=click.Path(path_type=Path))
@click.option("--sortie", "record", required=True, type=click.Path(path_type=Path),
              help="Le relevé du concours (SQLite), créé ou complété.")
@flux_options
@click.option("--site", "sites", multiple=True, help="Avec --depuis : un site dont le journal est lu (répétable).")
def consolider(archives: tuple[Path, ...], record: Path, nats_url: str | None, concours: str | None,
               sites: tuple[str, ...]):
    """Réunir les archives des sites (« salle export ») dans un relevé SQLite du concours : chaque archive est
    vérifiée, une seule refusée et rien n'est écrit. Avec --depuis et --site, le journal d'un site est lu dans
    NATS (son flux ou la copie du siège) et son archive gardée à côté du relevé."""
    from .after.consolidation import consolidate

    if bool(nats_url) != bool(sites):
        fail(SalleError("--depuis et --site vont ensemble : le serveur NATS à lire et les sites dont le journal est "
                        "consolidé. Rien n'a été écrit."))
    streams = [(nats_url, site) for site in sites]
    click.echo(f"Vérification de {len(archives) + len(streams)} archive(s)…", err=True)
    try:
        summary = consolidate(list(archives), record, lambda line: click.echo(line, err=True), streams=streams,
                              concours=concours)
    except SalleError as exc:
        fail(exc)
    click.echo(summary.french())


RELEVE = click.option("--releve", "record_path", required=True, type=click.Path(path_type=Path),
                      help="Le relevé du concours écrit par « salle consolider ».")


def _output_file(path: Path) -> None:
    """Before anything is made: the file can be written where it is asked for, else a French refusal."""
    if path.is_dir():
        fail(SalleError(f"{path} est un dossier : donnez un nom de fichier. Rien n'a été écrit."))
    if not path.parent.is_dir():
        fail(SalleError(f"Le dossier {path.parent} n'existe pas : créez-le ou choisissez un autre chemin. Rien n'a "
                        "été écrit."))


def _output_folder(folder: Path) -> None:
    if folder.exists() and not folder.is_dir():
        fail(SalleError(f"{folder} est un fichier, pas un dossier : choisissez un autre dossier. Rien n'a été écrit."))


def _record(record_path: Path):
    from .after.record import Record

    try:
        return Record(record_path)
    except SalleError as exc:
        fail(exc)


@main.command()
@RELEVE
@click.option("-o", "--output", type=click.Path(path_type=Path), default=Path("presences.csv"),
              show_default=True)
def remise(record_path: Path, output: Path):
    """La présence par épreuve pour le système d'inscription (CSV UTF-8, « ; »), par numéro d'inscription."""
    from .after.handoff import handoff_csv

    _output_file(output)
    with _record(record_path) as record:
        text = handoff_csv(record)
        lines = text.count("\r\n") - 1
    output.write_bytes(text.encode("utf-8"))
    click.echo(f"Remise écrite dans {output} : {lines} ligne(s), une par candidat et par épreuve.")


@main.command()
@RELEVE
@click.option("-o", "--output", "folder", type=click.Path(path_type=Path), default=Path("jury"),
              show_default=True)
def listes(record_path: Path, folder: Path):
    """Les listes pour le jury (PDF et CSV par épreuve) et les copies par candidat pour la correction."""
    from .after.lists import write_lists

    _output_folder(folder)
    with _record(record_path) as record:
        written = write_lists(record, folder, lambda line: click.echo(line, err=True))
    click.echo(written.french())


@main.command()
@RELEVE
@click.option("-o", "--output", "folder", type=click.Path(path_type=Path),
              default=Path("attestations"), show_default=True)
@click.option("--signature", type=click.Path(path_type=Path), default=None,
              help="Image de la signature (PNG ou JPEG) ; par défaut celle de [attestation] du fichier de session.")
@click.option("--date", "on", default=None, help="Date du « Fait à …, le … » (JJ/MM/AAAA ; défaut : aujourd'hui).")
@click.option("--workers", default=0, type=int, help="Processus (0 : selon les cœurs).")
def attestations(record_path: Path, folder: Path, signature: Path | None, on: str | None, workers: int):
    """Les attestations de présence : un PDF par candidat présent et par jour, leur ZIP et leur index."""
    from datetime import date

    from .after.attestations import layout_of, write_all
    from .importing import parse_date

    _output_folder(folder)
    today = parse_date(on) if on else date.today()
    if today is None:
        fail(SalleError(f"--date « {on} » : date attendue au format JJ/MM/AAAA."))
    with _record(record_path) as record:
        try:
            layout = layout_of(record.facts["session_toml"], record.session, record_path.parent, signature)
        except SalleError as exc:
            fail(exc)

        def progress(done: int, total: int):
            click.echo(f"\r  {done}/{total} attestations…", nl=done == total, err=True)

        summary = write_all(record, folder, layout, today, workers, progress)
    click.echo(summary.french())


@main.command()
@RELEVE
@click.option("-o", "--output", type=click.Path(path_type=Path), default=Path("bilan.pdf"),
              show_default=True)
def bilan(record_path: Path, output: Path):
    """Le bilan de la journée en graphiques (PDF) : arrivées par minute et fermeture des portes, taux de présence,
    refus pour retard, impressions de la borne, incidents par type, temps de libération des salles."""
    from .after.bilan import build_bilan

    _output_file(output)
    with _record(record_path) as record:
        data = build_bilan(record)
        sites = record.query("SELECT COUNT(DISTINCT site) AS n FROM resultats")[0]["n"]
    output.write_bytes(data)
    click.echo(f"Bilan écrit dans {output} : {sites} site(s), {len(record.session.epreuves)} épreuve(s).")

