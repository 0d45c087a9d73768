"""On the demo company, a manager's dashboard shows the story's alignment problems."""

import io
import re

import pytest
from django.core.management import call_command
from django.test import Client

from accounts.models import User


def _section(html, heading):
    start = html.index(heading)
    end = html.index("</section>", start)
    return " ".join(re.sub(r"<[^>]+>", " ", html[start:end]).split())


@pytest.mark.django_db
def test_demo_manager_finds_unsupported_unaligned_and_duplicate_work():
    call_command("seed_demo", org="acme", people=16, stdout=io.StringIO())
    erik = Client()
    erik.force_login(User.objects.get(email="erik@acme.example"))
    html = erik.get("/acme/alignment/dashboard/").content.decode()

    duplicates = _section(html, "Possible duplicated work")
    assert "Cut customer onboarding time in half" in duplicates
    assert "Halve the time it takes to onboard a customer" in duplicates
    assert "Keep the platform fast and reliable" in _section(html, "Not aligned")
    assert "Become a carbon-neutral company" in _section(html, "Company objectives nobody supports")
    assert "Says on track, but more than 20 points behind pace" in _section(
        html, "Flagged key results"
    )
