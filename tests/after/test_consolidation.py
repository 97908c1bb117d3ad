"""`salle consolider`: two sites' archives in one record; a tampered, truncated, foreign or missing archive refused
by name, nothing written; the same archives again change nothing; a later export of a site replaces its earlier
one only if it extends it."""

from __future__ import annotations

import hashlib
import sqlite3

import pytest
from click.testing import CliRunner

from salle.after.consolidation import consolidate
from salle.cli import main
from salle.errors import SalleError
from tests.helpers.after import rewrite, tamper_journal


def rows(path, sql, params=()):
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(sql, params)]
    finally:
        conn.close()


def outcome(path, numero, epreuve="E1") -> dict:
    found = rows(path, "SELECT * FROM resultats WHERE numero = ? AND epreuve = ?", [numero, epreuve])
    assert len(found) == 1, (numero, epreuve, found)
    return found[0]


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def test_two_sites_make_one_record_with_each_candidats_outcome(archives, record):
    seen = archives.seen
    assert outcome(record, seen["present"][1])["statut"] == "present"  # left early, copies handed in
    early = outcome(record, seen["present"][1])
    assert (early["site"], early["salle"], early["arrivee"][11:16], early["sortie"][11:16], early["copies"]) == \
        ("PANTIN", "A01", "08:40", "10:35", 2)
    released = outcome(record, seen["present"][3])
    assert released["sortie"][11:16] == "12:05" and released["copies"] == 1  # left when A01 was released
    assert outcome(record, seen["present"][2])["copie_blanche"] == 1
    assert outcome(record, seen["exclu"][0])["statut"] == "exclu"
    late = outcome(record, seen["late"][0])
    assert (late["statut"], late["arrivee"][11:16]) == ("refuse_retard", "09:07")
    assert outcome(record, seen["absent"][0])["statut"] == "absent"
    assert outcome(record, seen["e2"][1], "E2")["statut"] == "present"
    montreuil = rows(record, "SELECT * FROM resultats WHERE site = 'MONTREUIL' AND statut = 'present' AND numero != ?",
                     [archives.moved])  # the moved candidat, seen at both sites, is an anomaly (below)
    assert {r["salle"] for r in montreuil} == {"M1"} and len(montreuil) == 4
    assert rows(record, "SELECT COUNT(*) AS n FROM candidats")[0]["n"] == 300
    statuts = {r["statut"] for r in rows(record, "SELECT DISTINCT statut FROM resultats")}
    assert statuts == {"present", "absent", "exclu", "refuse_retard"}


def test_a_candidat_admitted_at_both_sites_is_an_anomaly(archives, record):
    found = rows(record, "SELECT * FROM anomalies WHERE type = 'deux_sites'")
    assert [(a["numero"], a["epreuve"]) for a in found] == [(archives.moved, "E1")]
    assert "PANTIN" in found[0]["detail"] and "MONTREUIL" in found[0]["detail"]


def test_a_convocation_presented_twice_on_one_epreuve_is_an_anomaly(archives, record):
    found = rows(record, "SELECT * FROM anomalies WHERE type = 'deux_fois'")
    assert [(a["numero"], a["epreuve"]) for a in found] == [(archives.seen["twice"][0], "E1")]
    assert "présentée à la porte de B12" in found[0]["detail"]
    assert outcome(record, archives.seen["twice"][0])["statut"] == "present"  # the admission stands


def test_a_candidat_present_at_one_site_for_e1_and_another_for_e2_is_an_anomaly(tmp_path):
    from salle.after.consolidation import _anomalies, open_record

    db = open_record(tmp_path / "r.sqlite", create=True)
    seen = {("E1", "X"): [{"epreuve": "E1", "site": "PANTIN", "salle": "A01", "arrivee": "2027-03-18T08:40:00"}],
            ("E2", "X"): [{"epreuve": "E2", "site": "MONTREUIL", "salle": "M1", "arrivee": "2027-03-18T13:40:00"}]}
    (found,) = _anomalies(db.conn, seen)
    db.conn.close()
    assert (found["numero"], found["epreuve"], found["type"]) == ("X", "E1,E2", "deux_sites")
    assert "à PANTIN en A01 (arrivée 08:40) (E1) et à MONTREUIL en M1 (arrivée 13:40) (E2)" in found["detail"]


def test_consolidating_the_same_archives_again_changes_nothing(archives, record):
    before = digest(record)
    summary = consolidate([archives.montreuil, archives.pantin], record)
    assert not summary.changed and "rien à changer" in summary.french()
    assert digest(record) == before


