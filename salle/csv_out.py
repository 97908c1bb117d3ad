"""CSV files Salle writes: UTF-8 with BOM, « ; », and no cell a spreadsheet would run (CSV injection)."""

from __future__ import annotations

import csv
import io

# OWASP « CSV Injection »: a cell starting with one of these is read as a formula by Excel, LibreOffice and
# Google Sheets; a leading single quote makes it text again, and the spreadsheet shows the rest unchanged.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value) -> str:
    """One cell as text a spreadsheet shows and never runs: `=1+2` becomes `'=1+2`; None becomes ""."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


_STARTS = frozenset(FORMULA_STARTS)


def csv_text(header: list[str], rows) -> str:
    """The whole file: BOM, « ; », CRLF, every cell neutralised and quoted where it must be. The cells are
    neutralised as `neutralise` does, inline: an export of 100,000 candidats has millions of them."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([neutralise(h) for h in header])
    for row in rows:
        cells = ["" if c is None else c if type(c) is str else str(c) for c in row]
        writer.writerow(["'" + c if c[:1] in _STARTS else c for c in cells])
    return out.getvalue()
