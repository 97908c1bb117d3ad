"""A PDF's text as a reader sees it: pdftotext (poppler), whitespace collapsed."""

from __future__ import annotations

import subprocess


def pdf_text(data: bytes) -> str:
    """The text of a PDF given as bytes; cells wrap, so whitespace (NBSP included) is collapsed to one space."""
    assert data.startswith(b"%PDF"), "not a PDF"
    raw = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()
    return " ".join(raw.split())
