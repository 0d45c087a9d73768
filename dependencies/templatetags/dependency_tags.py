"""The dependencies' places on other apps' pages: the objective page's "Needs from others",
a team page's incoming and outgoing dependencies, the dashboard's "needing attention". Each
runs one query (``selectors``)."""

from django import template

from objectives.permissions import period_open_for

from .. import selectors
from ..permissions import may_declare

register = template.Library()


@register.inclusion_tag("dependencies/_objective_lazy.html", takes_context=True)
def objective_dependencies(context, objective):
    """The objective page's place for "Needs from others": htmx loads the list right after
    the page (``dependencies:objective``), so the page itself pays no query for it."""
    return {"org": context["request"].org, "objective": objective}


def objective_panel_context(request, objective) -> dict:
    """Context of ``_objective_panel.html`` (``dependencies:objective``)."""
    me = request.membership
    editable = getattr(objective, "can_edit", None)
    if editable is None:
        editable = period_open_for(me, objective.period) and may_declare(me, objective)
    return {
        "org": request.org,
        "objective": objective,
        "rows": selectors.for_objective(request.org, objective),
        "may_declare": editable and me.is_active,
        "request": request,
    }


@register.inclusion_tag("dependencies/_team_section.html", takes_context=True)
def team_dependencies(context, team, period):
    request = context["request"]
    incoming, outgoing = selectors.for_team(request.org, request.membership, team, period)
    return {
        "org": request.org,
        "team": team,
        "period": period,
        "incoming": incoming,
        "outgoing": outgoing,
    }


@register.inclusion_tag("dependencies/_attention.html", takes_context=True)
def dependencies_attention(context, period, team=None, in_period=""):
    request = context["request"]
    teams = selectors.dashboard_teams(request.org, request.membership, team)
    rows, total = selectors.needing_attention(request.org, request.membership, period, teams)
    return {
        "org": request.org,
        "rows": rows,
        "total": total,
        "more": total - len(rows),
        "in_period": in_period,
        "unanswered_days": selectors.UNANSWERED_DAYS,
    }
