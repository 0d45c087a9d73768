"""Honest pace: the expected line starts when the KR does, and a KR written days ago is not
flagged "on track but behind" (issue 15, item 4)."""

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone

from checkins import pace
from checkins.charts import kr_value_chart
from objectives.models import KeyResult
from organizations.clock import zone_named
from tests.factories import CheckInFactory, KeyResultFactory, ObjectiveFactory, PeriodFactory

D = datetime.date
UTC = datetime.UTC
# Q1 2026: 1 January to 31 March (89 days from first to last day).
Q1 = SimpleNamespace(start=D(2026, 1, 1), end=D(2026, 3, 31))


def _kr(*, created, current=10, confidence="on_track", kind="increase"):
    return KeyResult(
        kind=kind,
        start_value=Decimal(0),
        target_value=Decimal(100),
        current_value=Decimal(current),
        confidence=confidence,
        created_at=created,
    )


def _noon(day: datetime.date, zone=UTC) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(12), tzinfo=zone)


@pytest.mark.parametrize(
    ("case", "created", "today", "current", "line_start", "expected", "flagged"),
    [
        # Written before the quarter: the line starts on the quarter's first day.
        ("planned ahead", D(2025, 12, 15), D(2026, 2, 14), 10, D(2026, 1, 1), 49, True),
        # Written this morning, six weeks in: nothing is expected yet, nothing is flagged.
        ("written today", D(2026, 2, 14), D(2026, 2, 14), 0, D(2026, 2, 14), 0, False),
        # Written three days ago: a little is expected, but it is too young to be flagged.
        ("three days old", D(2026, 2, 11), D(2026, 2, 14), 0, D(2026, 2, 11), 6, False),
        # Written six weeks in, now two weeks old: the line runs from its creation.
        ("two weeks old", D(2026, 2, 14), D(2026, 2, 28), 0, D(2026, 2, 14), 31, True),
        (
            "two weeks old, on its line",
            D(2026, 2, 14),
            D(2026, 2, 28),
            25,
            D(2026, 2, 14),
            31,
            False,
        ),
        # An old KR close to the line from the quarter's start: on pace, not flagged.
        ("old and on its line", D(2025, 12, 1), D(2026, 2, 14), 45, D(2026, 1, 1), 49, False),
        # Written after the quarter ended (a late entry): the line is its last day.
        ("after the quarter", D(2026, 4, 10), D(2026, 4, 12), 0, D(2026, 3, 31), 100, False),
    ],
)
def test_expected_line_starts_at_the_later_of_period_start_and_creation(
    case, created, today, current, line_start, expected, flagged
):
    kr = _kr(created=_noon(created), current=current)
    result = pace.kr_pace(kr, period=Q1, today=today, now=_noon(today), stale_days=None)
    assert result.line_start == line_start, case
    assert result.expected_percent == expected, case
    assert (pace.FLAG_BEHIND in result.flags) is flagged, case


@pytest.mark.parametrize(
    ("age_days", "expected", "flagged"),
    [
        (0, 0, False),  # written today: nothing expected yet
        (3, 75, False),  # far behind its own line, but only three days old
        (pace.YOUNG_KR_DAYS - 1, 86, False),
        (pace.YOUNG_KR_DAYS, 88, True),  # a week old: the flag applies
        (30, 97, True),  # older than the period: the line is the period's
    ],
)
def test_young_krs_are_not_flagged_behind(age_days, expected, flagged):
    """A KR at 0 %, said on track, on 30 January of a January period."""
    period = SimpleNamespace(start=D(2026, 1, 1), end=D(2026, 1, 31))
    now = _noon(D(2026, 1, 30))
    kr = _kr(created=now - datetime.timedelta(days=age_days), current=0)
    result = pace.kr_pace(kr, period=period, today=now.date(), now=now, stale_days=None)
    assert result.expected_percent == expected
    assert pace.is_young(kr, now=now) is (age_days < pace.YOUNG_KR_DAYS)
    assert (pace.FLAG_BEHIND in result.flags) is flagged


