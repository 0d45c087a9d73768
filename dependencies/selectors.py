"""Dependencies as the pages show them, each list in one query whatever its length, and
only those whose objective the viewer may see (``objectives.permissions.visible_objectives``,
as a subquery of the same query)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Window
from django.utils import timezone

from objectives.models import KeyResult, Objective
from objectives.permissions import managed_team_ids, visible_objectives
from organizations.clock import company_today
from organizations.models import Team, TeamMembership

from .models import Dependency

Status = Dependency.Status
UNANSWERED_DAYS = 3  # a request without an answer for longer needs a manager's eye
ATTENTION_SHOWN = 10
OFF_TRACK = KeyResult.Confidence.OFF_TRACK

_RELATED = (
    "objective__period",
    "objective__team",
    "key_result",
    "requested_by__user",
    "from_team",
    "from_person__user",
)


def _visible(org, viewer) -> QuerySet:
    objectives = visible_objectives(Objective.objects.for_org(org), viewer)
    return (
        Dependency.objects.for_org(org)
        .filter(objective__in=objectives.order_by().values("pk"))
        .select_related(*_RELATED)
    )


@dataclass
class Row:
    """One dependency as a list shows it, with why it needs attention (what the viewer may
    do about it is the dependency's own page's business: no per-row rights here)."""

    dependency: Dependency
    reasons: list[str] = field(default_factory=list)
    overdue: bool = False


def _reasons(dependency: Dependency, today: datetime.date, now) -> list[str]:
    reasons = []
    if dependency.status == Status.REQUESTED and dependency.created_at <= now - datetime.timedelta(
        days=UNANSWERED_DAYS
    ):
        reasons.append(f"no answer for {(now - dependency.created_at).days} days")
    if dependency.is_open and dependency.needed_by < today:
        reasons.append(f"overdue since {dependency.needed_by:%b %-d}")
    if dependency.status != Status.DONE and (
        dependency.objective.confidence == OFF_TRACK
        or (dependency.key_result_id and dependency.key_result.confidence == OFF_TRACK)
    ):
        what = "key result" if dependency.key_result_id else "objective"
        reasons.append(f"its {what} is off track")
    return reasons


def rows(org, dependencies) -> list[Row]:
    today, now = company_today(org), timezone.now()
    return [
        Row(
            dependency=d, reasons=_reasons(d, today, now), overdue=d.is_open and d.needed_by < today
        )
        for d in dependencies
    ]


def for_objective(org, objective) -> list[Row]:
    """An objective's dependencies (the viewer sees the objective), the soonest needed first."""
    dependencies = (
        Dependency.objects.for_org(org)
        .filter(objective=objective)
        .select_related("key_result", "requested_by__user", "from_team", "from_person__user")
    )
    for d in dependencies:
        d.objective = objective  # loaded already, with its period
    return rows(org, dependencies)


def _people_of(team) -> QuerySet:
    return TeamMembership.objects.filter(team=team).values("membership_id")


def for_team(org, viewer, team: Team, period) -> tuple[list[Row], list[Row]]:
    """(what others need from the team or its people, what the team and its people need
    from others) for the objectives of ``period`` the viewer may see, in one query."""
    people = _people_of(team)
    incoming = Q(from_team=team) | Q(from_person__in=people)
    outgoing = Q(objective__team=team) | Q(objective__owner__in=people)
    queryset = _visible(org, viewer).filter(incoming | outgoing)
    if period is not None:
        queryset = queryset.filter(objective__period=period)
    queryset = queryset.annotate(
        is_incoming=Q(from_team=team)
        | Exists(TeamMembership.objects.filter(team=team, membership_id=OuterRef("from_person")))
    )
    found = list(queryset)
    shown = rows(org, found)
    return (
        [r for r in shown if r.dependency.is_incoming],
        [r for r in shown if not r.dependency.is_incoming],
    )


def needing_attention(org, viewer, period, teams: frozenset[int] | None) -> tuple[list[Row], int]:
    """The dashboard's dependencies needing attention in ``period``'s objectives: asked and
    unanswered for more than ``UNANSWERED_DAYS``, overdue, or for an objective or key result
    off track. ``teams=None`` is the whole company; otherwise those either side of which is
    one of ``teams`` (the objective's team or its owner's, the team or person asked).
    (the first ``ATTENTION_SHOWN``, how many in all), one query."""
    today, now = company_today(org), timezone.now()
    attention = (
        Q(status=Status.REQUESTED, created_at__lte=now - datetime.timedelta(days=UNANSWERED_DAYS))
        | (Q(needed_by__lt=today) & ~Q(status__in=[Status.DONE, Status.DECLINED]))
        | Q(objective__confidence=OFF_TRACK)
        | Q(key_result__confidence=OFF_TRACK)
    )
    queryset = (
        _visible(org, viewer)
        .filter(objective__period=period)
        .exclude(status=Status.DONE)
        .filter(attention)
    )
    if teams is not None:
        people = TeamMembership.objects.filter(team_id__in=teams).values("membership_id")
        queryset = queryset.filter(
            Q(objective__team_id__in=teams)
            | Q(objective__owner__in=people)
            | Q(from_team_id__in=teams)
            | Q(from_person__in=people)
        )
    # Only the rows shown are loaded; how many there are in all rides along on each of them
    # (a window count over the filtered set, before the LIMIT): still one query.
    shown = list(
        queryset.annotate(in_all=Window(Count("id"))).order_by("needed_by", "id")[:ATTENTION_SHOWN]
    )
    return rows(org, shown), (shown[0].in_all if shown else 0)


def dashboard_teams(org, viewer, team: Team | None) -> frozenset[int] | None:
    """The teams a dashboard covers: a team's dashboard that team with its sub-teams (one
    query); the company dashboard the whole company for an admin (``None``), else the teams
    the viewer manages (known already)."""
    if team is None:
        return None if viewer.is_admin else managed_team_ids(viewer)
    children: dict[int | None, list[int]] = {}
    for pk, parent in Team.objects.for_org(org).values_list("id", "parent_id"):
        children.setdefault(parent, []).append(pk)
    below, stack = {team.pk}, [team.pk]
    while stack:
        for child in children.get(stack.pop(), []):
            if child not in below:
                below.add(child)
                stack.append(child)
    return frozenset(below)
