"""Thin tags of the closing pages: badges drawn by components, and the objective page's
"Grades and reflections" panel (``closing.selectors.closing_facts``)."""

from django import template

from components import component

from ..models import ObjectiveOutcome
from ..selectors import closing_facts

register = template.Library()


@register.simple_tag
def outcome_badge(outcome):
    label = ObjectiveOutcome.Outcome(outcome).label if outcome else ""
    return component("badges.outcome_badge")(outcome=outcome or "", label=label)


@register.simple_tag
def grade_badge(score):
    return component("badges.grade_badge")(score=None if score is None else float(score))


@register.simple_tag
def grading_rows(rows, progress):
    """The grading page's per-team ``<tr>``s, drawn by one macro call."""
    chosen = progress.chosen.key if progress.chosen else None
    return component("grading_rows")(rows=rows, chosen_key=chosen)


@register.inclusion_tag("closing/_objective_panel.html", takes_context=True)
def closing_panel(context, objective):
    """The objective page's closing panel: its grades, outcome and reflections once grading
    opened; where it continues or came from; the Grade and Carry over actions."""
    request = context["request"]
    return {
        "org": request.org,
        "objective": objective,
        "facts": closing_facts(objective, request.membership),
    }


@register.inclusion_tag("closing/_my_grading.html", takes_context=True)
def my_grading(context):
    """My OKRs: the periods being closed (one query; none: nothing more), the person's
    objectives waiting for their grade there, and, for admins and managers, the way to
    follow grading."""
    from ..permissions import can_see_grading_progress
    from ..selectors import closing_periods, to_grade_by

    request = context["request"]
    periods = closing_periods(request.org)
    if not periods:
        return {"org": request.org, "todo": [], "following": []}
    membership = request.membership
    return {
        "org": request.org,
        "todo": to_grade_by(membership),
        "following": periods if can_see_grading_progress(membership) else [],
    }
