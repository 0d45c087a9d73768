"""A brand-new company's first hour: sign up from the sign-up page, confirm the address
from the e-mailed link, follow the getting-started checklist, write the first company
objective with key results from an example, and find it on My OKRs, at desktop and phone
widths."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core import mail
from playwright.sync_api import expect

from objectives.examples import BY_KEY
from objectives.models import Objective
from organizations.models import Organization, Period

from .conftest import csp_violations, sign_in, watch_console

pytestmark = pytest.mark.e2e

EMAIL = "founder@brightpath.example"
PASSWORD = "a-long-enough-passphrase"
EXAMPLE = BY_KEY["sales-pipeline"]


def _serious_axe_violations(page):
    results = Axe().run(page).response["violations"]
    return [f"{v['id']}: {v['help']}" for v in results if v["impact"] in {"serious", "critical"}]


def _page_in_oslo(journey, width):
    """A browser whose clock says Europe/Oslo, as a founder's laptop in Norway would."""
    context = journey.browser.new_context(
        base_url=journey.base_url,
        viewport={"width": width, "height": 900},
        timezone_id="Europe/Oslo",
    )
    context.tracing.start(screenshots=True, snapshots=True)
    context.set_default_timeout(10_000)
    journey.contexts.append(context)
    page = context.new_page()
    watch_console(page)
    return page


