"""The borne's Chromium as deploy/kiosk starts it (issue 17): only flags the installed Chromium knows, an
ephemeral profile made at start and deleted at exit, and a managed policy that forbids the developer tools and
downloads and allows only the borne's address."""

from __future__ import annotations

import json
import mmap
import os
import re
import subprocess
from pathlib import Path

import pytest

KIOSK = Path(__file__).resolve().parents[2] / "deploy" / "kiosk"
CHROMIUM_BINARIES = ("/usr/lib/chromium/chromium", "/usr/lib/chromium-browser/chromium-browser")


def launcher_flags() -> list[str]:
    return re.findall(r"^\s+--([a-z0-9-]+)", (KIOSK / "salle-borne.sh").read_text(encoding="utf-8"), re.M)


def test_every_launcher_flag_and_policy_is_known_to_the_installed_chromium():
    """`chromium --help` lists a handful of flags; the binary holds every switch and policy name it knows, each
    a NUL-terminated string constant."""
    binary = next((b for b in CHROMIUM_BINARIES if os.path.exists(b)), None)
    if binary is None:  # the Makefile installs chromium for the tests
        pytest.skip("chromium absent")
    flags = launcher_flags()
    assert {"kiosk", "user-data-dir", "noerrdialogs"} <= set(flags)
    policies = json.loads((KIOSK / "policies" / "salle-borne.json").read_text(encoding="utf-8"))
    with open(binary, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as image:
        def known(name: str) -> bool:
            return image.find(b"\0" + name.encode() + b"\0") >= 0

        assert [f for f in flags if not known(f)] == []
        assert [p for p in policies if not known(p)] == []
        # The flags issue 17 found gone, and a made-up policy: the check catches them.
        assert not known("disable-session-crashed-bubble") and not known("disable-translate")
        assert not known("DeveloperToolsAllowedEverywhere")


def test_the_policy_forbids_devtools_and_downloads_and_allows_only_the_borne():
    policy = json.loads((KIOSK / "policies" / "salle-borne.json").read_text(encoding="utf-8"))
    assert policy["DeveloperToolsAvailability"] == 2  # not allowed
    assert policy["DownloadRestrictions"] == 3  # every download blocked
    assert policy["URLBlocklist"] == ["*"] and policy["URLAllowlist"] == ["http://127.0.0.1:8000"]
    assert policy["ForceEphemeralProfiles"] is True and policy["IncognitoModeAvailability"] == 1
    assert policy["BrowserGuestModeEnabled"] is False and policy["ExtensionInstallBlocklist"] == ["*"]
    assert policy["PrintingEnabled"] is False and policy["AllowFileSelectionDialogs"] is False


def test_the_launcher_runs_chromium_on_a_fresh_profile_and_deletes_it(tmp_path):
    stubs = tmp_path / "bin"
    stubs.mkdir()
    record = tmp_path / "chromium-args"
    (stubs / "curl").write_text("#!/bin/sh\nexit 0\n")
    (stubs / "chromium").write_text(f'#!/bin/sh\nfor a in "$@"; do echo "$a"; done > {record}\n'
                                    f'case "$3" in --user-data-dir=*) d="${{3#--user-data-dir=}}";; esac\n'
                                    f'[ -d "$d" ] && [ -z "$(ls -A "$d")" ] && echo fresh >> {record}\n')
    for stub in stubs.iterdir():
        stub.chmod(0o755)
    runtime = tmp_path / "run"
    runtime.mkdir()
    env = {"PATH": f"{stubs}:/usr/bin:/bin", "RUNTIME_DIRECTORY": str(runtime), "HOME": str(tmp_path),
           "SALLE_BORNE_URL": "http://192.168.1.10:8000/borne"}
    subprocess.run(["sh", str(KIOSK / "salle-borne.sh")], env=env, check=True, timeout=30)
    args = record.read_text().split("\n")
    assert args[:2] == ["--kiosk", "http://192.168.1.10:8000/borne"]
    assert args[2].startswith(f"--user-data-dir={runtime}/salle-borne-profile.") and "fresh" in args
    assert list(runtime.iterdir()) == []  # the profile is gone with the browser

    (tmp_path / "borne.code").write_text("40001629\n")  # the installer's file: the page signs itself in
    code_env = {**env, "SALLE_BORNE_CODE_FILE": str(tmp_path / "borne.code")}
    subprocess.run(["sh", str(KIOSK / "salle-borne.sh")], env=code_env, check=True, timeout=30)
    assert record.read_text().split("\n")[:2] == ["--kiosk", "http://192.168.1.10:8000/borne#code=40001629"]
