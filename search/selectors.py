"""What the search box finds: objectives, key results, people and teams of one company.

Visibility is Explore's (``objectives.selectors.visible``): a private objective, and every
key result of it, is found only by those who may open it. One query per kind, each cut to
``limit + 1`` rows (the extra row only says "there is more").

Matching is a case-insensitive substring of a lower-cased text expression. On PostgreSQL
each expression has a pg_trgm GIN index (``alignment`` 0004 for objectives' title and
description, ``search`` 0001 for the rest), so ``LIKE '%grow%'`` is an index lookup at any
company size; SQLite (``make run``) scans, which is fine at its size.
"""

from dataclasses import dataclass, field

from django.db.models import Case, CharField, F, Func, IntegerField, QuerySet, Value, When

from objectives.models import KeyResult
from objectives.selectors import visible
from organizations.models import Membership, Team

QUERY_MAX = 100  # characters of the query that count; the rest is ignored
QUERY_MIN = 2  # one letter matches nearly everything, and no trigram index helps it


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


def _starts_first(column: str, text: str) -> Case:
    """Rows whose ``column`` starts with the query sort before those that merely contain it."""
    return Case(
        When(**{f"{column}__istartswith": text}, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
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
    _cut(
        found,
        "objectives",
        _matching(objectives, ("title", "description"), text)
        .select_related("period", "team", "owner__user")
        .order_by(_starts_first("title", text), "-period__start", "title", "id"),
    )
    _cut(
        found,
        "key_results",
        _matching(KeyResult.objects.for_org(org), ("title",), text)
        .filter(objective__in=objectives.values("pk"))
        .select_related("objective__period")
        .order_by(_starts_first("title", text), "-objective__period__start", "title", "id"),
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
        .order_by(_starts_first("user__full_name", text), "user__full_name", "id"),
    )
    _cut(
        found,
        "teams",
        _matching(Team.objects.for_org(org), ("name",), text)
        .select_related("parent")
        .order_by(_starts_first("name", text), "name", "id"),
    )
    return found
