"""Alignment tree nodes: loaded objectives linked to the children loaded with them.

The numbers are the objectives' stored roll-ups (``objectives.rollups``), so a node shows
the same own and aligned progress on every page, for every viewer, without loading its
subtree. Aligned progress counts public, active children only; ``Node.counted`` says
whether a node counts in its parent's.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from objectives.models import KeyResult, Objective
from objectives.progress import as_percent
from objectives.rollups import counts_upward

Confidence = KeyResult.Confidence
LEVEL_ORDER = {Objective.Level.COMPANY: 0, Objective.Level.TEAM: 1, Objective.Level.INDIVIDUAL: 2}


@dataclass(eq=False)
class Node:
    objective: Objective
    children: list[Node] = field(default_factory=list)
    visible: bool = True
    # Children this viewer may see; set when they were counted rather than loaded.
    child_count: int | None = None
    # On a contribution path: the key result of this objective that the step below serves.
    key_result: str = ""

    @property
    def pk(self) -> int:
        return self.objective.pk

    @property
    def own(self) -> Decimal | None:
        return self.objective.progress

    @property
    def aligned(self) -> Decimal | None:
        return self.objective.aligned_progress

    @property
    def confidence(self) -> str | None:
        return self.objective.confidence or None

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
    def weight_text(self) -> str:
        """Its contribution weight as typed ("2", "0.5"), never "2.00" or "1E+1"."""
        return f"{Decimal(self.objective.contribution_weight).normalize():f}"

    @property
    def counted(self) -> bool:
        """Whether this objective counts in its parent's aligned progress."""
        o = self.objective
        return counts_upward(visibility=o.visibility, status=o.status)

    @property
    def visible_children(self) -> list[Node]:
        return [child for child in self.children if child.visible]

    @property
    def visible_child_count(self) -> int:
        if self.child_count is not None:
            return self.child_count
        return len(self.visible_children)


def sort_key(objective: Objective):
    o = objective
    return (LEVEL_ORDER.get(o.level, 9), o.period.start if o.period_id else None, o.title.lower())


def build_forest(
    objectives: Iterable[Objective], *, visible_ids: set[int] | None = None
) -> dict[int, Node]:
    """Nodes by id, each linked to its children among ``objectives`` (sorted).

    ``visible_ids`` (None = everything) marks what this viewer may see.
    """
    nodes = {o.pk: Node(objective=o) for o in objectives}
    for node in nodes.values():
        parent = nodes.get(node.objective.parent_id)
        if parent is not None and parent is not node:
            parent.children.append(node)
        if visible_ids is not None:
            node.visible = node.pk in visible_ids
    for node in nodes.values():
        node.children.sort(key=lambda n: sort_key(n.objective))
    return nodes
