"""Reads shared by the alignment pages, each with a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone

from objectives.models import KeyResult, Objective
from objectives.permissions import visible_objectives
from organizations.markdown import markdown_to_text
from organizations.models import Membership, Period, Team, TeamMembership

from . import rules
from .chain import ancestor_ids, descendant_ids
from .rollup import Node, build_forest, roots

OBJECTIVE_RELATED = ("owner__user", "team", "period")
PICKER_LIMIT = 50
FOREST_DEFERRED = (
    "description",
    "created_at",
    "created_by",
    "owner__user__password",
    "owner__user__last_login",
    "owner__user__date_joined",
    "team__description",
)
FOREST_KR_FIELDS = (
    "id",
    "org_id",
    "objective_id",
    "title",
    "owner_id",
    "kind",
    "unit",
    "currency_code",
    "start_value",
    "target_value",
    "current_value",
    "weight",
    "confidence",
    "position",
    "last_checkin_at",
    "created_at",
    "updated_at",
)


# Periods ------------------------------------------------------------------------------------


def company_periods(org) -> list[Period]:
    return list(Period.objects.for_org(org).order_by("-start", "end"))


def resolve_period(org, period_id, periods: list[Period] | None = None) -> Period | None:
    """The asked period of this company (404 if foreign), else the current quarter, the
    current year, the smallest period containing today, or the latest one."""
    periods = company_periods(org) if periods is None else periods
    if period_id not in (None, ""):
        try:
            wanted = int(period_id)
        except (TypeError, ValueError):
            raise Http404("No such period.") from None
        for p in periods:
            if p.pk == wanted:
                return p
        raise Http404("No such period.")
    for kind in (Period.Kind.QUARTER, Period.Kind.YEAR, Period.Kind.MONTH):
        for p in periods:
            if p.is_current and p.kind == kind:
                return p
    today = timezone.localdate()
    containing = [p for p in periods if p.start <= today <= p.end]
    if containing:
        return min(containing, key=lambda p: (p.end - p.start, p.start))
    return periods[0] if periods else None


def overlapping(queryset: QuerySet, period: Period, prefix: str = "period__") -> QuerySet:
    """Rows whose period overlaps ``period`` (a year's objective shows in each quarter)."""
    return queryset.filter(**{f"{prefix}start__lte": period.end, f"{prefix}end__gte": period.start})


# Trees --------------------------------------------------------------------------------------


def visible_id_set(queryset: QuerySet, membership: Membership) -> set[int] | None:
    """None means "everything" (admins); otherwise the ids this person may see."""
    if membership.is_admin:
        return None
    return set(visible_objectives(queryset, membership).values_list("pk", flat=True))


@dataclass
class Forest:
    period: Period
    nodes: dict[int, Node]

    @property
    def roots(self) -> list[Node]:
        return roots(self.nodes)


def load_forest(
    org, period: Period, membership: Membership, *, within: set[int] | None = None
) -> Forest:
    """Every objective of the company overlapping ``period``: one query for the objectives,
    one for their key results, one for what this viewer may see (none for admins)."""
    objectives_qs = overlapping(Objective.objects.for_org(org), period)
    if within is not None:  # one objective's subtree: its aligned progress needs no more
        objectives_qs = objectives_qs.filter(pk__in=within)
    # Descriptions are long and no tree node shows them: leave them in the database.
    objectives = list(objectives_qs.select_related(*OBJECTIVE_RELATED).defer(*FOREST_DEFERRED))
    key_results = list(
        overlapping(KeyResult.objects.for_org(org), period, prefix="objective__period__")
        .filter(**({"objective_id__in": within} if within is not None else {}))
        .only(*FOREST_KR_FIELDS)
    )
    visible = visible_id_set(objectives_qs, membership)
    return Forest(period=period, nodes=build_forest(objectives, key_results, visible_ids=visible))


# Contribution path --------------------------------------------------------------------------


def vision_excerpt(org, limit: int = 180) -> str:
    for line in (org.vision or "").splitlines():
        text = markdown_to_text(line)
        if text:
            return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
    return ""


@dataclass
class Contribution:
    node: Node
    path: list[Node | None]  # from the parent upwards; None marks a step hidden from the viewer
    children: list[Node]
    vision: str


def contribution(objective: Objective, membership: Membership) -> Contribution:
    """The objective's path up to the company vision and what aligns to it.

    Five queries whatever the depth: the ancestor chain and the subtree (recursive CTEs), the
    objectives, their KRs, and the viewer's visibility.
    """
    org_id = objective.org_id
    up = ancestor_ids(objective.pk, org_id)
    down = descendant_ids(objective.pk, org_id)
    qs = Objective.objects.filter(org_id=org_id, pk__in=set(up) | down)
    objectives = list(qs.select_related(*OBJECTIVE_RELATED))
    key_results = list(
        KeyResult.objects.filter(org_id=org_id, objective_id__in=[o.pk for o in objectives])
    )
    visible = visible_id_set(qs, membership)
    # Ancestors are loaded without their other subtrees: their aligned progress would be
    # partial, so the path shows their own progress only.
    nodes = build_forest(objectives, key_results, visible_ids=visible)
    node = nodes[objective.pk]
    path = []
    for pk in up[1:]:
        step = nodes.get(pk)
        path.append(step if step is not None and step.visible else None)
    return Contribution(
        node=node,
        path=path,
        children=node.visible_children,
        vision=vision_excerpt(objective.org),
    )


# Parent picker ------------------------------------------------------------------------------


@dataclass
class PickerGroup:
    label: str
    objectives: list[Objective]


def _child_spec(org, *, objective, level, team, period) -> Objective | None:
    if objective is not None:
        return objective
    if level not in Objective.Level.values or period is None:
        return None
    if level == Objective.Level.TEAM and team is None:
        return None
    return Objective(org=org, level=level, team=team, period=period)


def eligible_parents(
    *,
    org,
    membership: Membership,
    objective: Objective | None = None,
    level: str | None = None,
    team: Team | None = None,
    period: Period | None = None,
    q: str = "",
    limit: int = PICKER_LIMIT,
) -> list[PickerGroup] | None:
    """Parents the rules allow and the person may see, best first, in groups:
    their teams' and those teams' ancestors' objectives, company objectives, other matches.

    ``None`` means the child is not described enough yet (no level or period).
    """
    child = _child_spec(org, objective=objective, level=level, team=team, period=period)
    if child is None:
        return None
    team_parents = dict(Team.objects.for_org(org).values_list("id", "parent_id"))
    my_teams = set(
        TeamMembership.objects.filter(membership=membership).values_list("team_id", flat=True)
    )
    near_teams = set(my_teams)
    for team_id in my_teams:
        near_teams |= rules.team_ancestors(team_id, team_parents)

    cp = child.period
    qs = Objective.objects.for_org(org).filter(period__start__lte=cp.start, period__end__gte=cp.end)
    qs = qs.exclude(status=Objective.Status.ABANDONED)
    if child.level == Objective.Level.COMPANY:
        qs = qs.filter(level=Objective.Level.COMPANY).exclude(
            period__start=cp.start, period__end=cp.end
        )
    elif child.level == Objective.Level.TEAM:
        qs = qs.filter(
            Q(level=Objective.Level.COMPANY)
            | Q(
                level=Objective.Level.TEAM,
                team_id__in=rules.team_ancestors(child.team_id, team_parents),
            )
        )
    else:
        qs = qs.filter(level__in=[Objective.Level.TEAM, Objective.Level.COMPANY])
    if child.pk:
        qs = qs.exclude(pk__in=descendant_ids(child.pk, org.pk))
    q = (q or "").strip()[:200]
    if q:
        qs = qs.filter(
            Q(title__icontains=q) | Q(description__icontains=q) | Q(team__name__icontains=q)
        )
    qs = visible_objectives(qs, membership).annotate(
        rank=Case(
            When(team_id__in=near_teams, then=Value(0)),
            When(level=Objective.Level.COMPANY, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        )
    )
    candidates = list(
        qs.select_related(*OBJECTIVE_RELATED).order_by("rank", "-period__start", "title")[:limit]
    )
    labels = ["Your teams", "Company objectives", "Other matches" if q else "Other teams"]
    groups = [PickerGroup(label, []) for label in labels]
    for candidate in candidates:
        # The same rules as the service, so the picker never offers a refused link.
        if rules.alignment_error(child, candidate, team_parents=team_parents) is None:
            groups[candidate.rank].objectives.append(candidate)
    return [g for g in groups if g.objectives]
