"""Staff sign-in under attack (issue 16): failed codes limited per device and per code with a growing wait,
journaled without the code, a console alert past a threshold, a guessed code locked until a responsable
unlocks it, tokens ending with the day and after an idle time. The real app on a real port, a real file."""

import json
import time
import uuid

import pytest

from salle.client import ApiClient
from tests.helpers.day import CODES, at
from tests.helpers.server import LiveServer

WRONG = "98765432"
NO_LIMITS = {"SIGNIN_DEVICE_LIMIT": "10000 per minute", "SIGNIN_CODE_LIMIT": "10000 per minute"}


@pytest.fixture
def server(request, day, demo_files, clock):
    """The real server; its sign-in settings through @pytest.mark.signin(...)."""
    marker = request.node.get_closest_marker("signin")
    day.close()
    live = LiveServer(demo_files / "salle.db", clock, config=marker.kwargs if marker else {})
    yield live
    live.stop()


def sign_in(server, code: str) -> tuple[int, dict]:
    return ApiClient(server.url).request("POST", "/api/v1/auth/login", {"code": code, "device": "essai"}, check=False)


def count(server, event_type: str) -> int:
    return server.day.journal.one("SELECT COUNT(*) AS n FROM events WHERE type = ?", [event_type])["n"]


def test_a_client_hammering_wrong_codes_is_stopped_after_three_and_the_right_code_waits_too(server, capsys):
    client = ApiClient(server.url)
    started = time.monotonic()
    statuses = [client.request("POST", "/api/v1/auth/login", {"code": f"{n:08d}"}, check=False)[0]
                for n in range(8)]  # as fast as one client can; counted, not timed (a loaded machine is slow)
    elapsed = time.monotonic() - started
    assert statuses == [401] * 3 + [429] * 5
    status, body = sign_in(server, CODES["surveillant"])
    assert status == 429 and "Trop de codes refusés depuis cet appareil" in body["erreur"]["message"]
    assert "réessayez dans" in body["erreur"]["message"]
    assert count(server, "connexion_refusee") == 3 and count(server, "connexion") == 0
    with capsys.disabled():
        print(f"\nsign-in: 8 wrong codes from one client in {elapsed:.2f} s, 3 answered 401, then 429")


@pytest.mark.signin(SIGNIN_DEVICE_LIMIT="4 per 60 seconds;2 per 3 seconds", SIGNIN_CODE_LIMIT="10000 per minute")
def test_the_wait_grows_tier_after_tier(server):
    def wait_of(body) -> int:
        words = body["erreur"]["message"].rsplit("réessayez dans ", 1)[1]
        return int(words.split()[0])

    assert [sign_in(server, f"1111111{i}")[0] for i in range(2)] == [401, 401]
    status, body = sign_in(server, "11111112")
    assert status == 429 and wait_of(body) <= 4  # the `limits` windows end on whole seconds
    time.sleep(3.2)  # the first tier's window passes (`limits` counts in real time)
    assert [sign_in(server, f"2222222{i}")[0] for i in range(2)] == [401, 401]
    status, body = sign_in(server, "22222222")
    assert status == 429 and wait_of(body) >= 20  # now the minute's tier


@pytest.mark.signin(SIGNIN_DEVICE_LIMIT="10000 per minute", SIGNIN_CODE_LIMIT="2 per minute")
def test_one_code_tried_again_and_again_is_limited_by_itself(server):
    assert [sign_in(server, WRONG)[0] for _ in range(3)] == [401, 401, 429]
    assert sign_in(server, "12121212")[0] == 401  # another code is not concerned
    assert sign_in(server, CODES["surveillant"])[0] == 200


@pytest.mark.signin(**NO_LIMITS, SIGNIN_ALERT_AFTER=3)
def test_failed_sign_ins_are_journaled_without_the_code_and_alert_the_console(server):
    for code in (WRONG, "abc", "123"):
        assert sign_in(server, code)[0] == 401
    rows = server.day.journal.query("SELECT payload FROM events WHERE type = 'connexion_refusee' ORDER BY seq")
    payloads = [json.loads(r["payload"]) for r in rows]
    assert [p["motif"] for p in payloads] == ["code_inconnu", "code_inconnu", "code_inconnu"]
    assert payloads[-1] == {"adresse": "127.0.0.1", "appareil": "essai", "motif": "code_inconnu", "echecs": 3}
    everything = json.dumps(server.day.journal.query("SELECT * FROM events"))
    assert WRONG not in everything  # never the code typed, not even its hash's input
    alerts = server.client("responsable").get("/api/v1/alertes")["alertes"]
    assert [a["type"] for a in alerts] == ["connexions_refusees"]
    assert "3 codes personnels refusés" in alerts[0]["message"] and "127.0.0.1" in alerts[0]["message"]


