"""The PV of an oral épreuve (issue 13), per jury, read back with pdftotext: planned and actual times, the late
arrival and the jury's decision by whom and when (R28), a report for force majeure, an absent, the subject numbers
drawn with their witness (R30), an abandon signed (R25), a renunciation refused signature (R32), the hash head."""

import re
import subprocess

import pytest

from salle.pv_oral import build_any_pv
from tests.helpers.api import SIGNATURE, cid
from tests.helpers.orals import oral_at


def text(data: bytes) -> str:
    assert data.startswith(b"%PDF")
    raw = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()
    return re.sub(r"\s+", " ", raw.replace("\u00a0", " "))


def test_the_pv_of_an_oral_tells_each_jury_passage_by_passage(oral_live, clock):
    tablet, j1, j2 = (oral_live.client(r) for r in ("surveillant", "jury_j1", "jury_j2"))
    base = "/api/v1/oraux/O1/candidats"
    clock.set(oral_at("13:58"))
    tablet.scan("A01", "ATP27-00001")
    sujet = j1.post(f"{base}/ATP27-00001/tirage", {"temoin": "M. Petit", "client_id": cid()})["sujet"]
    clock.set(oral_at("14:18"))
    j1.post(f"{base}/ATP27-00001/debut", {"client_id": cid()})
    clock.set(oral_at("14:36"))
    j1.post(f"{base}/ATP27-00001/fin", {"client_id": cid()})
    tablet.scan("A01", "ATP27-00003")  # convoked at 14:20: late
    j1.post(f"{base}/ATP27-00003/decision", {"decision": "vu", "client_id": cid()})
    j1.post(f"{base}/ATP27-00003/tirage", {"temoin": "Mme Durand", "mode": "papier", "sujet": 9, "client_id": cid()})
    j1.post(f"{base}/ATP27-00003/abandon", {"signature": SIGNATURE, "client_id": cid()})
    assert j2.post(f"{base}/ATP27-00007/auditeurs", {"nombre": 2, "accord_candidat": True, "client_id": cid()})["ok"]
    j2.post(f"{base}/ATP27-00007/incidents", {"type": "fraude", "texte": "Notes cachées", "decision": "non_averee",
                                              "client_id": cid()})
    j2.post(f"{base}/ATP27-00005/decision", {"decision": "absent", "client_id": cid()})
    tablet.scan("A01", "ATP27-00007")
    j2.post(f"{base}/ATP27-00007/decision", {"decision": "reporte", "nouvelle_heure": "2027-03-19T16:00:00",
                                            "motif": "Accident, constat produit", "client_id": cid()})
    clock.set(oral_at("17:00"))
    pv = text(build_any_pv(oral_live.day, "O1"))
    assert "Procès-verbal de l'épreuve orale" in pv and "préparation 20 min, passage 20 min ; 12 sujets" in pv
    assert "Jury 1 — Salle O101 — membres : Mme Durand, M. Petit" in pv and "Jury 2 — Salle O102" in pv
    # the table's cells wrap: each fact is read in its cell's words
    for fact in (f"n° {sujet} (logiciel,", "témoin M.", "n° 9 (papier,", "(retard)", "vu, 14 h 36 par", "Jury 1 (O101)",
                 "14 h 18–14 h 36", "(fin prévue", "14 h 38)", "terminé", "absent, 14 h 36", "Jury 2 (O102)",
                 "14 h 20 →", "16 h 00", "reporté", "abandon"):
        assert fact in pv, fact
    assert "Reports pour force majeure" in pv and "ATP27-00007 : de 14 h 20 au 16 h 00" in pv
    assert "motif : Accident, constat produit" in pv and "reporté" in pv
    assert "Abandon, signé" in pv and "ATP27-00003" in pv
    assert "Auditeurs" in pv and "2 auditeur(s) admis" in pv and "avec l'accord du candidat" in pv
    assert "Fraude — décision du jury : fraude non avérée : le candidat poursuit" in pv
    assert re.search(r"Empreinte du journal \(tête de la chaîne de hachage\) : [0-9a-f]{64}", pv)
    assert not re.search(r"\bR\d{1,2}\b", pv), "a rule id in the PV: its words only, as the written PV"
    assert "journal intègre" in pv


def test_the_responsable_downloads_the_oral_pv_from_the_api(oral_live):
    import requests

    resp = oral_live.client("responsable")
    r = requests.get(f"{oral_live.url}/api/v1/epreuves/O1/pv.pdf", headers={"Authorization": f"Bearer {resp.token}"},
                     timeout=10)
    assert r.status_code == 200 and "Jury 2 — Salle O102" in text(r.content)


