"""The only writers of check-ins and reminder schedules. Each checks its actor through the
permission modules (``objectives.permissions``, ``organizations.permissions``) and records
its write (``audit.record``)."""

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from audit.services import changes_of, record, stored
from objectives.models import KeyResult
from objectives.permissions import (  # PeriodClosed: the views catch it from here
    PeriodClosed,  # noqa: F401
    can_checkin,
    can_nudge_key_result,
    can_view_objective,
    ensure_period_open,
    period_open_for,
)
from objectives.rollups import lock_okr_writes, refresh_rollups
from organizations.clock import company_today
from organizations.models import Membership, note_data_change
from organizations.permissions import ensure_admin

from .events import checkin_recorded
from .models import NOTE_MAX_LENGTH, CheckIn, ReminderSchedule

DELETE_WINDOW = datetime.timedelta(minutes=15)
MSG_MEASURED_BY_CONTRIBUTORS = (
    "This key result is measured from its contributing objectives: it moves when they do. "
    "Check in on their key results instead (its owner may measure it by check-ins again)."
)


def _decimal(value) -> Decimal:
    try:
        result = Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError({"value": "Enter a number."}) from exc
    if not result.is_finite():
        raise ValidationError({"value": "Enter a number."})
    return result


@transaction.atomic
def checkin_submit(
    *,
    kr: KeyResult,
    author: Membership,
    value,
    confidence: str,
    note: str = "",
    now: datetime.datetime | None = None,
) -> CheckIn:
    """Record a check-in and move the KR to it, in one transaction.

    The KR row is locked (``SELECT ... FOR UPDATE``) so concurrent check-ins queue up: each
    one reads the value the previous one wrote, all land in the history, and the KR ends with
    the last value committed. The objective's stored progress (and its ancestors') moves with
    it, under the company's write lock.
    """
    lock_okr_writes(author.org_id)
    locked = (
        KeyResult.objects.select_for_update(of=("self",))
        .select_related("objective__period")
        .get(pk=kr.pk, org_id=author.org_id)
    )
    ensure_period_open(author, locked.objective.period)
    if not can_checkin(author, locked):
        raise PermissionDenied("You may not check in on this key result.")
    if locked.measured_by_contributors:
        raise ValidationError({"value": MSG_MEASURED_BY_CONTRIBUTORS})
    value = _decimal(value)
    if locked.kind == KeyResult.Kind.MILESTONE and value not in (Decimal(0), Decimal(1)):
        raise ValidationError({"value": "A milestone is either done (1) or not done (0)."})
    if len(note or "") > NOTE_MAX_LENGTH:
        raise ValidationError(
            {"note": f"Keep the note under {NOTE_MAX_LENGTH:,} characters ({len(note):,} now)."}
        )
    checkin = CheckIn(
        org_id=locked.org_id,
        key_result=locked,
        author=author,
        value=value,
        previous_value=locked.current_value,
        confidence=confidence,
        previous_confidence=locked.confidence,
        note=(note or "").strip(),
        created_at=now or timezone.now(),
    )
    # Its company, KR and author are the rows loaded (and locked) above: asking the
    # database whether they exist would cost three queries a check-in.
    checkin.full_clean(exclude=["org", "key_result", "author"])
    checkin.save()
    locked.current_value = checkin.value
    locked.confidence = checkin.confidence
    locked.last_checkin_at = checkin.created_at
    locked.last_checkin_note = checkin.note
    locked.save(
        update_fields=[
            "current_value", "confidence", "last_checkin_at", "last_checkin_note", "updated_at",
        ]
    )  # fmt: skip
    record(
        author,
        "checkin.create",
        locked,
        {"current_value": [checkin.previous_value, checkin.value]},
    )
    refresh_rollups([locked.objective_id], org_id=locked.org_id)
    checkin_recorded.send(sender=CheckIn, checkin=checkin)
    # Hand the caller the fresh KR state.
    kr.current_value, kr.confidence = locked.current_value, locked.confidence
    kr.last_checkin_at = locked.last_checkin_at
    kr.last_checkin_note = locked.last_checkin_note
    return checkin


def _authors_recent(checkin: CheckIn, actor: Membership, now) -> bool:
    return (
        checkin.author_id == actor.id
        and checkin.org_id == actor.org_id
        and now - checkin.created_at <= DELETE_WINDOW
    )


