"""Reminder dispatching and sending, without Celery (``checkins.tasks`` adapts these).

Exactly once, step by step:

1. ``dispatch_due`` finds each enabled schedule's latest occurrence. If it is due (within
   ``DISPATCH_GRACE`` and newer than the schedule's ``last_dispatched_occurrence``), it locks
   the schedule row (``SKIP LOCKED``: a concurrent dispatcher moves on), inserts one PENDING
   ``ReminderDelivery`` per recipient (unique per membership, schedule, occurrence; bulk
   insert with ``ignore_conflicts``) and, once committed, hands the ids to ``enqueue`` in
   batches.
2. ``send_batch`` claims the batch's deliveries with one conditional UPDATE (PENDING, or
   SENDING whose claim is older than the claim timeout: its worker died), so two tasks never
   own the same delivery. It sends the claimed e-mails one by one and marks each SENT (if the
   claim is still its own) as soon as the mail server has accepted it, each send and mark in
   its own small transaction; people who left or opted out are marked SKIPPED.
3. While it sends, it keeps its claims alive: every quarter of the claim timeout it refreshes
   ``claimed_at`` of the deliveries it still has to send (the heartbeat), so a live batch,
   however slow, is never taken over, and the claim timeout can be short (two minutes). A
   heartbeat that finds a claim taken over (this sender stalled longer than the timeout) drops
   that delivery. A finite ``EMAIL_TIMEOUT`` (30 s) keeps one hung send inside the window.
4. A worker killed mid-batch leaves the rest of its batch SENDING, and its heartbeat stops.
   Once those claims are older than the claim timeout, ``rescue_stuck`` (beat, every minute;
   ``dispatch_due`` also calls it) enqueues them again and the new task takes them over; the
   broker's own redelivery of the killed task (``acks_late``) finds them sent.
5. A failing mail server raises ``MailError``; the task retries with back-off, and on its last
   attempt ``send_batch(final_attempt=True)`` marks what is left FAILED with the error.

Follow-ups, politely: ``FOLLOW_UP_DAYS`` after a reminder was SENT, ``dispatch_follow_ups``
(called by ``dispatch_due``) inserts one FOLLOW_UP delivery (same membership, schedule and
occurrence; unique with its kind) and ``send_batch`` sends it like a reminder, only to who
still has a key result that needed a check-in at the occurrence and has not moved since.
``checkins.escalation`` then tells their managers. No one gets more than ``NUDGES_PER_WEEK``
reminders, follow-ups and managers' nudges in a company week: beyond it a delivery is
SKIPPED with the reason (two batches for the same person at the same instant may each take
the last place: at most one over, in a race).

A kill between the SMTP server accepting a message and the commit that marks it SENT repeats
that one message (no SMTP server takes part in a database transaction): at most one repeated
message per batch in flight. A transactional backend such as ``DatabaseEmailBackend`` writes
in the marking transaction, which makes even that exact.
"""

import datetime
import logging
import os
import smtplib
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from objectives.access import who_sees
from objectives.models import KeyResult, Objective, ObjectiveUserObjectPermission
from objectives.permissions import READ_GRANTS
from objectives.progress import as_percent, key_result_progress
from organizations.clock import company_timezone, company_today, company_week_start, company_zone
from organizations.models import Membership, Period, TeamMembership

from .models import CheckIn, KRNudge, ReminderDelivery, ReminderSchedule
from .schedules import latest_occurrence, next_occurrence, rule_of

log = logging.getLogger(__name__)

BATCH_SIZE = 100
DISPATCH_GRACE = datetime.timedelta(hours=24)
PENDING_RESCUE_AFTER = datetime.timedelta(minutes=30)
RESCUE_LIMIT = 10_000
FOLLOW_UP_DAYS = 3  # after the reminder was sent
NUDGES_PER_WEEK = 5  # reminders, follow-ups and managers' nudges, per person and company week
EMAIL_KINDS = (ReminderDelivery.Kind.REMINDER, ReminderDelivery.Kind.FOLLOW_UP)


