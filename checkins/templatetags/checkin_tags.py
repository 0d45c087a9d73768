"""Check-in pieces other pages embed: the inline form, the history, the charts."""

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS_3

from conversations.permissions import can_comment
from conversations.selectors import checkin_comments
from objectives.models import KeyResult
from objectives.permissions import can_checkin
from objectives.presenters import value_text
from objectives.progress import as_percent, key_result_progress
from organizations.clock import company_today, company_zone

from .. import charts, pace
from ..forms import CheckInForm
from ..models import CheckIn
from ..selectors import kr_checkins
from ..services import can_delete_checkin

register = template.Library()


def _cached_period(kr):
    """The KR's period if the page loaded it with the KR, else ``None`` (never a query)."""
    if not KeyResult.objective.is_cached(kr):
        return None
    objective = kr.objective
    if not type(objective).period.is_cached(objective):
        return None
    return objective.period


def measured_by_contributors(kr) -> bool:
    """Whether the KR moves with its contributing objectives (no check-ins). Read from the
    loaded row only: a list that loaded KRs without the field never pays a query per row."""
    return kr.__dict__.get("measured_by") == KeyResult.MeasuredBy.CONTRIBUTORS


def may_show_checkin_form(membership, kr) -> bool:
    """Whether to offer the form: ``kr.can_checkin`` when a list page computed it for all its
    KRs at once (``objectives.permissions.annotate_rights``), else the one rule itself (a
    single KR: a few queries). The server checks ``can_checkin`` again on submit."""
    if membership is None or kr.org_id != membership.org_id or measured_by_contributors(kr):
        return False
    precomputed = getattr(kr, "can_checkin", None)
    if isinstance(precomputed, bool):
        return precomputed
    return can_checkin(membership, kr)


def checkin_form_context(request, kr, *, form=None) -> dict:
    membership = getattr(request, "membership", None)
    view_name = getattr(getattr(request, "resolver_match", None), "view_name", "")
    return {
        "kr": kr,
        "org": getattr(request, "org", None),
        "request": request,
        "form": form or CheckInForm(kr=kr, auto_id=f"kr{kr.pk}-%s"),
        "may_checkin": may_show_checkin_form(membership, kr),
        "percent": as_percent(key_result_progress(kr)),
        "is_kr_page": view_name == "objectives:kr",
        "is_milestone": kr.kind == KeyResult.Kind.MILESTONE,
        "measured_by_contributors": measured_by_contributors(kr),
    }


@register.inclusion_tag("checkins/_checkin_form.html", takes_context=True)
def kr_checkin_form(context, kr):
    """Inline check-in form of one key result. No query per KR: it renders from the KR's
    loaded fields and ``request.membership`` (see ``may_show_checkin_form``)."""
    request = context.get("request")
    result = checkin_form_context(request, kr)
    result["csrf_token"] = context.get("csrf_token")
    return result


HISTORY_ROWS = 20  # newest check-ins listed under the chart; "show all" lists the rest
SHOW_ALL_PARAM = "history"  # ?history=all on the KR page and its history partial


def wants_full_history(request) -> bool:
    return request is not None and request.GET.get(SHOW_ALL_PARAM) == "all"


