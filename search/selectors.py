"""What the search box finds: objectives, key results, people and teams of one company.

Visibility is Explore's (``objectives.selectors.visible``): a private objective, and every
key result of it, is found only by those who may open it. One query per kind, each cut to
``limit + 1`` rows (the extra row only says "there is more").

Matching is a case-insensitive substring of a lower-cased text expression. On PostgreSQL
each expression has a pg_trgm GIN index (``alignment`` 0004 for objectives' title and
description, ``search`` 0001 for the rest), so ``LIKE '%grow%'`` is an index lookup at any
company size; SQLite (``make run``) scans, which is fine at its size.

Ranking: titles (names) starting with the query first, then objectives and key results of
the current period, then newer periods, then by title. A common word matches thousands of
key results in a large company, and joining and sorting them all to show 25 cost 20 ms; so
objectives and key results are ranked in two steps. The first reads only the matched
table (and the small id sets of the visible objectives and of the current periods' ones)
and keeps the ``CANDIDATES`` best by starts-with, current period, newest first; the second
joins and ranks just those. A match beyond them is still found by a more specific query.
"""

from dataclasses import dataclass, field

from django.db.models import Case, CharField, F, Func, IntegerField, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL

from objectives.models import KeyResult, Objective
from objectives.selectors import visible
from organizations.clock import company_today
from organizations.models import Membership, Period, Team

QUERY_MAX = 100  # characters of the query that count; the rest is ignored
QUERY_MIN = 2  # one letter matches nearly everything, and no trigram index helps it
CANDIDATES = 100  # objectives (key results) ranked in full, of the many a common word matches
MATCHES_SORTED_MAX = 100_000  # a bound that is never reached: the LIMIT keeps a subquery whole
# What the hits show (search.presenters, components/search_hits.jinja): rows without
# descriptions and timestamps are cheaper to send and to turn into objects.
OBJECTIVE_COLUMNS = (
    "title", "level", "visibility", "period__name", "period__start", "team__name",
    "owner__user__full_name", "owner__user__email",
)  # fmt: skip
KEY_RESULT_COLUMNS = (
    "title", "objective__title", "objective__period__name", "objective__period__start",
)  # fmt: skip


def clean_query(raw: str | None) -> str:
    """The query as searched: trimmed, shortened, without characters no text contains."""
    text = (raw or "").replace("\x00", "")
    return " ".join(text.split())[:QUERY_MAX]


class _Lower(Func):
    """``lower(a || ' ' || b)``, spelt exactly as the trigram indexes are built."""

    template = "lower(%(expressions)s)"
    arg_joiner = " || ' ' || "
    output_field = CharField()


def _matching(queryset: QuerySet, columns: tuple[str, ...], text: str) -> QuerySet:
    return queryset.alias(search_text=_Lower(*[F(column) for column in columns])).filter(
        search_text__contains=text.lower()
    )


def _first_when(*condition: Q, **lookups) -> Case:
    """0 for rows meeting the condition, 1 for the others: an ascending sort puts them first."""
    return Case(
        When(*condition, **lookups, then=Value(0)), default=Value(1), output_field=IntegerField()
    )


def _starts_first(column: str, text: str) -> Case:
    """Rows whose ``column`` starts with the query sort before those that merely contain it."""
    return _first_when(**{f"{column}__istartswith": text})


def _current_periods(org) -> QuerySet:
    """Ids of the company's current periods (of any kind): marked current, or containing
    today in company time. A subquery on a few dozen rows."""
    today = company_today(org)
    return (
        Period.objects.for_org(org)
        .filter(Q(is_current=True) | Q(start__lte=today, end__gte=today))
        .values("pk")
    )


def _best_candidates(matches: QuerySet, title: str, text: str, *first: Q) -> QuerySet:
    """The ids of the ``CANDIDATES`` best of ``matches``, sorted on their own columns (no
    join before the cut): starts-with first, then those meeting ``first``, then the newest."""
    order = [_starts_first(title, text), *(_first_when(q) for q in first), "-pk"]
    return matches.order_by(*order).values("pk")[:CANDIDATES]


