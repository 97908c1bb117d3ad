"""The journal: hash chain, idempotent commands, concurrent writers, state derived from events only."""

import sqlite3
import threading

import pytest

from salle.commands import arrivals, doors
from salle.commands.arrivals import ScanRequest
from tests.helpers.waiting import wait_for
from salle.day import Caller
from salle.errors import Conflit, SalleError
from salle.journal import Actor, verify_chain
from salle.state import STATE_TABLES, rebuild
from tests.helpers.day import at

SURVEILLANT = Caller(Actor("P004", "surveillant", "tablette"), "surveillant", salle="A01", site="PANTIN")


def numeros(day, salle):
    return [r["numero"] for r in day.journal.query("SELECT numero FROM candidats WHERE salle = ? AND "
                                                   "pieces_manquantes = '' ORDER BY numero", [salle])]


def queued_behind_a_commit(journal, calls) -> None:
    """Run each call in its own thread while a commit is on its way, so that all of them queue up and share
    the writer's next group commit; return when all are done."""
    queued_before = journal._queue.unfinished_tasks  # every put counts (nothing calls task_done)
    with journal._writing:
        threads = [threading.Thread(target=call) for call in calls]
        for t in threads:
            t.start()
        while journal._queue.unfinished_tasks - queued_before < len(calls):
            threading.Event().wait(0.01)
    for t in threads:
        t.join()


def scan(day, numero, client_id, salle="A01"):
    return arrivals.scan(day, SURVEILLANT, salle, ScanRequest(code=numero, client_id=client_id, piece_identite="cni"))


def test_chain_verifies_and_names_the_first_altered_event(day):
    for i, numero in enumerate(numeros(day, "A01")[:5]):
        scan(day, numero, f"scan-{i:04d}")
    path = day.db_path
    day.close()
    ok, message, count = verify_chain(path)
    assert ok and count >= 7 and "Journal intègre" in message
    conn = sqlite3.connect(path)
    seq = conn.execute("SELECT seq FROM events WHERE type = 'scan' ORDER BY seq LIMIT 1 OFFSET 2").fetchone()[0]
    conn.execute("UPDATE events SET payload = replace(payload, 'cni', 'passeport') WHERE seq = ?", [seq])
    conn.commit()
    ok, message, _ = verify_chain(path)
    assert not ok and message.startswith(f"Événement n° {seq} (scan")
    assert "modifié" in message


def test_deleted_event_is_detected(day):
    scan(day, numeros(day, "A01")[0], "scan-0001")
    path = day.db_path
    day.close()
    conn = sqlite3.connect(path)
    conn.execute("DELETE FROM events WHERE seq = 2")
    conn.commit()
    ok, message, _ = verify_chain(path)
    assert not ok and "n° 2 manquant" in message


def test_same_client_id_gets_the_first_answer_and_records_nothing(day):
    numero = numeros(day, "A01")[0]
    first = scan(day, numero, "double-tap-1")
    events = day.journal.one("SELECT COUNT(*) AS n FROM events")["n"]
    again = scan(day, numero, "double-tap-1")
    assert first["verdict"] == again["verdict"] == "admis" and again["rejoue"] is True
    assert day.journal.one("SELECT COUNT(*) AS n FROM events")["n"] == events
    other = scan(day, numero, "double-tap-2")
    assert other["verdict"] == "deja_present"


def test_same_client_id_for_another_action_is_refused(day):
    a, b = numeros(day, "A01")[:2]
    scan(day, a, "reused-id-1")
    with pytest.raises(Conflit, match="déjà servi"):
        scan(day, b, "reused-id-1")


