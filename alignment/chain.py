"""Walking alignment links in the database: one recursive query each way (bounded depth)."""

from django.db import connection
from django.db.models.expressions import RawSQL

from objectives.models import Objective

MAX_DEPTH = 100

_ANCESTORS_SQL = """
WITH RECURSIVE chain(id, parent_id, depth) AS (
    SELECT id, parent_id, 0 FROM {table} WHERE id = %s AND org_id = %s
    UNION ALL
    SELECT o.id, o.parent_id, chain.depth + 1
    FROM {table} o JOIN chain ON o.id = chain.parent_id
    WHERE chain.depth < {max_depth} AND o.org_id = %s
)
SELECT id FROM chain ORDER BY depth
"""

_DESCENDANTS_SQL = """
WITH RECURSIVE sub(id, depth) AS (
    SELECT id, 0 FROM {table} WHERE id = %s AND org_id = %s
    UNION ALL
    SELECT o.id, sub.depth + 1
    FROM {table} o JOIN sub ON o.parent_id = sub.id
    WHERE sub.depth < {max_depth} AND o.org_id = %s
)
SELECT DISTINCT id FROM sub
"""


def _run(sql: str, objective_id: int, org_id: int) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            sql.format(table=Objective._meta.db_table, max_depth=MAX_DEPTH),
            [objective_id, org_id, org_id],
        )
        return [row[0] for row in cursor.fetchall()]


def ancestor_ids(objective_id: int, org_id: int, *, include_self: bool = True) -> list[int]:
    """Ids from the objective up to its root (nearest first)."""
    chain: list[int] = []
    for pk in _run(_ANCESTORS_SQL, objective_id, org_id):
        if pk in chain:  # corrupt data with a cycle: stop at the first repeat
            break
        chain.append(pk)
    return chain if include_self else chain[1:]


def ancestors_and_self_subquery(objective_id: int, org_id: int) -> RawSQL:
    """The ids of the objective and its ancestors, for ``pk__in=`` (no query of its own)."""
    sql = _ANCESTORS_SQL.format(table=Objective._meta.db_table, max_depth=MAX_DEPTH)
    return RawSQL(sql, (objective_id, org_id, org_id))


def descendants_and_self_subquery(objective_id: int, org_id: int) -> RawSQL:
    """The ids of the objective and of all that aligns to it, for ``pk__in=`` (no query of
    its own)."""
    sql = _DESCENDANTS_SQL.format(table=Objective._meta.db_table, max_depth=MAX_DEPTH)
    return RawSQL(sql, (objective_id, org_id, org_id))


def descendant_ids(objective_id: int, org_id: int, *, include_self: bool = True) -> set[int]:
    """Ids of everything that aligns to the objective, directly or indirectly."""
    ids = set(_run(_DESCENDANTS_SQL, objective_id, org_id))
    if not include_self:
        ids.discard(objective_id)
    return ids


_DESCENDANTS_OF_MANY_SQL = """
WITH RECURSIVE sub(id, depth) AS (
    SELECT id, 0 FROM {table} WHERE id = ANY(%s) AND org_id = %s
    UNION
    SELECT o.id, sub.depth + 1
    FROM {table} o JOIN sub ON o.parent_id = sub.id
    WHERE sub.depth < {max_depth} AND o.org_id = %s
)
SELECT DISTINCT id FROM sub
"""


def descendant_ids_of(objective_ids: list[int], org_id: int) -> set[int]:
    """Ids of the objectives and of everything aligned to them, directly or indirectly."""
    if not objective_ids:
        return set()
    if connection.vendor != "postgresql":  # SQLite has no arrays: one walk per objective
        return set().union(*(descendant_ids(pk, org_id) for pk in objective_ids))
    with connection.cursor() as cursor:
        cursor.execute(
            _DESCENDANTS_OF_MANY_SQL.format(table=Objective._meta.db_table, max_depth=MAX_DEPTH),
            [list(objective_ids), org_id, org_id],
        )
        return {row[0] for row in cursor.fetchall()}
