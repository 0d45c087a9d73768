"""The admin's journey: vision and strategy, next quarter, a reminder, an invitation that a
second browser accepts and lands in the right team."""

import datetime
import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from organizations.models import Period, Team

from .conftest import csp_violations, sign_in

pytestmark = pytest.mark.e2e

VISION = "Every team in APAC knows what matters this quarter, and why."
STRATEGY = "Win the region through partners first; grow direct sales once the brand is known."
INVITEE = "noor@acme.example"


def _next_quarter():
    """The quarter after the last one the company has (a quarter of three months)."""
    last = Period.objects.filter(org__slug="acme", kind="quarter").order_by("-end").first()
    start = last.end + datetime.timedelta(days=1)
    month = start.month + 3
    year = start.year + (month - 1) // 12
    end = datetime.date(year, (month - 1) % 12 + 1, 1) - datetime.timedelta(days=1)
    return start, end


def test_admin_sets_up_the_company_and_an_invitee_joins_the_right_team(journey, demo):
    page = journey.new_page()
    sign_in(page, "admin@acme.example")

    # Vision and strategy.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Admin").click()
    page.get_by_role("link", name=re.compile("Vision")).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Vision")
    page.get_by_label("Vision").fill(VISION)
    page.get_by_label("Strategy").fill(STRATEGY)
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".flash-success")).to_be_visible()
    expect(page.locator(".prose").first).to_contain_text(VISION)
    journey.shot(page, "vision and strategy")

    # Next quarter.
    start, end = _next_quarter()
    name = f"Next quarter {start:%b %Y}"
    page.goto("/acme/manage/company/periods/")
    custom = page.locator("form").filter(has=page.get_by_role("heading", name="Custom period"))
    custom.get_by_label("Kind").select_option("quarter")
    custom.get_by_label("Name").fill(name)
    custom.get_by_label("Start").fill(start.isoformat())
    custom.get_by_label("End").fill(end.isoformat())
    custom.get_by_role("button", name="Create period").click()
    expect(page.locator(".flash-success")).to_be_visible()
    expect(page.locator(".period-tree")).to_contain_text(name)
    assert Period.objects.filter(org__slug="acme", kind="quarter", start=start, end=end).exists()
    journey.shot(page, "next quarter")

    # A monthly reminder.
    page.goto("/acme/checkins/schedules/")
    form = page.locator("form").filter(has=page.get_by_role("button", name="Add reminder"))
    form.get_by_label("Name").fill("Monthly OKR check-in")
    form.get_by_label("How often").select_option("monthly")
    # Only the monthly fields show, and of those only the chosen rule's.
    expect(form.get_by_role("group", name="For monthly schedules")).to_be_visible()
    expect(form.get_by_role("group", name="For weekly schedules")).to_be_hidden()
    expect(form.get_by_role("group", name="For quarterly schedules")).to_be_hidden()
    form.get_by_label("Send on").select_option("day")
    expect(form.get_by_label("Which")).to_be_hidden()
    form.get_by_label("Day of the month").fill("28")
    form.get_by_label("At", exact=True).fill("10:00")
    form.get_by_role("button", name="Add reminder").click()
    row = page.locator("table tr").filter(has_text="Monthly OKR check-in")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("28")
    journey.shot(page, "monthly reminder")

    # A reminder every other week: the weekly fields only, its next sends in company time.
    form = page.locator("form").filter(has=page.get_by_role("button", name="Add reminder"))
    form.get_by_label("Name").fill("Fortnightly nudge")
    form.get_by_label("How often").select_option("weekly")
    expect(form.get_by_role("group", name="For weekly schedules")).to_be_visible()
    expect(form.get_by_role("group", name="For monthly schedules")).to_be_hidden()
    expect(form.get_by_label("Send on")).to_be_hidden()
    form.get_by_label("Every").select_option("2")
    form.get_by_label("On", exact=True).select_option("4")
    expect(form.get_by_label("Days without a check-in")).to_be_hidden()
    form.get_by_label("Remind").select_option("stale")
    expect(form.get_by_label("Days without a check-in")).to_be_visible()
    form.get_by_label("Remind").select_option("active")
    form.get_by_label("Skip people who checked in").fill("3")
    journey.shot(page, "weekly reminder form")
    form.get_by_role("button", name="Add reminder").click()
    row = page.locator("table tr").filter(has_text="Fortnightly nudge")
    expect(row).to_contain_text("Every other Friday at 09:00")
    expect(row).to_contain_text("skipping people who checked in within 3 days")
    expect(row.locator(".next-sends li")).to_have_count(3)
    expect(row.locator(".next-sends li").first).to_contain_text(re.compile(r"^Fri .*, 09:00 \("))
    journey.shot(page, "weekly reminder")

    # Invites a person into Engineering.
    page.goto("/acme/manage/people/")
    invite = page.locator("form").filter(has=page.get_by_role("button", name="Send invitation"))
    mail.outbox.clear()
    invite.get_by_label("Email").fill(INVITEE)
    invite.get_by_label("Role").select_option("member")
    invite.get_by_label("Engineering", exact=True).check()
    invite.get_by_role("button", name="Send invitation").click()
    expect(page.locator("#admin-panel .flash-success")).to_be_visible()
    expect(page.locator("#admin-panel")).to_contain_text(INVITEE)
    journey.shot(page, "invited")
    assert csp_violations(page) == []

    assert len(mail.outbox) == 1 and mail.outbox[0].to == [INVITEE]
    path = re.search(r"/invitations/[^/\s]+/", mail.outbox[0].body).group(0)

    # The invitee, in a second browser context, accepts.
    guest = journey.new_page()
    guest.goto(path)
    expect(guest.get_by_role("heading", level=1)).to_contain_text("Join Acme")
    guest.get_by_label("Your name").fill("Noor Saleh")
    guest.get_by_label("Password").fill("a-long-passphrase-42")
    journey.shot(guest, "invitation")
    guest.get_by_role("button", name="Create account and join").click()
    expect(guest).to_have_url(re.compile(r"/acme/my/$"))
    expect(guest.locator(".flash-success")).to_contain_text("Welcome to Acme")
    journey.shot(guest, "invitee lands on my okrs")

    engineering = Team.objects.get(org__slug="acme", name="Engineering")
    guest.goto(f"/acme/teams/{engineering.pk}/")
    expect(guest.get_by_role("heading", level=1)).to_contain_text("Engineering")
    expect(guest.get_by_role("link", name="Noor Saleh")).to_be_visible()
    journey.shot(guest, "invitee in engineering")
    assert csp_violations(guest) == []
