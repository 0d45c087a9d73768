"""Aligned in the same step: the quick form on My OKRs picks what the new objective aligns
to, and "write a supporting objective" opens the form with its parent filled in."""

import re

import pytest
from playwright.sync_api import expect

from objectives.models import Objective

from .conftest import csp_violations, sign_in

pytestmark = pytest.mark.e2e

TEAM_OBJECTIVE = "Build a stronger social-media presence"
COMPANY_OBJECTIVE = "Grow brand value in the APAC region"


@pytest.mark.parametrize("width", [1280, 375])
def test_a_quick_objective_is_created_aligned(journey, demo, width):
    page = journey.new_page(width=width)
    sign_in(page, "mia@acme.example")
    title = f"Host APAC live sessions ({width})"

    page.get_by_text("+ New objective").click()
    form = page.locator("form.quick-form")
    form.get_by_label("Objective").fill(title)
    form.locator(".quick-kr").nth(0).get_by_label("Key result 1").fill("Run 4 live sessions")
    form.locator(".quick-kr").nth(0).get_by_label("To").fill("4")
    # The picker fills in once the form shows; typing narrows it.
    picker = form.locator("select[name=parent]")
    expect(picker.locator("option", has_text=TEAM_OBJECTIVE)).to_have_count(1)
    form.get_by_label("Search what it aligns to").fill("social")
    expect(picker.locator("option", has_text=COMPANY_OBJECTIVE)).to_have_count(0)
    option = picker.locator("option", has_text=TEAM_OBJECTIVE)
    expect(option).to_have_count(1)
    picker.select_option(value=option.get_attribute("value"))
    journey.shot(page, "quick form with a parent")
    form.get_by_role("button", name="Publish now").click()

    expect(page.locator(".flash-success")).to_contain_text("created")
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    path = page.locator(".contribution-path")
    expect(path).to_contain_text(TEAM_OBJECTIVE)
    expect(path).to_contain_text(COMPANY_OBJECTIVE)
    created = Objective.objects.get(org__slug="acme", title=title)
    assert created.parent.title == TEAM_OBJECTIVE
    journey.shot(page, "created aligned")
    assert not csp_violations(page)


def test_write_a_supporting_objective_opens_the_form_filled_in(journey, demo):
    goal = Objective.objects.get(org__slug="acme", title=COMPANY_OBJECTIVE)
    page = journey.new_page()
    sign_in(page, "mara@acme.example")  # manages Marketing
    page.goto(f"/acme/objectives/new/?parent={goal.pk}")
    parent = page.locator("select[name=parent]")
    expect(parent).to_have_value(str(goal.pk))  # also after the picker reloaded it
    expect(page.get_by_label("Level")).to_have_value("team")
    page.get_by_label("Title").fill("Win APAC webinars")
    journey.shot(page, "supporting objective")
    page.get_by_role("button", name="Publish now").click()

    expect(page).to_have_url(re.compile(r"/acme/objectives/\d+/$"))
    expect(page.locator(".contribution-path")).to_contain_text(COMPANY_OBJECTIVE)
    created = Objective.objects.get(org__slug="acme", title="Win APAC webinars")
    assert (created.parent_id, created.level) == (goal.pk, "team")
    assert not csp_violations(page)
