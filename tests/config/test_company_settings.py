"""The company settings page: name, address shown, time zone, fiscal-year start, week start."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from organizations.config_services import company_settings_update
from organizations.models import Organization, Period
from organizations.periods import fiscal_year_periods
from tests.factories import MembershipFactory, PeriodFactory

pytestmark = pytest.mark.django_db

GOOD = {
    "name": "Acme Rockets",
    "time_zone": "America/Los_Angeles",
    "fiscal_year_start_month": "4",
    "week_start": "6",
}


def settings_url(org):
    return reverse("config:settings", kwargs={"org_slug": org.slug})


@pytest.mark.parametrize(
    ("persona", "expected"), [("admin", 200), ("manager", 403), ("member", 403), ("outsider", 404)]
)
def test_settings_page_is_for_the_companys_admins(request, org, persona, expected):
    client = request.getfixturevalue(persona)
    assert client.get(settings_url(org)).status_code == expected
    assert client.post(settings_url(org), GOOD).status_code == (
        302 if expected == 200 else expected
    )
    org.refresh_from_db()
    assert (org.name == "Acme Rockets") == (persona == "admin")


def test_settings_page_shows_the_address_and_current_values(admin, org):
    org.time_zone, org.fiscal_year_start_month, org.week_start = "Europe/Oslo", 7, 6
    org.save()
    html = admin.get(settings_url(org)).content.decode()
    assert "http://testserver/acme/" in html
    assert 'name="slug"' not in html  # shown, not editable
    assert '<option value="Europe/Oslo" selected>Europe/Oslo</option>' in html
    assert '<option value="7" selected>July</option>' in html
    assert '<option value="6" selected>Sunday</option>' in html
    assert "Existing periods stay as they are" in html
    assert 'href="/acme/manage/company/settings/" aria-current="page"' in html


def test_admin_saves_the_settings(admin, org):
    response = admin.post(settings_url(org), GOOD, follow=True)
    assert "Company settings saved." in response.content.decode()
    org.refresh_from_db()
    assert (org.name, org.time_zone, org.fiscal_year_start_month, org.week_start) == (
        "Acme Rockets",
        "America/Los_Angeles",
        4,
        6,
    )
    assert org.slug == "acme"


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"name": ""}, "name", "Give the company a name."),
        ({"name": "   "}, "name", "Give the company a name."),
        ({"name": "x" * 500}, "name", "at most 120"),
        ({"time_zone": "Nowhere/Atlantis"}, "time_zone", "Choose a time zone"),
        ({"fiscal_year_start_month": "0"}, "fiscal_year_start_month", "Choose a month"),
        ({"fiscal_year_start_month": "x"}, "fiscal_year_start_month", "Choose a month"),
        ({"week_start": "3"}, "week_start", "Choose a day"),
        ({"slug": "stolen"}, None, None),  # not a field: ignored, the address stays
    ],
)
def test_bad_settings_are_field_errors_that_keep_what_was_typed(admin, org, change, field, message):
    response = admin.post(settings_url(org), {**GOOD, **change})
    org.refresh_from_db()
    assert org.slug == "acme"
    if field is None:
        assert response.status_code == 302
        return
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == [field] and message in " ".join(errors[field])
    html = response.content.decode()
    assert message in html
    assert org.name == "Acme"  # nothing saved
    if field != "time_zone":
        assert '<option value="America/Los_Angeles" selected>' in html
    if field != "name":
        assert 'value="Acme Rockets"' in html


def test_changing_the_fiscal_start_keeps_existing_periods(admin, org):
    fiscal_year_periods(org, 2026)
    before = list(Period.objects.for_org(org).values_list("name", "start", "end"))
    admin.post(settings_url(org), {**GOOD, "fiscal_year_start_month": "4"})
    assert list(Period.objects.for_org(org).values_list("name", "start", "end")) == before
    # The next generated year starts in April (and does not clash with the calendar year 2026).
    org.refresh_from_db()
    fiscal_year_periods(org, 2027)
    assert Period.objects.get(org=org, kind="year", name="FY2027").start == datetime.date(
        2027, 4, 1
    )


def test_service_refuses_a_member_and_another_companys_admin(org, other_org, member_membership):
    outsider_admin = MembershipFactory(org=other_org, role="admin")
    for actor in (member_membership, outsider_admin):
        with pytest.raises(PermissionDenied):
            company_settings_update(
                org=org,
                actor=actor,
                name="Hijacked",
                time_zone="UTC",
                fiscal_year_start_month=1,
                week_start=0,
            )
    assert Organization.objects.get(pk=org.pk).name == "Acme"


@pytest.mark.parametrize("periods", [1, 40])
def test_settings_page_queries_do_not_grow(admin, org, periods, django_assert_max_num_queries):
    for i in range(periods):
        PeriodFactory(
            org=org,
            name=f"P{i}",
            kind="month",
            start=datetime.date(2020, 1, 1) + datetime.timedelta(days=31 * i),
            end=datetime.date(2020, 1, 1) + datetime.timedelta(days=31 * i + 27),
        )
    with django_assert_max_num_queries(5):
        assert admin.get(settings_url(org)).status_code == 200
