"""Every operation of the OpenAPI document with hostile input (issue 16): no 5xx, every error a French
message, every answer in the shape the document gives.

The cases are generated from the document itself: for each operation, a plausible body built from its
request schema, then each property in turn replaced by each hostile value, then hostile whole bodies and
hostile path parameters. The number of cases and of 5xx found is printed (README, « Measured »)."""

from __future__ import annotations

import http.client
import json
import re
import uuid

import pytest
from jsonschema import Draft202012Validator

from salle.client import ApiClient
from tests.helpers.api import SIGNATURE
from tests.helpers.day import CODES
from tests.helpers.server import LiveServer, kiosk_config

PATH_VALUES = {"salle": "A01", "site": "PANTIN", "epreuve": "E1", "personnel": "P004", "seq": "1", "job": "x",
               "numero": "ATP27-00001", "jury": "J1"}
HOSTILE_PATH = ["%00", "Z" * 3000, "..%2F..%2Fetc", "%C3%28", "A01%20OR%201=1", "%E2%80%AE"]


def nested(depth: int, leaf=None):
    value = leaf
    for _ in range(depth):
        value = {"a": value}
    return value


HOSTILE_VALUES = [{}, [], ["cni"], {"a": 1}, 10 ** 30, -1, 1.5, True, None, "", "x" * 5000, "\x00\u202e<b>",
                  "25:61", "9999-12-31T23:59:59", "0001-01-01T00:00:00+05:00", "1880-01-01", nested(200), [[[[[]]]]]]
DEEP = b'{"a":' * 1000 + b"1" + b"}" * 1000
HOSTILE_BODIES = [b"", b"[]", b'"texte"', b"null", b"\xff\xfe", b"{" * 5, DEEP, b"[" * 1000 + b"]" * 1000,
                  json.dumps(nested(100)).encode()]
ENGLISH = re.compile(r"\b(the|error|not found|bad request|internal|locked|database|method not allowed)\b", re.I)


def example(name: str, schema: dict, numero: str):
    """A plausible value for a property of a request body, so that hostile values reach deep."""
    values = {"client_id": str(uuid.uuid4()), "code": numero, "numero": numero, "piece_identite": "cni",
              "heure": "09:15", "motif": "essai", "maintenant": "2027-03-18T08:40", "nom": "DUPONT",
              "date_naissance": "1990-01-01", "type": "anomalie", "texte": "Faits.", "copies": 1,
              "signature": SIGNATURE, "contresignature": SIGNATURE, "copies_comptees": 1,
              "resolution": "Vu.", "device": "fuzz"}
    if name in values:
        return values[name]
    if schema.get("type") == "boolean":
        return False
    if schema.get("type") == "integer":
        return 1
    return "x"


def operations(doc: dict):
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            yield path, method.upper(), op


def request_schema(op: dict) -> dict | None:
    schema = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
    if schema and "oneOf" in schema:
        schema = schema["oneOf"][0]
    return schema


