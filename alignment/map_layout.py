"""The alignment map's layout: where each objective's box and each alignment edge goes.

A layered layout computed here, drawn by ``templates/alignment/map.html`` as SVG. The map
loads the period's first level (company objectives, with what aligns directly to them, and
the unaligned objectives gathered at the side); a node's children arrive later as a *band*
laid out in its own coordinates (origin: where the edge from the parent arrives), which
``static/js/map.js`` places below the map. Plain dataclasses, numbers and strings: no
markup and no colours (the template and ``static/css/map.css`` draw them).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from objectives.models import Objective

from . import links
from .nodes import Node

NODE_W = 232
NODE_H = 92
GAP_X = 28  # between boxes side by side
ROW_GAP = 84  # from a parent's bottom to its children's top
SUB_GAP = 56  # between the wrapped rows of one parent's children
BUS_DROP = 30  # the horizontal edge runs this far above the children it reaches
COLS = 5  # children side by side before they wrap
BLOCK_GAP = 56  # between neighbouring company objectives' blocks
SIDE_GAP = 96  # between the aligned part and the unaligned objectives at the side
SIDE_COLS = 2
PAD = 24
LABEL_H = 30  # a group's label above its first row
BAR_W = 80  # the progress bar inside a box (the template draws its track)
TITLE_CHARS = 26  # per title line (two lines); the full title is in the box's <title>
KICKER_CHARS = 34
CHILD_LIMIT = 24  # children the map shows under one objective; a link leads to the rest

CONFIDENCE_LABELS = {
    "on_track": "On track",
    "at_risk": "At risk",
    "off_track": "Off track",
}
NO_DATA = "No data"


def truncate(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    head = text[: limit - 1].rstrip()
    if " " in head[limit // 2 :]:  # cut at a word when one ends in the second half
        head = head.rsplit(" ", 1)[0]
    return head.rstrip(" ,;:-–—") + "…"


def wrap_title(title: str, width: int = TITLE_CHARS, lines: int = 2) -> list[str]:
    """``title`` in at most ``lines`` lines of ``width`` characters, the last cut with "…"."""
    words = title.split()
    out: list[str] = []
    current = ""
    for index, word in enumerate(words):
        candidate = f"{current} {word}".strip()
        if len(candidate) <= width:
            current = candidate
            continue
        if len(out) == lines - 1:  # the last line: whatever is left, cut
            out.append(truncate(" ".join([current, *words[index:]]).strip(), width))
            return out
        if current:
            out.append(current)
        current = word if len(word) <= width else truncate(word, width)
    if current:
        out.append(current)
    return out[:lines] or [""]


@dataclass
class MapBox:
    """One objective on the map, at (x, y): its top-left corner."""

    pk: int
    x: int
    y: int
    title: str
    title_lines: list[str]
    kicker: str  # whose: "Company", a team's name, a person's name
    period: str
    percent: int | None
    bar: int  # the progress bar's filled width
    confidence: str  # on_track / at_risk / off_track / none: the box's CSS class
    confidence_label: str
    private: bool
    status: str  # "" for active objectives, else "Done", "Draft", "Abandoned"
    url: str
    child_count: int
    children_url: str = ""  # the band's fragment and its no-JavaScript page, when it may open

    @property
    def cx(self) -> int:
        return self.x + NODE_W // 2

    @property
    def bottom(self) -> int:
        return self.y + NODE_H

    @property
    def label(self) -> str:
        """What a screen reader says for the box's link (colour is never the only signal)."""
        parts = [self.title, self.kicker]
        parts.append(f"progress {self.percent}%" if self.percent is not None else "no progress")
        parts.append(self.confidence_label)
        if self.private:
            parts.append("private")
        if self.status:
            parts.append(self.status.lower())
        return ", ".join(parts)


@dataclass
class MapMore:
    """A box that stands for the children the map leaves out, linking to all of them."""

    x: int
    y: int
    count: int
    url: str
    text: str


@dataclass
class MapLabel:
    x: int
    y: int
    text: str


@dataclass
class Layout:
    boxes: list[MapBox] = field(default_factory=list)
    more: list[MapMore] = field(default_factory=list)
    edges: list[str] = field(default_factory=list)  # SVG path data
    # "Also supports" links between boxes drawn here: dashed, and counted in nothing.
    support_edges: list[str] = field(default_factory=list)
    labels: list[MapLabel] = field(default_factory=list)
    left: int = 0
    width: int = 0
    height: int = 0
    side: Layout | None = None  # the unaligned objectives, drawn as a group of their own

    @property
    def view_box(self) -> str:
        return f"{self.left} 0 {self.width} {self.height}"


