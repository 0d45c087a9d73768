"""The managers' alignment dashboard: every number computed from one load of the period's
objectives with their stored progress and confidence (``objectives.rollups``); key results
are read only for the stale list (filtered and capped in SQL) and the flag panel."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.db.models import QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from objectives.models import KeyResult, Objective
from objectives.permissions import visible_objectives
from organizations.models import Membership, Period, Team, TeamMembership

from .duplicates import stored_pairs
from .health import alignment_health, share
from .nodes import Node
from .selectors import node_objectives, overlapping, visible_id_set

Level = Objective.Level
Status = Objective.Status
RISKY = {"at_risk", "off_track"}
DEFAULT_STALE_DAYS = 14
HISTOGRAM_BUCKETS = 10
SHOWN = 25  # entries each list shows
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
    # Each list holds the first ``SHOWN`` entries; its ``*_total`` counts them all.
    unaligned: list[Node]
    unaligned_total: int
    unsupported: list[Node]
    unsupported_total: int
    at_risk: list[Node]
    at_risk_total: int
    stale: list[StaleKeyResult]  # the longest silent first
    stale_total: int
    scope_key_results: QuerySet  # KRs of the visible, active objectives in scope
    duplicates: list[DuplicatePair]
    duplicates_total: int
    histogram: list[int]
    no_progress: int
    stale_days: int


@dataclass(eq=False, slots=True)
class Item:
    """One objective of the period as the numbers need it: plain values, no model instance."""

    pk: int
    level: str
    team_id: int | None
    owner_id: int | None
    parent_id: int | None
    status: str
    progress: Decimal | None
    confidence: str
    title: str
    visible: bool = True

    @property
    def active(self) -> bool:
        return self.status != Status.ABANDONED


ITEM_FIELDS = (
    "id",
    "level",
    "team_id",
    "owner_id",
    "parent_id",
    "status",
    "progress",
    "confidence",
    "title",
)


class _Tally:
    """Accumulates one scope's metrics, one objective at a time."""

    def __init__(self, people: set[int]):
        self.people = people
        self.owners: set[int] = set()
        self.objectives = self.alignable = self.aligned = 0
        self.top = self.supported = self.duplicated = 0
        self.progress_sum = Decimal(0)
        self.measured = 0

    def add(self, item: Item, *, is_top: bool, supported: bool, duplicated: bool) -> None:
        if not item.active:
            return
        self.objectives += 1
        if item.owner_id is not None:
            self.owners.add(item.owner_id)
        if item.level != Level.COMPANY:
            self.alignable += 1
            self.aligned += bool(item.parent_id)
            self.duplicated += duplicated
        if is_top:
            self.top += 1
            self.supported += supported
        if item.progress is not None:
            self.progress_sum += item.progress
            self.measured += 1

    def metrics(self) -> Metrics:
        return Metrics(
            people=len(self.people),
            covered=len(self.people & self.owners),
            objectives=self.objectives,
            alignable=self.alignable,
            aligned=self.aligned,
            top=self.top,
            supported=self.supported,
            duplicated=self.duplicated,
            progress=self.progress_sum / self.measured if self.measured else None,
        )


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


def _ancestors_and_self(teams: list[Team]) -> dict[int, set[int]]:
    parent = {t.pk: t.parent_id for t in teams}
    result: dict[int, set[int]] = {}
    for team_id in parent:
        chain, current = set(), team_id
        while current is not None and current not in chain:
            chain.add(current)
            current = parent.get(current)
        result[team_id] = chain
    return result