def emails_this_week(org, membership_ids, *, now) -> dict[int, int]:
    """How many reminders, follow-ups and managers' nudges each person was sent since the
    start of the company's week (one query)."""
    start = company_week_start(org, now)

    def count(queryset, key):
        return Coalesce(
            Subquery(
                queryset.filter(**{key: OuterRef("pk")})
                .order_by()
                .values(key)
                .annotate(n=Count("pk"))
                .values("n")
            ),
            0,
        )

    rows = (
        Membership.objects.filter(pk__in=list(membership_ids))
        .annotate(
            deliveries=count(
                ReminderDelivery.objects.filter(
                    kind__in=EMAIL_KINDS,
                    status=ReminderDelivery.Status.SENT,
                    sent_at__gte=start,
                ),
                "membership_id",
            ),
            nudges=count(KRNudge.objects.filter(sent_at__gte=start), "recipient_id"),
        )
        .values_list("pk", "deliveries", "nudges")
    )
    return {pk: deliveries + nudges for pk, deliveries, nudges in rows}


def over_the_cap_reason() -> str:
    return (
        f"Not sent: you had {NUDGES_PER_WEEK} reminders and nudges this week already "
        "(the most we send in a week)."
    )


def claim_timeout() -> datetime.timedelta:
    """How long a claim protects a delivery without a heartbeat before another task may take
    it over: the delay before a dead worker's batch goes out again.

    The heartbeat (a quarter of it) plus one send bounded by ``EMAIL_TIMEOUT`` must fit in it.
    The exactly-once tests shorten it through the ``REMINDER_CLAIM_TIMEOUT`` environment
    variable (seconds).
    """
    seconds = getattr(settings, "REMINDER_CLAIM_TIMEOUT", None) or os.environ.get(
        "REMINDER_CLAIM_TIMEOUT", 2 * 60
    )
    return datetime.timedelta(seconds=float(seconds))


def heartbeat_interval() -> float:
    """Seconds between two refreshes of a sending batch's claims."""
    return claim_timeout().total_seconds() / 4


MAIL_ERRORS = (smtplib.SMTPException, ConnectionError, TimeoutError, OSError)


class MailError(Exception):
    """The mail server refused or failed; the batch should be retried later."""


def zone(org) -> ZoneInfo:
    """The company's zone (``organizations.clock`` owns company time)."""
    return company_zone(org)


def quarter_periods_by_org(org_ids) -> dict[int, list[tuple[datetime.date, datetime.date]]]:
    result: dict[int, list] = defaultdict(list)
    for org_id, start, end in Period.objects.filter(
        org_id__in=org_ids, kind=Period.Kind.QUARTER
    ).values_list("org_id", "start", "end"):
        result[org_id].append((start, end))
    return result


def calendar_kwargs(org, quarter_periods) -> dict:
    return {
        "tz_name": str(zone(org)),
        "fiscal_year_start_month": org.fiscal_year_start_month,
        "quarter_periods": quarter_periods,
    }


def schedule_next_occurrence(schedule, *, now=None, quarter_periods=()):
    return next_occurrence(
        rule_of(schedule),
        now=now or timezone.now(),
        **calendar_kwargs(schedule.org, quarter_periods),
    )


def audience_ids(schedule: ReminderSchedule, *, now: datetime.datetime) -> list[int]:
    """Active people with an active KR (or, for the stale audience, a KR without a recent
    check-in), less those who checked in within ``skip_recent_days``, in one query."""
    today = company_today(schedule.org, now)
    krs = active_krs(schedule.org_id, today).filter(owner_id=OuterRef("pk"))
    # Only KRs they may see are e-mailed (``_krs_needing_checkin``). Exactly here for everyone
    # but managers, whose sight of private objectives (their teams' and sub-teams') this one
    # query does not follow: a manager whose every KR turns out hidden gets a SKIPPED row.
    krs = krs.filter(
        Q(objective__visibility=Objective.Visibility.PUBLIC)
        | Q(objective__owner_id=OuterRef("pk"))
        | Q(owner__role=Membership.Role.ADMIN)
        | Exists(
            TeamMembership.objects.filter(membership_id=OuterRef(OuterRef("pk")), is_manager=True)
        )
        | Exists(
            ObjectiveUserObjectPermission.objects.filter(
                content_object_id=OuterRef("objective_id"),
                user_id=OuterRef(OuterRef("user_id")),
                permission__codename__in=READ_GRANTS,
            )
        )
    )
    if schedule.audience == ReminderSchedule.Audience.STALE:
        krs = krs.filter(stale_q(now - datetime.timedelta(days=schedule.stale_days)))
    people = Membership.objects.filter(org_id=schedule.org_id, is_active=True).filter(Exists(krs))
    if schedule.skip_recent_days:
        # "Skip people who checked in within the last N days": anyone who wrote a check-in
        # since the cutoff. Left out here, they get no delivery row for this occurrence.
        people = people.exclude(Exists(recent_checkins(schedule, now=now)))
    return list(people.values_list("id", flat=True))


