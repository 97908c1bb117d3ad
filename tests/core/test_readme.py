"""The README keeps its promises: its code map names every module of salle/, kiosk/ and devices/ and nothing that
is not there, and its examples run for real against a demo day (`salle demo`, on a free port in a temporary
directory). Self-contained: only salle, the standard library and requests."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from salle.cli import demo as demo_command
from salle.ports import free_port

ROOT = next(p for p in Path(__file__).resolve().parents if (p / "pyproject.toml").is_file())  # wherever tests/ puts it
README = ROOT / "README.md"
MAPPED = ("salle", "kiosk", "devices")  # every .py module under these must be in the code map
EXAMPLE = re.compile(r"^<!-- example -->\n```sh\n(.*?)^```$", re.M | re.S)  # a fenced sh block marked as example
BULLET = re.compile(r"^\s*- `([^`\s]+)`")
MARK = "@@readme-example "


def readme() -> str:
    return README.read_text(encoding="utf-8")


def section(text: str, title: str) -> str:
    """The lines under the heading `title` (level 2), up to the next level-2 heading."""
    lines = text.splitlines()
    assert title in lines, f"README has no section « {title} »"
    start = lines.index(title) + 1
    end = next((i for i in range(start, len(lines)) if lines[i].startswith("## ")), len(lines))
    return "\n".join(lines[start:end])


def modules() -> set[str]:
    return {p.relative_to(ROOT).as_posix() for top in MAPPED for p in (ROOT / top).rglob("*.py")
            if "static/vendor" not in p.as_posix() and "__pycache__" not in p.parts}


def code_map(text: str) -> tuple[set[str], set[str]]:
    """(paths the section names, packages it lists). A bullet's subject is its first backquoted path; a subject
    ending in « / » is a package, and bare file names on its line (`camera.py`) are its modules; every backquoted
    token with a « / » is a path from the repository's root."""
    named, packages = set(), set()
    for line in section(text, "## Code map").splitlines():
        bullet = BULLET.match(line)
        if not bullet:
            continue
        subject = bullet.group(1)
        base = subject if subject.endswith("/") else subject.rpartition("/")[0] + "/"
        if subject.endswith("/"):
            packages.add(subject.rstrip("/"))
        for token in re.findall(r"`([^`\s]+)`", line):
            if token.startswith("/") or not (token.endswith(".py") or token.endswith("/")):
                continue  # a URL, a command, a setting: not a path
            named.add((token if "/" in token else base + token).rstrip("/"))
    return named, packages


def test_code_map_names_every_module_and_nothing_else():
    named, packages = code_map(readme())
    expected = {m for m in modules() if not (m.endswith("/__init__.py") and m.rpartition("/")[0] in packages)}
    missing = sorted(expected - named)
    extra = sorted(p for p in named if not (ROOT / p).exists())
    assert not missing and not extra, (
        "README.md's « ## Code map » is out of date with the tree.\n"
        f"Modules not named there ({len(missing)}): {', '.join(missing) or '—'}\n"
        f"Paths named there that do not exist ({len(extra)}): {', '.join(extra) or '—'}")


# --- the examples, against a real demo day ------------------------------------------------------------------------


def demo_defaults() -> tuple[str, str]:
    """The URL and the directory `salle demo` uses when given no options."""
    defaults = {p.name: p.default for p in demo_command.params}
    return f"http://{defaults['host']}:{defaults['port']}", Path(defaults["workdir"]).as_posix()


def setting(blocks: list[str], name: str) -> str:
    values = [m.group(1) for b in blocks for m in re.finditer(rf"^{name}=(\S+)", b, re.M)]
    assert len(values) == 1, f"the README's examples should set {name}= once (found {values})"
    return values[0]


@pytest.fixture(scope="module")
def examples() -> list[str]:
    blocks = EXAMPLE.findall(readme())
    assert blocks, "no example block in README.md (a ```sh fence right after a line <!-- example -->)"
    return blocks


@pytest.fixture(scope="module")
def demo_day(tmp_path_factory, examples):
    """`salle demo` as `make demo` runs it, on a free port in a temporary directory: (url, its SQLite file)."""
    url, workdir = demo_defaults()
    assert setting(examples, "SALLE") == url, "the README's SALLE= is not where `salle demo` serves by default"
    db_name = setting(examples, "DB")
    assert Path(db_name).parent.as_posix() == workdir, "the README's DB= is not in `salle demo`'s default directory"
    tmp = tmp_path_factory.mktemp("readme")
    port = free_port("127.0.0.1")
    log = open(tmp / "demo.log", "wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "salle", "demo", "--dir", str(tmp / workdir), "--port", str(port), "--duration", "900"],
        cwd=tmp, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert proc.poll() is None, f"salle demo stopped: {(tmp / 'demo.log').read_text(errors='replace')}"
            try:
                if requests.get(f"{base}/api/v1/health", timeout=2).ok:
                    break
            except requests.ConnectionError:
                pass
            assert time.monotonic() < deadline, "salle demo did not answer within 120 s"
            time.sleep(0.3)
        db = tmp / db_name
        assert db.is_file(), f"the demo has no {db_name}: the README's DB= names the wrong file"
        yield base, db
    finally:
        server = subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True, text=True).stdout.split()
        proc.send_signal(signal.SIGTERM)  # the demo stops its server itself
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        for pid in server:  # only if the demo could not stop it: its server runs in a process group of its own
            try:
                os.killpg(int(pid), signal.SIGKILL)
            except ProcessLookupError:
                pass
        log.close()


def script(blocks: list[str], url: str, db: Path) -> str:
    """The examples one after another in one shell, as a reader pastes them, with the demo's URL and file."""
    lines = ["set -euo pipefail"]
    for i, block in enumerate(blocks):
        block = re.sub(r"^SALLE=\S+", f"SALLE={url}", block, flags=re.M)
        block = re.sub(r"^DB=\S+", f"DB={db}", block, flags=re.M)
        lines += [f"echo '{MARK}{i}'", block]
    lines.append(f"echo '{MARK}end'")
    return "\n".join(lines)


def test_readme_examples_run_against_the_demo(examples, request):
    if shutil.which("curl") is None:  # priority « optional » in Debian, and not in the Makefile's TEST_DEBS
        pytest.skip("curl is not installed (apt install curl): the README's examples use it")
    url, db = request.getfixturevalue("demo_day")
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    run = subprocess.run(["bash", "-c", script(examples, url, db)], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=180)
    outputs = re.split(rf"^{re.escape(MARK)}(\S+)\n", run.stdout, flags=re.M)[1:]
    reached = dict(zip(outputs[::2], outputs[1::2]))
    if run.returncode != 0 or "end" not in reached:
        failed = next((i for i in range(len(examples)) if str(i + 1) not in reached), len(examples) - 1)
        pytest.fail(f"README example {failed + 1} of {len(examples)} failed (exit {run.returncode}):\n"
                    f"{examples[failed]}\n--- its output:\n{reached.get(str(failed), '')}\n--- stderr:\n{run.stderr}")
    silent = [examples[i] for i in range(len(examples)) if not reached[str(i)].strip()]
    assert not silent, "README examples that printed nothing:\n" + "\n---\n".join(silent)
