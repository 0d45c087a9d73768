"""What the search box finds: objectives, key results, people and teams of one company.

Visibility is Explore's (``objectives.selectors.visible``): a private objective or a draft,
and every key result of it, is found only by those who may open it. One query per kind, each
cut to ``limit + 1`` rows (the extra row only says "there is more").

Matching is a case-insensitive substring of a lower-cased text expression. On PostgreSQL
each expression has a pg_trgm GIN index (``alignment`` 0004 for objectives' title and
description, ``search`` 0001 for the rest), so ``LIKE '%grow%'`` is an index lookup at any
company size; SQLite (``make run``) scans, which is fine at its size.

Ranking: titles (names) starting with the query first, then objectives and key results of
the current period, then newer periods, then by title. A common word matches thousands of
key results in a large company, and joining and sorting them all to show 25 cost 20 ms; so
objectives and key results are ranked in two steps. The first reads only the matched table
and keeps the ``CANDIDATES`` best by starts-with, current period, newest first; the second
joins and ranks just those. A match beyond them is still found by a more specific query.

The four statements are SQL written here, not built by the ORM: the search box asks them on
every keystroke, and composing and compiling four ranked querysets cost as much as running
them (about 7 ms at 5,000 people, docs/performance.md). The one rule they share with every
other page, who may see which objective, is not rewritten: it is ``visible()``'s own WHERE
clause, compiled once per search (``_visibility``).
"""

from dataclasses import dataclass, field

from django.db import connection

from objectives.models import Objective
from objectives.selectors import visible
from organizations.clock import company_today

QUERY_MAX = 100  # characters of the query that count; the rest is ignored
QUERY_MIN = 2  # one letter matches nearly everything, and no trigram index helps it
CANDIDATES = 100  # objectives (key results) ranked in full, of the many a common word matches
MATCHES_SORTED_MAX = 100_000  # a bound that is never reached: the LIMIT keeps a subquery whole


def clean_query(raw: str | None) -> str:
    """The query as searched: trimmed, shortened, without characters no text contains."""
    text = (raw or "").replace("\x00", "")
    return " ".join(text.split())[:QUERY_MAX]


# --- rows ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ObjectiveHit:
    pk: int
    title: str
    level: str
    visibility: str
    team_name: str | None
    owner_name: str | None
    period_name: str

    @property
    def level_label(self) -> str:
        return Objective.Level(self.level).label

    @property
    def is_private(self) -> bool:
        return self.visibility == Objective.Visibility.PRIVATE


@dataclass(frozen=True)
class KeyResultHit:
    pk: int
    title: str
    objective_title: str
    period_name: str


@dataclass(frozen=True)
class PersonHit:
    pk: int
    name: str
    job_title: str
    email: str


@dataclass(frozen=True)
class TeamHit:
    pk: int
    name: str
    parent_name: str | None


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


# --- statements ------------------------------------------------------------------------------

VISIBLE_TABLE = '"objectives_objective"'  # the alias visible()'s WHERE clause names


def _visibility(org, viewer) -> tuple[str, list]:
    """``visible(org, viewer)``'s WHERE clause over ``"objectives_objective"`` (the company
    included), compiled by the ORM: the visibility rule stays in one place."""
    queryset = visible(org, viewer)
    compiler = queryset.query.get_compiler(using=queryset.db)
    compiler.setup_query()
    sql, params = compiler.compile(queryset.query.where)
    return sql, list(params)


def _patterns(text: str) -> tuple[str, str]:
    """LIKE patterns of "contains" and "starts with" the lower-cased query, its own % and _
    escaped as the database expects them."""
    escaped = connection.ops.prep_for_like_query(text.lower())
    return f"%{escaped}%", f"{escaped}%"


