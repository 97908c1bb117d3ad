"""`salle bilan`: the day in pictures from the record, read back with pdftotext (the figures' words and the
tables' numbers), pdfimages (the plots, one grid of panels per site and épreuve) and pdftoppm (every page grey: it
reads printed in black and white); a missing record refused in French."""

from __future__ import annotations

import subprocess

from click.testing import CliRunner

from salle.after.bilan import build_bilan, rates, releases
from salle.after.record import Record
from salle.cli import main
from tests.helpers.pdf import pdf_layout


def test_rates_count_who_sat_and_who_was_refused_late(record):
    with Record(record) as r:
        found = {(x.epreuve, x.what): x for x in rates(r)}
    assert found[("E1", "PANTIN / A01")].refuses_retard == 1
    assert found[("E1", "PANTIN / B12")].presents == 3
    assert found[("E1", "PANTIN")].presents + found[("E1", "MONTREUIL")].presents == 13  # the excluded one sat it
    assert found[("E1", "PANTIN")].convoques + found[("E1", "MONTREUIL")].convoques == 300


def test_door_pace_per_salle(record):
    from salle.after.bilan import door_pace

    with Record(record) as r:
        found = {x["salle"]: x for x in door_pace(r, r.session.epreuve("E1"))}
    a01 = found["A01"]
    assert (a01["admis"], a01["premier"], a01["dernier"], a01["pointe"], a01["retard"]) == \
        (6, "08:40", "08:40", "6 à 08:40", 1)
    assert a01["dix_dernieres"] == 0 and found["M1"]["admis"] == 5


def test_release_times_from_the_epreuves_end(record):
    with Record(record) as r:
        found = {(x["epreuve"], x["salle"]): x["minutes"] for x in releases(r)}
    assert found == {("E1", "A01"): 5, ("E1", "B12"): 10}  # started 09:00, 3 h: released 12:05 and 12:10


def test_the_bilan_pdf_shows_each_part(record, tmp_path):
    with Record(record) as r:
        data = build_bilan(r)
    text = pdf_layout(data)
    for words in ("Bilan de la journée", "Taux de présence par site et par épreuve", "Refus pour retard",
                  "Convocations imprimées à la borne", "Incidents par type", "Temps de libération des salles",
                  "PANTIN / A01", "Aux portes des salles"):
        assert words in text, words
    assert len(images_of(data, tmp_path)) >= 4  # arrivals (E1, E2), rates, incidents, release times


def text_pages(data: bytes, tmp_path) -> list[str]:
    return pdf_layout(data).split("\f")


def images_of(data: bytes, tmp_path) -> list[tuple[int, int, int]]:
    """(page, width, height) of each image in the PDF `data`, as pdfimages lists them."""
    (tmp_path / "bilan.pdf").write_bytes(data)
    listed = subprocess.run(["pdfimages", "-list", str(tmp_path / "bilan.pdf")], capture_output=True, check=True,
                            text=True).stdout
    return [(int(c[0]), int(c[3]), int(c[4])) for c in (line.split() for line in listed.splitlines()[2:])
            if c[2] == "image"]


def test_each_salles_arrivals_are_plotted_under_its_site_with_its_name(record, tmp_path):
    with Record(record) as r:
        data = build_bilan(r)
        session = r.session
    pages = text_pages(data, tmp_path)
    images = images_of(data, tmp_path)
    # E1 and E2 convoked the same candidats: Pantin's A01 and B12, Montreuil's M1 (E2: only A01 admitted so far)
    for epreuve in ("E1", "E2"):
        for site, salles in (("PANTIN", ["A01", "B12"]), ("MONTREUIL", ["M1"])):
            heading = f"{epreuve} — {session.site(site).name} ({site})"
            (number,) = [i for i, page in enumerate(pages, 1) if heading in page]
            for salle in salles:
                assert session.salle(salle).display in pages[number - 1], (heading, salle)
            assert any(page == number for page, _, _ in images), heading  # its panels drawn on that page
    assert len(images) == 5 + 4  # arrivals per site (E1, E2), rates, incidents, releases; one panel grid a site


