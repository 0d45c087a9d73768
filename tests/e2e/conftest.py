"""Real-browser journeys: Debian's Chromium driven by Playwright against a live server.

Screenshots of key steps go to tests/e2e/artifacts/ (ignored by git); a failing journey
also leaves a Playwright trace there (open it with `playwright show-trace`).
"""

import io
import os
import re
from pathlib import Path

import pytest
from django.core.management import call_command

# Playwright's sync API runs an event loop in the test thread; Django's ORM refuses to run
# in a thread with a running loop unless told this is safe, as it is in these tests.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from playwright.sync_api import expect, sync_playwright  # noqa: E402

expect.set_options(timeout=10_000)

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).parent / "artifacts"
# `make screenshots` sets this to docs/screenshots: the README's gallery is what the
# journeys saw. Otherwise the gallery pictures go with the other artifacts.
GALLERY = Path(os.environ.get("SCREENSHOTS_DIR") or ARTIFACTS / "gallery")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def browser():
    assert Path(CHROMIUM).exists(), (
        f"{CHROMIUM} is missing: `make e2e-deps` installs Debian's chromium package"
    )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


def _slug(text):
    return re.sub(r"[^a-zA-Z0-9_-]+", "-", text)[:80]


class Journey:
    """Opens browser contexts for one test; numbers and saves its screenshots."""

    def __init__(self, browser, base_url, name):
        self.browser = browser
        self.base_url = base_url
        self.name = name
        self.contexts = []
        self.step = 0
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        for old in ARTIFACTS.glob(f"{_slug(name)}-*"):
            old.unlink()  # a previous run's steps (and trace) of this journey

    def new_page(self, width=1280, height=900):
        """A page in a fresh browser context (its own cookies: a second person)."""
        context = self.browser.new_context(
            base_url=self.base_url, viewport={"width": width, "height": height}
        )
        context.tracing.start(screenshots=True, snapshots=True)
        context.set_default_timeout(10_000)
        self.contexts.append(context)
        page = context.new_page()
        watch_console(page)
        return page

    def shot(self, page, label, full_page=True):
        self.step += 1
        path = ARTIFACTS / f"{_slug(self.name)}-{self.step:02d}-{_slug(label)}.png"
        # caret="initial": hiding the caret gives inputs an inline style that htmx's settling
        # then copies onto swapped-in nodes, which the strict CSP (rightly) reports.
        page.screenshot(path=str(path), full_page=full_page, caret="initial")
        watch_console(page).append(f"--- after step {self.step}: {label}")
        return path

    def gallery_shot(self, page, label):
        """The page as the README's gallery shows it: ``<label>-<width>.png``, the whole page."""
        GALLERY.mkdir(parents=True, exist_ok=True)
        width = page.viewport_size["width"]
        path = GALLERY / f"{_slug(label.replace(' ', '-'))}-{width}.png"
        page.screenshot(path=str(path), full_page=True, caret="initial")
        return path

    def close(self, failed):
        for index, context in enumerate(self.contexts):
            if failed:
                context.tracing.stop(path=str(ARTIFACTS / f"{_slug(self.name)}-trace-{index}.zip"))
            else:
                context.tracing.stop()
            context.close()


@pytest.fixture
def journey(browser, live_server, request):
    j = Journey(browser, live_server.url, request.node.name)
    yield j
    report = getattr(request.node, "rep_call", None)
    j.close(failed=bool(report and report.failed))


@pytest.fixture
def demo(transactional_db):
    """The demo company, as `make run` seeds it (password "demo")."""
    call_command("seed_demo", org="acme", people=16, password="demo", stdout=io.StringIO())
    return "acme"


def sign_in(page, email, password="demo"):
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("networkidle")


def watch_console(page):
    """Collects the page's console messages and script errors in ``page.console_log``."""
    if hasattr(page, "console_log"):
        return page.console_log
    log = []
    page.console_log = log
    page.on(
        "console",
        lambda message: log.append(
            f"{message.type}: {message.text} [{message.location.get('url', '')}"
            f":{message.location.get('lineNumber', '')}]"
        ),
    )
    page.on("pageerror", lambda error: log.append(f"pageerror: {error}"))
    return log


def csp_violations(page):
    """CSP messages, each with the step it followed (see ``Journey.shot``)."""
    found, step = [], "start"
    for line in page.console_log:
        if line.startswith("--- "):
            step = line
        elif "Content Security Policy" in line:
            found.append(f"{step}: {line}")
    return found
