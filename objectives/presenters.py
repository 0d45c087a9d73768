"""What the OKR pages print, shaped from the rows the selectors loaded.

Selectors read; these shape; ``templates/components/`` draws. A list page shows dozens of
objectives and key results, each with several links, values and badges: their URLs, texts
and numbers are worked out here once per row in plain Python (URLs from one ``reverse`` per
URL name), and the rows' repeated fragments (the KR's progress and confidence, a summary
row, the "how?" table) are drawn by the components' Jinja2 macros, not by a template tag or
include per row (docs/performance.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.urls import reverse

from checkins.pace import ON_PACE_POINTS, expected_progress, line_start
from components import component
from objectives.models import KeyResult, Objective
from objectives.progress import as_percent
from organizations.clock import company_today, company_zone
from organizations.periods import period_groups


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


# --- values ---------------------------------------------------------------------------------


def num(value) -> str:
    """A decimal without trailing zeros, with thousands separators: 1000.0000 -> 1,000."""
    if value is None:
        return ""
    value = Decimal(value).normalize()
    return f"{value:,f}"


def percent_text(progress) -> str:
    value = as_percent(progress)
    return "–" if value is None else f"{value}%"


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


def _person_name(membership) -> str:
    return membership.user.get_full_name() if membership is not None else ""


# --- period picker --------------------------------------------------------------------------


def period_options(org, periods, selected=None, *, today=None):
    """A period picker's options grouped by fiscal year, the current quarter first, past
    years last (``organizations.periods.period_groups``; ``components/period_options``).
    ``selected`` is a period or its id."""
    groups, current = period_groups(org, periods, today=today)
    return component("period_options")(
        groups=groups,
        chosen=getattr(selected, "pk", selected),
        current_pk=current.pk if current is not None else None,
    )


# --- objective cards ------------------------------------------------------------------------


def prepare_progress(objective) -> None:
    """What the card's progress region prints (``percent`` and ``explanation`` set): its bar,
    the "how?" table and the aligned progress, if what aligns to it moves it."""
    objective.sid = str(objective.pk)
    measured = objective.percent is not None
    objective.percent_text = str(objective.percent) if measured else ""
    objective.progress_html = component("progress_bar")(
        percent=objective.percent, label="Objective progress"
    )
    # Aligned progress (stored roll-up) shown only where what aligns to it moves it.
    aligned = as_percent(getattr(objective, "aligned_progress", None))
    objective.aligned_text = (
        str(aligned) if aligned is not None and aligned != objective.percent else ""
    )
    objective.explain_html = component("explain_rows")(
        lines=[
            (line.label, line.detail, num(line.weight), percent_text(line.progress))
            for line in objective.explanation
        ]
    )


def prepare_rows(objectives, org_slug: str, *, org=None) -> None:
    """Give decorated objectives (``percent``, ``explanation``, rights: see
    ``objectives.selectors.decorate``) and their key results what the card prints; with
    ``org``, the key results' pace too."""
    urls = RowUrls(org_slug)
    clock = PaceClock(org) if org is not None else None
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
        prepare_key_results(
            objective.key_results.all(), org_slug, urls, editable=editable, clock=clock
        )


class PaceClock:
    """The company's today and time zone, read once for a page's rows."""

    def __init__(self, org):
        self.today = company_today(org)
        self.zone = company_zone(org)


@dataclass(slots=True)
class RowPace:
    """Where a KR row stands against its expected pace (``checkins.pace``), in words."""

    expected: int  # percent expected by today
    status: str  # ahead, on_pace, behind
    text: str


def row_pace(kr, clock: PaceClock | None) -> RowPace | None:
    """A metric KR's pace in a running period, from rows already loaded (no query): ``None``
    for milestones, past or future periods, or when its objective's period is not at hand."""
    if clock is None or kr.kind == KeyResult.Kind.MILESTONE or kr.percent is None:
        return None
    if not KeyResult.objective.is_cached(kr) or not Objective.period.is_cached(kr.objective):
        return None
    period = kr.objective.period
    if not period.start <= clock.today <= period.end:
        return None
    start = line_start(kr, period=period, zone=clock.zone)
    expected = as_percent(
        expected_progress(period_start=start, period_end=period.end, today=clock.today)
    )
    gap = kr.percent - expected
    if gap > ON_PACE_POINTS:
        return RowPace(expected, "ahead", f"ahead of pace ({expected}% expected by today)")
    if gap < -ON_PACE_POINTS:
        return RowPace(expected, "behind", f"{-gap} points behind pace ({expected}% expected)")
    return RowPace(expected, "on_pace", f"on pace ({expected}% expected by today)")


