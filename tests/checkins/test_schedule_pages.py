"""The reminders pages: the cadence form (weekly, monthly, quarterly) and the next sends."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from checkins.models import ReminderSchedule
from tests.factories import PeriodFactory, ReminderScheduleFactory

SCHEDULES = reverse("checkins:schedules", kwargs={"org_slug": "acme"})


def edit_url(schedule):
    return reverse(
        "checkins:schedule-edit", kwargs={"org_slug": "acme", "schedule_id": schedule.pk}
    )


def form_data(**changes):
    data = {
        "name": "Fortnightly",
        "cadence": "weekly",
        "every_weeks": "2",
        "weekly_weekday": "4",
        "week_anchor": "",
        "monthly_rule": "weekday",
        "week": "-1",
        "weekday": "4",
        "day_of_month": "25",
        "days_before_quarter_end": "10",
        "send_time": "09:00",
        "audience": "active",
        "stale_days": "14",
        "skip_recent_days": "",
        "enabled": "on",
    }
    data.update(changes)
    return data


def text_of(response) -> str:
    html = response.content.decode()
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def error_beside(response, field) -> str:
    """The error shown next to a field (its ``<id>_error`` block), or ''."""
    html = response.content.decode()
    match = re.search(rf'id="id_{field}_error">(.*?)</div>', html, re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split()) if match else ""


def sends_listed(text, tz_name="Europe/Oslo") -> int:
    """How many "Fri 4 Dec 2026, 09:00 (Europe/Oslo)" a page's text lists."""
    return len(
        re.findall(rf"\w{{3}} \d+ \w{{3}} \d{{4}}, \d\d:\d\d \({re.escape(tz_name)}\)", text)
    )


@pytest.fixture
def oslo(org):
    org.time_zone = "Europe/Oslo"
    org.save()
    return org


# --- the form ---------------------------------------------------------------------------


def test_admin_creates_an_every_2_weeks_schedule_and_other_cadences_fields_are_ignored(admin, oslo):
    # The monthly and quarterly fields hold nonsense; a weekly schedule does not read them.
    response = admin.post(
        SCHEDULES,
        form_data(week="9", weekday="banana", day_of_month="40", days_before_quarter_end="-3"),
    )
    assert response.status_code == 302, error_beside(response, "day_of_month")
    schedule = ReminderSchedule.objects.get(org=oslo)
    assert (schedule.cadence, schedule.every_weeks, schedule.weekday) == ("weekly", 2, 4)
    assert schedule.rule_text == "Every other Friday at 09:00"
    # Counted from this week in company time, as the form said.
    assert schedule.week_anchor == timezone.now().astimezone(ZoneInfo("Europe/Oslo")).date()
    # ...and the other cadences' fields are back to their defaults, not half-kept.
    assert (schedule.week, schedule.day_of_month, schedule.days_before_quarter_end) == (-1, 25, 10)


def test_switching_a_schedule_to_monthly_clears_its_weekly_fields(admin, oslo):
    schedule = ReminderScheduleFactory(
        org=oslo, cadence="weekly", every_weeks=3, week_anchor=datetime.date(2026, 1, 5)
    )
    data = form_data(cadence="monthly", monthly_rule="day", day_of_month="15", week="x")
    assert admin.post(edit_url(schedule), data).status_code == 302
    schedule.refresh_from_db()
    assert schedule.rule_text == "The 15th of each month at 09:00"
    assert (schedule.every_weeks, schedule.week_anchor) == (1, None)


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"cadence": "monthly", "monthly_rule": "day", "day_of_month": "40"}, "day_of_month", "31"),
        ({"cadence": "weekly", "week_anchor": "soon"}, "week_anchor", "Enter a date"),
        ({"cadence": "weekly", "week_anchor": "0001-01-01"}, "week_anchor", "between 2000"),
        ({"cadence": "weekly", "every_weeks": "9"}, "every_weeks", "valid choice"),
        (
            {"cadence": "quarterly", "days_before_quarter_end": "99"},
            "days_before_quarter_end",
            "60",
        ),
        ({"send_time": "25:99"}, "send_time", "Enter a time"),
        ({"skip_recent_days": "0"}, "skip_recent_days", "1"),
    ],
)
def test_bad_input_is_answered_beside_the_field_and_kept(admin, oslo, changes, field, message):
    data = form_data(name="My typed name", **changes)
    response = admin.post(SCHEDULES, data)
    assert response.status_code == 400
    assert message in error_beside(response, field)
    html = response.content.decode()
    assert 'value="My typed name"' in html
    typed = changes[field]
    if field != "every_weeks":  # a select keeps its options; the typed value is not one
        assert f'value="{typed}"' in html
    assert not ReminderSchedule.objects.exists()


