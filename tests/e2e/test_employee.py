"""The employee's journey: write an objective, align it, check in, follow it up to the vision."""

import re

import pytest
from playwright.sync_api import expect

from alignment.selectors import vision_excerpt
from objectives.models import Objective
from organizations.models import Organization

from .conftest import csp_violations, sign_in

pytestmark = pytest.mark.e2e

TITLE = "Make Acme the first name APAC marketers think of"
KR_TUTORIALS = "Publish 6 APAC how-to tutorials"
KR_SUBSCRIBERS = "Reach 500 newsletter subscribers in APAC"
TEAM_OBJECTIVE = "Build a stronger social-media presence"
COMPANY_OBJECTIVE = "Grow brand value in the APAC region"


def test_employee_writes_aligns_checks_in_and_follows_the_path_to_the_vision(journey, demo):
    page = journey.new_page()
    sign_in(page, "mia@acme.example")

    # Lands on My OKRs.
    expect(page).to_have_url(re.compile(r"/acme/my/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("My OKRs")
    journey.shot(page, "my okrs")

    # Writes an objective with two key results in the quick form.
    page.get_by_text("+ New objective").click()
    form = page.locator("form.quick-form")
    form.get_by_label("Objective").fill(TITLE)
    first, second = form.locator(".quick-kr").nth(0), form.locator(".quick-kr").nth(1)
    first.get_by_label("Key result 1").fill(KR_TUTORIALS)
    first.get_by_label("To").fill("6")
    second.get_by_label("Key result 2").fill(KR_SUBSCRIBERS)
    second.get_by_label("To").fill("500")
    journey.shot(page, "quick form filled")
    form.get_by_role("button", name="Publish now").click()

    expect(page.locator(".flash-success")).to_contain_text("created")
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    objective = Objective.objects.get(org__slug="acme", title=TITLE)
    assert [kr.title for kr in objective.key_results.order_by("position", "pk")] == [
        KR_TUTORIALS,
        KR_SUBSCRIBERS,
    ]
    panel = page.locator("#alignment-panel")
    expect(panel).to_contain_text("Not aligned to anything yet")
    journey.shot(page, "objective created")

    # Aligns it to a team objective through the picker: type to search, pick, save.
    picker = panel.locator("select[name=parent]")
    panel.get_by_label("Search").fill("social")
    expect(picker.locator("option", has_text="Grow recurring revenue")).to_have_count(0)
    option = picker.locator("option", has_text=TEAM_OBJECTIVE)
    expect(option).to_have_count(1)
    picker.select_option(value=option.get_attribute("value"))
    journey.shot(page, "parent picked")
    panel.get_by_role("button", name="Align").click()

    path = page.locator(".contribution-path")
    expect(path).to_contain_text(TEAM_OBJECTIVE)
    expect(path).to_contain_text(COMPANY_OBJECTIVE)
    objective.refresh_from_db()
    assert objective.parent is not None and objective.parent.title == TEAM_OBJECTIVE
    journey.shot(page, "aligned")

    # Checks in on a key result with a note, on the key result's page.
    card = page.locator(f"#objective-{objective.pk}")
    card.get_by_role("link", name=KR_TUTORIALS, exact=True).click()  # not "Check in on …"
    expect(page.get_by_role("heading", level=1)).to_have_text(KR_TUTORIALS)
    summary = page.locator("main section.card").first
    expect(summary.locator(".pct")).to_have_text("0%")
    chart = page.locator("svg.chart").first
    points_before = chart.locator("circle").count()
    checkin = page.locator("form.checkin-form")
    checkin.get_by_label("New value").fill("3")
    checkin.get_by_label("Confidence").select_option(label="On track")
    checkin.get_by_label("Note").fill("First three tutorials are live on the APAC blog.")
    journey.shot(page, "check-in filled")
    checkin.get_by_role("button", name="Save check-in").click()

    expect(
        page.locator(f"#checkin-{objective.key_results.get(title=KR_TUTORIALS).pk}")
    ).to_contain_text("Checked in")
    history = page.locator(".kr-history")
    expect(history).to_contain_text("First three tutorials are live")
    expect(history.locator("svg.chart circle")).to_have_count(points_before + 1)
    journey.shot(page, "checked in")

    # The bar and the chart moved.
    page.reload()
    expect(summary.locator(".pct")).to_have_text("50%")
    expect(summary.locator("svg[role=img]")).to_have_attribute("aria-label", re.compile("50%"))
    expect(chart.locator("circle")).to_have_count(points_before + 1)
    expect(chart.locator("polyline")).to_have_count(1)
    journey.shot(page, "kr chart")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="My OKRs").click()
    card = page.locator(f"#objective-{objective.pk}")
    expect(card.locator("header .pct")).to_have_text("25%")
    journey.shot(page, "my okrs after check-in")

    # Checks in from the list too: "Check in" opens the form in place (htmx).
    row = card.locator(f"#kr-{objective.key_results.get(title=KR_SUBSCRIBERS).pk}")
    expect(row.locator("form.checkin-form")).to_have_count(0)
    row.get_by_role("link", name=re.compile("Check in")).click()
    form = row.locator("form.checkin-form")
    expect(form.get_by_label("New value")).to_be_focused()
    form.get_by_label("New value").fill("125")
    form.get_by_label("Confidence").select_option(label="At risk")
    form.get_by_role("button", name="Save check-in").click()
    expect(row.locator(".flash-success")).to_contain_text("Checked in")
    assert objective.key_results.get(title=KR_SUBSCRIBERS).current_value == 125
    journey.shot(page, "checked in from my okrs")

    # Follows the contribution path up to the company vision.
    card.get_by_role("link", name=TITLE).click()
    path = page.locator(".contribution-path")
    path.get_by_role("link", name=TEAM_OBJECTIVE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TEAM_OBJECTIVE)
    path = page.locator(".contribution-path")
    expect(path).to_contain_text(COMPANY_OBJECTIVE)
    vision = vision_excerpt(Organization.objects.get(slug="acme"))
    assert vision
    expect(path.locator(".vision")).to_contain_text(vision[:60])
    journey.shot(page, "path to the vision")
    assert csp_violations(page) == []