def recent_checkins(schedule: ReminderSchedule, *, now: datetime.datetime):
    """Check-ins of the outer membership within the schedule's ``skip_recent_days``."""
    return CheckIn.objects.filter(
        org_id=schedule.org_id,
        author_id=OuterRef("pk"),
        created_at__gte=now - datetime.timedelta(days=schedule.skip_recent_days),
    )


def active_krs(org_id, today):
    """KRs a reminder asks to check in on: of active objectives in an open period covering
    ``today``, and not measured from contributing objectives (those take no check-ins)."""
    return KeyResult.objects.filter(
        org_id=org_id,
        objective__status=Objective.Status.ACTIVE,
        objective__period__is_closed=False,
        objective__period__start__lte=today,
        objective__period__end__gte=today,
    ).exclude(measured_by=KeyResult.MeasuredBy.CONTRIBUTORS)


def stale_q(cutoff: datetime.datetime) -> Q:
    return Q(last_checkin_at__lt=cutoff) | Q(last_checkin_at__isnull=True, created_at__lt=cutoff)


@dataclass
class DispatchReport:
    dispatched: list[tuple[ReminderSchedule, datetime.datetime, int]] = field(default_factory=list)
    batches: int = 0
    rescued: int = 0
    follow_ups: int = 0
    escalated: int = 0  # people whose managers were told (``run_in_process``)


def batched(ids, size=BATCH_SIZE):
    ids = list(ids)
    for i in range(0, len(ids), size):
        yield ids[i : i + size]


def dispatch_due(
    *,
    now: datetime.datetime | None = None,
    enqueue: Callable[[int, list[int]], None],
    org_ids=None,
    batch_size: int = BATCH_SIZE,
    after_commit: bool = True,
) -> DispatchReport:
    """Create the deliveries of every due occurrence and enqueue them (see module doc).

    ``after_commit=False`` calls ``enqueue`` right after each occurrence's transaction instead
    of through ``on_commit`` (in-process sending, where no other process needs the rows).
    """

    now = now or timezone.now()
    report = DispatchReport()
    schedules = list(
        ReminderSchedule.objects.filter(enabled=True, org_id__in=org_ids)
        if org_ids is not None
        else ReminderSchedule.objects.filter(enabled=True)
    )
    if schedules:
        orgs = {
            s.org_id: s.org
            for s in ReminderSchedule.objects.filter(
                pk__in=[s.pk for s in schedules]
            ).select_related("org")
        }
        for s in schedules:
            s.org = orgs[s.org_id]
        quarters = quarter_periods_by_org(
            {s.org_id for s in schedules if s.cadence == ReminderSchedule.Cadence.QUARTERLY}
        )
    for schedule in schedules:
        occurrence = latest_occurrence(
            rule_of(schedule),
            now=now,
            **calendar_kwargs(schedule.org, quarters.get(schedule.org_id, [])),
        )
        if (
            occurrence is None
            or now - occurrence > DISPATCH_GRACE
            or occurrence < schedule.created_at
            or (
                schedule.last_dispatched_occurrence is not None
                and schedule.last_dispatched_occurrence >= occurrence
            )
        ):
            continue
        outcome = _dispatch_occurrence(schedule, occurrence, now, batch_size)
        if outcome is None:
            continue
        count, batches = outcome
        report.dispatched.append((schedule, occurrence, count))
        report.batches += len(batches)
        for ids in batches:
            _hand_over(enqueue, schedule.org_id, ids, after_commit)
    report.follow_ups = dispatch_follow_ups(
        now=now, enqueue=enqueue, org_ids=org_ids, batch_size=batch_size, after_commit=after_commit
    )
    report.rescued = rescue_stuck(
        now=now, enqueue=enqueue, org_ids=org_ids, batch_size=batch_size, after_commit=after_commit
    )
    return report


