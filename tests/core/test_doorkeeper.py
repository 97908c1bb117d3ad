"""The doorkeeper's thread (R3) while its file refuses commands: it keeps ticking, says so once, and says when the
doors are held again; then it closes them. A real file, the real thread."""

import logging

from salle.commands.doors import start_doorkeeper
from salle.errors import SalleError
from tests.helpers.day import at
from tests.helpers.waiting import wait_for

REFUSED = "Serveur principal redémarré : rien n'a été enregistré ici."


def said(caplog) -> list[str]:
    return [r.getMessage() for r in list(caplog.records) if r.getMessage().startswith("doorkeeper")]


def test_a_lasting_refusal_is_logged_once_and_the_doors_close_once_it_ends(day, clock, caplog):
    tried = []

    def refuse():
        tried.append(1)
        raise SalleError(REFUSED)

    day.journal.guard = refuse
    clock.set(at("09:01"))  # E1's doors are due
    caplog.set_level(logging.WARNING, logger="salle")
    start_doorkeeper(day, period=0.01)
    wait_for(lambda: len(tried) >= 20, 20, "twenty ticks refused")
    assert said(caplog) == [f"doorkeeper: {REFUSED}"]  # …said once
    day.journal.guard = None
    wait_for(lambda: len(said(caplog)) >= 2, 20, "the tick that wrote says so")
    assert said(caplog) == [f"doorkeeper: {REFUSED}", "doorkeeper: les portes sont de nouveau tenues"]
    assert day.journal.one("SELECT COUNT(*) AS n FROM events WHERE type = 'portes_fermees'")["n"] >= 1
