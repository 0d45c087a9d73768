"""Calendar arithmetic of reminder schedules, with a fixed clock."""

import datetime

import pytest

from checkins.schedules import (
    Rule,
    fiscal_quarter_ends,
    latest_occurrence,
    local_to_utc,
    next_occurrence,
    nth_weekday,
    occurrences,
    quarter_ends,
    upcoming_occurrences,
    week_start_of,
)

UTC = datetime.UTC
NINE = datetime.time(9, 0)
LAST_FRIDAY = Rule(cadence="monthly", send_time=NINE, monthly_rule="weekday", week=-1, weekday=4)


def at(*args):
    return datetime.datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    "year, month, expected",
    [
        (2025, 1, 31),  # the month ends on a Friday
        (2025, 2, 28),
        (2025, 3, 28),
        (2025, 5, 30),
        (2024, 2, 23),  # leap year, the 29th is a Thursday
        (2026, 7, 31),
    ],
)
def test_last_friday_of_the_month(year, month, expected):
    assert nth_weekday(year, month, 4, -1) == datetime.date(year, month, expected)


@pytest.mark.parametrize(
    "week, weekday, expected", [(1, 0, 3), (2, 0, 10), (4, 0, 24), (1, 5, 1), (1, 2, 5)]
)
def test_nth_weekday(week, weekday, expected):
    # March 2025 starts on a Saturday.
    assert nth_weekday(2025, 3, weekday, week) == datetime.date(2025, 3, expected)


def test_day_of_month_past_the_months_end_means_its_last_day():
    rule = Rule(cadence="monthly", send_time=NINE, monthly_rule="day", day_of_month=31)
    result = occurrences(rule, tz_name="UTC", around=at(2025, 2, 10))
    assert at(2025, 2, 28, 9) in result
    assert at(2025, 4, 30, 9) in result
    assert at(2025, 3, 31, 9) in result


def test_last_friday_at_nine_in_oslo_follows_the_wall_clock_across_dst():
    """09:00 Oslo is 07:00 UTC in summer time and 08:00 UTC in winter time."""
    kwargs = {"tz_name": "Europe/Oslo"}
    # Summer time ends on 26 October 2025.
    assert latest_occurrence(LAST_FRIDAY, now=at(2025, 10, 1), **kwargs) == at(2025, 9, 26, 7)
    assert next_occurrence(LAST_FRIDAY, now=at(2025, 10, 1), **kwargs) == at(2025, 10, 31, 8)
    # Summer time starts on 30 March 2025: the 28th is still winter time, April is summer.
    assert next_occurrence(LAST_FRIDAY, now=at(2025, 3, 1), **kwargs) == at(2025, 3, 28, 8)
    assert next_occurrence(LAST_FRIDAY, now=at(2025, 3, 29), **kwargs) == at(2025, 4, 25, 7)


def test_a_minute_before_and_after_the_occurrence():
    kwargs = {"tz_name": "Europe/Oslo"}
    occurrence = at(2025, 10, 31, 8)
    assert latest_occurrence(
        LAST_FRIDAY, now=occurrence - datetime.timedelta(minutes=1), **kwargs
    ) == at(2025, 9, 26, 7)
    assert latest_occurrence(LAST_FRIDAY, now=occurrence, **kwargs) == occurrence


def test_a_wall_time_skipped_by_spring_forward_moves_forward():
    # 02:30 does not exist in Oslo on 30 March 2025; it becomes 03:30 local = 01:30 UTC.
    result = local_to_utc(datetime.date(2025, 3, 30), datetime.time(2, 30), _zone("Europe/Oslo"))
    assert result == at(2025, 3, 30, 1, 30)


def _zone(name):
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)


@pytest.mark.parametrize("tz_name", ["Pacific/Auckland", "Pacific/Tongatapu"])
def test_a_company_at_utc_plus_13_is_reminded_the_previous_utc_day(tz_name):
    """Friday 31 January 2025 09:00 at UTC+13 is Thursday 30 January 20:00 UTC."""
    now = at(2025, 1, 30, 20, 5)
    assert latest_occurrence(LAST_FRIDAY, now=now, tz_name=tz_name) == at(2025, 1, 30, 20)
    # In UTC the same rule has not fired yet that day.
    assert latest_occurrence(LAST_FRIDAY, now=now, tz_name="UTC") == at(2024, 12, 27, 9)


def test_day_one_at_utc_plus_13_falls_on_the_last_day_of_the_previous_month_in_utc():
    rule = Rule(cadence="monthly", send_time=NINE, monthly_rule="day", day_of_month=1)
    result = next_occurrence(rule, now=at(2025, 2, 15), tz_name="Pacific/Tongatapu")
    assert result == at(2025, 2, 28, 20)


