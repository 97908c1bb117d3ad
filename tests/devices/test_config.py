"""devices.toml: a full example loads; each mistake names its key (and line) in French."""

from __future__ import annotations

import pytest

from devices.config import DeviceConfigError, load_config, parse_config

EXAMPLE = """
[printers.accueil]
connection = "usb"
usb = "04b8:0e15"
profile = "TM-T20II"

[printers.reseau]
connection = "network"
host = "192.168.10.50"
timeout = 3

[printers.demo]
connection = "file"
path = "demo-day/tickets.bin"

[scanners.porte_A101]
kind = "serial"
url = "/dev/salle-scanner-0"
salle = "A101"

[scanners.webcam]
kind = "camera"
source = 0
decoder = "pyzbar"

[relays.portes]
url = "/dev/ttyUSB1"
doors_closed = "A0 01 01 A2"
epreuve_end = "A00100A1"
"""


def test_full_example_loads(tmp_path):
    path = tmp_path / "devices.toml"
    path.write_text(EXAMPLE, encoding="utf-8")
    config = load_config(path)
    usb = config.printers["accueil"]
    assert (usb.usb_vendor, usb.usb_product, usb.profile, usb.codepage) == (0x04B8, 0x0E15, "TM-T20II", "CP1252")
    assert config.printers["reseau"].port == 9100 and config.printers["reseau"].timeout == 3.0
    assert config.scanners["porte_A101"].url == "/dev/salle-scanner-0"
    assert config.scanners["webcam"].source == 0 and config.scanners["webcam"].decoder == "pyzbar"
    assert config.relays["portes"].doors_closed == bytes.fromhex("A00101A2")


def test_config_path_from_environment(tmp_path, monkeypatch):
    path = tmp_path / "site.toml"
    path.write_text("", encoding="utf-8")
    monkeypatch.setenv("SALLE_DEVICES", str(path))
    assert load_config().source == str(path)


@pytest.mark.parametrize(
    "text,message",
    [
        ('[printers.a]\nconnection = "network"\nhost = "h"\nport = "9100"\n',
         "devices.toml, ligne 4 : clé printers.a.port : nombre entier attendu(e), reçu « 9100 »."),
        ('[printers.a]\nconnection = "bluetooth"\n',
         "devices.toml, ligne 2 : clé printers.a.connection : « bluetooth » n'est pas une valeur permise"),
        ('[printers.a]\nconnection = "network"\n', "clé printers.a.host : valeur obligatoire manquante."),
        ('[printers.a]\nconnection = "usb"\nusb = "epson"\n',
         "ligne 3 : clé printers.a.usb : « fournisseur:produit » en hexadécimal attendu"),
        ('[printers.a]\nconnection = "dummy"\nhots = "x"\n', "ligne 3 : clé printers.a.hots : clé inconnue."),
        ('[scanners.s]\nkind = "serial"\nurl = "loop://"\nbaudrate = -5\n',
         "ligne 4 : clé scanners.s.baudrate : nombre positif attendu, reçu « -5 »."),
        ('[scanners.s]\nkind = "camera"\nsource = 1.5\n', "clé scanners.s.source : numéro de caméra ou chemin"),
        ('[relays.r]\nurl = "loop://"\ndoors_closed = "ZZ"\n',
         "ligne 3 : clé relays.r.doors_closed : octets en hexadécimal"),
        ('printers = 3\n', "clé printers : une table est attendue"),
        ('[imprimantes.a]\n', "clé imprimantes : clé inconnue."),
        ('[printers.a\nconnection = 1\n', "devices.toml : syntaxe TOML invalide — ligne 1"),
    ],
)
def test_mistakes_are_named_in_french(text, message):
    with pytest.raises(DeviceConfigError) as raised:
        parse_config(text)
    assert message in str(raised.value)


def test_missing_file_is_named(tmp_path):
    with pytest.raises(DeviceConfigError, match="absent.toml : fichier de configuration des appareils introuvable"):
        load_config(tmp_path / "absent.toml")
