"""Accessibility of the three pages people use, measured in headless Chromium at the sizes they use them:
every interactive element is at least 44×44 CSS px, text contrast is at least 4.5:1 (3:1 for large text) as
WCAG 2.1 AA asks, one visible h1 per page, and accessible names contain the visible label."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.helpers.api import start
from tests.helpers.browser import WedgeScanner
from tests.helpers.day import CODES, at

pytestmark = pytest.mark.browser

MEASURE = """() => {
  const visible = (e) => { const r = e.getBoundingClientRect(), s = getComputedStyle(e);
    return r.width > 0 && r.height > 0 && s.visibility !== "hidden" && s.display !== "none"; };
  const interactive = [...document.querySelectorAll(
    'button, a[href], input:not([type=hidden]), select, textarea, [tabindex]:not([tabindex="-1"]), [role=button]')];
  const small = interactive.filter(visible).filter((e) => { const r = e.getBoundingClientRect();
    return r.width < 44 - 0.5 || r.height < 44 - 0.5; })
    .map((e) => `${e.tagName.toLowerCase()}#${e.id || ""}[${(e.getAttribute("aria-label") || e.textContent || e.type
      || "").trim().slice(0, 25)}] ${Math.round(e.getBoundingClientRect().width)}×${Math.round(e.getBoundingClientRect().height)}`);

  const rgb = (c) => { const m = c.match(/[\\d.]+/g).map(Number); return { r: m[0], g: m[1], b: m[2], a: m.length > 3 ? m[3] : 1 }; };
  const lum = ({ r, g, b }) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  const background = (e) => { for (let n = e; n; n = n.parentElement) { const c = rgb(getComputedStyle(n).backgroundColor);
    if (c.a > 0.5) return c; } return { r: 255, g: 255, b: 255, a: 1 }; };
  const faint = (e) => { for (let n = e; n; n = n.parentElement) { if (Number(getComputedStyle(n).opacity) < 1) return true;
    if (n.disabled) return true; } return false; };  // inactive controls are exempt (WCAG 1.4.3)
  const low = [];
  for (const e of document.querySelectorAll("body *")) {
    if (!visible(e) || faint(e) || ![...e.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim())) continue;
    const s = getComputedStyle(e), fg = lum(rgb(s.color)), bg = lum(background(e));
    const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
    const size = parseFloat(s.fontSize), bold = Number(s.fontWeight) >= 700;
    const needed = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
    if (ratio < needed) low.push(`${e.tagName.toLowerCase()}#${e.id}.${e.className} « ${e.textContent.trim().slice(0, 30)} » ${ratio.toFixed(2)}:1`);
  }
  const h1 = [...document.querySelectorAll("h1")].filter(visible).length;
  const labels = [...document.querySelectorAll("button[aria-label]")].filter(visible).filter((b) => {
    const text = b.textContent.trim(); return text && !b.getAttribute("aria-label").includes(text); })
    .map((b) => `${b.textContent.trim()} ≠ ${b.getAttribute("aria-label")}`);
  return { small, low, h1, labels };
}"""


def check(page, where: str):
    found = page.evaluate(MEASURE)
    assert found["small"] == [], f"{where}: touch targets under 44×44 px: {found['small']}"
    assert found["low"] == [], f"{where}: text under the WCAG AA contrast: {found['low']}"
    assert found["h1"] == 1, f"{where}: {found['h1']} visible h1"
    assert found["labels"] == [], f"{where}: accessible names without the visible label: {found['labels']}"


@pytest.mark.parametrize("size", [(1024, 768), (768, 1024)], ids=["paysage", "portrait"])
def test_the_tablet_in_every_state(live, clock, chromium, size):
    context = chromium.new_context(viewport={"width": size[0], "height": size[1]}, locale="fr-FR")
    try:
        page = context.new_page()
        page.goto(live.url + "/tablette")
        check(page, "connexion")
        page.fill("#code", CODES["surveillant"])
        page.click("button[type=submit]")
        expect(page.locator("#net")).to_have_text("En ligne")
        check(page, "prête")
        rows = live.day.journal.query("SELECT numero FROM candidats WHERE salle = 'A01' AND pieces_manquantes = '' "
                                      "ORDER BY numero LIMIT 2")
        expect(page.locator("#counts")).to_contain_text("convoqués")
        WedgeScanner(page).scan(rows[0]["numero"])
        expect(page.locator("#pieces")).to_have_attribute("data-code", rows[0]["numero"])
        expect(page.locator("button[data-piece=aucune]")).to_be_enabled()
        check(page, "question de la pièce")
        page.click("button[data-piece=aucune]")
        expect(page.locator("#sel-etat")).to_contain_text("Présent")
        check(page, "admis sans pièce, fiche du candidat")
        start(clock, live.client("responsable"))
        clock.set(at("09:30"))
        page.reload()
        page.locator(f"#candidats tr[data-numero='{rows[0]['numero']}']").click()
        expect(page.locator("#act-emarge")).to_be_enabled()
        page.click("#act-emarge")
        check(page, "émargement")
        page.click("#em-cancel")
        page.click("#act-incident")
        page.select_option("#inc-type", "fraude")
        check(page, "rapport de fraude")
        page.click("#filtres button[data-filtre=present]")
        check(page, "liste filtrée")
    finally:
        context.close()


def test_the_console(live, chromium):
    context = chromium.new_context(viewport={"width": 1366, "height": 768}, locale="fr-FR")
    try:
        page = context.new_page()
        page.goto(live.url + "/console")
        check(page, "connexion")
        page.fill("#code", CODES["responsable"])
        page.click("button[type=submit]")
        expect(page.locator("#net")).to_have_text("Direct")
        live.client("surveillant").scan("A01", live.day.journal.one(
            "SELECT numero FROM candidats WHERE salle = 'A01' AND pieces_manquantes = '' LIMIT 1")["numero"], "aucune")
        expect(page.locator("#alertes .alert")).to_have_count(1)
        check(page, "console")
        page.click(".tile[data-salle=A01]")
        expect(page.locator("#sv-seats .seat").first).to_be_visible()
        page.click("#release-btn")
        check(page, "salle ouverte, plan et libération")
        page.click("#sv-close")
        page.click("#tab-personnel")
        expect(page.locator("#personnel table")).to_be_visible()
        check(page, "personnel et appareils")
    finally:
        context.close()


def test_the_borne(live, chromium):
    context = chromium.new_context(viewport={"width": 1080, "height": 1920}, locale="fr-FR", has_touch=True)
    try:
        page = context.new_page()
        page.goto(live.url + "/borne")
        page.wait_for_selector("#ecran-connexion:not([hidden])")
        check(page, "mise en service")
        for digit in CODES["kiosk"]:
            page.tap(f"#ecran-connexion [data-touche='{digit}']")
        page.tap("#valider-connexion")
        page.wait_for_selector("#ecran-accueil:not([hidden])")
        check(page, "accueil")
        page.tap("#choisir-nom")
        check(page, "nom et date de naissance")
        page.goto(live.url + "/borne")
        page.wait_for_selector("#ecran-accueil:not([hidden])")
        page.tap("#choisir-numero")
        check(page, "numéro")
    finally:
        context.close()