def test_a_later_export_of_a_site_replaces_the_earlier_one(archives, record):
    summary = consolidate([archives.pantin_later], record)
    assert summary.replaced == ["export-PANTIN-1.zip → export-PANTIN-2.zip"]
    assert rows(record, "SELECT fichier FROM archives ORDER BY fichier") == [
        {"fichier": "export-MONTREUIL-1.zip"}, {"fichier": "export-PANTIN-2.zip"}]
    e2 = outcome(record, archives.seen["e2"][0], "E2")
    assert e2["copies"] == 1 and e2["sortie"][11:16] == "15:35"
    assert len(rows(record, "SELECT * FROM presences WHERE numero = ? AND epreuve = 'E1'",
                    [archives.seen["present"][1]])) == 1  # replaced, not added
    before = digest(record)
    summary = consolidate([archives.pantin], record)  # the earlier one again: left aside
    assert summary.older == ["export-PANTIN-1.zip"] and digest(record) == before


def test_an_export_that_does_not_extend_the_consolidated_one_is_refused(archives, record):
    consolidate([archives.pantin_later], record)
    before = digest(record)
    with pytest.raises(SalleError, match="export-PANTIN-copie.zip : même journal que export-PANTIN-2.zip.*ne le "
                                         "prolonge pas"):
        consolidate([archives.pantin_fork], record)
    assert digest(record) == before


def test_two_exports_of_one_file_that_diverge_are_refused_together(archives, tmp_path):
    with pytest.raises(SalleError, match="divergent"):
        consolidate([archives.pantin_later, archives.pantin_fork], tmp_path / "c.sqlite")
    assert not (tmp_path / "c.sqlite").exists()


def test_the_same_export_given_twice_counts_once(archives, tmp_path):
    copy = tmp_path / "copie-de-export-PANTIN-1.zip"
    copy.write_bytes(archives.pantin.read_bytes())
    summary = consolidate([archives.pantin, copy, archives.montreuil], tmp_path / "c.sqlite")
    assert summary.added == ["export-PANTIN-1.zip", "export-MONTREUIL-1.zip"] and summary.older == []


def test_an_earlier_and_a_later_export_given_together_keep_the_later(archives, tmp_path):
    summary = consolidate([archives.pantin_later, archives.pantin, archives.montreuil], tmp_path / "c.sqlite")
    assert summary.older == ["export-PANTIN-1.zip"]
    assert {r["fichier"] for r in rows(tmp_path / "c.sqlite", "SELECT fichier FROM archives")} == {
        "export-PANTIN-2.zip", "export-MONTREUIL-1.zip"}


def test_another_file_for_a_site_already_consolidated_is_refused(archives, record):
    before = digest(record)
    with pytest.raises(SalleError, match="export-PANTIN-portable2.zip : le site PANTIN figure déjà dans "
                                         "export-PANTIN-1.zip"):
        consolidate([archives.pantin_other_laptop], record)
    assert digest(record) == before


