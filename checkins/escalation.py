"""Escalation: after a reminder and its follow-up went unanswered, the person's managers hear
of it (a ``missed_checkin`` notification, in their weekly digest unless they chose otherwise).

``ESCALATE_AFTER_DAYS`` after a follow-up was SENT, ``escalate_due`` (run with the reminders'
dispatch) inserts one ESCALATION ``ReminderDelivery`` for that person and occurrence (unique
with its kind), then, holding its row (``SKIP LOCKED``), makes the notifications and marks it
in the same transaction: exactly once, and the person can read on their settings page that
their managers were told, and why. Managers are those of the teams the person belongs to; each
hears of the first key result still not moved since the occurrence on an objective the manager
may see, and a manager who may see none of them is not told.
"""

import datetime
from collections import defaultdict

from django.db import transaction
from django.db.models import Exists, OuterRef

from notifications.services import notify_missed_checkin
from objectives.access import who_sees
from organizations.models import TeamMembership

from .models import ReminderDelivery
from .reminders import DISPATCH_GRACE, insert_next_step, krs_by_delivery

ESCALATE_AFTER_DAYS = 3  # after the follow-up was sent


def escalate_due(*, now: datetime.datetime, org_ids=None) -> int:
    """Tell the managers of everyone whose follow-up went unanswered; how many people."""
    due = now - datetime.timedelta(days=ESCALATE_AFTER_DAYS)
    follow_ups = ReminderDelivery.objects.filter(
        kind=ReminderDelivery.Kind.FOLLOW_UP,
        status=ReminderDelivery.Status.SENT,
        sent_at__lte=due,
        sent_at__gt=due - DISPATCH_GRACE,
    ).exclude(
        Exists(
            ReminderDelivery.objects.filter(
                kind=ReminderDelivery.Kind.ESCALATION,
                membership_id=OuterRef("membership_id"),
                schedule_id=OuterRef("schedule_id"),
                occurrence=OuterRef("occurrence"),
            )
        )
    )
    if org_ids is not None:
        follow_ups = follow_ups.filter(org_id__in=org_ids)
    rows = list(follow_ups.values_list("org_id", "schedule_id", "membership_id", "occurrence"))
    if rows:
        insert_next_step(rows, ReminderDelivery.Kind.ESCALATION, now=now)
    pending = ReminderDelivery.objects.filter(
        kind=ReminderDelivery.Kind.ESCALATION, status=ReminderDelivery.Status.PENDING
    )
    if org_ids is not None:
        pending = pending.filter(org_id__in=org_ids)
    escalated = 0
    for org_id in sorted(set(pending.values_list("org_id", flat=True))):
        escalated += _escalate_org(org_id, pending.filter(org_id=org_id), now=now)
    return escalated


@transaction.atomic
def _escalate_org(org_id: int, pending, *, now) -> int:
    held = list(
        pending.select_for_update(skip_locked=True, of=("self",))
        .select_related("org", "schedule", "membership__user")
        .order_by("id")
    )
    if not held:
        return 0
    outcome: dict[int, tuple[str, str]] = {}
    live = []
    for d in held:
        if not d.membership.is_active or not d.membership.user.is_active:
            outcome[d.pk] = (ReminderDelivery.Status.SKIPPED, "No longer a member of the company.")
        else:
            live.append(d)
    krs_of = krs_by_delivery(org_id, live, now=now)
    managers_of = _managers_of(org_id, {d.membership_id for d in live})
    pairs = {
        (manager_id, kr.objective_id): kr.objective
        for d in live
        for manager_id in managers_of.get(d.membership_id, ())
        for kr in krs_of[d.pk]
    }
    seen = who_sees(org_id, ((m, objective) for (m, _), objective in pairs.items()))
    for d in live:
        krs = krs_of[d.pk]
        managers = managers_of.get(d.membership_id, {})
        if not krs:
            outcome[d.pk] = (ReminderDelivery.Status.SKIPPED, "Checked in since the follow-up.")
            continue
        if not managers:
            outcome[d.pk] = (ReminderDelivery.Status.SKIPPED, "No manager to tell.")
            continue
        told = {}
        for manager_id, name in managers.items():
            kr = next((k for k in krs if (manager_id, k.objective_id) in seen), None)
            if kr is not None:
                told[manager_id] = (name, kr)
        if not told:
            outcome[d.pk] = (
                ReminderDelivery.Status.SKIPPED,
                "No manager of your teams may see these key results.",
            )
            continue
        notify_missed_checkin(person=d.membership, told={m: kr for m, (_, kr) in told.items()})
        names = ", ".join(sorted(name for name, _ in told.values()))
        outcome[d.pk] = (
            ReminderDelivery.Status.SENT,
            f"No check-in after the reminder and the follow-up: told {names}.",
        )
    by_outcome = defaultdict(list)
    for pk, result in outcome.items():
        by_outcome[result].append(pk)
    for (status, detail), pks in by_outcome.items():
        ReminderDelivery.objects.filter(pk__in=pks).update(
            status=status,
            detail=detail,
            sent_at=now if status == ReminderDelivery.Status.SENT else None,
        )
    return sum(1 for status, _ in outcome.values() if status == ReminderDelivery.Status.SENT)


def _managers_of(org_id: int, membership_ids) -> dict[int, dict[int, str]]:
    """Each person's managers (of the teams they belong to; active, not themselves), with
    their names (one query)."""
    member_rows = TeamMembership.objects.filter(
        org_id=org_id, membership_id__in=membership_ids
    ).values_list("team_id", "membership_id")
    teams_of = defaultdict(set)
    for team_id, membership_id in member_rows:
        teams_of[team_id].add(membership_id)
    managers: dict[int, dict[int, str]] = defaultdict(dict)
    for team_id, manager_id, name, email in TeamMembership.objects.filter(
        team_id__in=teams_of.keys(),
        is_manager=True,
        membership__is_active=True,
        membership__user__is_active=True,
    ).values_list(
        "team_id", "membership_id", "membership__user__full_name", "membership__user__email"
    ):
        for person in teams_of[team_id] - {manager_id}:
            managers[person][manager_id] = name or email
    return managers