def get_pdf(oral_live, role: str, path: str):
    import requests

    client = oral_live.client(role)
    return requests.get(f"{oral_live.url}/api/v1/oraux/O1/{path}", headers={"Authorization": f"Bearer {client.token}"},
                        timeout=10)


def test_one_jurys_pv_by_the_api_for_the_jury_itself_the_responsable_and_the_admin(oral_live, clock):
    clock.set(oral_at("13:58"))
    oral_live.client("surveillant").scan("A01", "ATP27-00001")
    r = get_pdf(oral_live, "jury_j1", "jurys/J1/pv.pdf")
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/pdf"
    assert r.headers["Content-Disposition"] == 'attachment; filename="PV-O1-J1-2027-03-19.pdf"'
    pv = text(r.content)
    assert "Jury 1 — Salle O101" in pv and "ATP27-00001" in pv and "Jury 2" not in pv
    assert re.search(r"Empreinte du journal \(tête de la chaîne de hachage\) : [0-9a-f]{64}", pv)
    for role in ("responsable", "admin"):
        r = get_pdf(oral_live, role, "jurys/J2/pv.pdf")
        assert r.status_code == 200 and "Jury 2 — Salle O102" in text(r.content) and "Jury 1 —" not in text(r.content)


def test_a_wrong_role_or_an_unknown_jury_gets_a_french_error_and_changes_nothing(oral_live):
    seq = oral_live.day.journal.one("SELECT MAX(seq) AS n FROM events")["n"]
    for role, path, status, words in (
            ("surveillant", "jurys/J1/pv.pdf", 403, "Action interdite pour le rôle « surveillant »"),
            ("jury_j1", "jurys/J2/pv.pdf", 403, "Vous n'avez pas accès aux passages du Jury 2"),
            ("responsable_montreuil", "jurys/J1/pv.pdf", 403, "Vous n'avez pas accès aux passages du Jury 1"),
            ("responsable", "jurys/J9/pv.pdf", 404, "Jury « J9 » inconnu pour l'épreuve O1."),
            ("admin", "../E1/jurys/J1/pv.pdf", 404, "n'est pas un oral")):
        r = get_pdf(oral_live, role, path)
        assert r.status_code == status, (role, path, r.status_code)
        assert words in r.json()["erreur"]["message"], r.json()
    signed_in = oral_live.day.journal.one("SELECT COUNT(*) AS n FROM events WHERE seq > ? AND type NOT IN "
                                          "('connexion')", [seq])["n"]
    assert signed_in == 0  # only the sign-ins were journaled


def test_the_pv_lists_each_subject_given_back_and_flags_a_missing_one_R31(oral_live, clock):
    tablet, j1 = oral_live.client("surveillant"), oral_live.client("jury_j1")
    base = "/api/v1/oraux/O1/candidats"
    clock.set(oral_at("13:58"))
    for numero in ("ATP27-00001", "ATP27-00003"):
        tablet.scan("A01", numero)
        j1.post(f"{base}/{numero}/tirage", {"temoin": "M. Petit", "mode": "papier", "client_id": cid(),
                                            "sujet": 4 if numero.endswith("1") else 5})
    clock.set(oral_at("14:18"))
    for numero in ("ATP27-00001", "ATP27-00003"):
        j1.post(f"{base}/{numero}/debut", {"client_id": cid()})
        j1.post(f"{base}/{numero}/fin", {"client_id": cid()})
    j1.post(f"{base}/ATP27-00001/sujet-rendu", {"client_id": cid()})  # ATP27-00003 leaves with the subject
    pv = text(get_pdf(oral_live, "jury_j1", "jurys/J1/pv.pdf").content)
    assert "Remise des sujets" in pv
    assert "ATP27-00001 : sujet n° 4 rendu à 14 h 18, reçu par Jury 1 (O101)" in pv
    assert "Sujets non rendus — à signaler" in pv
    assert "ATP27-00003 (" in pv and "sujet n° 5 tiré à 13 h 58, passage clos (passage terminé) sans remise" in pv
    assert "NON RENDU" in pv


@pytest.mark.amenagements(ATP27_00001="secrétaire ; salle à part")
def test_the_jurys_pv_says_each_candidats_amenagements_R24(oral_live):
    pv = text(get_pdf(oral_live, "jury_j1", "jurys/J1/pv.pdf").content)
    # the cell wraps: its words in order, under the name
    assert "BONNET Grégory (aide humaine : ATP27-00001" in pv and "secrétaire ; salle à (non venu) part)" in pv