@pytest.mark.signin(**NO_LIMITS, SIGNIN_LOCK_AFTER=3, SIGNIN_ALERT_AFTER=100)
def test_a_right_code_after_repeated_failures_is_locked_until_a_responsable_unlocks_it(server):
    resp, b12, montreuil = (server.client(role) for role in ("responsable", "surveillant_b12", "responsable_montreuil"))
    for i in range(3):  # (every test client has the same address: the staff above signed in before)
        sign_in(server, f"5555555{i}")
    status, body = sign_in(server, CODES["surveillant"])
    assert status == 403 and body["erreur"]["code"] == "code_verrouille"
    assert "demandez au responsable de le débloquer" in body["erreur"]["message"]
    signed_in = count(server, "connexion")
    assert sign_in(server, CODES["surveillant"])[0] == 403  # still locked
    assert count(server, "code_verrouille") == 1 and count(server, "connexion") == signed_in
    staff = {p["id"]: p for p in resp.get("/api/v1/personnel")["personnel"]}
    assert staff["P004"]["verrouille"] is True
    alert = server.day.journal.one("SELECT * FROM alerts WHERE kind = 'code_verrouille'")
    assert "Paul Surveillant" in alert["message"] and alert["site"] == "PANTIN"

    before = count(server, "code_deverrouille")
    for client, status_wanted in ((b12, 403), (montreuil, 403)):
        assert client.request("POST", "/api/v1/personnel/P004/deverrouillage", {"client_id": str(uuid.uuid4())},
                              check=False)[0] == status_wanted
    assert count(server, "code_deverrouille") == before
    answer = resp.post("/api/v1/personnel/P004/deverrouillage", {"client_id": str(uuid.uuid4())})
    assert answer["deverrouille"] is True and "débloqué" in answer["message"]
    assert sign_in(server, CODES["surveillant"])[0] == 200
    status, body = resp.request("POST", "/api/v1/personnel/P004/deverrouillage", {"client_id": str(uuid.uuid4())},
                                check=False)
    assert status == 200 and body["ok"] is False and "n'est pas verrouillé" in body["message"]


def test_a_token_ends_with_its_day(server, clock):
    tablet = server.client("surveillant")
    assert tablet.get("/api/v1/me")["role"] == "surveillant"
    clock.set(at("23:59:59"))
    assert tablet.get("/api/v1/me")["role"] == "surveillant"
    clock.advance(seconds=2)
    status, body = tablet.request("GET", "/api/v1/me", check=False)
    assert status == 401 and body["erreur"]["code"] == "jeton_expire"
    assert "une connexion vaut pour la journée" in body["erreur"]["message"]
    assert server.client("surveillant").get("/api/v1/me")["role"] == "surveillant"  # the way back: sign in again


@pytest.mark.signin(TOKEN_IDLE_MINUTES=0.01)  # 0.6 s
def test_a_token_unused_for_the_idle_time_expires(server):
    tablet = server.client("surveillant")
    assert tablet.get("/api/v1/me")["role"] == "surveillant"
    time.sleep(0.9)
    status, body = tablet.request("GET", "/api/v1/me", check=False)
    assert status == 401 and body["erreur"]["code"] == "jeton_expire" and "sans activité" in body["erreur"]["message"]
    again = server.client("surveillant")
    assert again.get("/api/v1/me")["role"] == "surveillant"


@pytest.mark.browser
@pytest.mark.signin(**NO_LIMITS, SIGNIN_LOCK_AFTER=3, SIGNIN_ALERT_AFTER=3)
def test_the_console_shows_the_locked_code_and_unlocks_it(server, chromium):
    from playwright.sync_api import expect

    context = chromium.new_context(viewport={"width": 1280, "height": 1400}, locale="fr-FR")
    try:
        page = context.new_page()
        page.goto(server.url + "/console")
        page.fill("#code", CODES["responsable"])  # signed in before the failures (every client here is 127.0.0.1)
        page.click("button[type=submit]")
        expect(page.locator("#app")).to_be_visible()
        for i in range(3):
            sign_in(server, f"7777777{i}")
        assert sign_in(server, CODES["surveillant"])[0] == 403
        expect(page.locator("#tab-personnel")).to_contain_text("1 code(s) verrouillé(s)", timeout=10_000)  # pushed live
        page.click("#tab-personnel")
        row = page.locator("tr[data-personnel='P004']")
        expect(row).to_contain_text("CODE VERROUILLÉ")
        row.get_by_role("button", name="Débloquer le code").click()
        expect(row).not_to_contain_text("VERROUILLÉ", timeout=10_000)
        assert sign_in(server, CODES["surveillant"])[0] == 200
    finally:
        context.close()


def test_a_live_connection_ends_with_its_sign_ins_day(server, clock):
    import queue

    import socketio

    tablet = server.client("surveillant")
    cut = queue.Queue()
    client = socketio.Client(reconnection=False)
    client.on("disconnect", lambda *args: cut.put(True))
    client.connect(server.url, auth={"token": tablet.token}, transports=["websocket"], wait_timeout=10)
    try:
        clock.set(at("23:59:59"))
        clock.advance(seconds=2)
        assert cut.get(timeout=10) is True  # the server cut the websocket at the day's end
    finally:
        client.disconnect()
    refused = socketio.Client(reconnection=False)
    said = queue.Queue()
    refused.on("connect_error", said.put)
    with pytest.raises(socketio.exceptions.ConnectionError):
        refused.connect(server.url, auth={"token": tablet.token}, transports=["polling"], wait_timeout=5)
    assert said.get(timeout=5)["data"]["code"] == "jeton_expire"
