"""The API's docs (Swagger UI, served from static files) open in the browser under the CSP."""

import pytest
from playwright.sync_api import expect

from .conftest import csp_violations, sign_in

pytestmark = pytest.mark.e2e


def test_the_api_docs_render_under_the_csp(journey, demo):
    page = journey.new_page()
    sign_in(page, "mia@acme.example")
    page.goto("/acme/api/docs")
    expect(page.get_by_text("Aligned API").first).to_be_visible()
    expect(page.get_by_text("/acme/api/objectives/").first).to_be_visible()
    assert not csp_violations(page)
