from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from objectives.permissions import can_edit_objective
from objectives.progress import as_percent
from objectives.templatetags.okr_tags import CONFIDENCE_ICONS

from .. import links
from ..selectors import contribution, eligible_parents

register = template.Library()

BAR = 80


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


@register.simple_tag
def progress_bar(progress, label=""):
    """A progress bar drawn with SVG attributes (CSP: no style attributes).

    Built in Python rather than by an inclusion template: trees and dashboards draw
    hundreds of these, and a template render each made them the pages' largest cost.
    """
    percent = as_percent(progress)
    caption = format_html('<span class="muted small">{}</span> ', label) if label else ""
    if percent is None:
        return format_html(
            '<span class="progress"><svg width="{bar}" height="8" aria-hidden="true" '
            'focusable="false"><rect class="bar-none" width="{bar}" height="8" rx="4"/></svg>'
            '<span class="muted small">{label}no key results</span></span>',
            bar=BAR,
            label=f"{label}: " if label else "",
        )
    return format_html(
        '<span class="progress"><svg width="{bar}" height="8" aria-hidden="true" '
        'focusable="false"><rect class="bar-bg" width="{bar}" height="8" rx="4"/>'
        '<rect class="bar-fg" width="{width}" height="8" rx="4"/></svg>'
        "<span>{caption}{percent}%</span></span>",
        bar=BAR,
        width=round(BAR * percent / 100),
        caption=caption,
        percent=percent,
    )


def confidence_badge(node) -> str:
    confidence = node.confidence
    if not confidence:
        return format_html('<span class="badge">{}</span>', node.confidence_label)
    return format_html(
        '<span class="badge conf-{}"><span aria-hidden="true">{}</span> {}</span>',
        confidence,
        CONFIDENCE_ICONS.get(confidence, "■"),
        node.confidence_label,
    )


@register.simple_tag
def node_numbers(node):
    """A tree node's own and aligned progress bars and its confidence badge: one tag where
    a tree of dozens of nodes would otherwise run three tags and a dozen lookups each."""
    return format_html(
        "{}\n      {}\n      {}",
        progress_bar(node.own, "own"),
        progress_bar(node.aligned, "aligned"),
        confidence_badge(node),
    )


PRIVATE_BADGE = mark_safe(
    '<span class="badge" title="Private objective: not counted in the aligned progress '
    'above it">Private · not counted</span>'
)


@register.simple_tag(takes_context=True)
def tree_node(context, node, expand_all=None):
    """One node of the alignment tree as an ``<li>``: its level, title, team, owner and
    period, its numbers, and what aligns to it (nested when the whole tree is expanded,
    else a link that loads it). Built in Python: a template include a node cost more than
    the rest of the tree page."""
    expand = context.get("expand_all") if expand_all is None else expand_all
    period = context.get("period")
    query = f"?period={period.pk}" if period else ""
    return _tree_node(node, context["org"], query, bool(expand))


def _tree_node(node, org, query: str, expand: bool) -> str:
    o = node.objective
    badges = PRIVATE_BADGE if o.is_private else ""
    if o.status != "active":
        badges = format_html('{} <span class="badge">{}</span>', badges, o.get_status_display())
    where = [o.team.name] if o.team_id else []
    if o.owner_id:
        where.append(o.owner.name)
    where.append(o.period.name)
    below = ""
    if node.visible_child_count:
        if expand:
            inner = format_html(
                "<ul>{}</ul>",
                format_html_join(
                    "", "{}", ((_tree_node(c, org, query, True),) for c in node.visible_children)
                ),
            )
        else:
            url = links.subtree_url(org, o) + query
            inner = format_html(
                '<a class="expand small" href="{url}" hx-get="{url}" hx-target="#children-{pk}" '
                'hx-swap="innerHTML">Show what aligns to it ({count})</a>',
                url=url,
                pk=o.pk,
                count=node.visible_child_count,
            )
        below = format_html('\n  <div id="children-{}" class="node-children">{}</div>', o.pk, inner)
    return format_html(
        '<li class="tree-node" id="node-{pk}">\n'
        '  <div class="node-row level-{level}">\n'
        '    <div class="node-title"><span class="badge">{level_label}</span> '
        '<a href="{url}">{title}</a> {badges}\n'
        '      <span class="muted small">{where}</span></div>\n'
        '    <div class="node-numbers">{numbers}</div>\n'
        "  </div>{below}\n</li>",
        pk=o.pk,
        level=o.level,
        level_label=o.get_level_display(),
        url=links.objective_url(org, o),
        title=o.title,
        badges=badges,
        where=" · ".join(where),
        numbers=node_numbers(node),
        below=below,
    )


@register.simple_tag(takes_context=True)
def contributor_line(context, node):
    """One line of the contributors an objective page lists: level, title, owner and team,
    aligned progress and confidence, built at once (the panel lists ten)."""
    o, org = node.objective, context["org"]
    who = ""
    if o.owner_id:
        who = format_html('<a href="{}">{}</a>', links.person_url(org, o.owner), o.owner.name)
    if o.team_id:
        who = format_html("{}{}{}", who, " · ", o.team.name)
    return format_html(
        '<span><span class="badge">{}</span> <a href="{}">{}</a>\n'
        '            <span class="muted small">{}</span></span>\n'
        '          <span class="row">{}{}</span>',
        o.get_level_display(),
        links.objective_url(org, o),
        o.title,
        who,
        progress_bar(node.aligned),
        confidence_badge(node),
    )


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