def test_creation_is_dated_in_the_companys_zone():
    """Created at 20:00 on 14 February in Los Angeles is 15 February in UTC: the line starts
    on the company's date."""
    zone = zone_named("America/Los_Angeles")
    created = datetime.datetime(2026, 2, 14, 20, 0, tzinfo=zone)
    kr = _kr(created=created)
    assert pace.line_start(kr, period=Q1, zone=zone) == D(2026, 2, 14)
    assert pace.line_start(kr, period=Q1) == D(2026, 2, 15)


def _period_now(org):
    today = timezone.now().date()
    return PeriodFactory(
        org=org, start=today - datetime.timedelta(days=50), end=today + datetime.timedelta(days=50)
    )


def test_a_kr_written_this_morning_is_not_on_the_flagged_list(org):
    """The reported fault: a new KR, said on track at 0 %, landed on the managers' list."""
    period = _period_now(org)
    new = KeyResultFactory(
        objective=ObjectiveFactory(org=org, period=period), current_value=0, confidence="on_track"
    )
    old = KeyResultFactory(
        objective=ObjectiveFactory(org=org, period=period), current_value=0, confidence="on_track"
    )
    KeyResult.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=60)
    )
    flagged = {f.kr.pk: f.pace.flags for f in pace.flagged_key_results(org)}
    assert new.pk not in flagged
    assert pace.FLAG_BEHIND in flagged[old.pk]
    # the dashboards' path (SQL candidates, then the exact rule) agrees
    queryset = KeyResult.objects.for_org(org)
    assert [f.kr.pk for f in pace.flag_queryset(org, queryset)] == [old.pk]


def test_the_charts_expected_line_starts_when_the_kr_was_written(org):
    period = PeriodFactory(org=org, start=D(2025, 1, 1), end=D(2025, 3, 31))
    kr = KeyResultFactory(objective=ObjectiveFactory(org=org, period=period))
    now = datetime.datetime(2025, 3, 1, tzinfo=UTC)
    kr.created_at = datetime.datetime(2024, 12, 1, tzinfo=UTC)
    from_start = kr_value_chart(kr, [], period=period, tz=UTC, now=now)
    kr.created_at = datetime.datetime(2025, 2, 15, 9, 0, tzinfo=UTC)
    from_creation = kr_value_chart(kr, [], period=period, tz=UTC, now=now)
    assert from_start.pace_line[0] == from_start.plot_left
    assert from_start.plot_left < from_creation.pace_line[0] < from_creation.plot_right
    assert from_creation.pace_line[2] == from_start.pace_line[2] == from_start.plot_right
    # The value line starts there too: a KR written in February has no January history.
    assert float(from_start.points[0].x) == from_start.plot_left
    assert float(from_creation.points[0].x) == round(from_creation.pace_line[0], 1)


def test_the_value_line_starts_no_later_than_the_first_check_in(org):
    period = PeriodFactory(org=org, start=D(2025, 1, 1), end=D(2025, 3, 31))
    kr = KeyResultFactory(objective=ObjectiveFactory(org=org, period=period), start_value=0)
    kr.created_at = datetime.datetime(2025, 2, 15, 9, 0, tzinfo=UTC)
    # A check-in dated before the KR's creation (an import, a clock moved back).
    early = CheckInFactory(key_result=kr, value=5, previous_value=0)
    early.created_at = datetime.datetime(2025, 2, 1, tzinfo=UTC)
    now = datetime.datetime(2025, 3, 1, tzinfo=UTC)
    chart = kr_value_chart(kr, [early], period=period, tz=UTC, now=now)
    first, second = (float(p.x) for p in chart.points)
    assert first < chart.pace_line[0]
    assert chart.plot_left < first == second  # from 0 to 5 on that day


def test_the_kr_page_names_the_day_the_expected_line_starts(org, member, member_membership):
    today = timezone.now().date()
    period = PeriodFactory(
        org=org, start=today - datetime.timedelta(days=40), end=today + datetime.timedelta(days=40)
    )
    kr = KeyResultFactory(
        objective=ObjectiveFactory(org=org, period=period, owner=member_membership)
    )
    html = " ".join(member.get(f"/{org.slug}/krs/{kr.pk}/").content.decode().split())
    assert f"on {today.day} {today:%b}" in html  # the line starts today, when it was written
    assert f"on {period.start.day} {period.start:%b}" not in html.split("Expected today")[1][:80]
