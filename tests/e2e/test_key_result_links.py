"""Aligning to a team's key result in a browser: Mia aligns her audience objective to
Marketing's "Deliver 400 MQLs" key result (measured from its contributing objectives in the
demo), checks in on her own key result, and watches the team's key result and its objective
move; the "also supports" link and the key result's contributors show on their pages, and axe
finds nothing serious on them, at 1280 and 375 px."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from objectives.models import KeyResult, Objective

from .conftest import csp_violations, sign_in

pytestmark = pytest.mark.e2e

MINE = "Grow our APAC audience on social media"
MQL = "Deliver 400 marketing-qualified leads (MQLs) to Sales"
MY_KR = "Gain 1,000 relevant followers this quarter"
BLOCKING = {"serious", "critical"}


def _axe_problems(page, label):
    problems = []
    for violation in Axe().run(page).response["violations"]:
        if violation["impact"] in BLOCKING:
            targets = "; ".join(" ".join(map(str, n["target"])) for n in violation["nodes"][:3])
            problems.append(f"{label}: [{violation['impact']}] {violation['id']} -> {targets}")
    return problems + [f"{label}: {line}" for line in csp_violations(page)]


@pytest.mark.parametrize("width", [1280, 375])
def test_aligning_to_a_team_kr_moves_it_when_my_kr_moves(journey, demo, width):
    mql = KeyResult.objects.get(org__slug="acme", title=MQL)
    assert mql.measured_by == KeyResult.MeasuredBy.CONTRIBUTORS  # the demo's choice
    team = mql.objective
    mine = Objective.objects.get(org__slug="acme", title=MINE)
    before_value, before_progress = mql.current_value, team.progress

    page = journey.new_page(width=width)
    sign_in(page, "mia@acme.example")
    page.goto(f"/acme/objectives/{mine.pk}/")
    panel = page.locator("#alignment-panel")
    picker = panel.locator(f"#align-parent-{mine.pk}")
    picker.select_option(value=f"kr:{mql.pk}")
    panel.get_by_role("button", name="Re-align").click()
    expect(page.locator(".flash-success")).to_contain_text(f"Contributes to the key result “{MQL}”")
    # The contribution path names the key result it now serves, then its objective.
    path = page.locator(".contribution-path")
    expect(path.locator(".path-kr")).to_contain_text(MQL)
    expect(path).to_contain_text(team.title)
    problems = _axe_problems(page, "objective page with the link panel")
    journey.shot(page, "aligned to a key result")

    # A check-in on her own key result: 430 -> 1,000 followers.
    row = page.locator(".kr-row", has_text=MY_KR)
    row.get_by_role("link", name=re.compile("Check in")).click()
    form = row.locator("form.checkin-form")
    form.get_by_label("New value").fill("1000")
    form.get_by_role("button", name="Save check-in").click()
    expect(row.locator(".flash-success")).to_contain_text("Checked in")

    # Marketing's key result and objective moved; the KR row says what measures it.
    page.goto(f"/acme/objectives/{team.pk}/")
    mql_row = page.locator(f"#kr-{mql.pk}")
    expect(mql_row).to_contain_text("measured from 3 contributing objectives")
    mql.refresh_from_db()
    team.refresh_from_db()
    assert mql.current_value > before_value
    assert team.progress > before_progress
    expect(mql_row.get_by_role("link", name=re.compile("Check in"))).to_have_count(0)
    problems += _axe_problems(page, "team objective page")
    journey.shot(page, "team key result moved")

    # Its page lists the contributors; Mia may not change how it is measured.
    page.goto(f"/acme/krs/{mql.pk}/")
    contributors = page.locator(".kr-contributors")
    expect(contributors).to_contain_text(MINE)
    expect(contributors).to_contain_text("weight 2")  # Tom's, set by Mara in the demo
    expect(contributors.get_by_label("How is it measured?")).to_have_count(0)
    problems += _axe_problems(page, "key result page")
    # Sales' objective lists Mia's lead-form objective as also supporting it.
    sales = Objective.objects.get(org__slug="acme", title="Turn Marketing's MQLs into customers")
    page.goto(f"/acme/objectives/{sales.pk}/")
    expect(page.locator(".also-supports")).to_contain_text("Turn APAC followers into leads")
    problems += _axe_problems(page, "also supported by")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert not problems, "\n".join(problems)
