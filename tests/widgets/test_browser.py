"""Widgets in a real headless Chromium, embedded in a host page on another loopback origin.

The host page has a strict CSP with Trusted Types and hostile CSS; review names and texts carry an
XSS corpus whose payloads would set `window.__pwned`.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from sqlmodel import select

from advocado.web import create_app
from storage import Database, Mention, create_token, moderate
from storage.models import DisplayStatus
from tests.widgets.conftest import XSS, Shop, seed

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
KINDS = ("wall", "carousel", "badge", "quote")
HOSTILE_CSS = ("* { color: rgb(255, 0, 0) !important; font-family: serif !important; }\n"
               "blockquote, .card, .disclosure, h2 { display: none !important; }\n"
               "button { visibility: hidden !important; }\n"
               "[data-advocado-widget] { display: block; margin: 0 0 16px; }\n")
PIXEL = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                      "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed at /usr/bin/chromium "
                                                                "(.ci/run installs it with apt)")


def _port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Live:
    widget_base: str
    host_base: str
    shop: Shop
    pages: dict[str, tuple[str, bytes]]
    app: Any


@pytest.fixture
def live(db: Database) -> Iterator[Live]:
    shop = seed(db, xss=True)
    port = _port()
    app = create_app(shop.db, session_secret="browser")
    app.state.widget_cache.recheck_seconds = 0
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    pages: dict[str, tuple[str, bytes]] = {}

    class Host(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            content_type, body = pages.get(self.path, ("text/plain", b"not found"))
            self.send_response(200 if self.path in pages else 404)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args: Any) -> None:
            pass

    host = ThreadingHTTPServer(("127.0.0.1", 0), Host)
    host_thread = threading.Thread(target=host.serve_forever, daemon=True)
    host_thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield Live(f"http://127.0.0.1:{port}", f"http://127.0.0.1:{host.server_address[1]}", shop, pages, app)
    host.shutdown()
    host.server_close()
    server.should_exit = True
    thread.join(timeout=10)


def _strict_page(live: Live, ids: dict[str, str]) -> str:
    base = live.widget_base
    policy = (f"default-src 'none'; script-src {base}; connect-src {base}; img-src https: data:; style-src 'self'; "
              "require-trusted-types-for 'script'; trusted-types advocado")
    heights = "".join(f'[data-advocado-widget="{wid}"] {{ height: {h}px; }}\n'
                      for wid, h in ((ids["wall"], 520), (ids["carousel"], 300), (ids["badge"], 64), (ids["quote"], 240)))
    live.pages["/host.css"] = ("text/css", (HOSTILE_CSS + heights).encode())
    blocks = "".join(f'<h3>{kind}</h3><div data-advocado-widget="{ids[kind]}" data-height="0"></div><p class="below">after {kind}</p>'
                     for kind in KINDS)
    html = (f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
            f'<meta http-equiv="Content-Security-Policy" content="{policy}"><title>Host</title>'
            f'<link rel="stylesheet" href="/host.css"></head><body><h1>A customer site</h1>{blocks}'
            f'<script async src="{base}/widget.js"></script></body></html>')
    live.pages["/strict.html"] = ("text/html", html.encode())
    return f"{live.host_base}/strict.html"


def _browser(playwright: Any) -> Any:
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)


def _watch(page: Any) -> list[str]:
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.route("https://img.example/**", lambda route: route.fulfill(status=200, content_type="image/png", body=PIXEL))
    return problems


def _widgets(live: Live) -> dict[str, str]:
    featured = [live.shop.ids["tc_ok"], live.shop.ids["a3"], live.shop.ids["a1"]]
    ids = {kind: live.shop.widget(kind=kind, size=6) for kind in ("wall", "badge")}
    ids["carousel"] = live.shop.widget(kind="carousel", mode="featured", featured_ids=featured, theme="dark",
                                       colors={"accent": "#0a7", "font": "Georgia, serif"})
    ids["quote"] = live.shop.widget(kind="quote", mode="featured", featured_ids=[live.shop.ids["tc_ok"]])
    return ids


def test_every_kind_renders_safely_under_a_strict_csp_without_layout_shift(live: Live) -> None:
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    ids = _widgets(live)
    url = _strict_page(live, ids)
    with sync_api.sync_playwright() as playwright:
        browser = _browser(playwright)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 2400})
            problems = _watch(page)
            page.goto(url)
            page.wait_for_function("() => document.querySelectorAll('[data-advocado-rendered]').length === 4", timeout=15000)
            for kind in KINDS:
                assert page.get_attribute(f'[data-advocado-widget="{ids[kind]}"]', "data-advocado-rendered") == kind

            wall = page.locator(f'[data-advocado-widget="{ids["wall"]}"]')
            assert wall.locator("article.card").count() == 6
            assert wall.locator("p.disclosure").inner_text() == "Showing 6 of 7 reviews, average 3.6"
            texts = " ".join(wall.locator("blockquote").all_inner_texts() + wall.locator("strong").all_inner_texts())
            assert any(payload.strip() in texts for payload in XSS), "the payloads are shown as text"
            assert page.evaluate("window.__pwned") is None
            for attribute in ("onerror", "onload"):
                assert page.evaluate(f"""() => [...document.querySelectorAll('[data-advocado-widget]')]
                    .flatMap(h => [...h.shadowRoot.querySelectorAll('[{attribute}], script, iframe, svg')]).length""") == 0

            # host CSS does not leak in: texts keep the widget's colours and fonts and stay visible
            style = page.evaluate(f"""() => {{
                const q = document.querySelector('[data-advocado-widget="{ids["quote"]}"]').shadowRoot.querySelector('blockquote');
                const s = getComputedStyle(q); return [s.color, s.display, s.fontFamily]; }}""")
            assert style[0] == "rgb(27, 27, 31)" and style[1] == "block" and "serif" != style[2].strip()
            assert page.locator(f'[data-advocado-widget="{ids["quote"]}"] figure').inner_text().count("Dana Consent") == 1

            carousel = page.locator(f'[data-advocado-widget="{ids["carousel"]}"]')
            assert carousel.locator("h2").inner_text() == "Selected testimonials"
            assert carousel.locator("button").all_inner_texts() == ["Previous", "Pause", "Next"]
            assert page.evaluate(f"""getComputedStyle(document.querySelector('[data-advocado-widget="{ids["carousel"]}"]')
                .shadowRoot.querySelector('.stars')).color""") == "rgb(0, 170, 119)"
            badge = page.locator(f'[data-advocado-widget="{ids["badge"]}"]')
            assert badge.locator(".label").inner_text() == "Rated 3.6 out of 5 from 7 reviews"

            shift = page.evaluate("""() => new Promise(done => {
                let total = 0, entries = 0;
                const add = list => list.forEach(e => { total += e.value; entries += 1; });
                const observer = new PerformanceObserver(list => add(list.getEntries()));
                observer.observe({type: 'layout-shift', buffered: true});
                setTimeout(() => { add(observer.takeRecords()); observer.disconnect(); done(total); }, 300); })""")
            assert shift == 0
            heights = page.evaluate("""() => [...document.querySelectorAll('[data-advocado-widget]')]
                .map(h => Math.round(h.getBoundingClientRect().height))""")
            assert heights == [520, 300, 64, 240]
            assert problems == []
        finally:
            browser.close()


def _carousel_page(live: Live, wid: str) -> str:
    html = (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Carousel</title></head><body>'
            f'<div data-advocado-widget="{wid}" data-height="300" style="height:300px"></div>'
            f'<script async src="{live.widget_base}/widget.js"></script></body></html>')
    live.pages["/carousel.html"] = ("text/html", html.encode())
    return f"{live.host_base}/carousel.html"


@pytest.mark.parametrize("reduced", [False, True])
def test_carousel_rotates_only_without_reduced_motion_and_pauses_on_hover(live: Live, reduced: bool) -> None:
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    wid = live.shop.widget(kind="carousel", size=4)
    url = _carousel_page(live, wid)
    with sync_api.sync_playwright() as playwright:
        browser = _browser(playwright)
        try:
            page = browser.new_page()
            problems = _watch(page)
            page.emulate_media(reduced_motion="reduce" if reduced else "no-preference")
            page.clock.install()
            page.goto(url)
            page.wait_for_selector(f'[data-advocado-widget="{wid}"][data-advocado-rendered]')
            slides = page.locator(f'[data-advocado-widget="{wid}"] .slides')
            assert slides.get_attribute("aria-roledescription") == "carousel"
            assert page.locator(f'[data-advocado-widget="{wid}"] .slide').first.get_attribute("aria-label") == "1 of 4"
            page.mouse.move(1200, 700)
            page.clock.run_for(7500)
            if reduced:
                assert slides.get_attribute("data-current") == "0" and slides.get_attribute("data-playing") == "false"
                assert page.locator(f'[data-advocado-widget="{wid}"] button.pause').inner_text() == "Play"
                page.click(f'[data-advocado-widget="{wid}"] button.next')
                assert slides.get_attribute("data-current") == "1"
            else:
                assert slides.get_attribute("data-current") == "1"
                slides.hover()
                assert slides.get_attribute("data-playing") == "false"
                page.clock.run_for(30000)
                assert slides.get_attribute("data-current") == "1"
                page.mouse.move(1200, 700)
                page.click(f'[data-advocado-widget="{wid}"] button.pause')
                page.mouse.move(1200, 700)
                page.evaluate("document.activeElement && document.activeElement.blur()")
                assert page.locator(f'[data-advocado-widget="{wid}"] button.pause').inner_text() == "Play"
                page.clock.run_for(30000)
                assert slides.get_attribute("data-current") == "1"
            assert problems == []
        finally:
            browser.close()


def test_iframe_mode_resizes_and_ignores_messages_from_other_origins(live: Live) -> None:
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    wid = live.shop.widget(kind="wall", size=6)
    src = f"{live.widget_base}/w/{wid}/frame?origin={live.host_base}"
    html = (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Frame</title></head><body>'
            f'<iframe data-advocado-frame="{wid}" src="{src}" title="Customer reviews" '
            f'sandbox="allow-scripts allow-same-origin allow-popups" style="width:900px;height:100px;border:0"></iframe>'
            f'<iframe id="rogue" data-advocado-frame="{wid}" src="/rogue.html" style="height:50px"></iframe>'
            f'<script async src="{live.widget_base}/widget.js"></script></body></html>')
    live.pages["/frame.html"] = ("text/html", html.encode())
    live.pages["/rogue.js"] = ("text/javascript", (
        "setInterval(() => parent.postMessage({type: 'advocado:resize', id: '" + wid + "', height: 41}, '*'), 20);").encode())
    live.pages["/rogue.html"] = ("text/html", b'<!doctype html><title>rogue</title><script src="/rogue.js"></script>')
    with sync_api.sync_playwright() as playwright:
        browser = _browser(playwright)
        try:
            page = browser.new_page()
            problems = _watch(page)
            page.goto(f"{live.host_base}/frame.html")
            page.wait_for_function("() => parseInt(document.querySelector('iframe[title]').style.height) > 150", timeout=15000)
            frame = page.frame_locator("iframe[title='Customer reviews']")
            frame.locator("[data-advocado-rendered]").wait_for()
            inner = page.frame(url=lambda u: "/frame?" in u).evaluate("Math.ceil(document.body.getBoundingClientRect().height)")
            page.wait_for_function(f"() => document.querySelector('iframe[title]').style.height === '{inner}px'")
            forged = page.evaluate(f"""() => new Promise(done => {{
                window.postMessage({{type: 'advocado:resize', id: '{wid}', height: 41}}, '*');
                setTimeout(() => done(document.querySelector('iframe[title]').style.height), 200); }})""")
            assert forged == f"{inner}px"
            assert page.evaluate("document.getElementById('rogue').style.height") == "50px"
            assert page.evaluate("window.__pwned") is None
            assert problems == []
        finally:
            browser.close()


def test_a_new_user_embeds_a_widget_and_a_customer_testimonial_appears_after_approval(live: Live) -> None:
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    with live.shop.db.write() as session:
        _, token = create_token(session, "owner")
    clock = [1_800_000_000.0]
    live.app.state.form_guards.stamp.clock = lambda: clock[0]
    with sync_api.sync_playwright() as playwright:
        browser = _browser(playwright)
        try:
            page = browser.new_page()
            problems = _watch(page)
            page.goto(f"{live.widget_base}/login")
            page.fill("input[name=token]", token)
            page.click("button[type=submit]")
            page.click("nav >> text=Widgets")
            page.select_option("#new-widget select[name=kind]", "wall")
            page.click("#new-widget button[type=submit]")
            page.wait_for_selector("#preview[data-advocado-rendered=wall]")
            page.select_option("#widget-settings select[name=kind]", "badge")
            page.wait_for_selector("#preview[data-advocado-rendered=badge]")
            assert page.locator("#preview .label").inner_text() == "Rated 3.6 out of 5 from 7 reviews"
            page.select_option("#widget-settings select[name=kind]", "wall")
            page.wait_for_selector("#preview[data-advocado-rendered=wall]")
            embed = page.locator("textarea.embed").first.input_value()
            form_url = page.locator("a[href*='/t/']").get_attribute("href")
            assert problems == []

            live.pages["/plain.html"] = ("text/html", f"<!doctype html><title>Plain</title><h1>Our shop</h1>{embed}".encode())
            page.goto(f"{live.host_base}/plain.html")
            page.wait_for_selector("[data-advocado-rendered=wall]")
            assert page.locator("[data-advocado-widget] .disclosure").inner_text() == "Showing 7 of 7 reviews, average 3.6"

            customer = browser.new_page()
            customer.goto(form_url)
            clock[0] += 30
            customer.check("input[name=rating][value='5']")
            customer.fill("#text", "Setup took ten minutes and the reports are clear.")
            customer.fill("#name", "Robin Customer")
            customer.check("input[name=consent]")
            customer.click("button[type=submit]")
            customer.wait_for_selector("#thanks")

            fresh = browser.new_page()
            fresh.goto(f"{live.host_base}/plain.html")
            fresh.wait_for_selector("[data-advocado-rendered=wall]")
            shown = fresh.locator("[data-advocado-widget] .cards").inner_text()
            assert "Dana Consent" in shown and "Robin Customer" not in shown
            with live.shop.db.write() as session:
                mention = session.exec(select(Mention).where(Mention.author_name == "Robin Customer")).one()
                assert mention.status == "pending"
                moderate(session, [mention.id or 0], status=DisplayStatus.approved)
            after = browser.new_context().new_page()
            after.goto(f"{live.host_base}/plain.html")
            after.wait_for_selector("[data-advocado-rendered=wall]")
            assert "Robin Customer" in after.locator("[data-advocado-widget] .cards").inner_text()
            assert after.locator("[data-advocado-widget] .disclosure").inner_text() == "Showing 8 of 8 reviews, average 3.8"
            assert problems == []
        finally:
            browser.close()
