"""Alignment trees assembled in Python from two flat lists (objectives, key results).

Aligned progress uses ``objectives.progress.aligned_progress`` (own KRs by weight plus each
child's aligned progress as one more part of weight 1; abandoned children left out), computed
once per node, bottom-up.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from objectives.models import KeyResult, Objective
from objectives.progress import aligned_progress, as_percent, objective_progress

Confidence = KeyResult.Confidence
CONFIDENCE_RANK = {Confidence.ON_TRACK: 0, Confidence.AT_RISK: 1, Confidence.OFF_TRACK: 2}
LEVEL_ORDER = {Objective.Level.COMPANY: 0, Objective.Level.TEAM: 1, Objective.Level.INDIVIDUAL: 2}


def worst_confidence(key_results: Iterable) -> str | None:
    worst = None
    for kr in key_results:
        if worst is None or CONFIDENCE_RANK.get(kr.confidence, 0) > CONFIDENCE_RANK[worst]:
            worst = kr.confidence
    return worst


@dataclass(eq=False)
class Node:
    objective: Objective
    key_results: list = field(default_factory=list)
    children: list[Node] = field(default_factory=list)
    own: Decimal | None = None
    aligned: Decimal | None = None
    confidence: str | None = None
    visible: bool = True

    @property
    def pk(self) -> int:
        return self.objective.pk

    @property
    def own_percent(self) -> int | None:
        return as_percent(self.own)

    @property
    def aligned_percent(self) -> int | None:
        return as_percent(self.aligned)

    @property
    def confidence_label(self) -> str:
        return Confidence(self.confidence).label if self.confidence else "No key results"

    @property
    def visible_children(self) -> list[Node]:
        return [child for child in self.children if child.visible]


def _sort_key(node: Node):
    o = node.objective
    return (LEVEL_ORDER.get(o.level, 9), o.period.start if o.period_id else None, o.title.lower())


def build_forest(
    objectives: Iterable[Objective],
    key_results: Iterable,
    *,
    visible_ids: set[int] | None = None,
) -> dict[int, Node]:
    """Nodes by id, linked to their loaded children, with progress computed bottom-up.

    Only what this viewer may see counts towards aligned progress: a private child they
    cannot see must not show up, not even as a shift in its parent's number, and every
    number stays explainable from the nodes on their screen.
    """
    nodes = {o.pk: Node(objective=o) for o in objectives}
    for kr in key_results:
        node = nodes.get(kr.objective_id)
        if node is not None:
            node.key_results.append(kr)
    for node in nodes.values():
        parent = nodes.get(node.objective.parent_id)
        if parent is not None and parent is not node:
            parent.children.append(node)
        if visible_ids is not None:
            node.visible = node.pk in visible_ids
    for node in nodes.values():
        node.children.sort(key=_sort_key)
        node.own = objective_progress(node.key_results)
        node.confidence = worst_confidence(node.key_results)

    # Post-order without recursion; a corrupt cycle is cut where it closes.
    done: set[int] = set()
    on_stack: set[int] = set()
    for start in nodes.values():
        if start.pk in done:
            continue
        stack: list[tuple[Node, bool]] = [(start, False)]
        while stack:
            node, expanded = stack.pop()
            if expanded:
                on_stack.discard(node.pk)
                counted = [
                    c.aligned
                    for c in node.children
                    if c.pk in done
                    and c.visible
                    and c.objective.status != Objective.Status.ABANDONED
                ]
                node.aligned = aligned_progress(node.key_results, counted)
                done.add(node.pk)
                continue
            if node.pk in done or node.pk in on_stack:
                continue
            on_stack.add(node.pk)
            stack.append((node, True))
            stack.extend((child, False) for child in node.children if child.pk not in done)
    return nodes


def roots(nodes: dict[int, Node]) -> list[Node]:
    """Visible nodes whose parent is absent from the load or hidden from this viewer."""
    result = []
    for node in nodes.values():
        if not node.visible:
            continue
        parent = nodes.get(node.objective.parent_id)
        if parent is None or not parent.visible:
            result.append(node)
    return sorted(result, key=_sort_key)