def test_a_chosen_cadences_error_is_reported_but_other_cadences_are_not(admin, oslo):
    response = admin.post(
        SCHEDULES, form_data(cadence="monthly", monthly_rule="weekday", week="9", day_of_month="x")
    )
    assert response.status_code == 400
    assert "valid choice" in error_beside(response, "week")
    assert error_beside(response, "day_of_month") == ""  # the day rule was not chosen
    assert error_beside(response, "every_weeks") == ""


@pytest.mark.parametrize("audience, accepted", [("active", True), ("stale", False)])
def test_days_without_a_checkin_are_read_only_for_that_audience(admin, oslo, audience, accepted):
    response = admin.post(SCHEDULES, form_data(audience=audience, stale_days="abc"))
    assert (response.status_code == 302) is accepted
    assert bool(error_beside(response, "stale_days")) is not accepted
    if accepted:
        assert ReminderSchedule.objects.get(org=oslo).stale_days == 14


def test_the_form_groups_fields_by_cadence_and_labels_each_group(admin, oslo):
    html = admin.get(SCHEDULES).content.decode()
    for cadence, legend in [
        ("weekly", "For weekly schedules"),
        ("monthly", "For monthly schedules"),
        ("quarterly", "For quarterly schedules"),
    ]:
        group = re.search(
            rf'<fieldset[^>]*data-show-when="cadence" data-show-value="{cadence}">(.*?)</fieldset>',
            html,
            re.S,
        )
        assert group and f"<legend>{legend}</legend>" in group.group(1)
        assert "hidden" not in group.group(0).split(">")[0]  # without JavaScript, all show
    weekly = re.search(r'data-show-value="weekly">(.*?)</fieldset>', html, re.S).group(1)
    assert 'name="every_weeks"' in weekly and 'name="day_of_month"' not in weekly
    monthly = re.search(r'data-show-value="monthly">(.*?)</fieldset>', html, re.S).group(1)
    assert 'name="day_of_month"' in monthly and 'name="every_weeks"' not in monthly
    assert "Monthly, weekday rule" not in html
    assert "---------" not in html
    # The groups are shown and hidden by a static script (the CSP allows no inline script).
    assert len(re.findall(r'<script src="[^"]*js/show_when\.js" defer></script>', html)) == 1
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)


def test_the_edit_page_heading_keeps_the_saved_schedule_while_bad_input_is_corrected(admin, oslo):
    schedule = ReminderScheduleFactory(org=oslo, name="Quarter end", cadence="quarterly")
    data = form_data(name="Typed name", cadence="quarterly", days_before_quarter_end="99")
    response = admin.post(edit_url(schedule), data)
    assert response.status_code == 400
    assert "<h1>Quarter end</h1>" in response.content.decode()
    assert 'value="Typed name"' in response.content.decode()
    assert sends_listed(text_of(response)) == 5


