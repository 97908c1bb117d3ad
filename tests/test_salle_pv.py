"""The PV (PDF), the paper émargement sheet and the émargement CSV, read back with pdftotext and csv."""

import csv
import io
import subprocess

import requests
from click.testing import CliRunner

from salle.cli import main
from salle_helpers import SIGNATURE, admit, candidats, cid, emarge, refused
from support import at


def pdftext(data: bytes) -> str:
    assert data.startswith(b"%PDF")
    out = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()
    return " ".join(out.split())  # cells wrap: compare with whitespace collapsed


def get_raw(live, client, path: str) -> requests.Response:
    return requests.get(live.url + path, headers={"Authorization": f"Bearer {client.token}"}, timeout=20)


def a_full_epreuve(live, clock):
    """Doors moved, start, a late refusal, no-ID alert resolved, incidents, fraud, émargements, recount, release."""
    tablet, resp = live.client("surveillant"), live.client("responsable")
    n = candidats(live.day, "A01", 4)
    admit(tablet, "A01", n[:2])
    admit(tablet, "A01", n[2:3], piece="aucune")
    resp.post("/api/v1/epreuves/E1/sites/PANTIN/fermeture", {"heure": "09:05", "motif": "Retard du RER — ligne E",
                                                             "client_id": cid()})
    seq = resp.get("/api/v1/alertes")["alertes"][0]["seq"]
    resp.post(f"/api/v1/alertes/{seq}/resolution", {"resolution": "Contrôle spécifique : état civil vérifié",
                                                   "client_id": cid()})
    clock.set(at("09:05"))
    resp.post("/api/v1/epreuves/E1/sites/PANTIN/debut", {"client_id": cid()})
    clock.set(at("09:06"))
    assert tablet.scan("A01", n[3], "cni")["verdict"] == "portes_fermees"
    clock.set(at("10:00"))
    tablet.post("/api/v1/salles/A01/incidents", {"type": "anomalie", "texte": "Œuvre d'art tombée — 5 € de dégâts",
                                                 "client_id": cid()})
    tablet.post("/api/v1/salles/A01/incidents", {"type": "fraude", "numero": n[2], "texte": "Téléphone allumé", "heure_faits": "09:58",
                                                 "exclusion": True, "contresignature": SIGNATURE, "client_id": cid()})
    emarge(tablet, "A01", n[0], copies=2)
    emarge(tablet, "A01", n[1], copies=None, copie_blanche=True)
    clock.set(at("12:05"))
    resp.post("/api/v1/salles/A01/recomptage", {"copies_comptees": 3, "client_id": cid()})
    resp.post("/api/v1/salles/A01/liberation", {"client_id": cid()})
    return tablet, resp, n


def test_pv_states_times_counts_refusals_incidents_recount_fraud_annex_and_chain_head(live, clock):
    tablet, resp, n = a_full_epreuve(live, clock)
    r = get_raw(live, resp, "/api/v1/epreuves/E1/pv.pdf")
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/pdf"
    text = pdftext(r.content)
    names = {row["numero"]: row for row in live.day.journal.query("SELECT * FROM candidats")}
    for expected in ("Procès-verbal de l'épreuve", "Retard du RER — ligne E", "09 h 00 → 09 h 05",
                     "Ouverture des sujets (R9)", "09 h 05", "Œuvre d'art tombée — 5 € de dégâts",
                     "Contrôle spécifique : état civil vérifié", "ÉCART de +1 copie(s)", "Salle libérée à : 12 h 05",
                     "rapport de suspicion de fraude (R11)", "Téléphone allumé", "Exclusion immédiate",
                     names[n[3]]["nom"].upper(), "RÉPÉTITION", live.day.journal.head):
        assert expected in text, expected
    assert "sans émargement (R21 : réputés ne pas avoir rendu de copie) : 1" in text
    assert names[n[2]]["numero"] in text.split("sans émargement (R21")[1]
    from pypdf import PdfReader

    annex = PdfReader(io.BytesIO(r.content)).pages[-1].get_contents().get_data()
    assert annex.count(b" l\n") + annex.count(b" l ") >= 3  # the countersignature drawn as lines


def test_pv_and_csv_roles(live, clock):
    tablet, resp = live.client("surveillant"), live.client("responsable")
    assert get_raw(live, tablet, "/api/v1/epreuves/E1/pv.pdf").status_code == 403
    assert get_raw(live, live.client("responsable_montreuil"), "/api/v1/epreuves/E1/pv.pdf?site=PANTIN").status_code \
        == 403
    assert get_raw(live, resp, "/api/v1/epreuves/E9/pv.pdf").status_code == 404
    r = get_raw(live, live.client("admin"), "/api/v1/epreuves/E1/emargement.csv?site=NULLEPART")
    assert r.status_code == 404 and "inconnu" in r.json()["erreur"]["message"]
    assert get_raw(live, live.client("surveillant_b12"), "/api/v1/salles/A01/feuille-emargement.pdf").status_code \
        == 403


def test_emargement_csv_utf8_bom_semicolon_with_copies(live, clock):
    tablet, resp, n = a_full_epreuve(live, clock)
    r = get_raw(live, resp, "/api/v1/epreuves/E1/emargement.csv")
    assert r.status_code == 200 and r.content.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig")), delimiter=";"))
    by = {row["N° d'inscription"]: row for row in rows}
    assert by[n[0]]["Copies remises"] == "2" and by[n[0]]["Émargement"] == "10 h 00"
    assert by[n[1]]["Copie blanche"] == "oui" and by[n[2]]["Émargement"] == "" and by[n[2]]["Statut"] == "sorti"
    assert {row["Site"] for row in rows} == {"PANTIN"}
    expected = live.day.journal.one("SELECT COUNT(*) AS k FROM candidats WHERE site = 'PANTIN'")["k"]
    assert len(rows) == expected


def test_paper_emargement_sheet_lists_names_places_exactly(live):
    tablet = live.client("surveillant")
    r = get_raw(live, tablet, "/api/v1/salles/A01/feuille-emargement.pdf?epreuve=E1")
    assert r.status_code == 200
    text = pdftext(r.content)
    rows = live.day.journal.query("SELECT * FROM candidats WHERE salle = 'A01'")
    assert "Feuille d'émargement — Salle A01" in text and "Signature" in text and "Copies" in text
    for row in rows:
        assert row["numero"] in text and row["prenom"] in text
    assert any(not row["prenom"].isascii() for row in rows)  # accents really checked


def test_cli_pv_writes_the_pdf(day, tmp_path):
    day.close()
    out = tmp_path / "pv.pdf"
    result = CliRunner().invoke(main, ["pv", "--db", str(day.db_path), "--epreuve", "E1", "--site", "PANTIN",
                                       "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "Procès-verbal de l'épreuve" in pdftext(out.read_bytes())
    bad = CliRunner().invoke(main, ["pv", "--db", str(day.db_path), "--epreuve", "E7", "-o", str(out)])
    assert bad.exit_code == 2 and "Épreuve « E7 » inconnue" in bad.output
