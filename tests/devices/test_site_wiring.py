"""The site's devices wired to the real server: a serial door scanner posts scans, goes off line and comes
back (journaled, console alert), and a serial relay follows the door closing (R3) — on real socat ptys."""

import queue

import socketio

from devices.config import parse_config
from tests.devices.conftest import SocatPair
from tests.support import LiveServer, at, candidat_in


def devices_toml(scanner_tty: str, relay_tty: str) -> str:
    return f'''
[scanners.porte_A01]
kind = "serial"
url = "{scanner_tty}"
salle = "A01"

[relays.portes]
url = "{relay_tty}"
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

        # The doors close at the set time (both sites of this server): the relay gets its bytes for each
        # closing, once it is durable.
        clock.set(at("09:00"))
        live.day.tick()
        assert relay_pair.read_b(until=8) == bytes.fromhex("A00101A2") * 2

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
        live.day.tick()
        doors = live.day.journal.one("SELECT doors_closed_at FROM deroulement WHERE epreuve = 'E1' AND site = 'PANTIN'")
        assert doors["doors_closed_at"]
        from tests.devices.conftest import wait_until

        wait_until(lambda: live.day.journal.one("SELECT * FROM alerts WHERE kind = 'appareil_hors_ligne' AND "
                                                "message LIKE '%Signal de porte%'"), timeout=15)
        # The relay serves every site of this server: each site's responsable sees the alert on the console.
        for role in ("responsable", "responsable_montreuil"):
            alertes = live.client(role).get("/api/v1/alertes")["alertes"]
            assert any("Signal de porte" in a["message"] for a in alertes)
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
        relay = live.app.extensions["salle.devices"].relays[0]
        real, calls = relay.doors_closed, []

        def first_call_raises():
            calls.append(1)
            if len(calls) == 1:
                raise RuntimeError("pilote du relais")
            return real()

        relay.doors_closed = first_call_raises
        clock.set(at("09:00"))
        live.day.tick()  # both sites' doors close: two signals, the first one raises
        from tests.devices.conftest import wait_until

        wait_until(lambda: live.day.journal.one("SELECT * FROM alerts WHERE kind = 'appareil_hors_ligne' AND "
                                                "message LIKE '%Signal de porte%'"), timeout=15)
        assert len(calls) == 2
    finally:
        live.app.extensions["salle.devices"].stop()
        live.stop()
