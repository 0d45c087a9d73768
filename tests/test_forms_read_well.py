"""Forms read like a product: labels without Django's trailing colon, no "---------" empty
choice, and placeholders on the main text inputs (issue 16)."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from organizations.models import Invitation

from . import test_tenancy_walker as walker
from .factories import (
    InvitationFactory,
    KeyResultFactory,
    ObjectiveFactory,
    ReminderScheduleFactory,
    StrategicThemeFactory,
)

COLON_LABEL = re.compile(r":\s*</(label|legend)>")
EMPTY_OPTION = re.compile(r"<option[^>]*>\s*-{3,}\s*</option>")


@pytest.fixture
def data(org, period, team, admin_membership, member_membership):
    theme = StrategicThemeFactory(org=org, name="Growth")
    objective = ObjectiveFactory(org=org, period=period, owner=member_membership, theme=theme)
    kr = KeyResultFactory(objective=objective)
    schedule = ReminderScheduleFactory(org=org)
    invitation = InvitationFactory(org=org, invited_by=admin_membership)
    return {
        "objective": objective,
        "kr": kr,
        "theme": theme,
        "schedule": schedule,
        "invitation": invitation,
        "team": team,
        "period": period,
    }


def _pages(org, data):
    o, kr, s = data["objective"], data["kr"], data["schedule"]
    slug = org.slug
    anon = ["/accounts/login/", "/accounts/signup/", "/accounts/password-reset/"]
    member = [
        "/accounts/settings/",
        f"/{slug}/objectives/new/",
        f"/{slug}/objectives/{o.pk}/edit/",
        f"/{slug}/objectives/{o.pk}/krs/new/",
        f"/{slug}/krs/{kr.pk}/edit/",
        f"/{slug}/objectives/{o.pk}/share/",
        f"/{slug}/krs/{kr.pk}/",
        f"/{slug}/explore/",
        f"/{slug}/objectives/{o.pk}/",
    ]
    admin = [
        f"/{slug}/manage/company/",
        f"/{slug}/manage/company/settings/",
        f"/{slug}/manage/company/themes/",
        f"/{slug}/manage/company/themes/{data['theme'].pk}/",
        f"/{slug}/manage/company/periods/",
        f"/{slug}/manage/company/periods/{data['period'].pk}/",
        f"/{slug}/manage/people/",
        f"/{slug}/manage/teams/",
        f"/{slug}/manage/teams/{data['team'].pk}/",
        f"/{slug}/manage/teams/{data['team'].pk}/members/",
        f"/{slug}/checkins/schedules/",
        f"/{slug}/checkins/schedules/{s.pk}/",
        f"/{slug}/objectives/new/",
    ]
    return anon, member, admin


def test_no_form_shows_a_colon_after_its_label_or_a_dashed_empty_choice(
    org, data, anon, member, admin
):
    anon_pages, member_pages, admin_pages = _pages(org, data)
    token = Invitation.objects.get(pk=data["invitation"].pk).token
    pages = [(anon, path) for path in [*anon_pages, f"/invitations/{token}/"]]
    pages += [(member, path) for path in member_pages] + [(admin, path) for path in admin_pages]
    for client, path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.content.decode()
        assert "<label" in html, path  # the page does draw a form
        assert not COLON_LABEL.search(html), (path, COLON_LABEL.search(html))
        assert not EMPTY_OPTION.search(html), (path, EMPTY_OPTION.search(html))


def test_templates_draw_labels_through_the_shared_partial():
    """``{{ field.label_tag }}`` adds Django's ":"; every label goes through _field_label.html."""
    root = Path(settings.BASE_DIR) / "templates"
    offenders = [
        str(path.relative_to(root))
        for path in root.rglob("*.html")
        if "label_tag" in path.read_text() or re.search(r"\}\}:</label>", path.read_text())
    ]
    assert offenders == []


def test_the_main_text_inputs_suggest_what_to_write(org, data, member, admin):
    o, kr = data["objective"], data["kr"]
    expected = [
        (member, f"/{org.slug}/objectives/new/", 'name="title"'),
        (member, f"/{org.slug}/objectives/new/", 'name="description"'),
        (member, f"/{org.slug}/objectives/new/", 'name="kr-0-title"'),
        (member, f"/{org.slug}/objectives/{o.pk}/krs/new/", 'name="title"'),
        (member, f"/{org.slug}/krs/{kr.pk}/", 'name="note"'),
        (admin, f"/{org.slug}/checkins/schedules/", 'name="name"'),
        (admin, f"/{org.slug}/manage/people/", 'name="email"'),
        (admin, f"/{org.slug}/manage/teams/", 'name="name"'),
    ]
    for client, path, field in expected:
        html = client.get(path).content.decode()
        tag = re.search(rf"<(input|textarea)[^>]*{field}[^>]*>", html)
        assert tag, (path, field)
        assert 'placeholder="' in tag.group(0), (path, field)


@pytest.fixture
def world(org, admin_membership, member_membership, team, period):
    return walker.World(org, admin_membership, member_membership, team, period)


def test_no_company_page_shows_a_colon_label_or_a_dashed_choice(world, admin):
    """Every company URL the cross-company walker knows, as its admin sees it."""
    for name, _, url in walker._urls(world, world.org.slug):
        response = admin.get(url)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        assert not COLON_LABEL.search(html), (name, COLON_LABEL.search(html))
        assert not EMPTY_OPTION.search(html), (name, EMPTY_OPTION.search(html))