def test_concurrent_writers_each_recorded_once_and_the_chain_holds(day):
    todo = numeros(day, "A01")
    errors = []

    def worker(part):
        try:
            for numero in part:
                scan(day, numero, f"c-{numero}")
                scan(day, numero, f"c-{numero}")  # a retry
        except Exception as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(todo[i::16],)) for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    rows = day.journal.query("SELECT candidat, COUNT(*) AS n FROM events WHERE type = 'scan' GROUP BY candidat")
    assert {r["candidat"]: r["n"] for r in rows} == {n: 1 for n in todo}
    assert day.journal.one("SELECT COUNT(*) AS n FROM presences")["n"] == len(todo)
    path = day.db_path
    day.close()
    assert verify_chain(path)[0]


def test_a_failing_command_leaves_the_others_of_its_batch(day):
    """Three commands queued while a commit is on its way share the writer's next commit: the one that
    fails is undone alone."""
    journal = day.journal
    results, errors = [], []

    def good(n):
        results.append(journal.write(lambda tx: tx.append("note", SURVEILLANT.actor, {"n": n})))

    def explode(tx):
        tx.append("note", SURVEILLANT.actor, {"n": "bad"})
        raise Conflit("non")

    def bad():
        try:
            journal.write(explode)
        except Conflit as exc:
            errors.append(exc)

    batches = []
    commit = journal._commit
    journal._commit = lambda batch: (batches.append(len(batch)), commit(batch))
    queued_behind_a_commit(journal, [lambda: good(1), bad, lambda: good(2)])
    assert batches == [3]
    assert len(results) == 2 and len(errors) == 1
    notes = journal.query("SELECT payload FROM events WHERE type = 'note'")
    assert sorted(n["payload"] for n in notes) == ['{"n": 1}', '{"n": 2}']
    path = day.db_path
    day.close()
    assert verify_chain(path)[0]


def test_a_lone_command_commits_in_its_callers_thread(day):
    """Nobody writing, nobody waiting: no hand-off to the writer thread and back."""
    seen = []
    day.journal.write(lambda tx: seen.append(threading.current_thread()) or tx.append("note", SURVEILLANT.actor))
    assert seen == [threading.current_thread()]
    assert day.journal.one("SELECT COUNT(*) AS n FROM events WHERE type = 'note'")["n"] == 1


def test_state_is_exactly_what_the_journal_says(day, clock):
    for i, numero in enumerate(numeros(day, "A01")[:6]):
        scan(day, numero, f"state-{i:04d}")
    doors.close_doors(day, None, "E1", "PANTIN", doors.ClientIdRequest(client_id="auto:portes:E1:PANTIN"))
    clock.advance(minutes=30)
    scan(day, numeros(day, "A01")[7], "late-0001")
    path = day.db_path

    def snapshot(conn):
        return {t: sorted(map(tuple, conn.execute(f"SELECT * FROM {t}").fetchall())) for t in STATE_TABLES}

    day.close()
    conn = sqlite3.connect(path)
    live = snapshot(conn)
    import sqlite_utils

    with conn:
        rebuild(sqlite_utils.Database(conn))
    assert snapshot(conn) == live
    assert live["refus"] and live["presences"]


def test_a_lone_failing_command_leaves_nothing_and_the_chain_goes_on(day):
    before = day.journal.one("SELECT COUNT(*) AS n FROM events")["n"]

    def explode(tx):
        tx.append("note", SURVEILLANT.actor, {"n": "lost"})
        raise Conflit("non")

    with pytest.raises(Conflit):
        day.journal.write(explode)  # alone in its batch: rolled back without a savepoint
    day.journal.write(lambda tx: tx.append("note", SURVEILLANT.actor, {"n": "kept"}))
    notes = day.journal.query("SELECT seq, payload FROM events WHERE type = 'note'")
    assert [n["payload"] for n in notes] == ['{"n": "kept"}'] and notes[0]["seq"] == before + 1
    path = day.db_path
    day.close()
    assert verify_chain(path)[0]


