"""The dashboards' stored figures: every scope of a period, computed in one pass.

A scope is the company, one team with its sub-teams, or a set of such teams (what a manager
who leads several unrelated teams sees). ``compute_scopes(org, period)`` reads the period's
objectives as plain values with their stored progress and confidence
(``objectives.rollups``), the people and teams, the look-alike pairs, the silent key results
and the pace flags, and returns one JSON-able dict per scope:

- ``metrics``, ``histogram``, ``no_progress``: the numbers; they count every objective of the
  scope, private ones included (whoever may open a scope's dashboard sees all of them);
- ``unseen``: what the numbers owe to objectives outside the scope a viewer may not see: the
  scope's (and each team row's) objectives counted as duplicated or supported only through
  private ones, with those (``partners``, ``supporters``), the private company objectives,
  and the objectives "nobody supports" for a viewer who sees none of their supporters; the
  page takes those off for its viewer (``alignment.dashboard``);
- ``rows``: the team table (the scope's teams and one level of sub-teams, each with its own
  scope's numbers);
- ``lists``: for each list, the first entries among public objectives (``shown``), how many
  there are in all (``total``) and every private entry (``private``), all with their sort
  keys, so a page can merge in the private entries its viewer may see
  (``alignment.dashboard``); the stale list also counts its public entries by days of
  silence, so any "no check-in for N days" is answered from the stored figures;
- ``objectives``: what the lists show of each objective they name; ``private_ids``.

``alignment.snapshots`` stores the dicts and decides when to rebuild them.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from types import SimpleNamespace

from django.db.models import Exists, OuterRef
from django.db.models.functions import Coalesce
from django.utils import timezone

from checkins import pace
from objectives.models import KeyResult, Objective, published_q
from organizations.models import Membership, Period, Team, TeamMembership

from .duplicates import stored_pairs
from .health import alignment_health, share
from .rules import alignment_error
from .selectors import overlapping

Level = Objective.Level
Status = Objective.Status
RISKY = {"at_risk", "off_track"}
HISTOGRAM_BUCKETS = 10
SHOWN = 25  # entries each list shows
FLAGS_SHOWN = 15
# The team table shows the scope and one level of sub-teams; each row links to its own
# dashboard to drill down (a 300-team company would otherwise get a 300-row table).
TEAM_ROW_DEPTH = 1
COMPANY = "company"
# Stored figures in another layout are rebuilt before use; bump when the layout changes.
FIGURES_FORMAT = 3
DAY_SECONDS = 86400
SCOPE_KEY_LENGTH = 255  # DashboardSnapshot.scope

LISTS = {  # name: how many entries a page shows
    "unaligned": SHOWN,
    "unsupported": SHOWN,
    "unsupported_team": SHOWN,
    "at_risk": SHOWN,
    "duplicates": SHOWN,
    "stale": SHOWN,
    "flagged": FLAGS_SHOWN,
}
# Where each list's entries name their objectives (for the private-entry check). Entries
# are lists that sort in display order:
#   unaligned   [not a team objective, title, objective]
#   unsupported [title, objective]            company objectives (the company's "top")
#   unsupported_team [title, objective]       a team scope's own team objectives (its "top")
#   at_risk     [not off track, title, objective]
#   duplicates  [-score, objective, objective, [[child, parent], ...]] (the links the
#                alignment rules allow between the two, either way)
#   stale       [last seen (epoch s), kr, objective, kr title]
#   flagged     [-number of flags, gap, kr, objective, kr title, owner, percent, expected,
#                reasons]
OBJECTIVES_IN = {
    "unaligned": (2,),
    "unsupported": (1,),
    "unsupported_team": (1,),
    "at_risk": (2,),
    "duplicates": (1, 2),
    "stale": (2,),
    "flagged": (3,),
}


def scope_key(roots: Iterable[int] | None) -> str:
    """The stored scope of a dashboard: the company (``None``), or teams with sub-teams."""
    if roots is None:
        return COMPANY
    ids = sorted(set(roots))
    if len(ids) == 1:
        return f"team:{ids[0]}"
    key = "teams:" + ",".join(map(str, ids))
    if len(key) > SCOPE_KEY_LENGTH:  # a manager of dozens of teams: the column's limit
        key = "teams:#" + hashlib.sha256(key.encode()).hexdigest()
    return key


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


def supporters():
    """What may support an objective: its published children that are not abandoned."""
    return Objective.objects.filter(published_q()).exclude(status=Status.ABANDONED)


def is_supported(**among):
    """An objective is *supported* when something that is not abandoned aligns to it, from any
    period (a year's objective is supported by the quarters' work within it, done or not, as
    the alignment tree shows it). The one definition the "Supported" figures and the "nobody
    supports" lists share: an expression to annotate objectives with (``among``: only
    supporters matching these lookups)."""
    return Exists(supporters().filter(parent=OuterRef("pk"), **among))


def compute_scopes(
    org, period: Period, *, extra_roots: Iterable[frozenset[int]] = (), now=None
) -> dict[str, dict]:
    """Every scope's figures for ``period``: the company, each team (with its sub-teams),
    each set of teams a manager leads, and ``extra_roots``. Twelve queries in all."""
    return _PeriodFigures(org, period, extra_roots, now or timezone.now()).compute()


class _PeriodFigures:
    def __init__(self, org, period: Period, extra_roots, now):
        self.org, self.now = org, now
        self._rule_shapes: dict[tuple, bool] = {}
        # Drafts (and objectives awaiting review) count nowhere, whoever looks.
        self.in_period = overlapping(Objective.objects.for_org(org).filter(published_q()), period)
        rows = (
            self.in_period.annotate(
                supported=is_supported(),
                publicly=is_supported(visibility=Objective.Visibility.PUBLIC),
            )
            .order_by()
            .values_list(*ITEM_FIELDS, "supported", "publicly")
        )
        self.items, self.supported_ids = [], set()
        self.privately_supported: set[int] = set()  # only private objectives support these
        for *fields, supported, publicly in rows:
            self.items.append(Item(*fields))
            if supported:
                self.supported_ids.add(fields[0])
                if not publicly:
                    self.privately_supported.add(fields[0])
        self.by_id = {item.pk: item for item in self.items}
        self.teams = list(Team.objects.for_org(org).only("id", "parent_id", "name"))
        self.periods = {
            p.pk: p
            for p in Period.objects.for_org(org).only(
                "id", "org_id", "name", "start", "end", "is_closed"
            )
        }
        self.parent = {t.pk: t.parent_id for t in self.teams}
        self.ancestors = _ancestors_and_self(self.teams)
        self.person_teams: dict[int, list[int]] = {}
        for team_id, membership_id in (
            TeamMembership.objects.for_org(org)
            .filter(membership__is_active=True)
            .order_by("team_id", "membership_id")
            .values_list("team_id", "membership_id")
        ):
            self.person_teams.setdefault(membership_id, []).append(team_id)
        self.person_above = {p: self._teams_above(ts) for p, ts in self.person_teams.items()}
        self._define_scopes(extra_roots)

    def compute(self) -> dict[str, dict]:
        pairs = self._pairs()
        duplicated_ids = {i.pk for first, second, _ in pairs for i in (first, second)}
        partners: dict[int, list[Item]] = {}
        for a, b, _ in pairs:
            partners.setdefault(a.pk, []).append(b)
            partners.setdefault(b.pk, []).append(a)
        # Counted as duplicated or supported only through private objectives: whether a
        # viewer's figures count them depends on whether they may see one of those.
        self.private_partners = {
            pk: sorted(o.pk for o in found)
            for pk, found in partners.items()
            if all(o.private for o in found)
        }
        self.private_supporters = self._private_supporters()
        metrics = {key: self._numbers(key, duplicated_ids) for key in self.keys}
        company_private = [
            [i.pk, int(i.pk in self.supported_ids)]
            for i in self.items
            if i.level == Level.COMPANY and i.active and i.private
        ]
        # Objectives "nobody supports" for a viewer who sees none of their supporters.
        unsupported_unless_seen: dict[str, list] = {Level.COMPANY: [], Level.TEAM: []}
        for i in self.items:
            if (
                i.active
                and i.pk in self.private_supporters
                and i.level in (Level.COMPANY, Level.TEAM)
            ):
                unsupported_unless_seen[i.level].append([i.title.lower(), i.pk])
        lists = {key: {name: _List(cap) for name, cap in LISTS.items()} for key in self.keys}
        self._distribute_objective_lists(lists, pairs)
        self._distribute_stale(lists)
        self._distribute_flags(lists)
        shown_as = self._display()
        company = metrics[COMPANY][0]
        data = {}
        for key in self.keys:
            figures, histogram, no_progress, checked = metrics[key]
            scope_lists = {name: lst.to_json() for name, lst in lists[key].items()}
            scope_lists["stale"]["days"] = lists[key]["stale"].days
            row_teams = self._row_teams(key)
            team_tops = [
                e
                for e in unsupported_unless_seen[Level.TEAM]
                if key != COMPANY and key in self.item_scopes[e[1]]
            ]
            company_tops = unsupported_unless_seen[Level.COMPANY]
            checks = [checked, *(metrics[f"team:{t.pk}"][3] for t, _ in row_teams)]
            dup_ids = {pk for dups, _ in checks for pk in dups}
            top_ids = {pk for _, tops in checks for pk in tops}
            top_ids |= {e[1] for e in team_tops + company_tops}
            unseen = {
                "partners": {str(pk): self.private_partners[pk] for pk in sorted(dup_ids)},
                "supporters": {str(pk): self.private_supporters[pk] for pk in sorted(top_ids)},
                "scope": checked,
                "rows": checks[1:],
                "company": company_private,
                "company_tops": metrics[COMPANY][3][1],
                "unsupported": company_tops,
                "unsupported_team": team_tops,
            }
            named = {
                entry[index]
                for name, lst in scope_lists.items()
                for entry in lst["shown"] + lst["private"]
                for index in OBJECTIVES_IN[name]
            }
            named |= {e[1] for e in team_tops + company_tops}
            data[key] = {
                "format": FIGURES_FORMAT,
                "metrics": figures.to_json(),
                "histogram": histogram,
                "no_progress": no_progress,
                # The company objectives' support, which every scope's list of them counts.
                "company_support": [company.supported, company.top],
                "rows": [
                    [t.pk, t.name, depth, metrics[f"team:{t.pk}"][0].to_json()]
                    for t, depth in row_teams
                ],
                "lists": scope_lists,
                "unseen": unseen,
                "objectives": {str(pk): shown_as(self.by_id[pk]) for pk in named},
                "private_ids": sorted(pk for pk in named if self.by_id[pk].private),
            }
        return data

    # Teams and scopes -------------------------------------------------------------------

    def _teams_above(self, team_ids: list[int]) -> frozenset[int]:
        if len(team_ids) == 1:  # most people are in one team: share its set
            return self.ancestors.get(team_ids[0], frozenset(team_ids))
        return frozenset().union(*(self.ancestors.get(t, {t}) for t in team_ids))

    def _counted_in(self, item: Item) -> frozenset[int]:
        """The teams whose numbers an objective counts in: its team and the teams above it,
        or, for an individual objective, its owner's teams and the teams above those."""
        found = self._teams_above([item.team_id]) if item.team_id is not None else frozenset()
        if item.level == Level.INDIVIDUAL and item.owner_id in self.person_above:
            return found | self.person_above[item.owner_id]
        return found

    def _define_scopes(self, extra_roots) -> None:
        """The scopes, the objectives and people each counts, and each objective's scopes."""
        subtree: dict[int, set[int]] = {t.pk: set() for t in self.teams}
        for team_id, above in self.ancestors.items():
            for top in above:
                subtree[top].add(team_id)
        multi = {frozenset(r) for r in extra_roots if len(r) > 1}
        multi |= _manager_root_sets(self.org, self.parent)
        multi_teams = {
            scope_key(roots): set().union(*(subtree.get(r, {r}) for r in roots)) for roots in multi
        }
        # The teams whose own objectives are a scope's "top" ones (None: company objectives).
        self.top_teams: dict[str, set[int] | None] = {COMPANY: None}
        self.top_teams.update({f"team:{t}": ids for t, ids in subtree.items()})
        self.top_teams.update(multi_teams)
        self.keys = list(self.top_teams)

        self.item_scopes: dict[int, list[str]] = {}
        self.scope_items: dict[str, list[Item]] = {key: [] for key in self.keys}
        for item in self.items:
            teams_of = self._counted_in(item)
            keys = [COMPANY, *(f"team:{t}" for t in teams_of)]
            keys.extend(key for key, ids in multi_teams.items() if teams_of & ids)
            self.item_scopes[item.pk] = keys
            for key in keys:
                self.scope_items[key].append(item)

        self.people_of: dict[str, set[int]] = {key: set() for key in self.keys}
        self.people_of[COMPANY] = set(
            Membership.objects.for_org(self.org).filter(is_active=True).values_list("pk", flat=True)
        )
        for person, above in self.person_above.items():
            for team_id in above:
                self.people_of[f"team:{team_id}"].add(person)
        for roots in multi:
            self.people_of[scope_key(roots)] = set().union(
                *(self.people_of[f"team:{r}"] for r in roots if r in self.parent)
            )

    def _row_teams(self, key: str) -> list[tuple[Team, int]]:
        """The team table of a scope: its teams (depth 0) and their sub-teams (depth 1)."""
        if not hasattr(self, "_children"):
            self._children: dict[int | None, list[Team]] = {}
            for team in sorted(self.teams, key=lambda t: t.name.lower()):
                self._children.setdefault(team.parent_id, []).append(team)
            self._team_by_id = {t.pk: t for t in self.teams}
        if key.startswith("teams:"):  # several teams: rare, the general walk
            ordered = _team_order(self.teams, self.top_teams[key])
            return [(t, d) for t, d in ordered if d <= TEAM_ROW_DEPTH]
        if key == COMPANY:
            tops = self._children.get(None, [])
        else:
            tops = [self._team_by_id[int(key.removeprefix("team:"))]]
        return [
            (team, depth)
            for top in tops
            for team, depth in [(top, 0), *((c, 1) for c in self._children.get(top.pk, []))]
        ]

    # Numbers ----------------------------------------------------------------------------

    def _pairs(self) -> list[tuple[Item, Item, float]]:
        """Possible duplicates: look-alike active non-company objectives of different teams."""

        def team_key(item: Item):
            if item.team_id:
                return ("team", item.team_id)
            first = self.person_teams.get(item.owner_id)
            return ("team", first[0]) if first else ("person", item.owner_id)

        candidates = (
            self.in_period.exclude(level=Level.COMPANY)
            .exclude(status=Status.ABANDONED)
            .values("pk")
        )
        by_id = self.by_id
        found = []
        for p in stored_pairs(self.org.pk, candidates, without_dismissed=True):
            a, b = by_id[p.first_id], by_id[p.second_id]
            if team_key(a) == team_key(b):
                continue
            if a.parent_id == b.pk or b.parent_id == a.pk:  # one serves the other: not twice
                continue
            found.append((a, b, p.score))
        return found

    def _private_supporters(self) -> dict[int, list[int]]:
        """The private objectives supporting each objective that only private ones support
        (one query, only when there are such objectives)."""
        if not self.privately_supported:
            return {}
        found: dict[int, list[int]] = {}
        for parent_id, pk in (
            supporters()
            .filter(org_id=self.org.pk, parent_id__in=self.privately_supported)
            .order_by("parent_id", "id")
            .values_list("parent_id", "id")
        ):
            found.setdefault(parent_id, []).append(pk)
        return found

    def _links_allowed(self, a: Item, b: Item) -> list[list[int]]:
        """The links ``[child, parent]`` between a look-alike pair that the alignment rules
        allow (the service checks rights and cycles when one is asked for)."""
        return [
            [child.pk, parent.pk]
            for child, parent in ((a, b), (b, a))
            if self._rules_allow(child, parent)
        ]

    def _rules_allow(self, child: Item, parent: Item) -> bool:
        # The rules read only levels, teams and periods: a company's thousands of look-alike
        # pairs share a few hundred such shapes, so each is judged once per rebuild.
        shape = (
            child.level,
            child.team_id,
            child.period_id,
            parent.level,
            parent.team_id,
            parent.period_id,
        )
        allowed = self._rule_shapes.get(shape)
        if allowed is None:
            allowed = not alignment_error(
                self._as_objective(child), self._as_objective(parent), team_parents=self.parent
            )
            self._rule_shapes[shape] = allowed
        return allowed

    def _as_objective(self, item: Item) -> SimpleNamespace:
        # What ``alignment_error`` reads, without building a model instance per pair.
        return SimpleNamespace(
            pk=item.pk,
            org_id=self.org.pk,
            level=item.level,
            team_id=item.team_id,
            owner_id=item.owner_id,
            period=self.periods[item.period_id],
        )

    def _numbers(self, key: str, duplicated_ids: set[int]) -> tuple:
        """A scope's metrics, its progress histogram, how many have no progress yet, and
        which of its objectives count as duplicated or supported only through private
        objectives (``[duplicated, supported]``: the page checks those for its viewer)."""
        tally, tops = _Tally(self.people_of[key]), self.top_teams[key]
        histogram, no_progress = [0] * HISTOGRAM_BUCKETS, 0
        through_private: list[list[int]] = [[], []]
        for item in self.scope_items[key]:
            is_top = (
                item.level == Level.COMPANY
                if tops is None
                else item.level == Level.TEAM and item.team_id in tops
            )
            tally.add(
                item,
                is_top=is_top,
                supported=item.pk in self.supported_ids,
                duplicated=item.pk in duplicated_ids,
            )
            if not item.active:
                continue
            if item.level != Level.COMPANY and item.pk in self.private_partners:
                through_private[0].append(item.pk)
            if is_top and item.pk in self.private_supporters:
                through_private[1].append(item.pk)
            if item.progress is None:
                no_progress += 1
            else:
                bucket = min(HISTOGRAM_BUCKETS - 1, int(item.progress * HISTOGRAM_BUCKETS))
                histogram[bucket] += 1
        return tally.metrics(), histogram, no_progress, through_private

    # Lists: each entry goes, in display order, to every scope it belongs to --------------

    def _distribute(self, lists, name: str, entries) -> None:
        for entry, keys, private in entries:
            for key in keys:
                lists[key][name].add(entry, private=private)

    def _distribute_objective_lists(self, lists, pairs) -> None:
        scopes = self.item_scopes
        active = [i for i in self.items if i.active]
        unaligned = sorted(
            (i for i in active if i.level != Level.COMPANY and not i.parent_id),
            key=lambda i: (i.level != Level.TEAM, i.title.lower()),
        )
        self._distribute(
            lists,
            "unaligned",
            (
                ([int(i.level != Level.TEAM), i.title.lower(), i.pk], scopes[i.pk], i.private)
                for i in unaligned
            ),
        )
        at_risk = sorted(
            (i for i in active if i.confidence in RISKY and i.status != Status.DONE),
            key=lambda i: (i.confidence != "off_track", i.title.lower()),
        )
        self._distribute(
            lists,
            "at_risk",
            (
                ([int(i.confidence != "off_track"), i.title.lower(), i.pk], scopes[i.pk], i.private)
                for i in at_risk
            ),
        )
        unsupported_team = sorted(
            (i for i in active if i.level == Level.TEAM and i.pk not in self.supported_ids),
            key=lambda i: i.title.lower(),
        )
        self._distribute(
            lists,
            "unsupported_team",  # a team objective is "top" in every team scope that counts it
            (
                ([i.title.lower(), i.pk], [k for k in scopes[i.pk] if k != COMPANY], i.private)
                for i in unsupported_team
            ),
        )
        unsupported = sorted(
            (i for i in active if i.level == Level.COMPANY and i.pk not in self.supported_ids),
            key=lambda i: i.title.lower(),
        )
        self._distribute(
            lists,
            "unsupported",  # company objectives: the same list in every scope
            (([i.title.lower(), i.pk], self.keys, i.private) for i in unsupported),
        )
        self._distribute(
            lists,
            "duplicates",  # a pair shows wherever either side counts
            (
                (
                    [-score, a.pk, b.pk, self._links_allowed(a, b)],
                    {*scopes[a.pk], *scopes[b.pk]},
                    a.private or b.private,
                )
                for a, b, score in pairs
            ),
        )

    def _distribute_stale(self, lists) -> None:
        """KRs of the period's unfinished objectives without a check-in for a day or more,
        the longest silent first, with each scope's public ones counted by days of silence."""
        silent = sorted(
            KeyResult.objects.for_org(self.org)
            .filter(objective__in=self.in_period.exclude(status=Status.DONE).values("pk"))
            # Measured from contributing objectives: it takes no check-ins, so is never silent.
            .exclude(measured_by=KeyResult.MeasuredBy.CONTRIBUTORS)
            .annotate(last_seen=Coalesce("last_checkin_at", "updated_at"))
            .filter(last_seen__lt=self.now - datetime.timedelta(days=1))
            .order_by()
            .values_list("last_seen", "id", "objective_id", "title")
        )
        entries = []
        for last_seen, kr_id, objective_id, title in silent:
            item = self.by_id.get(objective_id)
            if item is None or not item.active:
                continue
            keys = self.item_scopes[item.pk]
            if not item.private:
                days = str(int((self.now - last_seen).total_seconds() // DAY_SECONDS))
                for key in keys:
                    counts = lists[key]["stale"].days
                    counts[days] = counts.get(days, 0) + 1
            entries.append(
                ([last_seen.timestamp(), kr_id, objective_id, title], keys, item.private)
            )
        self._distribute(lists, "stale", entries)

    def _distribute_flags(self, lists) -> None:
        """KRs whose confidence or silence does not match their pace (``checkins.pace``)."""
        key_results = KeyResult.objects.for_org(self.org).filter(
            objective__in=self.in_period.exclude(status=Status.ABANDONED).values("pk")
        )
        flagged = pace.flag_queryset(self.org, key_results)
        owners = self._names({f.kr.owner_id for f in flagged})
        entries = []
        for f in flagged:
            item = self.by_id[f.kr.objective_id]
            entry = [
                -len(f.pace.flags),
                f.pace.gap,
                f.kr.pk,
                item.pk,
                f.kr.title,
                owners.get(f.kr.owner_id, ""),
                f.pace.percent,
                f.pace.expected_percent,
                f.reasons,
            ]
            entries.append((entry, self.item_scopes[item.pk], item.private))
        self._distribute(lists, "flagged", entries)

    # What the lists show --------------------------------------------------------------

    def _names(self, membership_ids: set[int]) -> dict[int, str]:
        return {
            pk: full_name or email
            for pk, full_name, email in Membership.objects.for_org(self.org)
            .filter(pk__in=membership_ids)
            .values_list("pk", "user__full_name", "user__email")
        }

    def _display(self):
        """What the lists show of an objective, so a page needs no further query."""
        period_names = {pk: p.name for pk, p in self.periods.items()}
        team_names = {t.pk: t.name for t in self.teams}
        owners = self._names({i.owner_id for i in self.items if i.owner_id is not None})

        closed = {pk for pk, p in self.periods.items() if p.is_closed}

        def shown_as(item: Item) -> list:
            return [
                item.title,
                item.level,
                item.confidence,
                period_names.get(item.period_id, ""),
                team_names.get(item.team_id),
                owners.get(item.owner_id),
                item.team_id,
                item.owner_id,
                item.period_id in closed,
            ]

        return shown_as


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
