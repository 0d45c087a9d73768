"""The managers' alignment dashboard, in two halves.

``compute_scopes(org, period)`` works out every scope of a period in one pass: the company,
each team with its sub-teams, and each set of teams one manager leads. It reads the period's
objectives as plain values with their stored progress and confidence
(``objectives.rollups``), the look-alike pairs, the silent key results and the pace flags,
and returns one JSON-able dict per scope: the numbers, the team table, and each list's first
entries (public objectives only) with its total, plus the scope's private entries with their
sort keys. ``alignment.snapshots`` stores those dicts and decides when to rebuild them.

``build_dashboard(...)`` is one viewer's page: the numbers as stored (they count every
objective, as before), each list merged with the private entries this viewer may see, and
the shown objectives loaded in one query. A few queries, whatever the company's size.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models.functions import Coalesce
from django.utils import timezone

from checkins import pace
from objectives.models import KeyResult, Objective
from objectives.permissions import visible_objectives
from objectives.templatetags.okr_tags import RowUrls
from organizations.models import Membership, Period, Team, TeamMembership

from .duplicates import stored_pairs
from .health import alignment_health, share
from .selectors import overlapping

Level = Objective.Level
Status = Objective.Status
RISKY = {"at_risk", "off_track"}
DEFAULT_STALE_DAYS = 14
HISTOGRAM_BUCKETS = 10
SHOWN = 25  # entries each list shows
FLAGS_SHOWN = 15
# The team table shows the scope and one level of sub-teams; each row links to its own
# dashboard to drill down (a 300-team company would otherwise get a 300-row table).
TEAM_ROW_DEPTH = 1
COMPANY = "company"
# Stored figures in another layout are rebuilt before use; bump when the layout changes.
FIGURES_FORMAT = 1
DAY_SECONDS = 86400


def scope_key(roots: Iterable[int] | None) -> str:
    """The stored scope of a dashboard: the company (``None``), or teams with sub-teams."""
    if roots is None:
        return COMPANY
    ids = sorted(set(roots))
    if len(ids) == 1:
        return f"team:{ids[0]}"
    return "teams:" + ",".join(map(str, ids))


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

    def to_json(self) -> list:
        progress = None if self.progress is None else str(self.progress)
        return [
            self.people,
            self.covered,
            self.objectives,
            self.alignable,
            self.aligned,
            self.top,
            self.supported,
            self.duplicated,
            progress,
        ]

    @classmethod
    def from_json(cls, values: list) -> Metrics:
        *counts, progress = values
        return cls(*counts, progress=None if progress is None else Decimal(progress))


@dataclass
class RowTeam:
    """What the team table needs of a team (the snapshot stores no model instances)."""

    pk: int
    name: str


@dataclass
class TeamRow:
    team: RowTeam
    depth: int
    metrics: Metrics
    href: str = ""  # the row team's own dashboard

    # The table's cells as text: a template formats each number through the locale
    # machinery, which for a 30-row table cost more than the rest of the page.
    @property
    def covered_text(self) -> str:
        return f"{self.metrics.covered} / {self.metrics.people}"

    @property
    def aligned_text(self) -> str:
        return f"{self.metrics.aligned} / {self.metrics.alignable}"

    @property
    def supported_text(self) -> str:
        return f"{self.metrics.supported} / {self.metrics.top}"

    @property
    def health_text(self) -> str:
        health = self.metrics.health
        return "–" if health is None else str(health)


CONFIDENCE_ICONS = {"on_track": "●", "at_risk": "▲", "off_track": "■"}
LEVEL_LABELS = dict(Level.choices)
CONFIDENCE_LABELS = dict(KeyResult.Confidence.choices)


@dataclass(slots=True)
class Listed:
    """An objective as the dashboard's lists show it, from the stored figures."""

    pk: int
    title: str
    level: str
    confidence: str
    period_name: str
    team_name: str | None
    owner_name: str | None
    href: str

    @property
    def level_label(self) -> str:
        return LEVEL_LABELS.get(self.level, self.level)

    @property
    def confidence_label(self) -> str:
        return CONFIDENCE_LABELS.get(self.confidence, "No key results")

    @property
    def confidence_icon(self) -> str:
        return CONFIDENCE_ICONS.get(self.confidence, "")

    @property
    def whose(self) -> str:
        """The team, else the owner."""
        return self.team_name or self.owner_name or ""


