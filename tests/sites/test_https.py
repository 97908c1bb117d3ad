"""The site's laptops over https (issue 15): the siège makes their certificate (`salle certificat-web`), signed by
its own authority, naming the addresses the tablets type; `salle serve` (gunicorn) serves the pages, the API and
the live connection with it. A tablet trusting that authority opens the page in a secure context, where the page
it keeps for a reload while the main is dead (tablette/sw.js) is allowed — over plain http at the same address it
is not. Real `openssl`, the real server, a real Socket.IO client over wss, headless Chromium."""

from __future__ import annotations

import base64
import sqlite3
import ssl
import subprocess
import sys
import urllib.request
import uuid

import pytest
import requests
import socketio
from playwright.sync_api import expect

from salle.client import ApiClient
from salle.reseau.tls import public_key_pin
from salle.ports import free_port
from tests.helpers.browser import CHROMIUM, CHROMIUM_ARGS, sign_in, wedge_scan
from tests.helpers.day import CODES
from tests.helpers.server import LiveServer, ServedProcess
from tests.helpers.sites import site_day, standby_copy
from tests.helpers.waiting import wait_for

NAME = "salle-pantin.test"  # the address the tablets type: not localhost, so only https makes it a secure context


def salle(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "salle", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=120)


@pytest.fixture
def certified(tmp_path, nats_pantin, clock):
    """Pantin's day file with the certificate the siège made for it beside it, and the siège's authority."""
    db = site_day(tmp_path / "pantin", "PANTIN", nats_pantin.url, clock)
    made = salle("certificat-web", "PANTIN", "--dossier", str(tmp_path / "siege"), "--nom", NAME,
                 "--nom", "127.0.0.1")
    assert made.returncode == 0, made.stderr
    assert "pantin-web.pem" in made.stderr and "siege-ca.pem" in made.stderr
    liaisons = tmp_path / "siege" / "liaisons"
    (db.parent / "pantin-web.pem").write_bytes((liaisons / "pantin-web.pem").read_bytes())
    return db, liaisons / "siege-ca.pem"


def spki(pem_path) -> str:
    """The base64 SHA-256 of the certificate's public key, as Chromium's --ignore-certificate-errors-spki-list
    takes it (the same digest as nats-server's pins, in hex): the test's stand-in for the authority installed on a
    tablet (no NSS tools here)."""
    return base64.b64encode(bytes.fromhex(public_key_pin(pem_path))).decode()


def test_the_site_served_over_https_with_the_sieges_certificate_pages_api_and_live(certified):
    db, ca = certified
    trusted = ssl.create_default_context(cafile=str(ca))
    server = ServedProcess(db, context=trusted)
    try:
        assert server.url.startswith("https://")
        client = ApiClient(server.url, context=trusted)
        assert client.get("/api/v1/health")["ok"] is True
        client.login(CODES["surveillant"], "tablette")
        (numero,) = candidats_of(db, 1)

        # the live connection over wss, verified with the same authority
        pushed = []
        session = requests.Session()
        session.verify = str(ca)  # the siège's authority, as engineio reads it for its websocket
        live = socketio.Client(reconnection=False, http_session=session)
        live.on("evenement", pushed.append)
        live.on("evenements", pushed.extend)
        live.connect(server.url, auth={"token": client.token}, transports=["websocket"], wait_timeout=10)
        try:
            assert client.scan("A01", numero, "cni")["verdict"] == "admis"
            wait_for(lambda: any(e.get("candidat") == numero for e in pushed), 10, "the entry pushed over wss")
        finally:
            live.disconnect()

        # the tablet's kept page is served from the root, never cached by the browser without asking
        with urllib.request.urlopen(server.url + "/tablette.sw.js", context=trusted) as r:
            assert r.headers["Content-Type"].startswith("text/javascript")
            assert r.headers["Cache-Control"] == "no-cache"
        # the morning's pre-flight on the laptop asks the server over https (the authority beside the day file)
        (db.parent / "siege-ca.pem").write_bytes(ca.read_bytes())
        checked = salle("verifier", "--db", str(db), "--serveur", server.url, "--code", CODES["responsable"],
                        "--sans-impression")
        assert f"Vérification par le serveur {server.url}" in checked.stdout, checked.stdout + checked.stderr
        assert "ne répond pas" not in checked.stdout
        # a client that does not trust the siège's authority is refused at the handshake
        with pytest.raises(ssl.SSLCertVerificationError):
            ApiClient(server.url, context=ssl.create_default_context()).get("/api/v1/health")
        # plain http on the https port: no answer a tablet could use
        with pytest.raises(OSError):
            ApiClient(server.url.replace("https://", "http://"), timeout=3).get("/api/v1/health")
    finally:
        server.stop()


def candidats_of(db, n: int) -> list[str]:
    with sqlite3.connect(db) as conn:
        return [r[0] for r in conn.execute("SELECT numero FROM candidats WHERE salle = 'A01' AND pieces_manquantes = "
                                           "'' AND tiers_temps = 0 ORDER BY numero LIMIT ?", [n])]


