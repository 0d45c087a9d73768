import datetime
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import timezone

from checkins import pace
from checkins.charts import chart_svg, kr_value_chart, objective_progress_series
from checkins.models import CheckIn
from demo.checkins import seed_checkins
from objectives.models import KeyResult
from tests.factories import (
    CheckInFactory,
    KeyResultFactory,
    MembershipFactory,
    ObjectiveFactory,
    PeriodFactory,
    ReminderScheduleFactory,
    TeamMembershipFactory,
)

D = datetime.date


@pytest.mark.parametrize(
    "today, expected",
    [
        (D(2025, 1, 1), Decimal(0)),
        (D(2025, 1, 31), Decimal("0.5")),
        (D(2025, 3, 2), Decimal(1)),
        (D(2024, 12, 1), Decimal(0)),
        (D(2025, 6, 1), Decimal(1)),
    ],
)
def test_expected_progress_is_the_elapsed_share_of_the_period(today, expected):
    result = pace.expected_progress(
        period_start=D(2025, 1, 1), period_end=D(2025, 3, 2), today=today
    )
    assert result == expected


@pytest.mark.parametrize(
    "progress, expected, status",
    [
        ("0.50", "0.50", "on_pace"),
        ("0.60", "0.50", "ahead"),
        ("0.40", "0.50", "behind"),
        ("0.47", "0.50", "on_pace"),
    ],
)
def test_pace_status(progress, expected, status):
    assert pace.pace_status(Decimal(progress), Decimal(expected)) == status


@pytest.mark.parametrize(
    "confidence, progress, flagged",
    [
        ("on_track", "0.29", True),  # 21 points behind 50%
        ("on_track", "0.30", False),  # exactly 20 points: not more than 20
        ("at_risk", "0.10", False),  # the owner already says so
        ("on_track", "0.90", False),
    ],
)
def test_on_track_but_more_than_20_points_behind_is_flagged(confidence, progress, flagged):
    assert pace.is_optimistic(confidence, Decimal(progress), Decimal("0.5")) is flagged


def test_stale_allowance_follows_the_schedules():
    assert pace.stale_after_days(["quarterly"]) == 98
    assert pace.stale_after_days(["quarterly", "monthly"]) == 38
    assert pace.stale_after_days([]) == pace.default_stale_days()


@pytest.mark.parametrize(
    "cadences, allowed",
    [
        ([("weekly", 1)], 14),
        ([("weekly", 2)], 21),
        ([("weekly", 4), ("monthly", 1)], 35),
        ([("weekly", 8), ("monthly", 1)], 38),
        ([("weekly", 2), ("quarterly", 1)], 21),
    ],
)
def test_weekly_reminders_allow_their_interval_plus_a_week(cadences, allowed):
    assert pace.stale_after_days(cadences) == allowed


def test_is_stale_counts_from_creation_without_checkins():
    now = timezone.now()
    old = now - datetime.timedelta(days=40)
    assert pace.is_stale(last_checkin_at=None, created_at=old, now=now, allowed_days=38)
    assert not pace.is_stale(last_checkin_at=now, created_at=old, now=now, allowed_days=38)


def _aged(*krs, days=60):
    """KRs written ``days`` ago (a new KR is neither expected to be far along nor flagged)."""
    moment = timezone.now() - datetime.timedelta(days=days)
    KeyResult.objects.filter(pk__in=[kr.pk for kr in krs]).update(created_at=moment)
    for kr in krs:
        kr.created_at = moment
    return krs[0] if len(krs) == 1 else krs


def _period(org):
    today = timezone.localdate()
    return PeriodFactory(
        org=org, start=today - datetime.timedelta(days=50), end=today + datetime.timedelta(days=50)
    )


def test_flagged_key_results_of_the_company_and_of_a_team(org, team):
    period = _period(org)
    ReminderScheduleFactory(org=org, cadence="monthly")
    in_team = MembershipFactory(org=org)
    TeamMembershipFactory(team=team, membership=in_team)
    elsewhere = MembershipFactory(org=org)
    recent = timezone.now() - datetime.timedelta(days=1)
    optimistic = KeyResultFactory(
        objective=ObjectiveFactory(org=org, period=period, owner=in_team),
        current_value=10,
        confidence="on_track",
        last_checkin_at=recent,
    )
    _aged(optimistic)
    honest = KeyResultFactory(
        objective=ObjectiveFactory(org=org, period=period, owner=in_team),
        current_value=10,
        confidence="off_track",
        last_checkin_at=recent,
    )
    stale = KeyResultFactory(
        objective=ObjectiveFactory(org=org, period=period, owner=elsewhere),
        current_value=50,
        last_checkin_at=timezone.now() - datetime.timedelta(days=45),
    )
    flagged = {f.kr.pk: f.pace.flags for f in pace.flagged_key_results(org)}
    assert flagged == {optimistic.pk: ["behind"], stale.pk: ["stale"]}
    assert honest.pk not in flagged
    team_flags = pace.flagged_key_results(org, team_ids=[team.pk])
    assert [f.kr.pk for f in team_flags] == [optimistic.pk]


