"""Mutation scores from the last `make mutation` run (mutmut 3, results in mutants/): per module and per function.

Killed = a test failed or timed out on the mutant; survived = every test passed; equivalent = a survivor that
no test can kill (the same behaviour as the original, listed below with the reason). Score = killed / (mutants
run - equivalents). Prints the survivors that are not known equivalents: each one is a test to write.
"""

from __future__ import annotations

import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KILLED = {1, 3, 36, -24, 24, 152, 255}  # failed, pytest internal error, timeouts (mutmut.stats)
SURVIVED = {0}
NO_TESTS = {5, 33}

# The functions of journal.py in the run: its hash chain and its replay of client ids (see the Makefile).
JOURNAL = ("x_event_hash", "xǁTxǁappend", "xǁJournalǁcommand", "xǁJournalǁ_load_head",
           "x_verify_chain", "x_verify_events")

# Survivors that behave exactly as the original: mutant name -> why no test can tell them apart.
EQUIVALENT: dict[str, str] = {
    "salle.rules.x_check_exit__mutmut_32":
        "start_of(None, p.started_at): past the R9 check started_at is set, and start_of returns it without reading "
        "the épreuve",
    "salle.rules.x_current_epreuve__mutmut_28":
        "now <= e.accueil_dt in the fallback: at an épreuve's accueil that épreuve is already opened and returned by "
        "the first branch (accueil before start, before end + 30 min), so the fallback never sees now == accueil",
    "salle.rules.x_seen_before_closing__mutmut_6":
        "t <= now: differs only for seen_at == now with a pronounced closing later than now; the closing is recorded "
        "at the server's now, so it is never later than a later scan's now (and the set time closes at now itself)",
    # journal.py
    "salle.journal.x_event_hash__mutmut_3": "ensure_ascii=None is falsy like False",
    "salle.journal.x_event_hash__mutmut_11":
        "separators=(',', 'XX:XX'): the key separator is only used for dicts, and the hashed list holds none",
    "salle.journal.x_event_hash__mutmut_15": "'UTF-8' and 'utf-8' name the same codec",
    "salle.journal.xǁTxǁappend__mutmut_40": "ensure_ascii=None is falsy like False",
    "salle.journal.xǁJournalǁcommand__mutmut_44": "ensure_ascii=None is falsy like False",
    "salle.journal.x_verify_chain__mutmut_3": "readonly=None: verify_chain only reads (query_only forbids writes it "
                                              "never makes)",
    "salle.journal.x_verify_chain__mutmut_5": "readonly left out: same as readonly=None",
    "salle.journal.x_verify_chain__mutmut_6": "readonly=False: same as readonly=None",
    **{f"salle.journal.{name}": "SQL keywords and names are case-insensitive in SQLite" for name in (
        "x_verify_chain__mutmut_13", "x_verify_chain__mutmut_14", "xǁJournalǁ_load_head__mutmut_4", "xǁJournalǁ_load_head__mutmut_5",
        "xǁJournalǁcommand__mutmut_16", "xǁJournalǁcommand__mutmut_17", "xǁJournalǁcommand__mutmut_41",
        "xǁJournalǁcommand__mutmut_42")},
    # importing.py
    **{f"salle.importing.{name}": "SQL keywords and names are case-insensitive in SQLite" for name in (
        "x_import_candidats__mutmut_24", "x_import_candidats__mutmut_25", "x_import_candidats__mutmut_112",
        "x_import_candidats__mutmut_113")},
    "salle.importing.x_import_candidats__mutmut_55":
        "row['NOM_CLE']: the row's keys are SQLite column names, which are case-insensitive",
    "salle.importing.x_decode_csv__mutmut_18":
        "the UTF-8 BOM left in: it is no letter or digit, so the first header reads the same without it",
    "salle.importing.x_read_rows__mutmut_37":
        "io.StringIO without newline='': its default, '\\n', does not translate line ends either",
    "salle.importing.x_decode_csv__mutmut_24": "'UTF-8' and 'utf-8' name the same codec",
    "salle.importing.x_decode_csv__mutmut_28": "'CP1252' and 'cp1252' name the same codec",
    "salle.importing.x_decode_csv__mutmut_58": "'XX\\r\\n\\tXX': the X's added are no control characters",
    "salle.importing.x_norm_header__mutmut_8": "'°' read as 'O' instead of 'o': the header is compared case-folded",
    **{f"salle.importing.xǁImporterǁcheck__mutmut_{n}":
       "another default for a required column (numéro, date de naissance, site): read_rows gives every row each "
       "required field, or refuses the file" for n in (16, 18, 21, 53, 55, 58, 62, 64, 67, 74, 76, 79, 83, 85, 88)},
    **{f"salle.importing.xǁImporterǁcheck__mutmut_{n}":
       "place None instead of '' without a Place column: both mean no place, and the seat given replaces it"
       for n in (178, 180)},
    "salle.importing.xǁImporterǁcheck__mutmut_89": "salle = '' instead of None: only read as `salle or ''`",
    "salle.importing.xǁImporterǁplace__mutmut_124":
        "the line number kept for a seat given automatically: read only for the conflicts of the places the file "
        "gives, which are all checked before",
    **{f"salle.journal.{name}": "sqlite3.Row looks its keys up without case" for name in (
        "xǁJournalǁ_load_head__mutmut_11", "xǁJournalǁ_load_head__mutmut_18")},
}


