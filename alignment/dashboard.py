"""One viewer's alignment dashboard, read from the stored figures of its scope.

The figures (``alignment.figures``, kept by ``alignment.snapshots``) hold the numbers and each
list's first public entries with the scope's private ones. A page reads one stored row, asks
which of the private objectives the row names this viewer may see (one query, only for
non-admins with private work in or around the scope), merges those into the lists and takes
off the numbers what they owe to the others, so figures and lists come from the same visible
set. It runs no query that grows with the company.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from checkins.nudges import last_nudges, nudged_days_ago
from objectives.models import KeyResult, Objective
from objectives.permissions import can_edit_objective, managed_team_ids, visible_objectives
from objectives.presenters import RowUrls
from organizations.models import Membership, Period, Team

from .figures import DAY_SECONDS, LISTS, OBJECTIVES_IN, Metrics
from .models import DuplicateDismissal, SimilarObjectives
from .rules import alignment_error
from .services import team_parent_map
from .snapshots import scope_snapshot

Level = Objective.Level
DEFAULT_STALE_DAYS = 14


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
    team_id: int | None = None
    owner_id: int | None = None
    period_closed: bool = False

    @property
    def level_label(self) -> str:
        return LEVEL_LABELS.get(self.level, self.level)

    @property
    def confidence_label(self) -> str:
        return CONFIDENCE_LABELS.get(self.confidence, "No key results")

    @property
    def whose(self) -> str:
        """The team, else the owner."""
        return self.team_name or self.owner_name or ""


@dataclass
class AlignOption:
    """One way to resolve a look-alike pair: put ``child`` under ``parent``."""

    child: Listed
    parent: Listed


@dataclass
class DuplicatePair:
    first: Listed
    second: Listed
    score: float
    # The links the alignment rules allow that this viewer may make (the child is theirs).
    align_options: list[AlignOption] = field(default_factory=list)

    @property
    def percent(self) -> int:
        return round(self.score * 100)


@dataclass
class StaleKeyResult:
    title: str
    objective: Listed
    last_seen: datetime.datetime
    days: int
    kr_id: int = 0
    nudged_days: int | None = None  # company days since the last nudge; None: never


@dataclass
class FlagRow:
    kr_id: int
    title: str
    owner_name: str
    percent: int
    expected_percent: int
    reasons: list[str]
    nudged_days: int | None = None


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
    unsupported: list[Listed]  # company objectives nothing aligns to
    unsupported_total: int
    unsupported_team: list[Listed]  # a team scope's own objectives nothing aligns to
    unsupported_team_total: int
    company_supported: int  # company objectives something aligns to ...
    company_top: int  # ... of all the period's company objectives
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
    # The whole company (its "top" objectives are the company's), else teams (their own).
    is_company: bool = True

    @property
    def flagged_more(self) -> int:
        return self.flagged_total - len(self.flagged)


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
    roots = None if roots is None else frozenset(roots)
    snapshot = scope_snapshot(org, period, roots)
    data, as_of = snapshot.data, snapshot.computed_at
    if getattr(snapshot, "current_version", snapshot.version) != snapshot.version:
        _drop_dismissed_since(org, data, as_of)  # figures a little behind: not those pairs
    private_ids = set(data["private_ids"])
    unseen = data["unseen"]
    partners, supporters = unseen["partners"], unseen["supporters"]
    # Every private objective the figures or lists depend on: the lists' own, and those
    # through which an objective counts as duplicated or supported (``alignment.figures``).
    checked = private_ids.union(
        *partners.values(), *supporters.values(), (pk for pk, _ in unseen["company"])
    )
    if membership.is_admin or not checked:
        seen_private = checked
    else:
        seen_private = set(
            visible_objectives(
                Objective.objects.for_org(org).filter(pk__in=checked), membership
            ).values_list("pk", flat=True)
        )
    hidden = checked - seen_private

    def none_seen(among: dict, pk: int) -> bool:
        return all(other in hidden for other in among[str(pk)])

    def metrics_seen(values: list, through_private: list) -> Metrics:
        """Stored numbers less what this viewer cannot see: an objective whose look-alikes
        (or supporters) are all hidden from them is not duplicated (supported) for them."""
        metrics = Metrics.from_json(values)
        if not hidden:
            return metrics
        duplicated, tops = through_private
        return replace(
            metrics,
            duplicated=metrics.duplicated - sum(none_seen(partners, pk) for pk in duplicated),
            supported=metrics.supported - sum(none_seen(supporters, pk) for pk in tops),
        )

    company_supported, company_top = data["company_support"]
    for pk, supported in unseen["company"]:
        if pk in hidden:  # a private company objective they may not see: not counted
            company_top -= 1
            company_supported -= supported
    company_supported -= sum(
        pk not in hidden and none_seen(supporters, pk) for pk in unseen["company_tops"]
    )

    def unsupported_for_viewer(name: str) -> list:
        """Objectives only hidden objectives support: "nobody supports" them, for this viewer."""
        if not hidden:
            return []
        return [e for e in unseen[name] if e[1] not in hidden and none_seen(supporters, e[1])]

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

    def with_total(name: str, more: list = ()) -> tuple[list, int]:
        entries, extra = merged(name)
        if more:
            entries = sorted(entries + more)[: LISTS[name]]
        return entries, data["lists"][name]["total"] + extra + len(more)

    unaligned, unaligned_total = with_total("unaligned")
    unsupported, unsupported_total = with_total(
        "unsupported", unsupported_for_viewer("unsupported")
    )
    unsupported_team, unsupported_team_total = with_total(
        "unsupported_team", unsupported_for_viewer("unsupported_team")
    )
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
            (title, level, confidence, period_name, team_name, owner_name, *ids) = data[
                "objectives"
            ][str(pk)]
            href = row_urls("objectives:objective", objective_id=pk)
            listed[pk] = Listed(
                pk, title, level, confidence, period_name, team_name, owner_name, href, *ids
            )
        return listed[pk]

    def shown(entries: list) -> list[Listed]:
        return [listed_as(e[-1]) for e in entries]

    # When each listed key result was last nudged (one query, only with such a list).
    nudges = last_nudges(org, {e[1] for e in stale} | {e[2] for e in flagged})

    def nudged_days(kr_id: int) -> int | None:
        moment = nudges.get(kr_id)
        return None if moment is None else nudged_days_ago(org, moment)

    def may_edit(objective: Listed) -> bool:
        """The edit right (``objectives.permissions.can_edit_objective``) from what the
        stored figures hold, without a query; the service checks it again."""
        if membership.is_admin:
            return True
        if objective.period_closed:
            return False
        if objective.level == Level.TEAM:
            return objective.team_id in managed_team_ids(membership)
        return objective.level == Level.INDIVIDUAL and objective.owner_id == membership.pk

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
        metrics=metrics_seen(data["metrics"], unseen["scope"]),
        team_rows=[
            TeamRow(
                RowTeam(pk, name),
                depth,
                metrics_seen(values, through_private),
                href=f"{row_urls('alignment:team-dashboard', team_id=pk)}?period={period.pk}",
            )
            for (pk, name, depth, values), through_private in zip(
                data["rows"], unseen["rows"], strict=True
            )
        ],
        unaligned=shown(unaligned),
        unaligned_total=unaligned_total,
        unsupported=shown(unsupported),
        unsupported_total=unsupported_total,
        unsupported_team=shown(unsupported_team),
        unsupported_team_total=unsupported_team_total,
        company_supported=company_supported,
        company_top=company_top,
        at_risk=shown(at_risk),
        at_risk_total=at_risk_total,
        stale=[
            StaleKeyResult(
                title,
                listed_as(objective_id),
                datetime.datetime.fromtimestamp(seen, tz=datetime.UTC),
                int((as_of.timestamp() - seen) // DAY_SECONDS),
                kr_id,
                nudged_days(kr_id),
            )
            for seen, kr_id, objective_id, title in stale
        ],
        stale_total=stale_total,
        duplicates=[
            DuplicatePair(
                listed_as(a),
                listed_as(b),
                -minus_score,
                [
                    AlignOption(listed_as(child), listed_as(parent))
                    for child, parent in links
                    if may_edit(listed_as(child))
                ],
            )
            for minus_score, a, b, links in duplicates
        ],
        duplicates_total=duplicates_total,
        flagged=[FlagRow(e[2], *e[4:], nudged_days=nudged_days(e[2])) for e in flagged],
        flagged_total=flagged_total,
        histogram=data["histogram"],
        no_progress=data["no_progress"],
        stale_days=stale_days,
        is_company=roots is None,
    )


def _drop_dismissed_since(org, data: dict, as_of: datetime.datetime) -> None:
    """Stored figures a little behind (rebuilt in the background) still list pairs someone
    has since marked "not a duplicate": leave those out now (one query, only then)."""
    lists = data["lists"]["duplicates"]
    if not (lists["shown"] or lists["private"]):
        return
    dismissed = set(
        DuplicateDismissal.objects.for_org(org)
        .filter(created_at__gte=as_of)
        .values_list("objective_a_id", "objective_b_id")
    )
    if not dismissed:
        return
    shown = [e for e in lists["shown"] if (e[1], e[2]) not in dismissed]
    lists["total"] -= len(lists["shown"]) - len(shown)
    lists["shown"] = shown
    lists["private"] = [e for e in lists["private"] if (e[1], e[2]) not in dismissed]


def _listed(org, objective: Objective) -> Listed:
    owner = objective.owner
    return Listed(
        objective.pk,
        objective.title,
        objective.level,
        objective.confidence,
        objective.period.name,
        objective.team.name if objective.team_id else None,
        (owner.user.get_full_name() if owner is not None else None),
        RowUrls(org.slug)("objectives:objective", objective_id=objective.pk),
        objective.team_id,
        objective.owner_id,
        objective.period.is_closed,
    )


def duplicate_pair_of(org, membership: Membership, first: Objective, second: Objective):
    """One look-alike pair as the dashboard's row shows it, from loaded objectives (after an
    action on it: the row is drawn again in place)."""
    a, b = sorted((first, second), key=lambda o: o.pk)
    score = (
        SimilarObjectives.objects.for_org(org)
        .filter(first=a, second=b)
        .values_list("score", flat=True)
        .first()
    )
    team_parents = team_parent_map(org.pk)
    options = [
        AlignOption(_listed(org, child), _listed(org, parent))
        for child, parent in ((a, b), (b, a))
        if child.parent_id != parent.pk
        and parent.parent_id != child.pk
        and alignment_error(child, parent, team_parents=team_parents) is None
        and can_edit_objective(membership, child)
    ]
    return DuplicatePair(_listed(org, a), _listed(org, b), score or 0.0, options)
