"""The PV (PDF), the paper émargement sheet and the émargement CSV, read back with pdftotext and csv."""

import csv
from datetime import date
import io
import re

import requests
from click.testing import CliRunner

from salle import pv
from salle.cli import main
from tests.helpers.api import SIGNATURE, admit, cid, emarge
from tests.helpers.day import at, candidats
from tests.helpers.pdf import pdf_layout, pdf_raw, pdf_text


def get_raw(live, client, path: str) -> requests.Response:
    return requests.get(live.url + path, headers={"Authorization": f"Bearer {client.token}"}, timeout=20)


def a_full_epreuve(live, clock):
    """Doors moved, start, a late refusal, a refusal for pièces then an admission, no-ID alert resolved,
    incidents, fraud and the jury's decision, émargements, a candidate still out, a scan after the end,
    recount, release with open items and a reason."""
    tablet, resp = live.client("surveillant"), live.client("responsable")
    n = candidats(live.day, "A01", 6)
    admit(tablet, "A01", n[:2])
    admit(tablet, "A01", n[2:3], piece="aucune")
    admit(tablet, "A01", n[4:5])
    pieces = live.day.journal.one("SELECT numero FROM candidats WHERE salle = 'A01' AND tiers_temps = 0 AND "
                                  "pieces_manquantes != '' ORDER BY numero LIMIT 1")["numero"]
    assert tablet.scan("A01", pieces, "cni")["verdict"] == "pieces_manquantes"  # refused, then…
    assert tablet.post("/api/v1/salles/A01/scans", {"code": pieces, "piece_identite": "cni", "pieces_produites": True,
                                                     "client_id": cid()})["verdict"] == "admis"  # …admitted
    resp.post("/api/v1/epreuves/E1/sites/PANTIN/fermeture", {"heure": "09:05", "motif": "Retard du RER — ligne E",
                                                             "client_id": cid()})
    seq = resp.get("/api/v1/alertes")["alertes"][0]["seq"]
    resp.post(f"/api/v1/alertes/{seq}/resolution", {"resolution": "Contrôle spécifique : état civil vérifié",
                                                   "client_id": cid()})
    clock.set(at("09:05"))
    resp.post("/api/v1/epreuves/E1/sites/PANTIN/debut", {"client_id": cid()})
    clock.set(at("09:06"))
    live.tick()  # the doors close by themselves
    assert tablet.scan("A01", n[3], "cni")["verdict"] == "portes_fermees"
    clock.set(at("10:00"))
    tablet.post("/api/v1/salles/A01/incidents", {"type": "anomalie", "texte": "Œuvre d'art tombée — 5 € de dégâts",
                                                 "client_id": cid()})
    tablet.post("/api/v1/salles/A01/incidents", {"type": "fraude", "numero": n[2], "texte": "Téléphone allumé",
                                                 "heure_faits": "09:58", "contresignature": SIGNATURE,
                                                 "client_id": cid()})
    fraud = live.day.journal.one("SELECT seq FROM incidents WHERE type = 'fraude'")["seq"]
    resp.post(f"/api/v1/incidents/{fraud}/decision", {"exclusion": True, "client_id": cid(),
                                                      "decide_par": "Mme Claire Martin, présidente du jury"})
    emarge(tablet, "A01", n[0], copies=2)
    emarge(tablet, "A01", n[1], copies=None, copie_blanche=True)
    emarge(tablet, "A01", pieces, copies=1)
    clock.set(at("11:40"))
    tablet.post("/api/v1/salles/A01/toilettes", {"numero": n[4], "accompagnateur": "Paul", "client_id": cid()})
    clock.set(at("12:06"))
    assert tablet.scan("A01", n[5], "cni")["verdict"] == "portes_fermees"  # after the end: not « retard »
    resp.post("/api/v1/salles/A01/recomptage", {"copies_comptees": 4, "client_id": cid()})
    resp.post("/api/v1/salles/A01/liberation", {"client_id": cid(), "motif": "Copie cherchée dans la salle, en vain"})
    return tablet, resp, n + [pieces]


