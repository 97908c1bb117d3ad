"""The journal's hash chain and its replay of client ids, on a bare Journal (no session, no candidats): each
event's hash and link, the checks that name the first broken event, and the answer given back to a retry."""

import json
import sqlite3
from datetime import datetime

import pytest

from salle.clock import FixedClock
from salle.errors import Conflit
from salle.journal import GENESIS, Actor, Journal, event_hash, verify_chain, verify_events

NOW = datetime(2027, 3, 18, 8, 40)
TABLETTE = Actor("P004", "surveillant", "tablette-a01", "Nadia")
EVENT = {"seq": 1, "client_id": "scan-0001", "type": "scan", "epreuve": "E1", "site": "PANTIN", "salle": "A01",
         "candidat": "ATP27-00042", "actor": "P004", "role": "surveillant", "device": "tablette",
         "server_time": "2027-03-18T08:40:00.000", "device_time": None, "wall_time": "2027-03-18T07:40:00.123+00:00",
         "payload": '{"piece": "carte d\'identité"}', "prev_hash": GENESIS}


@pytest.fixture
def journal(tmp_path):
    j = Journal(tmp_path / "journal.db", FixedClock(NOW))
    yield j
    j.close()


def chain(n: int) -> list[dict]:
    """n events linked as the journal links them."""
    events, prev = [], GENESIS
    for seq in range(1, n + 1):
        event = {**EVENT, "seq": seq, "client_id": f"scan-{seq:04d}", "type": "note", "prev_hash": prev}
        event["hash"] = prev = event_hash(event)
        events.append(event)
    return events


# --- the hash ------------------------------------------------------------------------------------------------

def test_an_events_hash_never_changes_so_yesterdays_journal_verifies_today():
    assert event_hash(EVENT) == "9cc087c8db6bbae1dd6df1f73d1f41c35f5c7ef2a2bd46143a9228f430491a41"
    assert event_hash({**EVENT, "hash": "anything"}) == event_hash(EVENT)  # its own hash is not hashed


@pytest.mark.parametrize("field", ["seq", "client_id", "type", "epreuve", "site", "salle", "candidat", "actor",
                                   "role", "device", "server_time", "device_time", "wall_time", "payload",
                                   "prev_hash"])
def test_every_field_of_an_event_is_in_its_hash(field):
    assert event_hash({**EVENT, field: "autre"}) != event_hash(EVENT)


# --- the checks ----------------------------------------------------------------------------------------------

def test_an_intact_chain_is_verified_and_counted():
    events = chain(3)
    assert verify_events(events) == (True, f"Journal intègre : 3 événements, tête de chaîne {events[-1]['hash']}.", 3)
    assert verify_events([]) == (True, f"Journal intègre : 0 événements, tête de chaîne {GENESIS}.", 0)


def test_a_missing_event_is_named():
    events = chain(3)
    del events[1]
    assert verify_events(events) == (False, "Événement n° 2 manquant : le journal a été amputé.", 2)


def test_a_broken_link_is_named_even_when_the_event_is_rehashed():
    events = chain(3)
    events[1]["prev_hash"] = "f" * 64
    events[1]["hash"] = event_hash(events[1])
    assert verify_events(events) == (False, "Événement n° 2 (note) : son lien vers l'événement précédent ne "
                                            "correspond pas : le journal a été modifié.", 2)


def test_an_altered_event_is_named_with_its_time():
    events = chain(3)
    events[2]["payload"] = '{"piece": "passeport"}'
    assert verify_events(events) == (False, "Événement n° 3 (note, 2027-03-18T08:40:00.000) : son contenu a été "
                                            "modifié après son enregistrement.", 3)


# --- appending -----------------------------------------------------------------------------------------------

def test_each_event_is_linked_to_the_one_before_and_stored_as_hashed(journal):
    projected = []
    journal.projector = lambda db, event: projected.append(event)
    first = journal.write(lambda tx: tx.append("note", TABLETTE, {"texte": "Fenêtre ouverte", "n": 1},
                                               client_id="c-1", device_time="2027-03-18T08:39:58",
                                               epreuve="E1", site="PANTIN", salle="A01", candidat="ATP27-00042"))
    second = journal.write(lambda tx: tx.append("note", Actor("systeme", "systeme")))
    rows = journal.query("SELECT * FROM events ORDER BY seq")
    assert rows == [first, second] and projected == [first, second]
    assert first == {**first, "seq": 1, "client_id": "c-1", "type": "note", "epreuve": "E1", "site": "PANTIN",
                     "salle": "A01", "candidat": "ATP27-00042", "actor": "P004", "role": "surveillant",
                     "device": "tablette-a01", "server_time": "2027-03-18T08:40:00.000",
                     "device_time": "2027-03-18T08:39:58", "payload": '{"n": 1, "texte": "Fenêtre ouverte"}',
                     "prev_hash": GENESIS, "hash": event_hash(first)}
    assert datetime.fromisoformat(first["wall_time"]).utcoffset().total_seconds() == 0
    assert (second["seq"], second["prev_hash"], second["device"], second["payload"]) == (2, first["hash"], None, "{}")
    assert journal.head == second["hash"] == event_hash(second)


