"""Periods of a company: generating a fiscal year and finding the current period.

A fiscal year is named after the calendar year in which it *starts*: with an April start,
``FY2026`` runs from 1 April 2026 to 31 March 2027 and ``FY2026 Q1`` is April-June 2026.
Months carry their calendar names ("Apr 2026").
"""

import calendar
import datetime
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from .models import Organization, Period

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
    org: Organization, fiscal_year: int
) -> list[tuple[str, str, datetime.date, datetime.date, int | None]]:
    """``(kind, name, start, end, parent index)`` rows: the year, 4 quarters, 12 months."""
    year_start, year_end = fiscal_year_bounds(org, fiscal_year)
    rows: list = [(Kind.YEAR, f"FY{fiscal_year}", year_start, year_end, None)]
    for q in range(4):
        q_start = _add_months(year_start, 3 * q)
        q_end = _add_months(q_start, 3) - datetime.timedelta(days=1)
        rows.append((Kind.QUARTER, f"FY{fiscal_year} Q{q + 1}", q_start, q_end, 0))
        quarter_index = len(rows) - 1
        for m in range(3):
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
def fiscal_year_periods(org: Organization, fiscal_year: int) -> list[Period]:
    """Create (or complete) the year, its quarters and months, nested. Idempotent.

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
    for kind, name, start, end, parent_index in fiscal_year_plan(org, fiscal_year):
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


def org_today(org: Organization) -> datetime.date:
    return timezone.now().astimezone(ZoneInfo(org.time_zone or "UTC")).date()


def current_period(org: Organization, kind: str = Kind.QUARTER) -> Period | None:
    """The period marked current, else the one containing today (company time), else the latest."""
    periods = Period.objects.for_org(org).filter(kind=kind)
    marked = periods.filter(is_current=True).first()
    if marked is not None:
        return marked
    today = org_today(org)
    containing = periods.filter(start__lte=today, end__gte=today).order_by("-start").first()
    if containing is not None:
        return containing
    return periods.order_by("-start").first()


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
