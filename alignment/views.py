from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from objectives.access import visible_objective_or_404
from objectives.models import KeyResult, Objective
from objectives.permissions import (
    can_edit_objective,
    managed_team_ids,
    managed_team_roots,
    visible_objectives,
)
from organizations.confirm import Confirmation, confirmation_page
from organizations.models import Period, Team
from organizations.tenancy import get_org_object_or_404

from . import charts, map_layout
from .dashboard import DEFAULT_STALE_DAYS, build_dashboard, duplicate_pair_of
from .health import FORMULA, WEIGHTS
from .links import objective_url
from .nodes import Node
from .selectors import (
    OBJECTIVE_RELATED,
    also_supports_pairs,
    child_nodes,
    company_periods,
    eligible_parents,
    expand_tree,
    map_branches,
    map_children,
    resolve_period,
    tree_top,
    vision_excerpt,
)
from .services import align_or_request, duplicate_dismiss


def _visible_objective_or_404(request, objective_id) -> Objective:
    """An objective of the company this person may see; anything else is "not found"."""
    return visible_objective_or_404(request, objective_id, related=OBJECTIVE_RELATED)


@require_GET
def tree(request):
    periods = company_periods(request.org)
    period = resolve_period(request.org, request.GET.get("period"), periods)
    context = {
        "periods": periods,
        "period": period,
        "vision": vision_excerpt(request.org),
        "expand_all": request.GET.get("expand") == "all",
    }
    if period is not None:
        top = tree_top(request.org, period, request.membership, periods=periods)
        if context["expand_all"]:
            expand_tree(top, request.org, request.membership)
        context["top"] = top
    return render(request, "alignment/tree.html", context)


# What map.js needs to route an opened band's edge through the gutter beside its parent.
MAP_GEOMETRY = {"node_w": map_layout.NODE_W, "node_h": map_layout.NODE_H, "gap_x": map_layout.GAP_X}


@require_GET
def alignment_map(request):
    """The period's alignment as a map: company objectives with what aligns directly to
    them, the unaligned ones at the side; deeper levels open on demand (``map_children``)."""
    periods = company_periods(request.org)
    period = resolve_period(request.org, request.GET.get("period"), periods)
    context = {"periods": periods, "period": period, "layout": None, **MAP_GEOMETRY}
    if period is not None:
        top = tree_top(request.org, period, request.membership, periods=periods, count=False)
        children = map_branches(top, request.membership, map_layout.CHILD_LIMIT)
        branches = [
            map_layout.Branch(node=node, children=children[node.pk], total=node.child_count)
            for node in top.company
        ]
        explore = reverse("objectives:explore", kwargs={"org_slug": request.org.slug})
        context["layout"] = map_layout.layout_map(
            request.org,
            branches,
            top.others,
            others_more=top.more_others,
            others_url=f"{explore}?period={period.pk}&alignment=unaligned",
            others_label="Not aligned to any objective you can see",
        )
        map_layout.add_support_edges(
            context["layout"], also_supports_pairs(request.org, context["layout"])
        )
        context["empty"] = not top.company and not top.others
    return render(request, "alignment/map.html", context)


@require_GET
def alignment_map_children(request, objective_id):
    """What aligns to one objective: a band of the map (htmx / fetch), or without
    JavaScript a map page of its own that starts at that objective."""
    objective = _visible_objective_or_404(request, objective_id)
    children, total = map_children(objective, request.membership, map_layout.CHILD_LIMIT)
    branch = map_layout.Branch(node=Node(objective=objective), children=children, total=total)
    if request.htmx:
        band = map_layout.layout_band(request.org, branch)
        return render(request, "alignment/map.html#band", {"band": band, "parent_id": objective.pk})
    periods = company_periods(request.org)
    context = {
        "periods": periods,
        "period": objective.period,
        "root": objective,
        "objective_url": objective_url(request.org, objective),
        "layout": map_layout.layout_map(request.org, [branch], []),
        **MAP_GEOMETRY,
    }
    return render(request, "alignment/map.html", context)


