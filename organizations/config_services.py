"""Writes of the company configuration: vision and strategy, themes, periods.

Admins only: each write checks its actor (``permissions.ensure_admin``) and is recorded
(``audit.record``).
"""

from django.db import transaction
from django.utils import timezone

from audit.services import changes_of, record, snapshot, stored

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
from .permissions import ensure_admin

MSG_SETTINGS = "Only the company's admins change its settings."


@transaction.atomic
def strategy_update(*, org: Organization, actor, vision: str, mission: str, strategy: str):
    ensure_admin(actor, org.pk, MSG_SETTINGS)
    before = stored(org, ["vision", "mission", "strategy"])
    org.vision, org.mission, org.strategy = vision, mission, strategy
    org.full_clean()
    org.save(update_fields=["vision", "mission", "strategy"])
    record(actor, "company.strategy", org, changes_of(org, before))
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
    review_required: bool | None = None,
    alignment_requests: bool | None = None,
) -> Organization:
    """Name, time zone, fiscal-year start month and week start of a company (admins), and
    whether its objectives are reviewed before they are published (``None``: unchanged).

    Existing periods keep their dates: a new fiscal-year start month only shapes the fiscal
    years generated afterwards, so no objective changes period behind anyone's back.
    """
    ensure_admin(actor, org.pk, MSG_SETTINGS)
    # A fresh row, so a rejected change leaves the caller's instance (the request's company)
    # as it was.
    company = Organization.objects.select_for_update().get(pk=org.pk)
    fields = [
        "name", "time_zone", "fiscal_year_start_month", "week_start", "review_required",
        "alignment_requests",
    ]  # fmt: skip
    before = snapshot(company, fields)
    company.name = name
    company.time_zone = time_zone
    company.fiscal_year_start_month = fiscal_year_start_month
    company.week_start = week_start
    if review_required is not None:
        company.review_required = review_required
    if alignment_requests is not None:
        company.alignment_requests = alignment_requests
    company.full_clean(exclude=["slug"])
    company.save(update_fields=fields)
    record(actor, "company.settings", company, changes_of(company, before))
    # Dashboards work out "today" and pace in the company's zone.
    note_data_change(company.pk)
    return company


@transaction.atomic
def getting_started_hide(*, org: Organization, actor: Membership) -> None:
    """An admin hides the getting-started checklist for the company before it is complete."""
    ensure_admin(actor, org.pk, MSG_SETTINGS)
    hidden = Organization.objects.filter(pk=org.pk, getting_started_hidden_at=None).update(
        getting_started_hidden_at=timezone.now()
    )
    if hidden:
        record(actor, "company.hide_getting_started", org)


@transaction.atomic
def theme_create(*, org: Organization, actor, name: str, description: str = "", colour: str):
    ensure_admin(actor, org.pk)
    theme = StrategicTheme(org=org, name=name, description=description, colour=colour)
    theme.full_clean()
    theme.save()
    record(actor, "theme.create", theme)
    return theme


@transaction.atomic
def theme_update(*, theme: StrategicTheme, actor, **fields) -> StrategicTheme:
    ensure_admin(actor, theme.org_id)
    before = stored(theme, fields)
    for name, value in fields.items():
        setattr(theme, name, value)
    theme.full_clean()
    theme.save()
    record(actor, "theme.update", theme, changes_of(theme, before))
    return theme


@transaction.atomic
def theme_delete(*, theme: StrategicTheme, actor) -> None:
    """Objectives tagged with the theme keep existing, untagged."""
    ensure_admin(actor, theme.org_id)
    record(actor, "theme.delete", theme)
    theme.delete()


@transaction.atomic
def fiscal_year_generate(
    *, org: Organization, actor, fiscal_year: int, months: bool = False
) -> list[Period]:
    ensure_admin(actor, org.pk)
    periods = fiscal_year_periods(org, fiscal_year, months=months)
    # One entry for the whole year (the year is the first period of the plan).
    record(actor, "period.generate_year", periods[0], {"periods": [None, [p.pk for p in periods]]})
    note_data_change(org.pk)
    return periods


@transaction.atomic
def next_quarter_create(*, org: Organization, actor) -> Period:
    """The quarter after the company's latest one (three months on), nested in its fiscal
    year, which is created too (the year alone) when no year covers the new quarter."""
    ensure_admin(actor, org.pk)
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
    record(actor, "period.create", quarter)
    note_data_change(org.pk)
    return quarter


@transaction.atomic
def period_create(*, org: Organization, actor, kind: str, name: str, start, end) -> Period:
    """A custom period; it nests under the period of the next kind up that contains it."""
    ensure_admin(actor, org.pk)
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
    record(actor, "period.create", period)
    note_data_change(period.org_id)
    return period


@transaction.atomic
def period_update(*, period: Period, actor, name: str, start, end) -> Period:
    ensure_admin(actor, period.org_id)
    before = stored(period, ["name", "start", "end", "parent"])
    period.name, period.start, period.end = name, start, end
    if period.parent is None or not (period.parent.start <= start and end <= period.parent.end):
        period.parent = enclosing_period(period.org, kind=period.kind, start=start, end=end)
    period.full_clean()
    period.save()
    record(actor, "period.update", period, changes_of(period, before))
    note_data_change(period.org_id)
    return period


@transaction.atomic
def period_make_current(*, period: Period, actor) -> Period:
    """One current period per kind: the others of its kind stop being current."""
    ensure_admin(actor, period.org_id)
    Period.objects.for_org(period.org_id).filter(kind=period.kind, is_current=True).exclude(
        pk=period.pk
    ).update(is_current=False)
    was_current = period.is_current
    period.is_current = True
    period.save(update_fields=["is_current"])
    record(actor, "period.make_current", period, {"is_current": [was_current, True]})
    note_data_change(period.org_id)
    return period


@transaction.atomic
def period_set_closed(*, period: Period, actor, closed: bool) -> Period:
    """A closed period's OKRs are read-only (admins excepted)."""
    ensure_admin(actor, period.org_id)
    was_closed = period.is_closed
    period.is_closed = closed
    period.save(update_fields=["is_closed"])
    record(
        actor,
        "period.close" if closed else "period.reopen",
        period,
        {"is_closed": [was_closed, closed]},
    )
    note_data_change(period.org_id)
    return period