def can_delete_checkin(checkin: CheckIn, actor: Membership, *, now=None, period=None) -> bool:
    """Its author, within ``DELETE_WINDOW``, while its period is open (``period``: the
    check-in's, when the caller has it loaded)."""
    if not _authors_recent(checkin, actor, now or timezone.now()):
        return False
    if period is None:
        period = (
            KeyResult.objects.select_related("objective__period")
            .get(pk=checkin.key_result_id)
            .objective.period
        )
    return period_open_for(actor, period)


@transaction.atomic
def checkin_delete(*, checkin: CheckIn, actor: Membership, now=None) -> KeyResult:
    """Delete a mistaken check-in (its author, within ``DELETE_WINDOW``, while its period
    is open).

    When it was the KR's latest check-in, the KR returns to the value and confidence it had
    before, and ``last_checkin_at`` and ``last_checkin_note`` to the check-in before it.
    """
    if not _authors_recent(checkin, actor, now or timezone.now()):
        raise PermissionDenied(
            "Only its author can delete a check-in, within 15 minutes of making it."
        )
    lock_okr_writes(actor.org_id)
    kr = (
        KeyResult.objects.select_for_update(of=("self",))
        .select_related("objective__period")
        .get(pk=checkin.key_result_id, org_id=actor.org_id)
    )
    # A closed period is read-only: deleting would roll its key result back.
    ensure_period_open(actor, kr.objective.period)
    latest = CheckIn.objects.filter(key_result=kr).order_by("-created_at", "-id").first()
    if latest is not None and latest.pk == checkin.pk:
        before = (
            CheckIn.objects.filter(key_result=kr)
            .exclude(pk=checkin.pk)
            .order_by("-created_at", "-id")
            .first()
        )
        kr.current_value = checkin.previous_value
        if checkin.previous_confidence:
            kr.confidence = checkin.previous_confidence
        kr.last_checkin_at = before.created_at if before else None
        kr.last_checkin_note = before.note if before else ""
        kr.save(
            update_fields=[
                "current_value", "confidence", "last_checkin_at", "last_checkin_note",
                "updated_at",
            ]
        )  # fmt: skip
        refresh_rollups([kr.objective_id], org_id=kr.org_id)
    record(actor, "checkin.delete", kr, {"checkin": [checkin.pk, None]})
    checkin.delete()
    return kr


SCHEDULE_FIELDS = (
    "name",
    "cadence",
    "monthly_rule",
    "week",
    "weekday",
    "day_of_month",
    "days_before_quarter_end",
    "every_weeks",
    "week_anchor",
    "send_time",
    "audience",
    "stale_days",
    "skip_recent_days",
    "enabled",
)


MSG_ADMINS_REMIND = "Only admins configure reminders."


@transaction.atomic
def schedule_save(
    *, org, actor: Membership, data: dict, schedule: ReminderSchedule | None = None
) -> ReminderSchedule:
    """Create or update a reminder schedule (admins only)."""
    ensure_admin(actor, org.id, MSG_ADMINS_REMIND)
    schedule = schedule or ReminderSchedule(org=org)
    if schedule.org_id != org.id:
        raise PermissionDenied("Not a schedule of this company.")
    before = stored(schedule, SCHEDULE_FIELDS) if schedule.pk else {}
    for name in SCHEDULE_FIELDS:
        if name in data:
            setattr(schedule, name, data[name])
    schedule.reset_other_cadences()
    if schedule.cadence == ReminderSchedule.Cadence.WEEKLY and schedule.week_anchor is None:
        schedule.week_anchor = company_today(org)  # "every N weeks" counts from this week
    schedule.full_clean()
    schedule.save()
    if before:
        record(actor, "schedule.update", schedule, changes_of(schedule, before))
    else:
        record(actor, "schedule.create", schedule)
    note_data_change(org.id)  # the dashboards' silence flags follow the schedules
    return schedule


@transaction.atomic
def schedule_delete(*, schedule: ReminderSchedule, actor: Membership) -> None:
    ensure_admin(actor, schedule.org_id, MSG_ADMINS_REMIND)
    record(actor, "schedule.delete", schedule)
    schedule.delete()
    note_data_change(schedule.org_id)