@require_GET
def subtree(request, objective_id):
    """What aligns directly to one objective (each child opens the same way)."""
    objective = _visible_objective_or_404(request, objective_id)
    periods = company_periods(request.org)
    period = (
        resolve_period(request.org, request.GET["period"], periods)
        if request.GET.get("period")
        else objective.period
    )
    node = Node(objective=objective, children=child_nodes(objective, request.membership))
    context = {
        "node": node,
        "objective": objective,
        "period": period,
        "periods": periods,
        "objective_url": objective_url(request.org, objective),
    }
    template = "alignment/subtree.html#children" if request.htmx else "alignment/subtree.html"
    return render(request, template, context)


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@require_GET
def picker(request):
    """The parent picker's <select>, filtered to eligible parents (htmx partial)."""
    org = request.org
    objective = None
    objective_id = _int_or_none(request.GET.get("objective"))
    if request.GET.get("objective"):
        objective = _visible_objective_or_404(request, objective_id)
    team = period = None
    if (team_id := _int_or_none(request.GET.get("team"))) is not None:
        team = Team.objects.for_org(org).filter(pk=team_id).first()
    if (period_id := _int_or_none(request.GET.get("period"))) is not None:
        period = Period.objects.for_org(org).filter(pk=period_id).first()
    level = request.GET.get("level") or None
    if objective is not None and (level or team or period):
        # Editing: the form's (possibly changed) level / team / period describe the child.
        objective = Objective(
            pk=objective.pk,
            org=org,
            level=level if level in Objective.Level.values else objective.level,
            team=team or objective.team,
            period=period or objective.period,
            parent_id=objective.parent_id,
            parent_key_result_id=objective.parent_key_result_id,
        )
    # The objective page's align panel offers key results too ("kr:<id>"); the objective
    # form's field takes objectives only.
    with_key_results = request.GET.get("krs") == "1"
    groups = eligible_parents(
        org=org,
        membership=request.membership,
        objective=objective,
        level=level,
        team=team,
        period=period,
        q=request.GET.get("q", ""),
        with_key_results=with_key_results,
    )
    field_id = request.GET.get("field_id", "id_parent")
    if not field_id.replace("_", "").replace("-", "").isalnum() or len(field_id) > 60:
        field_id = "id_parent"
    raw = request.GET.get("parent", "")
    selected_kr = _int_or_none(raw[3:]) if raw.startswith("kr:") else None
    selected = _int_or_none(raw)
    if selected is None and selected_kr is None and objective is not None:
        selected, selected_kr = objective.parent_id, objective.parent_key_result_id
    return render(
        request,
        "alignment/_picker_options.html",
        {
            "groups": groups,
            "field_id": field_id,
            "selected": selected,
            "selected_kr": selected_kr if with_key_results else None,
            "with_key_results": with_key_results,
            "q": request.GET.get("q", "")[:200],
            # A company objective aligns to nothing by design: the empty choice says so.
            "company_level": (level or getattr(objective, "level", None))
            == Objective.Level.COMPANY,
        },
    )


def _chosen_parent(request, raw: str) -> tuple[Objective | None, KeyResult | None]:
    """The picker's choice: an objective ("<id>") or one of its key results ("kr:<id>"), among
    those the person may see; anything else (hidden, foreign, garbage) is (None, None)."""
    kind, _, number = raw.rpartition(":")
    pk = _int_or_none(number)
    if not raw or kind not in ("", "kr") or pk is None or not 0 < pk <= 2**63 - 1:
        return None, None
    visible = visible_objectives(Objective.objects.for_org(request.org), request.membership)
    if kind == "":
        return visible.filter(pk=pk).first(), None
    key_result = (
        KeyResult.objects.for_org(request.org)
        .filter(pk=pk, objective__in=visible.values("pk"))
        .select_related("objective")
        .first()
    )
    return (key_result.objective, key_result) if key_result else (None, None)