def test_a_journal_reopened_goes_on_with_its_chain(tmp_path):
    path = tmp_path / "journal.db"
    first = Journal(path, FixedClock(NOW))
    assert first.head == GENESIS
    last = [first.write(lambda tx: tx.append("note", TABLETTE)) for _ in range(2)][-1]
    first.close()
    again = Journal(path, FixedClock(NOW))
    try:
        assert again.head == last["hash"]
        event = again.write(lambda tx: tx.append("note", TABLETTE))
        assert (event["seq"], event["prev_hash"]) == (3, last["hash"])
    finally:
        again.close()
    assert verify_chain(path) == (True, f"Journal intègre : 3 événements, tête de chaîne {event['hash']}.", 3)


def test_verify_chain_reads_the_file_in_seq_order_and_names_the_altered_event(tmp_path):
    path = tmp_path / "journal.db"
    j = Journal(path, FixedClock(NOW))
    for n in range(3):
        j.write(lambda tx: tx.append("note", TABLETTE, {"n": n}))
    j.close()
    conn = sqlite3.connect(path)
    conn.execute("UPDATE events SET payload = '{\"n\": 9}' WHERE seq = 2")
    conn.commit()
    conn.close()
    assert verify_chain(path) == (False, "Événement n° 2 (note, 2027-03-18T08:40:00.000) : son contenu a été modifié "
                                         "après son enregistrement.", 2)