def test_pv_states_the_facts_as_they_ended_for_a_jury_president(live, clock):
    tablet, resp, n = a_full_epreuve(live, clock)
    r = get_raw(live, resp, "/api/v1/epreuves/E1/pv.pdf")
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/pdf"
    assert r.headers["Content-Disposition"] == 'attachment; filename="PV-E1-PANTIN-2027-03-18.pdf"'
    raw = pdf_raw(r.content)
    text = " ".join(raw.split())
    names = {row["numero"]: f"{row['nom'].upper()} {row['prenom']}"
             for row in live.day.journal.query("SELECT * FROM candidats")}
    for expected in ("Procès-verbal de déroulement de l'épreuve", "jeudi 18 mars 2027", "motif : Retard", "du RER — ligne E",
                     "de 09 h 00 à 09 h 05", "09 h 05, par Marc Responsable (Pantin)",
                     "09 h 06, automatiquement, par le système", "Fin de l'épreuve à 12 h 05",
                     "Œuvre d'art tombée — 5 € de dégâts", "état civil vérifié", "exclu(e) par décision du jury",
                     "faire un contrôle d'identité spécifique", "Surveillants présents",
                     "Paul Surveillant (A01) (connecté à 08 h 40)", "ÉCART de +1 copie(s)",
                     "Salle libérée à 12 h 06, par Marc Responsable (Pantin)", "Points non résolus",
                     "Copie cherchée dans la salle, en vain", "hors de la salle à la libération",
                     "Observations", "Fait à Pantin, le", "Le responsable de salle", "Marc Responsable (Pantin)",
                     "Le représentant de l'autorité organisatrice", "Signature", "rapport de suspicion de fraude",
                     "Téléphone allumé", "Heure des faits 09 h 58", "Décision du jury",
                     "Mme Claire Martin, présidente du jury", "Consignée à 10 h 00, par Marc Responsable (Pantin)",
                     "Candidats admis après un premier refus", "Présentations après la fin de l'épreuve"):
        assert expected in text, expected
    # « 11 h 50 » and « 18 mars 2027 » never break across lines (fpdf2 keeps the non-breaking spaces together
    # and prints them as spaces, so the text read back has plain spaces)
    assert pv._t("2027-03-18T11:50:00") == "11\u00a0h\u00a050" and pv.date_fr(date(2027, 3, 18)) == "18\u00a0mars\u00a02027"
    assert not re.search(r"\d\d\n\s*h \d\d", raw) and not re.search(r"\d\d h\n", raw)
    assert text.count(live.day.journal.head) == 1
    pages = raw.split("\f")[:-1]
    assert len(pages) >= 2 and all("RÉPÉTITION" in page for page in pages)
    assert not re.search(r"\bR\d{1,2}\b", text), re.search(r".{30}\bR\d{1,2}\b.{30}", text)  # words, not rule ids
    assert "systeme" not in text
    refusals = text.split("Candidats refusés à l'entrée")[1].split("Candidats admis après un premier refus")[0]
    assert names[n[3]] in refusals and "arrivé(e) après la fermeture des portes" in refusals
    assert names[n[6]] not in refusals and names[n[5]] not in refusals  # admitted after; scanned after the end
    admitted = text.split("Candidats admis après un premier refus")[1]
    assert names[n[6]] in admitted and "pièces manquantes non produites" in admitted
    assert names[n[5]] in text.split("Présentations après la fin de l'épreuve")[1]
    layout = pdf_layout(r.content)
    salle_row = re.search(r"A01\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)", layout)
    assert salle_row.groups()[3:] == ("1", "3", "3", "4")  # refused, émargés, copies émargées, recomptées
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
    text = pdf_text(r.content)
    rows = live.day.journal.query("SELECT * FROM candidats WHERE salle = 'A01'")
    assert "Feuille d'émargement — Salle A01" in text and "Signature" in text and "Copies" in text
    for row in rows:
        assert row["numero"] in text and row["prenom"] in text
    assert any(not row["prenom"].isascii() for row in rows)  # accents really checked