def insert_next_step(rows, kind: str, *, now: datetime.datetime) -> None:
    """One PENDING delivery of ``kind`` (a follow-up, an escalation) for each
    ``(org_id, schedule_id, membership_id, occurrence)`` of an earlier one; a row another
    dispatcher inserted first stays as it was (unique per membership, schedule, occurrence
    and kind)."""
    ReminderDelivery.objects.bulk_create(
        [
            ReminderDelivery(
                org_id=org_id,
                schedule_id=schedule_id,
                membership_id=membership_id,
                occurrence=occurrence,
                kind=kind,
                created_at=now,
            )
            for org_id, schedule_id, membership_id, occurrence in rows
        ],
        batch_size=1000,
        ignore_conflicts=True,
    )


def dispatch_follow_ups(
    *,
    now: datetime.datetime,
    enqueue: Callable[[int, list[int]], None],
    org_ids=None,
    batch_size: int = BATCH_SIZE,
    after_commit: bool = True,
) -> int:
    """One FOLLOW_UP delivery for each reminder sent ``FOLLOW_UP_DAYS`` ago (within
    ``DISPATCH_GRACE``: an old reminder is not followed up late) of a schedule still enabled;
    enqueued like reminders. ``send_batch`` decides whether there is still something to say.
    Returns how many it created (a concurrent dispatcher's rows are not counted twice)."""
    due = now - datetime.timedelta(days=FOLLOW_UP_DAYS)
    reminders = ReminderDelivery.objects.filter(
        kind=ReminderDelivery.Kind.REMINDER,
        status=ReminderDelivery.Status.SENT,
        sent_at__lte=due,
        sent_at__gt=due - DISPATCH_GRACE,
        schedule__enabled=True,
    ).exclude(
        Exists(
            ReminderDelivery.objects.filter(
                kind=ReminderDelivery.Kind.FOLLOW_UP,
                membership_id=OuterRef("membership_id"),
                schedule_id=OuterRef("schedule_id"),
                occurrence=OuterRef("occurrence"),
            )
        )
    )
    if org_ids is not None:
        reminders = reminders.filter(org_id__in=org_ids)
    rows = list(reminders.values_list("org_id", "schedule_id", "membership_id", "occurrence"))
    if not rows:
        return 0
    with transaction.atomic():
        insert_next_step(rows, ReminderDelivery.Kind.FOLLOW_UP, now=now)
        # Those this call inserted (a row another dispatcher made first has its created_at).
        created = ReminderDelivery.objects.filter(
            kind=ReminderDelivery.Kind.FOLLOW_UP,
            status=ReminderDelivery.Status.PENDING,
            created_at=now,
            org_id__in={org_id for org_id, *_ in rows},
        )
        by_org: dict[int, list[int]] = defaultdict(list)
        for delivery_id, org_id in created.order_by("id").values_list("id", "org_id"):
            by_org[org_id].append(delivery_id)
    for org_id, ids in by_org.items():
        for chunk in batched(ids, batch_size):
            _hand_over(enqueue, org_id, chunk, after_commit)
    return sum(len(ids) for ids in by_org.values())


def rescue_stuck(
    *,
    now: datetime.datetime | None = None,
    enqueue: Callable[[int, list[int]], None],
    org_ids=None,
    batch_size: int = BATCH_SIZE,
    after_commit: bool = True,
) -> int:
    """Enqueue again the deliveries whose task was lost (``stuck_batches``); how many.

    Beat runs it every minute, so a dead worker's batch goes out again within about the claim
    timeout plus a minute."""
    rescued = 0
    for org_id, ids in stuck_batches(
        now=now or timezone.now(), org_ids=org_ids, batch_size=batch_size
    ):
        rescued += len(ids)
        _hand_over(enqueue, org_id, ids, after_commit)
    return rescued


