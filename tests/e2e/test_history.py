"""History in a browser: Mia edits her objective, opens its History and reads the change;
an admin narrows the change log to that objective; axe and a phone's width on both."""

from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from objectives.models import Objective

from .conftest import csp_violations, sign_in

pytestmark = pytest.mark.e2e

OLD = "Grow our APAC audience on social media"
NEW = "Grow our APAC audience on LinkedIn and X"


def _serious(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']}: {v['help']}"
        for v in results.response["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


def _fits(page) -> bool:
    width, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    return width <= inner


def test_an_edited_objective_reads_its_change_in_history(journey, demo):
    objective = Objective.objects.get(org__slug="acme", title=OLD)
    page = journey.new_page()
    sign_in(page, "mia@acme.example")

    page.goto(f"/acme/objectives/{objective.pk}/edit/")
    page.get_by_label("Title").fill(NEW)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(NEW)

    # History loads when scrolled to: who, and the title before and after.
    history = page.locator("#history")
    history.scroll_into_view_if_needed()
    expect(history.locator(".history-entry").first).to_contain_text("Mia Chen")
    first = history.locator(".history-entry").first
    expect(first.locator(".history-before", has_text=OLD)).to_be_visible()
    expect(first.locator(".history-after", has_text=NEW)).to_be_visible()
    journey.shot(page, "objective history")
    assert not _serious(page)

    # On a phone, the same section fits.
    phone = journey.new_page(width=375, height=800)
    sign_in(phone, "mia@acme.example")
    phone.goto(f"/acme/history/objectives/{objective.pk}/")
    expect(phone.locator("#history")).to_contain_text(NEW)
    assert _fits(phone)
    assert not csp_violations(page) and not csp_violations(phone)


def test_an_admin_narrows_the_change_log_and_exports_it(journey, demo):
    objective = Objective.objects.get(org__slug="acme", title=OLD)
    Objective.objects.filter(pk=objective.pk).update(title=NEW)  # a script, say
    page = journey.new_page()
    sign_in(page, "admin@acme.example")
    page.goto("/acme/history/log/")
    page.get_by_label("Objective id").fill(str(objective.pk))
    page.get_by_role("button", name="Show").click()
    rows = page.locator("tbody tr")
    expect(rows.first).to_contain_text("Outside the app")
    expect(rows.first.locator(".history-after", has_text=NEW)).to_be_visible()
    assert not _serious(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Export CSV").click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert NEW in text and text.startswith("When,Who,Object,Change,Field,Before,After")
    journey.shot(page, "change log")

    phone = journey.new_page(width=375, height=800)
    sign_in(phone, "admin@acme.example")
    phone.goto(f"/acme/history/log/?objective={objective.pk}")
    assert _fits(phone)
    assert not csp_violations(page) and not csp_violations(phone)
