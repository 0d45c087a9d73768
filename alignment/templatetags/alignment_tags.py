from django import template

from components import component
from objectives.permissions import can_edit_objective, can_view_objective

from .. import links, presenters
from ..selectors import contribution, eligible_parents

register = template.Library()


def alignment_panel_context(request, objective, *, error=None, posted=None) -> dict:
    """Context of ``alignment/_objective_alignment.html``, shared by the tag and the align view."""
    membership = request.membership
    # Pages that decorated the objective (``objectives.permissions.annotate_rights``) already
    # know; asking again would cost a grant query.
    can_edit = getattr(objective, "can_edit", None)
    if can_edit is None:
        can_edit = can_edit_objective(membership, objective)
    context = {
        "objective": objective,
        "contribution": contribution(objective, membership),
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
        context["groups"] = eligible_parents(
            org=request.org, membership=membership, objective=objective
        )
        context["field_id"] = f"align-parent-{objective.pk}"
        try:
            context["selected"] = int(posted) if posted else objective.parent_id
        except ValueError:
            context["selected"] = objective.parent_id
    return context


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
def contributor_line(context, node):
    """One line of the contributors an objective page lists (``components/contributor_line``)."""
    return presenters.contributor_line(node, context["org"])


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