def _hand_over(enqueue, org_id, ids, after_commit):
    # The rows are committed here (outside tests); on_commit also covers a caller's own
    # transaction, so a task never looks for deliveries that are not visible yet.
    if after_commit:
        transaction.on_commit(lambda: enqueue(org_id, ids))
    else:
        enqueue(org_id, ids)


def _dispatch_occurrence(schedule, occurrence, now, batch_size) -> tuple[int, list] | None:
    with transaction.atomic():
        locked = (
            ReminderSchedule.objects.select_for_update(skip_locked=True)
            .filter(pk=schedule.pk, enabled=True)
            .filter(
                Q(last_dispatched_occurrence__isnull=True)
                | Q(last_dispatched_occurrence__lt=occurrence)
            )
            .first()
        )
        if locked is None:  # another dispatcher holds it or has done it
            return None
        members = audience_ids(schedule, now=now)
        ReminderDelivery.objects.bulk_create(
            [
                ReminderDelivery(
                    org_id=schedule.org_id,
                    schedule_id=schedule.pk,
                    membership_id=membership_id,
                    occurrence=occurrence,
                    created_at=now,
                )
                for membership_id in members
            ],
            batch_size=1000,
            ignore_conflicts=True,
        )
        ReminderSchedule.objects.filter(pk=schedule.pk).update(
            last_dispatched_occurrence=occurrence
        )
        pending = list(
            ReminderDelivery.objects.filter(
                schedule_id=schedule.pk,
                occurrence=occurrence,
                kind=ReminderDelivery.Kind.REMINDER,
                status=ReminderDelivery.Status.PENDING,
            )
            .order_by("id")
            .values_list("id", flat=True)
        )
    return len(members), list(batched(pending, batch_size))


def stuck_batches(*, now, org_ids=None, batch_size=BATCH_SIZE) -> list[tuple[int, list[int]]]:
    """Deliveries whose task was lost, to enqueue again: PENDING for a long while, or SENDING
    with a claim older than the claim timeout. Claims make a duplicate task harmless."""
    stuck = ReminderDelivery.objects.filter(
        Q(
            status=ReminderDelivery.Status.PENDING,
            created_at__lt=now - PENDING_RESCUE_AFTER,
        )
        & (Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - PENDING_RESCUE_AFTER))
        | Q(status=ReminderDelivery.Status.SENDING, claimed_at__lt=now - claim_timeout())
    )
    if org_ids is not None:
        stuck = stuck.filter(org_id__in=org_ids)
    by_org: dict[int, list[int]] = defaultdict(list)
    for delivery_id, org_id in stuck.order_by("id").values_list("id", "org_id")[:RESCUE_LIMIT]:
        by_org[org_id].append(delivery_id)
    return [(org_id, chunk) for org_id, ids in by_org.items() for chunk in batched(ids, batch_size)]


# --- sending -------------------------------------------------------------------------------


@dataclass
class BatchResult:
    claimed: int = 0
    sent: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    unclaimed: int = 0  # owned by another live task, or already done
    busy: int = 0  # SENDING under someone else's fresh claim
    error: str = ""
    recipients: list[str] = field(default_factory=list)


def company_email(
    template: str, context: dict, *, to: str, message_id: str
) -> EmailMultiAlternatives:
    """An automatic e-mail about a company (a reminder, a nudge): subject, text and HTML from
    ``checkins/email/<template>_subject.txt``, ``.txt`` and ``.html``, with a Message-ID made
    of ``message_id`` so a resent copy can be recognised. Render it in company time."""
    subject = render_to_string(f"checkins/email/{template}_subject.txt", context).strip()
    host = settings.SITE_URL.split("//")[-1].split("/")[0].split(":")[0] or "aligned"
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=render_to_string(f"checkins/email/{template}.txt", context),
        to=[to],
        headers={"Message-ID": f"<{message_id}@{host}>", "Auto-Submitted": "auto-generated"},
    )
    message.attach_alternative(
        render_to_string(f"checkins/email/{template}.html", context), "text/html"
    )
    return message


def kr_checkin_url(org_slug: str, kr_id: int) -> str:
    try:
        path = reverse("objectives:kr", kwargs={"org_slug": org_slug, "kr_id": kr_id})
    except NoReverseMatch:
        path = f"/{org_slug}/krs/{kr_id}/"
    return f"{settings.SITE_URL}{path}#checkin"


