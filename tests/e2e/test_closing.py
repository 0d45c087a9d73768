"""Closing a quarter in a browser: the admin starts closing, Mia grades (a bad grade is
answered beside its field), reflects and sees her grades on the objective page, Mara nudges
from the grading page, the admin force-closes, Mia carries her objective over, and the
period report sums it up."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from closing.models import CarryOver, GradingNudge
from objectives.models import Objective
from organizations.models import Period

from .conftest import csp_violations, sign_in

pytestmark = pytest.mark.e2e

MIAS = "Grow our APAC audience on social media"


def _serious_axe_violations(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']}: {v['help']}"
        for v in results.response["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


def test_a_quarter_is_graded_closed_and_carried_over(journey, demo):
    quarter = Period.objects.get(org__slug="acme", kind="quarter", is_current=True)
    admin = journey.new_page()
    sign_in(admin, "admin@acme.example")
    admin.goto("/acme/manage/company/periods/")
    admin.get_by_role("button", name="Create the next quarter").click()
    expect(admin.locator(".flash-success")).to_contain_text("created")
    admin.goto(f"/acme/manage/company/periods/{quarter.pk}/")
    admin.get_by_role("link", name="Close period…").click()
    admin.get_by_role("button", name="Start closing").click()
    expect(admin.locator(".flash-success")).to_contain_text("Grading of")
    assert _serious_axe_violations(admin) == []
    journey.shot(admin, "grading opened")

    mia = journey.new_page()
    sign_in(mia, "mia@acme.example")
    grading = mia.locator("#to-grade")
    expect(grading).to_contain_text(MIAS)
    grading.locator("li", has_text=MIAS).get_by_role("link", name="Grade").click()
    followers = mia.get_by_label("Grade of “Gain 1,000 relevant followers this quarter”")
    expect(followers).to_have_value("0.43")  # suggested from its progress
    followers.fill("1.5")
    mia.get_by_label("How did it end?").select_option("postponed")
    mia.get_by_role("button", name="Save grades").click()
    expect(mia.locator(".field-errors").first).to_contain_text("less than or equal to 1")
    expect(mia.get_by_label("How did it end?")).to_have_value("postponed")  # kept
    mia.get_by_label("Grade of “Gain 1,000 relevant followers this quarter”").fill("0.45")
    mia.get_by_label("What went well?").fill("Regional posting times doubled engagement.")
    journey.shot(mia, "grade an objective")
    assert _serious_axe_violations(mia) == []
    mia.get_by_role("button", name="Save grades").click()
    grades = mia.locator("#grades")
    expect(grades).to_contain_text("Postponed")
    expect(grades).to_contain_text("Regional posting times doubled engagement.")

    mara = journey.new_page()
    sign_in(mara, "mara@acme.example")
    mara.get_by_role("link", name=re.compile("Follow the grading of")).click()
    mara.get_by_role("link", name="Marketing").click()
    todo = mara.locator("#todo")
    expect(todo).to_be_visible()
    todo.get_by_role("button", name="Nudge").first.click()
    expect(mara.locator(".flash-success")).to_contain_text("to grade")
    assert GradingNudge.objects.filter(org__slug="acme").count() == 1
    assert _serious_axe_violations(mara) == []

    admin.reload()
    admin.get_by_role("button", name="Force close").click()
    expect(admin.get_by_role("heading", level=1)).to_contain_text("Force-close")
    admin.get_by_role("button", name="Force close").click()
    expect(admin.get_by_role("heading", level=1)).to_contain_text("period report")
    quarter.refresh_from_db()
    assert quarter.is_closed

    mia.reload()
    expect(mia.locator(".flash-warning")).to_contain_text("closed")
    mia.get_by_role("link", name="Carry over").click()
    mia.get_by_label("Continue it in").select_option(index=1)
    mia.get_by_label("Where they ended").check()
    assert _serious_axe_violations(mia) == []
    mia.get_by_role("button", name="Carry over").click()
    expect(mia.locator("#continuation")).to_contain_text(f"Continued from {quarter.name}")
    copy = CarryOver.objects.get(source__title=MIAS, source__period=quarter).copy
    assert Objective.objects.get(pk=copy.pk).period.start > quarter.end

    admin.goto(f"/acme/closing/periods/{quarter.pk}/report/")
    expect(admin.locator("#carried").locator("..")).to_contain_text(MIAS)
    journey.shot(admin, "period report")
    assert _serious_axe_violations(admin) == []
    for page in (admin, mia, mara):
        assert csp_violations(page) == []
