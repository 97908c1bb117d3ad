"""`salle bilan`: the day in pictures from the record, read back with pdftotext (the figures' words and the
tables' numbers); a missing record refused in French."""

from __future__ import annotations

import subprocess

from click.testing import CliRunner

from salle.after.bilan import build_bilan, rates, releases
from salle.after.record import Record
from salle.cli import main


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
    path = tmp_path / "bilan.pdf"
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True,
                          text=True).stdout
    for words in ("Bilan de la journée", "Taux de présence par site et par épreuve", "Refus pour retard",
                  "Convocations imprimées à la borne", "Incidents par type", "Temps de libération des salles",
                  "PANTIN / A01", "Aux portes des salles"):
        assert words in text, words
    images = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, check=True, text=True).stdout
    assert len(images.strip().splitlines()) - 2 >= 4  # arrivals (E1, E2), rates, incidents, release times


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
    path = tmp_path / "bilan.pdf"
    path.write_bytes(answer.content)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True,
                          text=True).stdout
    assert "Bilan de la journée" in text and "PANTIN / A01" in text
    assert get(tablet).status_code == 403  # surveillants: not theirs
