"""Periods people can find (issue 15, item 7): a fiscal year is its quarters, the next
quarter is one click away, and pickers group by fiscal year with the current quarter first."""

import datetime
import re

import pytest
from django.urls import reverse

from objectives.forms import ObjectiveForm
from objectives.presenters import period_options as period_options_html
from organizations.clock import company_today
from organizations.models import Period
from organizations.periods import PAST_YEARS, fiscal_year_of, fiscal_year_periods, period_groups
from tests.factories import PeriodFactory

D = datetime.date


def url(org, name, **kwargs):
    return reverse(f"config:{name}", kwargs={"org_slug": org.slug, **kwargs})


def _names(org):
    return list(
        Period.objects.for_org(org).order_by("start", "-end").values_list("name", flat=True)
    )


# --- the next quarter --------------------------------------------------------------------


def test_admin_creates_the_next_quarter_in_one_click(admin, org):
    fiscal_year_periods(org, 2030)
    page = admin.get(url(org, "periods")).content.decode()
    assert "FY2031 Q1: 1 Jan 2031 to 31 Mar 2031" in page
    assert "Create the next quarter" in page
    response = admin.post(url(org, "period-next-quarter"), follow=True)
    assert "“FY2031 Q1” created: 01 Jan 2031 to 31 Mar 2031." in response.content.decode()
    quarter = Period.objects.get(org=org, name="FY2031 Q1")
    assert (quarter.kind, quarter.start, quarter.end) == ("quarter", D(2031, 1, 1), D(2031, 3, 31))
    # its fiscal year is created too (the year alone), and the quarter nests in it
    assert quarter.parent.name == "FY2031" and quarter.parent.kind == "year"
    assert Period.objects.for_org(org).filter(kind="quarter", start__year=2031).count() == 1
    admin.post(url(org, "period-next-quarter"))
    second = Period.objects.get(org=org, name="FY2031 Q2")
    assert (second.start, second.end, second.parent_id) == (
        D(2031, 4, 1),
        D(2031, 6, 30),
        quarter.parent_id,
    )


def test_next_quarter_follows_the_fiscal_year_start(admin, org):
    org.fiscal_year_start_month = 4
    org.save()
    fiscal_year_periods(org, 2030)  # April 2030 to March 2031
    admin.post(url(org, "period-next-quarter"))
    quarter = Period.objects.get(org=org, kind="quarter", start=D(2031, 4, 1))
    assert (quarter.name, quarter.end, quarter.parent.name) == (
        "FY2031 Q1",
        D(2031, 6, 30),
        "FY2031",
    )


def test_generate_offers_the_first_fiscal_year_not_generated_yet(admin, org):
    def fiscal_year_offered():
        page = admin.get(url(org, "periods")).content.decode()
        return int(re.search(r'name="fiscal_year" value="(\d+)"', page).group(1))

    this_year = fiscal_year_of(org, company_today(org))
    assert fiscal_year_offered() == this_year
    fiscal_year_periods(org, this_year)
    assert fiscal_year_offered() == this_year + 1
    fiscal_year_periods(org, this_year + 1)
    assert fiscal_year_offered() == this_year + 2


def test_without_any_quarter_the_next_quarter_is_this_one(admin, org):
    admin.post(url(org, "period-next-quarter"))
    quarter = Period.objects.get(org=org, kind="quarter")
    assert quarter.start <= datetime.date.today() + datetime.timedelta(days=1)
    assert quarter.end >= datetime.date.today() - datetime.timedelta(days=1)


def test_a_custom_quarter_is_followed_by_three_months_from_the_next_day(admin, org):
    PeriodFactory(org=org, kind="quarter", name="Odd", start="2040-02-15", end="2040-05-14")
    admin.post(url(org, "period-next-quarter"))
    quarter = Period.objects.get(org=org, start=D(2040, 5, 15))
    assert quarter.end == D(2040, 8, 14)
    assert quarter.parent.name == "FY2040"


def test_a_clash_is_a_message_not_an_error(admin, org):
    fiscal_year_periods(org, 2030)
    # a custom year overlapping the next fiscal year is left alone; the quarter nests nowhere
    PeriodFactory(org=org, kind="year", name="Odd", start="2030-07-01", end="2031-06-30")
    response = admin.post(url(org, "period-next-quarter"), follow=True)
    assert response.status_code == 200
    assert Period.objects.get(org=org, name="FY2031 Q1").parent.name == "Odd"


@pytest.mark.parametrize(("persona", "expected"), [("manager", 403), ("member", 403)])
def test_only_admins_create_the_next_quarter(request, org, persona, expected):
    client = request.getfixturevalue(persona)
    assert client.post(url(org, "period-next-quarter")).status_code == expected
    assert not Period.objects.for_org(org).exists()


def test_next_quarter_is_a_post(admin, org):
    assert admin.get(url(org, "period-next-quarter")).status_code == 405


