"""The manager's journey: the alignment dashboard shows what needs attention."""

import re

import pytest
from playwright.sync_api import expect

from objectives.models import KeyResult

from .conftest import csp_violations, sign_in

pytestmark = pytest.mark.e2e

UNALIGNED = "Keep the platform fast and reliable"


def test_manager_finds_gaps_duplicates_and_an_at_risk_key_result(journey, demo):
    page = journey.new_page()
    sign_in(page, "erik@acme.example")

    # The alignment tree: company objectives on top, what aligns to them a click away.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Alignment").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Alignment")
    node = page.locator(".tree-node").filter(has_text="Grow brand value in the APAC region").first
    node.get_by_role("link", name=re.compile("Show what aligns to it")).first.click()
    expect(node.locator(".node-children .tree-node").first).to_be_visible()
    expect(node).to_contain_text("Build a stronger social-media presence")
    page.get_by_label("Expand everything").check()
    page.get_by_role("button", name="Show").click()
    expect(page.locator(".node-children .tree-node").first).to_be_visible()
    journey.shot(page, "alignment tree", full_page=False)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Alignment dashboard")
    journey.shot(page, "dashboard")

    def section(title):  # a list's heading: its title and how many it holds
        return page.locator("section.card").filter(
            has=page.get_by_role("heading", level=2, name=re.compile(rf"^{title}( \d+)?$"))
        )

    # The objectives that align to nothing.
    not_aligned = section("Not aligned")
    expect(not_aligned.get_by_role("link", name=UNALIGNED)).to_be_visible()

    # The company objective nobody supports.
    unsupported = section("Company objectives nobody supports")
    expect(unsupported.get_by_role("link")).not_to_have_count(0)

    # The possible duplicate pair, across Engineering and Customer Success.
    duplicates = section("Possible duplicated work")
    pair = duplicates.locator("li").first
    expect(pair.get_by_role("link")).to_have_count(2)
    expect(pair).to_contain_text("Engineering")
    expect(pair).to_contain_text("Customer Success")
    journey.shot(page, "duplicates")

    # Opens one objective that is at risk and sees its at-risk key result, in words.
    at_risk = section("At risk or off track")
    listed = at_risk.get_by_role("link").all_inner_texts()
    with_at_risk_kr = set(
        KeyResult.objects.filter(
            org__slug="acme", confidence="at_risk", objective__title__in=listed
        ).values_list("objective__title", flat=True)
    )
    title = next(t for t in listed if t in with_at_risk_kr)
    at_risk.get_by_role("link", name=title, exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    badge = page.locator(".kr-list .badge.conf-at_risk").first
    expect(badge).to_be_visible()
    expect(badge).to_contain_text("At risk")
    kr_title = (
        badge.locator("xpath=ancestor::div[contains(@class,'kr-row')]")
        .locator(".kr-title a")
        .inner_text()
    )
    journey.shot(page, "at-risk objective")
    badge.locator("xpath=ancestor::div[contains(@class,'kr-row')]").locator(".kr-title a").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(kr_title)
    expect(page.locator("main .badge.conf-at_risk").first).to_contain_text("At risk")
    expect(page).to_have_url(re.compile(r"/acme/krs/\d+/$"))
    journey.shot(page, "at-risk key result")
    assert csp_violations(page) == []
