from decimal import Decimal

from django import template
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from objectives.models import KeyResult
from objectives.progress import as_percent
from organizations.markdown import render_markdown
from organizations.periods import period_groups

register = template.Library()


def period_options_html(org, periods, selected=None, *, today=None):
    """A period picker's ``<optgroup>``s and ``<option>``s (grouped by fiscal year, the
    current quarter first, past years last: ``organizations.periods.period_groups``). Built
    here at once: the template loop over a company's dozens of periods cost more than the
    rest of a switcher. ``selected`` is a period or its id."""
    chosen = getattr(selected, "pk", selected)
    groups, current = period_groups(org, periods, today=today)
    current_pk = current.pk if current is not None else None

    def options(rows):
        return format_html_join(
            "",
            '<option value="{}"{}>{}{}{}</option>',
            (
                (
                    p.pk,
                    " selected" if p.pk == chosen else "",
                    p.name,
                    " (current)" if p.is_current or p.pk == current_pk else "",
                    " (closed)" if p.is_closed else "",
                )
                for p in rows
            ),
        )

    return format_html_join(
        "", '<optgroup label="{}">{}</optgroup>', ((label, options(rows)) for label, rows in groups)
    )


@register.simple_tag(takes_context=True)
def period_options(context, periods, selected=None):
    """``{% period_options periods period %}``: see ``period_options_html``."""
    request = context.get("request")
    org = getattr(request, "org", None) or context.get("org")
    return period_options_html(org, periods, selected)


BAR_WIDTH = 120
CONFIDENCE_ICONS = {"on_track": "●", "at_risk": "▲", "off_track": "■"}
CONFIDENCE_LABELS = dict(KeyResult.Confidence.choices)


@register.filter
def markdown(text):
    """Markdown rendered and sanitised (nh3): safe to show whatever an admin typed."""
    return render_markdown(text)


@register.filter
def percent(progress):
    value = as_percent(progress)
    return "–" if value is None else f"{value}%"


@register.filter
def num(value):
    """A decimal without trailing zeros, with thousands separators: 1000.0000 -> 1,000."""
    if value is None:
        return ""
    value = Decimal(value).normalize()
    return f"{value:,f}"


def value_text(kr, value) -> str:
    """A KR value with its unit: "1,000", "45%", "EUR 12,000", or done / not done."""
    if kr.kind == "milestone":
        return "done" if value >= 1 else "not done"
    text = num(value)
    if kr.unit == "percent":
        return f"{text}%"
    if kr.unit == "currency":
        return f"{kr.currency_code} {text}".strip()
    return text


@register.simple_tag
def kr_value(kr, value):
    """A KR value with its unit: "1,000", "45%", "EUR 12,000", or done / not done."""
    return value_text(kr, value)


def bar_filled(percent_value) -> int:
    """Width in pixels of the filled part of a progress bar."""
    return round(BAR_WIDTH * max(0, min(100, percent_value)) / 100)


@register.inclusion_tag("objectives/_progress_bar.html")
def progress_bar(percent_value, label=""):
    """An inline SVG bar (attributes only: the CSP forbids style=) with the number beside it."""
    if percent_value is None:
        return {"none": True, "width": BAR_WIDTH, "label": label}
    return {
        "none": False,
        "width": BAR_WIDTH,
        "filled": bar_filled(percent_value),
        "percent": percent_value,
        "label": label,
    }


# --- rows of the objective cards ------------------------------------------------------------
#
# A list page shows dozens of objectives and key results, each with several links, values
# and badges. Computed here once per row in plain Python (and URLs built from one
# ``reverse`` per URL name), the card template only prints strings: no template tag, include
# or ``{% url %}`` per key result.


class RowUrls:
    """URLs of one company's rows. ``reverse`` costs tens of microseconds and a list page
    has hundreds of links, so each URL name is reversed once with a stand-in id and the
    rows' URLs are made by putting their id in its place."""

    STAND_IN = 987654321

    def __init__(self, org_slug: str):
        self.org_slug = org_slug
        self._parts: dict[str, tuple[str, str]] = {}

    def __call__(self, name: str, **kwargs) -> str:
        ((kwarg, pk),) = kwargs.items()
        parts = self._parts.get(name)
        if parts is None:
            url = reverse(name, kwargs={"org_slug": self.org_slug, kwarg: self.STAND_IN})
            head, _, tail = url.rpartition(str(self.STAND_IN))  # the id comes after the slug
            parts = self._parts[name] = (head, tail)
        return f"{parts[0]}{pk}{parts[1]}"


# The parts of a card repeated for every key result, filled in by ``format_html`` (which
# escapes each value): a template spends about as long on each of their variables as this
# spends on the whole row.
KR_STATUS_HTML = (
    '<span class="progress"><svg width="120" height="10" viewBox="0 0 120 10" role="img" '
    'aria-label="{title}: {percent}%"><rect class="bar-bg" width="120" height="10" rx="5"/>'
    '<rect class="bar-fg" width="{filled}" height="10" rx="5"/></svg>'
    '<span class="pct">{percent}%</span></span>\n'
    '            <span class="badge conf-{confidence}"><span aria-hidden="true">{icon}</span> '
    "{label}</span>"
)
EXPLAIN_ROW_HTML = "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>"


def _person_name(membership) -> str:
    return membership.user.get_full_name() if membership is not None else ""