@dataclass
class DuplicatePair:
    first: Listed
    second: Listed
    score: float

    @property
    def percent(self) -> int:
        return round(self.score * 100)


@dataclass
class StaleKeyResult:
    title: str
    objective: Listed
    last_seen: datetime.datetime
    days: int


@dataclass
class FlagRow:
    kr_id: int
    title: str
    owner_name: str
    percent: int
    expected_percent: int
    reasons: list[str]


@dataclass
class Dashboard:
    label: str
    period: Period
    team: Team | None
    as_of: datetime.datetime  # when the figures were computed
    metrics: Metrics
    team_rows: list[TeamRow]
    # Each list holds the first ``SHOWN`` entries; its ``*_total`` counts them all.
    unaligned: list[Listed]
    unaligned_total: int
    unsupported: list[Listed]
    unsupported_total: int
    at_risk: list[Listed]
    at_risk_total: int
    stale: list[StaleKeyResult]  # the longest silent first
    stale_total: int
    duplicates: list[DuplicatePair]
    duplicates_total: int
    flagged: list[FlagRow]  # the worst first
    flagged_total: int
    histogram: list[int]
    no_progress: int
    stale_days: int

    @property
    def flagged_more(self) -> int:
        return self.flagged_total - len(self.flagged)


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
    visibility: str
    period_id: int

    @property
    def active(self) -> bool:
        return self.status != Status.ABANDONED

    @property
    def private(self) -> bool:
        return self.visibility != Objective.Visibility.PUBLIC


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
    "visibility",
    "period_id",
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


def team_roots(team_ids: Iterable[int], parent: dict[int, int | None]) -> frozenset[int]:
    """The teams of ``team_ids`` that no other team of the set sits above."""
    ids = set(team_ids)
    roots = set()
    for team_id in ids:
        above, seen = parent.get(team_id), {team_id}
        while above is not None and above not in ids and above not in seen:
            seen.add(above)
            above = parent.get(above)
        if above is None or above not in ids:
            roots.add(team_id)
    return frozenset(roots)


def _ancestors_and_self(teams: list[Team]) -> dict[int, frozenset[int]]:
    parent = {t.pk: t.parent_id for t in teams}
    result: dict[int, frozenset[int]] = {}
    for team_id in parent:
        chain, current = set(), team_id
        while current is not None and current not in chain:
            chain.add(current)
            current = parent.get(current)
        result[team_id] = frozenset(chain)
    return result


# --- computing every scope of a period --------------------------------------------------------


class _List:
    """One list of one scope: the first public entries, the total, the private entries."""

    __slots__ = ("shown", "total", "private", "cap", "days")

    def __init__(self, cap: int):
        self.shown: list = []
        self.total = 0
        self.private: list = []
        self.cap = cap
        self.days: dict[str, int] = {}  # the stale list's public entries by days of silence

    def add(self, entry: list, *, private: bool) -> None:
        if private:
            self.private.append(entry)
            return
        self.total += 1
        if len(self.shown) < self.cap:
            self.shown.append(entry)

    def to_json(self) -> dict:
        return {"shown": self.shown, "total": self.total, "private": self.private}


LISTS = {  # name: how many entries a page shows
    "unaligned": SHOWN,
    "unsupported": SHOWN,
    "at_risk": SHOWN,
    "duplicates": SHOWN,
    "stale": SHOWN,
    "flagged": FLAGS_SHOWN,
}

# Where each list's entries name their objectives (for the private-entry check). Entries
# are lists that sort in display order:
#   unaligned   [not a team objective, title, objective]
#   unsupported [title, objective]
#   at_risk     [not off track, title, objective]
#   duplicates  [-score, objective, objective]
#   stale       [last seen (epoch s), kr, objective, kr title]
#   flagged     [-number of flags, gap, kr, objective, kr title, owner, percent, expected,
#                reasons]
OBJECTIVES_IN = {
    "unaligned": (2,),
    "unsupported": (1,),
    "at_risk": (2,),
    "duplicates": (1, 2),
    "stale": (2,),
    "flagged": (3,),
}


