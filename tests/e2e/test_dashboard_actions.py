"""A manager acts on each dashboard list in place: writes a supporting objective for an
unsupported company objective, says a look-alike pair is not a duplicate, aligns one
look-alike under the other, and nudges a silent key result's owner. At 1280 and 375 px."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from objectives.models import Objective
from organizations.models import Membership

from .conftest import csp_violations, sign_in

pytestmark = pytest.mark.e2e

ERIK = "erik@acme.example"
UNSUPPORTED = "Become a carbon-neutral company"
CS_OBJECTIVE = "Halve the time it takes to onboard a customer"
LOOKALIKE = "Halve the time it takes to onboard each new customer"


def section(page, list_id):
    return page.locator(f"section#{list_id}")


@pytest.fixture
def erik_lookalike(demo):
    """Erik's own objective that looks like Customer Success's onboarding objective: he may
    align it under that team objective."""
    target = Objective.objects.get(org__slug="acme", title=CS_OBJECTIVE)
    erik = Membership.objects.get(org__slug="acme", user__email=ERIK)
    return Objective.objects.create(
        org=target.org,
        period=target.period,
        level=Objective.Level.INDIVIDUAL,
        owner=erik,
        title=LOOKALIKE,
    )


def test_manager_acts_on_each_dashboard_list(journey, erik_lookalike):
    page = journey.new_page()
    sign_in(page, ERIK)
    page.goto("/acme/alignment/dashboard/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Alignment dashboard")
    expect(page.locator(".dash-as-of")).to_contain_text("counts FY")
    journey.shot(page, "dashboard 1280")

    # Company objectives nobody supports: the figure beside it counts the same list.
    unsupported = section(page, "list-unsupported")
    rows = unsupported.locator("li")
    part, whole = (
        int(unsupported.locator(".fig-part").inner_text()),
        int(unsupported.locator(".fig-whole").inner_text()),
    )
    expect(rows).to_have_count(whole - part)
    expect(unsupported.locator(".list-total")).to_have_text(str(whole - part))

    # "Write a supporting objective" opens the new-objective form with the parent filled in.
    row = rows.filter(has_text=UNSUPPORTED)
    row.get_by_role("link", name="Write a supporting objective").click()
    parent = Objective.objects.get(org__slug="acme", title=UNSUPPORTED)
    expect(page).to_have_url(re.compile(rf"/acme/objectives/new/\?parent={parent.pk}$"))
    expect(page.locator("#id_parent")).to_have_value(str(parent.pk))
    journey.shot(page, "supporting objective form")

    # Not a duplicate: the pair leaves the list, for good.
    page.goto("/acme/alignment/dashboard/")
    duplicates = section(page, "list-duplicates")

    def demo_pair(where):
        return (
            where.locator("li.dup-row")
            .filter(has_text="Cut customer onboarding time in half")
            .filter(has_text=CS_OBJECTIVE)
        )

    demo_pair(duplicates).get_by_role("button", name="Not a duplicate").click()
    expect(duplicates.locator(".flash-success")).to_contain_text("no longer listed")
    page.reload()
    expect(demo_pair(section(page, "list-duplicates"))).to_have_count(0)

    # Align one under the other: offered for Erik's own look-alike, done in place.
    duplicates = section(page, "list-duplicates")
    mine = duplicates.locator("li.dup-row").filter(has_text=LOOKALIKE).filter(has_text=CS_OBJECTIVE)
    journey.shot(page, "duplicates with actions")
    mine.get_by_role("button", name=re.compile("under the other")).click()
    expect(duplicates.locator(".flash-success")).to_contain_text("now aligns to")
    erik_lookalike.refresh_from_db()
    assert erik_lookalike.parent.title == CS_OBJECTIVE
    page.reload()
    after = section(page, "list-duplicates").locator("li.dup-row").filter(has_text=LOOKALIKE)
    expect(after.filter(has_text=CS_OBJECTIVE)).to_have_count(0)

    # Nudge the owner of a silent key result: "nudged today", one e-mail.
    stale = section(page, "list-stale")
    first = stale.locator("li").first
    nudge_id = first.locator(".nudge").get_attribute("id")
    sent_before = len(mail.outbox)
    first.get_by_role("button", name="Nudge the owner").click()
    expect(first.locator(".nudged")).to_have_text("nudged today")
    expect(first.get_by_role("button", name="Nudge the owner")).to_have_count(0)
    assert len(mail.outbox) == sent_before + 1
    assert "asks for a check-in" in mail.outbox[-1].subject
    page.reload()
    expect(section(page, "list-stale").locator(f"#{nudge_id}")).to_contain_text("nudged today")
    journey.shot(page, "after nudging")
    assert not csp_violations(page)

    # The same dashboard on a phone: nothing wider than the screen.
    phone = journey.new_page(width=375, height=812)
    sign_in(phone, ERIK)
    phone.goto("/acme/alignment/dashboard/")
    expect(section(phone, "list-stale")).to_contain_text("nudged today")
    journey.shot(phone, "dashboard 375")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    assert not csp_violations(phone)