def test_the_salles_panels_grow_a_row_every_three_salles(record):
    from collections import Counter

    from PIL import Image

    from salle.after.bilan import salles_plot, window

    with Record(record) as r:
        e1 = r.session.epreuve("E1")
    busy = Counter({"08:40": 6, "08:52": 2})
    span = window(e1, [busy])

    def size(n: int) -> tuple[int, int]:
        return Image.open(salles_plot([busy] * n, e1, None, span, 7)).size

    assert size(1) == size(3)
    assert size(4)[0] == size(1)[0] and size(4)[1] == 2 * size(1)[1] == size(6)[1]
    assert size(12)[1] == 4 * size(1)[1]


def test_a_site_of_more_than_twelve_salles_gets_a_second_grid(record, tmp_path):
    import shutil
    import sqlite3

    many = tmp_path / "many.sqlite"
    shutil.copy(record, many)
    conn = sqlite3.connect(many)  # Pantin's E1 candidats spread over 14 salles: Z00 … Z13
    conn.execute("UPDATE resultats SET salle = printf('Z%02d', (SELECT COUNT(*) FROM resultats o WHERE o.site = "
                 "'PANTIN' AND o.epreuve = 'E1' AND o.numero < resultats.numero) % 14) WHERE site = 'PANTIN' AND "
                 "epreuve = 'E1'")
    conn.execute("UPDATE presences SET salle = 'Z00' WHERE site = 'PANTIN' AND epreuve = 'E1'")
    conn.commit()
    conn.close()
    with Record(many) as r:
        data = build_bilan(r)
    with Record(record) as r:
        before = len(images_of(build_bilan(r), tmp_path))
    text = " ".join(text_pages(data, tmp_path))
    assert "E1 — Centre de gestion — siège (PANTIN) (suite)" in text
    for k in range(14):
        assert f"Z{k:02d}" in text, k
    assert len(images_of(data, tmp_path)) == before + 1  # twelve salles an image: Pantin's E1 in two


def pages_of(data: bytes, tmp_path, dpi: int = 50) -> list:
    """Each page of the PDF `data` drawn by pdftoppm, as an RGB image."""
    from PIL import Image

    (tmp_path / "bilan.pdf").write_bytes(data)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(tmp_path / "bilan.pdf"), str(tmp_path / "page")],
                   check=True)
    return [Image.open(path).convert("RGB") for path in sorted(tmp_path.glob("page-*.png"))]


def test_every_page_of_the_bilan_is_grey_so_nothing_relies_on_colour(record, tmp_path):
    import numpy

    with Record(record) as r:
        pages = pages_of(build_bilan(r), tmp_path)
    assert len(pages) >= 2
    for number, page in enumerate(pages, 1):
        pixels = numpy.asarray(page, dtype=numpy.int16)
        spread = (pixels.max(axis=2) - pixels.min(axis=2)).max()  # R = G = B on a grey
        assert spread <= 6, f"page {number} : un pixel en couleur (écart {spread} entre R, V et B)"


def test_cli_bilan_and_a_missing_record(record, tmp_path):
    result = CliRunner().invoke(main, ["bilan", "--releve", str(record), "-o", str(tmp_path / "b.pdf")])
    assert result.exit_code == 0 and "Bilan écrit dans" in result.output and (tmp_path / "b.pdf").exists()
    result = CliRunner().invoke(main, ["bilan", "--releve", str(tmp_path / "nope.sqlite"), "-o",
                                       str(tmp_path / "c.pdf")])
    assert result.exit_code == 2 and "relevé introuvable" in result.output and not (tmp_path / "c.pdf").exists()


def test_the_console_downloads_the_bilan_of_its_day_file(salle, live, tmp_path):
    import requests

    tablet, resp, numeros = salle  # A01: three admitted, E1 started at 09:00

    def get(client):
        return requests.get(live.url + "/api/v1/bilan.pdf", headers={"Authorization": f"Bearer {client.token}"},
                            timeout=60)

    answer = get(resp)
    assert answer.status_code == 200 and answer.headers["Content-Type"] == "application/pdf"
    assert 'filename="BILAN-ATP27.pdf"' in answer.headers["Content-Disposition"]
    text = pdf_layout(answer.content)
    assert "Bilan de la journée" in text and "PANTIN / A01" in text
    assert get(tablet).status_code == 403  # surveillants: not theirs