def compute_scopes(
    org, period: Period, *, extra_roots: Iterable[frozenset[int]] = (), now=None
) -> dict[str, dict]:
    """Every scope's figures for ``period``: the company, each team (with its sub-teams),
    each multi-team set a manager leads, and ``extra_roots``. Twelve queries in all."""
    now = now or timezone.now()
    in_period = overlapping(Objective.objects.for_org(org), period)
    items = [Item(*row) for row in in_period.order_by().values_list(*ITEM_FIELDS)]
    by_id = {item.pk: item for item in items}
    supported_ids = {i.parent_id for i in items if i.active and i.parent_id is not None}

    teams = list(Team.objects.for_org(org).only("id", "parent_id", "name"))
    parent = {t.pk: t.parent_id for t in teams}
    ancestors = _ancestors_and_self(teams)
    person_teams: dict[int, list[int]] = {}
    for team_id, membership_id in (
        TeamMembership.objects.for_org(org)
        .filter(membership__is_active=True)
        .order_by("team_id", "membership_id")
        .values_list("team_id", "membership_id")
    ):
        person_teams.setdefault(membership_id, []).append(team_id)

    def teams_above(team_ids_of: list[int]) -> frozenset[int]:
        if len(team_ids_of) == 1:  # most people are in one team: share its set
            return ancestors.get(team_ids_of[0], frozenset(team_ids_of))
        return frozenset().union(*(ancestors.get(t, {t}) for t in team_ids_of))

    person_above = {person: teams_above(ts) for person, ts in person_teams.items()}

    # Which teams' numbers each objective counts in: its team and the teams above it, or,
    # for an individual objective, its owner's teams and the teams above those.
    def counted_in(item: Item) -> frozenset[int]:
        found = teams_above([item.team_id]) if item.team_id is not None else frozenset()
        if item.level == Level.INDIVIDUAL and item.owner_id in person_above:
            return found | person_above[item.owner_id]
        return found

    item_teams = {item.pk: counted_in(item) for item in items}

    # The scopes: the company, every team, and the multi-team sets managers lead.
    subtree: dict[int, set[int]] = {t.pk: set() for t in teams}
    for team_id, above in ancestors.items():
        for top in above:
            subtree[top].add(team_id)
    multi = {frozenset(r) for r in extra_roots if len(r) > 1}
    multi |= _manager_root_sets(org, parent)
    multi_teams = {roots: set().union(*(subtree.get(r, {r}) for r in roots)) for roots in multi}
    multi_keys = {roots: scope_key(roots) for roots in multi}

    def scopes_of(item: Item) -> list[str]:
        teams_of = item_teams[item.pk]
        keys = [COMPANY, *(f"team:{t}" for t in teams_of)]
        keys.extend(multi_keys[r] for r, ids in multi_teams.items() if teams_of & ids)
        return keys

    item_scopes = {item.pk: scopes_of(item) for item in items}
    all_keys = [COMPANY, *(f"team:{t.pk}" for t in teams), *multi_keys.values()]
    scope_items: dict[str, list[Item]] = {key: [] for key in all_keys}
    for item in items:
        for key in item_scopes[item.pk]:
            scope_items[key].append(item)

    people_of: dict[str, set[int]] = {key: set() for key in all_keys}
    people_of[COMPANY] = set(
        Membership.objects.for_org(org).filter(is_active=True).values_list("pk", flat=True)
    )
    for person, above in person_above.items():
        for team_id in above:
            people_of[f"team:{team_id}"].add(person)
    for roots, key in multi_keys.items():
        people_of[key] = set().union(*(people_of[f"team:{r}"] for r in roots if r in parent))
    top_teams: dict[str, set[int] | None] = {COMPANY: None}
    top_teams.update({f"team:{t}": ids for t, ids in subtree.items()})
    top_teams.update({multi_keys[r]: ids for r, ids in multi_teams.items()})

    # Possible duplicates: pairs of active non-company objectives of different teams.
    def team_key(item: Item):
        if item.team_id:
            return ("team", item.team_id)
        first = person_teams.get(item.owner_id)
        return ("team", first[0]) if first else ("person", item.owner_id)

    candidates = (
        in_period.exclude(level=Level.COMPANY).exclude(status=Status.ABANDONED).values("pk")
    )
    pairs = [
        (by_id[p.first_id], by_id[p.second_id], p.score)
        for p in stored_pairs(org.pk, candidates)
        if team_key(by_id[p.first_id]) != team_key(by_id[p.second_id])
    ]
    duplicated_ids = {i.pk for first, second, _ in pairs for i in (first, second)}

    # The numbers and the histogram of every scope.
    data: dict[str, dict] = {}
    metrics: dict[str, Metrics] = {}
    for key in all_keys:
        tally, tops = _Tally(people_of[key]), top_teams[key]
        histogram, no_progress = [0] * HISTOGRAM_BUCKETS, 0
        for item in scope_items[key]:
            is_top = (
                item.level == Level.COMPANY
                if tops is None
                else item.level == Level.TEAM and item.team_id in tops
            )
            tally.add(
                item,
                is_top=is_top,
                supported=item.pk in supported_ids,
                duplicated=item.pk in duplicated_ids,
            )
            if not item.active:
                continue
            if item.progress is None:
                no_progress += 1
            else:
                bucket = min(HISTOGRAM_BUCKETS - 1, int(item.progress * HISTOGRAM_BUCKETS))
                histogram[bucket] += 1
        metrics[key] = tally.metrics()
        data[key] = {
            "format": FIGURES_FORMAT,
            "histogram": histogram,
            "no_progress": no_progress,
        }

    # The team tables: the scope's teams and their sub-teams (``TEAM_ROW_DEPTH``), each row
    # its own scope's numbers.
    children: dict[int | None, list[Team]] = {}
    for team in sorted(teams, key=lambda t: t.name.lower()):
        children.setdefault(team.parent_id, []).append(team)

    def row_teams(key: str) -> list[tuple[Team, int]]:
        if key.startswith("teams:"):  # several teams: rare, the general walk
            ordered = _team_order(teams, top_teams[key])
            return [(t, d) for t, d in ordered if d <= TEAM_ROW_DEPTH]
        tops = children.get(None, []) if key == COMPANY else [by_team[int(key[5:])]]
        return [
            (t, d)
            for top in tops
            for t, d in [(top, 0)] + [(c, 1) for c in children.get(top.pk, [])]
        ]

    by_team = {t.pk: t for t in teams}
    for key in all_keys:
        data[key]["metrics"] = metrics[key].to_json()
        data[key]["rows"] = [
            [t.pk, t.name, depth, metrics[f"team:{t.pk}"].to_json()] for t, depth in row_teams(key)
        ]

    # The lists, each distributed in display order to the scopes its entries belong to.
    lists = {key: {name: _List(cap) for name, cap in LISTS.items()} for key in all_keys}

    def distribute(name: str, entries: Iterable[tuple[list, Iterable[str], bool]]) -> None:
        for entry, keys, private in entries:
            for key in keys:
                lists[key][name].add(entry, private=private)

    active = [i for i in items if i.active]
    distribute(
        "unaligned",
        (
            ([int(i.level != Level.TEAM), i.title.lower(), i.pk], item_scopes[i.pk], i.private)
            for i in sorted(active, key=lambda i: (i.level != Level.TEAM, i.title.lower()))
            if i.level != Level.COMPANY and not i.parent_id
        ),
    )
    at_risk = [i for i in active if i.confidence in RISKY and i.status != Status.DONE]
    at_risk.sort(key=lambda i: (i.confidence != "off_track", i.title.lower()))
    distribute(
        "at_risk",
        (
            (
                [int(i.confidence != "off_track"), i.title.lower(), i.pk],
                item_scopes[i.pk],
                i.private,
            )
            for i in at_risk
        ),
    )
    unsupported = sorted(
        (i for i in active if i.level == Level.COMPANY and i.pk not in supported_ids),
        key=lambda i: i.title.lower(),
    )
    distribute("unsupported", (([i.title.lower(), i.pk], all_keys, i.private) for i in unsupported))
    distribute(
        "duplicates",
        (
            (
                [-score, a.pk, b.pk],
                set(item_scopes[a.pk]) | set(item_scopes[b.pk]),
                a.private or b.private,
            )
            for a, b, score in pairs
        ),
    )
    _distribute_stale(org, in_period, by_id, item_scopes, distribute, lists, now)
    _distribute_flags(org, in_period, item_scopes, by_id, distribute)

    # What the lists show of each objective they name, so a page needs no further query.
    period_names = dict(Period.objects.for_org(org).values_list("pk", "name"))
    team_names = {t.pk: t.name for t in teams}
    owner_names = {
        pk: full_name or email
        for pk, full_name, email in Membership.objects.for_org(org)
        .filter(pk__in={i.owner_id for i in items if i.owner_id is not None})
        .values_list("pk", "user__full_name", "user__email")
    }

    def shown_as(item: Item) -> list:
        return [
            item.title,
            item.level,
            item.confidence,
            period_names.get(item.period_id, ""),
            team_names.get(item.team_id),
            owner_names.get(item.owner_id),
        ]

    for key in all_keys:
        scope_lists = {name: lst.to_json() for name, lst in lists[key].items()}
        scope_lists["stale"]["days"] = lists[key]["stale"].days
        named = {
            entry[index]
            for name, lst in scope_lists.items()
            for entry in lst["shown"] + lst["private"]
            for index in OBJECTIVES_IN[name]
        }
        data[key]["lists"] = scope_lists
        data[key]["objectives"] = {str(pk): shown_as(by_id[pk]) for pk in named}
        data[key]["private_ids"] = sorted(pk for pk in named if by_id[pk].private)
    return data


