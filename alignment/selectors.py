"""Reads shared by the alignment pages, each with a fixed number of queries."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When, Window
from django.db.models.expressions import RawSQL
from django.db.models.functions import Lower, RowNumber
from django.http import Http404

from objectives.coach import NO_SUGGESTIONS, Offer, Suggestions
from objectives.models import KeyResult, Objective
from objectives.permissions import visible_objectives
from organizations.clock import current_period
from organizations.markdown import markdown_to_text
from organizations.models import Membership, Period, Team, TeamMembership

from . import rules
from .chain import (
    ancestors_and_self_subquery,
    descendant_ids_of,
    descendants_and_self_subquery,
)
from .duplicates import similar_to_text
from .models import AlsoSupports
from .nodes import LEVEL_ORDER, Node, build_forest

OBJECTIVE_RELATED = ("owner__user", "team", "period")
PICKER_LIMIT = 50
PICKER_FIELDS = (
    "org_id",
    "level",
    "title",
    "team__name",
    "owner_id",
    "parent_id",
    "period__name",
    "period__start",
    "period__end",
)
PANEL_CHILDREN = 10  # contributors the objective page lists; the subtree page lists all
TREE_OTHERS_LIMIT = 10  # unaligned objectives on the tree's first level; Explore lists all


# Periods ------------------------------------------------------------------------------------


def company_periods(org) -> list[Period]:
    return list(Period.objects.for_org(org).order_by("-start", "end"))


def resolve_period(org, period_id, periods: list[Period] | None = None) -> Period | None:
    """The asked period of this company (404 if foreign), else the company's current period:
    the current quarter (``organizations.clock``, as on every OKR page), else the current
    year, else the current month."""
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
        current = current_period(org, kind, periods)
        if current is not None:
            return current
    return None


def overlapping(queryset: QuerySet, period: Period, periods: list[Period] | None = None):
    """Rows whose period overlaps ``period`` (a year's objective shows in each quarter).

    The periods are matched by id (from ``periods``, the company's, when the page has them
    loaded; else in a subquery), so PostgreSQL reads the objectives through their period
    index: a join filtered on the period's dates made it scan every objective.
    """
    if periods is not None:
        ids = [p.pk for p in periods if p.start <= period.end and p.end >= period.start]
        return queryset.filter(period_id__in=ids)
    others = Period.objects.filter(
        org_id=period.org_id, start__lte=period.end, end__gte=period.start
    )
    return queryset.filter(period__in=others.values("id"))


# Trees --------------------------------------------------------------------------------------


def visible_id_set(queryset: QuerySet, membership: Membership) -> set[int] | None:
    """None means "everything" (admins); otherwise the ids this person may see."""
    if membership.is_admin:
        return None
    return set(visible_objectives(queryset, membership).values_list("pk", flat=True))


# What a tree node shows (``alignment_tags.tree_node``), and nothing else: pages list dozens.
NODE_FIELDS = (
    "id",
    "org_id",
    "level",
    "title",
    "visibility",
    "status",
    "parent_id",
    "parent_key_result_id",
    "contribution_weight",
    "progress",
    "aligned_progress",
    "confidence",
    "period__name",
    "period__start",
    "period__end",
    "team__name",
    "owner__user__full_name",
    "owner__user__email",
)


PATH_FIELDS = ("id", "org_id", "level", "title", "progress", "aligned_progress", "confidence")


def node_objectives(queryset: QuerySet) -> list[Objective]:
    return list(queryset.select_related(*OBJECTIVE_RELATED).only(*NODE_FIELDS))


def count_children(nodes: list[Node], membership: Membership) -> None:
    """Set each node's ``child_count``: the objectives aligned to it this viewer may see, in
    any period (one query)."""
    if not nodes:
        return
    children = Objective.objects.filter(
        org_id=membership.org_id, parent_id__in=[n.pk for n in nodes]
    )
    counts = dict(
        visible_objectives(children, membership)
        .order_by()
        .values("parent_id")
        .annotate(n=Count("id"))
        .values_list("parent_id", "n")
    )
    for node in nodes:
        node.child_count = counts.get(node.pk, 0)


@dataclass
class TreeTop:
    company: list[Node]  # company objectives at the top of the period's tree
    others: list[Node]  # the first ``limit`` team and individual objectives aligned to nothing
    others_total: int
    nodes: dict[int, Node] | None = None  # everything below them, when expanded

    @property
    def more_others(self) -> int:
        return self.others_total - len(self.others)


def tree_top(
    org,
    period: Period,
    membership: Membership,
    *,
    periods: list[Period],
    limit: int = TREE_OTHERS_LIMIT,
    count: bool = True,
) -> TreeTop:
    """The first level of the alignment tree: objectives overlapping ``period`` that the
    viewer may see and whose parent is outside the period or hidden from them. ``periods``:
    the company's, loaded by the page.

    Three queries whatever the company's size: the first level as plain tuples (PostgreSQL
    finds it, rather than sending every objective of the period to be sifted here), the
    nodes shown, and their children counts.
    """
    visible = visible_objectives(
        overlapping(Objective.objects.for_org(org), period, periods), membership
    )
    starts = {p.pk: p.start for p in periods}
    rows = visible.exclude(parent_id__in=visible.values("pk")).order_by()
    tops = sorted(
        rows.values_list("id", "level", "period_id", "title"),
        key=lambda row: (LEVEL_ORDER.get(row[1], 9), starts[row[2]], row[3].lower(), row[0]),
    )
    company = [row[0] for row in tops if row[1] == Objective.Level.COMPANY]
    others = [row[0] for row in tops if row[1] != Objective.Level.COMPANY]
    shown = company + others[:limit]
    loaded = {o.pk: o for o in node_objectives(Objective.objects.filter(pk__in=shown))}
    nodes = [Node(objective=loaded[pk]) for pk in shown]
    if count:  # else the caller counts them with more nodes (the map: one query for all)
        count_children(nodes, membership)
    return TreeTop(
        company=nodes[: len(company)], others=nodes[len(company) :], others_total=len(others)
    )


def expand_tree(top: TreeTop, org, membership: Membership) -> None:
    """Load everything that aligns to the tree's first level (every period), linked."""
    top_nodes = top.company + top.others
    below = descendant_ids_of([n.pk for n in top_nodes], org.pk)
    qs = Objective.objects.for_org(org).filter(pk__in=below)
    visible = visible_id_set(qs, membership)
    nodes = build_forest(
        [n.objective for n in top_nodes]
        + node_objectives(qs.exclude(pk__in=[n.pk for n in top_nodes])),
        visible_ids=None if visible is None else visible | {n.pk for n in top_nodes},
    )
    for node in top_nodes:  # the first level keeps its nodes; link them to what was loaded
        node.children = nodes[node.pk].children
    top.nodes = nodes


