"""No line over 120 characters in the code's own sources: the .py of salle/, kiosk/ and devices/, and the front
end's .js, .css and .html under salle/ and kiosk/ (not static/vendor/, which is third-party code kept as
shipped). Each long line is named file:line."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 120


def front_end_sources() -> list[Path]:
    files = [path for package in ("salle", "kiosk") for ext in ("js", "css", "html")
             for path in (ROOT / package).rglob(f"*.{ext}")]
    return sorted(path for path in files if "vendor" not in path.relative_to(ROOT).parts[:-1])


def python_sources() -> list[Path]:
    return sorted(path for package in ("salle", "kiosk", "devices") for path in (ROOT / package).rglob("*.py"))


def test_the_front_end_sources_are_found():
    names = {path.relative_to(ROOT).as_posix() for path in front_end_sources()}
    assert {"salle/web/static/api.js", "salle/web/templates/tablette.html", "kiosk/static/borne.css"} <= names
    assert not any("/vendor/" in name for name in names)


def test_no_line_is_over_120_characters():
    long_lines = [f"{path.relative_to(ROOT).as_posix()}:{number} ({len(line)} characters)"
                  for path in front_end_sources() + python_sources()
                  for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
                  if len(line) > LIMIT]
    assert not long_lines, "lines over 120 characters:\n" + "\n".join(long_lines)