def _manager_root_sets(org, parent: dict[int, int | None]) -> set[frozenset[int]]:
    """The team sets managers lead that are not one team with its sub-teams."""
    led: dict[int, set[int]] = {}
    for membership_id, team_id in (
        TeamMembership.objects.for_org(org)
        .filter(is_manager=True, membership__is_active=True)
        .values_list("membership_id", "team_id")
    ):
        led.setdefault(membership_id, set()).add(team_id)
    roots = (team_roots(ids, parent) for ids in led.values())
    return {r for r in roots if len(r) > 1}


def _distribute_stale(org, in_period, by_id, item_scopes, distribute, lists, now) -> None:
    """KRs of the period's unfinished objectives without a check-in for a day or more, the
    longest silent first; each scope also counts its public ones by days of silence, so a
    page can answer any "no check-in for N days" from the stored figures."""
    silent = sorted(
        KeyResult.objects.for_org(org)
        .filter(objective__in=in_period.exclude(status=Status.DONE).values("pk"))
        .annotate(last_seen=Coalesce("last_checkin_at", "updated_at"))
        .filter(last_seen__lt=now - datetime.timedelta(days=1))
        .order_by()
        .values_list("last_seen", "id", "objective_id", "title")
    )
    entries = []
    for last_seen, kr_id, objective_id, title in silent:
        item = by_id.get(objective_id)
        if item is None or not item.active:
            continue
        days = str(int((now - last_seen).total_seconds() // DAY_SECONDS))
        keys = item_scopes[item.pk]
        if not item.private:
            for key in keys:
                counts = lists[key]["stale"].days
                counts[days] = counts.get(days, 0) + 1
        entries.append(([last_seen.timestamp(), kr_id, objective_id, title], keys, item.private))
    distribute("stale", entries)


def _distribute_flags(org, in_period, item_scopes, by_id, distribute) -> None:
    """KRs whose confidence or silence does not match their pace (``checkins.pace``)."""
    key_results = KeyResult.objects.for_org(org).filter(
        objective__in=in_period.exclude(status=Status.ABANDONED).values("pk")
    )
    flagged = pace.flag_queryset(org, key_results)
    owners = dict(
        Membership.objects.for_org(org)
        .filter(pk__in={f.kr.owner_id for f in flagged})
        .values_list("pk", "user__full_name")
    )
    emails = {}
    if any(not name for name in owners.values()):
        emails = dict(
            Membership.objects.for_org(org)
            .filter(pk__in=[pk for pk, name in owners.items() if not name])
            .values_list("pk", "user__email")
        )
    entries = []
    for f in flagged:
        item = by_id[f.kr.objective_id]
        owner = owners.get(f.kr.owner_id) or emails.get(f.kr.owner_id, "")
        entry = [
            -len(f.pace.flags),
            f.pace.gap,
            f.kr.pk,
            item.pk,
            f.kr.title,
            owner,
            f.pace.percent,
            f.pace.expected_percent,
            f.reasons,
        ]
        entries.append((entry, item_scopes[item.pk], item.private))
    distribute("flagged", entries)


# --- one viewer's dashboard ----------------------------------------------------------------


def build_dashboard(
    *,
    org,
    period: Period,
    membership: Membership,
    roots: Iterable[int] | None,
    team: Team | None = None,
    stale_days: int = DEFAULT_STALE_DAYS,
) -> Dashboard:
    """``roots=None`` is the whole company; otherwise those teams with their sub-teams."""
    from .snapshots import scope_snapshot

    roots = None if roots is None else frozenset(roots)
    snapshot = scope_snapshot(org, period, roots)
    data, as_of = snapshot.data, snapshot.computed_at
    private_ids = set(data["private_ids"])
    if membership.is_admin or not private_ids:
        seen_private = private_ids
    else:
        seen_private = set(
            visible_objectives(
                Objective.objects.for_org(org).filter(pk__in=private_ids), membership
            ).values_list("pk", flat=True)
        )

    def visible(name: str, entry: list) -> bool:
        return all(
            entry[i] not in private_ids or entry[i] in seen_private for i in OBJECTIVES_IN[name]
        )

    def merged(name: str, keep=None) -> tuple[list, int]:
        """The first entries of a list with the private ones this viewer sees, and how many
        of those private ones there are in all."""
        stored = data["lists"][name]
        extra = [e for e in stored["private"] if (keep is None or keep(e)) and visible(name, e)]
        shown = stored["shown"] if keep is None else [e for e in stored["shown"] if keep(e)]
        return sorted(shown + extra)[: LISTS[name]], len(extra)

    def with_total(name: str) -> tuple[list, int]:
        entries, extra = merged(name)
        return entries, data["lists"][name]["total"] + extra

    unaligned, unaligned_total = with_total("unaligned")
    unsupported, unsupported_total = with_total("unsupported")
    at_risk, at_risk_total = with_total("at_risk")
    duplicates, duplicates_total = with_total("duplicates")
    flagged, flagged_total = with_total("flagged")
    # Silent KRs: the stored list is the longest silent first, so those silent for at least
    # ``stale_days`` (as of the snapshot) are a prefix; the public ones are counted by days.
    cutoff = as_of.timestamp() - stale_days * DAY_SECONDS
    stale, stale_extra = merged("stale", keep=lambda e: e[0] <= cutoff)
    stale_days_counts = data["lists"]["stale"]["days"]
    stale_total = stale_extra + sum(n for d, n in stale_days_counts.items() if int(d) >= stale_days)

    row_urls = RowUrls(org.slug)
    listed: dict[int, Listed] = {}

    def listed_as(pk: int) -> Listed:
        if pk not in listed:
            title, level, confidence, period_name, team_name, owner_name = data["objectives"][
                str(pk)
            ]
            href = row_urls("objectives:objective", objective_id=pk)
            listed[pk] = Listed(
                pk, title, level, confidence, period_name, team_name, owner_name, href
            )
        return listed[pk]

    def shown(entries: list) -> list[Listed]:
        return [listed_as(e[-1]) for e in entries]

    if team is not None:
        label = team.name
    elif roots is None:
        label = org.name
    else:
        label = "Your teams"
    return Dashboard(
        label=label,
        period=period,
        team=team,
        as_of=as_of,
        metrics=Metrics.from_json(data["metrics"]),
        team_rows=[
            TeamRow(
                RowTeam(pk, name),
                depth,
                Metrics.from_json(values),
                href=f"{row_urls('alignment:team-dashboard', team_id=pk)}?period={period.pk}",
            )
            for pk, name, depth, values in data["rows"]
        ],
        unaligned=shown(unaligned),
        unaligned_total=unaligned_total,
        unsupported=shown(unsupported),
        unsupported_total=unsupported_total,
        at_risk=shown(at_risk),
        at_risk_total=at_risk_total,
        stale=[
            StaleKeyResult(
                title,
                listed_as(objective_id),
                datetime.datetime.fromtimestamp(seen, tz=datetime.UTC),
                int((as_of.timestamp() - seen) // DAY_SECONDS),
            )
            for seen, _kr_id, objective_id, title in stale
        ],
        stale_total=stale_total,
        duplicates=[
            DuplicatePair(listed_as(a), listed_as(b), -minus_score)
            for minus_score, a, b in duplicates
        ],
        duplicates_total=duplicates_total,
        flagged=[FlagRow(e[2], *e[4:]) for e in flagged],
        flagged_total=flagged_total,
        histogram=data["histogram"],
        no_progress=data["no_progress"],
        stale_days=stale_days,
    )
