import datetime

import pytest
from django.urls import reverse

from organizations.models import Period, StrategicTheme
from organizations.periods import current_period, fiscal_year_periods
from tests.factories import PeriodFactory, StrategicThemeFactory


def url(org, name, **kwargs):
    return reverse(f"config:{name}", kwargs={"org_slug": org.slug, **kwargs})


@pytest.fixture
def theme(org):
    return StrategicThemeFactory(org=org, name="APAC")


@pytest.mark.parametrize(
    ("persona", "expected"), [("admin", 200), ("manager", 403), ("member", 403), ("outsider", 404)]
)
@pytest.mark.parametrize("page", ["strategy", "themes", "theme-edit", "periods", "period-edit"])
def test_config_pages_are_for_admins(request, org, period, theme, persona, expected, page):
    client = request.getfixturevalue(persona)
    kwargs = {"theme-edit": {"theme_id": theme.pk}, "period-edit": {"period_id": period.pk}}
    assert client.get(url(org, page, **kwargs.get(page, {}))).status_code == expected


def test_member_cannot_post_strategy(member, org):
    assert member.post(url(org, "strategy"), {"vision": "mine"}).status_code == 403
    org.refresh_from_db()
    assert org.vision == ""


def test_markdown_is_rendered_safely(admin, member, org):
    evil = (
        "**Bold** <script>alert(1)</script> <img src=x onerror=alert(2)> "
        "[link](javascript:alert(3)) <a href='https://ok.example' onclick='x()'>ok</a>"
    )
    admin.post(url(org, "strategy"), {"vision": evil, "mission": "", "strategy": "# Win"})
    org.refresh_from_db()
    assert org.vision == evil
    body = member.get(reverse("objectives:company", kwargs={"org_slug": org.slug})).content
    body = body.decode()
    assert "<strong>Bold</strong>" in body
    assert "<h1>Win</h1>" in body
    assert "<script>alert" not in body
    assert "onerror" not in body
    assert "javascript:" not in body
    assert "onclick" not in body
    assert 'href="https://ok.example"' in body


def test_strategy_text_too_long_is_a_field_error(admin, org):
    response = admin.post(url(org, "strategy"), {"vision": "x" * 30_000, "strategy": ""})
    assert response.context["form"].errors["vision"]
    org.refresh_from_db()
    assert org.vision == ""


def test_theme_create_edit_delete(admin, org):
    admin.post(url(org, "themes"), {"name": "Growth", "description": "", "colour": "#112233"})
    theme = StrategicTheme.objects.get(name="Growth")
    response = admin.post(url(org, "themes"), {"name": "growth", "colour": "#112233"})
    assert response.context["form"].errors["name"]
    response = admin.post(url(org, "themes"), {"name": "Bad", "colour": "red"})
    assert response.context["form"].errors["colour"]
    admin.post(url(org, "theme-edit", theme_id=theme.pk), {"name": "Growth 2", "colour": "#000000"})
    theme.refresh_from_db()
    assert theme.name == "Growth 2"
    admin.post(url(org, "theme-edit", theme_id=theme.pk), {"action": "delete"})
    assert not StrategicTheme.objects.filter(pk=theme.pk).exists()


def test_theme_of_another_company_is_404(admin, other_org):
    foreign = StrategicThemeFactory(org=other_org)
    from organizations.models import Organization

    org = Organization.objects.get(slug="acme")
    assert admin.get(url(org, "theme-edit", theme_id=foreign.pk)).status_code == 404


def test_fiscal_year_with_april_start(org):
    org.fiscal_year_start_month = 4
    org.save()
    periods = fiscal_year_periods(org, 2026, months=True)
    year, q1 = periods[0], periods[1]
    assert (year.name, year.start, year.end) == (
        "FY2026",
        datetime.date(2026, 4, 1),
        datetime.date(2027, 3, 31),
    )
    assert (q1.name, q1.start, q1.end, q1.parent) == (
        "FY2026 Q1",
        datetime.date(2026, 4, 1),
        datetime.date(2026, 6, 30),
        year,
    )
    months = [p for p in periods if p.kind == "month"]
    assert [m.name for m in months][:2] == ["Apr 2026", "May 2026"]
    assert months[-1].name == "Mar 2027"
    assert months[-1].end == datetime.date(2027, 3, 31)
    assert all(m.parent.kind == "quarter" and m.parent.contains(m) for m in months)
    assert len(periods) == 17
    fiscal_year_periods(org, 2026, months=True)  # idempotent
    assert Period.objects.for_org(org).count() == 17


def test_fiscal_year_is_the_year_and_its_quarters_unless_months_are_asked_for(org):
    periods = fiscal_year_periods(org, 2027)
    assert [(p.kind, p.name) for p in periods] == [
        ("year", "FY2027"),
        ("quarter", "FY2027 Q1"),
        ("quarter", "FY2027 Q2"),
        ("quarter", "FY2027 Q3"),
        ("quarter", "FY2027 Q4"),
    ]
    assert not Period.objects.for_org(org).filter(kind="month").exists()
    fiscal_year_periods(org, 2027, months=True)  # adds the months under the same quarters
    months = Period.objects.for_org(org).filter(kind="month").select_related("parent")
    assert months.count() == 12
    assert {m.parent.name for m in months} == {f"FY2027 Q{q}" for q in range(1, 5)}
    assert Period.objects.for_org(org).count() == 17


def test_generate_via_page_and_overlap_error(admin, org):
    response = admin.post(
        url(org, "periods"), {"action": "generate", "fiscal_year": 2030}, follow=True
    )
    assert "FY2030 is ready: the year and 4 quarters." in response.content.decode()
    assert Period.objects.for_org(org).filter(kind="quarter").count() == 4
    assert not Period.objects.for_org(org).filter(kind="month").exists()
    admin.post(url(org, "periods"), {"action": "generate", "fiscal_year": 2030, "months": "on"})
    assert Period.objects.get(org=org, name="Feb 2030").parent.name == "FY2030 Q1"
    PeriodFactory(org=org, kind="year", name="Odd year", start="2031-06-01", end="2032-05-31")
    response = admin.post(url(org, "periods"), {"action": "generate", "fiscal_year": 2031})
    assert "overlaps" in str(response.context["fy_form"].errors["fiscal_year"])
    assert not Period.objects.filter(org=org, name="FY2031").exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"kind": "quarter", "name": "Q", "start": "2040-03-01", "end": "2040-01-01"}, "end"),
        ({"kind": "quarter", "name": "Q", "start": "2040-02-01", "end": "2040-04-30"}, "start"),
        ({"kind": "quarter", "name": "", "start": "2040-06-01", "end": "2040-08-31"}, "name"),
        ({"kind": "quarter", "name": "Q", "start": "soon", "end": "2040-08-31"}, "start"),
        ({"kind": "decade", "name": "Q", "start": "2040-06-01", "end": "2040-08-31"}, "kind"),
    ],
)
def test_custom_period_bad_input(admin, org, data, field):
    PeriodFactory(org=org, kind="quarter", name="Existing", start="2040-01-01", end="2040-03-31")
    response = admin.post(url(org, "periods"), {"action": "create", **data})
    assert response.context["create_form"].errors[field]
    assert Period.objects.for_org(org).count() == 1


def test_custom_period_nests_in_its_year(admin, org):
    fiscal_year_periods(org, 2041, months=True)
    admin.post(
        url(org, "periods"),
        {
            "action": "create",
            "kind": "month",
            "name": "Sprint",
            "start": "2041-02-01",
            "end": "2041-02-14",
        },
    )
    # months of the generated year overlap: refused
    assert not Period.objects.filter(org=org, name="Sprint").exists()
    admin.post(
        url(org, "periods"),
        {
            "action": "create",
            "kind": "quarter",
            "name": "Special",
            "start": "2043-01-01",
            "end": "2043-03-31",
        },
    )
    assert Period.objects.get(org=org, name="Special").parent is None


def test_period_edit_current_close_reopen(admin, org, period):
    other = PeriodFactory(
        org=org, kind="quarter", name="Next", start="2050-01-01", end="2050-03-31"
    )
    admin.post(url(org, "period-edit", period_id=other.pk), {"action": "make-current"})
    other.refresh_from_db()
    period.refresh_from_db()
    assert other.is_current and not period.is_current
    assert current_period(org) == other
    admin.post(url(org, "period-edit", period_id=other.pk), {"action": "close"})
    other.refresh_from_db()
    assert other.is_closed
    admin.post(url(org, "period-edit", period_id=other.pk), {"action": "reopen"})
    other.refresh_from_db()
    assert not other.is_closed
    response = admin.post(
        url(org, "period-edit", period_id=other.pk),
        {"action": "save", "name": "Renamed", "start": "2050-01-01", "end": "2049-01-01"},
    )
    assert response.context["form"].errors["end"]
    admin.post(
        url(org, "period-edit", period_id=other.pk),
        {"action": "save", "name": "Renamed", "start": "2050-01-01", "end": "2050-03-30"},
    )
    other.refresh_from_db()
    assert other.name == "Renamed"


def test_current_period_falls_back_to_today_then_latest(org):
    assert current_period(org) is None
    old = PeriodFactory(org=org, kind="quarter", start="2001-01-01", end="2001-03-31")
    latest = PeriodFactory(org=org, kind="quarter", start="2002-01-01", end="2002-03-31")
    assert current_period(org) == latest
    today = PeriodFactory(org=org, kind="quarter")  # contains today
    assert current_period(org) == today
    Period.objects.filter(pk=old.pk).update(is_current=True)
    assert current_period(org) == old


def test_config_pages_query_budget(admin, org, django_assert_max_num_queries):
    fiscal_year_periods(org, 2030)
    fiscal_year_periods(org, 2031)
    with django_assert_max_num_queries(12):
        assert admin.get(url(org, "periods")).status_code == 200
    for _ in range(30):
        StrategicThemeFactory(org=org)
    with django_assert_max_num_queries(12):
        assert admin.get(url(org, "themes")).status_code == 200


def test_vision_excerpt_is_plain_text_without_markup():
    from alignment.selectors import vision_excerpt
    from organizations.models import Organization

    org = Organization(name="X", slug="x", vision="Every team runs on **Acme** & <b>friends</b>")
    assert vision_excerpt(org) == "Every team runs on Acme & friends"