@pytest.mark.parametrize("size", [2, 30])
def test_flagged_key_results_run_in_bounded_queries(org, size, django_assert_max_num_queries):
    period = _period(org)
    krs = [
        KeyResultFactory(
            objective=ObjectiveFactory(org=org, period=period),
            current_value=0,
            confidence="on_track",
        )
        for _ in range(size)
    ]
    _aged(*krs)
    with django_assert_max_num_queries(3):
        flagged = pace.flagged_key_results(org, team_ids=[1, 2])
    with django_assert_max_num_queries(2):
        flagged = pace.flagged_key_results(org)
    assert len(flagged) == size


def _q1_kr_chart(org, values, *, now):
    """A 0 -> 100 KR of Q1 2025 checked in at ``values`` on the first of February, March...,
    and its value chart as of ``now``."""
    period = PeriodFactory(org=org, start=D(2025, 1, 1), end=D(2025, 3, 31))
    kr = KeyResultFactory(
        objective=ObjectiveFactory(org=org, period=period), start_value=0, target_value=100
    )
    kr.created_at = datetime.datetime(2024, 12, 1, tzinfo=datetime.UTC)  # before Q1
    checkins = [
        CheckIn(
            id=i,
            value=Decimal(value),
            previous_value=previous,
            created_at=datetime.datetime(2025, 2 + i, 1, tzinfo=datetime.UTC),
        )
        for i, (previous, value) in enumerate(zip([0, *values], values, strict=False))
    ]
    return kr_value_chart(kr, checkins, period=period, tz=datetime.UTC, now=now)


def test_value_chart_draws_the_pace_line_from_start_to_target(org):
    chart = _q1_kr_chart(org, [20, 60], now=datetime.datetime(2025, 3, 2, tzinfo=datetime.UTC))
    x1, y1, x2, y2 = chart.pace_line
    assert x1 == chart.plot_left and x2 == chart.plot_right
    assert y1 > y2  # the target is higher up
    assert len(chart.points) == 3
    assert [p.label for p in chart.points][-1] == "01 Mar 2025: 60"
    assert chart.today_x is not None


def test_chart_markup_escapes_titles_and_marks_today_and_each_checkin(org):
    chart = _q1_kr_chart(org, [40], now=datetime.datetime(2025, 3, 2, tzinfo=datetime.UTC))
    html = chart_svg(chart, chart_id="c1", title="<b>Reach</b> & grow", series_label="value")
    assert '<title id="c1-title">&lt;b&gt;Reach&lt;/b&gt; &amp; grow</title>' in html
    assert html.count("<circle") == 2 and "<polyline" in html  # the start and one check-in
    assert "<title>01 Feb 2025: 40</title>" in html
    assert ">today</text>" in html and "style=" not in html
    assert "Jan</text>" in html and "Feb</text>" in html  # the months along the x axis
    assert "value <svg" in html and "expected pace</p>" in html

    later = _q1_kr_chart(org, [], now=datetime.datetime(2026, 3, 2, tzinfo=datetime.UTC))
    html = chart_svg(later, chart_id="c2", title="t", series_label="value")
    assert "today" not in html and "<polyline" not in html and html.count("<circle") == 1


def test_objective_progress_series_replays_checkins_by_weight(org):
    objective = ObjectiveFactory(org=org)
    a = KeyResultFactory(
        objective=objective, start_value=0, target_value=100, current_value=50, weight=1
    )
    b = KeyResultFactory(
        objective=objective, start_value=0, target_value=10, current_value=10, weight=3
    )
    t = timezone.now()
    checkins = [
        CheckIn(id=1, key_result_id=a.pk, value=50, previous_value=0, created_at=t),
        CheckIn(
            id=2,
            key_result_id=b.pk,
            value=10,
            previous_value=0,
            created_at=t + datetime.timedelta(days=1),
        ),
    ]
    series = [p for _, p in objective_progress_series([a, b], checkins)]
    assert series == [Decimal(0), Decimal("0.125"), Decimal(1) * Decimal("3.5") / 4]


