"""Dependencies in a browser, without JavaScript-only paths: Mara declares what Marketing's
objective needs from Sales; Sam (Sales) proposes another date; Mara accepts it. Both pages
pass axe at 1280 and 375 px."""

import datetime

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from dependencies.models import Dependency
from objectives.models import Objective
from organizations.clock import company_today

from .conftest import csp_violations, sign_in

pytestmark = pytest.mark.e2e

BLOCKING = {"serious", "critical"}
OBJECTIVE = "Feed Sales with qualified APAC leads"


def _no_blocking_axe(page) -> list[str]:
    return [
        f"{v['id']}: {v['help']}"
        for v in Axe().run(page).response["violations"]
        if v["impact"] in BLOCKING
    ] + csp_violations(page)


@pytest.mark.parametrize("width", [1280, 375])
def test_marketing_asks_sales_and_they_settle_on_a_date(journey, demo, width):
    objective = Objective.objects.get(org__slug="acme", title=OBJECTIVE, period__is_current=True)
    today = company_today(objective.org)
    needed, later = today + datetime.timedelta(days=9), today + datetime.timedelta(days=16)

    mara = journey.new_page(width=width)
    sign_in(mara, "mara@acme.example")
    mara.goto(f"/acme/objectives/{objective.pk}/")
    section = mara.locator("section#dependencies")
    expect(section).to_contain_text("Needs from others")
    section.get_by_role("link", name="Declare a dependency").click()
    mara.get_by_label("What do you need?").fill("Sales' feedback on the lead scoring")
    mara.get_by_label("From a team").select_option(label="Sales")
    mara.get_by_label("Needed by").fill(needed.isoformat())
    assert not _no_blocking_axe(mara)
    mara.get_by_role("button", name="Ask for it").click()
    expect(mara.locator("section#dependencies")).to_contain_text("lead scoring")
    journey.shot(mara, f"dependencies on the objective {width}")
    dependency = Dependency.objects.get(what__contains="lead scoring")

    sam = journey.new_page(width=width)
    sign_in(sam, "sam@acme.example")
    sam.goto(f"/acme/dependencies/{dependency.pk}/")
    sam.get_by_label("We can, but by another date").check()
    sam.get_by_label("The date you propose").fill(later.isoformat())
    sam.get_by_label("A word for them").fill("After the pricing review")
    assert not _no_blocking_axe(sam)
    sam.get_by_role("button", name="Send answer").click()
    expect(sam.locator("main")).to_contain_text("Another date proposed")
    journey.shot(sam, f"dependency answered {width}")

    mara.goto(f"/acme/dependencies/{dependency.pk}/")
    mara.get_by_role("button", name=f"Accept {later:%b} {later.day}").click()
    expect(mara.locator("main")).to_contain_text("Acknowledged")
    dependency.refresh_from_db()
    assert (dependency.status, dependency.needed_by) == ("acknowledged", later)