def test_the_edit_form_shows_a_weekly_schedules_own_values(admin, oslo):
    schedule = ReminderScheduleFactory(
        org=oslo, cadence="weekly", every_weeks=3, weekday=1, week_anchor=datetime.date(2026, 1, 5)
    )
    html = admin.get(edit_url(schedule)).content.decode()
    assert re.search(r'<option value="3" selected>3 weeks</option>', html)
    weekly_day = re.search(r'name="weekly_weekday".*?</select>', html, re.S).group(0)
    assert '<option value="1" selected>Tuesday</option>' in weekly_day
    assert 'value="2026-01-05"' in html


# --- next sends in company time ---------------------------------------------------------


def next_fridays_at_nine(tz_name, count):
    zone = ZoneInfo(tz_name)
    now = timezone.now().astimezone(zone)
    day = now.date()
    result = []
    while len(result) < count:
        moment = datetime.datetime.combine(day, datetime.time(9)).replace(tzinfo=zone)
        if day.weekday() == 4 and moment > now:
            result.append(f"{moment:%a} {moment.day} {moment:%b %Y}, 09:00 ({tz_name})")
        day += datetime.timedelta(days=1)
    return result


@pytest.mark.parametrize("tz_name", ["Europe/Oslo", "Pacific/Auckland", "America/Los_Angeles"])
def test_next_sends_are_listed_in_company_time(admin, org, tz_name):
    org.time_zone = tz_name
    org.save()
    schedule = ReminderScheduleFactory(
        org=org,
        cadence="weekly",
        weekday=4,
        send_time=datetime.time(9),
        week_anchor=datetime.date(2026, 1, 5),
    )
    listing = text_of(admin.get(SCHEDULES))
    for expected in next_fridays_at_nine(tz_name, 3):
        assert expected in listing
    page = text_of(admin.get(edit_url(schedule)))
    fridays = next_fridays_at_nine(tz_name, 5)
    assert all(expected in page for expected in fridays)
    assert sends_listed(page, tz_name) == 5


def test_a_paused_schedule_lists_no_next_sends(admin, oslo):
    ReminderScheduleFactory(org=oslo, enabled=False)
    listing = text_of(admin.get(SCHEDULES))
    assert "Paused" in listing
    assert sends_listed(listing) == 0


def test_the_listing_says_who_is_skipped(admin, oslo):
    ReminderScheduleFactory(org=oslo, skip_recent_days=3)
    assert "skipping people who checked in within 3 days" in text_of(admin.get(SCHEDULES))


# --- query budgets ----------------------------------------------------------------------


@pytest.mark.parametrize("size", [3, 30])
def test_schedules_page_queries_do_not_grow_with_schedules(
    admin, oslo, size, django_assert_max_num_queries
):
    cadences = ["weekly", "monthly", "quarterly"]
    for i in range(size):
        ReminderScheduleFactory(
            org=oslo, cadence=cadences[i % 3], every_weeks=1 + i % 8, skip_recent_days=i or None
        )
        PeriodFactory(
            org=oslo,
            kind="quarter",
            start=datetime.date(2020 + i // 4, 1 + 3 * (i % 4), 1),
            end=datetime.date(2020 + i // 4, 3 + 3 * (i % 4), 28),
        )
    with django_assert_max_num_queries(10):
        response = admin.get(SCHEDULES)
    assert sends_listed(text_of(response)) == 3 * size


@pytest.mark.parametrize("size", [1, 20])
def test_edit_page_queries_do_not_grow_with_quarters(
    admin, oslo, size, django_assert_max_num_queries
):
    schedule = ReminderScheduleFactory(org=oslo, cadence="quarterly")
    for i in range(size):
        PeriodFactory(
            org=oslo,
            kind="quarter",
            start=datetime.date(2026 + i // 4, 1 + 3 * (i % 4), 1),
            end=datetime.date(2026 + i // 4, 3 + 3 * (i % 4), 28),
        )
    with django_assert_max_num_queries(9):
        response = admin.get(edit_url(schedule))
    assert sends_listed(text_of(response)) == 5
