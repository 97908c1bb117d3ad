"""click's own words in French: a mistyped command, a missing argument, a wrong value, the help's headings. The
people who type `salle …` on site read French (the organiser's rule for every input path); click ships English
only. click asks `gettext` for each of its words (`from gettext import gettext as _` in each of its modules);
`install()` gives those modules this catalogue instead, and a word it lacks stays click's own.
`tests/core/test_cli_french.py` checks every key below still is one of click's words."""

from __future__ import annotations

import importlib

WORDS = {
    "Error: {message}": "Erreur : {message}",
    "Usage:": "Utilisation :",
    "Try '{command} {option}' for help.": "Aide : « {command} {option} ».",
    "No such command {name!r}.": "Commande inconnue : « {name} ».",
    "No such option {name!r}.": "Option inconnue : « {name} ».",
    "Missing command.": "Commande manquante.",
    "Missing argument": "Argument manquant :",
    "Missing option": "Option manquante :",
    "Missing parameter": "Paramètre manquant :",
    "Missing parameter: {param_name}": "Paramètre manquant : {param_name}",
    "Invalid value: {message}": "Valeur refusée : {message}",
    "Invalid value for {param_hint}: {message}": "Valeur refusée pour {param_hint} : {message}",
    "{value!r} is not a valid {number_type}.": "« {value} » n'est pas un nombre valide.",
    "{value} is not in the range {range}.": "{value} n'est pas dans l'intervalle {range}.",
    "Option {name!r} does not take a value.": "L'option « {name} » ne prend pas de valeur.",
    "{name} {filename!r} does not exist.": "{name} « {filename} » introuvable.",
    "{name} {filename!r} is a file.": "{name} « {filename} » est un fichier.",
    "{name} {filename!r} is a directory.": "{name} « {filename} » est un dossier.",
    "{name} {filename!r} is not readable.": "{name} « {filename} » illisible (droits).",
    "{name} {filename!r} is not writable.": "{name} « {filename} » : écriture refusée (droits).",
    "Could not open file {filename!r}: {message}": "Impossible d'ouvrir « {filename} » : {message}",
    "file": "Fichier",
    "directory": "Dossier",
    "path": "Chemin",
    "Aborted!": "Abandon.",
    "Options": "Options",
    "Commands": "Commandes",
    "Show this message and exit.": "Afficher cette aide.",
    "default: {default}": "défaut : {default}",
    "env var: {var}": "variable d'environnement : {var}",
    "required": "obligatoire",
    "Repeat for confirmation": "Répétez pour confirmer",
    "Error: The two entered values do not match.": "Erreur : les deux saisies diffèrent.",
    "Error: invalid input": "Erreur : saisie refusée",
    "Do you want to continue?": "Continuer ?",
}

PLURALS = {  # (singular, plural): (French singular, French plural)
    ("Got unexpected extra argument ({args})", "Got unexpected extra arguments ({args})"):
        ("Argument en trop : {args}", "Arguments en trop : {args}"),
    ("Option {name!r} requires an argument.", "Option {name!r} requires {nargs} arguments."):
        ("L'option « {name} » demande une valeur.", "L'option « {name} » demande {nargs} valeurs."),
    ("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)"):
        ("Vouliez-vous dire {possibility} ?", "(Vouliez-vous dire l'une de : {possibilities} ?)"),
    ("{value!r} is not {choice}.", "{value!r} is not one of {choices}."):
        ("« {value} » n'est pas {choice}.", "« {value} » n'est pas l'une des valeurs {choices}."),
    ("Takes {nargs} values but 1 was given.", "Takes {nargs} values but {len} were given."):
        ("Demande {nargs} valeurs, 1 donnée.", "Demande {nargs} valeurs, {len} données."),
}

MODULES = ("click.core", "click.exceptions", "click.parser", "click.types", "click.decorators", "click.formatting",
           "click.termui")


def gettext(message: str) -> str:
    return WORDS.get(message, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    french = PLURALS.get((singular, plural))
    if french is None:
        return singular if n == 1 else plural
    return french[0] if n == 1 else french[1]


def install() -> None:
    """click's modules take their words from here (a module that has no plural forms is given only `_`)."""
    for name in MODULES:
        module = importlib.import_module(name)
        module._ = gettext
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext
