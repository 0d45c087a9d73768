"""Isolation in the browser: another company's member pasting Acme's URLs sees "not found"."""

import io

import pytest
from django.core.management import call_command

from objectives.models import Objective

from .conftest import sign_in

pytestmark = pytest.mark.e2e


def test_member_of_another_company_gets_the_not_found_page(journey, demo):
    call_command("seed_demo", org="globex", people=14, password="demo", stdout=io.StringIO())
    acme_objective = Objective.objects.filter(org__slug="acme").first()
    page = journey.new_page()
    sign_in(page, "admin@globex.example")
    journey.shot(page, "globex admin signed in")
    urls = ["/acme/", "/acme/my/", "/acme/explore/", "/acme/manage/people/"]
    if acme_objective is not None:
        urls.append(f"/acme/objectives/{acme_objective.pk}/")
        urls.append(f"/globex/objectives/{acme_objective.pk}/")
    for url in urls:
        response = page.goto(url)
        assert response.status == 404, url
        assert page.get_by_role("heading", name="Page not found").is_visible(), url
    journey.shot(page, "not found")