def visible_children(objective: Objective, membership: Membership) -> QuerySet:
    """What aligns directly to ``objective`` (every period) that the viewer may see, in
    tree order (company, team, individual; earlier periods first; by title)."""
    children = Objective.objects.filter(org_id=objective.org_id, parent_id=objective.pk)
    return visible_objectives(children, membership).order_by(
        _level_rank(), "period__start", Lower("title"), "pk"
    )


# Company, team, individual: the tree's order of levels, as SQL over the objectives table
# of the main query. Written out rather than as ``Case(When(...))``, which Django took
# longer to compile than PostgreSQL took to run the whole query.
_LEVEL_RANK_SQL = "CASE {table}.level {whens} ELSE 9 END".format(
    table=Objective._meta.db_table,
    whens=" ".join(f"WHEN '{level}' THEN {rank}" for level, rank in LEVEL_ORDER.items()),
)


def _level_rank() -> RawSQL:
    return RawSQL(_LEVEL_RANK_SQL, (), output_field=IntegerField())


def child_nodes(objective: Objective, membership: Membership) -> list[Node]:
    """The visible children as nodes, each with its own count of children: two queries."""
    nodes = [Node(objective=o) for o in node_objectives(visible_children(objective, membership))]
    count_children(nodes, membership)
    return nodes


# Contribution path --------------------------------------------------------------------------


VISION_LIMIT = 320  # characters of the vision quoted on one line; longer ones link to the rest

# A Markdown heading line ("# Our vision") read as the start of a sentence ("Our vision: ...").
_HEADING = re.compile(r"^[ \t]{0,3}#{1,6}[ \t]+(.*?[^\s.!?:;…])[ \t#]*$", re.MULTILINE)


class Excerpt(str):
    """Plain text quoted from a longer text; ``cut`` when it stops short (then link to it)."""

    cut: bool

    def __new__(cls, text: str, cut: bool = False):
        excerpt = super().__new__(cls, text)
        excerpt.cut = cut
        return excerpt

    @property
    def text(self) -> str:
        return str(self)


