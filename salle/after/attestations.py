"""Attestations de présence: one A4 PDF per candidat and day (every épreuve they sat that day), in the organiser's
layout — autorité organisatrice, concours, épreuve, date, site, times of arrival and departure, « Fait à …, le … »,
the signatory's name and title and, when configured, the signature's image — named by numéro d'inscription, with a
ZIP and an index CSV for the espace sécurisé's upload. None for a candidat who sat nothing (absent, refused).

The layout's facts come from the session file's optional table:

    [attestation]
    autorite = "Centre de gestion de la fonction publique territoriale"   # default: concours.organisateur
    signataire = "Marie Dupont"
    qualite = "Directrice générale des services"
    lieu = "Pantin"                  # « Fait à … » (default: the town of the site where the candidat sat)
    signature = "signature.png"      # optional image, relative to the record's folder (or --signature)
"""

from __future__ import annotations

import io
import os
import time
import tomllib
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable

from ..csv_out import csv_text
from ..documents.convocations import Page, _write, _zip, cut_pages, french_date, french_time
from ..errors import Invalide
from ..model import Session
from ..pv import ville
from .consolidation import SAT
from .record import Record

INDEX = "index.csv"
IMAGE_TYPES = (".png", ".jpg", ".jpeg")


class AttestationInvalide(Invalide):
    code = "attestation_invalide"


@dataclass(frozen=True)
class Layout:
    autorite: str
    signataire: str = ""
    qualite: str = ""
    lieu: str = ""
    signature: bytes | None = None  # the image's bytes


def attestation_table(session_toml: str) -> dict[str, str]:
    """The session file's [attestation] table, checked: known keys, texts only (empty when there is none)."""
    table = tomllib.loads(session_toml).get("attestation", {})
    if not isinstance(table, dict):
        raise AttestationInvalide("session.toml : [attestation] doit être une table.")
    for key, value in table.items():
        if key not in ("autorite", "signataire", "qualite", "lieu", "signature"):
            raise AttestationInvalide(f"session.toml : [attestation].{key} : clé inconnue (autorite, signataire, "
                                      "qualite, lieu, signature).")
        if not isinstance(value, str):
            raise AttestationInvalide(f"session.toml : [attestation].{key} : texte attendu.")
    return table


def layout_of(session_toml: str, session: Session, base: Path | None = None,
              signature: Path | None = None) -> Layout:
    """The [attestation] table of the session file, checked; `signature` (a path) wins over its « signature »."""
    table = attestation_table(session_toml)
    image = None
    path = signature or (Path(table["signature"]) if table.get("signature") else None)
    if path is not None:
        if not path.is_absolute() and base is not None and signature is None:
            path = base / path
        if not path.is_file():
            raise AttestationInvalide(f"Image de signature introuvable : {path}. Rien n'a été écrit.")
        if path.suffix.lower() not in IMAGE_TYPES:
            raise AttestationInvalide(f"Image de signature {path.name} : PNG ou JPEG attendu. Rien n'a été écrit.")
        image = path.read_bytes()
        _check_image(image, path)
    return Layout(table.get("autorite") or session.concours.organisateur, table.get("signataire", ""),
                  table.get("qualite", ""), table.get("lieu", ""), image)


def _check_image(data: bytes, path: Path) -> None:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as img:
            img.verify()
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise AttestationInvalide(f"Image de signature {path.name} illisible : ce n'est pas une image PNG ou JPEG "
                                  "valide. Rien n'a été écrit.") from exc


@dataclass
class Attestation:
    numero: str
    nom: str
    prenom: str
    date_naissance: str
    day: date
    lines: list[dict]  # one per épreuve sat that day: epreuve, site, salle, arrivee, sortie, statut

    @property
    def filename(self) -> str:
        return f"{self.numero}-{self.day.isoformat()}.pdf"


def attestations_of(record: Record) -> list[Attestation]:
    """Every candidat who sat at least one épreuve, one attestation per day, by numéro."""
    session = record.session
    day_of = {e.code: e.date for e in session.epreuves}
    rank = {e.code: i for i, e in enumerate(session.epreuves)}
    rows = record.query(f"SELECT r.*, c.nom, c.prenom, c.date_naissance FROM resultats r JOIN candidats c USING "
                        f"(numero) WHERE r.statut IN ({', '.join('?' for _ in SAT)}) ORDER BY r.numero", list(SAT))
    out: dict[tuple, Attestation] = {}
    for r in sorted(rows, key=lambda r: (r["numero"], rank.get(r["epreuve"], 99))):
        key = (r["numero"], day_of[r["epreuve"]])
        if key not in out:
            out[key] = Attestation(r["numero"], r["nom"], r["prenom"], r["date_naissance"], key[1], [])
        out[key].lines.append(r)
    return list(out.values())