def _kicker(objective: Objective) -> str:
    """The box's first line: private or not active first (they matter), whose, the period."""
    if objective.level == Objective.Level.COMPANY:
        who = "Company"
    elif objective.level == Objective.Level.TEAM and objective.team_id:
        who = objective.team.name
    elif objective.owner_id:
        who = objective.owner.name or objective.owner.user.email
    else:
        who = objective.get_level_display()
    parts = ["Private"] if objective.is_private else []
    if objective.status != Objective.Status.ACTIVE:
        parts.append(objective.get_status_display())
    parts += [who, objective.period.name]
    return truncate(" · ".join(parts), KICKER_CHARS)


def box_for(org, node: Node, x: int, y: int, *, openable: bool = True) -> MapBox:
    o = node.objective
    percent = node.aligned_percent if node.aligned_percent is not None else node.own_percent
    confidence = node.confidence if node.confidence in CONFIDENCE_LABELS else "none"
    count = node.visible_child_count
    return MapBox(
        pk=o.pk,
        x=x,
        y=y,
        title=o.title,
        title_lines=wrap_title(o.title),
        kicker=_kicker(o),
        period=o.period.name,
        percent=percent,
        bar=round(BAR_W * min(max(percent or 0, 0), 100) / 100),
        confidence=confidence,
        confidence_label=CONFIDENCE_LABELS.get(confidence, NO_DATA),
        private=o.is_private,
        status="" if o.status == Objective.Status.ACTIVE else o.get_status_display(),
        url=links.objective_url(org, o),
        child_count=count,
        children_url=links.map_children_url(org, o) if openable and count else "",
    )