def cut_at_word(text: str, limit: int) -> Excerpt:
    """``text`` whole when it fits in ``limit`` characters, else its words that fit and "…"."""
    if len(text) <= limit:
        return Excerpt(text)
    head = text[: limit - 1]  # one character left for the ellipsis
    if not (head[-1].isspace() or text[limit - 1].isspace()):  # inside a word: leave it out
        words = head.rsplit(None, 1)
        head = words[0] if len(words) > 1 else head  # one endless word: cut it anyway
    return Excerpt(head.rstrip(" \t,;:-–—") + "…", cut=True)


def vision_excerpt(org, limit: int = VISION_LIMIT) -> Excerpt:
    """The company's vision as one line of plain text: whole, or cut at a word with "…"."""
    return cut_at_word(markdown_to_text(_HEADING.sub(r"\1:", org.vision or "")), limit)


@dataclass
class Contribution:
    node: Node
    path: list[Node | None]  # from the parent upwards; None marks a step hidden from the viewer
    children: list[Node]  # the first ``PANEL_CHILDREN``
    children_total: int
    vision: Excerpt
    # The key result of the parent it contributes to ("" when it serves the objective).
    key_result: str = ""
    also_supports: list[Objective] = field(default_factory=list)
    also_supported_by: list[Objective] = field(default_factory=list)

    @property
    def also_supports_pairs(self) -> list[tuple[str, list[Objective]]]:
        return [
            ("Also supports", self.also_supports),
            ("Also supported by", self.also_supported_by),
        ]


def contribution(objective: Objective, membership: Membership) -> Contribution:
    """The objective's path up to the company vision and what aligns to it.

    Three queries whatever the depth (more when a step of the path or of an "also supports"
    link is private): the ancestors (a recursive CTE inside the query that loads them), the
    first direct children the viewer may see, with their number, and the "also supports"
    links both ways. A private step the viewer may not see
    is shown as hidden. The numbers are the stored roll-ups: nothing below is loaded.
    """
    org_id = objective.org_id
    path: list[Node | None] = []
    key_result = ""
    if objective.parent_id is not None:
        # A path step shows its level, title and own progress, and the title of the key
        # result it serves above (the one join): from the objective itself upwards.
        steps = {
            o.pk: o
            for o in Objective.objects.filter(
                org_id=org_id, pk__in=ancestors_and_self_subquery(objective.pk, org_id)
            )
            .select_related("parent_key_result")
            .only(
                *PATH_FIELDS,
                "parent_id",
                "visibility",
                "status",
                "owner_id",
                "parent_key_result__title",
            )
        }
        if objective.pk in steps and steps[objective.pk].parent_key_result_id:
            key_result = steps[objective.pk].parent_key_result.title
            steps[objective.pk].parent_key_result = None  # said once, as ``key_result``
        hidden = set()
        if not membership.is_admin:
            private = {
                pk for pk, o in steps.items() if o.is_restricted and o.owner_id != membership.pk
            }
            if private:  # the visibility rules, asked only about private steps and drafts
                seen = visible_objectives(Objective.objects.filter(pk__in=private), membership)
                hidden = private - set(seen.values_list("pk", flat=True))
        step, walked = objective.parent_id, {objective.pk}
        while step in steps and step not in walked:
            walked.add(step)
            if step in hidden:
                path.append(None)
            else:
                above = steps[step]
                serves = above.parent_key_result.title if above.parent_key_result_id else ""
                path.append(Node(objective=above, key_result=serves))
            step = steps[step].parent_id
    # The first few children and how many there are in all, in one query (a window count).
    first = node_objectives(
        visible_children(objective, membership).annotate(total=Window(Count("pk")))[:PANEL_CHILDREN]
    )
    children = [Node(objective=o) for o in first]
    total = first[0].total if first else 0
    supports, supported_by = [], []
    if getattr(objective, "has_support_links", True):  # the objective page knows: no query
        supports, supported_by = also_supports_of(objective, membership)
    return Contribution(
        node=Node(objective=objective),
        path=path,
        children=children,
        children_total=total,
        vision=vision_excerpt(objective.org),
        key_result=key_result,
        also_supports=supports,
        also_supported_by=supported_by,
    )


