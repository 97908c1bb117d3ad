"""A device's state (door scanner, relay, printer), as the devices report it."""

from __future__ import annotations

from ..journal import Actor


def record_device_state(day, actor: Actor, name: str, kind: str, online: bool, message: str, *,
                        salle: str | None = None, site: str | None = None, alert: str | None = None) -> None:
    """Journal a device's state (`appareil_etat`): off line raises a console alert (kind `alert`, default
    appareil_hors_ligne), back on line closes that device's open alerts. Shared by scanners, relays, printers."""
    payload = {"nom": name, "type": kind, "en_ligne": online, "message": message}
    if alert:
        payload["alerte"] = alert
    day.journal.write(lambda tx: tx.append("appareil_etat", actor, payload, salle=salle, site=site))
