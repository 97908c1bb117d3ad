"""Load and validate devices.toml: which printers, scanners and relays this site uses.

Every mistake is reported in French with the key (and its line) that is wrong, e.g.
« devices.toml, ligne 4 : clé printers.accueil.port : nombre entier attendu ».
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from salle.errors import Invalide

PRINTER_CONNECTIONS = ("usb", "network", "serial", "file", "cups", "dummy")
SCANNER_KINDS = ("serial", "camera")
DECODERS = ("auto", "zxing", "pyzbar")
DEFAULT_PATH = "devices.toml"
_REQUIRED = object()


class DeviceConfigError(Invalide):
    """devices.toml cannot be used as written."""

    code = "configuration_invalide"


@dataclass(frozen=True)
class PrinterConfig:
    name: str
    connection: str
    profile: str | None = None
    codepage: str = "CP1252"
    timeout: float = 5.0
    max_attempts: int = 5
    usb_vendor: int | None = None
    usb_product: int | None = None
    host: str | None = None
    port: int = 9100
    device: str | None = None
    baudrate: int = 9600
    path: str | None = None
    cups_name: str | None = None
    site: str | None = None  # the site it serves (for the console's device list and alerts)


@dataclass(frozen=True)
class ScannerConfig:
    name: str
    kind: str
    url: str | None = None
    baudrate: int = 9600
    source: int | str | None = None
    decoder: str = "auto"
    salle: str | None = None
    site: str | None = None  # default: the salle's site


@dataclass(frozen=True)
class RelayConfig:
    name: str
    url: str
    baudrate: int = 9600
    timeout: float = 1.0
    doors_closed: bytes = b""
    epreuve_end: bytes = b""
    site: str | None = None  # the site whose doors it follows (required when the session has several sites)


@dataclass(frozen=True)
class DevicesConfig:
    source: str
    printers: dict[str, PrinterConfig] = field(default_factory=dict)
    scanners: dict[str, ScannerConfig] = field(default_factory=dict)
    relays: dict[str, RelayConfig] = field(default_factory=dict)


def default_config_path() -> str:
    """The file named by $SALLE_DEVICES, else devices.toml in the working directory."""
    return os.environ.get("SALLE_DEVICES") or DEFAULT_PATH


def load_config(path: str | os.PathLike | None = None) -> DevicesConfig:
    """Read and validate a devices.toml file."""
    path = Path(path or default_config_path())
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DeviceConfigError(f"{path} : fichier de configuration des appareils introuvable.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DeviceConfigError(f"{path} : fichier illisible ({exc}).") from None
    return parse_config(text, source=str(path))


def parse_config(text: str, source: str = DEFAULT_PATH) -> DevicesConfig:
    """Validate the TOML text of a devices file."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DeviceConfigError(f"{source} : syntaxe TOML invalide — {_french_toml_error(exc)}.") from None
    top = _Section(source, text, "", data)
    printers = {n: _printer(s) for n, s in top.tables("printers")}
    scanners = {n: _scanner(s) for n, s in top.tables("scanners")}
    relays = {n: _relay(s) for n, s in top.tables("relays")}
    top.finish()
    return DevicesConfig(source, printers, scanners, relays)


def parse_hex_bytes(value: str) -> bytes:
    """« A0 01 01 A2 » or « a00101a2 » -> bytes; ValueError when not hexadecimal."""
    return bytes.fromhex(value.replace(":", " "))


def _french_toml_error(exc: tomllib.TOMLDecodeError) -> str:
    match = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
    if match:
        return f"ligne {match[1]}, colonne {match[2]}"
    return str(exc)


