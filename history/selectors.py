"""Reads of the history: an objective's, a key result's, and the company's change log, each
one page at a time in (time, id) order from a cursor (keyset: page 500 costs what page 1
does), with the acting person loaded."""

from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet

from .models import Change

TAB_SIZE = 30
LOG_SIZE = 50


def after_cursor(changes: QuerySet, cursor: tuple[datetime.datetime, int] | None) -> QuerySet:
    if cursor is None:
        return changes
    moment, pk = cursor
    return changes.filter(created_at__lte=moment).filter(Q(created_at__lt=moment) | Q(pk__lt=pk))


def page(changes: QuerySet, cursor, size: int) -> tuple[list[Change], bool]:
    """One page from ``cursor`` on, and whether more follow."""
    rows = list(
        after_cursor(changes, cursor)
        .select_related("actor__user")
        .order_by("-created_at", "-id")[: size + 1]
    )
    return rows[:size], len(rows) > size


# What a check-in moves on its key result: the key result's own history shows it, beside
# the check-in; the objective's would drown in it.
CHECK_IN_MOVES = {"current_value", "confidence"}


def _key_result_edits() -> list[str]:
    from objectives.models import KeyResult

    return [f.column for f in KeyResult._meta.concrete_fields if f.column not in CHECK_IN_MOVES]


def of_objective(objective) -> QuerySet:
    """The objective's own rows, its key results' and its sharing; not the check-ins and
    the values they move (each key result's history has those)."""
    return Change.objects.filter(org_id=objective.org_id, objective_id=objective.pk).exclude(
        Q(model="objectives.keyresult", operation=Change.Operation.UPDATE)
        & ~Q(changes__has_any_keys=_key_result_edits())
    )


def of_key_result(kr) -> QuerySet:
    """The key result's rows, its check-ins and its sharing."""
    return Change.objects.filter(org_id=kr.org_id, key_result_id=kr.pk)


def company_log(
    org,
    *,
    person: int | None = None,
    who: str = "",
    kind: str = "",
    objective: int | None = None,
    since: datetime.datetime | None = None,
    until: datetime.datetime | None = None,
) -> QuerySet:
    """The company's change log, narrowed by the admin's filters."""
    changes = Change.objects.for_org(org)
    if person:
        changes = changes.filter(actor_id=person)
    if who:
        changes = changes.filter(
            Q(actor__user__full_name__icontains=who) | Q(actor__user__email__icontains=who)
        )
    if kind:
        changes = changes.filter(model=kind)
    if objective:
        changes = changes.filter(objective_id=objective)
    if since:
        changes = changes.filter(created_at__gte=since)
    if until:
        changes = changes.filter(created_at__lt=until)
    return changes
