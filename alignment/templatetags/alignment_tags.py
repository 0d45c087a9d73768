from django import template

from components import component
from objectives.permissions import can_edit_objective, can_view_objective

from .. import links, presenters
from ..selectors import PickerGroup, contribution, eligible_parents, kr_contributor_nodes

register = template.Library()


def alignment_panel_context(
    request, objective, *, error=None, posted=None, errors: dict | None = None
) -> dict:
    """Context of ``alignment/_objective_alignment.html``, shared by the tag and the alignment
    views. ``errors``: messages shown beside one field ("weight-<child id>", "supported")."""
    membership = request.membership
    # Pages that decorated the objective (``objectives.permissions.annotate_rights``) already
    # know; asking again would cost a grant query.
    can_edit = getattr(objective, "can_edit", None)
    if can_edit is None:
        can_edit = can_edit_objective(membership, objective)
    found = contribution(objective, membership)
    context = {
        "objective": objective,
        "contribution": found,
        # The children's weights are this objective's owner's to set (never the child's).
        "may_weigh": can_edit,
        "errors": errors or {},
        "can_edit": can_edit,
        "error": error,
        "request": request,
        "org": request.org,
        "membership": membership,
    }
    if request.org.alignment_requests:  # one query, only where the company asks first
        from alignment.models import AlignmentRequest

        context["pending_request"] = (
            AlignmentRequest.objects.filter(
                child_id=objective.pk, status=AlignmentRequest.Status.PENDING
            )
            .select_related("parent__owner__user")
            .first()
        )
        pending = context["pending_request"]
        # The parent's title only to those who may see it (it may be private to them).
        context["pending_parent_visible"] = pending is not None and can_view_objective(
            membership, pending.parent
        )
    if can_edit:
        groups = eligible_parents(
            org=request.org, membership=membership, objective=objective, with_key_results=True
        )
        context["groups"] = groups
        context["with_key_results"] = True
        context["field_id"] = f"align-parent-{objective.pk}"
        context["selected"], context["selected_kr"] = _selected(posted, objective)
        context["support_field_id"] = f"supports-{objective.pk}"
        # "Also supports" offers what it could align to, but its parent and what it names.
        named = {o.pk for o in found.also_supports} | {objective.parent_id}
        context["support_groups"] = [
            g for g in (
                PickerGroup(g.label, [o for o in g.objectives if o.pk not in named])
                for g in groups or ()
            ) if g.objectives
        ]  # fmt: skip
    return context


def _selected(posted: str | None, objective) -> tuple[int | None, int | None]:
    """(objective id, key result id) the picker shows chosen: what was posted, else the
    current link."""
    if posted:
        kind, _, number = posted.rpartition(":")
        if number.isdigit():
            return (None, int(number)) if kind == "kr" else (int(number), None)
    return objective.parent_id, objective.parent_key_result_id


@register.inclusion_tag("alignment/_objective_alignment.html", takes_context=True)
def objective_alignment(context, objective):
    """Contribution path (up to the company vision), what aligns to it, and for people who
    may edit it an align / re-align / unlink form."""
    return alignment_panel_context(context["request"], objective)


@register.simple_tag(takes_context=True)
def tree_nodes(context, nodes, expand_all=None):
    """``{% tree_nodes nodes %}``: the ``<li>``s of tree nodes, nested when the whole tree
    is expanded, else with a link that loads what aligns to each (``alignment.presenters``,
    drawn by ``components/tree_node.jinja`` in one call)."""
    expand = context.get("expand_all") if expand_all is None else expand_all
    return presenters.tree_nodes(
        nodes, context["org"], period=context.get("period"), expand=bool(expand)
    )


@register.simple_tag(takes_context=True)
def tree_node(context, node, expand_all=None):
    """``{% tree_node node %}``: one node, as ``tree_nodes``."""
    return tree_nodes(context, [node], expand_all)


@register.simple_tag(takes_context=True)
def contributor_line(context, node, objective=None):
    """One line of the contributors an objective page lists (``components/contributor_line``);
    with ``objective`` (their parent, its key results loaded), the key result each serves."""
    titles = {kr.pk: kr.title for kr in objective.key_results.all()} if objective else {}
    return presenters.contributor_line(node, context["org"], titles)


@register.simple_tag(takes_context=True)
def objective_href(context, objective):
    return links.objective_url(context["org"], objective)


@register.simple_tag(takes_context=True)
def subtree_href(context, objective):
    return links.subtree_url(context["org"], objective)


@register.simple_tag(takes_context=True)
def person_href(context, membership):
    return links.person_url(context["org"], membership) or ""


@register.simple_tag(takes_context=True)
def team_href(context, team):
    return links.team_url(context["org"], team) or ""


@register.simple_tag
def map_drawing(band):
    """``{% map_drawing layout %}``: a map band's edges, labels and boxes
    (``alignment.map_layout.Layout``, drawn by ``components/map_drawing.jinja``)."""
    return component("map_drawing")(band=band)


@register.inclusion_tag("alignment/_kr_contributors.html", takes_context=True)
def kr_contributors(context, kr):
    """On a key result's page: the objectives contributing to it (those the viewer may see)
    and, for whoever may change it, how it is measured (its check-ins or its contributors)."""
    request = context["request"]
    objective = kr.objective
    can_edit = getattr(objective, "can_edit", None)
    if can_edit is None:
        can_edit = can_edit_objective(request.membership, objective)
    return {
        "kr": kr,
        "org": request.org,
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "can_edit": can_edit,
        "contributors": kr_contributor_nodes(kr, request.membership),
        "measured": kr.measured_by_contributors,
        "may_measure": kr.kind != kr.Kind.MILESTONE,
    }
