"""A PDF's text as a reader sees it, through pdftotext (poppler): raw (pages split by form feeds), laid out as
printed (columns kept on their line), or with whitespace collapsed (cells wrap)."""

from __future__ import annotations

import subprocess


def pdf_raw(data: bytes, *, layout: bool = False) -> str:
    """The text of a PDF given as bytes, as pdftotext gives it; `layout` keeps a table's row on one line."""
    assert data.startswith(b"%PDF"), "not a PDF"
    args = ["pdftotext", *(["-layout"] if layout else []), "-", "-"]
    return subprocess.run(args, input=data, capture_output=True, check=True).stdout.decode()


def pdf_layout(data: bytes) -> str:
    """The text laid out as printed: a table's row stays on one line."""
    return pdf_raw(data, layout=True)


def pdf_text(data: bytes) -> str:
    """The text with whitespace (NBSP included) collapsed to one space: cells wrap."""
    return " ".join(pdf_raw(data).split())