def build_dashboard(
    *,
    org,
    period: Period,
    membership: Membership,
    team_ids: set[int] | None,
    team: Team | None = None,
    stale_days: int = DEFAULT_STALE_DAYS,
) -> Dashboard:
    """``team_ids=None`` is the whole company; otherwise those teams (sub-teams included).

    The period's objectives are read as plain values with their stored progress and
    confidence; only the objectives the lists show are loaded as model instances.
    """
    in_period = overlapping(Objective.objects.for_org(org), period)
    items = [Item(*row) for row in in_period.order_by().values_list(*ITEM_FIELDS)]
    visible = visible_id_set(in_period, membership)
    if visible is not None:
        for item in items:
            item.visible = item.pk in visible
    by_id = {item.pk: item for item in items}
    supported_ids = {i.parent_id for i in items if i.active and i.parent_id is not None}

    teams = list(Team.objects.for_org(org).only("id", "parent_id", "name"))
    ancestors = _ancestors_and_self(teams)
    person_teams: dict[int, list[int]] = {}
    for team_id, membership_id in (
        TeamMembership.objects.for_org(org)
        .filter(membership__is_active=True)
        .order_by("team_id", "membership_id")
        .values_list("team_id", "membership_id")
    ):
        person_teams.setdefault(membership_id, []).append(team_id)

    def teams_above(team_ids_of: list[int]) -> set[int]:
        if len(team_ids_of) == 1:  # most people are in one team: share its (unchanged) set
            return ancestors.get(team_ids_of[0], {team_ids_of[0]})
        return set().union(*(ancestors.get(t, {t}) for t in team_ids_of))

    person_above = {person: teams_above(ts) for person, ts in person_teams.items()}
    no_teams: frozenset[int] = frozenset()

    # Which teams' numbers each objective counts in: its team and the teams above it, or,
    # for an individual objective, its owner's teams and the teams above those.
    def counted_in(item: Item) -> set[int] | frozenset[int]:
        found = teams_above([item.team_id]) if item.team_id is not None else no_teams
        if item.level == Level.INDIVIDUAL and item.owner_id in person_above:
            return found | person_above[item.owner_id]  # a new set: the shared ones stay
        return found

    if team_ids is None:
        people = set(
            Membership.objects.for_org(org).filter(is_active=True).values_list("pk", flat=True)
        )
    else:
        people = {m for m, ts in person_teams.items() if team_ids.intersection(ts)}

    item_teams = {item.pk: counted_in(item) for item in items}
    scope = [i for i in items if team_ids is None or item_teams[i.pk] & team_ids]

    # Possible duplicates: among active non-company objectives of the company, pairs of
    # different teams with at least one side in scope.
    def team_key(item: Item):
        if item.team_id:
            return ("team", item.team_id)
        first = person_teams.get(item.owner_id)
        return ("team", first[0]) if first else ("person", item.owner_id)

    keys = {item.pk: team_key(item) for item in items}
    scope_ids = {i.pk for i in scope}
    candidates = (
        in_period.exclude(level=Level.COMPANY).exclude(status=Status.ABANDONED).values("pk")
    )
    pairs = []
    for pair in stored_pairs(org.pk, candidates):
        first, second = by_id[pair.first_id], by_id[pair.second_id]
        if keys[first.pk] == keys[second.pk]:
            continue
        if first.pk in scope_ids or second.pk in scope_ids:
            pairs.append((first, second, pair.score))
    duplicated_ids = {i.pk for first, second, _ in pairs for i in (first, second)}
    pairs = [p for p in pairs if p[0].visible and p[1].visible]

    def is_top(item: Item, scope_teams: set[int] | None) -> bool:
        if scope_teams is None:
            return item.level == Level.COMPANY
        return item.level == Level.TEAM and item.team_id in scope_teams

    def tally(scope_items, scope_people, scope_teams) -> Metrics:
        counter = _Tally(scope_people)
        for item in scope_items:
            counter.add(
                item,
                is_top=is_top(item, scope_teams),
                supported=item.pk in supported_ids,
                duplicated=item.pk in duplicated_ids,
            )
        return counter.metrics()

    metrics = tally(scope, people, team_ids)

    # The team table: the scope's teams down to ``TEAM_ROW_DEPTH``, each with its sub-teams.
    row_teams = [(t, d) for t, d in _team_order(teams, team_ids) if d <= TEAM_ROW_DEPTH]
    row_ids = {t.pk for t, _ in row_teams}
    row_items: dict[int, list[Item]] = {pk: [] for pk in row_ids}
    for item in items:
        for team_id in item_teams[item.pk] & row_ids:
            row_items[team_id].append(item)
    row_people: dict[int, set[int]] = {pk: set() for pk in row_ids}
    for person, above in person_above.items():
        for team_id in above & row_ids:
            row_people[team_id].add(person)
    row_subteams: dict[int, set[int]] = {pk: set() for pk in row_ids}
    for team_id, above in ancestors.items():
        for row_id in above & row_ids:
            row_subteams[row_id].add(team_id)
    rows = [
        TeamRow(t, depth, tally(row_items[t.pk], row_people[t.pk], row_subteams[t.pk]))
        for t, depth in row_teams
    ]

    visible_scope = sorted(
        (i for i in scope if i.visible and i.active),
        key=lambda i: (i.level != Level.TEAM, i.title.lower()),
    )
    unaligned = [i for i in visible_scope if i.level != Level.COMPANY and not i.parent_id]
    company_items = [i for i in items if i.level == Level.COMPANY and i.active]
    unsupported = sorted(
        (i for i in company_items if i.visible and i.pk not in supported_ids),
        key=lambda i: i.title.lower(),
    )
    at_risk = [i for i in visible_scope if i.confidence in RISKY and i.status != Status.DONE]
    at_risk.sort(key=lambda i: (i.confidence != "off_track", i.title.lower()))

    visible_scope_ids = {i.pk for i in visible_scope}
    if team_ids is None:  # the whole company: a subquery beats a list of thousands of ids
        scope_objectives = visible_objectives(
            in_period.exclude(status=Status.ABANDONED), membership
        ).values("pk")
    else:
        scope_objectives = list(visible_scope_ids)
    scope_key_results = KeyResult.objects.for_org(org).filter(objective_id__in=scope_objectives)

    # Silent KRs: the period's, filtered in SQL by date, then to this scope here.
    now = timezone.now()
    silent = sorted(
        row
        for row in KeyResult.objects.for_org(org)
        .filter(objective__in=in_period.exclude(status=Status.DONE).values("pk"))
        .annotate(last_seen=Coalesce("last_checkin_at", "updated_at"))
        .filter(last_seen__lt=now - timedelta(days=stale_days))
        .order_by()
        .values_list("last_seen", "id", "objective_id", "title")
        if row[2] in visible_scope_ids
    )
    stale_krs = [
        KeyResult(pk=pk, objective_id=objective_id, title=title, last_checkin_at=last_seen)
        for last_seen, pk, objective_id, title in silent[:SHOWN]
    ]

    histogram = [0] * HISTOGRAM_BUCKETS
    no_progress = 0
    for item in scope:
        if not item.active:
            continue
        if item.progress is None:
            no_progress += 1
            continue
        histogram[min(HISTOGRAM_BUCKETS - 1, int(item.progress * HISTOGRAM_BUCKETS))] += 1

    # Load, in one query, only the objectives the lists show.
    shown_pairs = pairs[:SHOWN]
    shown_ids = {i.pk for lst in (unaligned, unsupported, at_risk) for i in lst[:SHOWN]}
    shown_ids |= {i.pk for first, second, _ in shown_pairs for i in (first, second)}
    shown_ids |= {kr.objective_id for kr in stale_krs}
    nodes = {
        o.pk: Node(objective=o) for o in node_objectives(Objective.objects.filter(pk__in=shown_ids))
    }

    def shown(lst: list[Item]) -> list[Node]:
        return [nodes[i.pk] for i in lst[:SHOWN]]

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
        unaligned=shown(unaligned),
        unaligned_total=len(unaligned),
        unsupported=shown(unsupported),
        unsupported_total=len(unsupported),
        at_risk=shown(at_risk),
        at_risk_total=len(at_risk),
        stale=[
            StaleKeyResult(
                kr, nodes[kr.objective_id], kr.last_checkin_at, (now - kr.last_checkin_at).days
            )
            for kr in stale_krs
        ],
        stale_total=len(silent),
        scope_key_results=scope_key_results,
        duplicates=[DuplicatePair(nodes[a.pk], nodes[b.pk], score) for a, b, score in shown_pairs],
        duplicates_total=len(pairs),
        histogram=histogram,
        no_progress=no_progress,
        stale_days=stale_days,
    )