def _full_disk(journal):
    """SQLite's own « database or disk is full »: the file may not grow past its current size."""
    journal.write(lambda tx: tx.db.execute("CREATE TABLE IF NOT EXISTS filler (x BLOB)"))
    journal._conn.execute(f"PRAGMA max_page_count = {journal._conn.execute('PRAGMA page_count').fetchone()[0]}")

    def big(tx):
        tx.append("note", SURVEILLANT.actor, {"n": "big"})
        tx.db.execute("INSERT INTO filler VALUES (zeroblob(1000000))")  # needs new pages: refused

    return big


def test_a_full_disk_fails_the_command_in_french_and_the_chain_goes_on(day):
    journal = day.journal
    big = _full_disk(journal)
    before = journal.one("SELECT COUNT(*) AS n FROM events")["n"]
    with pytest.raises(SalleError) as exc:
        journal.write(big)  # alone: SQLite rolls the transaction back by itself
    assert exc.value.code == "stockage" and "le disque est plein" in exc.value.message
    assert "disk is full" not in exc.value.message  # SQLite's own words stay in the log
    journal._conn.execute("PRAGMA max_page_count = 1073741823")
    journal.write(lambda tx: tx.append("note", SURVEILLANT.actor, {"n": "after"}))
    notes = journal.query("SELECT seq, payload FROM events WHERE type = 'note'")
    assert [n["payload"] for n in notes] == ['{"n": "after"}'] and notes[0]["seq"] == before + 1
    path = day.db_path
    day.close()
    assert verify_chain(path)[0]


def test_a_full_disk_in_a_group_commit_fails_the_whole_batch(day):
    """SQLite undoes the whole transaction on a full disk: every command of the batch is told, none is
    acknowledged, and each can be retried with its client id."""
    journal = day.journal
    big = _full_disk(journal)
    outcomes = []

    def run(fn, client_id):
        try:
            outcomes.append(journal.command(client_id, {"id": client_id}, fn))
        except SalleError as exc:
            outcomes.append(exc.code)

    def note(tx):
        tx.append("note", SURVEILLANT.actor, {"n": "small"})
        return {"ok": True}

    queued_behind_a_commit(journal, [lambda i=i, fn=fn: run(fn, f"disk-{i}") for i, fn in enumerate((note, big, note))])
    assert outcomes == ["stockage"] * 3
    assert journal.one("SELECT COUNT(*) AS n FROM events WHERE type = 'note'")["n"] == 0
    journal._conn.execute("PRAGMA max_page_count = 1073741823")
    assert journal.command("disk-0", {"id": "disk-0"}, note) == ({"ok": True}, False)  # not acknowledged before
    path = day.db_path
    day.close()
    assert verify_chain(path)[0]


def test_a_failing_listener_neither_loses_the_answer_nor_stops_the_writer(day):
    """Listeners follow commits (live pushes, relays): one that raises is logged, the commit stands."""
    journal = day.journal
    journal.subscribe(lambda events: 1 / 0)
    answers = []
    queued_behind_a_commit(journal, [lambda: answers.append(journal.write(lambda tx: tx.append("note", SURVEILLANT.actor)
                                                                              and "queued"))])
    answers.append(journal.write(lambda tx: tx.append("note", SURVEILLANT.actor) and "alone"))
    assert answers == ["queued", "alone"]
    assert journal.one("SELECT COUNT(*) AS n FROM events WHERE type = 'note'")["n"] == 2


def test_a_command_that_hides_sqlites_own_rollback_fails_its_batch_not_the_writer(day):
    """A command that catches SQLite's « disk full » and raises something else: SQLite has already undone
    the transaction, so the batch fails as a storage error and the writer goes on."""
    journal = day.journal
    big = _full_disk(journal)

    def hiding(tx):
        try:
            big(tx)
        except sqlite3.Error:
            raise ValueError("autre chose")

    outcomes = []

    def run(fn):
        try:
            outcomes.append(journal.write(fn))
        except SalleError as exc:
            outcomes.append(exc.code)

    queued_behind_a_commit(journal, [lambda: run(hiding)])
    assert outcomes == ["stockage"]
    journal._conn.execute("PRAGMA max_page_count = 1073741823")
    assert journal.write(lambda tx: tx.append("note", SURVEILLANT.actor) and "after") == "after"