def prepare_key_results(
    key_results, org_slug: str, urls=None, *, editable=False, clock: PaceClock | None = None
) -> None:
    """What a KR row prints; ``kr.percent`` (and ``kr.can_checkin``, if any) must be set.
    With ``clock``, each row also shows its pace (``kr.pace``) as a mark on the bar and words."""
    urls = urls or RowUrls(org_slug)
    bar = component("progress_bar")
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
        kr.pace = pace = row_pace(kr, clock)
        kr.status_html = bar(
            percent=kr.percent,
            status=kr.confidence,
            label=kr.title,
            pace=pace.expected if pace else None,
        )
        # Moved by its contributing objectives: no check-ins (``checkins.services``).
        measured = kr.__dict__.get("measured_by") == KeyResult.MeasuredBy.CONTRIBUTORS
        contributors = getattr(kr, "contributor_count", None)
        kr.measure_text = measure_text(measured, contributors)
        checkin = getattr(kr, "can_checkin", False) and not measured
        kr.confidence_url = (
            urls("objectives:kr-confidence", kr_id=kr_pk) if editable or checkin else ""
        )
        kr.edit_url = urls("objectives:kr-edit", kr_id=kr_pk) if editable else ""
        kr.move_url = urls("objectives:kr-move", kr_id=kr_pk) if editable else ""
        kr.delete_url = urls("objectives:kr-delete", kr_id=kr_pk) if editable else ""
        kr.checkin_url = urls("checkins:create", kr_id=kr_pk) if checkin else ""


def measure_text(measured: bool, contributors: int | None) -> str:
    """The KR row's words about the objectives aligned to it (``contributors``: how many the
    viewer may see, when the page counted them)."""
    if measured:
        if contributors is None:
            return "measured from its contributing objectives"
        plural = "objective" if contributors == 1 else "objectives"
        return f"measured from {contributors} contributing {plural}"
    if contributors == 1:
        return "1 objective contributes"
    if contributors:
        return f"{contributors} objectives contribute"
    return ""


# --- one-line summaries ---------------------------------------------------------------------


@dataclass(slots=True)
class SummaryRow:
    """One objective as a line of a list (``components/summary_row``)."""

    url: str
    title: str
    level_label: str
    is_private: bool
    status: str
    status_label: str
    team_name: str
    team_url: str
    owner_name: str
    owner_url: str
    period_name: str
    percent: int | None
    confidence: str  # the worst of its key results'; on track when none is set


def prepare_summaries(objectives, people: dict, org_slug: str) -> None:
    """Each objective's one-line summary (Explore, the team page's people's objectives) as
    ``summary``: its stored progress and worst confidence (``objectives.rollups``), no key
    results. ``people``: memberships with their users by id, for the owners."""
    urls = RowUrls(org_slug)
    for objective in objectives:
        objective.url = urls("objectives:objective", objective_id=objective.pk)
        owner = people.get(objective.owner_id)
        objective.summary = SummaryRow(
            url=objective.url,
            title=objective.title,
            level_label=objective.get_level_display(),
            is_private=objective.is_private,
            status=objective.status,
            status_label=objective.get_status_display(),
            team_name=objective.team.name if objective.team_id else "",
            team_url=urls("objectives:team", team_id=objective.team_id)
            if objective.team_id
            else "",
            owner_name=_person_name(owner),
            owner_url=urls("objectives:person", person_id=objective.owner_id)
            if owner is not None
            else "",
            period_name=objective.period.name,
            percent=as_percent(objective.progress),
            confidence=objective.confidence or "on_track",
        )


def summary_rows(objectives):
    """The ``<tr>``s of objectives that ``prepare_summaries`` shaped, drawn in one call."""
    return component("summary_row.summary_rows")(rows=[o.summary for o in objectives])
