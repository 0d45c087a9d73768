"""The managers' alignment dashboard: every number computed from one load of the period."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from objectives.models import Objective
from organizations.models import Membership, Period, Team, TeamMembership

from .duplicates import stored_pairs
from .health import alignment_health, share
from .rollup import Node
from .selectors import Forest, load_forest

Level = Objective.Level
Status = Objective.Status
RISKY = {"at_risk", "off_track"}
DEFAULT_STALE_DAYS = 14
HISTOGRAM_BUCKETS = 10
# The team table shows the scope and one level of sub-teams; each row links to its own
# dashboard to drill down (a 300-team company would otherwise get a 300-row table).
TEAM_ROW_DEPTH = 1


@dataclass
class Metrics:
    people: int
    covered: int
    objectives: int
    alignable: int
    aligned: int
    top: int
    supported: int
    duplicated: int
    progress: Decimal | None

    @property
    def coverage(self):
        return share(self.covered, self.people)

    @property
    def aligned_share(self):
        return share(self.aligned, self.alignable)

    @property
    def support_share(self):
        return share(self.supported, self.top)

    @property
    def duplicate_share(self):
        return share(self.duplicated, self.alignable)

    @property
    def health(self) -> int | None:
        return alignment_health(
            coverage=self.coverage,
            aligned_share=self.aligned_share,
            support_share=self.support_share,
            duplicate_share=self.duplicate_share,
        )


@dataclass
class TeamRow:
    team: Team
    depth: int
    metrics: Metrics


@dataclass
class DuplicatePair:
    first: Node
    second: Node
    score: float

    @property
    def percent(self) -> int:
        return round(self.score * 100)


@dataclass
class StaleKeyResult:
    kr: object
    node: Node
    last_seen: object
    days: int


@dataclass
class Dashboard:
    label: str
    period: Period
    team: Team | None
    metrics: Metrics
    team_rows: list[TeamRow]
    unaligned: list[Node]
    unsupported: list[Node]
    at_risk: list[Node]
    stale: list[StaleKeyResult]
    scope_key_results: list  # visible, active scope's KRs with ``kr.objective`` set
    duplicates: list[DuplicatePair]
    histogram: list[int]
    no_progress: int
    stale_days: int
    forest: Forest = field(repr=False)


def _active(node: Node) -> bool:
    return node.objective.status != Status.ABANDONED


def _has_support(node: Node) -> bool:
    return any(_active(child) for child in node.children)


def _team_order(teams: list[Team], only: set[int] | None) -> list[tuple[Team, int]]:
    """Teams in tree order with their depth, limited to ``only`` (None = all)."""
    by_parent: dict[int | None, list[Team]] = {}
    for team in teams:
        by_parent.setdefault(team.parent_id, []).append(team)
    ids = {t.pk for t in teams}
    result: list[tuple[Team, int]] = []
    stack = [
        (t, 0)
        for t in reversed(sorted(teams, key=lambda t: t.name.lower()))
        if t.parent_id is None or t.parent_id not in ids
    ]
    seen: set[int] = set()
    while stack:
        team, depth = stack.pop()
        if team.pk in seen:
            continue
        seen.add(team.pk)
        if only is None or team.pk in only:
            result.append((team, depth))
        kids = sorted(by_parent.get(team.pk, []), key=lambda t: t.name.lower())
        stack.extend((kid, depth + 1) for kid in reversed(kids))
    if only is not None:  # shift depths so the shallowest team of the scope is at 0
        low = min((d for _, d in result), default=0)
        result = [(t, d - low) for t, d in result]
    return result


def subtree_team_ids(team_id: int, teams: list[Team]) -> set[int]:
    children: dict[int | None, list[int]] = {}
    for team in teams:
        children.setdefault(team.parent_id, []).append(team.pk)
    result, stack = {team_id}, [team_id]
    while stack:
        for kid in children.get(stack.pop(), []):
            if kid not in result:
                result.add(kid)
                stack.append(kid)
    return result


def _metrics(
    nodes: list[Node], people: set[int], top: list[Node], duplicated_ids: set[int]
) -> Metrics:
    active = [n for n in nodes if _active(n)]
    owners = {n.objective.owner_id for n in active}
    alignable = [n for n in active if n.objective.level != Level.COMPANY]
    measured = [n.own for n in active if n.own is not None]
    return Metrics(
        people=len(people),
        covered=len(people & owners),
        objectives=len(active),
        alignable=len(alignable),
        aligned=sum(1 for n in alignable if n.objective.parent_id),
        top=len(top),
        supported=sum(1 for n in top if _has_support(n)),
        duplicated=sum(1 for n in alignable if n.pk in duplicated_ids),
        progress=(sum(measured) / len(measured)) if measured else None,
    )


def build_dashboard(
    *,
    org,
    period: Period,
    membership: Membership,
    team_ids: set[int] | None,
    team: Team | None = None,
    stale_days: int = DEFAULT_STALE_DAYS,
) -> Dashboard:
    """``team_ids=None`` is the whole company; otherwise those teams (sub-teams included)."""
    forest = load_forest(org, period, membership)
    nodes = forest.nodes
    teams = list(Team.objects.for_org(org))
    team_people: dict[int, set[int]] = {}
    person_teams: dict[int, list[int]] = {}
    for team_id, membership_id in (
        TeamMembership.objects.for_org(org)
        .filter(membership__is_active=True)
        .order_by("team_id", "membership_id")
        .values_list("team_id", "membership_id")
    ):
        team_people.setdefault(team_id, set()).add(membership_id)
        person_teams.setdefault(membership_id, []).append(team_id)

    if team_ids is None:
        people = set(
            Membership.objects.for_org(org).filter(is_active=True).values_list("pk", flat=True)
        )
    else:
        people = set().union(*(team_people.get(t, set()) for t in team_ids))

    def in_scope(node: Node, scope_teams: set[int] | None, scope_people: set[int]) -> bool:
        o = node.objective
        if scope_teams is None:
            return True
        return o.team_id in scope_teams or (
            o.level == Level.INDIVIDUAL and o.owner_id in scope_people
        )

    scope = [n for n in nodes.values() if in_scope(n, team_ids, people)]

    # Possible duplicates: among active non-company objectives of the company, pairs of
    # different teams with at least one side in scope and both visible to the viewer.
    def team_key(o: Objective):
        if o.team_id:
            return ("team", o.team_id)
        first = person_teams.get(o.owner_id)
        return ("team", first[0]) if first else ("person", o.owner_id)

    candidates = [
        n.objective for n in nodes.values() if _active(n) and n.objective.level != Level.COMPANY
    ]
    scope_ids = {n.pk for n in scope}
    duplicates = []
    for pair in stored_pairs(org.pk, [o.pk for o in candidates]):
        first, second = nodes[pair.first_id], nodes[pair.second_id]
        if team_key(first.objective) == team_key(second.objective):
            continue
        if not (first.pk in scope_ids or second.pk in scope_ids):
            continue
        duplicates.append(DuplicatePair(first, second, pair.score))
    duplicated_ids = {n.pk for p in duplicates for n in (p.first, p.second)}
    duplicates = [p for p in duplicates if p.first.visible and p.second.visible]

    company_nodes = [n for n in nodes.values() if n.objective.level == Level.COMPANY and _active(n)]

    def top_nodes(scope_teams: set[int] | None) -> list[Node]:
        if scope_teams is None:
            return company_nodes
        return [
            n
            for n in nodes.values()
            if n.objective.level == Level.TEAM and n.objective.team_id in scope_teams and _active(n)
        ]

    metrics = _metrics(scope, people, top_nodes(team_ids), duplicated_ids)

    rows = []
    for row_team, depth in _team_order(teams, team_ids):
        if depth > TEAM_ROW_DEPTH:
            continue
        sub = subtree_team_ids(row_team.pk, teams)
        sub_people = set().union(*(team_people.get(t, set()) for t in sub))
        sub_nodes = [n for n in nodes.values() if in_scope(n, sub, sub_people)]
        rows.append(
            TeamRow(
                row_team, depth, _metrics(sub_nodes, sub_people, top_nodes(sub), duplicated_ids)
            )
        )

    visible_scope = sorted(
        (n for n in scope if n.visible and _active(n)),
        key=lambda n: (n.objective.level != Level.TEAM, n.objective.title.lower()),
    )
    unaligned = [
        n for n in visible_scope if n.objective.level != Level.COMPANY and not n.objective.parent_id
    ]
    unsupported = sorted(
        (n for n in company_nodes if n.visible and not _has_support(n)),
        key=lambda n: n.objective.title.lower(),
    )
    at_risk = [
        n for n in visible_scope if n.confidence in RISKY and n.objective.status != Status.DONE
    ]
    at_risk.sort(key=lambda n: (n.confidence != "off_track", n.objective.title.lower()))

    scope_key_results = []
    for node in visible_scope:
        for kr in node.key_results:
            kr.objective = node.objective  # already loaded: no query when pace reads it
            scope_key_results.append(kr)

    now = timezone.now()
    limit = now - timedelta(days=stale_days)
    stale = []
    for node in visible_scope:
        if node.objective.status == Status.DONE:
            continue
        for kr in node.key_results:
            seen = kr.last_checkin_at or kr.updated_at
            if seen < limit:
                stale.append(StaleKeyResult(kr, node, seen, (now - seen).days))
    stale.sort(key=lambda s: s.last_seen)

    histogram = [0] * HISTOGRAM_BUCKETS
    no_progress = 0
    for node in scope:
        if not _active(node):
            continue
        if node.own is None:
            no_progress += 1
            continue
        histogram[min(HISTOGRAM_BUCKETS - 1, int(node.own * HISTOGRAM_BUCKETS))] += 1

    if team is not None:
        label = team.name
    elif team_ids is None:
        label = org.name
    else:
        label = "Your teams"
    return Dashboard(
        label=label,
        period=period,
        team=team,
        metrics=metrics,
        team_rows=rows,
        unaligned=unaligned,
        unsupported=unsupported,
        at_risk=at_risk,
        stale=stale,
        scope_key_results=scope_key_results,
        duplicates=duplicates,
        histogram=histogram,
        no_progress=no_progress,
        stale_days=stale_days,
        forest=forest,
    )
