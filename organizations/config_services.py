"""Writes of the company configuration: vision and strategy, themes, periods."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from .models import Membership, Organization, Period, StrategicTheme, note_data_change
from .periods import (
    Kind,
    enclosing_period,
    fiscal_year_bounds,
    fiscal_year_of,
    fiscal_year_periods,
    next_quarter_plan,
    overlapping,
)


@transaction.atomic
def strategy_update(*, org: Organization, actor, vision: str, mission: str, strategy: str):
    org.vision, org.mission, org.strategy = vision, mission, strategy
    org.full_clean()
    org.save(update_fields=["vision", "mission", "strategy"])
    return org


@transaction.atomic
def company_settings_update(
    *,
    org: Organization,
    actor: Membership,
    name: str,
    time_zone: str,
    fiscal_year_start_month: int,
    week_start: int,
) -> Organization:
    """Name, time zone, fiscal-year start month and week start of a company (admins).

    Existing periods keep their dates: a new fiscal-year start month only shapes the fiscal
    years generated afterwards, so no objective changes period behind anyone's back.
    """
    _require_admin(org, actor)
    # A fresh row, so a rejected change leaves the caller's instance (the request's company)
    # as it was.
    company = Organization.objects.select_for_update().get(pk=org.pk)
    company.name = name
    company.time_zone = time_zone
    company.fiscal_year_start_month = fiscal_year_start_month
    company.week_start = week_start
    company.full_clean(exclude=["slug"])
    company.save(update_fields=["name", "time_zone", "fiscal_year_start_month", "week_start"])
    # Dashboards work out "today" and pace in the company's zone.
    note_data_change(company.pk)
    return company


def _require_admin(org: Organization, actor: Membership) -> None:
    if actor.org_id != org.pk or not actor.is_active or not actor.has_role(Membership.Role.ADMIN):
        raise PermissionDenied("Only the company's admins change its settings.")


@transaction.atomic
def getting_started_hide(*, org: Organization, actor: Membership) -> None:
    """An admin hides the getting-started checklist for the company before it is complete."""
    _require_admin(org, actor)
    Organization.objects.filter(pk=org.pk, getting_started_hidden_at=None).update(
        getting_started_hidden_at=timezone.now()
    )


@transaction.atomic
def theme_create(*, org: Organization, actor, name: str, description: str = "", colour: str):
    theme = StrategicTheme(org=org, name=name, description=description, colour=colour)
    theme.full_clean()
    theme.save()
    return theme


@transaction.atomic
def theme_update(*, theme: StrategicTheme, actor, **fields) -> StrategicTheme:
    for name, value in fields.items():
        setattr(theme, name, value)
    theme.full_clean()
    theme.save()
    return theme


@transaction.atomic
def theme_delete(*, theme: StrategicTheme, actor) -> None:
    """Objectives tagged with the theme keep existing, untagged."""
    theme.delete()


@transaction.atomic
def fiscal_year_generate(
    *, org: Organization, actor, fiscal_year: int, months: bool = False
) -> list[Period]:
    periods = fiscal_year_periods(org, fiscal_year, months=months)
    note_data_change(org.pk)
    return periods


@transaction.atomic
def next_quarter_create(*, org: Organization, actor) -> Period:
    """The quarter after the company's latest one (three months on), nested in its fiscal
    year, which is created too (the year alone) when no year covers the new quarter."""
    Organization.objects.select_for_update().filter(pk=org.pk).first()  # one at a time
    name, start, end = next_quarter_plan(org)
    year = enclosing_period(org, kind=Kind.QUARTER, start=start, end=end)
    if year is None:
        fiscal_year = fiscal_year_of(org, start)
        year_start, year_end = fiscal_year_bounds(org, fiscal_year)
        if (
            year_start <= start
            and end <= year_end
            and not overlapping(org, kind=Kind.YEAR, start=year_start, end=year_end).exists()
        ):
            year = Period(
                org=org, kind=Kind.YEAR, name=f"FY{fiscal_year}", start=year_start, end=year_end
            )
            year.full_clean()
            year.save()
    quarter = Period(org=org, kind=Kind.QUARTER, name=name, start=start, end=end, parent=year)
    quarter.full_clean()
    quarter.save()
    note_data_change(org.pk)
    return quarter


@transaction.atomic
def period_create(*, org: Organization, actor, kind: str, name: str, start, end) -> Period:
    """A custom period; it nests under the period of the next kind up that contains it."""
    period = Period(
        org=org,
        kind=kind,
        name=name,
        start=start,
        end=end,
        parent=enclosing_period(org, kind=kind, start=start, end=end),
    )
    period.full_clean()
    period.save()
    note_data_change(period.org_id)
    return period


@transaction.atomic
def period_update(*, period: Period, actor, name: str, start, end) -> Period:
    period.name, period.start, period.end = name, start, end
    if period.parent is None or not (period.parent.start <= start and end <= period.parent.end):
        period.parent = enclosing_period(period.org, kind=period.kind, start=start, end=end)
    period.full_clean()
    period.save()
    note_data_change(period.org_id)
    return period


@transaction.atomic
def period_make_current(*, period: Period, actor) -> Period:
    """One current period per kind: the others of its kind stop being current."""
    Period.objects.for_org(period.org_id).filter(kind=period.kind, is_current=True).exclude(
        pk=period.pk
    ).update(is_current=False)
    period.is_current = True
    period.save(update_fields=["is_current"])
    note_data_change(period.org_id)
    return period


@transaction.atomic
def period_set_closed(*, period: Period, actor, closed: bool) -> Period:
    """A closed period's OKRs are read-only (admins excepted)."""
    period.is_closed = closed
    period.save(update_fields=["is_closed"])
    note_data_change(period.org_id)
    return period
