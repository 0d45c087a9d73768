"""What a check-in changed on the page it was made from, sent back with the form as htmx
out-of-band swaps (``hx-swap-oob``), each drawn by the partial the page itself used.

The page names the regions it shows: elements marked ``data-live`` carry stable ids
(``kr-<id>-values``, ``kr-<id>-status``, ``conf-<id>``, ``objective-<id>-progress``,
``objective-<id>-own[-aligned]``, ``kr-<id>-card``, ``kr-history-<id>``,
``objchart-<id>-card``, ``checkin-<id>``) and static/js/checkins.js lists them in the
``X-Live-Regions`` header of the check-in (or delete) request. Only the regions the write
changed *and* the page shows are rendered: htmx reports an out-of-band fragment without a
target as an error, and what is not on the page costs no query. The numbers are the
server's (the KR as saved, the objectives' stored roll-ups), never arithmetic in the
browser.
"""

from __future__ import annotations

from django.middleware.csrf import get_token
from django.template.loader import render_to_string

from objectives import selectors as objective_selectors
from objectives.models import KeyResult
from objectives.permissions import can_edit_objective
from objectives.presenters import PaceClock, prepare_key_results
from objectives.progress import as_percent, key_result_progress
from objectives.rollups import with_ancestors

from .templatetags.checkin_tags import history_context, objective_progress_chart

LIVE_HEADER = "X-Live-Regions"
MAX_REGIONS = 2000  # a page lists a few hundred at most; more is not a page of ours


def live_regions(request) -> set[str]:
    """The ids of the ``data-live`` regions the page says it shows."""
    return set(request.headers.get(LIVE_HEADER, "").split()[:MAX_REGIONS])


# The regions of an objective a check-in moves: its card's progress, and the "This
# objective" step of its alignment panel (own progress, or own and aligned).
OBJECTIVE_REGIONS = ("progress", "own", "own-aligned")


def _objective_regions(shown: set[str]) -> dict[int, set[str]]:
    """``{objective id: {"progress", "own", ...}}`` of the ``objective-<id>-<region>`` shown."""
    found: dict[int, set[str]] = {}
    for region in shown:
        head, _, tail = region.partition("-")
        number, _, rest = tail.partition("-")
        if head == "objective" and rest in OBJECTIVE_REGIONS and number.isdigit():
            found.setdefault(int(number), set()).add(rest)
    return found


def checkin_effects(request, kr: KeyResult, *, main: str) -> dict:
    """Context (``effects``) of ``checkins/_checkin_effects.html`` after a check-in on ``kr``,
    or its deletion: ``kr`` loaded with its objective and period, holding the values now
    stored; ``main``, the id of the region the answer itself replaces. A constant number of
    queries whatever the page's size: none for the KR's row, two for the objectives' progress
    (one more when ancestors may be among them, one more with private ones), one for the KR
    page's header card, two or three each for its history and the objective chart."""
    shown = live_regions(request) - {main}  # the answer's own target is swapped anyway
    if not shown:
        return {}
    org, viewer = request.org, request.membership
    objective = kr.objective
    sid = str(kr.pk)
    kr.progress = key_result_progress(kr)
    kr.percent = as_percent(kr.progress)
    prepare_key_results([kr], org.slug, clock=PaceClock(org))
    effects: dict = {
        "kr_values": f"kr-{sid}-values" in shown,
        "kr_status": f"kr-{sid}-status" in shown,
        "kr_confidence": f"conf-{sid}" in shown,
        "kr_card": f"kr-{sid}-card" in shown,
        "form": f"checkin-{sid}" in shown,
        "objectives": [],
        "history": "",
        "chart": "",
        "with_children": {"children": True},  # the alignment panel's "something aligns to it"
    }
    if effects["kr_card"]:
        objective.can_edit = can_edit_objective(viewer, objective)
    regions = _objective_regions(shown)
    if regions:
        # The KR's objective and its ancestors: their own and aligned progress moved.
        on_page = set(regions)
        moved = (
            {objective.pk} if on_page <= {objective.pk} else with_ancestors([objective.pk], org.pk)
        )
        cards = objective_selectors.objectives_progress(org, viewer, moved & on_page)
        for card in cards:
            card.live = regions[card.pk]
        effects["objectives"] = cards
    if f"kr-history-{sid}" in shown:
        history = history_context(request, kr, show_all=f"kr-history-{sid}-all" in shown)
        history.update(csrf_token=get_token(request), oob=True)
        effects["history"] = render_to_string("checkins/_kr_history.html", history)
    if f"objchart-{objective.pk}-card" in shown:
        chart = objective_progress_chart(
            {"request": request}, objective, key_results=objective.key_results.all()
        )
        chart["oob"] = True
        effects["chart"] = render_to_string("checkins/_objective_chart.html", chart)
    return effects
