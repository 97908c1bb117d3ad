"""Papers before the day: convocations with their barcode (all 300 of the demo read back from the rendered pages
by both decoders), the numéro in large type (R26), « à renvoyer » when a re-import changes their facts (said by the
import itself), the lists to post (A4 landscape) and the labels with their progress and summary, bad session data
refused by key, one barcode payload for the convocation and the borne's ticket, the organiser's downloads."""

from __future__ import annotations

import io
import subprocess
import zipfile
from dataclasses import replace
from pathlib import Path

import cv2
import pytest
import requests
import zxingcpp
from click.testing import CliRunner
from pyzbar import pyzbar

from salle.cli import main as cli
from salle.clock import FixedClock
from salle.collation import french_key
from salle.state.queries import candidat_from_row
from salle.documents import affichage
from salle.documents.convocations import check_session, convocations_of, render, write_all
from salle.errors import Invalide
from salle.importing import import_candidats
from salle.rules import parse_code
from tests.helpers.day import at
from tests.helpers.pdf import pdf_layout



def decoded(pdf: Path, tmp_path: Path) -> tuple[set[str], set[str]]:
    """The codes on the first page, read from its image by zxing-cpp and by pyzbar."""
    subprocess.run(["pdftoppm", "-r", "150", "-f", "1", "-l", "1", "-png", str(pdf), str(tmp_path / "page")],
                   check=True)
    image = cv2.imread(str(next(tmp_path.glob("page*.png"))), cv2.IMREAD_GRAYSCALE)
    zx = {r.text for r in zxingcpp.read_barcodes(image)}
    zb = {r.data.decode() for r in pyzbar.decode(image)}
    for old in tmp_path.glob("page*.png"):
        old.unlink()
    return zx, zb


def everyone(day):
    return [candidat_from_row(r) for r in day.journal.query("SELECT * FROM candidats ORDER BY numero")]


DPI = 90  # the lowest that both decoders read on every page of the demo (80: zxing-cpp misses 218 Code 128s; 72: all)
BAND = (1.5, 3.0)  # inches from the top, and tall: the QR (beside the name) and the Code 128 (under the numéro)


def pages_read_back(files: list[Path], tmp_path: Path) -> list[tuple[str, list, list]]:
    """Each file's first page: its text (pdftotext), and its codes as (format, text) read from the rendered page
    (pdftoppm, the band holding both codes at DPI, two renderers at once) by zxing-cpp and by pyzbar."""
    from concurrent.futures import ThreadPoolExecutor

    from pyzbar.pyzbar import ZBarSymbol

    whole = tmp_path / "toutes.pdf"
    subprocess.run(["pdfunite", *map(str, files), str(whole)], check=True)
    texts = subprocess.run(["pdftotext", "-layout", str(whole), "-"], capture_output=True, check=True,
                           text=True).stdout.split("\f")
    (tmp_path / "bande").mkdir()
    top, height = (round(inches * DPI) for inches in BAND)
    half = (len(files) + 1) // 2
    renderers = [subprocess.Popen(["pdftoppm", "-r", str(DPI), "-gray", "-f", str(first), "-l", str(last),
                                   "-x", "0", "-y", str(top), "-W", str(round(8.27 * DPI)), "-H", str(height),
                                   str(whole), str(tmp_path / "bande" / "p")])
                 for first, last in ((1, half), (half + 1, len(files)))]
    assert all(r.wait() == 0 for r in renderers)
    images = sorted((tmp_path / "bande").glob("p-*.pgm"))
    assert len(images) == len(files)
    zx_formats = [zxingcpp.BarcodeFormat.Code128, zxingcpp.BarcodeFormat.QRCode]

    def read(image: Path) -> tuple[list, list]:
        pixels = cv2.imread(str(image), cv2.IMREAD_GRAYSCALE)
        zx = sorted((str(r.format), r.text) for r in zxingcpp.read_barcodes(pixels, formats=zx_formats))
        zb = sorted((r.type, r.data.decode()) for r in pyzbar.decode(pixels, symbols=[ZBarSymbol.CODE128,
                                                                                       ZBarSymbol.QRCODE]))
        return zx, zb

    with ThreadPoolExecutor(2) as pool:
        codes = list(pool.map(read, images))
    return [(text, zx, zb) for text, (zx, zb) in zip(texts, codes)]