def test_fiscal_quarters_of_a_year_starting_in_april_end_with_the_calendar_quarters():
    ends = fiscal_quarter_ends(4, datetime.date(2025, 6, 1), span_years=0)
    # Fiscal 2025/26: Apr-Jun, Jul-Sep, Oct-Dec, Jan-Mar.
    assert ends == [
        datetime.date(2025, 6, 30),
        datetime.date(2025, 9, 30),
        datetime.date(2025, 12, 31),
        datetime.date(2026, 3, 31),
    ]


def test_fiscal_quarters_of_a_year_starting_in_february():
    ends = fiscal_quarter_ends(2, datetime.date(2025, 6, 1), span_years=0)
    assert datetime.date(2025, 4, 30) in ends
    assert datetime.date(2025, 7, 31) in ends
    assert datetime.date(2025, 6, 30) not in ends


QUARTER_RULE = Rule(cadence="quarterly", send_time=NINE, days_before_quarter_end=10)


def test_ten_days_before_the_quarter_ends_in_a_company_whose_fiscal_year_starts_in_april():
    # Q1 of fiscal 2025/26 runs 1 April - 30 June: the reminder is on 20 June, 09:00 Oslo.
    result = next_occurrence(
        QUARTER_RULE, now=at(2025, 5, 1), tz_name="Europe/Oslo", fiscal_year_start_month=4
    )
    assert result == at(2025, 6, 20, 7)
    # The fiscal year's last quarter ends on 31 March: reminder on 21 March (winter time).
    result = next_occurrence(
        QUARTER_RULE, now=at(2026, 2, 1), tz_name="Europe/Oslo", fiscal_year_start_month=4
    )
    assert result == at(2026, 3, 21, 8)


def test_the_companys_own_quarter_periods_win_over_the_fiscal_calendar():
    # A company whose quarters are defined as periods ending mid-month.
    periods = [
        (datetime.date(2025, 4, 16), datetime.date(2025, 7, 15)),
        (datetime.date(2025, 7, 16), datetime.date(2025, 10, 15)),
    ]
    result = next_occurrence(
        QUARTER_RULE,
        now=at(2025, 5, 1),
        tz_name="UTC",
        fiscal_year_start_month=4,
        quarter_periods=periods,
    )
    assert result == at(2025, 7, 5, 9)
    # 30 June lies inside a defined quarter, so no fiscal reminder on 20 June.
    ends = quarter_ends(
        fiscal_year_start_month=4, around=datetime.date(2025, 5, 1), quarter_periods=periods
    )
    assert datetime.date(2025, 6, 30) not in ends
    assert datetime.date(2025, 7, 15) in ends


def test_quarterly_at_utc_plus_13():
    # 30 June - 10 days = 20 June, 09:00 NZST (+12 in winter) = 19 June 21:00 UTC.
    result = next_occurrence(QUARTER_RULE, now=at(2025, 6, 1), tz_name="Pacific/Auckland")
    assert result == at(2025, 6, 19, 21)
    # 31 December - 10 = 21 December, 09:00 NZDT (+13) = 20 December 20:00 UTC.
    result = next_occurrence(QUARTER_RULE, now=at(2025, 11, 1), tz_name="Pacific/Auckland")
    assert result == at(2025, 12, 20, 20)


def test_occurrences_are_sorted_and_unique():
    result = occurrences(LAST_FRIDAY, tz_name="Europe/Oslo", around=at(2025, 6, 1))
    assert result == sorted(set(result))
    assert len(result) == 27


# --- weekly and every-N-weeks --------------------------------------------------------------


def weekly(every, weekday, anchor, *, week_start=0, send_time=NINE):
    return Rule(
        cadence="weekly",
        send_time=send_time,
        weekday=weekday,
        every_weeks=every,
        week_anchor=anchor,
        week_start=week_start,
    )


MON, WED, THU, FRI, SUN = 0, 2, 3, 4, 6