@pytest.mark.parametrize("years", [1, 6])
def test_periods_page_and_next_quarter_queries_do_not_grow(
    admin, org, years, django_assert_max_num_queries
):
    for year in range(2030, 2030 + years):
        fiscal_year_periods(org, year, months=True)
    with django_assert_max_num_queries(12):
        assert admin.get(url(org, "periods")).status_code == 200
    # the year and the quarter each validated and saved, the data version moved on, the audit entry
    with django_assert_max_num_queries(28):
        assert admin.post(url(org, "period-next-quarter")).status_code == 302


# --- grouped pickers -----------------------------------------------------------------------


def _company(org, *, today):
    """Two fiscal years and the one before, with months this year."""
    fiscal_year_periods(org, today.year - 1)
    fiscal_year_periods(org, today.year, months=True)
    fiscal_year_periods(org, today.year + 1)
    return list(Period.objects.for_org(org).order_by("-start", "end"))


def test_groups_put_this_year_first_with_its_current_quarter_first(org):
    today = D(2030, 5, 10)
    periods = _company(org, today=today)
    groups, current = period_groups(org, periods, today=today)
    assert current.name == "FY2030 Q2"
    assert [label for label, _ in groups] == ["FY2030", "FY2031", PAST_YEARS]
    this_year = [p.name for p in groups[0][1]]
    assert this_year[:3] == ["FY2030 Q2", "FY2030", "FY2030 Q1"]
    assert this_year[3:6] == ["Jan 2030", "Feb 2030", "Mar 2030"]  # a quarter, then its months
    assert "FY2030 Q2" not in this_year[1:]  # listed once
    assert [p.name for p in groups[2][1]][:2] == ["FY2029 Q4", "FY2029 Q3"]  # newest first


def test_switcher_html_is_grouped_and_marks_the_current_quarter(org):
    today = D(2030, 5, 10)
    periods = _company(org, today=today)
    chosen = next(p for p in periods if p.name == "FY2029 Q3")
    html = str(period_options_html(org, periods, chosen, today=today))
    assert re.findall(r'<optgroup label="([^"]+)">', html) == ["FY2030", "FY2031", PAST_YEARS]
    first = re.search(r"<option[^>]*>([^<]+)</option>", html).group(1)
    assert first == "FY2030 Q2 (current)"
    assert f'<option value="{chosen.pk}" selected>FY2029 Q3</option>' in html
    assert html.index(PAST_YEARS) > html.index("FY2031 Q4")


def test_pages_show_grouped_pickers(member, manager, org, period):
    fiscal_year_periods(org, 2001)  # long past
    pages = [
        (member, "my/"),
        (member, ""),
        (member, "alignment/"),
        (manager, "alignment/dashboard/"),
    ]
    for client, path in pages:
        html = client.get(f"/{org.slug}/{path}").content.decode()
        groups = re.findall(r'<optgroup label="([^"]+)">', html)
        assert groups[-1] == PAST_YEARS, path
        assert f'<option value="{period.pk}" selected>This quarter (current)' in html, path


def test_objective_form_groups_periods_and_still_validates(org, member_membership, period):
    fiscal_year_periods(org, 2001)
    form = ObjectiveForm(org=org, membership=member_membership, initial={"period": period})
    html = str(form["period"])
    assert re.findall(r'<optgroup label="([^"]+)">', html)[-1] == PAST_YEARS
    assert re.search(r"<option[^>]*>([^<]+)</option>", html).group(1) == "Choose a period…"
    old = Period.objects.get(org=org, name="FY2001 Q3")
    bound = ObjectiveForm(
        {"title": "T", "period": old.pk, "level": "individual", "owner": member_membership.pk},
        org=org,
        membership=member_membership,
    )
    bound.is_valid()
    assert "period" not in bound.errors
    assert bound.cleaned_data["period"] == old


def test_config_periods_page_offers_months_only_when_asked(admin, org):
    page = admin.get(url(org, "periods")).content.decode()
    assert 'name="months"' in page and "With months" in page


def test_explore_filter_groups_periods_and_accepts_a_past_one(member, org, period):
    fiscal_year_periods(org, 2001)
    html = member.get(f"/{org.slug}/explore/").content.decode()
    select = re.search(r'<select name="period".*?</select>', html, re.S).group(0)
    assert re.search(r"<option[^>]*>([^<]+)</option>", select).group(1) == "Any period"
    assert re.findall(r'<optgroup label="([^"]+)">', select)[-1] == PAST_YEARS
    assert f'<option value="{period.pk}" selected>This quarter</option>' in select
    old = Period.objects.get(org=org, name="FY2001 Q2")
    response = member.get(f"/{org.slug}/explore/?period={old.pk}")
    assert response.context["form"].is_valid()
    assert f'<option value="{old.pk}" selected>FY2001 Q2</option>' in response.content.decode()