def statements(org, viewer, text: str, *, limit: int) -> dict[str, tuple[str, list]]:
    """Each kind's SQL and parameters (also read by the test that every kind uses its
    trigram index)."""
    like = connection.operators["contains"]  # "LIKE %s", with ESCAPE where the database needs it
    contains, starts = _patterns(text)
    seen_sql, seen_params = _visibility(org, viewer)
    today = company_today(org)
    current = (
        "SELECT cp.id FROM organizations_period cp WHERE cp.org_id = %s "
        'AND (cp.is_current OR (cp.start <= %s AND cp."end" >= %s))'
    )
    current_params = [org.pk, today, today]
    cut = limit + 1

    objectives = (
        "SELECT o.id, o.title, o.level, o.visibility, t.name, u.full_name, u.email, p.name "
        "FROM objectives_objective o "
        "JOIN organizations_period p ON p.id = o.period_id "
        "LEFT JOIN organizations_team t ON t.id = o.team_id "
        "LEFT JOIN organizations_membership m ON m.id = o.owner_id "
        "LEFT JOIN accounts_user u ON u.id = m.user_id "
        f"WHERE o.id IN (SELECT {VISIBLE_TABLE}.id FROM objectives_objective {VISIBLE_TABLE} "
        f"  WHERE {seen_sql} "
        f"  AND lower({VISIBLE_TABLE}.title || ' ' || {VISIBLE_TABLE}.description) {like} "
        f"  ORDER BY CASE WHEN lower({VISIBLE_TABLE}.title) {like} THEN 0 ELSE 1 END, "
        f"  CASE WHEN {VISIBLE_TABLE}.period_id IN ({current}) THEN 0 ELSE 1 END, "
        f"  {VISIBLE_TABLE}.id DESC LIMIT %s) "
        f"ORDER BY CASE WHEN lower(o.title) {like} THEN 0 ELSE 1 END, "
        f"CASE WHEN o.period_id IN ({current}) THEN 0 ELSE 1 END, "
        "p.start DESC, o.title, o.id LIMIT %s"
    )
    objective_params = [
        *seen_params, contains, starts, *current_params, CANDIDATES,
        starts, *current_params, cut,
    ]  # fmt: skip

    # Key results: the matches sorted on their own table first (a subquery its LIMIT keeps
    # whole), then their objectives looked up one by one, in that order, until CANDIDATES
    # are visible; left to itself PostgreSQL hashed every visible objective first.
    key_results = (
        "SELECT k.id, k.title, o.title, p.name "
        "FROM objectives_keyresult k "
        "JOIN objectives_objective o ON o.id = k.objective_id "
        "JOIN organizations_period p ON p.id = o.period_id "
        "WHERE k.id IN (SELECT ranked.id FROM ("
        f"    SELECT kr.id, kr.objective_id, CASE WHEN lower(kr.title) {like} THEN 0 ELSE 1 END"
        "     AS search_rank FROM objectives_keyresult kr "
        f"    WHERE kr.org_id = %s AND lower(kr.title) {like} "
        "     ORDER BY 3, kr.id DESC LIMIT %s) ranked "
        f"  WHERE ranked.objective_id IN (SELECT {VISIBLE_TABLE}.id "
        f"    FROM objectives_objective {VISIBLE_TABLE} WHERE {seen_sql}) "
        "   ORDER BY ranked.search_rank, ranked.id DESC LIMIT %s) "
        f"ORDER BY CASE WHEN lower(k.title) {like} THEN 0 ELSE 1 END, "
        f"CASE WHEN o.period_id IN ({current}) THEN 0 ELSE 1 END, "
        "p.start DESC, k.title, k.id LIMIT %s"
    )
    key_result_params = [
        starts, org.pk, contains, MATCHES_SORTED_MAX, *seen_params, CANDIDATES,
        starts, *current_params, cut,
    ]  # fmt: skip

    people = (
        "SELECT m.id, u.full_name, m.job_title, u.email "
        "FROM organizations_membership m JOIN accounts_user u ON u.id = m.user_id "
        f"WHERE m.org_id = %s AND m.is_active AND lower(u.full_name || ' ' || u.email) {like} "
        f"ORDER BY CASE WHEN lower(u.full_name) {like} THEN 0 ELSE 1 END, u.full_name, m.id "
        "LIMIT %s"
    )
    teams = (
        "SELECT t.id, t.name, parent.name "
        "FROM organizations_team t LEFT JOIN organizations_team parent ON parent.id = t.parent_id "
        f"WHERE t.org_id = %s AND lower(t.name) {like} "
        f"ORDER BY CASE WHEN lower(t.name) {like} THEN 0 ELSE 1 END, t.name, t.id LIMIT %s"
    )
    return {
        "objectives": (objectives, objective_params),
        "key_results": (key_results, key_result_params),
        "people": (people, [org.pk, contains, starts, cut]),
        "teams": (teams, [org.pk, contains, starts, cut]),
    }


def _objective(row) -> ObjectiveHit:
    pk, title, level, visibility, team_name, full_name, email, period_name = row
    owner = (full_name or email) if email else None
    return ObjectiveHit(pk, title, level, visibility, team_name, owner, period_name)


ROWS = {
    "objectives": _objective,
    "key_results": lambda row: KeyResultHit(*row),
    "people": lambda row: PersonHit(row[0], row[1] or row[3], row[2], row[3]),
    "teams": lambda row: TeamHit(*row),
}


def search(org, viewer, text: str, *, limit: int) -> Found:
    """Everything of ``org`` matching ``text`` that ``viewer`` may see (four queries, plus
    the viewer's permission facts when not loaded yet); nothing for a query shorter than
    ``QUERY_MIN``."""
    found = Found(query=text, limit=limit)
    if len(text) < QUERY_MIN:
        return found
    with connection.cursor() as cursor:
        for kind, (sql, params) in statements(org, viewer, text, limit=limit).items():
            cursor.execute(sql, params)
            rows = [ROWS[kind](row) for row in cursor.fetchall()]
            found.more[kind] = len(rows) > limit
            setattr(found, kind, rows[:limit])
    return found
