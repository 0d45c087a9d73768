"""Phones: every main page at 375 px, without sideways scrolling, its navigation in a menu."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import sign_in
from .test_accessibility import main_pages

pytestmark = pytest.mark.e2e

PHONE = {"width": 375, "height": 812}
EVERYONE = ["My OKRs", "Company", "Teams", "Explore", "Alignment", "This week"]
PLACES = {
    "My OKRs": r"/acme/my/$",
    "Company": r"/acme/$",
    "Teams": r"/acme/teams/$",
    "Explore": r"/acme/explore/$",
    "Alignment": r"/acme/alignment/$",
    "This week": r"/acme/checkins/feed/$",
    "Dashboard": r"/acme/alignment/dashboard/$",
    "Admin": r"/acme/manage/people/$",
}

# What sticks out past the screen's right edge (for the failure message).
WIDER_THAN_SCREEN = """() => {
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.width && r.right > window.innerWidth + 0.5) {
      const name = typeof el.className === 'string' ? el.className.trim() : '';
      out.push(el.tagName.toLowerCase() + (name ? '.' + name.split(/\\s+/).join('.') : '')
        + ' right=' + Math.round(r.right));
    }
  }
  return out.slice(0, 6);
}"""


def phone_page(journey, persona):
    page = journey.new_page(**PHONE)
    if persona:
        sign_in(page, f"{persona}@acme.example")
    return page


def test_every_main_page_fits_a_phone_without_sideways_scrolling(journey, demo):
    pages, problems, checked = {}, [], 0
    for persona, label, url in main_pages():
        if persona not in pages:
            pages[persona] = phone_page(journey, persona)
        page = pages[persona]
        response = page.goto(url)
        page.wait_for_load_state("networkidle")
        assert response.status == 200, (label, url, response.status)
        journey.gallery_shot(page, label)
        explain = page.locator("main details.explain > summary")
        if explain.count():
            explain.first.click()  # "how?": the progress table unfolds within the screen too
        scroll_width, inner_width = page.evaluate(
            "[document.documentElement.scrollWidth, window.innerWidth]"
        )
        assert inner_width == 375
        if scroll_width > inner_width:
            problems.append(
                f"{label} ({url}) is {scroll_width} px wide: {page.evaluate(WIDER_THAN_SCREEN)}"
            )
        if url.startswith("/acme/"):
            # The inline links give way to the menu; the menu starts closed.
            expect(page.locator("nav.mainnav")).to_be_hidden()
            expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
            expect(page.locator("details.navmenu > summary")).to_be_visible()
        journey.shot(page, label)
        checked += 1
    assert checked == len(main_pages())
    assert not problems, "\n".join(problems)


def test_tables_become_cards_whose_cells_say_what_they_are(journey, demo):
    page = phone_page(journey, "admin")
    page.goto("/acme/manage/people/")
    row = page.locator("table.table-stack tbody tr").first
    header = page.locator("table.table-stack thead")
    expect(header).to_have_count(1)
    # The column headings are for screen readers only; each cell carries its label.
    assert header.bounding_box()["height"] <= 1
    cell = row.locator("td[data-label]").first
    label = cell.evaluate("td => getComputedStyle(td, '::before').content")
    assert label.strip('"') == cell.get_attribute("data-label") != ""
    box = row.bounding_box()
    assert box["width"] <= 375
    # One card per row: the row's cells sit one under another.
    cells = row.locator("td:visible")
    assert cells.count() >= 2
    first, second = cells.nth(0).bounding_box(), cells.nth(1).bounding_box()
    assert second["y"] >= first["y"] + first["height"] - 1
    journey.shot(page, "people as cards")


@pytest.mark.parametrize(
    "persona,places",
    [("admin", EVERYONE + ["Dashboard", "Admin"]), ("mia", EVERYONE)],
)
def test_the_phone_menu_reaches_every_place(journey, demo, persona, places):
    page = phone_page(journey, persona)
    page.goto("/acme/my/")
    menu = page.locator("details.navmenu")
    summary = menu.locator("summary")
    links = page.get_by_role("navigation", name="Main").get_by_role("link")
    for place in places:
        # Opened by keyboard: the summary takes the focus and Enter opens it.
        summary.focus()
        page.keyboard.press("Enter")
        expect(menu).to_have_attribute("open", "")
        expect(links).to_have_text(places)
        link = links.filter(has_text=re.compile(f"^{place}$"))
        expect(link).to_be_in_viewport()
        if place == "My OKRs" and page.url.endswith("/acme/my/"):
            journey.shot(page, "menu open")
        link.click()
        expect(page).to_have_url(re.compile(PLACES[place]))
        # The page it opened is marked current in the (closed) menu.
        expect(menu).not_to_have_attribute("open", "")
        current = menu.locator("a[aria-current=page]")
        expect(current).to_have_count(1)
        expect(current).to_have_text(place)
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= 375, (place, scroll_width)


def test_wide_screens_keep_the_inline_navigation(journey, demo):
    page = journey.new_page()
    sign_in(page, "mia@acme.example")
    expect(page.locator("nav.mainnav")).to_be_visible()
    expect(page.locator("details.navmenu")).to_be_hidden()
    expect(page.get_by_role("navigation", name="Main").get_by_role("link")).to_have_text(EVERYONE)


def test_escape_or_a_tap_outside_closes_the_phone_menu(journey, demo):
    page = phone_page(journey, "mia")
    page.goto("/acme/teams/")
    menu = page.locator("details.navmenu")
    summary = menu.locator("summary")
    summary.click()
    expect(menu.get_by_role("link", name="Explore")).to_be_visible()
    page.keyboard.press("Escape")
    expect(menu).not_to_have_attribute("open", "")
    expect(summary).to_be_focused()
    summary.click()
    expect(menu).to_have_attribute("open", "")
    page.mouse.click(200, 700)  # on the page, below the open menu
    expect(menu).not_to_have_attribute("open", "")
    # The account links are in the menu too: a phone has no room for them beside it.
    summary.click()
    expect(page.locator(".usernav")).to_be_hidden()
    expect(menu.get_by_role("link", name=re.compile("Your settings"))).to_be_visible()
    expect(menu.get_by_role("button", name="Sign out")).to_be_visible()
    journey.shot(page, "menu with account links")


# Below this width the places move into the menu (static/css/phone.css).
MENU_BELOW = 1100


@pytest.mark.parametrize("width", [480, 660, 900, 1024, 1280])
def test_in_between_widths_fit_too(journey, demo, width):
    page = journey.new_page(width=width, height=900)
    sign_in(page, "admin@acme.example")
    for url in ["/acme/my/", "/acme/alignment/dashboard/", "/acme/manage/people/"]:
        page.goto(url)
        page.wait_for_load_state("networkidle")
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= width, (url, scroll_width, page.evaluate(WIDER_THAN_SCREEN))
    # Every place is on screen: in the header itself where they fit on one line, else in the menu.
    nav = page.get_by_role("navigation", name="Main")
    if width <= MENU_BELOW:
        page.locator("details.navmenu > summary").click()
    for place in PLACES:
        link = nav.get_by_role("link", name=place, exact=True)
        expect(link).to_be_in_viewport()
        box = link.bounding_box()
        assert box["height"] < 60, (place, box)  # one line each
    if width > MENU_BELOW:
        tops = {
            round(nav.get_by_role("link", name=p, exact=True).bounding_box()["y"]) for p in PLACES
        }
        assert len(tops) == 1, tops  # all on one row
        # ...and the whole bar is that one row: search, inbox and the account menu beside them.
        account = page.locator("details.account-menu > summary").bounding_box()
        assert abs(account["y"] - min(tops)) < 20, (account, tops)
    journey.shot(page, f"people admin at {width}", full_page=False)
