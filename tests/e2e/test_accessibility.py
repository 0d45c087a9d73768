"""Accessibility in the browser: axe-core on every main page, keyboard use, confidence in words."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from objectives.models import KeyResult, Objective
from organizations.models import Membership, Team

from .conftest import csp_violations, sign_in

pytestmark = pytest.mark.e2e

BLOCKING = {"serious", "critical"}


def main_pages():
    """(persona, label, url) for every main page of the demo company."""
    team = Team.objects.get(org__slug="acme", name="Marketing")
    mia = Membership.objects.get(org__slug="acme", user__email="mia@acme.example")
    objective = Objective.objects.get(
        org__slug="acme", title="Build a stronger social-media presence"
    )
    kr = KeyResult.objects.get(org__slug="acme", title="Gain 1,000 relevant followers this quarter")
    engineering = Team.objects.get(org__slug="acme", name="Engineering")
    return [
        (None, "login", "/accounts/login/"),
        (None, "sign-up", "/accounts/signup/"),
        (None, "sign in with sso", "/accounts/sso/"),
        ("mia", "my okrs", "/acme/my/"),
        ("mia", "company", "/acme/"),
        ("mia", "teams", "/acme/teams/"),
        ("mia", "team", f"/acme/teams/{team.pk}/"),
        ("mia", "person", f"/acme/people/{mia.pk}/"),
        ("mia", "explore", "/acme/explore/"),
        ("mia", "objective", f"/acme/objectives/{objective.pk}/"),
        ("mia", "new objective", "/acme/objectives/new/"),
        ("mia", "key result", f"/acme/krs/{kr.pk}/"),
        ("mia", "alignment tree", "/acme/alignment/"),
        ("mia", "alignment map", "/acme/alignment/map/"),
        ("mia", "search", "/acme/search/?q=social"),
        ("mia", "settings", "/accounts/settings/"),
        ("mia", "feed", "/acme/checkins/feed/"),
        ("erik", "dashboard", "/acme/alignment/dashboard/"),
        ("erik", "team dashboard", f"/acme/alignment/dashboard/teams/{engineering.pk}/"),
        ("admin", "people admin", "/acme/manage/people/"),
        ("admin", "teams admin", "/acme/manage/teams/"),
        ("admin", "company settings", "/acme/manage/company/settings/"),
        ("admin", "vision and strategy", "/acme/manage/company/"),
        ("admin", "themes", "/acme/manage/company/themes/"),
        ("admin", "periods", "/acme/manage/company/periods/"),
        ("admin", "reminder schedules", "/acme/checkins/schedules/"),
        ("admin", "audit", "/acme/manage/audit/"),
        ("admin", "single sign-on", "/acme/manage/sso/"),
    ]


def _describe(violation):
    nodes = "; ".join(
        f"{' '.join(map(str, node['target']))}: {node.get('failureSummary', '').strip()}"
        for node in violation["nodes"][:5]
    )
    return f"[{violation['impact']}] {violation['id']}: {violation['help']} -> {nodes}"


def test_main_pages_have_no_serious_axe_violations_and_no_csp_errors(journey, demo):
    axe = Axe()
    pages = {}
    problems = []
    for persona, label, url in main_pages():
        if persona not in pages:
            pages[persona] = journey.new_page()
            if persona:
                sign_in(pages[persona], f"{persona}@acme.example")
        page = pages[persona]
        response = page.goto(url)
        page.wait_for_load_state("networkidle")
        assert response.status == 200, (label, url, response.status)
        journey.gallery_shot(page, label)
        if label == "my okrs":
            # Open the folded forms too: axe only checks what is rendered.
            page.locator("details.quick-new > summary").click()
            page.locator("a.checkin-open").first.click()  # the check-in form, on demand
            expect(page.locator("form.checkin-form").first).to_be_visible()
        results = axe.run(page)
        for violation in results.response["violations"]:
            if violation["impact"] in BLOCKING:
                problems.append(f"{label} ({url}) {_describe(violation)}")
        problems += [f"{label} ({url}) {line}" for line in csp_violations(page)]
        page.console_log.clear()
    journey.shot(pages["mia"], "last page")
    assert not problems, "\n".join(problems)


def test_keyboard_reaches_the_skip_link_the_main_nav_and_submits_forms(journey, demo):
    page = journey.new_page()
    page.goto("/accounts/login/")

    # Sign in with the keyboard only (the e-mail field has autofocus, or is a Tab away).
    email = page.get_by_label("Email")
    for _ in range(10):
        if email.evaluate("e => e === document.activeElement"):
            break
        page.keyboard.press("Tab")
    expect(email).to_be_focused()
    page.keyboard.type("mia@acme.example")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password")).to_be_focused()
    page.keyboard.type("demo")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("My OKRs")

    # On a page without autofocus, the first Tab shows the skip link; it skips the navigation.
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    expect(skip).to_be_focused()
    expect(skip).to_have_text("Skip to content")
    expect(skip).to_be_in_viewport()
    journey.shot(page, "skip link focused")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#main$"))

    # Tabbing from the top reaches the main navigation.
    page.goto("/acme/my/")
    nav = page.get_by_role("navigation", name="Main")
    for _ in range(6):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.closest('nav.mainnav') !== null"):
            break
    expect(nav.locator(":focus")).to_have_text("My OKRs")
    page.keyboard.press("Tab")
    expect(nav.locator(":focus")).to_have_text("Company")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/acme/$"))

    # A form submitted by keyboard: the quick objective form on My OKRs.
    page.goto("/acme/my/")
    summary = page.locator("details.quick-new > summary")
    summary.focus()
    page.keyboard.press("Enter")
    title = page.get_by_label("Objective", exact=True)
    expect(title).to_be_visible()
    page.keyboard.press("Tab")
    expect(title).to_be_focused()
    page.keyboard.type("Typed without a mouse")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Typed without a mouse")
    expect(page.locator(".flash-success")).to_be_visible()
    journey.shot(page, "created by keyboard")


def test_form_errors_are_announced_next_to_their_fields(journey, demo):
    page = journey.new_page()
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill("not-an-email")
    page.get_by_role("button", name="Sign in").click()
    email = page.get_by_label("Email")
    expect(email).to_have_attribute("aria-invalid", "true")
    described = email.get_attribute("aria-describedby")
    assert described
    errors = page.locator(f"#{described.split()[-1]}")
    expect(errors).to_have_attribute("role", "alert")
    expect(errors).to_be_visible()
    expect(email).to_have_value("not-an-email")
    journey.shot(page, "login errors")
    violations = [
        _describe(v) for v in Axe().run(page).response["violations"] if v["impact"] in BLOCKING
    ]
    assert not violations, violations


def test_confidence_is_never_shown_by_colour_alone(journey, demo):
    page = journey.new_page()
    sign_in(page, "erik@acme.example")
    checked = 0
    for url in ["/acme/my/", "/acme/", "/acme/explore/", "/acme/alignment/dashboard/"]:
        page.goto(url)
        badges = page.locator("main :is(.conf-on_track, .conf-at_risk, .conf-off_track)")
        for text in badges.all_inner_texts():
            # Confidence badges say it in words; other badges in these colours (pace flags)
            # carry their own words too.
            assert re.search(r"[A-Za-z]{3,}", text), (url, text)
            checked += 1
    assert checked > 10
