"""Staff sign-in and sign-out (R27): a personal code gives a token for the day; failed codes are journaled and
limited, a code typed right after repeated failures is locked until a responsable unlocks it."""

from __future__ import annotations

import secrets
import time
from typing import Annotated, Any

from pydantic import Field, StringConstraints

from ..errors import Interdit, Introuvable, NonAutorise
from ..journal import SYSTEM, Actor
from ..state import queries
from .common import accepted, fingerprint, refused, run
from .request import ClientId, Fr, Request


class LoginRequest(Request):
    # Not checked here: a wrong code, whatever its shape, is a failed sign-in (401, journaled, counted).
    code: Annotated[Any, Field(json_schema_extra={"type": "string"}, description="Code personnel")] = None
    device: Annotated[Any, Field(json_schema_extra={"type": "string"}, description="Nom de l'appareil")] = None


class RevokeRequest(Request):
    client_id: ClientId
    motif: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
                     Field(description="Pourquoi (journalisé)"),
                     Fr("Indiquez le motif de la déconnexion (200 caractères au plus).", "motif_requis")]


class UnlockRequest(Request):
    client_id: ClientId


def login(day, req: LoginRequest, device: str = "", address: str = "") -> tuple[str, dict]:
    """A personal code → a token. A failure is journaled (never the code typed) with the device's address;
    past `day.signin_alert_after` failures from one address within an hour the console gets an alert, and a
    right code typed from an address with `day.signin_lock_after` failures is locked (it may have been guessed)
    until a responsable unlocks it. The rate of attempts is limited in the web layer (`salle/web/limits.py`)."""
    code = req.code
    device = str(req.device or device or "")[:80]
    if not isinstance(code, str) or not code.strip() or len(code) > 64:
        _signin_failed(day, address, device, "code_invalide")
        raise NonAutorise("Code personnel manquant ou invalide.", code="code_invalide")
    row = queries.staff_by_code(day.journal.reader(), day.code_hash(code))
    if row is None:
        _signin_failed(day, address, device, "code_inconnu")
        raise NonAutorise("Code personnel inconnu : vérifiez le code ou demandez-le au responsable.",
                          code="code_inconnu")
    db = day.journal.reader()
    locked = queries.code_locked(db, row["id"])
    failures = queries.recent_failures(db, day.clock.now(), address, queries.last_unlock(db, row["id"]))
    if not locked and failures >= day.signin_lock_after:
        _lock_code(day, row, address, device)
        locked = True
    if locked:
        raise Interdit("Ce code personnel est verrouillé après des tentatives de connexion répétées : "
                       "demandez au responsable de le débloquer.", code="code_verrouille")
    token = secrets.token_urlsafe(32)
    actor = Actor(id=row["id"], role=row["role"], device=device, name=row["name"])
    key = day.token_hash(token)
    day.journal.write(lambda tx: tx.append("connexion", actor, {"token_hash": key}))
    day.seen[key] = time.monotonic()
    return token, queries.staff_public(row)


def _signin_failed(day, address: str, device: str, reason: str) -> None:
    """Journal a failed sign-in (the address, the device's name, why; never the code typed); the
    signin_alert_after-th failure within an hour from one address raises an alert on every console."""
    def record(tx) -> None:
        failures = queries.recent_failures(tx.db, tx.now, address) + 1
        device_actor = Actor(id=SYSTEM.id, role=SYSTEM.role, device=device, name=SYSTEM.name)
        tx.append("connexion_refusee", device_actor, {"adresse": address, "appareil": device, "motif": reason,
                                                      "echecs": failures})
        if failures == day.signin_alert_after:
            tx.append("alerte", SYSTEM, {"kind": "connexions_refusees", "message": (
                f"{failures} codes personnels refusés en moins d'une heure depuis l'appareil {address or '?'}"
                f"{f' ({device})' if device else ''} : vérifiez qui l'utilise.")})

    day.journal.write(record)


def _lock_code(day, row: dict, address: str, device: str) -> None:
    def lock(tx) -> None:
        failures = queries.recent_failures(tx.db, tx.now, address)
        tx.append("code_verrouille", SYSTEM, {"personnel": row["id"], "nom": row["name"], "adresse": address,
                                              "echecs": failures}, site=row["site"], salle=row["salle"])
        tx.append("alerte", SYSTEM, {"kind": "code_verrouille", "message": (
            f"Code de {row['name']} verrouillé : tapé juste depuis l'appareil {address or '?'} après {failures} "
            "codes refusés (deviné ?). Vérifiez, puis débloquez-le depuis la liste du personnel.")},
            site=row["site"], salle=row["salle"])

    day.journal.write(lock)


def logout(day, caller) -> dict:
    """Sign this device out: its token stops working at once, here and on its live connection."""
    day.journal.write(lambda tx: tx.append("deconnexion", caller.actor, {"token_hash": caller.token_hash}))
    return {"deconnecte": True}


def _target(day, caller, staff_id: str) -> dict:
    """The staff member a responsable (surveillants and kiosks of their site) or an admin may act on."""
    target = queries.staff_member(day.journal.reader(), staff_id)
    if target is None:
        raise Introuvable(f"Personnel « {str(staff_id)[:20]} » inconnu.", code="personnel_inconnu")
    if caller.role != "admin" and (target["site"] != caller.site or target["role"] not in ("surveillant", "kiosk")):
        raise Interdit("Vous ne pouvez agir que sur les surveillants et les bornes de votre site.")
    return target


def revoke(day, caller, staff_id: str, req: RevokeRequest) -> dict:
    """Sign out every device of a staff member (a tablet lost or left signed in), with a journaled reason."""
    target = _target(day, caller, staff_id)

    def decide(tx) -> dict:
        count = queries.devices_signed_in(tx.db, staff_id)
        tx.append("jetons_revoques", caller.actor, {"personnel": staff_id, "nom": target["name"],
                                                    "motif": req.motif, "appareils": count},
                  client_id=req.client_id, site=target["site"], salle=target["salle"])
        return accepted("appareils_deconnectes", f"{target['name']} : {count} appareil(s) déconnecté(s).",
                        personnel=staff_id, appareils_deconnectes=count)

    return run(day, req.client_id, fingerprint("revoke", staff=staff_id, motif=req.motif), decide)


def unlock(day, caller, staff_id: str, req: UnlockRequest) -> dict:
    """A responsable (surveillants and kiosks of their site) or an admin unlocks a locked code."""
    target = _target(day, caller, staff_id)

    def decide(tx) -> dict:
        if not queries.code_locked(tx.db, staff_id):
            return refused("pas_verrouille", f"Le code de {target['name']} n'est pas verrouillé.",
                           personnel=staff_id)
        tx.append("code_deverrouille", caller.actor, {"personnel": staff_id, "nom": target["name"]},
                  client_id=req.client_id, site=target["site"], salle=target["salle"])
        return accepted("code_debloque", f"Code de {target['name']} débloqué.", personnel=staff_id,
                        deverrouille=True)

    return run(day, req.client_id, fingerprint("unlock", staff=staff_id), decide)