def module_of(name: str) -> str:
    return name.split(".x")[0]


def function_of(name: str) -> str:
    return name.split("__mutmut_")[0]


def main() -> int:
    metas = sorted((ROOT / "mutants" / "salle").glob("*.py.meta"))
    if not metas:
        print("Pas de résultats : lancez d'abord `make mutation`.")
        return 0
    results = {}
    for meta in metas:
        results.update(json.loads(meta.read_text())["exit_code_by_key"])
    per_module: dict[str, Counter] = defaultdict(Counter)
    per_function: dict[str, Counter] = defaultdict(Counter)
    survivors = []
    for name, code in sorted(results.items()):
        if module_of(name) == "salle.journal" and function_of(name).split("journal.")[1] not in JOURNAL:
            continue
        if code is None:
            status = "not run"
        elif name in EQUIVALENT:
            status = "equivalent"
        elif code in KILLED:
            status = "killed"
        elif code in SURVIVED:
            status = "survived"
            survivors.append(name)
        elif code in NO_TESTS:
            status = "no test"
            survivors.append(name)
        else:
            status = f"other ({code})"
        per_module[module_of(name)][status] += 1
        per_function[function_of(name)][status] += 1

    def line(label: str, c: Counter) -> str:
        run = sum(c.values()) - c["not run"] - c["equivalent"]
        score = f"{100 * c['killed'] / run:.1f} %" if run else "—"
        others = ", ".join(f"{k} {v}" for k, v in sorted(c.items()) if k not in ("killed", "survived", "equivalent"))
        return (f"{label:58} {sum(c.values()):5} mutants  {c['killed']:5} killed  {c['survived']:4} survived  "
                f"{c['equivalent']:3} equivalent  score {score}" + (f"  ({others})" if others else ""))

    for module in sorted(per_module):
        print(line(module, per_module[module]))
        for function in sorted(f for f in per_function if module_of(f) == module):
            if per_function[function]["killed"] != sum(per_function[function].values()):
                print("  " + line(function.split(".", 2)[2], per_function[function]))
    if survivors:
        print(f"\n{len(survivors)} survivant(s) (`.venv/bin/mutmut show NOM` pour le diff) :")
        print("\n".join(f"  {s}" for s in survivors))
    stale = sorted(set(EQUIVALENT) - set(results))
    if stale:
        print("\nÉquivalents listés mais introuvables (le code a changé ?) :\n" + "\n".join(f"  {s}" for s in stale))
    return 0


if __name__ == "__main__":
    sys.exit(main())