def test_convocations_of_the_demo_day_say_what_the_reglement_asks_and_their_codes_read_back(day, tmp_path):
    """All 300: each page's name, numéro, salle and place read back by pdftotext, and its Code 128 and QR decoded
    from the rendered page by both decoders (about 25 s on 2 cores, generation included)."""
    candidats = everyone(day)
    out = tmp_path / "convocations"
    summary = write_all(day.session, candidats, out, workers=2)
    assert summary.written == 300 and summary.changed == [] and len(list(out.glob("ATP27-*.pdf"))) == 300
    with zipfile.ZipFile(out / "convocations.zip") as z:
        assert len([n for n in z.namelist() if n.endswith(".pdf")]) == 300 and "index.csv" in z.namelist()
    index = (out / "index.csv").read_text(encoding="utf-8-sig").splitlines()
    assert index[0] == "numero;nom;prenom;jour;fichier;empreinte" and len(index) == 301

    pages = pages_read_back([out / f"{c.numero}.pdf" for c in candidats], tmp_path)
    unread = []
    for c, (text, zx, zb) in zip(candidats, pages):
        text = " ".join(text.split())
        salle = day.session.salle(c.salle)
        assert c.numero in text and f"{c.nom.upper()} {c.prenom}" in text, c.numero
        assert f"{salle.display} ({salle.access}) — place {c.place}" in text, c.numero
        if zx != [("Code 128", c.numero), ("QR Code", c.numero)] or zb != [("CODE128", c.numero), ("QRCODE", c.numero)]:
            unread.append((c.numero, zx, zb))
    assert unread == []  # Code 128 and QR of every convocation, read by both decoders
    assert parse_code(candidats[0].numero, day.session.concours).numero == candidats[0].numero  # the door reads it

    tiers = next(c for c in candidats if c.tiers_temps)
    plain = next(c for c in candidats if not c.tiers_temps and c.site == "MONTREUIL")
    for c in (tiers, plain):
        text = " ".join(pages[candidats.index(c)][0].split()).replace("\u202f", " ")
        assert day.session.site(c.site).address in text
        assert "convocation à 8 h 30" in text  # R2: 30 minutes before
        assert "Fermeture des portes à 9 h 00 : les candidats arrivant après la fermeture des portes ne sont " \
               "plus acceptés" in text  # R3
        assert "calculatrice non programmable" in text  # the material of E1
        assert "passeport" in text and "titre de séjour" in text  # R5
        assert "borne d'accueil" in text  # R6
        assert ("Tiers-temps accordé" in text) == c.tiers_temps  # R24


def _csv_rows(path: Path) -> list[list[str]]:
    return [line.split(";") for line in path.read_text(encoding="utf-8-sig").splitlines()]


def _write_csv(path: Path, rows: list[list[str]]) -> None:
    path.write_text("\ufeff" + "\r\n".join(";".join(r) for r in rows) + "\r\n", encoding="utf-8")


def test_a_reimport_moving_a_candidat_and_a_salle_says_which_convocations_to_send_again(tmp_path):
    """Through the commands an organiser runs: init, import, convocations; then a corrected file moves one
    candidat to another salle and a whole salle's candidats to another; the import's own summary says how many
    generated convocations must be sent again; `salle convocations` again lists them and zips just those."""
    from salle import demo

    (tmp_path / "session.toml").write_text(demo.session_toml(), encoding="utf-8")
    demo.candidats_csv(tmp_path / "candidats.csv", 30)
    db, out, run = str(tmp_path / "salle.db"), tmp_path / "convocations", CliRunner().invoke

    def ok(*args):
        result = run(cli, list(args))
        assert result.exit_code == 0, result.output
        return result.output

    ok("init", str(tmp_path / "session.toml"), "--db", db)
    ok("import", "candidats", str(tmp_path / "candidats.csv"), "--db", db)
    first = ok("import", "candidats", str(tmp_path / "candidats.csv"), "--db", db)
    assert "Aucun changement" in first and "renvoyer" not in first  # nothing generated yet, nothing changed
    assert "30 convocation(s) écrite(s)" in ok("convocations", "--db", db, "-o", str(out), "--workers", "1")
    placed = {r[0]: r for r in _csv_rows(out / "index.csv")}
    assert len(placed) == 31

    rows = _csv_rows(tmp_path / "candidats.csv")
    header, body = rows[0], rows[1:]
    salle, pieces = header.index("Salle"), header.index("Pièces manquantes")
    moved = next(r for r in body if r[header.index("Site")] == "PANTIN")
    moved[salle] = "B12"  # one candidat moved to the other salle of the site (a place is given there)
    montreuil = [r for r in body if r[header.index("Site")] == "MONTREUIL"]
    for r in montreuil:  # the Amphithéâtre M1 moved: its candidats now sit in M2
        r[salle] = "M2"
    unchanged = next(r for r in body if r is not moved and r not in montreuil)
    unchanged[pieces] = "justificatif de domicile"  # a fact no convocation prints
    _write_csv(tmp_path / "corrige.csv", [header, *body])

    report = ok("import", "candidats", str(tmp_path / "corrige.csv"), "--db", db)
    expected = sorted([moved[0], *(r[0] for r in montreuil)])
    assert f"{1 + len(montreuil) + 1} modifié(s)" in report
    assert f"{len(expected)} convocation(s) déjà générée(s) dans {out.resolve()} à renvoyer" in report, report
    assert f"salle convocations -o {out.resolve()}" in report
    assert not (out / "a_renvoyer.zip").exists()  # said by the import; the papers are the next generation's

    again = ok("convocations", "--db", db, "-o", str(out), "--workers", "1")
    assert f"{len(expected)} convocation(s) à renvoyer" in again
    listed = [r.split(";")[0] for r in (out / "a_renvoyer.csv").read_text(encoding="utf-8-sig").splitlines()[1:]]
    assert sorted(listed) == expected
    with zipfile.ZipFile(out / "a_renvoyer.zip") as z:
        assert sorted(z.namelist()) == [f"{n}.pdf" for n in expected]
    text = " ".join(pdf_layout((out / f"{moved[0]}.pdf").read_bytes()).split())
    assert "Salle B12" in text and "bâtiment B, 1er étage" in text
    assert "Salle M2" in " ".join(pdf_layout((out / f"{montreuil[0][0]}.pdf").read_bytes()).split())

    unchanged[pieces] = ""  # a change that no convocation prints: said too, never silent
    _write_csv(tmp_path / "corrige2.csv", [header, *body])
    report = ok("import", "candidats", str(tmp_path / "corrige2.csv"), "--db", db)
    assert "1 modifié(s)" in report and f"déjà générées dans {out.resolve()} : aucune à renvoyer" in report

    from tests.helpers.server import LiveServer  # the organiser's console downloads the last generation's files

    server = LiveServer(tmp_path / "salle.db", FixedClock(at("08:00")))
    try:
        admin, resp = server.client("admin"), server.client("responsable")

        def get(client, path):
            return requests.get(server.url + path, headers={"Authorization": f"Bearer {client.token}"}, timeout=30)

        r = get(admin, "/api/v1/documents/convocations.zip")
        assert r.status_code == 200 and r.headers["Content-Type"] == "application/zip"
        assert 'filename="convocations.zip"' in r.headers["Content-Disposition"]
        with zipfile.ZipFile(io.BytesIO(r.content)) as z:
            assert len([n for n in z.namelist() if n.endswith(".pdf")]) == 30 and "index.csv" in z.namelist()
        r = get(admin, "/api/v1/documents/a_renvoyer.zip")
        with zipfile.ZipFile(io.BytesIO(r.content)) as z:
            assert sorted(z.namelist()) == [f"{n}.pdf" for n in expected]
        r = get(admin, "/api/v1/documents/a_renvoyer.csv")
        assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/csv") and moved[0] in r.text
        assert get(resp, "/api/v1/documents/convocations.zip").status_code == 403  # the organiser's only
    finally:
        server.stop()


def test_the_summary_names_candidats_convoked_to_nothing_and_those_no_longer_convoked(day, tmp_path):
    candidats = everyone(day)[:30]
    out = tmp_path / "convocations"
    write_all(day.session, candidats, out, workers=1)
    assert write_all(day.session, candidats, out, workers=1).changed == []  # the same facts: nothing to send
    assert not (out / "a_renvoyer.zip").exists()
    candidats[7] = replace(candidats[7], epreuves=("E9",))  # convoked to no épreuve of the session: said, not silent
    summary = write_all(day.session, candidats, out, workers=1)
    assert summary.skipped == [candidats[7].numero] and "1 candidat(s) sans convocation" in summary.french()
    assert f"{candidats[7].numero}.pdf" in summary.removed


