"""The writing coach in a real browser: hints appear beside the form half a second after
typing stops (htmx), a look-alike is offered, "Align to it instead" chooses it as the parent
and keeps what was typed, fixing a key result makes its hint go, and the draft is saved
aligned."""

import pytest
from playwright.sync_api import expect

from objectives.models import Objective

from .conftest import csp_violations, sign_in

pytestmark = pytest.mark.e2e

LOOKALIKE = "Cut customer onboarding time in half"  # Engineering's, in the demo


def test_hints_appear_while_typing_and_align_to_a_look_alike(journey, demo):
    page = journey.new_page()
    sign_in(page, "mia@acme.example")
    page.goto("/acme/objectives/new/")
    coach = page.locator("#objective-form-coach")
    expect(coach).to_contain_text("Hints appear here as you write")

    page.get_by_label("Title").fill("Cut the time customers need for onboarding")
    rows = page.locator(".quick-kr")
    rows.nth(0).get_by_label("Key result").fill("Launch the onboarding checklist")
    rows.nth(0).get_by_label("To").fill("1")
    expect(coach.locator('[data-rule="kr_is_task"]')).to_be_visible()
    lookalike = coach.locator('[data-rule="look_alike"]')
    expect(lookalike).to_contain_text(LOOKALIKE)
    expect(lookalike.get_by_role("link", name="Open it")).to_be_visible()
    journey.shot(page, "hints while typing")

    # An outcome instead of a task: that hint goes, the look-alike stays.
    rows.nth(0).get_by_label("Key result").fill("Days from contract to first value")
    rows.nth(0).get_by_label("From").fill("28")
    rows.nth(0).get_by_label("To").fill("14")
    expect(coach.locator('[data-rule="kr_is_task"]')).to_have_count(0)
    expect(lookalike).to_be_visible()

    lookalike.get_by_role("button", name="Align to it instead").first.click()
    target = Objective.objects.get(org__slug="acme", title=LOOKALIKE)
    expect(page.locator("select[name=parent]")).to_have_value(str(target.pk))
    expect(page.get_by_label("Title")).to_have_value("Cut the time customers need for onboarding")
    expect(rows.nth(0).get_by_label("Key result")).to_have_value(
        "Days from contract to first value"
    )
    expect(coach.locator('[data-rule="look_alike"]')).to_have_count(0)  # it is the parent now
    journey.shot(page, "aligned to the look-alike")
    assert not Objective.objects.filter(title="Cut the time customers need for onboarding").exists()

    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Cut the time customers need for onboarding"
    )
    created = Objective.objects.get(title="Cut the time customers need for onboarding")
    assert created.parent_id == target.pk
    assert not csp_violations(page)
