"""Pace: where a key result should be today, and which key results need attention.

The expected pace is a straight line from the start value to the target on the period's
last day. The line starts on the later of the period's first day and the day the KR was
created (company time): a KR written in week six is not expected to have made six weeks of
progress. A KR is *flagged* when its owner says "on track" but it is more than
``BEHIND_FLAG_POINTS`` percentage points behind that line (not while it is younger than
``YOUNG_KR_DAYS``), or when it has had no check-in for longer than the company's reminder
schedules allow (``stale_after_days``).
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import (
    Case,
    DecimalField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from objectives.models import KeyResult, Objective
from objectives.progress import ONE, ZERO, as_percent, clamp, key_result_progress
from organizations.clock import UTC, company_today, company_zone
from organizations.models import Period, Team, TeamMembership

BEHIND_FLAG_POINTS = 20
# A KR this young is never flagged "on track but behind": its owner has had no time yet.
YOUNG_KR_DAYS = 7
ON_PACE_POINTS = 5
# Allowed days without a check-in, by the most frequent enabled cadence (its interval plus a
# week of grace: "every 2 weeks" allows 21 days); without any schedule,
# ``CHECKIN_STALE_DAYS`` (default 35).
STALE_DAYS_BY_CADENCE = {"monthly": 38, "quarterly": 98}
STALE_GRACE_DAYS = 7

FLAG_BEHIND = "behind"
FLAG_STALE = "stale"
FLAG_TEXT = {
    FLAG_BEHIND: "Says on track, but more than 20 points behind pace",
    FLAG_STALE: "No recent check-in",
}


def default_stale_days() -> int:
    return int(getattr(settings, "CHECKIN_STALE_DAYS", 35))


def expected_progress(
    *, period_start: datetime.date, period_end: datetime.date, today: datetime.date
) -> Decimal:
    """Fraction (0..1) of the period elapsed on ``today``: 0 on its first day, 1 on its last."""
    total = (period_end - period_start).days
    if total <= 0:
        return ONE if today >= period_start else ZERO
    return clamp(Decimal((today - period_start).days) / Decimal(total))


def line_start(kr, *, period, zone=UTC) -> datetime.date:
    """First day of a KR's pace line: the later of the period's start and the KR's creation
    (its date in ``zone``, the company's), never after the period's last day."""
    created = getattr(kr, "created_at", None)
    if created is None:
        return period.start
    created_day = created.astimezone(zone).date()
    return min(max(period.start, created_day), period.end)


def is_young(kr, *, now: datetime.datetime) -> bool:
    created = getattr(kr, "created_at", None)
    return created is not None and now - created < datetime.timedelta(days=YOUNG_KR_DAYS)


def expected_value(*, start_value, target_value, expected: Decimal) -> Decimal:
    start_value, target_value = Decimal(start_value), Decimal(target_value)
    return start_value + (target_value - start_value) * expected


def gap_points(progress: Decimal, expected: Decimal) -> int:
    """Progress minus expected progress, in percentage points (positive = ahead)."""
    return as_percent(progress) - as_percent(expected)


def pace_status(progress: Decimal, expected: Decimal) -> str:
    gap = gap_points(progress, expected)
    if gap > ON_PACE_POINTS:
        return "ahead"
    if gap < -ON_PACE_POINTS:
        return "behind"
    return "on_pace"


def is_optimistic(confidence: str, progress: Decimal, expected: Decimal) -> bool:
    """Confidence says on track while progress trails the pace by more than the limit."""
    return (
        confidence == KeyResult.Confidence.ON_TRACK
        and gap_points(progress, expected) < -BEHIND_FLAG_POINTS
    )


def is_stale(
    *,
    last_checkin_at: datetime.datetime | None,
    created_at: datetime.datetime,
    now: datetime.datetime,
    allowed_days: int,
) -> bool:
    """No check-in (counting from the KR's creation) for longer than ``allowed_days``."""
    since = last_checkin_at or created_at
    return now - since > datetime.timedelta(days=allowed_days)


def stale_after_days(cadences: Iterable[str | tuple[str, int]]) -> int:
    """Days a KR may go without a check-in, given the company's enabled schedule cadences:
    a cadence name, or ``(cadence, every_weeks)`` for weekly ones."""
    allowed = []
    for cadence in cadences:
        name, every_weeks = cadence if isinstance(cadence, tuple) else (cadence, 1)
        if name == "weekly":
            allowed.append(7 * (every_weeks or 1) + STALE_GRACE_DAYS)
        elif name in STALE_DAYS_BY_CADENCE:
            allowed.append(STALE_DAYS_BY_CADENCE[name])
    return min(allowed) if allowed else default_stale_days()


@dataclass
class Pace:
    progress: Decimal
    expected: Decimal
    status: str
    gap: int
    expected_value: Decimal
    flags: list[str] = field(default_factory=list)
    line_start: datetime.date | None = None  # the expected line's first day

    @property
    def percent(self) -> int:
        return as_percent(self.progress)

    @property
    def expected_percent(self) -> int:
        return as_percent(self.expected)

    @property
    def flag_texts(self) -> list[str]:
        return [FLAG_TEXT[f] for f in self.flags]


def kr_pace(
    kr,
    *,
    period,
    today: datetime.date,
    now: datetime.datetime,
    stale_days: int | None,
    zone=UTC,
) -> Pace:
    """Pace and flags of one KR. ``stale_days=None`` skips the staleness flag; ``zone`` is
    the company's (it dates the KR's creation)."""
    progress = key_result_progress(kr)
    start = line_start(kr, period=period, zone=zone)
    expected = expected_progress(period_start=start, period_end=period.end, today=today)
    flags = []
    if (
        kr.kind != KeyResult.Kind.MILESTONE
        and not is_young(kr, now=now)
        and is_optimistic(kr.confidence, progress, expected)
    ):
        flags.append(FLAG_BEHIND)
    if (
        stale_days is not None
        # Measured from its contributing objectives, it takes no check-ins: never "silent".
        and kr.__dict__.get("measured_by") != KeyResult.MeasuredBy.CONTRIBUTORS
        and period.start <= today <= period.end
        and progress < ONE
        and is_stale(
            last_checkin_at=kr.last_checkin_at,
            created_at=kr.created_at,
            now=now,
            allowed_days=stale_days,
        )
    ):
        flags.append(FLAG_STALE)
    return Pace(
        progress=progress,
        expected=expected,
        status=pace_status(progress, expected),
        gap=gap_points(progress, expected),
        expected_value=expected_value(
            start_value=kr.start_value, target_value=kr.target_value, expected=expected
        ).quantize(Decimal("0.01")),
        flags=flags,
        line_start=start,
    )


def org_stale_days(org) -> int:
    from .models import ReminderSchedule

    cadences = (
        ReminderSchedule.objects.for_org(org)
        .filter(enabled=True)
        .values_list("cadence", "every_weeks")
    )
    return stale_after_days(set(cadences))


def active_key_results(org, *, today: datetime.date):
    """KRs of active objectives whose (open) period covers ``today``."""
    return KeyResult.objects.for_org(org).filter(
        objective__status=Objective.Status.ACTIVE,
        objective__period__is_closed=False,
        objective__period__start__lte=today,
        objective__period__end__gte=today,
    )


def team_and_subteam_ids(org, team_ids: Iterable[int]) -> set[int]:
    children: dict[int | None, list[int]] = {}
    for team_id, parent_id in Team.objects.for_org(org).values_list("id", "parent_id"):
        children.setdefault(parent_id, []).append(team_id)
    result, stack = set(team_ids), list(team_ids)
    while stack:
        for child in children.get(stack.pop(), []):
            if child not in result:
                result.add(child)
                stack.append(child)
    return result


def in_teams_q(team_ids: Iterable[int]) -> Q:
    """KRs of the teams' objectives or owned by the teams' people."""
    team_ids = list(team_ids)
    member_of_teams = Exists(
        TeamMembership.objects.filter(membership_id=OuterRef("owner_id"), team_id__in=team_ids)
    )
    return Q(objective__team_id__in=team_ids) | member_of_teams


@dataclass
class FlaggedKR:
    kr: KeyResult
    pace: Pace

    @property
    def reasons(self) -> list[str]:
        return self.pace.flag_texts


def flagged_key_results(
    org, *, team_ids=None, today: datetime.date | None = None, membership=None
) -> list[FlaggedKR]:
    """Flagged KRs of the company (or of ``team_ids``, with their people), worst first.

    Three queries whatever the size: enabled cadences, the KRs with objective, period, owner
    and team, and (with ``team_ids``) nothing more than an EXISTS inside the KR query. With
    ``membership`` only objectives that person may see are considered.
    """
    if today is None:
        today = company_today(org)
    krs = active_key_results(org, today=today)
    if team_ids is not None:
        krs = krs.filter(in_teams_q(team_ids))
    if membership is not None:
        from objectives.permissions import visible_objectives

        visible = visible_objectives(Objective.objects.for_org(org), membership)
        krs = krs.filter(objective__in=visible.values("pk"))
    krs = krs.select_related("objective__period", "objective__team", "owner__user").order_by(
        "objective_id", "position", "id"
    )
    return flag_loaded(org, krs, today=today)


def flag_candidates(org, key_results: QuerySet, *, today: datetime.date, now, stale_days: int):
    """``key_results`` narrowed in SQL to those ``flag_loaded`` might flag, loaded with their
    objective and period: KRs of active objectives in open periods covering today that are
    said on track while trailing the pace line by about the flag's margin, or that are
    unfinished and silent for longer than allowed. A superset (the SQL margin is one point
    wider than the rounded rule, and the line from the period's start is never below a KR's
    own line, which starts later); ``flag_loaded`` decides exactly.
    """
    periods = list(
        Period.objects.for_org(org).filter(is_closed=False, start__lte=today, end__gte=today)
    )
    progress = Case(
        When(target_value=F("start_value"), then=Value(ZERO)),
        default=(F("current_value") - F("start_value")) / (F("target_value") - F("start_value")),
        output_field=DecimalField(),
    )
    margin = Decimal(BEHIND_FLAG_POINTS - 1) / 100
    behind = Q(pk__in=[])
    for period in periods:
        limit = expected_progress(period_start=period.start, period_end=period.end, today=today)
        if limit - margin > ZERO:  # progress is never below 0, so nothing trails a lower line
            behind |= Q(objective__period=period, pace_progress__lt=limit - margin)
    behind &= (
        Q(confidence=KeyResult.Confidence.ON_TRACK)
        & ~Q(kind=KeyResult.Kind.MILESTONE)
        & Q(created_at__lte=now - datetime.timedelta(days=YOUNG_KR_DAYS))
    )
    silent = Q(
        pace_progress__lt=ONE, pace_since__lt=now - datetime.timedelta(days=stale_days)
    ) & ~Q(measured_by=KeyResult.MeasuredBy.CONTRIBUTORS)  # it takes no check-ins
    return (
        key_results.filter(objective__status=Objective.Status.ACTIVE, objective__period__in=periods)
        .annotate(pace_progress=progress, pace_since=Coalesce("last_checkin_at", "created_at"))
        .filter(behind | silent)
        .select_related("objective__period")
    )


def flag_queryset(org, key_results: QuerySet) -> list[FlaggedKR]:
    """Flags of the KRs of ``key_results`` (a queryset), worst first: three queries whatever
    its size, and only the KRs that may be flagged are loaded."""
    now = timezone.now()
    today = company_today(org, now)
    stale_days = org_stale_days(org)
    candidates = flag_candidates(org, key_results, today=today, now=now, stale_days=stale_days)
    return flag_loaded(org, candidates, today=today, stale_days=stale_days)


def flag_loaded(
    org, key_results, *, today: datetime.date | None = None, stale_days: int | None = None
) -> list[FlaggedKR]:
    """Flags of KRs already loaded with ``kr.objective`` and its period, worst first.

    One query (the company's schedules) whatever their number; KRs of objectives that are
    not active or whose open period does not cover today are skipped.
    """
    now = timezone.now()
    zone = company_zone(org)
    if today is None:
        today = company_today(org, now)
    if stale_days is None:
        stale_days = org_stale_days(org)
    flagged = []
    for kr in key_results:
        objective, period = kr.objective, kr.objective.period
        if (
            objective.status != Objective.Status.ACTIVE
            or period.is_closed
            or not period.start <= today <= period.end
        ):
            continue
        pace = kr_pace(kr, period=period, today=today, now=now, stale_days=stale_days, zone=zone)
        if pace.flags:
            flagged.append(FlaggedKR(kr=kr, pace=pace))
    flagged.sort(key=lambda f: (-len(f.pace.flags), f.pace.gap))
    return flagged
