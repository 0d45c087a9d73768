"""Calendar arithmetic of reminder schedules: plain functions of a clock, no database.

An occurrence is an aware datetime (UTC) at which a schedule fires. Local dates and times
are those of the company's time zone; DST is handled by ``zoneinfo`` (09:00 stays 09:00 on
the wall clock; a wall time skipped by a spring-forward is moved forward by the gap).
"""

import calendar
import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from organizations.clock import zone_named

UTC = datetime.UTC


@dataclass(frozen=True)
class Rule:
    """What ``occurrences`` needs of a schedule (a ``ReminderSchedule`` has the same names)."""

    cadence: str  # "weekly" | "monthly" | "quarterly"
    send_time: datetime.time
    monthly_rule: str = "weekday"  # "weekday" | "day"
    week: int = -1  # 1..4, -1 = last
    weekday: int = 4  # Monday = 0
    day_of_month: int = 25
    days_before_quarter_end: int = 10
    every_weeks: int = 1  # weekly: every 1..8 weeks
    week_anchor: datetime.date | None = None  # weekly: counted from the week of this day
    week_start: int = 0  # the company's first day of the week, Monday = 0


def nth_weekday(year: int, month: int, weekday: int, week: int) -> datetime.date:
    """The ``week``-th (1..4, or -1 for last) ``weekday`` of a month."""
    days_in_month = calendar.monthrange(year, month)[1]
    if week == -1:
        last = datetime.date(year, month, days_in_month)
        return last - datetime.timedelta(days=(last.weekday() - weekday) % 7)
    first = datetime.date(year, month, 1)
    return first + datetime.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (week - 1))


def day_of_month(year: int, month: int, day: int) -> datetime.date:
    return datetime.date(year, month, min(day, calendar.monthrange(year, month)[1]))


def local_to_utc(day: datetime.date, at: datetime.time, tz: ZoneInfo) -> datetime.datetime:
    """Wall-clock ``day at`` in ``tz`` as UTC.

    ``fold=0`` (PEP 495) reads a wall time skipped by spring-forward with the offset before
    the gap, i.e. it moves forward by the gap (02:30 -> 03:30), and an ambiguous autumn time
    as its first occurrence, so a reminder is never skipped nor sent twice.
    """
    return datetime.datetime.combine(day, at).replace(tzinfo=tz, fold=0).astimezone(UTC)


