"""DejaVu cut down to the Latin letters, punctuation and signs French papers use: fpdf2 parses a font for every
document it writes, and the whole DejaVu costs ~90 ms a font and ~70 ms of subsetting per PDF; the cut ~10 ms.
Made once from the system's DejaVu (fonts-dejavu-core) into a cache folder; the same glyphs, so the same print."""

from __future__ import annotations

import hashlib
import os
import tempfile
from functools import lru_cache
from pathlib import Path

SYSTEM_FONTS = Path("/usr/share/fonts/truetype/dejavu")
STYLES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}
UNICODES = [*range(0x20, 0x7F), *range(0xA0, 0x250), 0x2013, 0x2014, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
            0x2026, 0x202F, 0x20AC, 0x2190, 0x2192, 0x2713, 0x2610]


def latin_fonts() -> dict[str, Path]:
    """style ("" or "B") -> path of the cut font, made if missing (atomically: parallel workers may ask at once)."""
    folder = Path(tempfile.gettempdir()) / f"salle-fonts-{_version()}"
    out = {style: folder / name.replace(".ttf", "-latin.ttf") for style, name in STYLES.items()}
    if all(p.exists() for p in out.values()):
        return out
    from fontTools import subset
    from fontTools.ttLib import TTFont

    folder.mkdir(parents=True, exist_ok=True)
    for style, name in STYLES.items():
        if out[style].exists():
            continue
        font = TTFont(SYSTEM_FONTS / name)
        options = subset.Options()
        options.layout_features, options.hinting, options.notdef_outline = [], False, True
        options.drop_tables += ["FFTM"]
        cutter = subset.Subsetter(options)
        cutter.populate(unicodes=UNICODES)
        cutter.subset(font)
        fd, tmp = tempfile.mkstemp(dir=folder, suffix=".ttf")
        os.close(fd)
        font.save(tmp)
        os.replace(tmp, out[style])
    return out


def _version() -> str:
    stamp = "|".join(f"{n}:{(SYSTEM_FONTS / n).stat().st_mtime_ns}" for n in STYLES.values())
    return hashlib.sha256((stamp + repr(UNICODES)).encode()).hexdigest()[:12]


@lru_cache(maxsize=None)
def latin_coverage() -> frozenset[str]:
    """The characters both cut fonts draw, and the line breaks (never drawn): a text with any other character
    needs the whole DejaVu to print the same."""
    from fontTools.ttLib import TTFont

    maps = [set(TTFont(path, lazy=True)["cmap"].getBestCmap()) for path in latin_fonts().values()]
    return frozenset({"\n", "\r", *(chr(c) for c in set.intersection(*maps))})