def also_supports_of(
    objective: Objective, membership: Membership
) -> tuple[list[Objective], list[Objective]]:
    """What ``objective`` also supports and what also supports it, among the objectives the
    viewer may see (a hidden end is left out: nothing leaks), each with ``link_id``. One
    query (two when a private one or a draft is among them: the visibility rules are asked
    about those only)."""
    rows = list(
        AlsoSupports.objects.filter(org_id=objective.org_id)
        .filter(Q(objective_id=objective.pk) | Q(supported_id=objective.pk))
        .select_related("objective", "supported")
        .only(
            *(f"{end}__{name}" for end in ("objective", "supported") for name in LINK_FIELDS),
            "objective_id",
            "supported_id",
        )
        .order_by("created_at", "id")
    )
    others = [r.supported if r.objective_id == objective.pk else r.objective for r in rows]
    restricted = {o.pk for o in others if o.is_restricted and o.owner_id != membership.pk}
    if restricted and not membership.is_admin:
        seen = visible_objectives(Objective.objects.filter(pk__in=restricted), membership)
        restricted -= set(seen.values_list("pk", flat=True))
    elif membership.is_admin:
        restricted = set()
    supports, supported_by = [], []
    for row, other in zip(rows, others, strict=True):
        if other.pk in restricted:
            continue
        other.link_id = row.pk
        (supports if row.objective_id == objective.pk else supported_by).append(other)
    return supports, supported_by


LINK_FIELDS = ("id", "org_id", "title", "level", "visibility", "status", "owner_id", "progress")


def kr_contributor_nodes(kr, membership: Membership) -> list[Node]:
    """The objectives contributing to key result ``kr`` that the viewer may see, in tree
    order (one query)."""
    aligned = Objective.objects.filter(org_id=kr.org_id, parent_key_result_id=kr.pk)
    rows = visible_objectives(aligned, membership).order_by(
        _level_rank(), "period__start", Lower("title"), "pk"
    )
    return [Node(objective=o) for o in node_objectives(rows)]


# Parent picker ------------------------------------------------------------------------------


@dataclass
class PickerGroup:
    label: str
    objectives: list[Objective]
    # (id, title) of each objective's key results, when the picker offers them too.
    key_results: dict[int, list[tuple[int, str]]] | None = None

    @property
    def entries(self) -> list[tuple[Objective, list[tuple[int, str]]]]:
        """Each objective with the key results offered under it (the align panel's picker)."""
        krs = self.key_results or {}
        return [(o, krs.get(o.pk, [])) for o in self.objectives]


