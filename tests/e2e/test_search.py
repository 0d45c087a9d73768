"""The navigation's search box in a real browser: as you type, by keyboard, on a phone."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from objectives.models import Objective

from .conftest import csp_violations, sign_in

pytestmark = pytest.mark.e2e

PHONE = 375
BOX = "Search objectives, key results, people and teams"


def serious_axe_violations(page):
    return [
        f"{v['id']}: {v['help']} {[n['target'] for n in v['nodes'][:3]]}"
        for v in Axe().run(page).response["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


def test_typing_in_the_navigation_finds_and_opens_an_objective(journey, demo):
    objective = Objective.objects.get(
        org__slug="acme", title="Build a stronger social-media presence"
    )
    page = journey.new_page(width=1280)
    sign_in(page, "mia@acme.example")
    page.goto("/acme/my/")
    box = page.get_by_label(BOX)
    box.press_sequentially("social", delay=40)
    results = page.locator("#nav-search-results")
    found = results.get_by_role("link", name=objective.title)
    expect(found).to_be_visible()
    expect(results.get_by_role("heading", name="Key results")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="result")).to_be_attached()
    journey.shot(page, "dropdown at 1280", full_page=False)
    assert serious_axe_violations(page) == []
    # Arrow keys walk the list; Escape closes it and returns to the box.
    box.press("ArrowDown")
    expect(results.get_by_role("link").first).to_be_focused()
    page.keyboard.press("Escape")
    expect(results).to_be_hidden()
    expect(box).to_be_focused()
    box.press("ArrowDown")  # opens it again, on the first result
    expect(results.get_by_role("link").first).to_be_focused()
    found.click()
    expect(page).to_have_url(re.compile(rf"/acme/objectives/{objective.pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(objective.title)
    # Enter sends the plain form: the results page.
    page.get_by_label(BOX).fill("marketing")
    page.get_by_label(BOX).press("Enter")
    expect(page).to_have_url(re.compile(r"/acme/search/\?q=marketing$"))
    expect(page.get_by_role("heading", name="Teams")).to_be_visible()
    expect(
        page.get_by_role("main").get_by_role("link", name="Marketing", exact=True)
    ).to_be_visible()
    journey.shot(page, "results page at 1280")
    assert serious_axe_violations(page) == []
    assert csp_violations(page) == []


def test_ctrl_k_focuses_the_search_box(journey, demo):
    page = journey.new_page(width=1280)
    sign_in(page, "mia@acme.example")
    page.goto("/acme/explore/")
    box = page.get_by_label(BOX)
    expect(box).not_to_be_focused()
    page.keyboard.press("Control+k")
    expect(box).to_be_focused()
    page.keyboard.type("mia")
    expect(
        page.locator("#nav-search-results").get_by_role("heading", name="People")
    ).to_be_visible()
    assert csp_violations(page) == []


def test_search_works_on_a_375_px_phone_without_sideways_scrolling(journey, demo):
    page = journey.new_page(width=PHONE, height=800)
    sign_in(page, "mia@acme.example")
    page.goto("/acme/my/")
    box = page.get_by_label(BOX)
    expect(box).to_be_visible()
    box.focus()
    expect(box).to_be_focused()
    box.press_sequentially("grow", delay=40)
    results = page.locator("#nav-search-results")
    expect(results.get_by_role("link").first).to_be_visible()
    journey.shot(page, "dropdown at 375", full_page=False)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/acme/search/\?q=grow$"))
    expect(page.get_by_role("heading", name="Search", level=1)).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE
    journey.shot(page, "results page at 375")
    assert csp_violations(page) == []