class _Section:
    """One TOML table being read: typed access to its keys, unknown keys refused."""

    def __init__(self, source: str, text: str, where: str, data: dict):
        self.source, self.text, self.where, self.data = source, text, where, data
        self.used: set[str] = set()

    def error(self, key: str, problem: str) -> DeviceConfigError:
        dotted = f"{self.where}.{key}" if self.where else key
        line = _line_of(self.text, self.where, key)
        at = f", ligne {line}" if line else ""
        return DeviceConfigError(f"{self.source}{at} : clé {dotted} : {problem}.")

    def tables(self, key: str):
        """(name, section) for each sub-table of `key`, e.g. [printers.accueil]."""
        self.used.add(key)
        group = self.data.get(key, {})
        if not isinstance(group, dict):
            raise self.error(key, "une table est attendue, par exemple [" + key + ".nom]")
        for name, table in group.items():
            inner = _Section(self.source, self.text, f"{key}.{name}", table)
            if not isinstance(table, dict):
                raise self.error(f"{key}.{name}", "une table est attendue")
            yield name, inner

    def take(self, key: str, kind: type | tuple, default=_REQUIRED, choices=None):
        self.used.add(key)
        if key not in self.data:
            if default is _REQUIRED:
                raise self.error(key, "valeur obligatoire manquante")
            return default
        value = self.data[key]
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
            raise self.error(key, f"{_TYPE_NAMES.get(kind, 'valeur')} attendu(e), reçu « {value} »")
        if choices and value not in choices:
            raise self.error(key, f"« {value} » n'est pas une valeur permise ({', '.join(choices)})")
        return value

    def positive(self, key: str, kind: type, default):
        value = self.take(key, kind, default)
        if value is not None and value <= 0:
            raise self.error(key, f"nombre positif attendu, reçu « {value} »")
        return value

    def hex_bytes(self, key: str) -> bytes:
        value = self.take(key, str, "")
        try:
            return parse_hex_bytes(value)
        except ValueError:
            raise self.error(key, f"octets en hexadécimal attendus (ex. « A0 01 01 A2 »), reçu « {value} »") from None

    def finish(self) -> None:
        unknown = sorted(set(self.data) - self.used)
        if unknown:
            raise self.error(unknown[0], "clé inconnue")


_TYPE_NAMES = {
    str: "texte",
    int: "nombre entier",
    float: "nombre",
    bool: "vrai/faux",
    (int, str): "numéro de caméra ou chemin de fichier",
}


def _line_of(text: str, table: str, key: str) -> int | None:
    """Line number (1-based) where `key` is set inside [table], best effort."""
    current = ""
    pattern = re.compile(rf"^\s*\"?{re.escape(key.split('.')[-1])}\"?\s*=")
    for number, line in enumerate(text.splitlines(), start=1):
        header = re.match(r"^\s*\[+([^\]]+)\]+", line)
        if header:
            current = header[1].strip().replace('"', "")
            if key and f"{table}.{key}".strip(".") == current:
                return number
        elif current == table and pattern.match(line):
            return number
    return None


def _printer(s: _Section) -> PrinterConfig:
    name = s.where.split(".", 1)[1]
    connection = s.take("connection", str, choices=PRINTER_CONNECTIONS)
    common = dict(
        name=name,
        connection=connection,
        profile=s.take("profile", str, None),
        codepage=s.take("codepage", str, "CP1252"),
        timeout=s.positive("timeout", float, 5.0),
        max_attempts=s.positive("max_attempts", int, 5),
        site=s.take("site", str, None),
    )
    if connection == "usb":
        common["usb_vendor"], common["usb_product"] = _usb_ids(s)
    elif connection == "network":
        common["host"] = s.take("host", str)
        common["port"] = s.positive("port", int, 9100)
    elif connection == "serial":
        common["device"] = s.take("device", str)
        common["baudrate"] = s.positive("baudrate", int, 9600)
    elif connection == "file":
        common["path"] = s.take("path", str)
    elif connection == "cups":
        common["cups_name"] = s.take("cups_name", str)
    s.finish()
    return PrinterConfig(**common)


def _usb_ids(s: _Section) -> tuple[int, int]:
    value = s.take("usb", str)
    match = re.fullmatch(r"\s*(?:0x)?([0-9a-fA-F]{1,4})\s*:\s*(?:0x)?([0-9a-fA-F]{1,4})\s*", value)
    if not match:
        raise s.error("usb", f"« fournisseur:produit » en hexadécimal attendu (ex. « 04b8:0e15 »), reçu « {value} »")
    return int(match[1], 16), int(match[2], 16)


def _scanner(s: _Section) -> ScannerConfig:
    name = s.where.split(".", 1)[1]
    kind = s.take("kind", str, choices=SCANNER_KINDS)
    values = dict(name=name, kind=kind, salle=s.take("salle", str, None), site=s.take("site", str, None))
    if kind == "serial":
        values["url"] = s.take("url", str)
        values["baudrate"] = s.positive("baudrate", int, 9600)
    else:
        values["source"] = s.take("source", (int, str))
        values["decoder"] = s.take("decoder", str, "auto", choices=DECODERS)
    s.finish()
    return ScannerConfig(**values)


def _relay(s: _Section) -> RelayConfig:
    name = s.where.split(".", 1)[1]
    relay = RelayConfig(
        name=name,
        url=s.take("url", str),
        baudrate=s.positive("baudrate", int, 9600),
        timeout=s.positive("timeout", float, 1.0),
        doors_closed=s.hex_bytes("doors_closed"),
        epreuve_end=s.hex_bytes("epreuve_end"),
        site=s.take("site", str, None),
    )
    s.finish()
    return relay