def prepare_progress(objective) -> None:
    """What the card's progress region prints (``percent`` and ``explanation`` set): its bar,
    the "how?" table and the aligned progress, if what aligns to it moves it."""
    objective.sid = str(objective.pk)
    measured = objective.percent is not None
    objective.percent_text = str(objective.percent) if measured else ""
    objective.bar_filled = bar_filled(objective.percent) if measured else 0
    # Aligned progress (stored roll-up) shown only where what aligns to it moves it.
    aligned = as_percent(getattr(objective, "aligned_progress", None))
    objective.aligned_text = (
        str(aligned) if aligned is not None and aligned != objective.percent else ""
    )
    objective.explain_html = format_html_join(
        "",
        EXPLAIN_ROW_HTML,
        (
            (line.label, line.detail, num(line.weight), percent(line.progress))
            for line in objective.explanation
        ),
    )


def prepare_rows(objectives, org_slug: str) -> None:
    """Give decorated objectives (``percent``, ``explanation``, rights: see
    ``objectives.selectors.decorate``) and their key results what the card prints."""
    urls = RowUrls(org_slug)
    for objective in objectives:
        pk = objective.pk
        objective.sid = str(pk)
        objective.url = urls("objectives:objective", objective_id=pk)
        objective.owner_name = _person_name(objective.owner)
        # Every attribute the card reads is set, if only to "": a failed lookup in a
        # template is an exception and a dir() of the model instance.
        objective.owner_url = (
            urls("objectives:person", person_id=objective.owner_id) if objective.owner_id else ""
        )
        objective.team_url = (
            urls("objectives:team", team_id=objective.team_id) if objective.team_id else ""
        )
        prepare_progress(objective)
        editable = getattr(objective, "can_edit", False)
        objective.kr_new_url = urls("objectives:kr-new", objective_id=pk) if editable else ""
        prepare_key_results(objective.key_results.all(), org_slug, urls, editable=editable)


NO_PROGRESS_HTML = (
    '<span class="progress"><svg width="120" height="10" viewBox="0 0 120 10" '
    'aria-hidden="true"><rect class="bar-none" width="120" height="10" rx="5"/></svg>'
    '<span class="muted small">No KRs yet</span></span>'
)


SUMMARY_ROW_HTML = (
    '<tr><td><span class="badge">{level}</span> <a href="{url}">{title}</a>{badges}</td>'
    '<td class="small">{who}</td><td class="small">{period}</td>'
    '<td class="row">{status}</td></tr>'
)


def prepare_summaries(objectives, people: dict, org_slug: str) -> None:
    """Each objective's one-line summary (Explore, the team page's people's objectives) as
    ``row_html``: its stored progress and worst confidence (``objectives.rollups``), no key
    results. Built here rather than by a template loop: the lists are 25 rows long.
    ``people``: memberships with their users by id, for the owners."""
    urls = RowUrls(org_slug)
    for objective in objectives:
        objective.url = urls("objectives:objective", objective_id=objective.pk)
        who = []
        if objective.team_id:
            team_url = urls("objectives:team", team_id=objective.team_id)
            who.append(format_html('<a href="{}">{}</a>', team_url, objective.team.name))
        owner = people.get(objective.owner_id)
        if owner is not None:
            person_url = urls("objectives:person", person_id=objective.owner_id)
            who.append(format_html('<a href="{}">{}</a>', person_url, _person_name(owner)))
        badges = ""
        if objective.is_private:
            badges = mark_safe(' <span class="badge private">Private</span>')
        if objective.status != "active":
            badges = format_html(
                '{} <span class="badge status-{}">{}</span>',
                badges,
                objective.status,
                objective.get_status_display(),
            )
        objective.row_html = format_html(
            SUMMARY_ROW_HTML,
            level=objective.get_level_display(),
            url=objective.url,
            title=objective.title,
            badges=badges,
            who=mark_safe(" · ".join(who)),  # each part escaped above
            period=objective.period.name,
            status=_summary_status(objective),
        )


def _summary_status(objective) -> str:
    percent = as_percent(objective.progress)
    if percent is None:
        return mark_safe(NO_PROGRESS_HTML)
    confidence = objective.confidence or "on_track"
    return format_html(
        KR_STATUS_HTML,
        title=objective.title,
        percent=percent,
        filled=bar_filled(percent),
        confidence=confidence,
        icon=CONFIDENCE_ICONS.get(confidence, "■"),
        label=CONFIDENCE_LABELS.get(confidence, confidence),
    )


def prepare_key_results(key_results, org_slug: str, urls=None, *, editable=False) -> None:
    """What a KR row prints; ``kr.percent`` (and ``kr.can_checkin``, if any) must be set."""
    urls = urls or RowUrls(org_slug)
    for kr in key_results:
        kr_pk = kr.pk
        kr.sid = str(kr_pk)
        kr.url = urls("objectives:kr", kr_id=kr_pk)
        kr.owner_name = _person_name(kr.owner) if KeyResult.owner.is_cached(kr) else ""
        kr.values_text = (
            f"{value_text(kr, kr.start_value)} → {value_text(kr, kr.target_value)} "
            f"(now {value_text(kr, kr.current_value)})"
        )
        kr.weight_text = num(kr.weight) if kr.weight != 1 else ""
        kr.status_html = format_html(
            KR_STATUS_HTML,
            title=kr.title,
            percent=kr.percent,
            filled=bar_filled(kr.percent),
            confidence=kr.confidence,
            icon=CONFIDENCE_ICONS.get(kr.confidence, "■"),
            label=CONFIDENCE_LABELS.get(kr.confidence, kr.confidence),
        )
        checkin = getattr(kr, "can_checkin", False)
        kr.confidence_url = (
            urls("objectives:kr-confidence", kr_id=kr_pk) if editable or checkin else ""
        )
        kr.edit_url = urls("objectives:kr-edit", kr_id=kr_pk) if editable else ""
        kr.move_url = urls("objectives:kr-move", kr_id=kr_pk) if editable else ""
        kr.delete_url = urls("objectives:kr-delete", kr_id=kr_pk) if editable else ""
        kr.checkin_url = urls("checkins:create", kr_id=kr_pk) if checkin else ""