def build_message(
    delivery: ReminderDelivery, krs: list, *, now, reminded_at=None
) -> EmailMultiAlternatives:
    """The reminder's e-mail, or (``kind`` FOLLOW_UP) the follow-up's, which says when the
    person was reminded (``reminded_at``) and that these key results have not moved since."""
    org = delivery.org
    user = delivery.membership.user
    items = [
        {
            "kr": kr,
            "percent": as_percent(key_result_progress(kr)),
            "url": kr_checkin_url(org.slug, kr.pk),
            "last": kr.last_checkin_at,
            "days_since": (now - (kr.last_checkin_at or kr.created_at)).days,
        }
        for kr in krs
    ]
    context = {
        "org": org,
        "user": user,
        "schedule": delivery.schedule,
        "occurrence": delivery.occurrence,
        "reminded_at": reminded_at or delivery.occurrence,
        "follow_up_days": FOLLOW_UP_DAYS,
        "items": items,
        "site_url": settings.SITE_URL,
        "settings_url": f"{settings.SITE_URL}{reverse('accounts:settings')}",
    }
    if delivery.kind == ReminderDelivery.Kind.FOLLOW_UP:
        message_id = f"follow-up-{delivery.pk}-{delivery.occurrence:%Y%m%d%H%M}"
        return company_email("follow_up", context, to=user.email, message_id=message_id)
    message_id = f"reminder-{delivery.pk}-{delivery.occurrence:%Y%m%d%H%M}"
    return company_email("reminder", context, to=user.email, message_id=message_id)


def not_moved_since(kr, moment: datetime.datetime) -> bool:
    return kr.last_checkin_at is None or kr.last_checkin_at < moment


def krs_by_delivery(org_id, deliveries, *, now) -> dict[int, list]:
    """``_krs_needing_checkin`` for each delivery (one call per schedule and occurrence in
    the list: one for an ordinary batch); for a follow-up or an escalation, only the key
    results not checked in on since the occurrence."""
    groups: dict[tuple, list] = defaultdict(list)
    for d in deliveries:
        groups[(d.schedule_id, d.occurrence)].append(d)
    result: dict[int, list] = {}
    for group in groups.values():
        by_owner = _krs_needing_checkin(org_id, group, now=now)
        for d in group:
            krs = by_owner.get(d.membership_id, [])
            if d.kind != ReminderDelivery.Kind.REMINDER:
                krs = [kr for kr in krs if not_moved_since(kr, d.occurrence)]
            result[d.pk] = krs
    return result


def reminders_sent_at(deliveries) -> dict[int, datetime.datetime]:
    """When the reminder that each of these follow-ups follows was sent (one query, none
    without follow-ups)."""
    if not deliveries:
        return {}
    sent = {
        (m, s, o): at
        for m, s, o, at in ReminderDelivery.objects.filter(
            kind=ReminderDelivery.Kind.REMINDER,
            membership_id__in={d.membership_id for d in deliveries},
            schedule_id__in={d.schedule_id for d in deliveries},
            occurrence__in={d.occurrence for d in deliveries},
        ).values_list("membership_id", "schedule_id", "occurrence", "sent_at")
    }
    return {
        d.pk: sent.get((d.membership_id, d.schedule_id, d.occurrence)) or d.occurrence
        for d in deliveries
    }


class Claims:
    """The deliveries a sending batch still holds, and its heartbeat.

    ``beat`` moves their ``claimed_at`` on, in the caller's clock (``started`` plus the time
    spent), and keeps only those still claimed by ``token``: one UPDATE, and a SELECT when a
    claim was taken over."""

    def __init__(self, *, token: str, ids: list[int], started: datetime.datetime, clock: float):
        self.token = token
        self.held = set(ids)
        self.started, self.clock = started, clock  # the claim's time, and time.monotonic() then
        self.last_beat = clock

    def _mine(self):
        return ReminderDelivery.objects.filter(
            pk__in=self.held, claim_token=self.token, status=ReminderDelivery.Status.SENDING
        )

    def beat(self) -> None:
        if not self.held:
            return
        self.last_beat = time.monotonic()
        at = self.started + datetime.timedelta(seconds=self.last_beat - self.clock)
        if self._mine().update(claimed_at=at) < len(self.held):
            self.held = set(self._mine().values_list("pk", flat=True))

    def beat_if_due(self) -> None:
        if time.monotonic() - self.last_beat >= heartbeat_interval():
            self.beat()


