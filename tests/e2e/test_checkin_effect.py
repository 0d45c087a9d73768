"""A check-in shows its effect at once: on My OKRs and on the key result's page every figure
that depends on the KR changes without a reload, and the box beside "Save check-in" says what
the value being typed would make the progress."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from objectives.models import KeyResult, Objective
from objectives.rollups import refresh_rollups
from organizations.models import Membership

from .conftest import csp_violations, sign_in

pytestmark = pytest.mark.e2e

PHONE = 375


@pytest.fixture
def family(demo):
    """Mia's "Effect parent" (one KR at 0 of 10) and, aligned to it, "Effect child" with
    "Effect KR A" at 0 and "Effect KR B" at 50 (of 100), in the period of her objectives."""
    mia = Membership.objects.get(org__slug="acme", user__email="mia@acme.example")
    period = (
        Objective.objects.filter(owner=mia, period__is_closed=False).order_by("pk").first().period
    )

    def objective(title, parent=None):
        return Objective.objects.create(
            org=mia.org,
            period=period,
            owner=mia,
            level=Objective.Level.INDIVIDUAL,
            title=title,
            parent=parent,
        )

    def key_result(objective, title, target, current=0):
        return KeyResult.objects.create(
            org=mia.org,
            objective=objective,
            owner=mia,
            title=title,
            start_value=Decimal(0),
            target_value=Decimal(target),
            current_value=Decimal(current),
        )

    parent = objective("Effect parent")
    key_result(parent, "Effect parent KR", 10)
    child = objective("Effect child", parent=parent)
    kr = key_result(child, "Effect KR A", 100)
    key_result(child, "Effect KR B", 100, current=50)
    refresh_rollups([child.pk], org_id=mia.org_id)
    return period, parent, child, kr


def _mark_page(page):
    """A flag a reload would wipe out."""
    page.evaluate("window.notReloaded = true")


def _assert_not_reloaded(page):
    assert page.evaluate("window.notReloaded === true"), "the page was reloaded"


def _errors(page):
    return [line for line in page.console_log if line.startswith(("error", "pageerror"))]


def test_a_checkin_updates_every_dependent_figure_without_a_reload(journey, family):
    period, parent, child, kr = family
    page = journey.new_page()
    sign_in(page, "mia@acme.example")
    page.goto(f"/acme/my/?period={period.pk}")
    child_card, parent_card = (
        page.locator(f"#objective-{child.pk}"),
        page.locator(f"#objective-{parent.pk}"),
    )
    expect(child_card.locator("header .pct")).to_have_text("25%")
    expect(parent_card.locator("header .pct")).to_have_text("0%")
    expect(parent_card.locator("header")).to_contain_text("With what aligns to it: 13%")
    _mark_page(page)

    # Opens the check-in form of KR A in place; the box beside the button says where it is now.
    row = child_card.locator(f"#kr-{kr.pk}")
    row.get_by_role("link", name=re.compile("Check in")).click()
    form = row.locator("form.checkin-form")
    preview = form.locator(".checkin-preview")
    expect(preview).to_have_text("Currently 0 (0%)")
    # Typing shows what the value would make the progress, clamped like the server does.
    value = form.get_by_label("New value")
    value.fill("30")
    expect(preview).to_have_text("Would be 30% (now 0%)")
    value.fill("150")
    expect(preview).to_have_text("Would be 100% (now 0%)")
    value.fill("")
    expect(preview).to_have_text("Currently 0 (0%)")
    value.fill("60")
    expect(preview).to_have_text("Would be 60% (now 0%)")
    journey.shot(page, "my okrs preview")
    form.get_by_label("Confidence").select_option(label="At risk")
    with page.expect_request(lambda request: request.method == "POST") as posted:
        form.get_by_role("button", name="Save check-in").click()
    # The page named its regions: this KR's and the objectives', not the other KRs'.
    regions = posted.value.headers["x-live-regions"].split()
    other = KeyResult.objects.get(objective=child, title="Effect KR B")
    assert {f"kr-{kr.pk}-values", f"objective-{parent.pk}-progress"} <= set(regions)
    assert f"kr-{other.pk}-values" not in regions

    expect(row.locator(".flash-success")).to_contain_text("Checked in")
    # The KR's row: value, percentage, confidence, last check-in.
    expect(page.locator(f"#kr-{kr.pk}-values")).to_contain_text("0 → 100 (now 60)")
    expect(page.locator(f"#kr-{kr.pk}-status .pct")).to_have_text("60%")
    expect(page.locator(f"#kr-{kr.pk}-status")).to_contain_text("At risk")
    expect(page.locator(f"#conf-{kr.pk}")).to_have_value("at_risk")
    expect(row.locator(".checkin summary")).to_contain_text("last check-in now")
    expect(row.locator(".checkin-preview")).to_have_text("Currently 60 (60%)")
    # Its objective's own progress ((60 + 50) / 2) and the parent's aligned ((0 + 55) / 2).
    expect(child_card.locator("header .pct")).to_have_text("55%")
    expect(child_card.locator("header svg[role=img]")).to_have_attribute(
        "aria-label", "Objective progress: 55%"
    )
    expect(parent_card.locator("header .pct")).to_have_text("0%")
    expect(parent_card.locator("header")).to_contain_text("With what aligns to it: 28%")
    _assert_not_reloaded(page)
    journey.shot(page, "my okrs after check-in")

    # On the key result's page: the header card, the chart and the history.
    row.get_by_role("link", name="Effect KR A", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Effect KR A")
    card = page.locator(f"#kr-{kr.pk}-card")
    expect(card.locator(".pct")).to_have_text("60%")
    expect(card.locator("dd").nth(4)).to_have_text("60")  # Current
    history = page.locator(f"#kr-history-{kr.pk}")
    points = history.locator("svg.chart circle").count()
    _mark_page(page)
    form = page.locator("form.checkin-form")
    preview = form.locator(".checkin-preview")
    expect(preview).to_have_text("Currently 60 (60%)")
    form.get_by_label("New value").fill("80")
    expect(preview).to_have_text("Would be 80% (now 60%)")
    form.get_by_label("Confidence").select_option(label="On track")
    form.get_by_label("Note").fill("Two more signed.")
    form.get_by_role("button", name="Save check-in").click()

    expect(page.locator(f"#checkin-{kr.pk} .flash-success")).to_contain_text("Checked in")
    expect(card.locator(".pct")).to_have_text("80%")
    expect(card.locator("dd").nth(4)).to_have_text("80")
    expect(card.locator(".badge.conf-on_track")).to_contain_text("On track")
    # The confidence select sits in the page's action menu, updated with the card.
    expect(page.locator(f"#conf-{kr.pk}")).to_have_value("on_track")
    expect(history).to_contain_text("Two more signed.")
    expect(history.locator("svg.chart circle")).to_have_count(points + 1)
    expect(history.locator("tbody tr").first).to_contain_text("80")
    expect(page.locator(".checkin-preview")).to_have_text("Currently 80 (80%)")
    _assert_not_reloaded(page)
    journey.shot(page, "kr page after check-in")

    # Deleting that check-in puts the header card, the history and the form back.
    page.once("dialog", lambda dialog: dialog.accept())
    history.locator("tbody tr").first.get_by_role("button", name="Delete").click()
    expect(history).not_to_contain_text("Two more signed.")
    expect(history.locator("svg.chart circle")).to_have_count(points)
    expect(card.locator(".pct")).to_have_text("60%")
    expect(card.locator("dd").nth(4)).to_have_text("60")
    expect(page.locator(".checkin-preview")).to_have_text("Currently 60 (60%)")
    expect(page.locator("form.checkin-form").get_by_label("New value")).to_have_value("60")
    _assert_not_reloaded(page)
    journey.shot(page, "kr page after deleting the check-in")

    # On the objective's page: its card, the alignment panel's step and the chart.
    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Effect child")
    card = page.locator(f"#objective-{child.pk}")
    expect(card.locator("header .pct")).to_have_text("55%")  # (60 + 50) / 2
    step = page.locator(f"#objective-{child.pk}-own")
    expect(step).to_contain_text("55%")
    chart = page.locator(f"#objchart-{child.pk}-card")
    chart_before = chart.inner_html()
    _mark_page(page)
    row = card.locator(f"#kr-{other.pk}")
    row.get_by_role("link", name=re.compile("Check in")).click()
    row.get_by_label("New value").fill("70")
    expect(row.locator(".checkin-preview")).to_have_text("Would be 70% (now 50%)")
    row.get_by_role("button", name="Save check-in").click()
    expect(row.locator(".flash-success")).to_contain_text("Checked in")
    expect(card.locator("header .pct")).to_have_text("65%")
    expect(page.locator(f"#kr-{other.pk}-status .pct")).to_have_text("70%")
    expect(step).to_contain_text("65%")
    assert chart.inner_html() != chart_before
    _assert_not_reloaded(page)
    journey.shot(page, "objective page after check-in")

    assert _errors(page) == []
    assert csp_violations(page) == []


def test_the_checkin_form_and_its_preview_fit_a_phone(journey, family):
    period, parent, child, kr = family
    page = journey.new_page(width=PHONE, height=800)
    sign_in(page, "mia@acme.example")
    page.goto(f"/acme/my/?period={period.pk}")
    row = page.locator(f"#kr-{kr.pk}")
    row.get_by_role("link", name=re.compile("Check in")).click()
    form = row.locator("form.checkin-form")
    form.get_by_label("New value").fill("12345.5")
    preview = form.locator(".checkin-preview")
    expect(preview).to_have_text("Would be 100% (now 0%)")
    for locator in (form, preview, form.get_by_role("button", name="Save check-in")):
        box = locator.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE, box
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE
    journey.shot(page, "phone preview")

    page.goto(f"/acme/krs/{kr.pk}/")
    page.locator("form.checkin-form").get_by_label("New value").fill("7")
    expect(page.locator(".checkin-preview")).to_have_text("Would be 7% (now 0%)")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE
    journey.shot(page, "phone kr page preview")

    # A decreasing KR and a milestone, with objectives/progress.py's formula.
    fewer = KeyResult.objects.create(
        org=child.org,
        objective=child,
        owner=child.owner,
        title="Cut tickets",
        start_value=Decimal(100),
        target_value=Decimal(20),
        current_value=Decimal(100),
    )
    page.goto(f"/acme/krs/{fewer.pk}/")
    page.locator("form.checkin-form").get_by_label("New value").fill("60")
    expect(page.locator(".checkin-preview")).to_have_text("Would be 50% (now 0%)")
    milestone = KeyResult.objects.create(
        org=child.org,
        objective=child,
        owner=child.owner,
        title="Launch",
        kind=KeyResult.Kind.MILESTONE,
        start_value=Decimal(0),
        target_value=Decimal(1),
    )
    page.goto(f"/acme/krs/{milestone.pk}/")
    page.locator("form.checkin-form").get_by_label("Status").select_option(label="Done")
    expect(page.locator(".checkin-preview")).to_have_text("Would be 100% (now 0%)")
    assert _errors(page) == []
