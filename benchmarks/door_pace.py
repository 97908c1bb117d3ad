"""The salle door at a real pace, in headless Chromium against the real server (`salle serve`): from the
scanner's Enter reaching the page to the verdict painted, p50/p99, at a busy door's pace (1 scan/s) and flat out;
and how many candidats one surveillant admits per minute when each needs one tap on the identity document.

The baselines, measured in the same run from the same page: the bare API round trip of the same scan (fetch of
the preview), so the figure shows what the page adds on top of the server; and the floor of this browser on this
machine, a blank page painting a word at Enter, with no server at all (no door can paint sooner).

    .venv/bin/python benchmarks/door_pace.py [--scans 60] [--flat 100] [--minute 60]
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import sys
import time
from pathlib import Path

from common import SURVEILLANTS, Server, big_day, percentile
from playwright.sync_api import expect, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.helpers.browser import WedgeScanner  # noqa: E402  (real key events, stamped like a USB scanner's)

# Enter received → the verdict's next paint. The Enter is stamped by a listener installed before the page's own
# scripts (so the wedge's handling of the scan counts), the paint is the frame after the mutation of #verdict.
ENTER = """window.bench = { times: [], enter: null };
window.addEventListener("keydown", (e) => { if (e.key === "Enter") window.bench.enter = performance.now(); }, true);"""
PROBE = """() => {
  window.bench.steps = [];
  const ask = Live.ask;  // the preview's request and its answer, stamped (--etapes)
  Live.ask = function (...args) {
    window.bench.sent = performance.now();
    return ask.apply(this, args).then((r) => { window.bench.answered = performance.now(); return r; });
  };
  new MutationObserver(() => {
    const start = window.bench.enter;
    if (start === null) return;
    window.bench.enter = null;
    const b = window.bench, written = performance.now(), sent = b.sent, answered = b.answered;
    requestAnimationFrame((frame) => setTimeout(() => {
      b.times.push(performance.now() - start);
      b.steps.push([sent - start, answered - sent, written - answered, frame - written, performance.now() - frame]);
    }, 0));
  }).observe(document.getElementById("verdict"), { childList: true, subtree: true, characterData: true, attributes: true });
}"""

# The floor of this browser on this machine: a blank page whose Enter writes the code into a box at once (no
# server, no rules, no list), measured the same way. Nothing the door does can paint sooner than this.
FLOOR = """() => {
  window.bench = { times: [], enter: null };
  const box = document.createElement("div"), field = document.createElement("input");
  box.style.font = "bold 48px sans-serif";
  document.body.append(box, field);
  field.focus();
  window.addEventListener("keydown", (e) => {
    if (e.key !== "Enter") return;
    window.bench.enter = performance.now();
    box.textContent = "ADMIS " + field.value;
    field.value = "";
  }, true);
  new MutationObserver(() => {
    const start = window.bench.enter;
    if (start === null) return;
    window.bench.enter = null;
    requestAnimationFrame(() => setTimeout(() => window.bench.times.push(performance.now() - start), 0));
  }).observe(box, { childList: true, subtree: true, characterData: true });
}"""

ROUND_TRIP = """async ([code]) => {  // the same preview through the API alone, from the page, by HTTP
  const t = performance.now();
  await Api.request("POST", "/api/v1/salles/A01/scans", { code, client_id: Api.uuid() });
  return performance.now() - t;
}"""
LIVE_TRIP = """async ([code]) => {  // … and over the tablet's live connection (what the page uses when it is up)
  const t = performance.now();
  await Live.ask(live, "apercu", { salle: "A01", code, client_id: Api.uuid() });
  return performance.now() - t;
}"""


def figures(name: str, values: list[float]) -> str:
    return (f"{name:<44} n={len(values):<4} p50 {statistics.median(values):6.1f} ms   "
            f"p99 {percentile(values, 99):6.1f} ms   max {max(values):6.1f} ms")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scans", type=int, default=60, help="scans at 1 per second")
    ap.add_argument("--flat", type=int, default=100, help="scans flat out")
    ap.add_argument("--minute", type=float, default=60, help="seconds of admissions with one tap each")
    ap.add_argument("--muet", action="store_true", help="the tablet's sound off (« Son : non »)")
    ap.add_argument("--worst", type=int, default=3, help="the slowest paced scans shown step by step")
    args = ap.parse_args()
    db = big_day(3000)
    numeros = [r[0] for r in sqlite3.connect(db).execute(
        "SELECT numero FROM candidats WHERE salle = 'A01' AND pieces_manquantes = '' ORDER BY numero")]
    server = Server(db, clock="2027-03-18T08:05")
    try:
        return run(server, numeros, args)
    finally:
        server.stop()


def run(server, numeros: list[str], args) -> int:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium")
        # a tablet: a touch screen, no mouse pointer resting on the page (Chromium hit-tests a resting pointer again
        # at each frame whose layout changed, to update :hover: a laptop's cost, not a tablet's)
        context = browser.new_context(viewport={"width": 1024, "height": 768}, locale="fr-FR", has_touch=True)
        context.add_init_script(ENTER)
        if args.muet:
            context.add_init_script('localStorage.setItem("salle.son", "non");')
        page = context.new_page()
        page.goto(server.url + "/tablette")
        page.fill("#code", SURVEILLANTS["A01"])
        page.tap("button[type=submit]")
        expect(page.locator("#counts")).to_contain_text("convoqués", timeout=30000)
        page.evaluate(PROBE)
        deadline = time.monotonic() + 30
        while not page.evaluate("() => !!(live && live.connected)"):  # previews go over it once it is up
            assert time.monotonic() < deadline, "the tablet's live connection did not come up"
            time.sleep(0.05)
        scanner = WedgeScanner(page)
        codes = iter(numeros)

        def measured(count: int, pause: float) -> list[float]:
            before = len(page.evaluate("window.bench.times"))
            for _ in range(count):
                scanner.scan(next(codes))
                deadline = time.monotonic() + 5
                time.sleep(0.05)  # polled gently: each look is a task on the page's main thread, the one measured
                while len(page.evaluate("window.bench.times")) <= before and time.monotonic() < deadline:
                    time.sleep(0.025)
                before += 1
                time.sleep(pause)
            return page.evaluate("window.bench.times")[-count:] if count else []

        measured(5, 0.2)  # warm-up
        paced = measured(args.scans, 1.0)
        steps = page.evaluate("window.bench.steps")[-args.scans:]
        flat = measured(args.flat, 0.0)
        trips = [page.evaluate(ROUND_TRIP, [next(codes)]) for _ in range(args.scans)]
        live_trips = [page.evaluate(LIVE_TRIP, [next(codes)]) for _ in range(args.scans)]

        admitted, started = 0, time.monotonic()
        while time.monotonic() - started < args.minute:
            numero = next(codes)
            scanner.scan(numero)
            expect(page.locator("#pieces")).to_have_attribute("data-code", numero)
            expect(page.locator("button[data-piece=cni]")).to_be_enabled()
            page.tap("button[data-piece=cni]")
            expect(page.locator("#v-word")).to_have_text("ADMIS")
            admitted += 1
        rate = admitted * 60 / (time.monotonic() - started)

        blank = context.new_page()  # the floor: Enter → a word painted, nothing else (see FLOOR)
        blank.evaluate(FLOOR)
        floor_scanner, floor = WedgeScanner(blank), []
        for i in range(args.scans + 5):
            floor_scanner.scan(numeros[i])
            time.sleep(1.0)
        floor = blank.evaluate("window.bench.times")[5:]
        browser.close()

    print(f"sound {'off' if args.muet else 'on'} (« Son » of the tablet)")
    print(figures("Enter → verdict painted, 1 scan/s", paced))
    names = ("  Enter → request sent", "  request → answer", "  answer → verdict written",
             "  verdict written → next frame", "  frame → after it (task)")
    for k, name in enumerate(names):  # where the paced scans' time went
        print(figures(name, [x[k] for x in steps]))
    if flat:
        print(figures("Enter → verdict painted, flat out", flat))
    print(figures("floor: Enter → a word painted, no server", floor))
    print(figures("baseline: HTTP round trip from the page", trips))
    print(figures("baseline: live-connection round trip", live_trips))
    print(f"{'page on top of the live round trip (p50 ratio)':<44} "
          f"{statistics.median(paced) / statistics.median(live_trips):.2f}×")
    print(f"{'admissions per minute, one tap each':<44} {rate:.0f} (no thinking time; the document buttons arm "
          f"400 ms after each question)")
    for t, st in sorted(zip(paced, steps), key=lambda x: -x[0])[:args.worst]:  # where the slowest went
        print(f"  slow scan {t:5.1f} ms: " + ", ".join(f"{name.strip()} {x:.1f}" for name, x in zip(names, st)))
    print(f"target: p99 < 20 ms at 1 scan/s -> {'met' if percentile(paced, 99) < 20 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
