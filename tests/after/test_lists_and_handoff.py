"""What the record gives the others: the hand-off CSV read back by the import's own reader, the jury's lists (PDF
read with pdftotext, CSV) and the copies per candidat."""

from __future__ import annotations

import csv
import io

from click.testing import CliRunner

from salle.after.handoff import handoff_csv
from salle.after.lists import copies_csv, jury_csv, jury_pdf
from salle.after.record import Record
from salle.cli import main
from salle.importing import decode_csv, read_rows
from tests.helpers.pdf import pdf_layout


def table(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text, newline=""), delimiter=";"))


def test_the_handoff_reads_back_through_the_import(archives, record):
    with Record(record) as r:
        raw = handoff_csv(r).encode("utf-8")
    assert raw.startswith(b"\xef\xbb\xbf")
    rows, _ = read_rows(raw, "presences.csv")  # the import's own reader: its dialect, its headers
    rows = list(rows)
    assert len(rows) == 300 * 2 - 0 and {r["numero"] for r in rows} >= set(archives.seen["present"])
    assert rows[0]["date_naissance"].count("/") == 2
    lines = table(decode_csv(raw, "presences.csv"))
    by_key = {(r["N° d'inscription"], r["Épreuve"]): r for r in lines}
    early = by_key[(archives.seen["present"][1], "E1")]
    assert (early["Présence"], early["Statut"], early["Arrivée"], early["Sortie"], early["Copies remises"]) == \
        ("présent", "présent", "08:40", "10:35", "2")
    assert by_key[(archives.seen["absent"][0], "E1")]["Présence"] == "absent"
    assert by_key[(archives.seen["late"][0], "E1")]["Statut"] == "refusé (retard)"
    assert by_key[(archives.seen["exclu"][0], "E1")]["Statut"] == "exclu"


def test_the_jury_list_names_who_sat_in_french_order_the_absents_the_refused_and_the_reports(archives, record,
                                                                                             tmp_path):
    with Record(record) as r:
        text = pdf_layout(jury_pdf(r, "E1"))
        rows = table(jury_csv(r, "E1"))
    assert "Liste pour le jury" in text and "Candidats ayant composé (13)" in text
    assert "Absents (" in text and "Refusés à l'entrée (1)" in text and archives.seen["late"][0] in text
    assert "Suspicion de fraude" in text and "export-PANTIN-1.zip, pv-E1.pdf, site PANTIN, annexe 1" in text
    assert "exclusion immédiate" in text and "présent(e) sur deux sites" in text
    sat = [r for r in rows if r["Statut"] in ("présent", "exclu")]
    names = [r["Nom"] for r in sat]
    from salle.collation import french_key

    assert names == sorted(names, key=french_key) and len(sat) == 13
    assert text.index(sat[0]["Nom"].upper()) < text.index(sat[-1]["Nom"].upper())


def test_the_copies_per_candidat_for_the_correction(archives, record):
    with Record(record) as r:
        rows = table(copies_csv(r).lstrip("\ufeff"))
    by_numero = {(row["Épreuve"], row["N° d'inscription"]): row for row in rows}
    assert by_numero[("E1", archives.seen["present"][0])]["Copies remises"] in ("3", "0")
    assert by_numero[("E1", archives.seen["present"][1])]["Copies remises"] == "2"
    assert by_numero[("E1", archives.seen["present"][2])]["Copie blanche"] == "oui"
    assert ("E1", archives.seen["absent"][0]) not in by_numero


def test_cli_writes_lists_and_handoff_and_refuses_a_missing_record(record, tmp_path):
    runner = CliRunner()
    result = runner.invoke(main, ["listes", "--releve", str(record), "-o", str(tmp_path / "jury")])
    assert result.exit_code == 0 and "5 fichier(s) écrit(s)" in result.output
    assert sorted(p.name for p in (tmp_path / "jury").iterdir()) == [
        "copies.csv", "jury-E1.csv", "jury-E1.pdf", "jury-E2.csv", "jury-E2.pdf"]
    result = runner.invoke(main, ["remise", "--releve", str(record), "-o", str(tmp_path / "p.csv")])
    assert result.exit_code == 0 and "600 ligne(s)" in result.output
    result = runner.invoke(main, ["listes", "--releve", str(tmp_path / "absent.sqlite"), "-o", str(tmp_path / "x")])
    assert result.exit_code == 2 and "relevé introuvable" in result.output and not (tmp_path / "x").exists()


def test_outputs_that_cannot_be_written_are_refused_in_french_before_anything_is_made(record, tmp_path):
    runner = CliRunner()
    a_file = tmp_path / "fichier.txt"
    a_file.write_text("x", encoding="utf-8")
    cases = [
        (["remise", "--releve", str(record), "-o", str(tmp_path / "absent" / "p.csv")], "n'existe pas"),
        (["remise", "--releve", str(record), "-o", str(tmp_path)], "est un dossier"),
        (["bilan", "--releve", str(record), "-o", str(tmp_path / "absent" / "b.pdf")], "n'existe pas"),
        (["listes", "--releve", str(record), "-o", str(a_file)], "est un fichier, pas un dossier"),
        (["attestations", "--releve", str(record), "-o", str(a_file)], "est un fichier, pas un dossier"),
        (["consolider", str(tmp_path / "x.zip"), "--sortie", str(tmp_path)], "x.zip : fichier introuvable"),
        (["remise", "--releve", str(a_file), "-o", str(tmp_path / "p.csv")], "n'est pas un relevé"),
    ]
    for args, message in cases:
        result = runner.invoke(main, args)
        assert result.exit_code == 2 and message in result.output, (args, result.output)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["concours.sqlite", "fichier.txt"]
