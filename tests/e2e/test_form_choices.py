"""Fields that apply to one choice appear with it (static/js/show_when.js), in a real browser."""

import pytest
from playwright.sync_api import expect

from objectives.models import KeyResult, Objective

from .conftest import csp_violations, sign_in

pytestmark = pytest.mark.e2e


def test_the_team_field_appears_with_the_team_level_only(journey, demo):
    page = journey.new_page()
    sign_in(page, "admin@acme.example")
    page.goto("/acme/objectives/new/")
    level, team = page.get_by_label("Level"), page.get_by_label("Team", exact=True)
    expect(page.get_by_role("group", name="When and whose")).to_be_visible()
    expect(level).to_have_value("individual")
    expect(team).to_be_hidden()
    expect(page.get_by_label("Owner")).to_be_visible()  # whatever the level
    level.select_option("team")
    expect(team).to_be_visible()
    team.select_option(label="Marketing")
    journey.shot(page, "team level shows the team")
    # A team picked, then another level: the team hides and is not sent with it.
    level.select_option("company")
    expect(team).to_be_hidden()
    page.get_by_label("Title").fill("Be the calmest OKR tool")
    with page.expect_response(lambda response: response.request.method == "POST"):
        page.get_by_role("button", name="Publish now").click()
    page.wait_for_load_state("networkidle")
    created = Objective.objects.get(org__slug="acme", title="Be the calmest OKR tool")
    assert created.level == Objective.Level.COMPANY and created.team_id is None
    assert csp_violations(page) == []


def test_unit_start_and_target_appear_for_measured_key_results_only(journey, demo):
    objective = Objective.objects.filter(
        org__slug="acme", owner__user__email="mia@acme.example", period__is_closed=False
    ).order_by("pk")[0]  # the demo's closed quarter is read-only
    page = journey.new_page()
    sign_in(page, "mia@acme.example")
    page.goto(f"/acme/objectives/{objective.pk}/krs/new/")
    kind = page.get_by_label("Kind")
    unit, start, target = (page.get_by_label(name) for name in ("Unit", "Start", "Target"))
    currency = page.get_by_label("Currency code")
    expect(page.get_by_role("group", name="How it is measured")).to_be_visible()
    for field in (unit, start, target):
        expect(field).to_be_visible()
    expect(currency).to_be_hidden()
    unit.select_option("currency")
    expect(currency).to_be_visible()
    kind.select_option("milestone")
    for field in (unit, start, target, currency):
        expect(field).to_be_hidden()
    journey.shot(page, "a milestone hides the measured fields")
    page.get_by_label("Title").fill("Launch the partner portal")
    # The form's own POST (the coach also posts, half a second after typing stops).
    added = f"/acme/objectives/{objective.pk}/krs/new/"
    with page.expect_response(
        lambda response: response.request.method == "POST" and response.url.endswith(added)
    ) as posted:
        page.get_by_role("button", name="Add key result").click()
    assert posted.value.ok
    kr = KeyResult.objects.get(objective=objective, title="Launch the partner portal")
    assert kr.kind == KeyResult.Kind.MILESTONE and (kr.start_value, kr.target_value) == (0, 1)
    assert csp_violations(page) == []


def test_without_javascript_every_field_shows(browser, live_server, demo):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    try:
        page = context.new_page()
        sign_in(page, "admin@acme.example")
        page.goto("/acme/objectives/new/")
        expect(page.get_by_label("Team", exact=True)).to_be_visible()
        expect(page.get_by_text("For team objectives only")).to_be_visible()
    finally:
        context.close()