def test_a_tablet_keeps_its_page_over_https_and_not_over_plain_http(certified, chromium, clock):
    """At an address that is not localhost, the browser allows the kept page only over https: the tablet at
    https://salle-pantin.test opens from its copy once the server is gone; at http://salle-pantin.test it is not
    a secure context and nothing is kept."""
    db, ca = certified
    browser = chromium.browser_type.launch(executable_path=CHROMIUM, args=[
        *CHROMIUM_ARGS, f"--host-resolver-rules=MAP {NAME} 127.0.0.1",
        f"--ignore-certificate-errors-spki-list={spki(db.parent / 'pantin-web.pem')}"])

    def tablet(url: str):
        context = browser.new_context(viewport={"width": 1024, "height": 768}, locale="fr-FR",
                                      service_workers="allow")
        page = context.new_page()
        sign_in(page, url, "/tablette", "surveillant")
        return context, page

    server = ServedProcess(db, context=ssl.create_default_context(cafile=str(ca)))
    try:
        context, page = tablet(f"https://{NAME}:{server.port}")
        assert page.evaluate("window.isSecureContext") is True
        wait_for(lambda: page.evaluate("!!navigator.serviceWorker.controller"), 15, "the page kept on the tablet")
        (numero,) = candidats_of(db, 1)
        wedge_scan(page, numero)
        page.click("button[data-piece=cni]")
        expect(page.locator("#v-word")).to_have_text("ADMIS")
        server.stop()  # the laptop is gone
        page.reload()
        expect(page.locator("#app")).to_be_visible()
        expect(page.locator("#net")).to_have_text("Hors ligne — 0 action(s) en attente")
        context.close()

        plain = LiveServer(db, clock)  # the same day over plain http, at the same name
        try:
            context, page = tablet(f"http://{NAME}:{plain.port}")
            assert page.evaluate("window.isSecureContext") is False
            assert page.evaluate("'serviceWorker' in navigator") is False  # nothing kept: the browser's rule
            context.close()
        finally:
            plain.stop()
    finally:
        server.stop()
        browser.close()


def test_certificat_web_refuses_garbage_in_french_and_writes_nothing(tmp_path):
    folder = tmp_path / "siege"
    for args, words in [(["PANTIN"], "--nom"),
                        (["PAN TIN", "--nom", "10.0.0.1"], "Code de site illisible"),
                        (["PANTIN", "--nom", "10.0.0.1/24"], "Adresse illisible")]:
        made = salle("certificat-web", *args, "--dossier", str(folder))
        assert made.returncode != 0 and words in made.stderr
        assert not (folder / "liaisons").exists()


def test_serve_refuses_a_certificate_it_cannot_serve_with_in_french(certified, tmp_path):
    db, _ = certified
    (db.parent / "pantin-web.pem").write_text("pas un certificat\n", encoding="utf-8")
    started = salle("serve", "--db", str(db), "--port", "0")
    assert started.returncode != 0
    assert "pantin-web.pem n'est pas un certificat web lisible" in started.stderr
    missing = salle("serve", "--db", str(db), "--certificat", str(tmp_path / "absent.pem"))
    assert missing.returncode != 0 and "salle certificat-web" in missing.stderr


def test_the_main_and_its_standby_ask_each_other_over_https(tmp_path, nats_pantin, clock):
    """The standby asks the main whether it still answers before a promotion, and the main asks the standby whether
    it was promoted: both over https, verified with the siège's authority beside their day files. With the site's
    nats-server stopped, the main restarted after the promotion can learn it only from the standby itself."""
    port = free_port()
    main_db = site_day(tmp_path / "pantin", "PANTIN", nats_pantin.url, clock,
                       reseau=f'secours = "https://127.0.0.1:{port}"\n')
    made = salle("certificat-web", "PANTIN", "--dossier", str(tmp_path / "siege"), "--nom", "127.0.0.1")
    assert made.returncode == 0, made.stderr
    copy = standby_copy(main_db, tmp_path / "secours")
    liaisons = tmp_path / "siege" / "liaisons"
    for folder in (main_db.parent, copy.parent):
        for name in ("pantin-web.pem", "siege-ca.pem"):
            (folder / name).write_bytes((liaisons / name).read_bytes())
    trusted = ssl.create_default_context(cafile=str(liaisons / "siege-ca.pem"))
    main = ServedProcess(main_db, context=trusted)
    standby = ServedProcess(copy, command=("secours", "--principal", main.url), port=port, context=trusted)
    try:
        token = main.client("responsable").token
        policy = urllib.request.urlopen(main.url + "/tablette", context=trusted).headers["Content-Security-Policy"]
        assert f"https://127.0.0.1:{port} wss://127.0.0.1:{port}" in policy  # the tablets' move, live included
        promoter = ApiClient(standby.url, context=trusted)
        promoter.token = token

        def refused_while_the_main_answers():  # 401 until the standby's copy holds the responsable's sign-in
            status, answer = promoter.request("POST", "/api/v1/secours/promotion", {"confirme": True}, check=False)
            assert status in (401, 409), answer
            return status == 409 and "répond encore" in answer["erreur"]["message"]

        wait_for(refused_while_the_main_answers, 20, "the standby asking the main over https")

        main.stop()
        answer = promoter.post("/api/v1/secours/promotion", {"confirme": True})
        assert answer["verdict"] == "promu"
        nats_pantin.stop()  # the stream cannot tell the main: only the standby, over https
        main = ServedProcess(main_db, context=trusted)
        (numero,) = candidats_of(main_db, 1)
        tablet = ApiClient(main.url, context=trusted)
        tablet.token = token

        def fenced():
            status, answer = tablet.request("POST", "/api/v1/salles/A01/scans", {
                "code": numero, "piece_identite": "cni", "client_id": str(uuid.uuid4())}, check=False)
            return status == 503 and answer["erreur"]["code"] == "secours_promu"

        wait_for(fenced, 20, "the restarted main fenced by its promoted standby")
    finally:
        standby.stop()
        main.stop()