def _add_months(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def fiscal_quarter_ends(
    fiscal_year_start_month: int, around: datetime.date, *, span_years: int = 1
) -> list[datetime.date]:
    """Last days of the fiscal quarters within ``span_years`` of ``around``."""
    ends = []
    for year in range(around.year - span_years, around.year + span_years + 1):
        for quarter in range(4):
            # Quarter starting at fiscal month + 3q ends the day before the next one starts.
            y, m = _add_months(year, fiscal_year_start_month, 3 * quarter + 3)
            ends.append(datetime.date(y, m, 1) - datetime.timedelta(days=1))
    return sorted(set(ends))


def quarter_ends(
    *,
    fiscal_year_start_month: int,
    around: datetime.date,
    quarter_periods: Iterable[tuple[datetime.date, datetime.date]] = (),
) -> list[datetime.date]:
    """Quarter ends from the company's own quarter periods, else from its fiscal calendar.

    Fiscal quarter ends are kept only where no quarter period covers them, so a company that
    defined some quarters by hand and not others still gets a reminder in every quarter.
    """
    periods = [(start, end) for start, end in quarter_periods]
    ends = {end for _, end in periods}
    for end in fiscal_quarter_ends(fiscal_year_start_month, around):
        if not any(start <= end <= p_end for start, p_end in periods):
            ends.add(end)
    return sorted(ends)


def week_start_of(day: datetime.date, week_start: int) -> datetime.date:
    """The first day of the company week that holds ``day``."""
    return day - datetime.timedelta(days=(day.weekday() - week_start) % 7)


def weekly_dates(rule: Rule, around: datetime.date, *, span_weeks: int = 60) -> list[datetime.date]:
    """The rule's weekday in every ``every_weeks``-th company week, counted from the week of
    its anchor (nothing before that week), within ``span_weeks`` either side of ``around``.

    Counting whole weeks from a fixed anchor keeps "every 2 weeks" on the same weeks however
    often it is computed; the company's week start decides which week a day belongs to.
    """
    every = max(1, rule.every_weeks or 1)
    anchor_week = week_start_of(rule.week_anchor or around, rule.week_start)
    offset = (rule.weekday - rule.week_start) % 7  # the weekday's place in the company week
    around_week = week_start_of(around, rule.week_start)
    weeks_from_anchor = (around_week - anchor_week).days // 7
    first = max(0, weeks_from_anchor - span_weeks)
    first += -first % every  # the first counted week at or after ``first``
    last = weeks_from_anchor + span_weeks
    return [
        anchor_week + datetime.timedelta(weeks=n, days=offset)
        for n in range(first, last + 1, every)
    ]


def _local_dates(
    rule: Rule, around: datetime.date, quarter_end_dates: list[datetime.date]
) -> list[datetime.date]:
    if rule.cadence == "weekly":
        return weekly_dates(rule, around)
    if rule.cadence == "quarterly":
        return [
            end - datetime.timedelta(days=rule.days_before_quarter_end) for end in quarter_end_dates
        ]
    dates = []
    for delta in range(-13, 14):
        y, m = _add_months(around.year, around.month, delta)
        if rule.monthly_rule == "day":
            dates.append(day_of_month(y, m, rule.day_of_month))
        else:
            dates.append(nth_weekday(y, m, rule.weekday, rule.week))
    return dates


def occurrences(
    rule: Rule,
    *,
    tz_name: str,
    around: datetime.datetime,
    fiscal_year_start_month: int = 1,
    quarter_periods: Iterable[tuple[datetime.date, datetime.date]] = (),
) -> list[datetime.datetime]:
    """Occurrences (UTC, sorted) within about a year either side of ``around``."""
    tz = zone_named(tz_name)
    local_day = around.astimezone(tz).date()
    ends = (
        quarter_ends(
            fiscal_year_start_month=fiscal_year_start_month,
            around=local_day,
            quarter_periods=quarter_periods,
        )
        if rule.cadence == "quarterly"
        else []
    )
    return sorted(
        {local_to_utc(d, rule.send_time, tz) for d in _local_dates(rule, local_day, ends)}
    )


def latest_occurrence(rule: Rule, *, now: datetime.datetime, **calendar_kwargs):
    """The latest occurrence at or before ``now``, or ``None``."""
    past = [o for o in occurrences(rule, around=now, **calendar_kwargs) if o <= now]
    return past[-1] if past else None


def next_occurrence(rule: Rule, *, now: datetime.datetime, **calendar_kwargs):
    """The first occurrence after ``now``, or ``None``."""
    future = [o for o in occurrences(rule, around=now, **calendar_kwargs) if o > now]
    return future[0] if future else None


def upcoming_occurrences(rule: Rule, *, now: datetime.datetime, count: int = 5, **calendar_kwargs):
    """The next ``count`` occurrences after ``now`` (fewer if the calendar runs out)."""
    return [o for o in occurrences(rule, around=now, **calendar_kwargs) if o > now][:count]


def rule_of(schedule, *, week_start: int | None = None) -> Rule:
    """The rule of a ``ReminderSchedule`` (its company's week start from ``schedule.org``
    unless given)."""
    if week_start is None:
        week_start = getattr(getattr(schedule, "org", None), "week_start", 0) or 0
    return Rule(
        cadence=schedule.cadence,
        send_time=schedule.send_time,
        monthly_rule=schedule.monthly_rule,
        week=schedule.week,
        weekday=schedule.weekday,
        day_of_month=schedule.day_of_month,
        days_before_quarter_end=schedule.days_before_quarter_end,
        every_weeks=schedule.every_weeks,
        # A weekly schedule always has an anchor (``schedule_save``); the creation day is a
        # fallback for rows written another way.
        week_anchor=schedule.week_anchor
        or (schedule.created_at.date() if schedule.created_at else None),
        week_start=week_start,
    )