def _grid(count: int, cols: int) -> tuple[int, int]:
    """(columns, rows) of ``count`` boxes wrapped at ``cols``."""
    if count <= 0:
        return 0, 0
    columns = min(count, cols)
    return columns, -(-count // columns)


def grid_width(count: int, cols: int = COLS) -> int:
    columns, _ = _grid(count, cols)
    return columns * (NODE_W + GAP_X) - GAP_X if columns else 0


def grid_height(count: int, cols: int = COLS) -> int:
    _, rows = _grid(count, cols)
    return rows * NODE_H + (rows - 1) * SUB_GAP if rows else 0


def _place_children(
    layout: Layout,
    org,
    children: list[Node],
    more: MapMore | None,
    *,
    left: int,
    top: int,
    start: tuple[int, int] | None,
) -> None:
    """Lay ``children`` (and the "more" box) out in rows of ``COLS`` from (left, top) and,
    when ``start`` (the parent's bottom centre) is given, draw the alignment edges: down
    to a horizontal line above each row, then down to each box. Wrapped rows hang from a
    vertical line in the gutter left of the first column."""
    count = len(children) + (1 if more else 0)
    columns, rows = _grid(count, COLS)
    trunk = left - GAP_X // 2
    row_ends: dict[int, int] = {}
    for index in range(count):
        row, col = divmod(index, columns)
        x = left + col * (NODE_W + GAP_X)
        y = top + row * (NODE_H + SUB_GAP)
        if index < len(children):
            box = box_for(org, children[index], x, y)
            layout.boxes.append(box)
        else:
            more.x, more.y = x, y
            layout.more.append(more)
        cx = x + NODE_W // 2
        row_ends[row] = cx
        if start is not None:
            layout.edges.append(f"M{cx} {y - BUS_DROP}V{y}")
    if start is None or not count:
        return
    sx, sy = start
    first_bus = top - BUS_DROP
    first_left = left + NODE_W // 2
    layout.edges.append(f"M{sx} {sy}V{first_bus}")
    low = min(sx, first_left, trunk if rows > 1 else first_left)
    layout.edges.append(f"M{low} {first_bus}H{max(sx, row_ends[0])}")
    if rows > 1:
        last_bus = top + (rows - 1) * (NODE_H + SUB_GAP) - BUS_DROP
        layout.edges.append(f"M{trunk} {first_bus}V{last_bus}")
        for row in range(1, rows):
            bus = top + row * (NODE_H + SUB_GAP) - BUS_DROP
            layout.edges.append(f"M{trunk} {bus}H{row_ends[row]}")


def _more_box(org, parent: Node, shown: int, total: int) -> MapMore | None:
    if total <= shown:
        return None
    rest = total - shown
    url = links.subtree_url(org, parent.objective)
    return MapMore(x=0, y=0, count=rest, url=url, text=f"{rest} more in the list")


@dataclass
class Branch:
    """An objective with the first of its children (``total``: all the viewer may see)."""

    node: Node
    children: list[Node]
    total: int


def layout_map(
    org,
    branches: list[Branch],
    others: list[Node],
    *,
    others_more: int = 0,
    others_url: str = "",
    others_label: str = "",
) -> Layout:
    """The map's first levels: each company objective above what aligns to it, side by side,
    and the unaligned objectives gathered in a column pair on the right."""
    layout = Layout()
    top = PAD + LABEL_H
    x = PAD
    if branches:
        layout.labels.append(MapLabel(PAD, PAD + 16, "Company objectives and what aligns to them"))
    bottom = top
    for branch in branches:
        more = _more_box(org, branch.node, len(branch.children), branch.total)
        count = len(branch.children) + (1 if more else 0)
        width = max(NODE_W, grid_width(count))
        parent = box_for(org, branch.node, x + (width - NODE_W) // 2, top, openable=False)
        layout.boxes.append(parent)
        child_top = parent.bottom + ROW_GAP
        if count:
            _place_children(
                layout,
                org,
                branch.children,
                more,
                left=x,
                top=child_top,
                start=(parent.cx, parent.bottom),
            )
            bottom = max(bottom, child_top + grid_height(count))
        else:
            bottom = max(bottom, parent.bottom)
        x += width + BLOCK_GAP
    main_right = x - BLOCK_GAP if branches else PAD
    if others:
        side_left = main_right + SIDE_GAP if branches else PAD
        side = layout.side = Layout()
        side.labels.append(MapLabel(side_left, PAD + 16, others_label))
        more = None
        if others_more:
            more = MapMore(x=0, y=0, count=others_more, url=others_url, text="")
            more.text = f"{others_more} more in Explore"
        count = len(others) + (1 if more else 0)
        columns, _ = _grid(count, SIDE_COLS)
        for index in range(count):
            row, col = divmod(index, columns)
            bx = side_left + col * (NODE_W + GAP_X)
            by = top + row * (NODE_H + SUB_GAP)
            if index < len(others):
                side.boxes.append(box_for(org, others[index], bx, by))
            else:
                more.x, more.y = bx, by
                side.more.append(more)
        main_right = side_left + grid_width(count, SIDE_COLS)
        bottom = max(bottom, top + grid_height(count, SIDE_COLS))
    layout.width = main_right + PAD
    layout.height = bottom + PAD + 16  # room for the open buttons under the last row
    return layout


def layout_band(org, branch: Branch) -> Layout:
    """What aligns to ``branch.node``, in the band's own coordinates: the edge from the
    parent arrives at (0, 0) and the children hang below it, centred."""
    layout = Layout()
    more = _more_box(org, branch.node, len(branch.children), branch.total)
    count = len(branch.children) + (1 if more else 0)
    width = grid_width(count)
    left = -width // 2
    top = LABEL_H + ROW_GAP // 2
    parent_title = truncate(branch.node.objective.title, 40)
    layout.labels.append(MapLabel(left, 16, f"Aligned to “{parent_title}”"))
    _place_children(layout, org, branch.children, more, left=left, top=top, start=(0, 0))
    layout.left = left - GAP_X
    layout.width = width + 2 * GAP_X
    layout.height = top + grid_height(count) + 16
    return layout


SUPPORT_BEND = 60  # how far a dashed "also supports" curve leaves and enters its boxes


def add_support_edges(layout: Layout, pairs) -> None:
    """Draw each ``(supporter id, supported id)`` pair whose two boxes are on the map (the
    main part and the side) as a curve from the supporter's top to the supported one's
    bottom. Only drawn boxes take part: a box the viewer may not see is never drawn."""
    boxes = {b.pk: b for b in layout.boxes}
    if layout.side is not None:
        boxes.update({b.pk: b for b in layout.side.boxes})
    for supporter, supported in pairs:
        a, b = boxes.get(supporter), boxes.get(supported)
        if a is None or b is None:
            continue
        x1, y1, x2, y2 = a.cx, a.y, b.cx, b.bottom
        layout.support_edges.append(
            f"M{x1} {y1}C{x1} {y1 - SUPPORT_BEND} {x2} {y2 + SUPPORT_BEND} {x2} {y2}"
        )
