"""Every device watched the same way (issue 17): relays and printers each have a site, are listed with their
state, raise an alert when they go away and close it when they come back; a door signal the relay could not
take is sent when it returns, or the responsable is told which door did not move. Real socat ptys, a real TCP
printer that is switched off and on."""

from __future__ import annotations

from devices.config import parse_config
from devices.printing.fake import FakeNetworkPrinter
from tests.helpers.day import at
from tests.helpers.server import LiveServer
from tests.helpers.waiting import wait_for

CLOSE = bytes.fromhex("A00101A2")
RELAY = '[relays.portes]\nurl = "{tty}"\nsite = "PANTIN"\ndoors_closed = "A0 01 01 A2"\nepreuve_end = "A0 01 00 A1"\n'


def device(client, name):
    return {d["nom"]: d for d in client.get("/api/v1/appareils")["appareils"]}.get(name)


def open_alerts(live, like):
    return live.day.journal.query("SELECT * FROM alerts WHERE resolved_at IS NULL AND message LIKE ?", [like])


def serve(demo_files, clock, toml, **config):
    return LiveServer(demo_files / "salle.db", clock,
                      config={"DEVICES": parse_config(toml), "RELAY_WATCH_SECONDS": 0.2, **config})


def stop(live):
    live.app.extensions["salle.devices"].stop()
    printer = live.app.extensions.get("kiosk.printer")
    if printer:
        printer.stop()
    live.stop()


def test_relay_unplugged_across_the_door_closing_is_seen_at_once_and_signals_when_back(day, demo_files, clock,
                                                                                       socat):
    day.close()
    live = serve(demo_files, clock, RELAY.format(tty=socat.a))
    responsable, montreuil = live.client("responsable"), live.client("responsable_montreuil")
    try:
        relay = wait_for(lambda: device(responsable, "portes"))
        assert relay["en_ligne"] and relay["site"] == "PANTIN" and relay["type"] == "relais"
        assert device(montreuil, "portes") is None  # another site's device

        socat.kill()  # unplugged at 8:40, long before the doors close: seen within the watch period
        wait_for(lambda: not device(responsable, "portes")["en_ligne"], timeout=10)
        [alert] = open_alerts(live, "%Relais de porte « portes »%hors ligne%")
        assert alert["site"] == "PANTIN" and "périphérique absent" in alert["message"]
        assert "Errno" not in alert["message"] and "No such file" not in alert["message"]

        clock.set(at("09:00"))
        live.tick()  # both sites' doors close; PANTIN's signal cannot go out: the responsable is told
        wait_for(lambda: open_alerts(live, "%fermeture des portes (E1, site PANTIN, 09:00) n'est pas parti%"))

        socat.start()  # plugged back: the signal goes out, the alerts close by themselves
        assert socat.read_b(until=4, timeout=10) == CLOSE
        assert socat.read_b(until=1, timeout=0.5) == b""  # once, and not MONTREUIL's
        wait_for(lambda: device(responsable, "portes")["en_ligne"], timeout=10)
        assert "envoyé à son retour" in device(responsable, "portes")["message"]
        assert open_alerts(live, "%« portes »%") == []
    finally:
        stop(live)


def test_a_signal_missed_until_it_means_nothing_is_not_sent_late_and_is_named(day, demo_files, clock, socat):
    day.close()
    live = serve(demo_files, clock, RELAY.format(tty=socat.a))
    responsable = live.client("responsable")
    try:
        wait_for(lambda: device(responsable, "portes"))
        socat.kill()
        wait_for(lambda: not device(responsable, "portes")["en_ligne"], timeout=10)
        clock.set(at("09:00"))
        live.tick()
        wait_for(lambda: open_alerts(live, "%n'est pas parti%"))
        live.day.journal.write(lambda tx: tx.db.execute(  # the épreuve ended at PANTIN meanwhile
            "UPDATE deroulement SET ended_at = '2027-03-18T12:00:00' WHERE epreuve = 'E1' AND site = 'PANTIN'"))
        socat.start()
        wait_for(lambda: device(responsable, "portes")["en_ligne"], timeout=10)
        assert socat.read_b(until=1, timeout=0.5) == b""
        [alert] = open_alerts(live, "%n'a jamais été donné%")
        assert "fermeture des portes (E1, site PANTIN" in alert["message"] and "la porte n'a pas bougé" in alert["message"]
    finally:
        stop(live)


def test_the_borne_printer_is_listed_alerts_when_off_and_closes_the_alert_when_back(day, demo_files, clock):
    day.close()
    with FakeNetworkPrinter() as printer:
        toml = (f'[printers.accueil]\nconnection = "network"\nhost = "127.0.0.1"\nport = {printer.port}\n'
                'timeout = 0.5\nsite = "PANTIN"\n')
        live = serve(demo_files, clock, toml, KIOSK_PRINTER_WATCH=0.2)
        responsable = live.client("responsable")
        try:
            listed = wait_for(lambda: device(responsable, "accueil"))
            assert listed["en_ligne"] and listed["type"] == "imprimante" and listed["site"] == "PANTIN"
            printer.status = "paper_out"
            wait_for(lambda: not device(responsable, "accueil")["en_ligne"], timeout=10)
            [alert] = open_alerts(live, "%Imprimante « accueil »%")
            assert alert["kind"] == "papier" and "Plus de papier" in alert["message"]
            printer.status = "online"  # paper loaded: back on line, the alert closes by itself
            wait_for(lambda: device(responsable, "accueil")["en_ligne"], timeout=10)
            assert open_alerts(live, "%Imprimante « accueil »%") == []
            printer.unplug()
            wait_for(lambda: not device(responsable, "accueil")["en_ligne"], timeout=10)
            assert open_alerts(live, "%Imprimante « accueil »%")[0]["kind"] == "hors_ligne"
            printer.plug()
            wait_for(lambda: device(responsable, "accueil")["en_ligne"], timeout=10)
            assert open_alerts(live, "%Imprimante « accueil »%") == []
        finally:
            stop(live)