@pytest.mark.parametrize(
    "case, rule, tz_name, now, expected",
    [
        (
            # Summer time starts in Oslo on 30 March 2025: 09:00 is 08:00 UTC, then 07:00.
            "every Friday in Oslo across spring-forward",
            weekly(1, FRI, datetime.date(2025, 3, 17)),
            "Europe/Oslo",
            at(2025, 3, 20, 12),
            [at(2025, 3, 21, 8), at(2025, 3, 28, 8), at(2025, 4, 4, 7)],
        ),
        (
            # Summer time ends in Oslo on 26 October 2025.
            "every 2 weeks in Oslo across fall-back",
            weekly(2, FRI, datetime.date(2025, 10, 13)),
            "Europe/Oslo",
            at(2025, 10, 15),
            [at(2025, 10, 17, 7), at(2025, 10, 31, 8), at(2025, 11, 14, 8)],
        ),
        (
            "every 2 weeks in Oslo across the year end",
            weekly(2, MON, datetime.date(2025, 12, 22)),
            "Europe/Oslo",
            at(2025, 12, 20),
            [at(2025, 12, 22, 8), at(2026, 1, 5, 8), at(2026, 1, 19, 8)],
        ),
        (
            "every 2 weeks, computed after the year end, keeps to the same weeks",
            weekly(2, MON, datetime.date(2025, 12, 22)),
            "Europe/Oslo",
            at(2026, 1, 6),
            [at(2026, 1, 19, 8), at(2026, 2, 2, 8), at(2026, 2, 16, 8)],
        ),
        (
            # Auckland leaves summer time (UTC+13 -> +12) on 6 April 2025.
            "every 3 weeks in Auckland across the end of summer time",
            weekly(3, WED, datetime.date(2025, 3, 24)),
            "Pacific/Auckland",
            at(2025, 3, 20),
            [at(2025, 3, 25, 20), at(2025, 4, 15, 21), at(2025, 5, 6, 21)],
        ),
        (
            # Auckland enters summer time on 28 September 2025.
            "every 3 weeks in Auckland across the start of summer time",
            weekly(3, WED, datetime.date(2025, 9, 8)),
            "Pacific/Auckland",
            at(2025, 9, 1),
            [at(2025, 9, 9, 21), at(2025, 9, 30, 20), at(2025, 10, 21, 20)],
        ),
        (
            # New Year's Day in Auckland is still 31 December in UTC.
            "every 2 weeks in Auckland across the year end",
            weekly(2, THU, datetime.date(2025, 12, 15)),
            "Pacific/Auckland",
            at(2025, 12, 10),
            [at(2025, 12, 17, 20), at(2025, 12, 31, 20), at(2026, 1, 14, 20)],
        ),
        (
            "nothing before the week of a future anchor",
            weekly(1, FRI, datetime.date(2026, 1, 5)),
            "UTC",
            at(2025, 12, 1),
            [at(2026, 1, 9, 9), at(2026, 1, 16, 9), at(2026, 1, 23, 9)],
        ),
        (
            # Wednesday 3 Dec 2025 is in the Sunday-started week of Sunday 30 November.
            "a company whose week starts on Sunday counts Sundays from the anchor's week",
            weekly(2, SUN, datetime.date(2025, 12, 3), week_start=6),
            "UTC",
            at(2025, 12, 3),
            [at(2025, 12, 14, 9), at(2025, 12, 28, 9), at(2026, 1, 11, 9)],
        ),
        (
            # ...and a Monday-started week holds Sunday 7 December.
            "a company whose week starts on Monday",
            weekly(2, SUN, datetime.date(2025, 12, 3), week_start=0),
            "UTC",
            at(2025, 12, 3),
            [at(2025, 12, 7, 9), at(2025, 12, 21, 9), at(2026, 1, 4, 9)],
        ),
    ],
)
def test_weekly_occurrences(case, rule, tz_name, now, expected):
    assert upcoming_occurrences(rule, tz_name=tz_name, now=now, count=3) == expected, case


@pytest.mark.parametrize("every", [2, 3, 8])
def test_every_n_weeks_keeps_to_the_same_weeks_wherever_it_is_computed_from(every):
    anchor = datetime.date(2025, 6, 4)  # a Wednesday
    rule = weekly(every, FRI, anchor)
    first = datetime.date(2025, 6, 6)
    seen = set()
    for day in range(0, 700, 5):
        now = at(2025, 6, 1) + datetime.timedelta(days=day, hours=day % 24)
        following = next_occurrence(rule, tz_name="Europe/Oslo", now=now)
        local = following.astimezone(_zone("Europe/Oslo"))
        assert local.time() == NINE
        assert (local.date() - first).days % (7 * every) == 0
        assert following - now <= datetime.timedelta(weeks=every)
        seen.add(following)
    assert len(seen) > 5


def test_the_latest_weekly_occurrence_is_the_one_the_dispatcher_sends():
    rule = weekly(2, FRI, datetime.date(2025, 2, 3))
    now = at(2025, 2, 7, 8, 30)  # Friday 09:30 in Oslo, in the anchor's week
    assert latest_occurrence(rule, tz_name="Europe/Oslo", now=now) == at(2025, 2, 7, 8)
    off_week = at(2025, 2, 14, 8, 30)
    assert latest_occurrence(rule, tz_name="Europe/Oslo", now=off_week) == at(2025, 2, 7, 8)


def test_week_start_of():
    wednesday = datetime.date(2025, 12, 3)
    assert week_start_of(wednesday, 0) == datetime.date(2025, 12, 1)
    assert week_start_of(wednesday, 6) == datetime.date(2025, 11, 30)
    assert week_start_of(datetime.date(2025, 11, 30), 6) == datetime.date(2025, 11, 30)
