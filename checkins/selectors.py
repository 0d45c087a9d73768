"""Reads shared by the check-in pages; each applies its own select_related."""

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, QuerySet
from django.utils import timezone

from objectives.models import KeyResult, Objective
from objectives.permissions import visible_objectives
from objectives.progress import as_percent, kr_progress
from organizations.clock import company_date

from . import pace
from .models import CheckIn, ReminderDelivery, ReminderSchedule
from .schedules import rule_of, upcoming_occurrences

FEED_DAYS = 7
FEED_LIMIT = 200


def kr_checkins(kr) -> QuerySet:
    return (
        CheckIn.objects.for_org(kr.org_id)
        .filter(key_result=kr)
        .select_related("author__user")
        .order_by("-created_at", "-id")
    )


@dataclass
class FeedItem:
    checkin: CheckIn
    progress_before: int
    progress_after: int

    @property
    def delta(self) -> int:
        return self.progress_after - self.progress_before

    @property
    def confidence_changed(self) -> bool:
        c = self.checkin
        return bool(c.previous_confidence) and c.previous_confidence != c.confidence


@dataclass
class Feed:
    since: datetime.datetime
    items: list[FeedItem] = field(default_factory=list)
    flagged: list = field(default_factory=list)
    truncated: bool = False

    @property
    def people(self) -> int:
        return len({i.checkin.author_id for i in self.items})

    @property
    def krs(self) -> int:
        return len({i.checkin.key_result_id for i in self.items})

    @property
    def moved_up(self) -> int:
        return sum(1 for i in self.items if i.delta > 0)

    @property
    def confidence_drops(self) -> int:
        order = {"on_track": 0, "at_risk": 1, "off_track": 2}
        return sum(
            1
            for i in self.items
            if i.confidence_changed
            and order.get(i.checkin.confidence, 0) > order.get(i.checkin.previous_confidence, 0)
        )

    @property
    def by_confidence(self) -> Counter:
        return Counter(i.checkin.confidence for i in self.items)


def feed(org, membership, *, team_ids=None, now=None, days: int = FEED_DAYS) -> Feed:
    """What changed in the last ``days``: the check-ins (newest first) on objectives the
    viewer may see, of the whole company or of ``team_ids`` (teams' objectives and people),
    and the KRs flagged today. Four or five queries whatever the size."""
    now = now or timezone.now()
    since = now - datetime.timedelta(days=days)
    visible = visible_objectives(Objective.objects.for_org(org), membership)
    checkins = CheckIn.objects.for_org(org).filter(
        created_at__gte=since, key_result__objective__in=visible.values("pk")
    )
    if team_ids is not None:
        krs = KeyResult.objects.for_org(org).filter(pace.in_teams_q(team_ids))
        checkins = checkins.filter(key_result__in=krs.values("pk"))
    rows = list(
        checkins.select_related(
            "author__user", "key_result__objective__team", "key_result__owner__user"
        ).order_by("-created_at", "-id")[: FEED_LIMIT + 1]
    )
    result = Feed(since=since, truncated=len(rows) > FEED_LIMIT)
    for c in rows[:FEED_LIMIT]:
        kr = c.key_result
        result.items.append(
            FeedItem(
                checkin=c,
                progress_before=as_percent(
                    kr_progress(
                        kind=kr.kind,
                        start=kr.start_value,
                        target=kr.target_value,
                        current=c.previous_value,
                    )
                ),
                progress_after=as_percent(
                    kr_progress(
                        kind=kr.kind, start=kr.start_value, target=kr.target_value, current=c.value
                    )
                ),
            )
        )
    result.flagged = pace.flagged_key_results(org, team_ids=team_ids, membership=membership)
    return result


NEXT_SENDS = 5


def next_sends(schedule, *, now, quarter_periods=(), count: int = NEXT_SENDS) -> list:
    """A schedule's next ``count`` occurrences (UTC; none while it is disabled)."""
    from .reminders import calendar_kwargs

    if not schedule.enabled:
        return []
    return upcoming_occurrences(
        rule_of(schedule),
        now=now,
        count=count,
        **calendar_kwargs(schedule.org, quarter_periods),
    )


def schedules_overview(org, *, now=None, count: int = 3) -> list[dict]:
    """Each schedule with its next ``count`` sends and delivery counts (three queries)."""
    from .reminders import quarter_periods_by_org

    now = now or timezone.now()
    schedules = list(ReminderSchedule.objects.for_org(org).select_related("org"))
    quarters = quarter_periods_by_org([org.pk]).get(org.pk, [])
    counts: dict[int, Counter] = {}
    recent = (
        ReminderDelivery.objects.for_org(org)
        .filter(occurrence__gte=now - datetime.timedelta(days=100))
        .values_list("schedule_id", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    for schedule_id, status, n in recent:
        counts.setdefault(schedule_id, Counter())[status] = n
    return [
        {
            "schedule": s,
            "next_sends": next_sends(s, now=now, quarter_periods=quarters, count=count),
            "counts": counts.get(s.pk, Counter()),
        }
        for s in schedules
    ]


def schedule_next_sends(schedule, *, now=None, count: int = NEXT_SENDS) -> list:
    """The next sends of one schedule, for its page (one query, for the quarters)."""
    from .reminders import quarter_periods_by_org

    quarters = (
        quarter_periods_by_org([schedule.org_id]).get(schedule.org_id, [])
        if schedule.cadence == ReminderSchedule.Cadence.QUARTERLY
        else []
    )
    return next_sends(schedule, now=now or timezone.now(), quarter_periods=quarters, count=count)


WHY_LIMIT = 10


@dataclass(frozen=True)
class ReminderReason:
    """One line of "Why were you reminded?": what went out (or did not), when, and why."""

    kind: str
    at: datetime.datetime
    sent: bool
    reason: str


def reminder_reasons(org, membership, limit: int = WHY_LIMIT) -> list[ReminderReason]:
    """A person's latest reminders, follow-ups and escalations in this company, newest first,
    each with its reason (one query)."""
    from .reminders import FOLLOW_UP_DAYS

    Kind, Status = ReminderDelivery.Kind, ReminderDelivery.Status
    rows = (
        ReminderDelivery.objects.for_org(org)
        .filter(membership=membership)
        .exclude(status=Status.FAILED)
        .select_related("schedule")
        .order_by("-created_at", "-id")[:limit]
    )
    result = []
    for d in rows:
        day = f"{company_date(org, d.occurrence):%-d %B %Y}"
        if d.status in (Status.PENDING, Status.SENDING):
            reason = "On its way."
        elif d.status == Status.SKIPPED:
            reason = d.detail if d.detail.startswith("Not sent") else f"Not sent: {d.detail}"
        elif d.kind == Kind.REMINDER:
            reason = (
                f"“{d.schedule.name}” ({d.schedule.rule_text.lower()}) of {day}: "
                "you had key results to check in on."
            )
        elif d.kind == Kind.FOLLOW_UP:
            reason = (
                f"The one follow-up, {FOLLOW_UP_DAYS} days after the reminder of {day} "
                f"(“{d.schedule.name}”): your key results had not moved since."
            )
        else:
            reason = d.detail
        result.append(
            ReminderReason(
                kind=d.get_kind_display(),
                at=d.sent_at or d.created_at,
                sent=d.status == Status.SENT,
                reason=reason,
            )
        )
    return result