def test_new_company_signs_up_and_writes_its_first_objective(journey, transactional_db):
    page = _page_in_oslo(journey, 1280)
    page.goto("/accounts/signup/")
    # The browser's zone is pre-selected; the fiscal year starts in January unless told.
    expect(page.get_by_label("Time zone")).to_have_value("Europe/Oslo")
    expect(page.get_by_label("Fiscal year starts in")).to_have_value("1")
    page.get_by_label("Your name").fill("Frida Founder")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Company name").fill("Brightpath")
    page.get_by_label("Company address").fill("brightpath")
    page.get_by_label("Fiscal year starts in").select_option("April")
    journey.shot(page, "sign-up filled")
    page.get_by_role("button", name="Create company").click()

    # The address is proved first: the page says to check the inbox, the e-mail has the link.
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your inbox")
    assert not Organization.objects.filter(slug="brightpath").exists()
    journey.shot(page, "check your inbox")
    assert not _serious_axe_violations(page)
    [message] = [m for m in mail.outbox if m.to == [EMAIL]]
    link = re.search(r"https?://[^/\s]+(/accounts/signup/confirm/\S+/)", message.body).group(1)
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm and create Brightpath")
    page.get_by_label("Your password").fill(PASSWORD)
    journey.shot(page, "confirm the address")
    assert not _serious_axe_violations(page)
    page.get_by_role("button", name="Confirm and create company").click()

    # Lands on My OKRs with the getting-started checklist: the periods are already there.
    expect(page).to_have_url(re.compile(r"/brightpath/my/$"))
    org = Organization.objects.get(slug="brightpath")
    assert (org.time_zone, org.fiscal_year_start_month) == ("Europe/Oslo", 4)
    assert Period.objects.filter(org=org, kind="quarter").count() == 4
    checklist = page.get_by_role("region", name="Getting started")
    expect(checklist).to_contain_text("1 of 6 done")
    expect(checklist.get_by_role("link", name="Check the periods")).to_be_visible()
    expect(checklist.locator("li.is-done")).to_have_count(1)
    # Nothing written yet: the page says what to do and offers examples.
    expect(page.get_by_role("heading", name="Write your first objective")).to_be_visible()
    expect(page.get_by_role("list", name="Example OKRs").locator("> li")).to_have_count(5)
    journey.shot(page, "my okrs, first visit")
    assert not _serious_axe_violations(page)

    # Starts from the sales example: the form comes filled in.
    example = page.get_by_role("listitem").filter(has_text=EXAMPLE.title)
    example.get_by_role("link", name=re.compile("Start from this")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New objective")
    expect(page.get_by_label("Title")).to_have_value(EXAMPLE.title)
    krs = page.locator(".quick-kr")
    expect(krs).to_have_count(3)
    expect(krs.nth(0).get_by_label("Key result")).to_have_value(EXAMPLE.key_results[0].title)
    expect(krs.nth(0).get_by_label("To")).to_have_value("1000")
    # It becomes the company's objective, and the target of the first KR is adjusted.
    page.get_by_label("Level").select_option("company")
    krs.nth(0).get_by_label("To").fill("900")
    journey.shot(page, "example form")
    page.get_by_role("button", name="Publish now").click()

    expect(page.locator(".flash-success")).to_contain_text("created")
    expect(page.get_by_role("heading", level=1)).to_have_text(EXAMPLE.title)
    objective = Objective.objects.get(org=org, title=EXAMPLE.title)
    assert objective.level == "company"
    assert [(kr.title, kr.target_value) for kr in objective.key_results.order_by("position")] == [
        (EXAMPLE.key_results[0].title, 900),
        *((kr.title, kr.target) for kr in EXAMPLE.key_results[1:]),
    ]
    journey.shot(page, "first objective")

    # Back on My OKRs: the objective is listed and its checklist step ticked.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My OKRs").click()
    expect(page.locator("#okr-list")).to_contain_text(EXAMPLE.title)
    expect(page.get_by_role("heading", name="Write your first objective")).to_have_count(0)
    checklist = page.get_by_role("region", name="Getting started")
    expect(checklist).to_contain_text("2 of 6 done")
    expect(checklist.locator("li.is-done")).to_contain_text(["Check the periods", "first company"])
    journey.shot(page, "my okrs with the objective")

    # The company settings page shows what sign-up chose.
    checklist.get_by_role("link", name="Check the periods").click()
    tabs = page.get_by_role("navigation", name="Company administration")
    tabs.get_by_role("link", name="Settings").click()
    expect(page.get_by_label("Time zone")).to_have_value("Europe/Oslo")
    expect(page.get_by_label("Fiscal year starts in")).to_have_value("4")
    expect(page.get_by_text("/brightpath/")).to_be_visible()
    journey.shot(page, "company settings")
    assert not csp_violations(page)

    # The same pages on a phone.
    phone = _page_in_oslo(journey, 375)
    sign_in(phone, EMAIL, PASSWORD)
    expect(phone.get_by_role("region", name="Getting started")).to_be_visible()
    journey.shot(phone, "phone: my okrs")
    phone.goto(f"/brightpath/objectives/new/?example={BY_KEY['support-fast-answers'].key}")
    expect(phone.get_by_label("Title")).to_have_value(BY_KEY["support-fast-answers"].title)
    journey.shot(phone, "phone: example form")
    phone.goto("/brightpath/manage/company/settings/")
    journey.shot(phone, "phone: company settings")
    # The admin may hide the checklist before every step is done.
    phone.goto("/brightpath/my/")
    phone.get_by_role("button", name="Hide this list").click()
    expect(phone.locator(".flash-success")).to_contain_text("hidden")
    expect(phone.get_by_role("region", name="Getting started")).to_have_count(0)
    # Another quarter, still empty: what to do next and the examples, on a phone.
    later = Period.objects.filter(org=org, kind="quarter").order_by("-start").first()
    phone.goto(f"/brightpath/my/?period={later.pk}")
    expect(phone.get_by_role("heading", name="Write your first objective")).to_be_visible()
    journey.shot(phone, "phone: empty quarter with examples")
    for width_page in (page, phone):
        overflow = width_page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0
    assert not csp_violations(phone)


def test_signup_without_a_browser_zone_keeps_utc_and_a_bad_address_keeps_the_rest(
    journey, transactional_db
):
    page = journey.new_page(width=375)
    page.goto("/accounts/signup/")
    page.get_by_label("Your name").fill("Sam Start")
    page.get_by_label("Email").fill("sam@start.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Company name").fill("Start Co")
    page.get_by_label("Company address").fill("not a slug!")
    page.get_by_label("Time zone").select_option("Asia/Tokyo")
    page.get_by_role("button", name="Create company").click()
    expect(page.locator("#id_org_slug_error")).to_be_visible()
    # What was typed and chosen is kept; the browser's zone does not override it.
    expect(page.get_by_label("Company name")).to_have_value("Start Co")
    expect(page.get_by_label("Time zone")).to_have_value("Asia/Tokyo")
    journey.shot(page, "phone: sign-up error")
    assert not Organization.objects.filter(name="Start Co").exists()