def draw(pdf: Page, session: Session, layout: Layout, a: Attestation, today: date) -> None:
    """One attestation on a new page of `pdf`."""
    concours = session.concours
    pdf.add_page()
    pdf.text_line(layout.autorite, 11, bold=True)
    pdf.text_line("Autorité organisatrice", 8)
    pdf.ln(10)
    pdf.text_line("ATTESTATION DE PRÉSENCE", 20, bold=True, h=10, align="C")
    pdf.ln(8)
    subject = f"{layout.signataire}, {layout.qualite}" if layout.signataire and layout.qualite else (
        layout.signataire or layout.qualite or "L'autorité organisatrice")
    born = date.fromisoformat(a.date_naissance).strftime("%d/%m/%Y") if a.date_naissance else ""
    pdf.text_line(f"{subject}, atteste que :", 11)
    pdf.ln(3)
    pdf.text_line(f"{a.nom.upper()} {a.prenom}" + (f", né(e) le {born}" if born else ""), 13, bold=True)
    pdf.text_line(f"numéro d'inscription {a.numero},", 11)
    pdf.ln(3)
    pdf.text_line(f"candidat(e) au concours « {concours.label} », était présent(e) le {french_date(a.day)} :", 11)
    towns = []
    for line in a.lines:
        epreuve, site = session.epreuve(line["epreuve"]), session.site(line["site"])
        pdf.ln(4)
        pdf.text_line(f"{epreuve.label} ({epreuve.code})" if epreuve else line["epreuve"], 11, bold=True)
        pdf.text_line(f"Lieu : {site.name}, {site.address}" if site else f"Lieu : {line['site']}", 10)
        departure = _time(line["sortie"]) if line["sortie"] else (
            f"{french_time(epreuve.end_dt)} (fin de l'épreuve)" if epreuve else "non enregistrée")
        pdf.text_line(f"Heure d'arrivée : {_time(line['arrivee'])} — heure de départ : {departure}", 10)
        if site:
            towns.append(ville(site.address, site.name))
    pdf.ln(12)
    town = layout.lieu or (towns[0] if towns else "")
    pdf.text_line(f"Fait à {town}, le {french_date(today)}.", 11)
    pdf.ln(4)
    x = 110
    pdf.set_x(x)
    pdf.text_line(layout.qualite or "Pour l'autorité organisatrice", 10, bold=True, align="L")
    if layout.signature:
        pdf.image(io.BytesIO(layout.signature), x=x, y=pdf.get_y() + 2, h=22)
        pdf.set_y(pdf.get_y() + 26)
    else:
        pdf.ln(20)
    if layout.signataire:
        pdf.set_x(x)
        pdf.cell(0, 6, layout.signataire)


def _time(iso: str) -> str:
    return iso[11:16].replace(":", "\u202fh\u202f")


def render(session: Session, layout: Layout, a: Attestation, today: date) -> bytes:
    pdf = Page(f"Attestation de présence {a.numero}")
    draw(pdf, session, layout, a, today)
    return bytes(pdf.output())


# --- writing them all ------------------------------------------------------------------------------------------


_WORKER: dict = {}


def _init(session: Session, layout: Layout, today: date) -> None:
    _WORKER.update(session=session, layout=layout, today=today)


def _render_chunk(chunk: list[Attestation]) -> list[tuple[str, bytes]]:
    """A chunk drawn as one document, then cut into one PDF each (as the convocations: fonts embedded once)."""
    pdf = Page("Attestations de présence")
    for a in chunk:
        draw(pdf, _WORKER["session"], _WORKER["layout"], a, _WORKER["today"])
    return cut_pages(bytes(pdf.output()), [(a.filename, f"Attestation de présence {a.numero}") for a in chunk])


@dataclass
class Summary:
    folder: Path
    written: int = 0
    candidats: int = 0
    per_second: float = 0.0
    without: int = 0  # candidats who sat nothing: no attestation
    files: list[str] = field(default_factory=list)

    def french(self) -> str:
        return (f"{self.written} attestation(s) de présence écrite(s) dans {self.folder} pour {self.candidats} "
                f"candidat(s) ({self.per_second:.0f} par seconde), avec attestations.zip et {INDEX} ; "
                f"{self.without} candidat(s) sans attestation (absents ou refusés à toutes les épreuves).")


def write_all(record: Record, folder: Path, layout: Layout, today: date, workers: int = 0,
              progress: Callable[[int, int], None] = lambda done, total: None, limit: int | None = None) -> Summary:
    """Every attestation (the first `limit` only: the benchmark's sample), then the ZIP and the index."""
    from ..documents.fonts import latin_fonts

    found = attestations_of(record)[:limit]
    folder.mkdir(parents=True, exist_ok=True)
    latin_fonts()
    started = time.monotonic()
    chunks = [found[i:i + 50] for i in range(0, len(found), 50)]
    done = 0
    summary = Summary(folder)
    workers = workers or min(4, os.cpu_count() or 1)
    with ProcessPoolExecutor(workers, initializer=_init, initargs=(record.session, layout, today)) as pool:
        for results in pool.map(_render_chunk, chunks):
            for filename, data in results:
                _write(folder / filename, data)
            done += len(results)
            progress(done, len(found))
    summary.written = len(found)
    summary.per_second = len(found) / max(time.monotonic() - started, 1e-6)
    summary.files = [a.filename for a in found]
    summary.candidats = len({a.numero for a in found})
    summary.without = record.query("SELECT COUNT(*) AS n FROM candidats")[0]["n"] - summary.candidats
    index = csv_text(["numero", "nom", "prenom", "jour", "epreuves", "fichier"],
                     ([a.numero, a.nom, a.prenom, a.day.isoformat(), ",".join(r["epreuve"] for r in a.lines),
                       a.filename] for a in found))
    _write(folder / INDEX, index.encode("utf-8"))
    _zip(folder / "attestations.zip", folder, summary.files, extra={INDEX: index.lstrip("\ufeff")})
    return summary
