"""A team's Slack channel in a browser: Mara (Marketing's manager) opens it from the team page,
is told beside the field what a webhook URL looks like, saves one, sends a test message that
reaches the stand-in Slack on 127.0.0.1, and sees the channel broken once Slack revokes it.
axe, the CSP and no sideways scrolling at 1280 and 375 px."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from organizations.models import Team
from tests.slack.conftest import Answer, FakeSlack

from .conftest import csp_violations, sign_in

pytestmark = pytest.mark.e2e

BLOCKING = {"serious", "critical"}


def _problems(page) -> list[str]:
    found = [
        f"{v['id']}: {v['help']}"
        for v in Axe().run(page).response["violations"]
        if v["impact"] in BLOCKING
    ] + csp_violations(page)
    width = page.viewport_size["width"]
    scroll = page.evaluate("document.documentElement.scrollWidth")
    if scroll > width:
        found.append(f"sideways scrolling: {scroll} px wide at {width} px")
    return found


@pytest.fixture
def slack(settings):
    fake = FakeSlack()
    settings.SLACK_WEBHOOK_PREFIX = fake.prefix
    yield fake
    fake.close()


@pytest.mark.parametrize("width", [1280, 375])
def test_a_manager_connects_marketing_to_slack_and_tests_it(journey, demo, slack, width):
    team = Team.objects.get(org__slug="acme", name="Marketing")
    mara = journey.new_page(width=width)
    sign_in(mara, "mara@acme.example")
    mara.goto(f"/acme/teams/{team.pk}/")
    mara.get_by_role("link", name="Slack", exact=True).click()
    expect(mara.locator("h1")).to_have_text("Marketing in Slack")

    field = mara.get_by_label("Incoming-webhook URL")
    field.fill("https://example.com/not-slack")
    mara.get_by_role("button", name="Save").click()
    expect(mara.locator(".field-errors")).to_contain_text("Paste the webhook URL Slack gave you")
    expect(field).to_have_value("https://example.com/not-slack")
    assert not _problems(mara)
    journey.shot(mara, f"slack url refused {width}")

    field.fill(slack.url("services/T0001/B0001/marketingTOKEN"))
    mara.get_by_role("button", name="Save").click()
    expect(mara.locator("main")).to_contain_text("Connected:")
    expect(mara.locator("main")).not_to_contain_text("marketingTOKEN")
    mara.get_by_role("button", name="Send a test message").click()
    expect(mara.locator("table")).to_contain_text("Posted")
    assert "Aligned is connected" in slack.texts[0]
    assert not _problems(mara)
    journey.shot(mara, f"slack connected {width}")

    slack.answer(Answer(404, "no_service"))
    mara.get_by_role("button", name="Send a test message").click()
    expect(mara.locator("main")).to_contain_text("Slack stopped taking posts")
    assert not _problems(mara)
    journey.shot(mara, f"slack broken {width}")
