"""The site's devices wired to the real server: a serial door scanner posts scans, goes off line and comes
back (journaled, console alert), and a serial relay follows the door closing (R3) — on real socat ptys."""

import queue

import socketio

from devices.config import parse_config
from tests.helpers.day import at, candidat_in
from tests.helpers.devices import SocatPair
from tests.helpers.server import LiveServer


def devices_toml(scanner_tty: str, relay_tty: str) -> str:
    return f'''
[scanners.porte_A01]
kind = "serial"
url = "{scanner_tty}"
salle = "A01"

[relays.portes]
url = "{relay_tty}"
site = "PANTIN"
doors_closed = "A0 01 01 A2"
epreuve_end = "A0 01 00 A1"
'''


def test_door_scanner_relay_and_offline_alert(day, demo_files, clock, socat, tmp_path, poll):
    relay_pair = SocatPair(tmp_path / "relay-dir")
    (tmp_path / "relay-dir").mkdir()
    relay_pair.start()
    numero = candidat_in(day, "A01", pieces_manquantes="")["numero"]
    day.close()
    config = parse_config(devices_toml(socat.a, relay_pair.a))
    live = LiveServer(demo_files / "salle.db", clock, config={"DEVICES": config})
    tablet = socketio.Client(reconnection=False)
    reads: queue.Queue = queue.Queue()
    tablet.on("scan_lu", reads.put)
    tablet.connect(live.url, auth={"token": live.client("surveillant").token}, transports=["polling"])
    try:
        # A convocation read at the door reaches the salle's tablet, for the surveillant to confirm the ID (R5).
        socat.write_b(f"{numero}\r\n".encode())
        read = reads.get(timeout=10)
        assert (read["verdict"], read["candidat"]["numero"], read["lecteur"]) == ("admis", numero, "porte_A01")
        assert read["a_confirmer"] and not read["enregistre"]

        # The doors close at the set time on both sites of this server: the relay of PANTIN gets its bytes for
        # PANTIN's closing only, once it is durable.
        clock.set(at("09:00"))
        live.tick()
        assert relay_pair.read_b(until=8, timeout=2) == bytes.fromhex("A00101A2")

        # Unplugged: the scanner is off line on the console, with an alert; plugged back: resolved.
        socat.kill()
        admin = live.client("admin")
        poll(lambda: admin.get("/api/v1/appareils")["appareils"] and
             not admin.get("/api/v1/appareils")["appareils"][0]["en_ligne"], timeout=15)
        alert = live.day.journal.one("SELECT * FROM alerts WHERE kind = 'appareil_hors_ligne'")
        assert "porte_A01" in alert["message"] and alert["resolved_at"] is None
        socat.start()
        poll(lambda: admin.get("/api/v1/appareils")["appareils"][0]["en_ligne"], timeout=15)
        assert live.day.journal.one("SELECT resolved_at FROM alerts WHERE kind = 'appareil_hors_ligne'")["resolved_at"]
    finally:
        tablet.disconnect()
        live.app.extensions["salle.devices"].stop()
        live.stop()
        relay_pair.kill()


def test_relay_failure_never_blocks_the_door_closing(day, demo_files, clock, tmp_path):
    day.close()
    config = parse_config(devices_toml(str(tmp_path / "no-scanner"), str(tmp_path / "no-relay")))
    live = LiveServer(demo_files / "salle.db", clock, config={"DEVICES": config})
    try:
        clock.set(at("09:00"))
        live.tick()
        doors = live.day.journal.one("SELECT doors_closed_at FROM deroulement WHERE epreuve = 'E1' AND site = 'PANTIN'")
        assert doors["doors_closed_at"]
        from tests.helpers.waiting import wait_for

        wait_for(lambda: live.day.journal.one("SELECT * FROM alerts WHERE kind = 'appareil_hors_ligne' AND "
                                              "message LIKE '%signal de%n''est pas parti%'"), timeout=15)
        # The relay follows PANTIN's doors: PANTIN's responsable sees the alert, MONTREUIL's does not.
        alertes = live.client("responsable").get("/api/v1/alertes")["alertes"]
        assert any("fermeture des portes (E1, site PANTIN" in a["message"] for a in alertes)
        alertes = live.client("responsable_montreuil").get("/api/v1/alertes")["alertes"]
        assert not any("Relais" in a["message"] for a in alertes)
    finally:
        live.app.extensions["salle.devices"].stop()
        live.stop()


def test_a_relay_raising_unexpectedly_does_not_silence_the_next_signals(day, demo_files, clock, tmp_path):
    """The relays' thread survives a relay that raises something unforeseen: the next signal still goes out
    (here to a relay that is absent, so it shows as an alert)."""
    day.close()
    config = parse_config(devices_toml(str(tmp_path / "no-scanner"), str(tmp_path / "no-relay")))
    live = LiveServer(demo_files / "salle.db", clock, config={"DEVICES": config})
    try:
        devices = live.app.extensions["salle.devices"]
        relay = devices.relays[0]
        real, calls = relay.signal, []

        def first_call_raises(kind):
            calls.append(kind)
            if len(calls) == 1:
                raise RuntimeError("pilote du relais")
            return real(kind)

        relay.signal = first_call_raises
        clock.set(at("09:00"))
        live.tick()  # PANTIN's doors close: the signal raises
        from devices.site import Signal
        from tests.helpers.waiting import wait_for

        wait_for(lambda: calls, timeout=15)
        devices._signals.put(Signal("epreuve_end", "E1", "PANTIN", at("12:00")))  # the next signal still goes out
        wait_for(lambda: live.day.journal.one("SELECT * FROM alerts WHERE kind = 'appareil_hors_ligne' AND "
                                              "message LIKE '%fin de l''épreuve%'"), timeout=15)
        assert calls == ["doors_closed", "epreuve_end"]
    finally:
        live.app.extensions["salle.devices"].stop()
        live.stop()
