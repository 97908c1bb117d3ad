"""Long commands say what they are doing on the terminal and end with a French summary (issue 14): the import and
the export, as the consolidation, lists and attestations do (their own tests)."""

from __future__ import annotations

from click.testing import CliRunner

from salle.cli import main


def test_import_and_export_show_their_steps_and_a_summary(demo_files, tmp_path):
    runner = CliRunner()
    db = tmp_path / "jour.db"
    assert runner.invoke(main, ["init", str(demo_files / "session.toml"), "--db", str(db)]).exit_code == 0
    result = runner.invoke(main, ["import", "candidats", str(demo_files / "candidats.csv"), "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "lecture de candidats.csv" in result.output and "300 ligne(s) lue(s), 0 rejetée(s)" in result.output
    assert "candidats.csv : 300 ajouté(s)" in result.output
    result = runner.invoke(main, ["export", "--db", str(db), "-o", str(tmp_path / "exports")])
    assert result.exit_code == 0, result.output
    for step in ("journal…", "épreuve E1 : procès-verbal", "épreuve E2", "candidats et émargements",
                 "relecture de l'archive", "relu et vérifié"):
        assert step in result.output, step
