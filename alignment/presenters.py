"""What the alignment pages print about an objective in a tree, shaped from ``nodes.Node``.

The tree shows up to hundreds of nodes (all of them with "expand everything"): each becomes a
``TreeItem`` of plain strings and numbers here, and ``components/tree_node.jinja`` draws them
all in one macro call (docs/performance.md)."""

from __future__ import annotations

from dataclasses import dataclass

from components import component
from objectives.progress import as_percent

from . import links
from .nodes import Node


@dataclass(slots=True)
class TreeItem:
    """One objective in a tree, or one line of an objective's contributors."""

    pk: int
    level: str
    level_label: str
    url: str
    title: str
    is_private: bool
    status: str
    status_label: str
    where: str  # team · owner · period
    team_name: str
    owner_name: str
    owner_url: str
    own: int | None
    aligned: int | None
    confidence: str | None
    child_count: int
    subtree_url: str
    children: list[TreeItem] | None  # drawn nested; None: a link loads them
    via: str = ""  # the key result of its parent it contributes to
    weight: str = ""  # its contribution weight, when not 1


def tree_item(node: Node, org, query: str = "", *, expand: bool = False) -> TreeItem:
    """``node`` as a ``TreeItem``; with ``expand``, its visible children too (recursively).
    ``query``: appended to the subtree link (``?period=<id>``)."""
    o = node.objective
    where = [o.team.name] if o.team_id else []
    owner_name = o.owner.name if o.owner_id else ""
    if owner_name:
        where.append(owner_name)
    where.append(o.period.name)
    count = node.visible_child_count
    children = None
    if count and expand:
        children = [tree_item(c, org, query, expand=True) for c in node.visible_children]
    return TreeItem(
        pk=o.pk,
        level=o.level,
        level_label=o.get_level_display(),
        url=links.objective_url(org, o),
        title=o.title,
        is_private=o.is_private,
        status=o.status,
        status_label=o.get_status_display(),
        where=" · ".join(where),
        team_name=o.team.name if o.team_id else "",
        owner_name=owner_name,
        owner_url=links.person_url(org, o.owner) if o.owner_id else "",
        own=as_percent(node.own),
        aligned=as_percent(node.aligned),
        confidence=node.confidence,
        child_count=count,
        subtree_url=links.subtree_url(org, o) + query if count and not expand else "",
        children=children,
    )


def tree_nodes(nodes, org, *, period=None, expand: bool = False):
    """The ``<li>``s of ``nodes`` (``components/tree_node.jinja``), drawn in one call."""
    query = f"?period={period.pk}" if period else ""
    items = [tree_item(node, org, query, expand=expand) for node in nodes]
    return component("tree_node.tree_nodes")(nodes=items)


def contributor_line(node: Node, org, key_results: dict[int, str] | None = None):
    """One line of the objectives contributing to another (``components/contributor_line``):
    ``key_results``, the parent's key result titles by id, names the one it serves."""
    line = tree_item(node, org)
    o = node.objective
    line.via = (key_results or {}).get(o.parent_key_result_id, "")
    line.weight = node.weight_text if o.contribution_weight != 1 else ""
    return component("contributor_line")(line=line)