def kr_choice_value(kr_id: int) -> str:
    """How the picker names a key result among objectives' ids: "kr:<id>"."""
    return f"kr:{kr_id}"


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
    teams: list[tuple[int, int | None, str]] | None = None,
    with_key_results: bool = False,
) -> list[PickerGroup] | None:
    """Parents the rules allow and the person may see, best first, in groups:
    their teams' and those teams' ancestors' objectives, company objectives, other matches.

    ``None`` means the child is not described enough yet (no level or period). ``teams``:
    the company's ``(id, parent_id, name)`` if the caller loaded them already.
    ``with_key_results``: each objective's key results too (one more query), to contribute
    to one of them.
    """
    child = _child_spec(org, objective=objective, level=level, team=team, period=period)
    if child is None:
        return None
    if teams is None:
        teams = list(Team.objects.for_org(org).values_list("id", "parent_id", "name"))
    team_parents = {team_id: parent_id for team_id, parent_id, _ in teams}
    my_teams = set(
        TeamMembership.objects.filter(membership=membership).values_list("team_id", flat=True)
    )
    near_teams = set(my_teams)
    for team_id in my_teams:
        near_teams |= rules.team_ancestors(team_id, team_parents)

    cp = child.period
    # The periods containing the child's, as ids: PostgreSQL then walks the
    # (org, period, level) index instead of scanning every objective of the company.
    periods = Period.objects.for_org(org).filter(start__lte=cp.start, end__gte=cp.end)
    qs = Objective.objects.for_org(org).filter(period__in=periods.values("id"))
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
        qs = qs.exclude(pk__in=descendants_and_self_subquery(child.pk, org.pk))
    q = (q or "").strip()[:200]
    if q:
        # Team names are matched here, from the teams already loaded, so the search needs
        # no join to filter.
        named = [team_id for team_id, _, name in teams if q.casefold() in name.casefold()]
        qs = qs.filter(Q(title__icontains=q) | Q(description__icontains=q) | Q(team_id__in=named))
    qs = visible_objectives(qs, membership).annotate(
        rank=Case(
            When(team_id__in=near_teams, then=Value(0)),
            When(level=Objective.Level.COMPANY, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        )
    )
    # Only what the option labels and the alignment rules read.
    candidates = list(
        qs.select_related("team", "period")
        .only(*PICKER_FIELDS)
        .order_by("rank", "-period__start", "title")[:limit]
    )
    labels = ["Your teams", "Company objectives", "Other matches" if q else "Other teams"]
    groups = [PickerGroup(label, []) for label in labels]
    for candidate in candidates:
        # The same rules as the service, so the picker never offers a refused link.
        if rules.alignment_error(child, candidate, team_parents=team_parents) is None:
            groups[candidate.rank].objectives.append(candidate)
    groups = [g for g in groups if g.objectives]
    if with_key_results and groups:
        krs: dict[int, list[tuple[int, str]]] = {}
        rows = KeyResult.objects.filter(
            org_id=org.pk, objective_id__in=[o.pk for g in groups for o in g.objectives]
        ).order_by("objective_id", "position", "id")
        for objective_id, kr_id, title in rows.values_list("objective_id", "id", "title"):
            krs.setdefault(objective_id, []).append((kr_id, title))
        for group in groups:
            group.key_results = krs
    return groups


# A supporting objective -----------------------------------------------------------------------


def supporting_initial(org, membership: Membership, parent_id: int, *, current=None) -> dict:
    """Where the new-objective form starts to support objective ``parent_id`` ("write a
    supporting objective"): that parent, a level (and team) the person may write at, and a
    period within the parent's: ``current`` (the current quarter) when it lies within, else
    the parent's own.

    A team objective of the first team the person manages that may align there, else an
    individual one. Empty when the person may not see that objective (nothing leaks) or
    nothing they may write could align to it. Three queries at most.
    """
    if parent_id > 2**63 - 1:
        return {}
    parent = (
        visible_objectives(Objective.objects.for_org(org).filter(pk=parent_id), membership)
        .exclude(level=Objective.Level.INDIVIDUAL)
        .exclude(status=Objective.Status.ABANDONED)
        .select_related("period")
        .first()
    )
    if parent is None:
        return {}
    pp = parent.period
    within = current is not None and pp.start <= current.start and current.end <= pp.end
    period = current if within else pp
    team_parents = dict(Team.objects.for_org(org).values_list("id", "parent_id"))
    managed = TeamMembership.objects.filter(
        membership=membership, is_manager=True, team__org=org
    ).order_by("team__name")
    choices = [
        (Objective.Level.TEAM, team_id) for team_id in managed.values_list("team_id", flat=True)
    ]
    for level, team_id in [*choices, (Objective.Level.INDIVIDUAL, None)]:
        child = Objective(org_id=org.pk, level=level, team_id=team_id, period=period)
        if rules.alignment_error(child, parent, team_parents=team_parents) is None:
            return {"parent": parent, "period": period, "level": level, "team": team_id}
    return {}


# Map ------------------------------------------------------------------------------------------


def first_children(parents: list[Node], membership: Membership, limit: int) -> dict[int, list]:
    """The first ``limit`` objectives aligned to each of ``parents`` that the viewer may see
    (every period, tree order), in two queries however many parents: PostgreSQL numbers each
    parent's children and keeps the first ones' ids, then their nodes load. Numbering bare
    ids and loading the nodes apart halves the time: Django compiles a window over the
    joined node columns several times slower than PostgreSQL runs it (docs/performance.md)."""
    if not parents:
        return {}
    children = Objective.objects.filter(
        org_id=membership.org_id, parent_id__in=[n.pk for n in parents]
    )
    ranked = (
        visible_objectives(children, membership)
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("parent_id")],
                order_by=[
                    _level_rank().asc(),
                    F("period__start").asc(),
                    Lower("title").asc(),
                    "pk",
                ],
            )
        )
        .filter(rank__lte=limit)
        .order_by("parent_id", "rank")
    )
    ids = list(ranked.values_list("pk", flat=True))
    loaded = {o.pk: o for o in node_objectives(Objective.objects.filter(pk__in=ids))}
    found: dict[int, list] = {n.pk: [] for n in parents}
    for pk in ids:
        found[loaded[pk].parent_id].append(loaded[pk])
    return found


def map_branches(top: TreeTop, membership: Membership, limit: int) -> dict[int, list[Node]]:
    """The children the map draws under each company objective of the tree's first level,
    and the children counts of every node drawn, the first level's included (three queries;
    ``top`` comes from ``tree_top(..., count=False)``)."""
    found = first_children(top.company, membership, limit)
    nodes = {pk: [Node(objective=o) for o in objectives] for pk, objectives in found.items()}
    drawn = [n for children in nodes.values() for n in children]
    count_children(top.company + top.others + drawn, membership)
    return nodes