def test_checkin_form_tag_issues_no_query_per_kr(
    org, period, member_membership, django_assert_num_queries
):
    objective = ObjectiveFactory(org=org, period=period, owner=member_membership)
    krs = [KeyResultFactory(objective=objective) for _ in range(5)]
    krs = list(
        KeyResult.objects.filter(pk__in=[k.pk for k in krs]).select_related("objective__period")
    )
    request = RequestFactory().get("/acme/my/")
    request.org, request.membership = org, member_membership
    template = Template(
        "{% load checkin_tags %}{% for kr in krs %}{% kr_checkin_form kr %}{% endfor %}"
    )
    with django_assert_num_queries(0):
        html = template.render(
            Context({"krs": krs, "request": request, "org": org, "csrf_token": "t"})
        )
    assert html.count("<form") == 5


def test_checkin_form_is_hidden_from_people_who_may_not_check_in(
    org, period, admin_membership, member_membership
):
    objective = ObjectiveFactory(org=org, period=period, owner=admin_membership)
    kr = KeyResult.objects.select_related("objective__period").get(
        pk=KeyResultFactory(objective=objective).pk
    )
    request = RequestFactory().get("/")
    request.org, request.membership = org, member_membership
    html = Template("{% load checkin_tags %}{% kr_checkin_form kr %}").render(
        Context({"kr": kr, "request": request, "org": org})
    )
    assert "<form" not in html


def test_objective_progress_chart_tag_renders_svg(org, period, member_membership):
    objective = ObjectiveFactory(org=org, period=period, owner=member_membership)
    kr = KeyResultFactory(objective=objective)
    CheckInFactory(key_result=kr, value=30)
    request = RequestFactory().get("/")
    request.org, request.membership = org, member_membership
    html = Template("{% load checkin_tags %}{% objective_progress_chart objective %}").render(
        Context({"objective": objective, "request": request})
    )
    assert "<svg" in html and "<polyline" in html and "style=" not in html


def test_demo_seed_builds_history_and_default_schedules_once(org, period, member_membership):
    story = {}
    for i, confidence in enumerate(["on_track", "at_risk", "off_track"] * 2):
        kr = KeyResultFactory(
            objective=ObjectiveFactory(org=org, period=_period(org), owner=member_membership),
            current_value=10 * i,
            confidence=confidence,
        )
        story[kr.pk] = (kr.current_value, confidence)
    seed_checkins(org, people={"admin": member_membership})
    # The history ends where the OKR story left each KR: its value and confidence stay.
    for kr in KeyResult.objects.for_org(org):
        assert (kr.current_value, kr.confidence) == story[kr.pk]
    count = CheckIn.objects.for_org(org).count()
    assert count > 6
    assert {s.name for s in org.reminder_schedules.all()} == {"Monthly check-in", "Quarter closing"}
    assert {s.rule_text for s in org.reminder_schedules.all()} == {
        "The last Friday of each month at 09:00",
        "10 days before each quarter ends at 09:00",
    }
    # The KRs show their latest check-in; one profile went stale.
    for kr in KeyResult.objects.for_org(org).exclude(last_checkin_at=None):
        assert kr.current_value == kr.checkins.order_by("-created_at").first().value
    assert any(f.pace.flags for f in pace.flagged_key_results(org))
    seed_checkins(org, people={"admin": member_membership})
    assert CheckIn.objects.for_org(org).count() == count
    assert org.reminder_schedules.count() == 2


def test_managers_dashboard_shows_the_flagged_key_results_of_their_team(
    org, team, manager, member_membership
):
    period = _period(org)
    ReminderScheduleFactory(org=org, cadence="monthly")
    optimistic = KeyResultFactory(
        objective=ObjectiveFactory(org=org, period=period, owner=member_membership),
        title="Sign 40 partners",
        current_value=10,
        confidence="on_track",
        last_checkin_at=timezone.now() - datetime.timedelta(days=1),
    )
    outside = KeyResultFactory(
        objective=ObjectiveFactory(org=org, period=period),
        title="Somebody else's optimistic KR",
        current_value=10,
        confidence="on_track",
        last_checkin_at=timezone.now() - datetime.timedelta(days=1),
    )
    _aged(optimistic, outside)
    response = manager.get(f"/{org.slug}/alignment/dashboard/?period={period.pk}")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Flagged key results" in html
    assert optimistic.title in html
    assert outside.title not in html


def test_a_company_reminding_every_two_weeks_allows_three_weeks_of_silence(org):
    from tests.factories import ReminderScheduleFactory

    ReminderScheduleFactory(org=org, cadence="monthly")
    assert pace.org_stale_days(org) == 38
    ReminderScheduleFactory(org=org, cadence="weekly", every_weeks=2, weekday=4)
    assert pace.org_stale_days(org) == 21
    ReminderScheduleFactory(org=org, cadence="weekly", every_weeks=1, weekday=0, enabled=False)
    assert pace.org_stale_days(org) == 21  # a paused schedule sets no expectation
