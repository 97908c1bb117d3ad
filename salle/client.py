"""A small JSON client for the API over one keep-alive connection (stdlib only): demo, benchmarks, devices."""

from __future__ import annotations

import http.client
import json
import uuid
from urllib.parse import urlsplit


class ApiError(Exception):
    def __init__(self, status: int, body: dict):
        super().__init__(f"{status}: {body}")
        self.status = status
        self.body = body


class ApiClient:
    def __init__(self, base_url: str, timeout: float = 30, context=None):
        """`context`: the ssl context an https address is verified with (None: the system's authorities)."""
        parts = urlsplit(base_url)
        self.https = parts.scheme == "https"
        self.host, self.port = parts.hostname, parts.port or (443 if self.https else 80)
        self.timeout = timeout
        self.context = context
        self.token: str | None = None
        self._conn: http.client.HTTPConnection | None = None

    def _connection(self) -> http.client.HTTPConnection:
        if self._conn is None:
            self._conn = (http.client.HTTPSConnection(self.host, self.port, timeout=self.timeout, context=self.context)
                          if self.https else http.client.HTTPConnection(self.host, self.port, timeout=self.timeout))
        return self._conn

    def request(self, method: str, path: str, body: dict | None = None, *, check: bool = True) -> tuple[int, dict]:
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        data = json.dumps(body).encode() if body is not None else None
        for attempt in (1, 2):  # one silent retry when a kept-alive connection was closed by the server
            conn = self._connection()
            try:
                conn.request(method, path, body=data, headers=headers)
                response = conn.getresponse()
                payload = json.loads(response.read() or b"{}")
                break
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self.close()
                if attempt == 2:
                    raise
        if check and response.status >= 400:
            raise ApiError(response.status, payload)
        return response.status, payload

    def get(self, path: str, **kw) -> dict:
        return self.request("GET", path, **kw)[1]

    def post(self, path: str, body: dict, **kw) -> dict:
        return self.request("POST", path, body, **kw)[1]

    def login(self, code: str, device: str = "script") -> dict:
        answer = self.post("/api/v1/auth/login", {"code": code, "device": device})
        self.token = answer["token"]
        return answer

    def scan(self, salle: str, code: str, piece_identite: str | None = "cni", **extra) -> dict:
        body = {"code": code, "client_id": str(uuid.uuid4()), **extra}
        if piece_identite:
            body["piece_identite"] = piece_identite
        return self.post(f"/api/v1/salles/{salle}/scans", body)

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