def _best_visible_key_results(matches: QuerySet, title: str, text: str, objectives) -> RawSQL:
    """The ids of the ``CANDIDATES`` best key results of ``matches`` (starts-with first, then
    the newest) on ``objectives`` (a visible() queryset).

    Left to itself, PostgreSQL checks every match's objective (hashing all the company's
    visible objectives) before sorting. Here the matches are sorted first, in a subquery
    its LIMIT keeps whole, and their objectives are looked up one by one, in that order,
    until ``CANDIDATES`` are visible."""
    ordered = (
        matches.annotate(search_rank=_starts_first(title, text))
        .order_by("search_rank", "-pk")
        .values("id", "objective_id", "search_rank")[:MATCHES_SORTED_MAX]
    )
    ordered_sql, ordered_params = ordered.query.sql_with_params()
    visible_sql, visible_params = objectives.order_by().values("pk").query.sql_with_params()
    return RawSQL(
        f"SELECT m.id FROM ({ordered_sql}) m WHERE m.objective_id IN ({visible_sql}) "
        "ORDER BY m.search_rank, m.id DESC LIMIT %s",
        (*ordered_params, *visible_params, CANDIDATES),
    )


@dataclass
class Found:
    """Up to ``limit`` rows of each kind, and whether each kind had more."""

    query: str
    limit: int
    objectives: list = field(default_factory=list)
    key_results: list = field(default_factory=list)
    people: list = field(default_factory=list)
    teams: list = field(default_factory=list)
    more: dict = field(default_factory=dict)

    @property
    def kinds(self):
        """(key, label, rows, has_more) for each kind, in the order the results show them."""
        return [
            ("objectives", "Objectives", self.objectives, self.more.get("objectives")),
            ("key_results", "Key results", self.key_results, self.more.get("key_results")),
            ("people", "People", self.people, self.more.get("people")),
            ("teams", "Teams", self.teams, self.more.get("teams")),
        ]

    @property
    def too_short(self) -> bool:
        return 0 < len(self.query) < QUERY_MIN

    @property
    def total(self) -> int:
        return len(self.objectives) + len(self.key_results) + len(self.people) + len(self.teams)


def _cut(found: Found, kind: str, queryset: QuerySet) -> None:
    rows = list(queryset[: found.limit + 1])
    found.more[kind] = len(rows) > found.limit
    setattr(found, kind, rows[: found.limit])


def search(org, viewer, text: str, *, limit: int) -> Found:
    """Everything of ``org`` matching ``text`` that ``viewer`` may see (four queries, plus
    the viewer's permission facts when not loaded yet); nothing for a query shorter than
    ``QUERY_MIN``."""
    found = Found(query=text, limit=limit)
    if len(text) < QUERY_MIN:
        return found
    objectives = visible(org, viewer)
    current = _current_periods(org)
    candidates = _best_candidates(
        _matching(objectives, ("title", "description"), text),
        "title",
        text,
        Q(period_id__in=current),
    )
    _cut(
        found,
        "objectives",
        Objective.objects.filter(pk__in=candidates)
        .select_related("period", "team", "owner__user")
        .only(*OBJECTIVE_COLUMNS)
        .order_by(
            _starts_first("title", text),
            _first_when(period_id__in=current),
            "-period__start",
            "title",
            "id",
        ),
    )
    # A key result's period is its objective's: telling the current ones apart before the
    # cut would join every match, so the newest stand for them (ranked by period after).
    candidates = _best_visible_key_results(
        _matching(KeyResult.objects.for_org(org), ("title",), text), "title", text, objectives
    )
    _cut(
        found,
        "key_results",
        KeyResult.objects.filter(pk__in=candidates)
        .select_related("objective__period")
        .only(*KEY_RESULT_COLUMNS)
        .order_by(
            _starts_first("title", text),
            _first_when(objective__period_id__in=current),
            "-objective__period__start",
            "title",
            "id",
        ),
    )
    _cut(
        found,
        "people",
        _matching(
            Membership.objects.for_org(org).filter(is_active=True),
            ("user__full_name", "user__email"),
            text,
        )
        .select_related("user")
        .only("job_title", "user__full_name", "user__email")
        .order_by(_starts_first("user__full_name", text), "user__full_name", "id"),
    )
    _cut(
        found,
        "teams",
        _matching(Team.objects.for_org(org), ("name",), text)
        .select_related("parent")
        .only("name", "parent__name")
        .order_by(_starts_first("name", text), "name", "id"),
    )
    return found