class Fuzzer:
    def __init__(self, server: LiveServer, doc: dict):
        self.server, self.doc = server, doc
        self.cases = 0
        self.failures: list[str] = []
        self.validators: dict[str, Draft202012Validator] = {}
        self.tokens: dict[str, str] = {}

    def token(self, role: str, fresh: bool = False) -> str:
        if fresh or role not in self.tokens:
            self.tokens[role] = ApiClient(self.server.url).login(CODES[role], device=f"fuzz-{role}")["token"]
        return self.tokens[role]

    def validator(self, ref: str) -> Draft202012Validator:
        if ref not in self.validators:
            self.validators[ref] = Draft202012Validator({"$ref": ref, "components": self.doc["components"]})
        return self.validators[ref]

    def send(self, method: str, path: str, op: dict, raw: bytes | None, role: str | None) -> None:
        self.cases += 1
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=30)
        headers = {"Content-Type": "application/json"}
        if role:
            headers["Authorization"] = f"Bearer {self.token(role)}"
        try:
            conn.request(method, path, body=raw, headers=headers)
            response = conn.getresponse()
            status, content_type, data = response.status, response.getheader("Content-Type", ""), response.read()
        finally:
            conn.close()
        where = f"{method} {path[:80]} {(raw or b'')[:60]!r}…{(raw or b'')[-100:]!r}"
        if status >= 500 and status != 503:
            self.failures.append(f"{status} {where}")
            return
        if status == 401 and role:  # this case signed the fuzzer out (logout, deconnexion): sign in again
            self.token(role, fresh=True)
        if not content_type.startswith("application/json"):
            media = content_type.split(";")[0]
            if status >= 400 or media not in op["responses"].get(str(status), {}).get("content", {}):
                self.failures.append(f"{status} {content_type} not documented {where}")
            return
        body = json.loads(data)
        documented = op["responses"].get(str(status))
        if documented is None:
            self.failures.append(f"{status} not documented {where}: {body}")
            return
        if status >= 400:
            message = body.get("erreur", {}).get("message", "")
            if not message or ENGLISH.search(message):
                self.failures.append(f"{status} message not French {where}: {message!r}")
        schema = documented.get("content", {}).get("application/json", {}).get("schema") or \
            self.doc["components"]["responses"]["Erreur"]["content"]["application/json"]["schema"]
        errors = list(self.validator(schema["$ref"]).iter_errors(body))
        if errors:
            self.failures.append(f"{status} off the document {where}: {errors[0].message[:200]}")

    def operation(self, path: str, method: str, op: dict, numero: str) -> None:
        role = None if op.get("security") == [] else ("kiosk" if "/kiosk/" in path else "admin")
        params = re.findall(r"{(\w+)}", path)
        concrete = path
        for p in params:
            concrete = concrete.replace("{" + p + "}", PATH_VALUES[p])
        schema = request_schema(op)
        if schema is None:
            self.send(method, concrete, op, None, role)
        else:
            props = schema.get("properties", {})
            base = {name: example(name, s, numero) for name, s in props.items()}
            for name in props:
                for value in HOSTILE_VALUES:
                    body = {**base, name: value, **({"client_id": str(uuid.uuid4())} if name != "client_id" else {})}
                    self.send(method, concrete, op, json.dumps(body).encode(), role)
            for raw in HOSTILE_BODIES:
                self.send(method, concrete, op, raw, role)
        for ref in op.get("parameters", []):
            param = self.doc["components"]["parameters"][ref["$ref"].rsplit("/", 1)[1]] if "$ref" in ref else ref
            if param["in"] == "query":
                for value in HOSTILE_PATH:
                    self.send(method, f"{concrete}?{param['name']}={value}", op, None, role)
        for p in params:
            for value in HOSTILE_PATH:
                self.send(method, path.replace("{" + p + "}", value).replace("{", "").replace("}", ""), op,
                          json.dumps({"client_id": str(uuid.uuid4())}).encode() if schema else None, role)


@pytest.fixture
def fuzz_live(day, demo_files, clock, printer):
    """The real server with the kiosk's printer (the fake network printer), the lookup, print and sign-in limits out of
    the way (the fuzzer signs in again after its own hostile sign-ins)."""
    day.close()
    server = LiveServer(demo_files / "salle.db", clock,
                        config=kiosk_config(printer, KIOSK_LOOKUP_LIMIT="100000/minute", KIOSK_PRINT_LIMIT="100000/minute",
                                            KIOSK_PRINT_LIMIT_CANDIDAT="100000/minute",
                                            SIGNIN_DEVICE_LIMIT="100000/minute", SIGNIN_CODE_LIMIT="100000/minute",
                                            SIGNIN_LOCK_AFTER=100000, SIGNIN_ALERT_AFTER=100000))
    yield server
    server.app.extensions["kiosk.printer"].stop()
    server.stop()


def test_no_input_from_the_openapi_document_gets_a_5xx_or_an_english_message(fuzz_live, capsys):
    doc = ApiClient(fuzz_live.url).get("/api/v1/openapi.json")
    numero = fuzz_live.day.journal.one("SELECT numero FROM candidats WHERE salle = 'A01' ORDER BY numero")["numero"]
    fuzzer = Fuzzer(fuzz_live, doc)
    ops = sorted(operations(doc), key=lambda o: o[0] == "/api/v1/auth/logout")  # signing out last
    for path, method, op in ops:
        fuzzer.operation(path, method, op, numero)
    with capsys.disabled():
        print(f"\nfuzz: {fuzzer.cases} cases over {len(ops)} operations, {len(fuzzer.failures)} failures")
    assert not fuzzer.failures, "\n".join(fuzzer.failures[:400])