def test_sqlite_writes_the_canonical_json_and_the_archive_line_python_would_for_every_character(tmp_path):
    """verify_chain and the export let SQLite write each event's canonical JSON (json_array) and the archive's line
    (json_object): byte for byte what Python writes, for every Unicode character (escapes, quotes, controls,
    non-ASCII, astral) and NULLs; an event whose bytes differ would be called altered."""
    from salle.export import _LINE
    from salle.journal import canonical_rows, hashed

    path = tmp_path / "journal.db"
    j = Journal(path, FixedClock(NOW))
    everything = [chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000]
    for start in range(0, len(everything), 8192):
        text = "".join(everything[start:start + 8192])
        j.write(lambda tx: tx.append("note", Actor(text[:40], "surveillant", None, text[-40:]), {"t": text}))
    j.close()
    conn = sqlite3.connect(path)
    rows = list(canonical_rows(conn, _LINE))
    columns = [d[0] for d in conn.execute("SELECT * FROM events LIMIT 0").description]
    full = [dict(zip(columns, r)) for r in conn.execute("SELECT * FROM events ORDER BY seq")]
    conn.close()
    assert len(rows) == len(full) == 136
    for row, event in zip(rows, full):
        assert hashed(row) == event_hash(event) == event["hash"]
        assert row["line"] == (json.dumps(event, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
                               + "\n").encode("utf-8")
    assert verify_chain(path) == (True, f"Journal intègre : 136 événements, tête de chaîne {full[-1]['hash']}.", 136)


# --- a retry gets the first answer (client ids) ----------------------------------------------------------------

def note(answer):
    def fn(tx):
        tx.append("note", TABLETTE, {"n": 1})
        return answer
    return fn


def test_a_retry_gets_the_first_answer_and_records_nothing(journal):
    answer = {"message": "Émargement enregistré", "heure": NOW}
    assert journal.command("c-1", {"op": "note", "n": 1}, note(answer)) == (
        {"message": "Émargement enregistré", "heure": NOW}, False)
    replay = journal.command("c-1", {"n": 1, "op": "note"}, note({"autre": True}))  # keys in another order
    assert replay == ({"message": "Émargement enregistré", "heure": "2027-03-18 08:40:00"}, True)
    assert journal.one("SELECT COUNT(*) AS n FROM events")["n"] == 1
    ack = journal.one("SELECT * FROM acks")
    assert ack == {"client_id": "c-1", "fingerprint": ack["fingerprint"], "seq": 1, "at": "2027-03-18T08:40:00.000",
                   "response": '{"message": "Émargement enregistré", "heure": "2027-03-18 08:40:00"}'}


def test_a_fingerprint_with_dates_is_compared_as_text(journal):
    journal.command("c-1", {"heure": NOW}, note({}))
    assert journal.command("c-1", {"heure": NOW}, note({}))[1] is True


def test_the_same_client_id_for_another_action_is_refused_in_french(journal):
    journal.command("c-1", {"op": "note", "n": 1}, note({}))
    with pytest.raises(Conflit) as exc:
        journal.command("c-1", {"op": "note", "n": 2}, note({}))
    assert exc.value.code == "client_id_reutilise"
    assert exc.value.message == ("Cet identifiant de requête a déjà servi pour une autre action : la requête est "
                                 "refusée.")
    assert journal.one("SELECT COUNT(*) AS n FROM events")["n"] == 1


def test_a_command_that_records_nothing_is_not_acknowledged(journal):
    assert journal.command("c-1", {"op": "lire"}, lambda tx: {"n": 0}) == ({"n": 0}, False)
    assert journal.command("c-1", {"op": "autre"}, lambda tx: {"n": 1}) == ({"n": 1}, False)
    assert journal.one("SELECT COUNT(*) AS n FROM acks")["n"] == 0


def test_acknowledged_ids_outlive_a_restart(tmp_path):
    path = tmp_path / "journal.db"
    first = Journal(path, FixedClock(NOW))
    first.command("c-1", {"op": "note"}, note({"ok": True}))
    first.close()
    again = Journal(path, FixedClock(NOW))
    try:
        assert again.command("c-1", {"op": "note"}, note({"ok": False})) == ({"ok": True}, True)
        with pytest.raises(Conflit):
            again.command("c-1", {"op": "autre"}, note({}))
    finally:
        again.close()


def test_the_stored_answer_reads_in_french_in_the_file(journal):
    journal.command("c-1", {"op": "note"}, note({"message": "Refusé : portes fermées"}))
    assert json.loads(journal.one("SELECT response FROM acks")["response"]) == {"message": "Refusé : portes fermées"}
    assert "Refusé" in journal.one("SELECT response FROM acks")["response"]


def test_a_payload_with_dates_is_stored_as_text(journal):
    event = journal.write(lambda tx: tx.append("debut", TABLETTE, {"heure": NOW, "epreuve": "E1"}))
    assert event["payload"] == '{"epreuve": "E1", "heure": "2027-03-18 08:40:00"}'


# --- a large payload (an import of 100,000 candidats) without copies of it (issue 19) ---------------------------


def _big_payload(rows: int) -> dict:
    """Rows with what JSON escapes (quotes, backslashes, new lines, tabs) and non-ASCII letters, over 1 MB."""
    return {"fichier": "candidats « 2027 ».csv", "sha256": "0" * 64, "modifies": [{"numero": "X", "apres": {}}],
            "supprimes": ["Y"], "ajoutes": [{"numero": f"ATP27-{i:06d}", "nom": f'N\\GUY"ỄN\n{i}', "prenom": "Thị\tAnh",
                                             "tiers_temps": i % 2, "salle": None} for i in range(rows)]}


def test_a_large_payload_is_hashed_as_its_whole_canonical_text_would_be():
    import hashlib

    from salle.journal import HASHED_FIELDS, _HASH_PIECE, event_hash, serialize

    event = {k: None for k in HASHED_FIELDS} | {"seq": 7, "type": "candidats_importes", "prev_hash": "ab" * 32}
    for rows in (10, 30_000):  # under one piece, and several pieces with escapes across their edges
        event["payload"] = serialize(_big_payload(rows))
        whole = json.dumps([event[k] for k in HASHED_FIELDS], ensure_ascii=False, separators=(",", ":"))
        assert event_hash(event) == hashlib.sha256(whole.encode("utf-8")).hexdigest()
    assert len(event["payload"]) > 3 * _HASH_PIECE


def test_a_consumed_list_is_written_as_the_journal_writes_it_and_emptied():
    from salle.journal import serialize

    payload = _big_payload(500)
    expected = json.dumps(payload, ensure_ascii=False, sort_keys=True, default=str)
    rows = payload["ajoutes"]
    assert serialize(payload, consume="ajoutes") == expected
    assert rows == []
    assert serialize({"ajoutes": [], "b": 1}, consume="ajoutes") == '{"ajoutes": [], "b": 1}'
    assert serialize({}, consume="ajoutes") == "{}"


def test_an_import_is_projected_row_by_row_from_its_text_and_from_a_text_shaped_otherwise(tmp_path):
    import sqlite_utils

    from salle.journal import serialize
    from salle.state import ensure_state_schema, project

    payload = {"ajoutes": [{"numero": f"N{i}", "nom": "É\"\\", "prenom": "A", "date_naissance": "2000-01-01",
                            "site": "PANTIN", "tiers_temps": i % 2} for i in range(3)],
               "modifies": [{"numero": "N1", "avant": {"nom": "É"}, "apres": {"nom": "B"}}], "supprimes": ["N2"]}
    texts = {"journal": serialize(json.loads(json.dumps(payload))),  # `ajoutes` first, as the journal writes it
             "other": json.dumps({"supprimes": payload["supprimes"], "modifies": payload["modifies"],
                                  "ajoutes": payload["ajoutes"]}, indent=2)}
    tables = {}
    for name, text in texts.items():
        db = sqlite_utils.Database(tmp_path / f"{name}.db")
        ensure_state_schema(db)
        project(db, {"seq": 1, "type": "candidats_importes", "payload": text})
        tables[name] = db.execute("SELECT numero, nom, tiers_temps FROM candidats ORDER BY rowid").fetchall()
    assert tables["journal"] == tables["other"] == [("N0", 'É"\\', 0), ("N1", "B", 1)]
