"""Import and export in a browser: the admin downloads the template, uploads a spreadsheet
with mistakes (the preview lists them by row and column; nothing is written), then a clean
one (written once), then the same one again (nothing new); then downloads the quarter from
Explore as XLSX and reads it with openpyxl. The import page passes axe at 1280 and 375 px."""

import io
import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from openpyxl import Workbook, load_workbook
from playwright.sync_api import expect

from objectives.models import KeyResult, Objective
from organizations.clock import current_period
from organizations.models import Organization

from .conftest import csp_violations, sign_in

pytestmark = pytest.mark.e2e

BLOCKING = {"serious", "critical"}
CONFIRM = re.compile(r"^Import \d+ rows?$")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _blocking(page) -> list[str]:
    return [
        f"{v['id']}: {v['help']}"
        for v in Axe().run(page).response["violations"]
        if v["impact"] in BLOCKING
    ] + csp_violations(page)


def _workbook(rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _upload(page, name, content):
    page.get_by_label("Spreadsheet").set_input_files(
        files=[{"name": name, "mimeType": XLSX, "buffer": content}]
    )
    page.get_by_role("button", name="Preview the import").click()
    page.wait_for_load_state("networkidle")


def _open(path):
    """A downloaded workbook (Playwright saves it without its name's extension)."""
    return load_workbook(io.BytesIO(Path(path).read_bytes()))


def _counts(org):
    return Objective.objects.for_org(org).count(), KeyResult.objects.for_org(org).count()


@pytest.mark.parametrize("width", [1280, 375])
def test_admin_imports_a_spreadsheet_once_and_exports_the_quarter(journey, demo, width):
    org = Organization.objects.get(slug="acme")
    quarter = current_period(org)
    page = journey.new_page(width=width)
    sign_in(page, "admin@acme.example")
    page.goto("/acme/explore/")
    page.get_by_role("link", name="Import from a spreadsheet").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import objectives and key results")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download the template (.xlsx)").click()
    template = _open(download.value.path())
    header = [cell.value for cell in next(template.worksheets[0].iter_rows())]
    assert header[:3] == ["ref", "type", "title"]
    assert "How to fill it in" in template.sheetnames

    before = _counts(org)
    mistakes = [
        header,
        [
            "W1",
            "objective",
            "Host the APAC partner summit",
            None,
            None,
            quarter.name,
            "team",
            "Nowhere team",
        ],
        [
            "W2",
            "key result",
            "Partners attending",
            "W1",
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            "increase",
            "number",
            None,
            "0",
            "many",
        ],
    ]
    _upload(page, "mistakes.xlsx", _workbook(mistakes))
    problems = page.locator("#import-problems")
    expect(problems).to_contain_text("Row 2")
    expect(problems).to_contain_text("H (team)")
    expect(problems).to_contain_text("No team is called “Nowhere team”.")
    expect(problems).to_contain_text("Row 3")
    expect(problems).to_contain_text("R (target)")
    expect(page.get_by_role("button", name=CONFIRM)).to_have_count(0)
    assert not _blocking(page)
    journey.shot(page, f"import problems {width}")
    assert _counts(org) == before

    clean = [
        header,
        [
            "W1",
            "objective",
            "Host the APAC partner summit",
            None,
            None,
            quarter.name,
            "team",
            "Marketing",
        ],
        [
            "W2",
            "key result",
            "Partners attending",
            "W1",
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            "increase",
            "number",
            None,
            "0",
            "40",
        ],
        [
            "W3",
            "key result",
            "Summit recordings published",
            "W1",
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            "milestone",
        ],
    ]
    content = _workbook(clean)
    _upload(page, "summit.xlsx", content)
    created = page.locator("#import-created")
    expect(created).to_contain_text("Host the APAC partner summit")
    expect(created).to_contain_text("Summit recordings published")
    assert _counts(org) == before  # the preview wrote nothing
    assert not _blocking(page)
    journey.shot(page, f"import preview {width}")
    page.get_by_role("button", name="Import 3 rows").click()
    expect(page.locator(".flash-success")).to_contain_text(
        "Imported 1 objective(s) and 2 key result(s)."
    )
    assert _counts(org) == (before[0] + 1, before[1] + 2)
    summit = Objective.objects.get(org=org, title="Host the APAC partner summit")
    assert summit.team.name == "Marketing" and summit.key_results.count() == 2

    _upload(page, "summit.xlsx", content)
    expect(page.locator("#import-preview")).to_contain_text("Nothing new to import")
    expect(page.locator("#import-skipped")).to_contain_text("W1")
    expect(page.get_by_role("button", name=CONFIRM)).to_have_count(0)
    assert _counts(org) == (before[0] + 1, before[1] + 2)
    # No sideways scrolling on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    page.goto(f"/acme/explore/?period={quarter.pk}&team={summit.team_id}")
    with page.expect_download() as download:
        page.get_by_role("link", name="XLSX").click()
    rows = list(_open(download.value.path()).worksheets[0].iter_rows(values_only=True))
    header, rows = rows[0], [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    assert header[:3] == ("type", "ref", "objective_ref")
    objective = next(r for r in rows if r["title"] == "Host the APAC partner summit")
    assert objective["type"] == "objective" and objective["team"] == "Marketing"
    krs = [r["title"] for r in rows if r["objective_ref"] == objective["ref"]]
    assert krs == ["Partners attending", "Summit recordings published"]
    assert all(r["period"] in (quarter.name, None) for r in rows)
