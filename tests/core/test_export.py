"""`salle export` and `salle purge` (R27): one self-verifying archive, then the day's file deleted only when
that archive holds exactly its journal and nobody has the file open."""

import csv
import io
import json
import sqlite3
import subprocess
import zipfile

import pytest
from click.testing import CliRunner

from salle.cli import main
from salle.commands.arrivals import ScanRequest, scan
from salle.day import Caller, ExamDay
from salle.errors import SalleError
from salle.export import check_archive, export_day, purge
from salle.journal import Actor, verify_chain
from tests.helpers.day import at

SURVEILLANT = Caller(Actor("P004", "surveillant", "tablette"), "surveillant", salle="A01", site="PANTIN")


def run(*args, input=None):
    return CliRunner().invoke(main, [str(a) for a in args], input=input, catch_exceptions=False)


@pytest.fixture
def worked(day, clock):
    """The demo day with five admissions, closed: its file, ready to export."""
    rows = day.journal.query("SELECT numero FROM candidats WHERE salle = 'A01' AND pieces_manquantes = '' "
                             "ORDER BY numero LIMIT 5")
    for i, row in enumerate(rows):
        scan(day, SURVEILLANT, "A01", ScanRequest(code=row["numero"], client_id=f"export-{i}", piece_identite="cni"))
    path = day.db_path
    day.close()
    return path


