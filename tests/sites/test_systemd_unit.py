"""deploy/systemd/salle-nats.service: a site's nats-server run by systemd, configured by Salle from the day's file
(`salle nats-site`), and `salle serve` using it rather than starting its own."""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from salle.ports import free_port
from salle.reseau.natsd import NatsServer
from salle.reseau.tls import CA_FILE
from tests.helpers.api import admit
from tests.helpers.server import ServedProcess
from tests.helpers.sites import site_day, site_stream
from tests.helpers.sites import head, next_candidat, siege_with_passwords
from tests.helpers.waiting import wait_for

ROOT = Path(__file__).resolve().parents[2]
UNIT = ROOT / "deploy" / "systemd" / "salle-nats.service"


def unit_commands(path: Path = UNIT) -> dict[str, list[str]]:
    """A unit's ExecStartPre=, ExecStart= (argv), User=, WorkingDirectory=."""
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        key, _, value = line.strip().partition("=")
        if key in ("ExecStartPre", "ExecStart", "User", "WorkingDirectory"):
            out[key] = shlex.split(value)
    return out


def as_here(argv: list[str], var_lib: Path) -> list[str]:
    """The unit's command on this machine: the venv's `salle` for /opt/salle's, the test's folder for
    /var/lib/salle; nats-server is Debian's own, at the very path the unit names."""
    if argv[0] == "/opt/salle/.venv/bin/salle":
        argv = [sys.executable, "-m", "salle", *argv[1:]]
    return [a.replace("/var/lib/salle", str(var_lib)) for a in argv]


def test_the_units_command_runs_the_config_salle_writes_and_salle_serve_uses_that_server(tmp_path, clock):
    unit = unit_commands()
    assert unit["ExecStart"][:2] == ["/usr/sbin/nats-server", "-c"] and Path("/usr/sbin/nats-server").exists()
    assert unit["ExecStartPre"][:2] == ["/opt/salle/.venv/bin/salle", "nats-site"]
    assert unit["User"] == ["salle"] and unit["WorkingDirectory"] == ["/var/lib/salle"]
    hub = siege_with_passwords(tmp_path)
    var_lib = tmp_path / "var-lib-salle"
    nats_url = f"nats://127.0.0.1:{free_port()}"
    db = site_day(var_lib, "PANTIN", nats_url, clock, reseau=f'demarrer = true\nsiege = "{hub.leaf_url}"\n')
    assert db == var_lib / "salle.db", "the unit's day file"
    for name in ("pantin.secret", "pantin.pem", CA_FILE):
        shutil.copy(tmp_path / "liaisons" / name, var_lib)
    nats = served = None
    try:
        pre = subprocess.run(as_here(unit["ExecStartPre"], var_lib), capture_output=True, text=True, timeout=60)
        assert pre.returncode == 0, pre.stderr
        conf = Path(as_here(unit["ExecStart"], var_lib)[2])
        assert conf.stat().st_mode & 0o777 == 0o600 and "PANTIN" in conf.read_text(), "it holds the site's password"
        assert conf.read_text() == (var_lib / "nats-pantin" / "PANTIN.conf").read_text(), "the same as salle serve's"
        nats = subprocess.Popen(as_here(unit["ExecStart"], var_lib), stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True)
        probe = NatsServer(tmp_path / "probe", "PANTIN", "PANTIN", port=int(nats_url.rsplit(":", 1)[1]))
        info = wait_for(probe.answering, 30, "the unit's nats-server answering")
        assert info["server_name"] == "PANTIN" and info["jetstream"] is True
        wait_for(lambda: "Leafnode connection created" in (hub.workdir / "SIEGE.log").read_text(), 30,
                 "its TLS link to the siège")
        served = ServedProcess(db)
        admit(served.client("surveillant"), "A01", [next_candidat(db, [])])
        wait_for(lambda: len(site_stream(nats_url, "PANTIN")) == head(db), 30, "the journal in the unit's server")
        served.stop()
        served = None
        assert "déjà lancé" in db.with_suffix(".log").read_text(), "salle serve used the running server"
        assert nats.poll() is None, "and left it running: it belongs to systemd"
    finally:
        if served:
            served.stop()
        if nats:
            nats.terminate()
            nats.wait(20)
        hub.stop()


def test_nats_site_without_a_site_server_and_serve_on_a_port_taken_by_another_refuse_in_french(tmp_path, clock):
    plain = site_day(tmp_path / "seul", "PANTIN", f"nats://127.0.0.1:{free_port()}", clock)  # no demarrer
    conf = tmp_path / "seul" / "nats-site.conf"
    run = subprocess.run([sys.executable, "-m", "salle", "nats-site", "--db", str(plain), "--conf", str(conf)],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 2 and "aucun serveur NATS de site à configurer" in run.stderr and not conf.exists()
    port = free_port()
    db = site_day(tmp_path / "pantin", "PANTIN", f"nats://127.0.0.1:{port}", clock, reseau="demarrer = true\n")
    other = NatsServer(tmp_path / "debian", "nats-debian", "AUTRE", port=port).start()  # Debian's own unit, say
    try:
        serve = subprocess.run([sys.executable, "-m", "salle", "serve", "--db", str(db), "--port", str(free_port())],
                               capture_output=True, text=True, timeout=60)
        assert serve.returncode == 2
        assert f"Le port {port} est déjà pris par un autre programme que le serveur NATS du site PANTIN" in serve.stderr
        assert "systemctl disable --now nats-server" in serve.stderr
    finally:
        other.stop()