def send_batch(
    *,
    org_id: int,
    delivery_ids: list[int],
    claim_token: str | None = None,
    now: datetime.datetime | None = None,
    final_attempt: bool = True,
) -> BatchResult:
    """Claim, send and mark one batch: a constant number of queries, plus one UPDATE per
    message (its mark, right after the mail server accepted it) and one per heartbeat.

    Raises ``MailError`` when the mail server fails and ``final_attempt`` is false (the
    caller retries later: the unsent deliveries go back to PENDING); on the final attempt
    they are marked FAILED with the error instead.
    """
    now = now or timezone.now()
    token = claim_token or uuid.uuid4().hex
    result = BatchResult()
    claimed_clock = time.monotonic()
    mine = ReminderDelivery.objects.for_org(org_id).filter(id__in=delivery_ids)
    claimable = Q(status=ReminderDelivery.Status.PENDING) | Q(
        status=ReminderDelivery.Status.SENDING, claimed_at__lt=now - claim_timeout()
    )
    result.claimed = mine.filter(claimable).update(
        status=ReminderDelivery.Status.SENDING,
        claimed_at=now,
        claim_token=token,
        attempts=F("attempts") + 1,
    )
    deliveries = list(
        mine.filter(claim_token=token, status=ReminderDelivery.Status.SENDING).select_related(
            "org", "schedule", "membership__user"
        )
    )
    result.unclaimed = len(delivery_ids) - len(deliveries)
    if result.unclaimed:
        result.busy = (
            mine.filter(status=ReminderDelivery.Status.SENDING).exclude(claim_token=token).count()
        )
    if not deliveries:
        return result

    sendable, skip_reasons = [], {}
    for d in deliveries:
        if not d.membership.is_active:
            skip_reasons[d.pk] = "No longer a member of the company."
        elif not d.membership.user.is_active:
            skip_reasons[d.pk] = "Account deactivated."
        elif not d.membership.user.reminder_emails:
            skip_reasons[d.pk] = "Opted out of reminder e-mails."
        else:
            sendable.append(d)

    krs_of = krs_by_delivery(org_id, sendable, now=now)
    reminded_at = reminders_sent_at(
        [d for d in sendable if d.kind != ReminderDelivery.Kind.REMINDER]
    )
    this_week = (
        emails_this_week(sendable[0].org, {d.membership_id for d in sendable}, now=now)
        if sendable
        else {}
    )
    messages = []
    for d in sendable:
        krs = krs_of.get(d.pk, [])
        if not krs:
            skip_reasons[d.pk] = (
                "No key result needs a check-in any more."
                if d.kind == ReminderDelivery.Kind.REMINDER
                else "Checked in since the reminder."
            )
            continue
        if this_week.get(d.membership_id, 0) >= NUDGES_PER_WEEK:
            skip_reasons[d.pk] = over_the_cap_reason()
            continue
        this_week[d.membership_id] = this_week.get(d.membership_id, 0) + 1
        with company_timezone(d.org):  # the e-mail's dates in company time
            messages.append((d, build_message(d, krs, now=now, reminded_at=reminded_at.get(d.pk))))

    if skip_reasons:
        by_reason = defaultdict(list)
        for pk, reason in skip_reasons.items():
            by_reason[reason].append(pk)
        for reason, pks in by_reason.items():
            ReminderDelivery.objects.filter(pk__in=pks, claim_token=token).update(
                status=ReminderDelivery.Status.SKIPPED, detail=reason
            )
        result.skipped = list(skip_reasons)

    error = None
    if messages:
        claims = Claims(
            token=token, ids=[d.pk for d, _ in messages], started=now, clock=claimed_clock
        )
        try:
            with get_connection() as connection:
                transactional = getattr(connection, "writes_to_database", False)
                for d, message in messages:
                    claims.beat_if_due()
                    if d.pk not in claims.held:
                        continue  # taken over while this sender stalled
                    message.connection = connection
                    # Marked as soon as it is accepted: a kill repeats at most this message. A
                    # backend that writes to the database gets one transaction for the message
                    # and its mark (exactly once); for SMTP that would only add round trips.
                    with transaction.atomic() if transactional else nullcontext():
                        if connection.send_messages([message]) != 1:
                            raise MailError("The mail server did not accept the message.")
                        marked = ReminderDelivery.objects.filter(
                            pk=d.pk, claim_token=token, status=ReminderDelivery.Status.SENDING
                        ).update(
                            status=ReminderDelivery.Status.SENT, sent_at=timezone.now(), detail=""
                        )
                    claims.held.discard(d.pk)
                    if marked:
                        result.sent.append(d.pk)
                        result.recipients.append(d.membership.user.email)
                    else:  # another task took this claim over: look again before the next
                        claims.beat()
        except (MailError, *MAIL_ERRORS) as exc:
            error = exc

    if error is not None:
        result.error = f"{type(error).__name__}: {error}"[:2000]
        unsent = sorted(claims.held)
        if final_attempt:
            ReminderDelivery.objects.filter(pk__in=unsent, claim_token=token).update(
                status=ReminderDelivery.Status.FAILED, detail=result.error
            )
            result.failed = unsent
            log.error("Reminder deliveries %s failed: %s", unsent, result.error)
        else:
            ReminderDelivery.objects.filter(pk__in=unsent, claim_token=token).update(
                status=ReminderDelivery.Status.PENDING, detail=result.error
            )
            raise MailError(result.error) from error
    return result


