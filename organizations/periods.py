"""Periods of a company: generating a fiscal year and finding the current period.

A fiscal year is named after the calendar year in which it *starts*: with an April start,
``FY2026`` runs from 1 April 2026 to 31 March 2027 and ``FY2026 Q1`` is April-June 2026.
Months carry their calendar names ("Apr 2026").
"""

import calendar
import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from .clock import company_today, current_period, pick_current
from .models import Organization, Period

# Company time lives in ``organizations.clock``; these names stay for older callers.
org_today = company_today
__all__ = ["current_period", "org_today"]

Kind = Period.Kind
PARENT_KIND = {Kind.QUARTER: Kind.YEAR, Kind.MONTH: Kind.QUARTER}


def _add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.month - 1 + months
    return datetime.date(day.year + index // 12, index % 12 + 1, 1)


def _month_end(first: datetime.date) -> datetime.date:
    return first.replace(day=calendar.monthrange(first.year, first.month)[1])


def fiscal_year_bounds(org: Organization, fiscal_year: int) -> tuple[datetime.date, datetime.date]:
    start = datetime.date(fiscal_year, org.fiscal_year_start_month, 1)
    return start, _add_months(start, 12) - datetime.timedelta(days=1)


def fiscal_year_plan(
    org: Organization, fiscal_year: int, *, months: bool = False
) -> list[tuple[str, str, datetime.date, datetime.date, int | None]]:
    """``(kind, name, start, end, parent index)`` rows: the year, 4 quarters (and, when
    asked, 12 months)."""
    year_start, year_end = fiscal_year_bounds(org, fiscal_year)
    rows: list = [(Kind.YEAR, f"FY{fiscal_year}", year_start, year_end, None)]
    for q in range(4):
        q_start = _add_months(year_start, 3 * q)
        q_end = _add_months(q_start, 3) - datetime.timedelta(days=1)
        rows.append((Kind.QUARTER, f"FY{fiscal_year} Q{q + 1}", q_start, q_end, 0))
        quarter_index = len(rows) - 1
        for m in range(3 if months else 0):
            m_start = _add_months(q_start, m)
            rows.append(
                (Kind.MONTH, m_start.strftime("%b %Y"), m_start, _month_end(m_start), quarter_index)
            )
    return rows


def overlapping(org, *, kind: str, start, end, exclude_pk=None):
    """Periods of the same kind whose dates overlap ``start..end`` (inclusive)."""
    queryset = Period.objects.for_org(org).filter(kind=kind, start__lte=end, end__gte=start)
    if exclude_pk is not None:
        queryset = queryset.exclude(pk=exclude_pk)
    return queryset


@transaction.atomic
def fiscal_year_periods(
    org: Organization, fiscal_year: int, *, months: bool = False
) -> list[Period]:
    """Create (or complete) the year and its quarters (and its months with ``months``),
    nested. Idempotent.

    A period with exactly the planned kind and dates is reused (and gets its parent if it
    had none); a *different* period of the same kind overlapping the plan is an error.
    """
    existing = {
        (p.kind, p.start, p.end): p
        for p in Period.objects.for_org(org).filter(
            start__gte=fiscal_year_bounds(org, fiscal_year)[0],
            end__lte=fiscal_year_bounds(org, fiscal_year)[1],
        )
    }
    created: list[Period] = []
    for kind, name, start, end, parent_index in fiscal_year_plan(org, fiscal_year, months=months):
        parent = created[parent_index] if parent_index is not None else None
        period = existing.get((kind, start, end))
        if period is None:
            clash = overlapping(org, kind=kind, start=start, end=end).first()
            if clash is not None:
                raise ValidationError(
                    f"“{clash.name}” ({clash.start:%d %b %Y} to {clash.end:%d %b %Y}) overlaps "
                    f"{name}; change or delete it first."
                )
            period = Period(org=org, kind=kind, name=name, start=start, end=end, parent=parent)
            period.full_clean()
            period.save()
        elif parent is not None and period.parent_id is None:
            period.parent = parent
            period.save(update_fields=["parent"])
        created.append(period)
    return created


def fiscal_year_of(org: Organization, day: datetime.date) -> int:
    """The fiscal year (named after the calendar year it starts in) containing ``day``."""
    return day.year if day.month >= org.fiscal_year_start_month else day.year - 1


def next_quarter_plan(org: Organization, *, today: datetime.date | None = None):
    """``(name, start, end)`` of the quarter after the company's latest quarter (or, without
    any quarter, the fiscal quarter containing today in company time)."""
    latest = Period.objects.for_org(org).filter(kind=Kind.QUARTER).order_by("-end").first()
    if latest is not None:
        start = latest.end + datetime.timedelta(days=1)
    else:
        today = today or company_today(org)
        year_start = fiscal_year_bounds(org, fiscal_year_of(org, today))[0]
        start = _add_months(
            year_start,
            3 * (((today.year - year_start.year) * 12 + today.month - year_start.month) // 3),
        )
    # Three months on (a custom quarter starting mid-month keeps its day of the month).
    end = _add_months(start, 3) + datetime.timedelta(days=start.day - 2)
    return quarter_name(org, start), start, end


def quarter_name(org: Organization, start: datetime.date) -> str:
    """``FY2026 Q3``-style name of a quarter starting on ``start``."""
    fiscal_year = fiscal_year_of(org, start)
    months = (start.year - fiscal_year) * 12 + start.month - org.fiscal_year_start_month
    return f"FY{fiscal_year} Q{min(months // 3, 3) + 1}"


def enclosing_period(org: Organization, *, kind: str, start, end) -> Period | None:
    """The period of the next kind up that contains ``start..end`` (for nesting)."""
    parent_kind = PARENT_KIND.get(kind)
    if parent_kind is None:
        return None
    return (
        Period.objects.for_org(org)
        .filter(kind=parent_kind, start__lte=start, end__gte=end)
        .order_by("start")
        .first()
    )


PAST_YEARS = "Past years"


def period_groups(org: Organization, periods, *, today: datetime.date | None = None):
    """The company's periods for a picker, as ``(label, periods)`` by fiscal year: the
    current fiscal year first (its current quarter first, then the rest in date order, a
    quarter before its months), then later years, then every earlier period under
    "Past years" (newest first). No query: ``periods`` is the list the page loaded."""
    periods = list(periods)
    today = today or company_today(org)
    current = pick_current([p for p in periods if p.kind == Kind.QUARTER], today)
    this_year = fiscal_year_of(org, current.start if current else today)
    by_year: dict[int, list[Period]] = {}
    past: list[Period] = []
    for period in sorted(periods, key=lambda p: (p.start, -p.end.toordinal(), p.pk)):
        year = fiscal_year_of(org, period.start)
        if year < this_year:
            past.append(period)
        else:
            by_year.setdefault(year, []).append(period)
    groups = []
    for year in sorted(by_year):
        rows = by_year[year]
        if current is not None and current in rows:
            rows = [current] + [p for p in rows if p != current]
        groups.append((f"FY{year}", rows))
    if past:
        groups.append((PAST_YEARS, past[::-1]))
    return groups, current
