"""Hostile input and failing storage (issue 16): French 4xx/503 and nothing changed, never a 5xx page in
English; /health says whether the day can be recorded; files documented as what they are."""

import http.client
import json
import shutil
import sqlite3
import subprocess
import urllib.request

import pytest

from salle.client import ApiClient
from tests.helpers.api import cid
from tests.helpers.day import candidat_in
from tests.helpers.server import LiveServer

DEEP_OBJECT = b'{"a":' * 1000 + b"1" + b"}" * 1000
DEEP_LIST = b"[" * 1000 + b"]" * 1000
NESTED_40 = json.loads("[" * 40 + "]" * 40)  # parsed by Python, but deeper than any request needs
ENGLISH = ("Not Found", "Method Not Allowed", "Internal Server Error", "locked", "database", "readonly")


def events(live) -> int:
    return live.day.journal.one("SELECT COUNT(*) AS n FROM events")["n"]


def raw(live, method: str, path: str, body: bytes | None = None, token: str | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", live.port, timeout=30)
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    answer = response.status, response.getheader("Content-Type", ""), response.read()
    conn.close()
    return answer


@pytest.mark.parametrize("payload", [DEEP_OBJECT, DEEP_LIST, json.dumps({"code": NESTED_40}).encode()])
def test_json_nested_a_thousand_deep_is_a_french_400_even_without_a_token(live, payload):
    before = events(live)
    for path, token in (("/api/v1/auth/login", None), ("/api/v1/salles/A01/scans", live.client("surveillant").token)):
        status, content_type, data = raw(live, "POST", path, payload, token)
        assert status == 400 and content_type.startswith("application/json")
        assert "imbriqué" in json.loads(data)["erreur"]["message"]
    assert events(live) == before + 1  # the surveillant's sign-in only


@pytest.mark.parametrize("piece", [{}, ["cni"], 3, True])
def test_an_identity_document_that_is_not_a_word_is_a_french_400(live, piece):
    tablet = live.client("surveillant")
    c = candidat_in(live.day, "A01", pieces_manquantes="")
    before = events(live)
    for path, key in (("/api/v1/salles/A01/scans", "code"), ("/api/v1/salles/A01/toilettes", "numero")):
        status, body = tablet.request("POST", path, {key: c["numero"], "client_id": cid(), "piece_identite": piece},
                                      check=False)
        assert status == 400 and "Pièce d'identité" in body["erreur"]["message"]
    assert events(live) == before


@pytest.mark.parametrize("kind", [{}, ["fraude"], 1])
def test_an_incident_type_that_is_not_a_word_is_a_french_400(live, kind):
    tablet = live.client("surveillant")
    before = events(live)
    status, body = tablet.request("POST", "/api/v1/salles/A01/incidents",
                                  {"type": kind, "texte": "x", "client_id": cid()}, check=False)
    assert status == 400 and "Type d'incident inconnu" in body["erreur"]["message"]
    assert events(live) == before


@pytest.mark.parametrize("method, path, status, words", [
    ("GET", "/nulle-part", 404, "Adresse inconnue"),
    ("GET", "/borne/static/absent.js", 404, "Adresse inconnue"),
    ("POST", "/", 405, "Méthode non permise"),
    ("DELETE", "/tablette", 405, "Méthode non permise"),
])
def test_browser_routes_answer_errors_with_a_french_page(live, method, path, status, words):
    got, content_type, data = raw(live, method, path)
    page = data.decode()
    assert got == status and content_type.startswith("text/html") and 'lang="fr"' in page and words in page
    assert not any(english in page for english in ENGLISH)


def test_a_locked_file_answers_a_french_503_without_sqlites_words(live):
    tablet = live.client("surveillant")
    c = candidat_in(live.day, "A01", pieces_manquantes="")
    live.day.journal._conn.execute("PRAGMA busy_timeout = 50")
    other = sqlite3.connect(live.day.db_path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        before = events(live)
        status, body = tablet.request("POST", "/api/v1/salles/A01/scans",
                                      {"code": c["numero"], "client_id": cid(), "piece_identite": "cni"}, check=False)
        health_status, health = ApiClient(live.url).request("GET", "/api/v1/health", check=False)
    finally:
        other.execute("ROLLBACK")
        other.close()
    message = body["erreur"]["message"]
    assert status == 503 and message.startswith("Enregistrement impossible (le fichier du jour est verrouillé")
    assert not any(english in message for english in ENGLISH)
    assert events(live) == before
    assert health_status == 503 and health["ok"] is False and health["stockage"]["ecriture_possible"] is False
    assert "verrouillé" in health["stockage"]["message"]
    assert ApiClient(live.url).get("/api/v1/health")["ok"] is True


def test_health_tells_the_free_disk_space(live):
    health = ApiClient(live.url).get("/api/v1/health")
    assert health["ok"] is True and health["stockage"]["ecriture_possible"] is True
    free = shutil.disk_usage(live.day.db_path.parent).free / 1e6
    assert abs(health["stockage"]["espace_libre_mo"] - free) < 100


@pytest.fixture
def small_disk(tmp_path):
    """A 48 MB tmpfs (root only): a disk that can fill up for real."""
    mount = tmp_path / "disque"
    mount.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=48m", "tmpfs", str(mount)],
                      capture_output=True).returncode != 0:
        pytest.skip("mount tmpfs needs root")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def test_health_is_not_ok_when_the_disk_is_full_and_scans_get_a_french_503(day, demo_files, clock, small_disk):
    day.close()
    for name in ("salle.db", "salle.db-wal", "salle.db-shm"):
        if (demo_files / name).exists():
            shutil.copy(demo_files / name, small_disk / name)
    server = LiveServer(small_disk / "salle.db", clock)
    try:
        tablet = server.client("surveillant")
        assert ApiClient(server.url).get("/api/v1/health")["ok"] is True
        with open(small_disk / "remplissage", "wb") as filler:  # fill the disk to the last byte
            try:
                while True:
                    filler.write(b"\0" * 65536)
                    filler.flush()
            except OSError:
                pass
        status, health = ApiClient(server.url).request("GET", "/api/v1/health", check=False)
        assert status == 503 and health["ok"] is False and health["stockage"]["espace_libre_mo"] < 1
        assert "plein ou en lecture seule" in health["stockage"]["message"]
        numeros = [r["numero"] for r in server.day.journal.query(
            "SELECT numero FROM candidats WHERE salle = 'A01' AND pieces_manquantes = '' LIMIT 200")]
        answers = [tablet.request("POST", "/api/v1/salles/A01/scans", {"code": n, "client_id": cid(),
                                                                        "piece_identite": "cni"}, check=False)
                   for n in numeros]
        assert all(s in (200, 503) for s, _ in answers) and any(s == 503 for s, _ in answers)
        for s, body in answers:
            if s == 503:
                assert not any(english in body["erreur"]["message"] for english in ENGLISH)
        (small_disk / "remplissage").unlink()
        assert ApiClient(server.url).get("/api/v1/health")["ok"] is True
    finally:
        server.stop()


def test_files_are_documented_as_what_they_are_and_the_csv_names_its_charset_once(live):
    doc = ApiClient(live.url).get("/api/v1/openapi.json")["paths"]
    for path, media in (("/api/v1/epreuves/{epreuve}/pv.pdf", "application/pdf"),
                        ("/api/v1/salles/{salle}/feuille-emargement.pdf", "application/pdf"),
                        ("/api/v1/epreuves/{epreuve}/emargement.csv", "text/csv")):
        assert list(doc[path]["get"]["responses"]["200"]["content"]) == [media]
    resp = live.client("responsable")
    request = urllib.request.Request(live.url + "/api/v1/epreuves/E1/emargement.csv",
                                     headers={"Authorization": f"Bearer {resp.token}"})
    with urllib.request.urlopen(request) as answer:
        assert answer.headers["Content-Type"] == "text/csv; charset=utf-8"
    request = urllib.request.Request(live.url + "/api/v1/epreuves/E1/pv.pdf",
                                     headers={"Authorization": f"Bearer {resp.token}"})
    with urllib.request.urlopen(request) as answer:
        assert answer.headers["Content-Type"] == "application/pdf" and answer.read(5) == b"%PDF-"


def test_the_pv_is_built_with_the_longest_texts_the_api_accepts(live, clock):
    """A door moved with a 200-character motif and an alert resolved with 500 characters still fit the PV's
    table cells (a longer text is a French 400); before, 5,000 characters broke the PV with a 500."""
    resp, tablet = live.client("responsable"), live.client("surveillant")
    status, body = resp.request("POST", "/api/v1/epreuves/E1/sites/PANTIN/fermeture",
                                {"heure": "09:10", "motif": "m" * 201, "client_id": cid()}, check=False)
    assert status == 400 and "200 caractères" in body["erreur"]["message"]
    resp.post("/api/v1/epreuves/E1/sites/PANTIN/fermeture", {"heure": "09:10", "motif": "m" * 200, "client_id": cid()})
    c = candidat_in(live.day, "A01", pieces_manquantes="")
    tablet.scan("A01", c["numero"], "aucune")
    seq = live.day.journal.one("SELECT seq FROM alerts WHERE candidat = ?", [c["numero"]])["seq"]
    status, _ = resp.request("POST", f"/api/v1/alertes/{seq}/resolution",
                             {"resolution": "r" * 501, "client_id": cid()}, check=False)
    assert status == 400
    resp.post(f"/api/v1/alertes/{seq}/resolution", {"resolution": "r " * 250, "client_id": cid()})
    request = urllib.request.Request(live.url + "/api/v1/epreuves/E1/pv.pdf",
                                     headers={"Authorization": f"Bearer {resp.token}"})
    with urllib.request.urlopen(request) as answer:
        assert answer.status == 200 and answer.read(5) == b"%PDF-"