def db_files(path):
    return [p for p in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")) if p.exists()]


def export(path, tmp_path, clock=None):
    day = ExamDay(path, clock or _clock())
    try:
        return export_day(day, tmp_path / "exports")
    finally:
        day.close()


def _clock():
    from salle.clock import FixedClock

    return FixedClock(at("18:00"))


def test_the_archive_holds_the_whole_day_and_verifies_itself(worked, tmp_path):
    archive = export(worked, tmp_path)
    assert archive.name.startswith("export-") and archive.suffix == ".zip"
    with zipfile.ZipFile(archive) as z:
        names = set(z.namelist())
        manifest = json.loads(z.read("manifest.json"))
        journal = [json.loads(line) for line in z.read("journal.jsonl").splitlines()]
        candidats = list(csv.reader(io.StringIO(z.read("candidats.csv").decode("utf-8-sig")), delimiter=";"))
        emargement = z.read("emargement-E1.csv").decode("utf-8")
        pv = subprocess.run(["pdftotext", "-", "-"], input=z.read("pv-E1.pdf"), capture_output=True,
                            check=True).stdout.decode()
    assert {"manifest.json", "journal.jsonl", "session.toml", "candidats.csv", "emargement-E1.csv",
            "emargement-E2.csv", "pv-E1.pdf", "pv-E2.pdf"} <= names
    ok, message, count = verify_chain(worked)
    assert manifest["chaine_integre"] is True and manifest["evenements"] == count == len(journal)
    assert manifest["tete_chaine"] == journal[-1]["hash"]
    assert [e["type"] for e in journal].count("scan") == 5
    assert len(candidats) == 301 and candidats[0][0] == "numero"
    assert emargement.startswith("\ufeff") and emargement.count(";présent;") == 5
    assert "Procès-verbal" in pv or "PROCÈS-VERBAL" in pv.upper()
    assert check_archive(archive).events == count
    assert not list((tmp_path / "exports").glob("*.partiel"))


def test_two_laptops_exporting_into_one_folder_in_the_same_second_each_keep_their_archive(worked, tmp_path,
                                                                                           monkeypatch, clock):
    """Two sites' day files (one concours, so one name) exported into one shared folder within the same second:
    the second archive is « …-2.zip », neither overwrites nor removes the other's (it did: the partial file had
    the same name, and the second rename failed)."""
    import shutil
    import threading

    from salle import export

    monkeypatch.setattr(export, "_stamp", lambda: "20270318-180000")
    other = tmp_path / "other" / "salle.db"
    other.parent.mkdir()
    shutil.copy(worked, other)
    days = [ExamDay(worked, clock), ExamDay(other, clock)]
    scan(days[1], SURVEILLANT, "A01", ScanRequest(code=days[1].journal.one(
        "SELECT numero FROM candidats WHERE salle = 'A01' ORDER BY numero DESC")["numero"], client_id="other-0001",
        piece_identite="cni"))  # the other file: one event more
    archives, threads = [], [threading.Thread(target=lambda d=d: archives.append(export_day(d, tmp_path / "usb")))
                             for d in days]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for d in days:
        d.close()
    assert sorted(a.name for a in archives) == ["export-ATP27-20270318-180000-2.zip", "export-ATP27-20270318-180000.zip"]
    assert sorted(check_archive(a).events for a in archives) == [verify_chain(worked)[2], verify_chain(other)[2]]
    assert sorted(p.name for p in (tmp_path / "usb").iterdir()) == sorted(a.name for a in archives)


def test_an_altered_journal_is_exported_as_it_is_and_its_read_back_says_so_in_french(worked, tmp_path):
    conn = sqlite3.connect(worked)
    conn.execute("UPDATE events SET payload = '{}' WHERE seq = 2")
    conn.commit()
    conn.close()
    result = CliRunner().invoke(main, ["export", "--db", str(worked), "-o", str(tmp_path / "exports")])
    assert result.exit_code == 2
    assert "Événement n° 2" in result.output and "modifié après son enregistrement" in result.output
    (archive,) = (tmp_path / "exports").glob("export-*.zip")  # kept: the organiser keeps the evidence
    with zipfile.ZipFile(archive) as z:
        manifest = json.loads(z.read("manifest.json"))
        lines = z.read("journal.jsonl").splitlines()
    assert manifest["chaine_integre"] is False and "Événement n° 2" in manifest["verification"]
    conn = sqlite3.connect(worked)
    assert len(lines) == conn.execute("SELECT COUNT(*) FROM events").fetchone()[0] > 2  # all of it, as it is
    conn.close()
    for chain in (True, False):
        with pytest.raises(SalleError, match="Événement n° 2"):
            check_archive(archive, chain=chain)


def test_lists_that_cannot_be_made_fail_the_export_in_french_and_leave_nothing_behind(worked, tmp_path,
                                                                                       monkeypatch):
    from salle import export as export_module

    monkeypatch.setattr(export_module._ListsProcess, "MODULE", "salle.absent")
    with pytest.raises(SalleError, match="Les listes de l'export .* n'ont pas pu être écrites : .*salle.absent"):
        export(worked, tmp_path)
    assert list((tmp_path / "exports").iterdir()) == []


def test_purge_deletes_the_file_once_its_export_is_checked(worked, tmp_path):
    archive = export(worked, tmp_path)
    message = purge(worked, archive)
    assert "supprimé" in message and archive.name in message
    assert db_files(worked) == []


@pytest.mark.parametrize("tamper, words", [
    ("journal", "a été modifié depuis l'export"),
    ("manifest-head", "ne correspond pas au manifeste"),
    ("garbage", "n'est pas un export de Salle lisible"),
    ("missing", "n'est pas un export de Salle lisible"),
])
def test_purge_refuses_a_doubtful_archive_and_deletes_nothing(worked, tmp_path, tamper, words):
    archive = export(worked, tmp_path)
    if tamper == "garbage":
        archive.write_bytes(b"PK\x03\x04 pas une archive")
    elif tamper == "missing":
        archive = tmp_path / "nulle-part.zip"
    else:
        with zipfile.ZipFile(archive) as z:
            files = {name: z.read(name) for name in z.namelist()}
        if tamper == "journal":
            files["journal.jsonl"] = files["journal.jsonl"].replace(b'"P004"', b'"P999"', 1)
        else:
            manifest = json.loads(files["manifest.json"])
            manifest["tete_chaine"] = "0" * 64
            files["manifest.json"] = json.dumps(manifest).encode()
        with zipfile.ZipFile(archive, "w") as z:
            for name, data in files.items():
                z.writestr(name, data)
    before = [p.read_bytes() for p in db_files(worked)]
    with pytest.raises(SalleError, match=words):
        purge(worked, archive)
    assert [p.read_bytes() for p in db_files(worked)] == before


def test_purge_refuses_an_export_older_than_the_journal(worked, tmp_path, clock):
    archive = export(worked, tmp_path)
    day = ExamDay(worked, clock)
    day.journal.write(lambda tx: tx.append("note", SURVEILLANT.actor, {"n": "après l'export"}))
    day.close()
    with pytest.raises(SalleError, match=r"1 événement\(s\) de plus que l'export : exportez à nouveau"):
        purge(worked, archive)
    assert worked.exists()


def test_purge_refuses_the_export_of_another_day(worked, tmp_path, demo_files):
    other_dir = tmp_path / "autre"
    other_dir.mkdir()
    other = other_dir / "autre.db"
    d = ExamDay(other, _clock())
    d.load_session((demo_files / "session.toml").read_text(encoding="utf-8"))
    d.close()
    archive = export(other, tmp_path)
    with pytest.raises(SalleError, match="ne contient pas ce journal"):
        purge(worked, archive)
    assert worked.exists()


def test_purge_refuses_while_the_file_is_open(worked, tmp_path, clock):
    archive = export(worked, tmp_path)
    server = ExamDay(worked, clock)  # what `salle serve` holds open all day
    try:
        with pytest.raises(SalleError, match="encore ouvert"):
            purge(worked, archive)
        assert worked.exists()
    finally:
        server.close()
    assert "supprimé" in purge(worked, archive)


def test_cli_export_then_purge_with_confirmation(worked, tmp_path):
    result = run("export", "--db", worked, "-o", tmp_path / "exports")
    assert result.exit_code == 0 and "Export écrit dans" in result.output
    archive = next((tmp_path / "exports").glob("export-*.zip"))
    result = CliRunner().invoke(main, ["purge", "--db", str(worked), "--export", str(archive)], input="n\n")
    assert result.exit_code == 1 and "Rien n'est supprimé" in result.output and worked.exists()
    result = run("purge", "--db", worked, "--export", archive, input="o\n")
    assert result.exit_code == 0 and "supprimé" in result.output and not worked.exists()


def test_cli_purge_refusal_is_french_and_exits_2(worked, tmp_path):
    garbage = tmp_path / "export.zip"
    garbage.write_text("rien", encoding="utf-8")
    result = CliRunner().invoke(main, ["purge", "--db", str(worked), "--export", str(garbage), "--oui"])
    assert result.exit_code == 2 and "n'est pas un export de Salle lisible" in result.output
    assert worked.exists()