@pytest.mark.parametrize("broken, key", [
    (lambda s: replace(s, sites=(replace(s.sites[0], address=" "), *s.sites[1:])), "sites[1].address"),
    (lambda s: replace(s, epreuves=(replace(s.epreuves[0], materiel=None), *s.epreuves[1:])), "epreuves[1].materiel"),
    (lambda s: replace(s, concours=replace(s.concours, organisateur="")), "concours.organisateur"),
])
def test_bad_session_data_is_named_by_its_key_and_nothing_is_written(day, tmp_path, broken, key):
    out = tmp_path / "convocations"
    with pytest.raises(Invalide) as exc:
        write_all(broken(day.session), everyone(day), out, workers=1)
    message = exc.value.message
    assert key in message and ("manquante" in message or "manque" in message)
    assert not out.exists()


def test_the_borne_ticket_and_the_convocation_carry_one_payload(day, tmp_path):
    from devices.printing.ticket import ConvocationTicket, ticket_bytes
    from salle.commands.kiosk import ticket_fields

    session = replace(day.session, concours=replace(day.session.concours, code_format="CONV|{numero}"))
    c = everyone(day)[0]
    pdf = tmp_path / "c.pdf"
    pdf.write_bytes(render(session, convocations_of(session, [c])[0]))
    zx, zb = decoded(pdf, tmp_path)
    assert zx == {f"CONV|{c.numero}"} and f"CONV|{c.numero}" in zb

    day._session = session  # the borne of a day whose convocations carry a prefix
    fields = ticket_fields(day, c, session.epreuves[0])
    assert fields["barcode_payload"] == f"CONV|{c.numero}"
    escpos = ticket_bytes(ConvocationTicket(**fields))
    assert b"{BCONV|" + c.numero.encode() in escpos  # Code 128 as the printer draws it
    assert parse_code(f"CONV|{c.numero}", session.concours).numero == c.numero  # and the door reads both


def test_the_list_to_post_is_in_french_order_without_dates_of_birth(day, tmp_path):
    candidats = everyone(day)
    text = pdf_layout(affichage.site_list(day.session, "PANTIN", candidats))
    pantin = sorted((c for c in candidats if c.site == "PANTIN"), key=lambda c: (french_key(c.nom), french_key(c.prenom)))
    positions = [text.find(f"{c.nom.upper()} {c.prenom}") for c in pantin]
    assert all(p >= 0 for p in positions) and positions == sorted(positions)
    assert all(c.date_naissance.strftime("%d/%m/%Y") not in text for c in pantin)  # R27
    assert "Salle B12 — bâtiment B, 1er étage" in text


def words(pdf: bytes, tmp_path: Path) -> list[tuple[str, float]]:
    """Each word of the first page with its height in points (pdftotext -bbox: DejaVu's box is 1.16 × its size)."""
    import re

    path = tmp_path / "mots.pdf"
    path.write_bytes(pdf)
    xml = subprocess.run(["pdftotext", "-bbox", "-f", "1", "-l", "1", str(path), "-"], capture_output=True,
                         check=True, text=True).stdout
    return [(w, float(y1) - float(y0)) for y0, y1, w in
            re.findall(r'<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)</word>', xml)]


def page_size(pdf: bytes, tmp_path: Path) -> tuple[float, float, str]:
    """pdfinfo's page size: width and height in points, and the paper's name."""
    import re

    path = tmp_path / "taille.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True, text=True).stdout
    w, h, name = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts(?: \((\w+)\))?", info).groups()
    return float(w), float(h), name or ""


