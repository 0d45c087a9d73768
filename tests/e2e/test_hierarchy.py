"""A calm visual hierarchy (issue 16): each key result row shows one action, Check in; the
rest (confidence, edit, move, delete) sits in its action menu, reached by keyboard, and
deleting asks first."""

import pytest
from playwright.sync_api import expect

from objectives.models import KeyResult, Objective

from .conftest import csp_violations, sign_in

pytestmark = pytest.mark.e2e

MIAS_OBJECTIVE = "Grow our APAC audience on social media"
ACTIONS = "button, select, input:not([type=hidden]), a.button, summary"


def _check_rows(card):
    rows = card.locator(".kr-list > li[id^=kr-]")
    count = rows.count()
    assert count == 3
    for index in range(count):
        row = rows.nth(index)
        visible = [c for c in row.locator(ACTIONS).all() if c.is_visible()]
        # One visible action (Check in) and the menu's "⋯" button; nothing else.
        names = [c.inner_text().strip() for c in visible]
        assert len(visible) == 2, names
        assert names[0].startswith("Check in"), names
        assert visible[1].evaluate("e => e.matches('details.action-menu > summary')")
        # Its links: the title and Check in.
        assert [a.inner_text().strip()[:8] for a in row.locator("a").all() if a.is_visible()] == [
            row.locator(".kr-title > a").inner_text().strip()[:8],
            "Check in",
        ]
        expect(row.get_by_role("button", name="Delete key result")).to_be_hidden()
        expect(row.get_by_role("link", name="Edit key result")).to_be_hidden()


def _menu_by_keyboard(page, card):
    row = card.locator(".kr-list > li[id^=kr-]").first
    kr_id = row.get_attribute("id")
    row.locator("a.checkin-open").focus()
    page.keyboard.press("Tab")  # from Check in to the row's menu button
    summary = row.locator("details.action-menu > summary")
    expect(summary).to_be_focused()
    page.keyboard.press("Enter")
    menu = row.locator(".action-menu-panel")
    expect(menu).to_be_visible()
    page.keyboard.press("Tab")
    expect(row.get_by_label("Confidence")).to_be_focused()
    page.keyboard.press("Tab")
    expect(menu.get_by_role("button", name="Set")).to_be_focused()
    page.keyboard.press("Tab")
    expect(menu.get_by_role("link", name="Edit key result")).to_be_focused()
    page.keyboard.press("Tab")
    expect(menu.get_by_role("button", name="Move down")).to_be_focused()
    page.keyboard.press("Tab")
    delete = menu.get_by_role("button", name="Delete key result")
    expect(delete).to_be_focused()

    # Delete asks first; saying no deletes nothing.
    asked = []

    def answer(dialog):
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", answer)
    page.keyboard.press("Enter")
    expect(page.locator(f"#{kr_id}")).to_be_visible()
    assert asked and asked[0].startswith("Delete “Gain 1,000 relevant followers")
    assert KeyResult.objects.filter(pk=int(kr_id.removeprefix("kr-"))).exists()

    # Escape closes the menu and puts focus back on its button.
    delete.focus()
    page.keyboard.press("Escape")
    expect(menu).to_be_hidden()
    expect(summary).to_be_focused()
    # A click elsewhere closes an open menu too.
    page.keyboard.press("Enter")
    expect(menu).to_be_visible()
    page.locator("h1").click()
    expect(menu).to_be_hidden()


@pytest.mark.parametrize("where", ["my okrs", "objective page"])
def test_each_kr_row_shows_check_in_and_keeps_the_rest_in_a_keyboard_menu(journey, demo, where):
    page = journey.new_page()
    sign_in(page, "mia@acme.example")
    objective = Objective.objects.get(org__slug="acme", title=MIAS_OBJECTIVE)
    page.goto("/acme/my/" if where == "my okrs" else f"/acme/objectives/{objective.pk}/")
    card = page.locator(f"#objective-{objective.pk}")
    _check_rows(card)
    journey.shot(page, f"{where} calm rows")
    _menu_by_keyboard(page, card)

    # The objective's own actions sit in the card's menu too.
    head = card.locator(".objective-head details.action-menu")
    head.locator("summary").click()
    for name in ("Edit objective", "Share"):
        expect(head.get_by_role("link", name=name)).to_be_visible()
    expect(head.get_by_role("button", name="Delete objective")).to_be_visible()
    journey.shot(page, f"{where} objective menu")
    assert not csp_violations(page)


def test_deleting_a_kr_from_its_menu_after_saying_yes(journey, demo):
    page = journey.new_page()
    sign_in(page, "mia@acme.example")
    objective = Objective.objects.get(org__slug="acme", title=MIAS_OBJECTIVE)
    kr = objective.key_results.get(title="Post 3 times a week in APAC time zones")
    page.goto("/acme/my/")
    row = page.locator(f"#kr-{kr.pk}")
    row.locator("details.action-menu > summary").click()
    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="Delete key result").click()
    expect(page.locator(f"#kr-{kr.pk}")).to_have_count(0)
    expect(page.locator(f"#objective-{objective.pk} .kr-list > li[id^=kr-]")).to_have_count(2)
    assert not KeyResult.objects.filter(pk=kr.pk).exists()