DEFAULT_SCHEDULES = (
    {
        "name": "Monthly check-in",
        "cadence": ReminderSchedule.Cadence.MONTHLY,
        "monthly_rule": ReminderSchedule.MonthlyRule.WEEKDAY,
        "week": ReminderSchedule.Week.LAST,
        "weekday": ReminderSchedule.Weekday.FRIDAY,
        "send_time": datetime.time(9, 0),
        "audience": ReminderSchedule.Audience.ACTIVE,
    },
    {
        "name": "Quarter closing",
        "cadence": ReminderSchedule.Cadence.QUARTERLY,
        "days_before_quarter_end": 10,
        "send_time": datetime.time(9, 0),
        "audience": ReminderSchedule.Audience.ACTIVE,
    },
)


def schedules_ensure_defaults(*, org) -> list[ReminderSchedule]:
    """The default schedules ("last Friday of each month", "10 days before the quarter ends"
    at 09:00), created once by name."""
    result = []
    for spec in DEFAULT_SCHEDULES:
        defaults = {k: v for k, v in spec.items() if k != "name"}
        schedule, _ = ReminderSchedule.objects.get_or_create(
            org=org, name=spec["name"], defaults=defaults
        )
        result.append(schedule)
    return result


MSG_NUDGED_TODAY = "Already nudged today: one nudge a key result a day."
MSG_NUDGE_CAP = (
    "{name} had {n} reminders and nudges this week already, the most anyone gets in a week."
)
MSG_NO_ONE_TO_NUDGE = "This key result has no owner to nudge."
MSG_NUDGE_OPTED_OUT = "{name} has turned reminder e-mails off."
MSG_NUDGE_CANNOT_SEE = (
    "{name} may not see this objective, so a nudge would show them what is private: "
    "share it with them first."
)


@transaction.atomic
def kr_nudge(*, kr: KeyResult, actor: Membership, now=None):
    """Ask ``kr``'s owner for a check-in by e-mail, on behalf of ``actor``: records a
    ``KRNudge`` (at most one a key result a company day) and sends the e-mail once committed
    (``checkins.nudges``). Raises ``PermissionDenied`` or a ``ValidationError`` for the person."""
    from organizations.clock import company_today
    from outbox.dispatch import publish_on_commit

    from . import nudges
    from .models import KRNudge
    from .reminders import NUDGES_PER_WEEK
    from .tasks import send_kr_nudge

    if not can_nudge_key_result(actor, kr):
        raise PermissionDenied("Only an admin or a manager of this key result's team may nudge.")
    recipient = nudges.recipient_of(kr)
    if recipient is None or not recipient.is_active or not recipient.user.is_active:
        raise ValidationError(MSG_NO_ONE_TO_NUDGE, code="no_owner")
    if not recipient.user.reminder_emails:
        raise ValidationError(
            MSG_NUDGE_OPTED_OUT.format(name=recipient.user.get_full_name()), code="opted_out"
        )
    if not can_view_objective(recipient, kr.objective):
        raise ValidationError(
            MSG_NUDGE_CANNOT_SEE.format(name=recipient.user.get_full_name()), code="cannot_see"
        )
    now = now or timezone.now()
    if nudges.over_the_cap(recipient, now=now):
        raise ValidationError(
            MSG_NUDGE_CAP.format(name=recipient.user.get_full_name(), n=NUDGES_PER_WEEK),
            code="weekly_cap",
        )
    day = company_today(kr.org, now)
    nudge = KRNudge(
        org_id=kr.org_id,
        key_result=kr,
        nudged_by=actor,
        recipient=recipient,
        day=day,
        created_at=now,
    )
    nudge.full_clean(validate_constraints=False)
    # Locked so two managers pressing at once make one nudge, not an error.
    list(KeyResult.objects.select_for_update(no_key=True).filter(pk=kr.pk).values_list("pk"))
    if KRNudge.objects.for_org(kr.org_id).filter(key_result=kr, day=day).exists():
        raise ValidationError(MSG_NUDGED_TODAY, code="nudged_today")
    nudge.save()
    record(actor, "key_result.nudge", kr, {"recipient": [None, recipient.pk]})
    # Kept in PostgreSQL when the broker is down, sent once it is back (outbox).
    publish_on_commit(send_kr_nudge, nudge.pk)
    return nudge
