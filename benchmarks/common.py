"""Shared by the benchmarks: a large demo day on disk, the real server as a child process, tablets scanning at a
pace over raw HTTP, percentiles."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from salle import demo  # noqa: E402
from salle.clock import SystemClock  # noqa: E402
from salle.day import ExamDay  # noqa: E402
from salle.importing import import_candidats  # noqa: E402
from salle.server import ChildServer  # noqa: E402

SURVEILLANTS = {"A01": "30001746", "B12": "30002958", "M1": "30003162", "M2": "30004385"}


def big_day(count: int, workdir: Path | None = None) -> Path:
    """The demo session with salles large enough for `count` candidats, imported; returns the database."""
    toml = demo.session_toml()
    rows = -(-count * 11 // 10 // 4 // 100)  # each salle a quarter of the candidats, 10 % spare
    for salle_rows in ("rows = 9", "rows = 6", "rows = 10", "rows = 8"):
        toml = toml.replace(f"{salle_rows}\ncolumns", f"rows = {rows}\ncolumns", 1)
    toml = toml.replace("columns = 10", "columns = 100").replace("columns = 8", "columns = 100")
    return load_day(toml, count, workdir)


def load_day(toml: str, count: int, workdir: Path | None = None, csv_edit=lambda text: text) -> Path:
    """A day file from a session `toml` and the demo's `count` candidats (their CSV passed through `csv_edit`),
    imported and seated; returns the database."""
    workdir = workdir or Path(tempfile.mkdtemp(prefix="salle-bench-"))
    (workdir / "session.toml").write_text(toml, encoding="utf-8")
    demo.candidats_csv(workdir / "candidats.csv", count)
    csv = workdir / "candidats.csv"
    csv.write_text(csv_edit(csv.read_text(encoding="utf-8-sig")), encoding="utf-8-sig")
    db = workdir / "salle.db"
    day = ExamDay(db, SystemClock())
    try:
        day.load_session(toml)
        import_candidats(day, csv.read_bytes(), "candidats.csv")
    finally:
        day.close()
    return db


class Server(ChildServer):
    """`salle serve` (gunicorn, one worker, threads) on the given database, in rehearsal at 08:40."""

    def __init__(self, db: Path, threads: int = int(os.environ.get("BENCH_THREADS", 256)),
                 clock: str = "2027-03-18T08:40", env: dict | None = None):
        super().__init__(db, clock=clock, threads=threads, env=env)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


async def post(reader, writer, host: str, path: str, token: str, body: dict) -> dict:
    """One HTTP/1.1 POST on a kept-alive connection, as lean as a client can be (no client library's cost)."""
    data = json.dumps(body).encode()
    writer.write(f"POST {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n"
                 f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n\r\n".encode() + data)
    head = await reader.readuntil(b"\r\n\r\n")
    length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length"))
    return json.loads(await reader.readexactly(length))


async def paced_scans(port: int, token: str, salle: str, codes, interval: float, offset: float, on_answer,
                      go: asyncio.Event | None = None, ssl=None):
    """One tablet on its own connection (over TLS with the `ssl` context): admits `codes` with « cni », one every
    `interval` s from `offset` s after `go` (0: back to back); on_answer(code, answer, latency s, answer's
    perf_counter time) after each."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port, ssl=ssl)
    if go is not None:
        await go.wait()
    due = time.perf_counter() + offset
    for code in codes:
        if interval:
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            t0, due = due, due + interval
        else:
            t0 = time.perf_counter()
        answer = await post(reader, writer, f"127.0.0.1:{port}", f"/api/v1/salles/{salle}/scans", token,
                            {"code": code, "client_id": str(uuid.uuid4()), "piece_identite": "cni"})
        done = time.perf_counter()
        on_answer(code, answer, done - t0, done)
    writer.close()
