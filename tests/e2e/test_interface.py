"""Interface quality in the browser: small screens, navigation, htmx loading and failure states,
empty states, nothing from a CDN."""

import datetime
import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from objectives.models import KeyResult, Objective
from organizations.models import Organization, Period

from .conftest import csp_violations, sign_in

pytestmark = pytest.mark.e2e

PHONE = 375


def test_main_pages_fit_a_375_px_phone_without_sideways_scrolling(journey, demo):
    objective = Objective.objects.get(
        org__slug="acme", title="Build a stronger social-media presence"
    )
    kr = KeyResult.objects.get(org__slug="acme", title="Gain 1,000 relevant followers this quarter")
    pages = {
        "mia": ["/acme/my/", "/acme/", f"/acme/objectives/{objective.pk}/", f"/acme/krs/{kr.pk}/"],
        "erik": ["/acme/alignment/dashboard/", "/acme/alignment/", "/acme/explore/"],
        "admin": ["/acme/manage/people/", "/acme/checkins/schedules/"],
    }
    too_wide = []
    for persona, urls in pages.items():
        page = journey.new_page(width=PHONE, height=800)
        sign_in(page, f"{persona}@acme.example")
        for url in urls:
            page.goto(url)
            page.wait_for_load_state("networkidle")
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > PHONE:
                too_wide.append(f"{url}: {width}px")
            if url in ("/acme/my/", "/acme/alignment/dashboard/"):
                journey.shot(page, f"phone {url}")
        # The places stay reachable: in the menu (tests/e2e/test_phone.py follows each one).
        page.locator("details.navmenu > summary").click()
        nav = page.get_by_role("navigation", name="Main")
        expect(nav.get_by_role("link", name="My OKRs")).to_be_visible()
    assert not too_wide, too_wide


def test_navigation_shows_the_company_the_period_and_the_persons_places(journey, demo):
    page = journey.new_page()
    sign_in(page, "admin@acme.example")
    header = page.locator("header.topbar")
    expect(header).to_contain_text("Acme")
    nav = page.get_by_role("navigation", name="Main")
    for place in ["My OKRs", "Company", "Teams", "Explore", "Alignment", "Dashboard", "Admin"]:
        expect(nav.get_by_role("link", name=place, exact=True)).to_be_visible()
    expect(nav.get_by_role("link", name="My OKRs")).to_have_attribute("aria-current", "page")
    expect(page.get_by_label("Period")).to_be_visible()
    journey.shot(page, "admin navigation")

    member = journey.new_page()
    sign_in(member, "mia@acme.example")
    nav = member.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Alignment")).to_be_visible()
    expect(nav.get_by_role("link", name="Admin")).to_have_count(0)
    expect(nav.get_by_role("link", name="Dashboard")).to_have_count(0)


def test_a_failing_htmx_request_shows_a_visible_message(journey, demo):
    page = journey.new_page()
    sign_in(page, "mia@acme.example")
    error = page.locator("#htmx-error")
    expect(error).to_be_hidden()
    page.route(re.compile(r".*/krs/new/$"), lambda route: route.fulfill(status=500, body="boom"))
    add = page.get_by_role("link", name="+ Add key result").first
    add.click()
    expect(error).to_be_visible()
    expect(error).to_have_attribute("role", "alert")
    expect(error).to_contain_text("did not work (500)")
    expect(error).to_be_in_viewport()
    assert re.search(r"/acme/my/$", page.url), "an htmx link must not navigate away"
    journey.shot(page, "htmx error")

    # A network failure gets its own message; a request that works clears it.
    page.unroute(re.compile(r".*/krs/new/$"))
    page.route(re.compile(r".*/krs/new/$"), lambda route: route.abort())
    add.click()
    expect(error).to_contain_text("could not be reached")
    page.unroute(re.compile(r".*/krs/new/$"))
    add.click()
    expect(page.locator(".kr-new form").first).to_be_visible()
    expect(error).to_be_hidden()


def test_a_running_htmx_request_shows_a_loading_state(journey, demo):
    page = journey.new_page()
    sign_in(page, "mia@acme.example")
    held = []
    page.route(re.compile(r".*/krs/new/$"), lambda route: held.append(route))
    progress = page.locator("#htmx-progress")
    expect(progress).to_be_hidden()
    page.get_by_role("link", name="+ Add key result").first.click()
    expect(page.locator("html")).to_have_class(re.compile(r"\bhtmx-busy\b"))
    expect(progress).to_be_visible()
    expect(page.locator(".kr-new.htmx-request, .kr-new .htmx-request").first).to_be_attached()
    journey.shot(page, "loading")
    assert len(held) == 1
    held[0].continue_()
    expect(page.locator(".kr-new form").first).to_be_visible()
    expect(progress).to_be_hidden()
    expect(page.locator("html")).not_to_have_class(re.compile(r"\bhtmx-busy\b"))


def test_actions_flash_a_message_and_empty_states_say_what_to_do(journey, demo):
    page = journey.new_page()
    sign_in(page, "admin@acme.example")
    # An empty period: the pages explain the next step instead of showing a blank.
    acme = Organization.objects.get(slug="acme")
    empty_period = Period.objects.create(
        org=acme,
        kind="quarter",
        name="Far future quarter",
        start=datetime.date(2099, 1, 1),
        end=datetime.date(2099, 3, 31),
    )
    page.goto(f"/acme/my/?period={empty_period.pk}")
    expect(page.locator("#okr-list .empty")).to_contain_text("+ New objective")
    expect(page.locator("details.quick-new")).to_have_attribute("open", "")
    journey.shot(page, "empty my okrs")
    page.goto(f"/acme/?period={empty_period.pk}")
    expect(page.locator("main .empty-state").last).to_contain_text(
        "Write the first company objective"
    )
    page.goto(f"/acme/alignment/?period={empty_period.pk}")
    expect(page.locator("main .empty-state")).to_contain_text("My OKRs")

    page.goto("/acme/manage/company/themes/")
    page.get_by_label("Name").fill("Customer love")
    page.get_by_role("button", name="Add theme").click()
    flash = page.locator(".flashes .flash-success")
    expect(flash).to_be_visible()
    expect(page.locator(".flashes")).to_have_attribute("role", "status")
    journey.shot(page, "flash after action")


def test_pages_load_nothing_from_another_origin_and_break_no_csp_rule(journey, demo):
    page = journey.new_page()
    origins = set()
    page.on("request", lambda request: origins.add(urlsplit(request.url).netloc))
    sign_in(page, "erik@acme.example")
    for url in ["/acme/my/", "/acme/alignment/", "/acme/alignment/dashboard/", "/acme/explore/"]:
        page.goto(url)
        page.wait_for_load_state("networkidle")
    assert origins == {urlsplit(page.url).netloc}, origins
    assert csp_violations(page) == []
    errors = [line for line in page.console_log if line.startswith(("error", "pageerror"))]
    assert errors == [], errors
