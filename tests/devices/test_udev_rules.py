"""deploy/udev: names that follow the device, not the plug order (issue 17). The rules files are parsed and
matched against `udevadm info -q property` output recorded from two scanners and a relay, then against the
same devices replugged the other way round (kernel numbers and USB ports swapped)."""

from __future__ import annotations

import fnmatch
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RULES = [ROOT / "deploy" / "udev" / "98-salle-site.rules.example", ROOT / "deploy" / "udev" / "99-salle.rules"]
RECORDED = Path(__file__).parent / "udev"
TOKEN = re.compile(r'\s*([A-Z_]+(?:\{[^}]*\})?)\s*(==|!=|\+=|:=|=)\s*"([^"]*)"\s*,?')
# ATTRS{} matches the parent USB device's sysfs attributes; `udevadm info` shows them as these properties.
ATTRS = {"idVendor": "ID_VENDOR_ID", "idProduct": "ID_MODEL_ID"}


def parse_rules(path: Path) -> list[list[tuple[str, str, str]]]:
    rules = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        tokens, position = [], 0
        while position < len(line):
            match = TOKEN.match(line, position)
            assert match, f"{path.name}: cannot read « {line[position:]} »"
            tokens.append(match.groups())
            position = match.end()
        rules.append(tokens)
    return rules


def recorded(name: str) -> dict[str, str]:
    lines = (RECORDED / name).read_text(encoding="ascii").splitlines()
    return dict(line.split("=", 1) for line in lines)


def value_of(key: str, device: dict) -> str:
    if key == "KERNEL":
        return device["DEVNAME"].rsplit("/", 1)[1]
    if key == "SUBSYSTEM":
        return device["SUBSYSTEM"]
    name = key[key.index("{") + 1:-1]
    if key.startswith("ENV{"):
        return device.get(name, "")
    if key.startswith("ATTRS{"):
        return device.get(ATTRS[name], "")
    raise AssertionError(f"key {key} not handled by this test")


def matches(pattern: str, value: str) -> bool:
    return any(fnmatch.fnmatchcase(value, p) if p else value == "" for p in pattern.split("|"))


def substitute(template: str, device: dict) -> str:
    assert "%n" not in template and "$number" not in template, "the kernel's number follows plug order"
    return re.sub(r"\$env\{([^}]+)\}", lambda m: device.get(m[1], ""), template)


def links(device: dict) -> set[str]:
    """The SYMLINKs udev would give `device` with the files in RULES, in udev's order."""
    device, names = dict(device), set()
    for path in RULES:
        for rule in parse_rules(path):
            tests = [(k, op, v) for k, op, v in rule if op in ("==", "!=")]
            if not all(matches(v, value_of(k, device)) == (op == "==") for k, op, v in tests):
                continue
            for key, op, value in rule:
                if key == "SYMLINK" and op == "+=":
                    names.add("/dev/" + substitute(value, device))
                elif key.startswith("ENV{") and op == "=":
                    device[key[4:-1]] = substitute(value, device)
    return names


def replugged(device: dict, kernel: str, port: str | None = None) -> dict:
    """The same device after a reboot or a replug: another kernel name, maybe another USB port."""
    moved = {**device, "DEVNAME": f"/dev/{kernel}"}
    if port:
        moved["ID_PATH"] = f"pci-0000:00:14.0-usb-0:{port}:1.0"
        moved["ID_PATH_TAG"] = f"pci-0000_00_14_0-usb-0_{port}_1_0"
    return moved


def test_two_scanners_replugged_the_other_way_round_keep_their_names_and_salles():
    first, second = recorded("scanner-14336B0057-port1.txt"), recorded("scanner-17059B1183-port2.txt")
    before = links(first), links(second)
    assert before[0] == {"/dev/salle-scanner-A101", "/dev/salle-scanner-14336B0057"}
    assert before[1] == {"/dev/salle-scanner-B12", "/dev/salle-scanner-17059B1183"}
    # Reboot with the plug order reversed, and each scanner moved to the other's USB port.
    after = links(replugged(first, "ttyACM1", port="2")), links(replugged(second, "ttyACM0", port="1"))
    assert after == before


def test_a_relay_without_serial_number_is_named_by_its_usb_port():
    relay = recorded("relay-ch340-port3.txt")
    assert "ID_SERIAL_SHORT" not in relay
    expected = {"/dev/salle-relay-portes", "/dev/salle-relay-port-pci-0000_00_14_0-usb-0_3_1_0"}
    assert links(relay) == expected
    assert links(replugged(relay, "ttyUSB1")) == expected  # another kernel number, same port: same names
    assert "/dev/salle-relay-portes" not in links(replugged(relay, "ttyUSB0", port="4"))


@pytest.mark.parametrize("path", RULES, ids=lambda p: p.name)
def test_no_rule_names_a_device_by_the_kernels_number(path):
    for rule in parse_rules(path):
        for key, _, value in rule:
            if key == "SYMLINK":
                assert "%n" not in value and "$number" not in value and "%k" not in value and "$kernel" not in value
