"""Attestations de présence from the record: one PDF per candidat who sat, per day, in the organiser's layout (read
back with pdftotext), named by numéro, with a ZIP and an index; none for an absent; a bad signature image refused."""

from __future__ import annotations

import csv
import io
import subprocess
import zipfile
from datetime import date

import pytest
from click.testing import CliRunner
from PIL import Image

from salle.after.attestations import Layout, attestations_of, layout_of, render, write_all
from salle.after.record import Record
from salle.cli import main
from salle.errors import SalleError
from tests.helpers.pdf import pdf_raw

TODAY = date(2027, 3, 19)


@pytest.fixture
def signature_png(tmp_path):
    img = Image.new("RGB", (200, 60), "white")
    for x in range(20, 180):
        img.putpixel((x, 30 + (x % 7)), (0, 0, 0))
    path = tmp_path / "signature.png"
    img.save(path)
    return path


def test_one_attestation_per_candidat_and_day_with_every_epreuve_sat(archives, record):
    with Record(record) as r:
        found = {a.numero: a for a in attestations_of(r)}
    both = archives.seen["e2"][1]  # sat E1 and E2 on the same day: one attestation, two épreuves
    assert [line["epreuve"] for line in found[both].lines] == ["E1", "E2"]
    assert found[both].filename == f"{both}-2027-03-18.pdf"
    assert archives.seen["absent"][0] not in found and archives.seen["late"][0] not in found
    assert len(found) == 13


def test_the_attestation_says_who_where_when_and_who_signs(archives, record, tmp_path, signature_png):
    numero = archives.seen["present"][1]  # left at 10:35
    with Record(record) as r:
        layout = layout_of(r.facts["session_toml"], r.session, signature=signature_png)
        a = next(a for a in attestations_of(r) if a.numero == numero)
        text = pdf_raw(render(r.session, layout, a, TODAY))
    flat = " ".join(text.replace("\u202f", " ").split())
    assert "Centre interdépartemental de gestion de la petite couronne" in flat
    assert "ATTESTATION DE PRÉSENCE" in flat and numero in flat
    assert "Marie Dupont, Directrice générale des services, atteste que" in flat
    assert "Adjoint technique principal de 2e classe — session 2027" in flat
    assert "jeudi 18 mars 2027" in flat
    assert "Épreuve écrite d'admissibilité — questions techniques" in flat
    assert "Centre de gestion — siège, 1 rue Lucienne Gérain, 93500 Pantin" in flat
    assert "Heure d'arrivée : 08 h 40 — heure de départ : 10 h 35" in flat
    assert "Fait à Pantin, le vendredi 19 mars 2027." in flat
    assert layout.signature is not None


def images_in(data: bytes, tmp_path) -> list[tuple[int, int]]:
    """(width, height) of each image the PDF draws, as `pdfimages -list` reads them."""
    path = tmp_path / "a.pdf"
    path.write_bytes(data)
    listed = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, check=True, text=True).stdout
    return [(int(cells[3]), int(cells[4])) for cells in (line.split() for line in listed.splitlines()[2:])
            if cells[2] == "image"]


def test_the_signature_image_is_in_the_attestation_pdf_only_when_configured(archives, record, tmp_path,
                                                                              signature_png):
    numero = archives.seen["present"][1]
    with Record(record) as r:
        a = next(a for a in attestations_of(r) if a.numero == numero)
        signed = render(r.session, layout_of(r.facts["session_toml"], r.session, signature=signature_png), a, TODAY)
        unsigned = render(r.session, layout_of(r.facts["session_toml"], r.session), a, TODAY)
    assert images_in(signed, tmp_path) == [(200, 60)]  # the signature.png drawn, at its own size
    assert images_in(unsigned, tmp_path) == []


def test_write_all_gives_pdfs_a_zip_and_an_index(archives, record, tmp_path):
    out = tmp_path / "attestations"
    with Record(record) as r:
        summary = write_all(r, out, Layout("CIG"), TODAY, workers=1)
    assert summary.written == 13 and summary.without == 300 - 13
    assert "13 attestation(s) de présence écrite(s)" in summary.french()
    pdfs = sorted(p.name for p in out.glob("*.pdf"))
    assert len(pdfs) == 13 and all(p.startswith("ATP27-") for p in pdfs)
    with zipfile.ZipFile(out / "attestations.zip") as z:
        assert sorted(n for n in z.namelist() if n.endswith(".pdf")) == pdfs
        index = list(csv.DictReader(io.StringIO(z.read("index.csv").decode("utf-8-sig")), delimiter=";"))
    assert {row["fichier"] for row in index} == set(pdfs)
    assert not (out / f"{archives.seen['absent'][0]}-2027-03-18.pdf").exists()


@pytest.mark.parametrize("content, message", [
    (None, "Image de signature introuvable"),
    (b"not an image", "illisible"),
])
def test_a_missing_or_broken_signature_image_is_refused(record, tmp_path, content, message):
    path = tmp_path / "sig.png"
    if content is not None:
        path.write_bytes(content)
    with Record(record) as r, pytest.raises(SalleError, match=message):
        layout_of(r.facts["session_toml"], r.session, signature=path)


def test_an_unknown_key_in_the_attestation_table_is_refused(record):
    with Record(record) as r, pytest.raises(SalleError, match=r"\[attestation\].signatair : clé inconnue"):
        layout_of(r.facts["session_toml"] + 'signatair = "x"\n', r.session)


def test_cli_writes_attestations_and_refuses_a_bad_signature_writing_nothing(record, tmp_path, signature_png):
    runner = CliRunner()
    out = tmp_path / "att"
    result = runner.invoke(main, ["attestations", "--releve", str(record), "-o", str(out), "--signature",
                                  str(signature_png), "--date", "19/03/2027", "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert "13/13 attestations" in result.output and "13 attestation(s) de présence écrite(s)" in result.output
    result = runner.invoke(main, ["attestations", "--releve", str(record), "-o", str(tmp_path / "none"),
                                  "--signature", str(tmp_path / "nope.png")])
    assert result.exit_code == 2 and "Image de signature introuvable" in result.output
    assert not (tmp_path / "none").exists()
    result = runner.invoke(main, ["attestations", "--releve", str(record), "--date", "32/13/2027"])
    assert result.exit_code == 2 and "JJ/MM/AAAA" in result.output


def test_the_signature_named_by_the_session_file_is_read_beside_the_record(record, signature_png):
    with Record(record) as r:
        layout = layout_of(r.facts["session_toml"] + 'signature = "signature.png"\n', r.session,
                           base=signature_png.parent)
        assert layout.signature == signature_png.read_bytes()
        with pytest.raises(SalleError, match="Image de signature introuvable"):
            layout_of(r.facts["session_toml"] + 'signature = "autre.png"\n', r.session, base=signature_png.parent)
