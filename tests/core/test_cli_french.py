"""click's own messages in French (salle/cli_french.py): a mistyped command, a missing argument, a wrong value,
a wrong option, too many arguments — each said in French with what to type for help, nothing written. And each
word of the catalogue still is one of click's (an upgrade of click that rewords one fails here)."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from salle.cli import main
from salle.cli_french import PLURALS, WORDS

ENGLISH = ("Error:", "Usage:", "No such", "Missing", "Invalid value", "Try '", "Did you mean", "is not a valid",
           "does not exist", "unexpected extra")


def click_sources() -> str:
    return "\n".join(path.read_text(encoding="utf-8") for path in Path(click.__file__).parent.glob("*.py"))


def test_every_word_of_the_catalogue_is_one_of_clicks():
    sources = click_sources()
    keys = [*WORDS, *(word for pair in PLURALS for word in pair)]
    missing = [key for key in keys if f'"{key}"' not in sources]
    assert missing == []


@pytest.mark.parametrize("args, said", [
    (["nope"], "Erreur : Commande inconnue : « nope »."),
    (["init"], "Erreur : Argument manquant : 'SESSION_FILE'."),
    (["serve", "--port", "abc"], "Erreur : Valeur refusée pour '--port' : « abc » n'est pas un nombre valide."),
    (["serve", "--prot", "3"], "Erreur : Option inconnue : « --prot ». (Vouliez-vous dire l'une de : '--host', "
                               "'--port' ?)"),
    (["init", "absent.toml"], "Erreur : Valeur refusée pour 'SESSION_FILE' : Fichier « absent.toml » introuvable."),
    (["verify", "a", "b"], "Erreur : Arguments en trop : a b"),
    (["verify", "--db"], "Erreur : L'option « --db » demande une valeur."),
], ids=["commande", "argument", "nombre", "option", "fichier", "en-trop", "valeur"])
def test_a_mistyped_command_is_told_in_french_with_the_help_to_type_and_nothing_written(tmp_path, monkeypatch,
                                                                                        args, said):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, args, prog_name="salle")
    assert result.exit_code == 2
    assert said in result.output, result.output
    if "--db" not in args:  # click gives an option without its value no usage line
        assert "Aide : « salle" in result.output and "--help »." in result.output
    assert not [word for word in ENGLISH if word in result.output], result.output
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_the_help_speaks_french_too():
    result = CliRunner().invoke(main, ["init", "--help"], prog_name="salle")
    assert result.exit_code == 0
    assert result.output.startswith("Utilisation : salle init [OPTIONS] SESSION_FILE")
    assert "[défaut : salle.db]" in result.output and "Afficher cette aide." in result.output