def _krs_needing_checkin(org_id, deliveries, *, now) -> dict[int, list]:
    """Each recipient's KRs that were active at its occurrence and on an objective they may
    see, least recently checked in first (one query; up to four more when some of those
    objectives are private and not theirs). For a "stale" schedule only the KRs without a
    check-in for its N days (before the occurrence) are listed."""
    if not deliveries:
        return {}
    tz = zone(deliveries[0].org)
    day_of = {d.membership_id: d.occurrence.astimezone(tz).date() for d in deliveries}
    krs = (
        KeyResult.objects.filter(
            org_id=org_id,
            owner_id__in=day_of.keys(),
            objective__status=Objective.Status.ACTIVE,
            objective__period__is_closed=False,
            objective__period__start__lte=max(day_of.values()),
            objective__period__end__gte=min(day_of.values()),
        )
        .exclude(measured_by=KeyResult.MeasuredBy.CONTRIBUTORS)  # they take no check-ins
        .select_related("objective__period")
        .order_by("owner_id", "last_checkin_at", "id")
    )
    stale_cutoffs = {
        d.membership_id: d.occurrence - datetime.timedelta(days=d.schedule.stale_days)
        for d in deliveries
        if d.schedule.audience == ReminderSchedule.Audience.STALE
    }
    krs = list(krs)
    # A KR on an objective its owner may not see (private, and not theirs) is left out: the
    # e-mail would show its title, its objective's title and its progress.
    seen = who_sees(org_id, ((kr.owner_id, kr.objective) for kr in krs))
    result: dict[int, list] = defaultdict(list)
    for kr in krs:
        if (kr.owner_id, kr.objective_id) not in seen:
            continue
        period, day = kr.objective.period, day_of[kr.owner_id]
        if not period.start <= day <= period.end:
            continue
        cutoff = stale_cutoffs.get(kr.owner_id)
        if cutoff is not None and (kr.last_checkin_at or kr.created_at) >= cutoff:
            continue
        result[kr.owner_id].append(kr)
    return result


def run_in_process(*, now=None, org_ids=None, stdout=None) -> tuple[DispatchReport, list]:
    """Dispatch and send right here, without a broker (``send_due_reminders``, benchmarks)."""
    results: list[BatchResult] = []

    def send_now(org_id, ids):
        results.append(send_batch(org_id=org_id, delivery_ids=ids, now=now))

    from .escalation import escalate_due  # it imports this module

    report = dispatch_due(now=now, enqueue=send_now, org_ids=org_ids, after_commit=False)
    report.escalated = escalate_due(now=now or timezone.now(), org_ids=org_ids)
    return report, results
