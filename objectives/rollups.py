"""Stored roll-ups: each objective's own progress, aligned progress and worst KR confidence.

Pages of a large company cannot load a whole period's objectives and key results to roll
progress up on every visit, so the numbers live on ``Objective`` (``progress``,
``aligned_progress``, ``confidence``) and every write that can change them refreshes the
objective and its ancestors in the same transaction (``refresh_rollups``).

What counts (the arithmetic is ``objectives.progress``):
- own progress: the objective's KRs by weight; worst confidence: of those KRs;
- aligned progress: own KRs plus every *counted* child's aligned progress, each weighing
  its ``contribution_weight``.
- a key result measured from its contributors: the weighted mean of its counted
  contributors' aligned progress, written back as its ``current_value`` (in the same pass,
  before its objective's own progress is computed), so a contributor's check-in moves the
  key result, its objective and that objective's ancestors. An objective aligned to a key
  result counts only through it: not at all while the key result is measured by check-ins.
  "Also supports" links (``alignment.AlsoSupports``) are display-only and never read here.
  A child counts when it is public and not abandoned: private work never shifts a number
  that people who may not see it read, and the stored number is the same for everyone.

Concurrency: two check-ins under the same parent would each recompute the parent from what
they saw and the later commit would lose the other's change. Every OKR write of a company
therefore takes the company's write lock first (``lock_okr_writes``, a transaction-level
advisory lock on PostgreSQL; SQLite serialises writers anyway), before touching any row,
so refreshes run one after the other and always lock in the same order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import Q

from organizations.models import note_data_change

from .models import ROLLUP_FIELDS, KeyResult, Objective, seen_by_everyone_q
from .progress import kr_progress, value_for_progress, weighted_mean

Confidence = KeyResult.Confidence
CONFIDENCE_RANK = {Confidence.ON_TRACK: 0, Confidence.AT_RISK: 1, Confidence.OFF_TRACK: 2}
MAX_DEPTH = 100
STORED_PLACES = Decimal("0.000001")  # the columns' six decimal places

# Test seam: called between computing and writing, to widen a race window in tests.
_before_save: Callable[[], None] | None = None

# High 32 bits of the advisory-lock key ("ALG"), so our keys do not collide with others'.
_LOCK_NAMESPACE = 0x41_4C_47


def lock_okr_writes(org_id: int) -> None:
    """Serialise the company's OKR writes until the transaction ends (call it first), and
    mark its data as changed for the dashboards (``note_data_change``)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s)", [(_LOCK_NAMESPACE << 32) | int(org_id)]
            )
    note_data_change(org_id)


def counts_upward(*, visibility: str, status: str) -> bool:
    """Whether a child's aligned progress counts in its parent's: public, published (not a
    draft, nor awaiting review) and not abandoned."""
    return (
        visibility == Objective.Visibility.PUBLIC
        and status != Objective.Status.ABANDONED
        and status not in Objective.UNPUBLISHED
    )


def counted_children_q(prefix: str = "") -> Q:
    return seen_by_everyone_q(prefix) & ~Q(**{f"{prefix}status": Objective.Status.ABANDONED})


def worst_confidence(confidences: Iterable[str]) -> str:
    """The worst of the confidences, or "" when there are none."""
    worst = ""
    for value in confidences:
        if not worst or CONFIDENCE_RANK.get(value, 0) > CONFIDENCE_RANK.get(worst, 0):
            worst = value
    return worst


@dataclass
class Rollup:
    progress: Decimal | None
    aligned_progress: Decimal | None
    confidence: str


# One KR as the roll-up reads it:
# (kind, start, target, current, weight, confidence, id, measured_by).
KR_VALUES = (
    "kind", "start_value", "target_value", "current_value", "weight", "confidence", "id",
    "measured_by",
)  # fmt: skip
# One counted child as the roll-up reads it: (id, contribution weight, parent key result id).
Child = tuple[int, Decimal, "int | None"]
CONTRIBUTORS = KeyResult.MeasuredBy.CONTRIBUTORS


