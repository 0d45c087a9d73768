"""Mia makes an API token in the browser, copies it from the page that shows it once, uses
it from a script, and revokes it; the pages pass axe and the CSP at 1280 and 375 px."""

import json
import re
import urllib.error
import urllib.request

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from .conftest import csp_violations, sign_in

pytestmark = pytest.mark.e2e


def _serious(page):
    return [
        f"{v['id']}: {v['help']}"
        for v in Axe().run(page).response["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


def _fits(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _periods(base, token):
    request = urllib.request.Request(
        f"{base}/acme/api/periods/", headers={"Authorization": f"Bearer {token}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.mark.parametrize("width", [1280, 375])
def test_mia_makes_uses_and_revokes_a_token(journey, demo, width):
    page = journey.new_page(width=width, height=900)
    sign_in(page, "mia@acme.example")
    page.goto("/acme/inbox/settings/")
    page.get_by_role("link", name="API tokens").click()
    expect(page.get_by_role("heading", name="API tokens")).to_be_visible()
    problems = _serious(page) + csp_violations(page)
    assert _fits(page), "the tokens page scrolls sideways"

    # A mistake is said beside its field, and what was typed stays.
    page.get_by_label("Read and write").check()
    page.get_by_role("button", name="Make token").click()
    expect(page.locator(".field-errors")).to_contain_text("This field is required")
    expect(page.get_by_label("Read and write")).to_be_checked()

    page.get_by_label("Name").fill("Weekly report")
    page.get_by_role("button", name="Make token").click()
    expect(page.get_by_role("heading", name="Your new token")).to_be_visible()
    token = page.get_by_label("Token").input_value()
    assert re.fullmatch(r"aln_[\w-]{40,}", token)
    problems += _serious(page) + csp_violations(page)
    assert _fits(page), "the shown-once page scrolls sideways"
    journey.shot(page, f"token shown once {width}")

    status, body = _periods(journey.base_url, token)
    assert status == 200 and body["items"], body

    page.get_by_role("link", name="Back to your tokens").click()
    assert token not in page.content()  # never shown again
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Revoke Weekly report").click()
    expect(page.get_by_text("Revoked “Weekly report”.")).to_be_visible()
    expect(page.locator("td", has_text="Weekly report")).to_contain_text("revoked")
    assert _periods(journey.base_url, token)[0] == 401
    assert not problems, "\n".join(problems)