@pytest.mark.parametrize("damage, message", [
    ("journal", "export-bad.zip : archive refusée — le fichier journal.jsonl a été modifié depuis l'export\\."),
    ("rehashed", "export-bad.zip : archive refusée — Événement n° \\d+ \\(scan, .*\\) : son contenu a été modifié"),
    ("truncated", "export-bad.zip : ce n'est pas une archive ZIP lisible \\(fichier tronqué"),
    ("manifest", "export-bad.zip : archive refusée"),
    ("missing", "export-bad.zip : fichier introuvable"),
])
def test_a_damaged_archive_is_refused_by_name_and_nothing_is_written(archives, record, tmp_path, damage, message):
    bad = tmp_path / "export-bad.zip"
    if damage == "journal":
        tamper_journal(archives.pantin_later, bad)
    elif damage == "rehashed":
        tamper_journal(archives.pantin_later, bad, rehash=True)
    elif damage == "truncated":
        data = archives.pantin_later.read_bytes()
        bad.write_bytes(data[: len(data) // 2])
    elif damage == "manifest":
        rewrite(archives.pantin_later, bad, lambda name, data: b"{" if name == "manifest.json" else data)
    before = digest(record)
    with pytest.raises(SalleError, match=message) as refused:
        consolidate([archives.pantin_later, bad], record)
    assert "Rien n'a été consolidé" in refused.value.message
    assert digest(record) == before
    assert rows(record, "SELECT fichier FROM archives WHERE fichier LIKE 'export-PANTIN-2%'") == []


def test_an_archive_of_another_concours_is_refused(archives, record):
    before = digest(record)
    with pytest.raises(SalleError, match="export-ATP28.zip : archive d'un autre concours \\(ATP28, celui du relevé "
                                         "est ATP27\\)"):
        consolidate([archives.other_concours], record)
    assert digest(record) == before


def test_an_archive_made_with_another_session_file_is_refused(archives, tmp_path):
    with pytest.raises(SalleError, match="export-autre-session.zip : même concours \\(ATP27\\) mais fichier de "
                                         "session différent"):
        consolidate([archives.pantin, archives.other_session], tmp_path / "c.sqlite")
    assert not (tmp_path / "c.sqlite").exists()


def test_a_record_path_that_is_not_a_record_is_refused(archives, tmp_path):
    other = tmp_path / "autre.sqlite"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
    before = digest(other)
    with pytest.raises(SalleError, match="n'est pas un relevé de consolidation de Salle"):
        consolidate([archives.pantin], other)
    assert digest(other) == before


def test_cli_consolidates_with_progress_and_a_french_summary(archives, tmp_path):
    out = tmp_path / "concours.sqlite"
    result = run("consolider", archives.pantin, archives.montreuil, "--sortie", out)
    assert result.exit_code == 0, result.output
    assert "1/2 export-PANTIN-1.zip" in result.output and "chaîne intègre" in result.output
    assert "2 archive(s) ajoutée(s)" in result.output and "2 anomalie(s)" in result.output
    result = run("consolider", archives.pantin, archives.montreuil, "--sortie", out)
    assert result.exit_code == 0 and "rien à changer" in result.output


def test_cli_refusal_is_french_and_exits_2(archives, tmp_path):
    garbage = tmp_path / "export.zip"
    garbage.write_text("rien", encoding="utf-8")
    result = run("consolider", archives.pantin, garbage, "--sortie", tmp_path / "c.sqlite")
    assert result.exit_code == 2
    assert "Erreur : export.zip : ce n'est pas une archive ZIP lisible" in result.output
    assert not (tmp_path / "c.sqlite").exists()
    result = run("consolider", "--sortie", tmp_path / "c.sqlite")
    assert result.exit_code == 2 and "Aucune archive donnée" in result.output


def test_an_archive_changed_between_its_check_and_its_replay_is_refused(archives, tmp_path):
    from salle.after.archives import read_archive

    copy = tmp_path / "export-PANTIN-1.zip"
    copy.write_bytes(archives.pantin.read_bytes())
    checked = read_archive(copy)
    copy.write_bytes(archives.pantin_later.read_bytes())
    with pytest.raises(SalleError, match="export-PANTIN-1.zip : le fichier a changé pendant la consolidation"):
        checked.replay()


def test_an_archive_changed_during_a_first_consolidation_leaves_no_file_behind(archives, tmp_path):
    from salle.after.archives import read_archive
    from salle.after.consolidation import consolidate_archives

    copy = tmp_path / "export-PANTIN-1.zip"
    copy.write_bytes(archives.pantin.read_bytes())
    checked = read_archive(copy)
    copy.write_bytes(b"plus une archive")
    with pytest.raises(SalleError, match="a changé pendant la consolidation"):
        consolidate_archives([checked], tmp_path / "c.sqlite")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export-PANTIN-1.zip"]


def test_a_candidat_refused_for_missing_pieces_is_said_so_and_one_who_produced_them_is_present(tmp_path):
    from tests.helpers.after import open_site

    d = open_site(tmp_path / "pantin", "PANTIN")  # 08:40
    (refused,), (produced,) = d.numeros("A01", 1, pieces_manquantes=True), d.numeros("B12", 1, pieces_manquantes=True)
    assert d.scan("A01", refused)["verdict"] == "pieces_manquantes"  # R7: never produced them
    assert d.scan("B12", produced)["verdict"] == "pieces_manquantes"
    d.at("08:50")
    assert d.scan("B12", produced, pieces_produites=True)["verdict"] == "admis"  # produced before the start
    d.at("09:00")
    d.start()
    archive = d.export(tmp_path / "exports", "export-PANTIN-1.zip")
    d.close()
    record = tmp_path / "concours.sqlite"
    summary = consolidate([archive], record)
    said = outcome(record, refused)
    assert (said["statut"], said["site"], said["salle"], said["arrivee"][11:16]) == \
        ("refuse_pieces", "PANTIN", "A01", "08:40")
    sat = outcome(record, produced)
    assert (sat["statut"], sat["arrivee"][11:16]) == ("present", "08:50")  # the admission wins over the refusal
    assert summary.counts["refus"] == 1 and summary.counts["present"] == 1
