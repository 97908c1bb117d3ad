"""The door relay on loop:// and on a real pty; its failures alert and never raise."""

from __future__ import annotations

import serial

from devices.config import RelayConfig
from devices.relay import DoorRelay

CLOSE, END = bytes.fromhex("A00101A2"), bytes.fromhex("A00100A1")


def relay_config(url):
    return RelayConfig("portes", url, timeout=0.2, doors_closed=CLOSE, epreuve_end=END)


def test_relay_on_loop_url_sends_the_configured_bytes():
    ports = []

    def factory(url, **kwargs):
        ports.append(serial.serial_for_url(url, **kwargs))
        return ports[-1]

    alerts = []
    relay = DoorRelay(relay_config("loop://"), on_alert=lambda *a: alerts.append(a), serial_factory=factory)
    assert relay.doors_closed() and relay.epreuve_ended()
    assert ports[0].read(8) == CLOSE + END
    assert alerts == []


def test_relay_on_a_real_pty_survives_unplug_and_alerts_without_raising(socat):
    alerts = []
    relay = DoorRelay(relay_config(socat.a), on_alert=lambda *a: alerts.append(a))
    assert relay.doors_closed() is True
    assert socat.read_b(until=4) == CLOSE

    socat.kill()  # relay board unplugged
    assert relay.epreuve_ended() is False
    assert alerts[0][0] == "relais"
    assert alerts[0][1].startswith("Signal de porte « portes » non déclenché pour la fin de l'épreuve")

    socat.start()  # plugged back: the next command reopens the line
    assert relay.epreuve_ended() is True
    assert socat.read_b(until=4) == END
    relay.close()


def test_missing_relay_device_alerts_once_and_returns():
    alerts = []
    relay = DoorRelay(relay_config("/dev/ttyACM-absent"), on_alert=lambda *a: alerts.append(a))
    assert relay.doors_closed() is False
    assert len(alerts) == 1 and "fermeture des portes" in alerts[0][1]