def also_supports_pairs(org, layout) -> list[tuple[int, int]]:
    """The "also supports" links between objectives a map layout draws (one query; none
    when it draws fewer than two boxes)."""
    drawn = [b.pk for b in layout.boxes] + [
        b.pk for b in (layout.side.boxes if layout.side else [])
    ]
    if len(drawn) < 2:
        return []
    return list(
        AlsoSupports.objects.filter(
            org_id=org.pk, objective_id__in=drawn, supported_id__in=drawn
        ).values_list("objective_id", "supported_id")
    )


def map_children(objective: Objective, membership: Membership, limit: int):
    """The first ``limit`` visible children of ``objective`` as nodes and how many there are
    in all (a window count), each with its own count of children: two queries."""
    first = node_objectives(
        visible_children(objective, membership).annotate(total=Window(Count("pk")))[:limit]
    )
    nodes = [Node(objective=o) for o in first]
    count_children(nodes, membership)
    return nodes, (first[0].total if first else 0)


# The writing coach ------------------------------------------------------------------------------

LOOKALIKES_SHOWN = 3
LIKELY_PARENTS_SHOWN = 3


def _offer(objective: Objective, *, can_align: bool) -> Offer:
    owner = objective.owner.name if objective.owner_id else ""
    where = objective.team.name if objective.team_id else ""
    detail = " · ".join(
        part for part in (objective.get_level_display(), where, objective.period.name) if part
    )
    return Offer(objective.pk, objective.title, owner=owner, detail=detail, can_align=can_align)


def coach_suggestions(
    org,
    membership: Membership,
    *,
    text: str,
    level: str | None,
    team: Team | None,
    period: Period | None,
    objective_id: int | None = None,
    parent_id: int | None = None,
) -> Suggestions:
    """What the writing coach offers beside an objective being written: look-alike
    objectives already in the company (the trigram search of ``duplicates``, among those the
    person may see) and, while it aligns to nothing, the likely parents (the parent picker's
    best candidates). ``objective_id``: the objective being edited (never its own
    look-alike). At most seven queries, whatever the company's size."""
    if period is None:
        return NO_SUGGESTIONS
    child = Objective(
        pk=objective_id,
        org=org,
        level=level if level in Objective.Level.values else "",
        team=team if level == Objective.Level.TEAM else None,
        period=period,
    )
    found = dict(similar_to_text(org.pk, text, period, exclude_id=objective_id))
    found.pop(parent_id, None)  # already aligned to it: what it should be
    lookalikes: list[Objective] = []
    if found:
        rows = visible_objectives(
            Objective.objects.for_org(org)
            .filter(pk__in=found)
            .exclude(status=Objective.Status.ABANDONED),  # given up: nothing to align to
            membership,
        )
        lookalikes = sorted(
            rows.select_related("owner__user", "team", "period"), key=lambda o: -found[o.pk]
        )[:LOOKALIKES_SHOWN]
    described = child.level == Objective.Level.INDIVIDUAL or (
        child.level == Objective.Level.TEAM and child.team_id is not None
    )
    wants_parents = parent_id is None and described
    teams = None  # loaded once, for the alignment rules of both
    if wants_parents or (child.level and any(o.level != "individual" for o in lookalikes)):
        teams = list(Team.objects.for_org(org).values_list("id", "parent_id", "name"))
    team_parents = {team_id: parent for team_id, parent, _ in teams or ()}

    def may_align(candidate: Objective) -> bool:  # as the picker would offer it
        return (
            bool(child.level)
            and candidate.status in (Objective.Status.ACTIVE, Objective.Status.DONE)
            and rules.alignment_error(child, candidate, team_parents=team_parents) is None
        )

    likely: list[Offer] = []
    if wants_parents:
        groups = eligible_parents(
            org=org,
            membership=membership,
            objective=child,
            limit=LIKELY_PARENTS_SHOWN * 2,
            teams=teams,
        )
        candidates = [o for group in groups or () for o in group.objectives]
        likely = [
            Offer(o.pk, o.title, detail=_picker_detail(o), can_align=True)
            for o in candidates[:LIKELY_PARENTS_SHOWN]
        ]
    return Suggestions(
        lookalikes=tuple(_offer(o, can_align=may_align(o)) for o in lookalikes),
        likely_parents=tuple(likely),
    )


def _picker_detail(objective: Objective) -> str:
    where = objective.team.name if objective.team_id else "Company"
    return f"{where} · {objective.period.name}"