def history_context(request, kr, *, now=None, show_all=None) -> dict:
    """The chart (every check-in) and the table of the newest ``HISTORY_ROWS`` check-ins
    (all of them with ``show_all``), each row's text made here rather than by template tags."""
    now = now or timezone.now()
    org = kr.objective.org if KeyResult.objective.is_cached(kr) else request.org
    org = request.org or org
    tz = company_zone(org)
    period = kr.objective.period
    checkins = list(kr_checkins(kr))
    if show_all is None:
        show_all = wants_full_history(request)
    stale_days = pace.org_stale_days(request.org)
    kr_pace = pace.kr_pace(
        kr,
        period=period,
        today=company_today(org, now),
        now=now,
        stale_days=stale_days,
        zone=tz,
    )
    membership = getattr(request, "membership", None)
    low, high = sorted((kr.start_value, kr.target_value))
    shown = checkins if show_all else checkins[:HISTORY_ROWS]
    # Each listed check-in's comments (two queries for all; the page checked that the
    # viewer sees the key result, so they see its comments).
    talk = checkin_comments(membership, request.org.slug, [c.pk for c in shown])
    labels = dict(KeyResult.Confidence.choices)
    for c in shown:
        c.deletable = membership is not None and can_delete_checkin(
            c, membership, now=now, period=period
        )
        c.outside_range = kr.kind != KeyResult.Kind.MILESTONE and not low <= c.value <= high
        when = c.created_at.astimezone(tz)
        c.when_iso = when.isoformat()
        c.when_text = f"{when.day} {MONTHS_3[when.month].title()} {when.year}, {when:%H:%M}"
        c.value_text = value_text(kr, c.value)
        c.previous_text = value_text(kr, c.previous_value)
        c.author_name = c.author.user.get_full_name() if c.author_id else ""
        c.author_left = bool(c.author_id) and not c.author.is_active  # left, or deactivated
        c.confidence_label = labels.get(c.confidence, c.confidence)
        c.talk = talk[c.pk]
    history_url = reverse(
        "checkins:kr-history", kwargs={"org_slug": request.org.slug, "kr_id": kr.pk}
    )
    kr_url = reverse("objectives:kr", kwargs={"org_slug": request.org.slug, "kr_id": kr.pk})
    return {
        "chart_id": f"krchart-{kr.pk}",
        "kr": kr,
        "org": request.org,
        "request": request,
        "checkins": shown,
        "may_comment": membership is not None and can_comment(membership, kr.objective),
        "checkin_count": len(checkins),
        "hidden_count": len(checkins) - len(shown),
        "show_all": show_all,
        "history_url": history_url + (f"?{SHOW_ALL_PARAM}=all" if show_all else ""),
        "show_all_url": f"{history_url}?{SHOW_ALL_PARAM}=all",
        "show_all_page_url": f"{kr_url}?{SHOW_ALL_PARAM}=all#kr-history-{kr.pk}",
        "chart_svg": charts.chart_svg(
            charts.kr_value_chart(kr, checkins, period=period, tz=tz, now=now),
            chart_id=f"krchart-{kr.pk}",
            title=f"Value of {kr.title}",
            series_label="value",
        ),
        "pace": kr_pace,
        "period": period,
        "start_text": value_text(kr, kr.start_value),
        "target_text": value_text(kr, kr.target_value),
        "current_text": value_text(kr, kr.current_value),
        "expected_text": value_text(kr, kr_pace.expected_value) if kr_pace else "",
    }


@register.inclusion_tag("checkins/_kr_history.html", takes_context=True)
def kr_history(context, kr):
    """History table and value-over-time chart of one KR (two or three queries)."""
    result = history_context(context.get("request"), kr)
    result["csrf_token"] = context.get("csrf_token")
    return result


@register.inclusion_tag("checkins/_objective_chart.html", takes_context=True)
def objective_progress_chart(context, objective, key_results=None):
    """An objective's progress over time (two queries; pass ``key_results`` if loaded)."""
    request = context.get("request")
    org = getattr(request, "org", None) or objective.org
    tz = company_zone(org)
    krs = list(key_results) if key_results is not None else list(objective.key_results.all())
    # Plain rows by the KRs' ids: no join, no model instances (the chart reads five fields).
    checkins = list(
        CheckIn.objects.for_org(objective.org_id)
        .filter(key_result_id__in=[kr.pk for kr in krs])
        .order_by()
        .values_list("id", "key_result_id", "value", "previous_value", "created_at", named=True)
    )
    chart = charts.objective_chart(
        krs, checkins, period=objective.period, tz=tz, now=timezone.now()
    )
    chart_id = f"objchart-{objective.pk}"
    return {
        "chart_id": chart_id,
        "chart_svg": charts.chart_svg(
            chart,
            chart_id=chart_id,
            title=f"Progress of {objective.title}",
            series_label="progress",
        ),
    }


@register.inclusion_tag("checkins/_pace.html", takes_context=True)
def kr_pace_badge(context, kr, period=None):
    """Ahead / on pace / behind for one KR (no query when its period is loaded)."""
    period = period or _cached_period(kr)
    if period is None:
        return {"pace": None}
    org = getattr(context.get("request"), "org", None)
    now = timezone.now()
    result = pace.kr_pace(
        kr,
        period=period,
        today=company_today(org, now),
        now=now,
        stale_days=None,
        zone=company_zone(org),
    )
    return {"pace": result}


@register.filter
def conf_label(value):
    return dict(KeyResult.Confidence.choices).get(value, value)