def test_an_unexpected_failure_around_the_commands_fails_the_batch_and_the_writer_goes_on(day):
    """Not a command's own failure: the server's clock raising while the transaction is open. Every caller of
    the batch is answered with an error (none is left waiting), nothing is recorded, the next commit works."""
    journal = day.journal
    clock = journal.clock

    class Broken:
        def now(self):
            raise RuntimeError("horloge cassée")

    outcomes = []

    def run():
        try:
            outcomes.append(journal.write(lambda tx: tx.append("note", SURVEILLANT.actor) and "written"))
        except SalleError as exc:
            outcomes.append(exc.code)

    before = journal.one("SELECT COUNT(*) AS n FROM events")["n"]
    journal.clock = Broken()
    try:
        queued_behind_a_commit(journal, [run, run])
        run()  # and alone, in the caller's thread
    finally:
        journal.clock = clock
    assert outcomes == ["interne"] * 3
    assert journal.one("SELECT COUNT(*) AS n FROM events")["n"] == before
    assert journal.write(lambda tx: tx.append("note", SURVEILLANT.actor) and "after") == "after"


def test_the_doorkeeper_keeps_ticking_after_an_unexpected_error(day, clock, monkeypatch):
    """R3 rests on the doorkeeper thread: an error it does not expect is logged, and the doors still close."""
    tick, failures = doors.tick, []

    def flaky_tick(d):
        if not failures:
            failures.append(1)
            raise RuntimeError("lecture impossible")
        return tick(d)

    monkeypatch.setattr(doors, "tick", flaky_tick)
    clock.set(at("09:00:01"))
    doors.start_doorkeeper(day, period=0.01)
    row = wait_for(lambda: day.journal.one("SELECT doors_closed_at FROM deroulement WHERE epreuve = 'E1' AND "
                                           "site = 'PANTIN' AND doors_closed_at IS NOT NULL"),
                   timeout=30, what="the doors closed by the doorkeeper")
    assert failures == [1] and row["doors_closed_at"].startswith("2027-03-18T09:00:01")


def test_the_wal_is_started_again_while_readers_never_stop(tmp_path, monkeypatch):
    """Under a steady flow of reads, PASSIVE checkpoints alone never let the WAL start again: it grew by every
    commit all day (1.2 GB after 95,000 scans). Past its bound it is restarted, and shrinks to it."""
    from datetime import datetime

    from salle import journal as journal_module
    from salle.clock import FixedClock
    from salle.journal import Journal

    monkeypatch.setattr(journal_module, "CHECKPOINT_PERIOD", 0.02)
    monkeypatch.setattr(journal_module, "WAL_RESTART_PAGES", 64)  # 256 KB
    journal = Journal(tmp_path / "j.db", FixedClock(datetime(2027, 3, 18, 8, 30)))
    actor, stop = Actor("P001", "admin", "test"), threading.Event()

    def read():
        while not stop.is_set():
            journal.one("SELECT COUNT(*) AS n FROM events")

    readers = [threading.Thread(target=read) for _ in range(3)]
    for t in readers:
        t.start()
    wal = tmp_path / "j.db-wal"
    sizes = []
    try:
        for i in range(300):
            journal.write(lambda tx, i=i: [tx.append("note", actor, {"i": i, "texte": "x" * 2000}) for _ in range(4)])
            sizes.append(wal.stat().st_size)
    finally:
        stop.set()
        for t in readers:
            t.join()
    assert sum(sizes[-50:]) / 50 < 2 * 64 * 4096 + 1_000_000, sizes[-5:]  # unbounded: ~10 MB by the end
    assert journal.one("SELECT COUNT(*) AS n FROM events")["n"] == 1200
    journal.close()