def test_emargement_sheet_in_seat_order_marks_refused_and_absent_then_filled_in_from_the_journal(live, clock):
    tablet, resp, n = a_full_epreuve(live, clock)
    r = get_raw(live, tablet, "/api/v1/salles/A01/feuille-emargement.pdf?epreuve=E1")
    assert r.headers["Content-Disposition"] == 'attachment; filename="EMARGEMENT-A01-E1-2027-03-18.pdf"'
    layout = pdf_layout(r.content)
    rows = live.day.journal.query("SELECT * FROM candidats WHERE salle = 'A01'")
    places = [m.group(1) for m in re.finditer(r"^\s*([A-Z]\d{1,2})\s+ATP", layout, re.M)]
    assert places == sorted(places, key=pv.seat_key) and len(places) == len(rows)
    assert places[:3] == ["A1", "A2", "A3"] and places.index("A10") > places.index("A9")
    by = {row["numero"]: row for row in rows}
    line = lambda numero: next(l for l in layout.splitlines() if numero in l)
    assert "REFUSÉ (retard)" in line(n[3]) and "ABSENT" in layout  # the doors are closed: absents are known
    assert "Sortie" in layout and "Copies" in layout and "Signature" in layout
    filled = get_raw(live, tablet, "/api/v1/salles/A01/feuille-emargement.pdf?epreuve=E1&remplie=1")
    assert filled.headers["Content-Disposition"].endswith('EMARGEMENT-A01-E1-REMPLIE-2027-03-18.pdf"')
    text = pdf_layout(filled.content)
    row = next(l for l in text.splitlines() if n[0] in l)
    assert "08 h 40" in row and "2" in row.split(by[n[0]]["prenom"])[1] and "émargé à 10 h 00" in row
    assert "blanche" in next(l for l in text.splitlines() if n[1] in l)
    assert "remplie d'après le journal" in text
    site = get_raw(live, resp, "/api/v1/epreuves/E1/feuilles-emargement.pdf?remplie=1")
    assert site.headers["Content-Disposition"] == 'attachment; filename="EMARGEMENT-E1-PANTIN-REMPLIES-2027-03-18.pdf"'
    every = pdf_text(site.content)
    assert "Feuille d'émargement — Salle A01" in every and "Feuille d'émargement — Salle B12" in every
    assert get_raw(live, tablet, "/api/v1/epreuves/E1/feuilles-emargement.pdf").status_code == 403


def test_cli_pv_writes_the_pdf(day, tmp_path):
    day.close()
    out = tmp_path / "pv.pdf"
    result = CliRunner().invoke(main, ["pv", "--db", str(day.db_path), "--epreuve", "E1", "--site", "PANTIN",
                                       "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "Procès-verbal de déroulement de l'épreuve" in pdf_text(out.read_bytes())
    bad = CliRunner().invoke(main, ["pv", "--db", str(day.db_path), "--epreuve", "E7", "-o", str(out)])
    assert bad.exit_code == 2 and "Épreuve « E7 » inconnue" in bad.output


def test_a_long_list_repeats_its_heading_on_each_page_and_wraps_a_name_too_long_for_its_column():
    long = "DE LA ROCHEFOUCAULD MONTMORENCY LAVAL SAINT SIMON Marie Élisabeth Joséphine Eugénie"
    rows = [[f"ATP27-{i:05d}", long if i == 37 else f"NOM{i} Prénom", f"A{i}", "présent"] for i in range(120)]

    def draw(pdf):
        pdf.add_page()
        pdf.rows(["Numéro", "Candidat", "Place", "Situation"], rows, (35, 75, 20, 50))

    data = pv.render("Liste", False, draw)
    pages = pdf_raw(data).split("\f")[:-1]
    assert len(pages) >= 3 and all(page.count("Numéro") == 1 for page in pages)  # the heading on every page
    text = pdf_text(data)
    assert long in text  # whole, on two lines of its cell: never cut
    assert [int(m) for m in re.findall(r"ATP27-(\d{5})", text)] == list(range(120))  # every row, in order
    layout = pdf_layout(data)
    first = next(i for i, line in enumerate(layout.splitlines()) if "ATP27-00037" in line)
    assert "ATP27-00038" not in "\n".join(layout.splitlines()[first:first + 2])  # the row grew: no overlap


def test_a_name_outside_the_latin_cut_is_printed_with_the_whole_font(caplog):
    def draw(pdf):
        pdf.add_page()
        pdf.rows(["Candidat"], [["NGUYỄN Thị Minh"], ["DUPONT Zoé"]], (75,))

    data = pv.render("Liste", False, draw)
    assert "NGUYỄN Thị Minh" in pdf_text(data) and "missing" not in caplog.text
