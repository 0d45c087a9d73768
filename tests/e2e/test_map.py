"""The alignment map in Chromium: zoom, pan, open a box's children, click through; on a
laptop and on a phone, without sideways scrolling, axe clean and within the CSP."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from .conftest import csp_violations, sign_in
from .test_accessibility import BLOCKING, _describe

pytestmark = pytest.mark.e2e


def view_box(page):
    return [float(n) for n in page.locator("svg.map").get_attribute("viewBox").split()]


@pytest.mark.parametrize("width", [1280, 375])
def test_map_zooms_pans_opens_a_box_and_clicks_through(journey, demo, width):
    page = journey.new_page(width=width, height=900 if width > 400 else 812)
    sign_in(page, "mara@acme.example")
    page.goto("/acme/alignment/")
    page.get_by_role("link", name="Map view").click()
    expect(page).to_have_url(re.compile(r"/acme/alignment/map/\?period=\d+$"))
    the_map = page.get_by_role("group", name=re.compile(r"^Alignment map · "))
    expect(the_map).to_be_visible()
    expect(page.locator(".map-node").first).to_be_visible()
    expect(page.get_by_role("link", name="List view")).to_be_visible()
    journey.shot(page, f"map {width}")

    # Zoom in with the button: the view shows less of the map.
    before = view_box(page)
    page.get_by_role("button", name="Zoom in").click()
    zoomed = view_box(page)
    assert zoomed[2] < before[2] * 0.9
    # Drag to pan: the view moves with the pointer.
    frame = page.locator(".map-frame").bounding_box()
    x, y = frame["x"] + frame["width"] / 2, frame["y"] + frame["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x - 120, y - 40, steps=6)
    page.mouse.up()
    panned = view_box(page)
    assert panned[0] > zoomed[0] and panned[1] > zoomed[1]
    # The keyboard fits the whole map in view.
    page.get_by_role("button", name="Zoom out").focus()
    page.get_by_role("button", name="Fit").click()
    assert view_box(page)[2] >= before[2]

    # Open what aligns to Marketing's objective, by keyboard: it arrives below the map.
    toggle = page.get_by_role(
        "button",
        name=re.compile(r"^Show the \d+ objectives aligned to “Build a stronger social-media"),
    )
    count = int(re.search(r"\d+", toggle.get_attribute("aria-label")).group())
    toggle = page.locator(f'.map-toggle[data-parent="{toggle.get_attribute("data-parent")}"]')
    toggle.focus()
    page.keyboard.press("Enter")
    band = page.locator(".map-band")
    expect(band.locator(".map-node")).to_have_count(count)
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(toggle).to_have_attribute("aria-label", re.compile("^Hide the"))
    expect(page.locator("#map-status")).to_have_text(
        f"{count} aligned objectives shown below the map."
    )
    expect(band.locator("a.map-link").first).to_be_focused()
    expect(page.locator(".map-stem")).to_have_count(1)
    journey.shot(page, f"map opened {width}")
    scroll_width, inner = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
    assert scroll_width <= inner, f"{scroll_width} px wide at {width}"
    axe = Axe().run(page)
    problems = [_describe(v) for v in axe.response["violations"] if v["impact"] in BLOCKING]
    assert not problems, problems
    assert not csp_violations(page)

    # Click through to an objective of the band.
    target = band.get_by_role("link", name=re.compile(r"^Grow our APAC audience on social media"))
    target.focus()  # a box reached by Tab comes into view (on a phone it was off to the side)
    target.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Grow our APAC audience on social media"
    )


def test_without_javascript_a_boxs_number_opens_a_map_page_of_its_own(browser, live_server, demo):
    context = browser.new_context(
        base_url=live_server.url, java_script_enabled=False, viewport={"width": 1280, "height": 900}
    )
    try:
        page = context.new_page()
        sign_in(page, "mia@acme.example")
        page.goto("/acme/alignment/map/")
        expect(page.locator("[data-map-tools]")).to_be_hidden()  # the zoom buttons need JS
        page.locator(".map-toggle").first.click()
        expect(page).to_have_url(re.compile(r"/acme/alignment/map/objectives/\d+/$"))
        expect(page.get_by_role("heading", level=1)).to_contain_text("Map: what aligns to")
        expect(page.get_by_role("link", name=re.compile("Whole map"))).to_be_visible()
    finally:
        context.close()
