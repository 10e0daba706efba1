"""The page in a real browser (Debian chromium via Playwright): every main flow, screenshots kept, and no
request to a host off this machine."""

import io
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from docx import Document as DocxDocument

from tests.test_server_mode import free_port

pytestmark = pytest.mark.slow
ARTIFACTS = Path(__file__).parent / "artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
LOOPBACK = ("http://127.0.0.1", "data:", "blob:", "about:")


EGRESS_LOG: list[Path] = []


@pytest.fixture(scope="module")
def app_url(index_settings, tmp_path_factory):
    port = free_port()
    egress = tmp_path_factory.mktemp("browser") / "egress.log"
    EGRESS_LOG.append(egress)
    env = {
        **os.environ,
        "SCHOOLOT_DATA_DIR": str(index_settings.data_dir),
        "SCHOOLOT_PORT": str(port),
        "SCHOOLOT_NET_GUARD_LOG": str(egress),  # the app under the guard records any attempt to leave
    }
    process = subprocess.Popen(
        [sys.executable, "app.py"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            break
        except OSError:
            time.sleep(0.5)
    yield url
    process.terminate()
    process.wait(timeout=20)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield chromium
        chromium.close()


class Recorder:
    """Screenshots per step, click-to-render timings, and every request the page made."""

    def __init__(self, page):
        self.page, self.timings, self.requests, self.blocked = page, {}, [], []
        page.on("request", lambda request: self.requests.append(request.url))
        # Anything the page's own content security policy refused (the app's own page must need none of it).
        page.on("console", lambda m: self.blocked.append(m.text) if "Content Security Policy" in m.text else None)
        ARTIFACTS.mkdir(exist_ok=True)

    def shot(self, name: str) -> None:
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    def timed(self, name: str, click: str, until: str, text: str) -> None:
        started = time.perf_counter()
        self.page.click(click)
        self.page.wait_for_function(
            "([sel, txt]) => (document.querySelector(sel)?.innerText || '').includes(txt)",
            arg=[until, text],
            timeout=30_000,
        )
        self.timings[name] = round((time.perf_counter() - started) * 1000, 1)
        self.shot(name)


def test_the_main_flows_in_a_real_browser(app_url, browser, tmp_path):
    page = browser.new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    rec = Recorder(page)
    page.goto(app_url)
    page.wait_for_selector("#chat-input textarea")
    assert "Offline mode" in page.inner_text("#mode-banner")
    rec.shot("01-open")

    page.fill("#chat-input textarea", "Can I work on shoe tying with a kindergartner at school?")
    rec.timed("02-scope-in-chat", "#chat-send", "#chat-card", "Verdict:")
    # the answer's sources are listed by their corpus ids, e.g. "(domain-self-care)"
    page.wait_for_function(
        "() => /\\([a-z0-9]+(-[a-z0-9]+)+\\)/.test(document.querySelector('#sources-text')?.innerText || '')"
    )

    page.fill("#chat-input textarea", "Write a goal for a 2nd grader who tires after 2 sentences; she loves the ocean")
    rec.timed("03-goal-in-chat", "#chat-send", "#chat-card", "Objectives")
    understood = page.inner_text("#chat-card")
    assert "What I understood" in understood and "2nd grade" in understood and "tires after 2 sentences" in understood
    assert "What is the student's first name?" in understood
    page.fill("#chat-input textarea", "make it 3 of 4 weekly writing samples")
    rec.timed("04-goal-edited", "#chat-send", "#chat-card", "in 3 of 4 weekly writing samples")

    with page.expect_download(timeout=30_000) as download:
        page.click("#export-docx")  # one click (tests/test_page_ux.py holds every export to it)
    saved = tmp_path / "draft.docx"
    download.value.save_as(saved)
    text = "\n".join(p.text for p in DocxDocument(io.BytesIO(saved.read_bytes())).paragraphs)
    assert "in 3 of 4 weekly writing samples" in text and "Data sheet" in text
    rec.shot("05-exported")

    page.reload()
    page.wait_for_function("() => (document.querySelector('#chat-card')?.innerText || '').includes('3 of 4')")
    assert "make it 3 of 4" in page.inner_text("#chatbot")
    rec.shot("06-after-reload")

    page.click("button[role=tab]:has-text('Goal checker')")
    page.fill("#checker-input textarea", "Student will improve fine motor skills.")
    rec.timed("07-goal-checker", "#checker-go", "#checker-table", "Not measurable")
    assert "[" in page.input_value("#checker-rewrite textarea")

    page.click("button[role=tab]:has-text('Goal writer')")
    page.fill("#writer-input textarea", "Liam, gr 2, copies 6 words from the board in 5 minutes; needs verbal cues")
    rec.timed("08-goal-writer", "#writer-go", "#writer-goal", "What I understood")
    page.wait_for_function("() => document.querySelector('#fact-name textarea')?.value === 'Liam'")
    assert "Liam will" in page.inner_text("#writer-goal")
    page.fill("#fact-name textarea", "Nora")
    rec.timed("09-goal-writer-corrected", "#writer-redraft", "#writer-goal", "Nora will")
    assert "corrected by the OT" in page.inner_text("#writer-goal")

    page.click("button[role=tab]:has-text('Session planner')")
    page.fill(
        "#plan-goals textarea",
        "By the annual IEP review, during journal writing, Maya will write 3 sentences "
        "with 80% of letters on the line in 4 of 5 weekly samples, as measured by work samples.",
    )
    rec.timed("10-session-plan", "#plan-go", "#plan-out", "Minutes")

    page.click("button[role=tab]:has-text('Chat')")
    page.click("#new-student")  # a new student starts clean: chat, profile and drafts cleared
    page.wait_for_function("() => (document.querySelector('#chat-card')?.innerText || '').includes('New student')")
    assert "make it 3 of 4" not in page.inner_text("#chatbot")
    rec.shot("11a-new-student")
    page.click("#clear-drafts")
    page.click("#clear-yes")  # clearing asks first
    page.wait_for_function("() => !(document.querySelector('#chat-card')?.innerText || '').includes('3 of 4')")
    page.reload()
    page.wait_for_selector("#chat-input textarea")
    page.wait_for_timeout(1500)
    assert "make it 3 of 4" not in page.inner_text("#chatbot")
    rec.shot("11-cleared")

    page.set_viewport_size({"width": 820, "height": 1100})
    rec.shot("12-tablet-width")
    offsite = [url for url in rec.requests if not url.startswith(LOOPBACK)]
    (ARTIFACTS / "timings.json").write_text(json.dumps(rec.timings, indent=2))
    print("click-to-render ms:", rec.timings)
    assert offsite == []
    assert rec.blocked == [], rec.blocked  # the CSP allows everything the app itself does


def test_typed_images_never_fetch_another_address_and_the_csp_blocks_them_anyway(app_url, browser):
    """The red-team's shape: Markdown and HTML images typed into fields were fetched from their URLs."""
    import http.server
    import threading

    hits: list[str] = []

    class Pixel(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), Pixel)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    other = f"http://127.0.0.1:{server.server_address[1]}"  # another port: another origin
    try:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        violations: list[str] = []
        page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
        response = page.goto(app_url)
        assert "img-src 'self'" in (response.headers.get("content-security-policy") or "")
        page.wait_for_selector("#chat-input textarea")
        typed = f'Is handwriting OT? ![a]({other}/md.png) <img src="{other}/html.png"> <video poster="{other}/v.png">'
        page.fill("#chat-input textarea", typed)
        page.click("#chat-send")
        page.wait_for_function("() => (document.querySelector('#chat-card')?.innerText || '').length > 20")
        page.click("button[role=tab]:has-text('Goal writer')")
        page.fill("#writer-input textarea", f"Maya, 2nd grade, copies 6 words ![b]({other}/writer.png)")
        page.click("#writer-go")
        page.wait_for_function("() => (document.querySelector('#writer-goal')?.innerText || '').length > 20")
        page.wait_for_timeout(1000)
        remote = page.evaluate(f'() => document.querySelectorAll(\'[src^="{other}"], [poster^="{other}"]\').length')
        assert hits == [] and remote == 0 and "html.png" in page.inner_text("#chatbot")  # shown as text
        # Even an image put into the page some other way is refused by the policy, not fetched.
        page.evaluate(f"() => {{ const i = new Image(); i.src = '{other}/injected.png'; document.body.append(i); }}")
        page.wait_for_timeout(1000)
        assert hits == [] and any("img-src" in v for v in violations), violations
        page.close()
    finally:
        server.shutdown()


def test_every_named_endpoint_answers_through_gradio_client(app_url):
    from gradio_client import Client

    client = Client(app_url, verbose=False)
    goal = client.predict("4th grader, letters all over the line, 40% on the line", api_name="/goal")
    assert goal["review"]["measurable"] and "40%" in goal["goal_text"]
    review = client.predict("Student will improve handwriting.", api_name="/review")
    assert review["measurable"] is False and review["suggested_rewrite"]
    scope = client.predict("Can the school OT diagnose my son with autism?", api_name="/scope")
    assert scope["verdict"] == "out_of_scope"
    plan = client.predict([goal["goal_text"]], 30, "push-in", "space", "3_5", api_name="/plan")
    assert sum(a["minutes"] for a in plan["activities"]) == 30


def test_the_app_behind_the_browser_never_tried_to_leave_the_machine(app_url):
    assert not EGRESS_LOG[0].exists(), EGRESS_LOG[0].read_text()
