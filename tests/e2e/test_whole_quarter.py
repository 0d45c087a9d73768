"""A whole quarter in one browser journey (issue 18): Mia drafts an objective and the coach
points out a task-like key result and a look-alike; she fixes the key result and aligns to
the look-alike instead; with review on she submits it and Mara approves it; she checks in;
the admin opens the next quarter and starts closing this one; Mia grades and reflects; the
admin closes the quarter; Mia carries the objective over; the period report shows it all."""

import re

import pytest
from playwright.sync_api import expect

from closing.models import CarryOver
from objectives.models import KeyResult, Objective
from organizations.models import Period

from .conftest import csp_violations, sign_in

pytestmark = pytest.mark.e2e

TITLE = "Cut the time customers need for onboarding"
LOOKALIKE = "Cut customer onboarding time in half"  # Engineering's, in the demo
KR = "Days from contract to first value"


def test_a_whole_quarter_from_draft_to_carry_over(journey, demo):
    quarter = Period.objects.get(org__slug="acme", kind="quarter", is_current=True)
    admin = journey.new_page()
    sign_in(admin, "admin@acme.example")
    admin.goto("/acme/manage/company/settings/")
    admin.get_by_label("Review objectives before they are published").check()
    admin.get_by_role("button", name="Save settings").click()
    expect(admin.locator(".flash-success")).to_contain_text("saved")

    # Draft with the coach beside the form.
    mia = journey.new_page()
    sign_in(mia, "mia@acme.example")
    mia.goto("/acme/objectives/new/")
    coach = mia.locator("#objective-form-coach")
    mia.get_by_label("Title").fill(TITLE)
    rows = mia.locator(".quick-kr")
    rows.nth(0).get_by_label("Key result").fill("Launch the onboarding checklist")
    rows.nth(0).get_by_label("To").fill("1")
    expect(coach.locator('[data-rule="kr_is_task"]')).to_be_visible()
    expect(coach.locator('[data-rule="look_alike"]')).to_contain_text(LOOKALIKE)
    rows.nth(0).get_by_label("Key result").fill(KR)
    rows.nth(0).get_by_label("From").fill("28")
    rows.nth(0).get_by_label("To").fill("14")
    expect(coach.locator('[data-rule="kr_is_task"]')).to_have_count(0)
    coach.locator('[data-rule="look_alike"]').get_by_role(
        "button", name="Align to it instead"
    ).first.click()
    mia.get_by_role("button", name="Save draft").click()
    expect(mia.get_by_role("heading", level=1)).to_have_text(TITLE)
    objective = Objective.objects.get(org__slug="acme", title=TITLE)
    assert objective.status == Objective.Status.DRAFT
    assert objective.parent.title == LOOKALIKE
    journey.shot(mia, "quarter: a draft with the coach")

    # Review: submitted, approved by Marketing's manager, published.
    mia.get_by_role("button", name=re.compile("Submit for review")).click()
    expect(mia.locator(".flash-success")).to_contain_text("submitted for review")
    mara = journey.new_page()
    sign_in(mara, "mara@acme.example")
    mara.goto(f"/acme/objectives/{objective.pk}/")
    mara.locator(".review-panel").get_by_role("button", name="Approve").click()
    expect(mara.locator(".flash-success")).to_contain_text("approved")
    objective.refresh_from_db()
    assert objective.status == Objective.Status.ACTIVE

    # A check-in moves it.
    kr = KeyResult.objects.get(objective=objective)
    mia.goto(f"/acme/krs/{kr.pk}/")
    mia.get_by_label(re.compile("New value")).fill("21")
    mia.get_by_role("button", name="Save check-in").click()
    expect(mia.locator(".flash-success").first).to_contain_text("Checked in")
    kr.refresh_from_db()
    assert kr.current_value == 21

    # Closing: the next quarter exists, grading opens, Mia grades and reflects.
    admin.goto("/acme/manage/company/periods/")
    admin.get_by_role("button", name="Create the next quarter").click()
    admin.goto(f"/acme/manage/company/periods/{quarter.pk}/")
    admin.get_by_role("link", name="Close period…").click()
    admin.get_by_role("button", name="Start closing").click()
    expect(admin.locator(".flash-success")).to_contain_text("Grading of")

    mia.goto("/acme/my/")
    mia.locator("#to-grade").locator("li", has_text=TITLE).get_by_role("link", name="Grade").click()
    grade = mia.get_by_label(f"Grade of “{KR}”")
    expect(grade).to_have_value("0.50")  # suggested from its progress: 21 on the way 28 -> 14
    grade.fill("0.6")
    mia.get_by_label("How did it end?").select_option("postponed")
    mia.get_by_label("What did we learn?").fill("Onboarding calls matter more than checklists.")
    mia.get_by_role("button", name="Save grades").click()
    expect(mia.locator("#grades")).to_contain_text("Postponed")

    admin.reload()
    admin.get_by_role("button", name="Force close").click()
    admin.get_by_role("button", name="Force close").click()
    expect(admin.get_by_role("heading", level=1)).to_contain_text("period report")
    quarter.refresh_from_db()
    assert quarter.is_closed

    # Carrying over into the next quarter, from where it ended.
    mia.goto(f"/acme/objectives/{objective.pk}/")
    mia.get_by_role("link", name="Carry over").click()
    mia.get_by_label("Continue it in").select_option(index=1)
    mia.get_by_label("Where they ended").check()
    mia.get_by_role("button", name="Carry over").click()
    expect(mia.locator("#continuation")).to_contain_text(f"Continued from {quarter.name}")
    copy = CarryOver.objects.get(source=objective).copy
    assert KeyResult.objects.get(objective=copy).start_value == 21

    admin.goto(f"/acme/closing/periods/{quarter.pk}/report/")
    report = admin.locator("main")
    expect(report).to_contain_text("Onboarding calls matter more than checklists.")
    expect(admin.locator("#carried").locator("..")).to_contain_text(TITLE)
    journey.shot(admin, "quarter: the period report")
    for page in (admin, mia, mara):
        assert csp_violations(page) == []
