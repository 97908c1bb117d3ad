"""Security headers (issue 16): every page and API answer sends a strict Content-Security-Policy, frame-ancestors
'none', nosniff and no-referrer; each page loads in headless Chromium under that policy without a violation."""

import http.client

import pytest
from playwright.sync_api import expect

from tests.helpers.day import CODES

PAGES = ["/", "/tablette", "/console", "/borne", "/jury", "/affichage", "/secours"]
COLLECT = """document.addEventListener("securitypolicyviolation", (e) => {
    (window.__violations = window.__violations || [])
        .push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});"""


def headers_of(server, method: str, path: str, token: str | None = None) -> tuple[int, dict]:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    conn.request(method, path, headers={"Authorization": f"Bearer {token}"} if token else {})
    response = conn.getresponse()
    response.read()
    conn.close()
    return response.status, {k.lower(): v for k, v in response.getheaders()}


@pytest.mark.parametrize("method, path", [(m, p) for p in PAGES for m in ("GET",)] + [
    ("GET", "/api/v1/health"), ("GET", "/api/v1/openapi.json"), ("GET", "/api/v1/salles"),
    ("POST", "/api/v1/auth/login"), ("GET", "/static/salle.css"), ("GET", "/borne/static/borne.js"),
    ("GET", "/nulle-part"), ("GET", "/api/v1/nulle-part"), ("DELETE", "/console"),
])
def test_every_answer_carries_the_security_headers(live, method, path):
    status, headers = headers_of(live, method, path)
    csp = headers["content-security-policy"]
    for directive in ("default-src 'self'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'",
                      f"connect-src 'self' ws://127.0.0.1:{live.port} wss://127.0.0.1:{live.port}"):
        assert directive in csp, (path, csp)
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert headers["x-content-type-options"] == "nosniff" and headers["referrer-policy"] == "no-referrer"
    assert headers["x-frame-options"] == "DENY"


@pytest.mark.browser
@pytest.mark.parametrize("path, role", [("/", None), ("/tablette", "surveillant"), ("/console", "responsable"),
                                        ("/borne", None), ("/jury", None), ("/affichage", None),
                                        ("/secours", None)])
def test_each_page_runs_under_the_policy_without_a_violation(kiosk_live, chromium, path, role):
    runs_under_the_policy(kiosk_live, chromium, path, role)


@pytest.mark.browser
@pytest.mark.parametrize("path, role", [("/jury", "jury_j1"), ("/affichage", "affichage"), ("/tablette", "surveillant")])
def test_the_oral_pages_signed_in_run_under_the_policy_without_a_violation(oral_live, chromium, path, role):
    """On an oral day: the jury's page, the waiting room's screen and the waiting room's tablet, signed in."""
    runs_under_the_policy(oral_live, chromium, path, role)


def runs_under_the_policy(server, chromium, path: str, role: str | None) -> None:
    context = chromium.new_context(viewport={"width": 1280, "height": 1024}, locale="fr-FR")
    try:
        page = context.new_page()
        page.add_init_script(COLLECT)
        console = []
        page.on("console", lambda m: console.append(m.text) if "Content Security Policy" in m.text else None)
        response = page.goto(server.url + path)
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        if role:  # signed in, the page builds its screens (the console draws its seat maps) under the policy
            page.fill("#code", CODES[role])
            page.click("button[type=submit]")
            expect(page.locator("#app")).to_be_visible()
            if role == "responsable":  # a salle opened: its seat map drawn under the policy
                page.locator(".tile").first.click(timeout=10_000)
                expect(page.locator(".seats").first).to_be_visible(timeout=10_000)
        page.wait_for_load_state("networkidle")
        violations = page.evaluate("window.__violations || []")
        assert violations == [] and console == [], (violations, console)
    finally:
        context.close()


@pytest.mark.browser
def test_the_pv_downloads_from_the_console_under_the_policy(live, chromium):
    """The PV is fetched with the token and saved under its name (Content-Disposition), without a violation."""
    context = chromium.new_context(viewport={"width": 1280, "height": 1024}, locale="fr-FR", accept_downloads=True)
    try:
        console = []
        context.on("console", lambda m: console.append(m.text) if "Content Security Policy" in m.text else None)
        page = context.new_page()
        page.goto(live.url + "/console")
        page.fill("#code", CODES["responsable"])
        page.click("button[type=submit]")
        expect(page.locator(".tile").first).to_be_visible(timeout=10_000)
        page.click("#tab-documents")
        with page.expect_download() as got:
            page.click("#pv")
        assert got.value.suggested_filename == "PV-E1-PANTIN-2027-03-18.pdf"
        assert open(got.value.path(), "rb").read(5) == b"%PDF-"
        assert console == []
    finally:
        context.close()