@require_http_methods(["GET", "POST"])
def align(request, objective_id):
    objective = _visible_objective_or_404(request, objective_id)
    if not can_edit_objective(request.membership, objective):
        raise PermissionDenied("You may not change the alignment of this objective.")
    if request.method == "GET":  # without JavaScript, Unlink asks here first
        back = objective_url(request.org, objective)
        if objective.parent_id is None:
            return HttpResponseRedirect(back)
        return confirmation_page(
            request,
            Confirmation(
                title=f"Unlink “{objective.title}”?",
                # No parent's title: it may be a private objective this person cannot see.
                message="It will no longer align to the objective it serves, and stops "
                "counting towards that one's progress. You can align it again at any time.",
                button="Unlink",
                cancel_url=back,
                fields=(("parent", ""),),
            ),
        )
    raw = (request.POST.get("parent") or "").strip()
    error = None
    parent, key_result = _chosen_parent(request, raw)
    if raw and parent is None:
        error = "Choose a parent objective from the list."
    old_parent_id = objective.parent_id
    if error is None:
        try:
            asked = align_or_request(
                objective=objective,
                parent=parent,
                key_result=key_result,
                actor=request.membership,
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
    back = objective_url(request.org, objective)
    if error is None:
        if parent is None:
            text = (
                "Unlinked: this objective no longer aligns to anything."
                if old_parent_id
                else "Nothing to unlink."
            )
        elif asked is not None:
            owner = asked.parent.owner.user.get_full_name()
            what = key_result.title if key_result is not None else parent.title
            text = f"Asked {owner} to accept aligning to “{what}”: until then it counts nowhere."
        elif key_result is not None:
            text = f"Contributes to the key result “{key_result.title}” of “{parent.title}”."
        else:
            text = f"Aligned to “{parent.title}”."
        messages.success(request, text)
        return HttpResponseClientRedirect(back) if request.htmx else HttpResponseRedirect(back)
    if request.htmx:
        from .templatetags.alignment_tags import alignment_panel_context

        context = alignment_panel_context(request, objective, error=error, posted=raw)
        return render(request, "alignment/_objective_alignment.html", context)
    messages.error(request, error)
    return HttpResponseRedirect(back)


def _stale_days(request) -> int:
    value = _int_or_none(request.GET.get("stale_days"))
    if value is None or not 1 <= value <= 365:
        return DEFAULT_STALE_DAYS
    return value


def _render_dashboard(request, *, roots, team=None):
    periods = company_periods(request.org)
    period = resolve_period(request.org, request.GET.get("period"), periods)
    stale_days = _stale_days(request)
    board = None
    if period is not None:
        board = build_dashboard(
            org=request.org,
            period=period,
            membership=request.membership,
            roots=roots,
            team=team,
            stale_days=stale_days,
        )
    context = {
        "periods": periods,
        "period": period,
        "board": board,
        "stale_days": stale_days,
        "formula": FORMULA,
        "weights": WEIGHTS,
        "team": team,
        "next": request.get_full_path(),
    }
    if period is not None:
        # The periods whose objectives the figures count besides the period's own.
        context["overlapping_names"] = [
            p.name
            for p in sorted(periods, key=lambda p: (p.start, p.start - p.end))
            if p.pk != period.pk and p.start <= period.end and p.end >= period.start
        ]
    if board is not None:
        context["team_chart"] = charts.team_chart_svg(board.team_rows)
        context["histogram"] = charts.histogram_svg(board.histogram)
    return render(request, "alignment/dashboard.html", context)


@require_GET
def dashboard(request):
    """Admins: the whole company. Team managers: their teams with sub-teams. Others: 403."""
    membership = request.membership
    if membership.is_admin:
        return _render_dashboard(request, roots=None)
    roots = managed_team_roots(membership)
    if not roots:
        raise PermissionDenied("The dashboard is for team managers and admins.")
    return _render_dashboard(request, roots=roots)


@require_GET
def team_dashboard(request, team_id):
    team = get_org_object_or_404(request, Team, pk=team_id)
    membership = request.membership
    if not membership.is_admin and team.pk not in managed_team_ids(membership):
        raise PermissionDenied("Only this team's managers (or an admin) see its dashboard.")
    return _render_dashboard(request, roots={team.pk}, team=team)


# Dashboard actions ---------------------------------------------------------------------------


def back_to_dashboard(request) -> str:
    """Where a dashboard action returns: the page it was posted from (``next``), when that is
    one of this company's pages, else the dashboard."""
    target = request.POST.get("next", "")
    if target.startswith(f"/{request.org.slug}/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}
    ):
        return target
    return reverse("alignment:dashboard", kwargs={"org_slug": request.org.slug})


def _pair_done(request, *, first, second, text: str, error: str = ""):
    """The look-alike pair's row after an action: htmx swaps the row, a plain POST returns
    to the dashboard with the message."""
    if request.htmx:
        pair = duplicate_pair_of(request.org, request.membership, first, second)
        context = {"pair": pair, "done": "" if error else text, "error": error}
        context["next"] = request.POST.get("next", "")
        return render(request, "alignment/_duplicate_row.html", context)
    (messages.error if error else messages.success)(request, error or text)
    return HttpResponseRedirect(back_to_dashboard(request))


@require_POST
def duplicate_dismiss_view(request, objective_id, other_id):
    """ "Not a duplicate": the company's dashboards stop listing and counting the pair."""
    first = _visible_objective_or_404(request, objective_id)
    second = _visible_objective_or_404(request, other_id)
    try:
        duplicate_dismiss(first=first, second=second, actor=request.membership)
    except ValidationError as exc:
        return _pair_done(
            request, first=first, second=second, text="", error=" ".join(exc.messages)
        )
    text = f"“{first.title}” and “{second.title}” are no longer listed as possible duplicates."
    return _pair_done(request, first=first, second=second, text=text)


@require_POST
def duplicate_align_view(request, objective_id, other_id):
    """ "Align one under the other": ``child`` (one of the pair) aligns to the other one,
    through the alignment service and its rules."""
    first = _visible_objective_or_404(request, objective_id)
    second = _visible_objective_or_404(request, other_id)
    child_id = _int_or_none(request.POST.get("child"))
    if child_id not in (first.pk, second.pk):
        return _pair_done(
            request, first=first, second=second, text="", error="Choose which one aligns."
        )
    child, parent = (first, second) if child_id == first.pk else (second, first)
    if not can_edit_objective(request.membership, child):
        raise PermissionDenied("You may not change the alignment of this objective.")
    try:
        asked = align_or_request(objective=child, parent=parent, actor=request.membership)
    except ValidationError as exc:
        return _pair_done(
            request, first=first, second=second, text="", error=" ".join(exc.messages)
        )
    if asked is not None:
        owner = asked.parent.owner.user.get_full_name()
        text = f"Asked {owner} to accept “{child.title}” aligning to “{parent.title}”."
    else:
        text = f"“{child.title}” now aligns to “{parent.title}”."
    return _pair_done(request, first=first, second=second, text=text)