def _stored(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(STORED_PLACES)


def compute_rollups(
    ids: Iterable[int],
    *,
    key_results: dict[int, list[tuple]],
    children: dict[int, list[Child]],
    stored_aligned: dict[int, Decimal | None],
    kr_values: dict[int, Decimal] | None = None,
) -> dict[int, Rollup]:
    """Roll-ups of ``ids``, bottom-up, from plain data.

    ``children`` maps a parent to its *counted* children; a child among ``ids`` is computed
    here first, any other child contributes its ``stored_aligned`` value. A corrupt cycle is
    cut where it closes. ``kr_values`` receives the value of every key result measured from
    its contributors (those that have a counted, measured contributor).
    """
    wanted = set(ids)
    result: dict[int, Rollup] = {}
    on_stack: set[int] = set()

    def child_value(child: int) -> Decimal | None:
        if child in wanted:
            return result[child].aligned_progress if child in result else None
        return stored_aligned.get(child)

    def visit(root: int) -> None:
        stack: list[tuple[int, bool]] = [(root, False)]
        while stack:
            pk, expanded = stack.pop()
            if pk in result:
                continue
            if not expanded:
                if pk in on_stack:
                    continue
                on_stack.add(pk)
                stack.append((pk, True))
                stack.extend(
                    (c, False)
                    for c, _, _ in children.get(pk, [])
                    if c in wanted and c not in result
                )
                continue
            on_stack.discard(pk)
            direct: list[tuple[Decimal, Decimal]] = []
            through_kr: dict[int, list[tuple[Decimal, Decimal]]] = {}
            for child, weight, kr_id in children.get(pk, []):
                value = child_value(child)
                if value is not None:
                    (direct if kr_id is None else through_kr.setdefault(kr_id, [])).append(
                        (value, weight)
                    )
            krs = key_results.get(pk, [])
            own_parts = []
            for kind, start, target, current, weight, _, kr_id, measured_by in krs:
                if measured_by == CONTRIBUTORS:
                    measured = weighted_mean(through_kr.get(kr_id, []))
                    if measured is not None:  # without measured contributors it stays put
                        current = value_for_progress(
                            kind=kind, start=start, target=target, progress=measured
                        )
                        if kr_values is not None:
                            kr_values[kr_id] = current
                progress = kr_progress(kind=kind, start=start, target=target, current=current)
                own_parts.append((progress, weight))
            result[pk] = Rollup(
                progress=_stored(weighted_mean(own_parts)),
                aligned_progress=_stored(weighted_mean(own_parts + direct)),
                confidence=worst_confidence(kr[5] for kr in krs),
            )

    for pk in wanted:
        visit(pk)
    return result


_ANCESTORS_SQL = """
WITH RECURSIVE chain(id, parent_id, depth) AS (
    SELECT id, parent_id, 0 FROM {table} WHERE id = ANY(%s) AND org_id = %s
    UNION
    SELECT o.id, o.parent_id, chain.depth + 1
    FROM {table} o JOIN chain ON o.id = chain.parent_id
    WHERE chain.depth < {max_depth} AND o.org_id = %s
)
SELECT DISTINCT id FROM chain
"""


def _with_ancestors(ids: set[int], org_id: int) -> set[int]:
    if connection.vendor != "postgresql":  # SQLite (the embedded default): walk up in Python
        found, frontier = set(), set(ids)
        while frontier:
            rows = Objective.objects.filter(org_id=org_id, pk__in=frontier - found)
            pairs = list(rows.values_list("id", "parent_id"))
            found.update(pk for pk, _ in pairs)
            frontier = {parent for _, parent in pairs if parent and parent not in found}
        return found
    with connection.cursor() as cursor:
        cursor.execute(
            _ANCESTORS_SQL.format(table=Objective._meta.db_table, max_depth=MAX_DEPTH),
            [list(ids), org_id, org_id],
        )
        return {row[0] for row in cursor.fetchall()}


def with_ancestors(ids: Iterable[int], org_id: int) -> set[int]:
    """The objectives ``ids`` and every ancestor of theirs (one query on PostgreSQL): whose
    aligned progress a change to them moves."""
    return _with_ancestors(set(ids), org_id)


def _save_changed(
    rows: Iterable[tuple], computed: dict[int, Rollup], model=Objective, *, write: bool = True
) -> int:
    """Write the roll-ups that differ from ``rows`` of (id, progress, aligned, confidence)
    (with ``write=False`` only count them)."""
    changed = []
    for pk, progress, aligned, confidence in rows:
        new = computed.get(pk)
        if new is None:
            continue
        if (progress, aligned, confidence) != (
            new.progress,
            new.aligned_progress,
            new.confidence,
        ):
            changed.append(model(pk=pk, **new.__dict__))
    if write:
        model.objects.bulk_update(changed, list(ROLLUP_FIELDS), batch_size=1000)
    return len(changed)


def _has_field(model, name: str) -> bool:
    # Migration 0003 passes models from before the key-result links existed.
    return any(f.name == name for f in model._meta.concrete_fields)


def _inputs(objectives, key_results):
    krs: dict[int, list[tuple]] = {}
    kr_fields = KR_VALUES if _has_field(key_results.model, "measured_by") else KR_VALUES[:7]
    # No ORDER BY: Objective's default ordering would join periods for nothing.
    for objective_id, *values in key_results.order_by().values_list("objective_id", *kr_fields):
        krs.setdefault(objective_id, []).append(tuple(values) + (None,) * (8 - len(values)))
    children: dict[int, list[Child]] = {}
    stored: dict[int, Decimal | None] = {}
    linked = _has_field(objectives.model, "parent_key_result")
    link_fields = ("contribution_weight", "parent_key_result_id") if linked else ()
    rows = objectives.order_by().values_list("id", "parent_id", "aligned_progress", *link_fields)
    for pk, parent_id, aligned, *link in rows:
        if parent_id is not None:
            weight, kr_id = link if linked else (Decimal(1), None)
            children.setdefault(parent_id, []).append((pk, weight, kr_id))
        stored[pk] = aligned
    return krs, children, stored


def _save_kr_values(
    krs: dict[int, list[tuple]], values: dict[int, Decimal], model=KeyResult, *, write=True
) -> int:
    """Write the values of key results measured from their contributors that moved."""
    current = {kr[6]: kr[3] for rows in krs.values() for kr in rows}
    changed = [
        model(pk=pk, current_value=value)
        for pk, value in values.items()
        if current.get(pk) != value
    ]
    if write and changed:
        model.objects.bulk_update(changed, ["current_value"], batch_size=1000)
    return len(changed)


def refresh_rollups(objective_ids: Iterable[int | None], *, org_id: int) -> int:
    """Recompute the objectives' roll-ups and their ancestors'; returns how many changed.

    Four queries whatever the company's size (ancestors, the chain's KRs, their counted
    children, the chain's stored values) plus one UPDATE of objectives and one of key results
    measured from their contributors, when something changed. Callers
    hold ``lock_okr_writes(org_id)``.
    """
    ids = {pk for pk in objective_ids if pk is not None}
    if not ids:
        return 0
    chain = _with_ancestors(ids, org_id)
    if not chain:
        return 0
    counted = Objective.objects.filter(org_id=org_id, parent_id__in=chain).filter(
        counted_children_q()
    )
    krs, children, stored = _inputs(
        counted, KeyResult.objects.filter(org_id=org_id, objective_id__in=chain)
    )
    kr_values: dict[int, Decimal] = {}
    computed = compute_rollups(
        chain, key_results=krs, children=children, stored_aligned=stored, kr_values=kr_values
    )
    rows = (
        Objective.objects.filter(org_id=org_id, pk__in=chain)
        .order_by()
        .values_list("id", *ROLLUP_FIELDS)
    )
    if _before_save is not None:
        _before_save()
    _save_kr_values(krs, kr_values)
    return _save_changed(rows, computed)


def refresh_rollups_for_org(
    org_id: int, *, objective_model=Objective, kr_model=KeyResult, write: bool = True
) -> int:
    """Recompute every objective of the company (after bulk loads); returns how many changed
    (with ``write=False``: how many are out of date, changing nothing).

    The models are parameters so the migration that added the columns can pass its own.
    """
    everything = objective_model.objects.filter(org_id=org_id)
    krs, _, _ = _inputs(everything.none(), kr_model.objects.filter(org_id=org_id))
    _, children, stored = _inputs(everything.filter(counted_children_q()), kr_model.objects.none())
    rows = list(everything.order_by().values_list("id", *ROLLUP_FIELDS))
    kr_values: dict[int, Decimal] = {}
    computed = compute_rollups(
        [row[0] for row in rows],
        key_results=krs,
        children=children,
        stored_aligned=stored,
        kr_values=kr_values,
    )
    moved = _save_kr_values(krs, kr_values, model=kr_model, write=write)
    return moved + _save_changed(rows, computed, model=objective_model, write=write)
