"""An oral épreuve in the record (issue 13's orals): the arrival at the waiting room is the presence, in the jury's
salle, out at the passage's end; a renunciation (R32) and the candidats who never came are said so."""

from __future__ import annotations

import sqlite3

from salle.after.consolidation import consolidate
from salle.export import export_day
from tests.helpers.api import cid
from tests.helpers.orals import oral_at

PATH = "/api/v1/oraux/O1/candidats"


def test_an_oral_afternoon_consolidated(oral_live, clock, tmp_path):
    clock.set(oral_at("13:59"))
    tablet, j1 = oral_live.client("surveillant"), oral_live.client("jury_j1")
    tablet.scan("A01", "ATP27-00001")
    clock.set(oral_at("14:00"))
    j1.post(f"{PATH}/ATP27-00001/tirage", {"temoin": "Mme Durand", "client_id": cid()})
    clock.set(oral_at("14:20"))
    j1.post(f"{PATH}/ATP27-00001/debut", {"client_id": cid()})
    clock.set(oral_at("14:38"))
    j1.post(f"{PATH}/ATP27-00001/fin", {"client_id": cid()})
    tablet.scan("A01", "ATP27-00003")
    j1.post(f"{PATH}/ATP27-00003/renonciation", {"refus_de_signer": True, "client_id": cid()})
    archive = export_day(oral_live.day, tmp_path / "exports")
    record = tmp_path / "concours.sqlite"
    consolidate([archive], record)
    conn = sqlite3.connect(record)
    found = {n: (s, salle, a and a[11:16], o and o[11:16]) for n, s, salle, a, o in conn.execute(
        "SELECT numero, statut, salle, arrivee, sortie FROM resultats WHERE epreuve = 'O1'")}
    conn.close()
    assert found["ATP27-00001"] == ("present", "O101", "13:59", "14:38")
    assert found["ATP27-00003"] == ("renonce", "O101", "14:38", "14:38")
    assert found["ATP27-00005"][0] == "absent" and found["ATP27-00007"][0] == "absent"
    assert len(found) == 4  # the oral convokes the candidats with a passage only


def test_an_oral_abandon_is_an_abandon_in_the_record_R25(oral_live, clock, tmp_path):
    from salle.after.attestations import attestations_of
    from salle.after.record import Record
    from tests.helpers.api import SIGNATURE

    clock.set(oral_at("13:59"))
    tablet, j1 = oral_live.client("surveillant"), oral_live.client("jury_j1")
    tablet.scan("A01", "ATP27-00001")
    clock.set(oral_at("14:00"))
    j1.post(f"{PATH}/ATP27-00001/tirage", {"temoin": "Mme Durand", "client_id": cid()})
    clock.set(oral_at("14:12"))
    gave_up = j1.post(f"{PATH}/ATP27-00001/abandon", {"signature": SIGNATURE, "client_id": cid()})
    assert gave_up["verdict"] == "abandon_enregistre"
    archive = export_day(oral_live.day, tmp_path / "exports")
    record = tmp_path / "concours.sqlite"
    summary = consolidate([archive], record)
    conn = sqlite3.connect(record)
    found = conn.execute("SELECT statut, salle, arrivee, sortie FROM resultats WHERE epreuve = 'O1' AND numero = "
                         "'ATP27-00001'").fetchone()
    flag = conn.execute("SELECT abandon FROM presences WHERE numero = 'ATP27-00001'").fetchone()
    conn.close()
    assert (found[0], found[1], found[2][11:16], found[3][11:16]) == ("abandon", "O101", "13:59", "14:12")
    assert flag == (1,) and summary.counts["present"] == 1  # was there: counted as sat, not as absent
    with Record(record) as r:  # and gets an attestation de présence for the time spent
        assert [a.numero for a in attestations_of(r)] == ["ATP27-00001"]
