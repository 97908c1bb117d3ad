"""The `salle` command: init, import, verify, demo — with the messages an organiser sees."""

import sqlite3
import subprocess
import sys

import pytest
from click.testing import CliRunner

from salle import demo
from salle.cli import main


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def test_init_import_verify(tmp_path):
    (tmp_path / "session.toml").write_text(demo.session_toml(), encoding="utf-8")
    demo.candidats_csv(tmp_path / "candidats.csv", 120)
    db = tmp_path / "jour.db"
    result = run("init", tmp_path / "session.toml", "--db", db)
    assert result.exit_code == 0 and "2 épreuve(s), 2 site(s), 4 salle(s)" in result.output
    result = run("import", "candidats", tmp_path / "candidats.csv", "--db", db)
    assert result.exit_code == 0 and "120 ajouté(s)" in result.output
    result = run("import", "candidats", tmp_path / "candidats.csv", "--db", db)
    assert "Aucun changement" in result.output
    result = run("verify", "--db", db)
    assert result.exit_code == 0 and "Journal intègre : 2 événements" in result.output
    conn = sqlite3.connect(db)
    conn.execute("UPDATE events SET actor = 'intrus' WHERE seq = 2")
    conn.commit()
    result = run("verify", "--db", db)
    assert result.exit_code == 1 and "Événement n° 2 (candidats_importes" in result.output


def test_init_refuses_a_bad_session_file_and_writes_nothing(tmp_path):
    bad = tmp_path / "session.toml"
    bad.write_text(demo.session_toml().replace('duration = "3h"', 'duration = "longtemps"'), encoding="utf-8")
    db = tmp_path / "jour.db"
    result = CliRunner().invoke(main, ["init", str(bad), "--db", str(db)])
    assert result.exit_code == 2 and "epreuves[1].duration" in result.output and not db.exists()


def test_init_does_not_overwrite_without_force(tmp_path):
    (tmp_path / "session.toml").write_text(demo.session_toml(), encoding="utf-8")
    db = tmp_path / "jour.db"
    run("init", tmp_path / "session.toml", "--db", db)
    result = CliRunner().invoke(main, ["init", str(tmp_path / "session.toml"), "--db", str(db)])
    assert result.exit_code == 2 and "existe déjà" in result.output


def test_import_of_a_bad_file_reports_lines_and_changes_nothing(tmp_path):
    (tmp_path / "session.toml").write_text(demo.session_toml(), encoding="utf-8")
    db = tmp_path / "jour.db"
    run("init", tmp_path / "session.toml", "--db", db)
    csv = tmp_path / "c.csv"
    csv.write_text("N° d'inscription;Nom usuel;Prénom;Date de naissance;Site\nATP27-00001;A;B;31/02/1990;PANTIN\n",
                   encoding="utf-8")
    result = CliRunner().invoke(main, ["import", "candidats", str(csv), "--db", str(db)])
    assert result.exit_code == 2 and "ligne 2 : date de naissance « 31/02/1990 » invalide" in result.output
    assert sqlite3.connect(db).execute("SELECT COUNT(*) FROM candidats").fetchone()[0] == 0
    result = CliRunner().invoke(main, ["import", "candidats", str(tmp_path / "absent.csv"), "--db", str(db)])
    assert result.exit_code == 2 and "Fichier illisible" in result.output


def test_commands_on_a_missing_database(tmp_path):
    result = CliRunner().invoke(main, ["verify", "--db", str(tmp_path / "nope.db")])
    assert result.exit_code == 2 and "n'existe pas" in result.output


def test_serve_refuses_a_bad_clock(tmp_path):
    (tmp_path / "session.toml").write_text(demo.session_toml(), encoding="utf-8")
    run("init", tmp_path / "session.toml", "--db", tmp_path / "j.db")
    result = CliRunner().invoke(main, ["serve", "--db", str(tmp_path / "j.db"), "--clock", "demain matin"])
    assert result.exit_code == 2 and "2027-03-18T08:10" in result.output


