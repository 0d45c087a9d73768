"""People leave, companies go, in a browser: the admin takes Mara out (her OKRs go to Erik),
then deletes the company by typing its name and is signed out (their account went too)."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from objectives.models import Objective
from organizations.models import Membership, Organization

from .conftest import csp_violations, sign_in

pytestmark = pytest.mark.e2e


def _serious_axe_violations(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']}: {v['help']}"
        for v in results.response["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


def test_a_person_leaves_then_the_company_goes(journey, demo):
    mara = Membership.objects.get(org__slug="acme", user__email="mara@acme.example")
    erik = Membership.objects.get(org__slug="acme", user__email="erik@acme.example")
    page = journey.new_page()
    sign_in(page, "admin@acme.example")

    page.goto("/acme/manage/people/")
    page.locator(f"#person-{mara.pk}").get_by_role("link", name="Leaves the company…").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("leaves Acme")
    page.get_by_label("Give them to another person").check()
    page.get_by_label("Give them to", exact=True).select_option(str(erik.pk))
    journey.shot(page, "a person leaves")
    assert _serious_axe_violations(page) == []
    page.get_by_role("button", name=re.compile("leaves$")).click()
    expect(page.locator(".flash-success")).to_contain_text("went to Erik")
    expect(page.locator(f"#person-{mara.pk}")).to_contain_text("Deactivated")
    assert not Objective.objects.filter(owner=mara, period__is_closed=False).exists()

    page.goto("/acme/manage/company/settings/")
    page.get_by_role("link", name=re.compile("Delete Acme")).click()
    page.get_by_label("Type the company's name to confirm").fill("acme")
    page.get_by_role("button", name="Delete Acme").click()
    expect(page.locator(".field-errors")).to_contain_text("exactly")
    page.get_by_label("Type the company's name to confirm").fill("Acme")
    journey.shot(page, "delete the company")
    assert _serious_axe_violations(page) == []
    page.get_by_role("button", name="Delete Acme").click()
    expect(page).to_have_url(re.compile("/accounts/login/"))
    expect(page.locator(".flash-success")).to_contain_text("Acme was deleted")
    assert not Organization.objects.filter(slug="acme").exists()
    assert csp_violations(page) == []
