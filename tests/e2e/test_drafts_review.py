"""Drafts and review in a browser: Mia saves a draft nobody else sees, the admin turns review
on, Mia submits it, Mara (Marketing's manager) asks for changes from her review inbox (a
missing comment is answered beside its field), Mia submits again, Mara approves it from the
objective page, and it is published."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core import mail
from playwright.sync_api import expect

from objectives.models import Objective

from .conftest import csp_violations, sign_in

pytestmark = pytest.mark.e2e

TITLE = "Host a monthly APAC operations meetup"


def _serious_axe_violations(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']}: {v['help']}"
        for v in results.response["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


def test_a_draft_is_submitted_sent_back_and_approved(journey, demo):
    mia = journey.new_page()
    sign_in(mia, "mia@acme.example")
    mia.goto("/acme/objectives/new/")
    mia.get_by_label("Title").fill(TITLE)
    mia.get_by_label("Aspirational").check()
    mia.get_by_role("button", name="Save draft").click()
    expect(mia.locator(".flash-success")).to_contain_text("Draft")
    expect(mia.locator("main .flash").filter(has_text="Only its owner")).to_be_visible()
    draft = Objective.objects.get(org__slug="acme", title=TITLE)
    assert draft.status == "draft" and draft.commitment == "aspirational"
    assert _serious_axe_violations(mia) == []
    journey.shot(mia, "draft saved")

    leo = journey.new_page()
    sign_in(leo, "leo@acme.example")
    response = leo.goto(f"/acme/objectives/{draft.pk}/")
    assert response.status == 404  # like a private objective

    admin = journey.new_page()
    sign_in(admin, "admin@acme.example")
    admin.goto("/acme/manage/company/settings/")
    admin.get_by_label("Review objectives before they are published").check()
    admin.get_by_role("button", name="Save settings").click()
    expect(admin.locator(".flash-success")).to_contain_text("saved")

    mia.goto(f"/acme/objectives/{draft.pk}/")
    mia.get_by_role("button", name=re.compile("Submit for review")).click()
    expect(mia.locator(".flash-success")).to_contain_text("submitted for review")

    mara = journey.new_page()
    sign_in(mara, "mara@acme.example")
    expect(mara.locator("main")).to_contain_text("1 objective waits for your review")
    mara.get_by_role("link", name=re.compile("wait.* for your review")).click()
    item = mara.locator(f"#review-{draft.pk}")
    expect(item).to_contain_text(TITLE)
    assert _serious_axe_violations(mara) == []
    item.get_by_role("button", name="Ask for changes").click()
    item = mara.locator(f"#review-{draft.pk}")
    expect(item.locator(".field-errors")).to_contain_text("Say what should change")
    item.get_by_label("What should change").fill("Say how many people should come.")
    item.get_by_role("button", name="Ask for changes").click()
    expect(mara.locator(".flash-success")).to_contain_text("sent back")
    journey.shot(mara, "changes asked")

    mia.goto(f"/acme/objectives/{draft.pk}/")
    expect(mia.locator(".review-panel")).to_contain_text("Say how many people should come.")
    mia.get_by_role("button", name=re.compile("Submit for review")).click()

    mara.goto(f"/acme/objectives/{draft.pk}/")
    mara.locator(".review-panel").get_by_role("button", name="Approve").click()
    expect(mara.locator(".flash-success")).to_contain_text("approved")
    draft.refresh_from_db()
    assert draft.status == Objective.Status.ACTIVE
    assert [m.subject for m in mail.outbox if TITLE in m.subject] == [
        f"Changes asked: {TITLE}",
        f"Approved: {TITLE}",
    ]
    assert leo.goto(f"/acme/objectives/{draft.pk}/").status == 200
    for page in (mia, mara, admin, leo):
        assert not csp_violations(page)