def test_demo_runs_a_day_and_the_state_moves(tmp_path):
    """`salle demo`: URLs and codes printed, scans arrive, and the kiosk prints on its simulated printer."""
    import time
    import uuid

    from salle.client import ApiClient
    from salle.ports import free_port
    from salle.server import wait_for_server

    port = free_port()
    workdir = tmp_path / "demo"
    proc = subprocess.Popen([sys.executable, "-m", "salle", "demo", "--dir", str(workdir), "--port", str(port),
                             "--speed", "60", "--duration", "20"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    try:
        wait_for_server(f"http://127.0.0.1:{port}", timeout=60)
        kiosk = ApiClient(f"http://127.0.0.1:{port}")
        kiosk.login("40001629")
        (born,) = sqlite3.connect(workdir / "salle.db").execute(
            "SELECT date_naissance FROM candidats WHERE numero = 'ATP27-00002'").fetchone()
        facts = {"numero": "ATP27-00002", "date_naissance": born}  # issue 16: the numéro with the date of birth
        found = kiosk.post("/api/v1/kiosk/recherches", facts)
        assert found["resultat"] == "trouve"
        printed = kiosk.post("/api/v1/kiosk/impressions", {**facts, "client_id": str(uuid.uuid4())})
        assert printed["statut"] == "imprimee", printed
        assert b"ATP27-00002" in (workdir / "ticket.bin").read_bytes()
        deadline = time.monotonic() + 30
        conn = sqlite3.connect(workdir / "salle.db")
        while conn.execute("SELECT COUNT(*) FROM presences").fetchone()[0] < 20 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert conn.execute("SELECT COUNT(*) FROM candidats").fetchone()[0] == 300 + 12  # + the oral's (issue 13)
        assert conn.execute("SELECT COUNT(*) FROM presences").fetchone()[0] >= 20
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=30)
    for expected in [f"http://127.0.0.1:{port}/tablette", "30001746  surveillant", "RÉPÉTITION", "portes fermées à 09:00"]:
        assert expected in out


def test_a_stopped_demo_leaves_no_server_behind_even_when_signalled_twice(tmp_path):
    """`make demo` stopped by a group-wide SIGTERM (timeout, a service manager) or two quick Ctrl-C: the
    demo's own server stops too, and the port is free for the next run."""
    import os
    import signal
    import socket

    from salle.ports import free_port
    from salle.server import wait_for_server

    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "salle", "demo", "--dir", str(tmp_path / "demo"), "--port",
                             str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_for_server(f"http://127.0.0.1:{port}", timeout=60)
        os.killpg(proc.pid, signal.SIGTERM)
        os.killpg(proc.pid, signal.SIGTERM)
        # The demo's own bound: its server's SIGTERM (gunicorn's 5 s graceful stop) waited 15 s, then SIGKILL
        # waited 10 s: up to 25 s and the interpreter's exit, which a loaded 2-core machine reached (a 30 s wait
        # here failed once on a fresh clone). The test is about the server stopping and the port freed, not speed.
        proc.wait(timeout=45)
        with pytest.raises(ConnectionRefusedError):  # nobody listens on the demo's port any more
            socket.create_connection(("127.0.0.1", port), timeout=5).close()
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        subprocess.run(["pkill", "-f", str(tmp_path / "demo" / "salle.db")])  # a server left behind, if any


def test_reconstruire_replays_the_journal_into_the_derived_tables(day, demo_files):
    from click.testing import CliRunner

    from salle.cli import main as cli

    numero = day.journal.one("SELECT numero FROM candidats WHERE salle = 'A01' AND pieces_manquantes = '' "
                             "ORDER BY numero")["numero"]
    from salle.commands.arrivals import ScanRequest, scan
    from salle.day import Caller
    from salle.journal import Actor

    tablet = Caller(Actor("P004", "Paul", "surveillant", "test"), "surveillant", salle="A01", site="PANTIN")
    scan(day, tablet, "A01", ScanRequest(code=numero, client_id="rebuild-0001", piece_identite="cni"))
    day.close()
    import sqlite3

    conn = sqlite3.connect(demo_files / "salle.db")
    conn.execute("DELETE FROM presences")  # a derived table in doubt
    conn.commit()
    conn.close()
    result = CliRunner().invoke(cli, ["reconstruire", "--db", str(demo_files / "salle.db")])
    assert result.exit_code == 0, result.output
    assert "événements rejoués" in result.output
    conn = sqlite3.connect(demo_files / "salle.db")
    assert conn.execute("SELECT status FROM presences WHERE numero = ?", [numero]).fetchone() == ("present",)
    conn.close()