def test_the_numero_is_the_largest_type_of_the_convocation(day, tmp_path):
    """R26: the numéro d'inscription in large type — taller than any other word of the page, 22 pt at least."""
    c = everyone(day)[0]
    found = words(render(day.session, convocations_of(day.session, [c])[0]), tmp_path)
    numero = max(h for w, h in found if w == c.numero)
    body = sorted(h for w, h in found if w != c.numero)
    assert numero >= 22 * 1.16 and numero >= max(body)
    assert numero >= 2.5 * body[len(body) // 2]  # against the page's ordinary text


def test_the_lists_to_post_are_a4_landscape_or_a3_in_large_type(day, tmp_path):
    candidats = everyone(day)
    for site in day.session.sites:
        for pdf in (affichage.site_list(day.session, site.code, candidats),
                    affichage.door_labels(day.session, site.code, candidats)):
            width, height, name = page_size(pdf, tmp_path)
            assert (name == "A4" and width > height) or name == "A3", (site.code, width, height, name)
    listed = words(affichage.site_list(day.session, "PANTIN", candidats), tmp_path)
    first = min((c for c in candidats if c.site == "PANTIN"), key=lambda c: (french_key(c.nom), french_key(c.prenom)))
    assert min(h for w, h in listed if w == first.nom.upper()) >= 14 * 1.16  # 14 pt, to read on a wall


def test_door_and_table_labels(day, tmp_path):
    candidats = everyone(day)
    doors = " ".join(pdf_layout(affichage.door_labels(day.session, "PANTIN", candidats)).split())
    assert "Salle A01" in doors and "bâtiment A, rez-de-chaussée" in doors and "Places A1 à" in doors
    a01 = day.session.salle("A01")
    tables = pdf_layout(affichage.table_labels(day.session, a01, candidats))
    seats = [line.split("Place ")[1].split()[0] for line in tables.splitlines() if "Place " in line]
    flat = [p for line in tables.splitlines() if "Place " in line for p in line.split("Place ")[1:]]
    assert seats and [p.split()[0] for p in flat][:4] == a01.seats[:4]


@pytest.fixture
def fewer(empty_day, demo_files):
    """The demo session with the first 120 of its candidats: the convocations' other tests, two and a half chunks
    (the demo's 300 are read back once, above)."""
    lines = (demo_files / "candidats.csv").read_bytes().splitlines(keepends=True)
    import_candidats(empty_day, b"".join(lines[:121]), "candidats.csv")
    return empty_day


def test_the_cli_shows_progress_and_ends_with_a_french_summary(fewer, demo_files, tmp_path):
    fewer.close()
    result = CliRunner().invoke(cli, ["convocations", "--db", str(demo_files / "salle.db"), "-o",
                                      str(tmp_path / "c"), "--workers", "2"])
    assert result.exit_code == 0, result.output
    assert "50/120 convocations" in result.output and "100/120 convocations" in result.output
    assert "120/120 convocations" in result.output and "120 convocation(s) écrite(s)" in result.output
    result = CliRunner().invoke(cli, ["affichage", "--db", str(demo_files / "salle.db"), "-o", str(tmp_path / "a")])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "  1/8 documents : liste-PANTIN.pdf" and "  8/8 documents : tables-M2.pdf" in lines
    summary = next(i for i, line in enumerate(lines) if line.startswith("8 document(s) écrit(s) dans "))
    assert all("/8 documents : " in line for line in lines[:summary])  # progress, then the French summary
    assert lines[summary + 1:] == ["2 salle(s) sans candidat, étiquettes de table vides : B12, M2."]
    assert sorted(p.name for p in (tmp_path / "a").iterdir())[:2] == ["liste-MONTREUIL.pdf", "liste-PANTIN.pdf"]


def test_the_posted_papers_summary_names_empty_salles_and_candidats_without_a_place(day, tmp_path):
    from salle.documents.affichage import write_all as post_all

    few = [c for c in everyone(day) if c.salle == "A01"][:3]
    few[2] = replace(few[2], place="")
    told = []
    summary = post_all(day.session, few, tmp_path / "a", lambda done, total, name: told.append((done, total, name)))
    assert told[0] == (1, 8, "liste-PANTIN.pdf") and told[-1] == (8, 8, "tables-M2.pdf")
    text = summary.french()
    assert "3 salle(s) sans candidat, étiquettes de table vides : B12, M1, M2." in text
    assert f"1 candidat(s) sans salle ou sans place : {few[2].numero}" in text


def test_check_session_accepts_the_demo(day):
    check_session(day.session)


def test_the_documents_through_the_api_for_the_organiser_and_the_site_responsable_only(live):
    from salle.client import ApiError

    admin, resp, tablet = live.client("admin"), live.client("responsable"), live.client("surveillant")
    numero = live.day.journal.one("SELECT numero FROM candidats WHERE site = 'PANTIN' ORDER BY numero")["numero"]
    other = live.day.journal.one("SELECT numero FROM candidats WHERE site = 'MONTREUIL' ORDER BY numero")["numero"]
    before = live.day.journal.one("SELECT COUNT(*) AS n FROM events")["n"]
    for client, path in ((admin, f"/api/v1/documents/convocations/{other}.pdf"),
                         (resp, f"/api/v1/documents/convocations/{numero}.pdf"),
                         (resp, "/api/v1/documents/sites/PANTIN/liste.pdf"),
                         (resp, "/api/v1/documents/sites/PANTIN/portes.pdf"),
                         (resp, "/api/v1/documents/salles/A01/tables.pdf")):
        r = requests.get(live.url + path, headers={"Authorization": f"Bearer {client.token}"}, timeout=30)
        assert r.status_code == 200 and r.headers["Content-Type"] == "application/pdf", path
        assert r.content.startswith(b"%PDF") and "attachment; filename=" in r.headers["Content-Disposition"]
    for client, path, status in ((resp, f"/api/v1/documents/convocations/{other}.pdf", 403),
                                 (resp, "/api/v1/documents/sites/MONTREUIL/liste.pdf", 403),
                                 (tablet, "/api/v1/documents/salles/A01/tables.pdf", 403),
                                 (admin, "/api/v1/documents/convocations/ATP27-99999.pdf", 404),
                                 (admin, "/api/v1/documents/salles/ZZZ/tables.pdf", 404),
                                 (admin, "/api/v1/documents/convocations.zip", 404),  # none generated yet
                                 (admin, "/api/v1/documents/a_renvoyer.zip", 404),
                                 (resp, "/api/v1/documents/a_renvoyer.csv", 403)):
        with pytest.raises(ApiError) as exc:
            client.get(path)
        assert exc.value.status == status and exc.value.body["erreur"]["message"]
    assert live.day.journal.one("SELECT COUNT(*) AS n FROM events")["n"] == before  # reading changes nothing


@pytest.mark.browser
def test_the_console_downloads_the_papers_under_their_names(live, chromium):
    from playwright.sync_api import expect

    from tests.helpers.day import CODES

    context = chromium.new_context(viewport={"width": 1366, "height": 768}, locale="fr-FR", accept_downloads=True)
    try:
        page = context.new_page()
        page.goto(live.url + "/console")
        page.fill("#code", CODES["responsable"])
        page.click("button[type=submit]")
        page.click("#tab-documents")
        expect(page.locator("#documents")).to_be_visible()
        with page.expect_download() as download:
            page.click("#documents button:has-text('Liste à afficher')")
        assert download.value.suggested_filename == "liste-PANTIN.pdf"
        page.fill("#doc-numero", "ATP27-99999")
        page.click("#doc-convocation")
        expect(page.locator("#documents [role=status]")).to_contain_text("inconnu")
        expect(page.locator("#doc-generated")).to_be_hidden()  # the convocations' ZIPs are the organiser's
    finally:
        context.close()


@pytest.mark.browser
def test_the_organiser_downloads_the_generated_convocations_from_the_console(fewer, demo_files, clock, chromium):
    from playwright.sync_api import expect

    from tests.helpers.day import CODES
    from tests.helpers.server import LiveServer

    fewer.close()
    result = CliRunner().invoke(cli, ["convocations", "--db", str(demo_files / "salle.db"), "-o",
                                      str(demo_files / "convocations"), "--workers", "2"])
    assert result.exit_code == 0, result.output
    server = LiveServer(demo_files / "salle.db", clock)
    context = chromium.new_context(viewport={"width": 1366, "height": 768}, locale="fr-FR", accept_downloads=True)
    try:
        page = context.new_page()
        page.goto(server.url + "/console")
        page.fill("#code", CODES["admin"])
        page.click("button[type=submit]")
        page.click("#tab-documents")
        expect(page.locator("#doc-generated")).to_be_visible()
        with page.expect_download() as download:
            page.click("#doc-convocations-zip")
        assert download.value.suggested_filename == "convocations.zip"
        with zipfile.ZipFile(download.value.path()) as z:
            assert len(z.namelist()) == 121
        page.click("#doc-renvoyer-zip")  # a first generation: nothing to send again, said
        expect(page.locator("#documents [role=status]")).to_contain_text("Aucune convocation à renvoyer")
    finally:
        context.close()
        server.stop()
