"""`salle serve` with `[reseau] demarrer = true`: the site's own nats-server started beside the day's file, a leaf
node of the siège's, and stopped with the server."""

from __future__ import annotations

import shutil
import subprocess
import sys

from salle.journal import connect
from salle.ports import free_port
from salle.reseau.siege import Siege
from salle.reseau.tls import CA_FILE
from salle.session_file import load_session
from tests.helpers.api import admit
from tests.helpers.server import ServedProcess
from tests.helpers.sites import head, next_candidat, siege_with_passwords, site_day
from tests.helpers.waiting import wait_for


def test_salle_serve_starts_the_sites_nats_server_linked_to_the_siege_and_stops_it(tmp_path, clock):
    hub = siege_with_passwords(tmp_path)
    siege = served = None
    try:
        db = site_day(tmp_path / "pantin", "PANTIN", f"nats://127.0.0.1:{free_port()}", clock,
                      reseau=f'demarrer = true\nsiege = "{hub.leaf_url}"\n')
        for name in ("pantin.secret", "pantin.pem", CA_FILE):  # as the siège's administrator does
            shutil.copy(tmp_path / "liaisons" / name, db.parent)
        siege = Siege(tmp_path / "siege", load_session(tmp_path / "pantin" / "session.toml"), hub.url, clock).start()
        served = ServedProcess(db)
        tablet = served.client("surveillant")
        conn = connect(db, readonly=True)
        numeros = [r[0] for r in conn.execute("SELECT numero FROM candidats WHERE salle = 'A01' AND "
                                              "pieces_manquantes = '' ORDER BY numero LIMIT 3")]
        conn.close()
        admit(tablet, "A01", numeros)
        wait_for(lambda: siege.replicas["PANTIN"].stored == head(db), 30, "Pantin's journal at the siège")
        assert (tmp_path / "pantin" / "nats-pantin" / "store").is_dir(), "the store beside the day's file"
        state = wait_for(lambda: status(db), 10, "the « salle reseau » process's status")
        assert state["publie_jusqu_a"] == head(db) and state["connecte"] == 1
        console = served.client("responsable")  # the site's console reads the same file
        linked = wait_for(lambda: (lambda r: r if r["a_jour"] else None)(console.get("/api/v1/reseau")), 30,
                          "the console's links up to date")
        assert linked["message"] == ("Publication : à jour. Liaison : siège joint, autres sites vérifiés à la "
                                     "porte.")
        hub.kill()  # the siège gone: the door, in the server's process, learns it from the file
        fresh = next_candidat(db, numeros)
        wait_for(lambda: "ne peuvent pas" in tablet.scan("A01", fresh, None)["message"], 30,
                 "the door's preview saying the other sites are unchecked")
        answer = tablet.scan("A01", fresh, "cni")
        assert answer["verdict"] == "admis" and "hors liaison depuis 08 h 4" in answer["message"]
        cut = console.get("/api/v1/reseau")
        assert not cut["a_jour"] and not cut["siege"]["joint"]
        assert "Liaison : siège hors liaison depuis 08 h 4" in cut["message"]
    finally:
        if served:
            served.stop()
        if siege:
            siege.stop()
        hub.stop()
    assert "Server Exiting" in (tmp_path / "pantin" / "nats-pantin" / "PANTIN.log").read_text()
    assert subprocess.run(["pgrep", "-f", f"salle reseau --db {db}"], capture_output=True).returncode == 1, \
        "the « salle reseau » process ended with the server"


def status(db) -> dict | None:
    conn = connect(db, readonly=True)
    try:
        return dict(conn.execute("SELECT * FROM reseau_etat").fetchone())
    except Exception:
        return None
    finally:
        conn.close()


def test_a_site_without_its_password_is_not_linked_and_one_with_a_wrong_one_is_refused_by_the_siege(tmp_path, clock):
    hub = siege_with_passwords(tmp_path)
    try:
        db = site_day(tmp_path / "pantin", "PANTIN", f"nats://127.0.0.1:{free_port()}", clock,
                      reseau=f'demarrer = true\nsiege = "{hub.leaf_url}"\n')
        serve = subprocess.run([sys.executable, "-m", "salle", "serve", "--db", str(db), "--port", str(free_port())],
                               capture_output=True, text=True, timeout=60)
        assert serve.returncode == 2
        assert "Mot de passe de liaison du site introuvable : copiez « pantin.secret »" in serve.stderr
        (db.parent / "pantin.secret").write_text("pas-le-bon\n", encoding="utf-8")
        for name in (CA_FILE, "pantin.pem"):
            shutil.copy(tmp_path / "liaisons" / name, db.parent)
        served = ServedProcess(db)
        try:
            log = tmp_path / "nats-siege" / "SIEGE.log"
            wait_for(lambda: "Authentication Failure" in log.read_text(), 30, "the siège refusing the link")
            assert "Domain Mapping" not in log.read_text(), "no leaf link accepted (an accepted one maps the domains)"
        finally:
            served.stop()
    finally:
        hub.stop()
