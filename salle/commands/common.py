"""What every command shares: its answer and its idempotent run."""

from __future__ import annotations

import hashlib
import json
from typing import Callable

from .. import rules
from ..errors import Interdit
from ..journal import Tx
from ..model import Salle


def answer(verdict: rules.Verdict, recorded: bool, **data) -> dict:
    """A command's answer: the rule's verdict (ok, verdict, message, regle, autorise_a_partir_de), whether
    anything was recorded, and the command's own data."""
    return {**verdict.to_dict(), "enregistre": recorded, **data}


def accepted(code: str, message: str, rule: str = "", **data) -> dict:
    """A command done that no rule of the règlement decides on (an alert treated, a code unlocked…)."""
    return {"verdict": code, "ok": True, "message": message, "regle": rule, "autorise_a_partir_de": None,
            "enregistre": True, **data}


def refused(code: str, message: str, rule: str = "", **data) -> dict:
    """A refusal that records nothing (already done, not the state the command needs)."""
    return {"verdict": code, "ok": False, "message": message, "regle": rule, "autorise_a_partir_de": None,
            "enregistre": False, **data}


def fingerprint(op: str, **fields) -> dict:
    """What a client id stands for: a retry with the same id and a different request is refused."""
    return {"op": op, **{k: v if isinstance(v, (str, int, bool, type(None))) else hashlib.sha256(
        json.dumps(v, sort_keys=True, default=str).encode()).hexdigest() for k, v in fields.items()}}


def run(day, client_id: str, fp: dict, decide: Callable[[Tx], dict]) -> dict:
    """`decide` in one journal transaction, once per client id: a retry gets the first answer (« rejoue »)."""
    result, replayed = day.journal.command(client_id, fp, decide)
    return {**result, "rejoue": replayed}


def responsable_only(caller, salle: Salle) -> None:
    if caller.role not in ("admin", "responsable"):
        raise Interdit(f"Seul le responsable du site {salle.site} peut faire cela.")
