"""Company time: the one module that knows what time and day it is for a company, and which
period is current.

Everything that needs "today" or "the current period" for a company asks here; nothing else
builds a ``ZoneInfo`` or calls ``timezone.localdate()`` (a test greps the code base for it).
``TenantMiddleware`` activates the company's zone for every company request, and tasks and
e-mails about a company run inside ``company_timezone(org)``, so templates print company
local time with Django's ordinary ``date``/``time`` filters.
"""

import datetime
import functools
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from zoneinfo import ZoneInfo

from django.utils import timezone

UTC = ZoneInfo("UTC")


@functools.lru_cache(maxsize=1024)
def zone_named(name: str | None) -> ZoneInfo:
    """The zone of that name, UTC if it is empty or unknown."""
    if not name:
        return UTC
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError, OSError):
        return UTC


def company_zone(org) -> ZoneInfo:
    """The company's time zone (UTC without a company or with an unknown zone)."""
    return zone_named(getattr(org, "time_zone", None))


def company_now(org, now: datetime.datetime | None = None) -> datetime.datetime:
    """Now (or ``now``) as the company's wall clock shows it."""
    return (now or timezone.now()).astimezone(company_zone(org))


def company_today(org, now: datetime.datetime | None = None) -> datetime.date:
    """Today's date for the company (the date of ``now`` in company time)."""
    return company_now(org, now).date()


def company_week_start(org, now: datetime.datetime | None = None) -> datetime.datetime:
    """Midnight (company time) of the first day of the company's current week
    (``org.week_start``, Monday = 0), as an aware moment."""
    local = company_now(org, now)
    first = local.date() - datetime.timedelta(days=(local.weekday() - (org.week_start or 0)) % 7)
    return datetime.datetime.combine(first, datetime.time(), tzinfo=company_zone(org))


def company_date(org, moment: datetime.datetime) -> datetime.date:
    """The company's calendar date of a moment (e.g. the day a key result was created)."""
    if timezone.is_naive(moment):
        return moment.date()
    return moment.astimezone(company_zone(org)).date()


def pick_current(periods: Iterable, today: datetime.date):
    """Of ``periods`` (one kind): the one marked current, else the one containing ``today``,
    else the latest that has started, else the first still to come. ``None`` if empty."""
    periods = list(periods)
    marked = [p for p in periods if p.is_current]
    if marked:
        return min(marked, key=lambda p: (p.start, -p.end.toordinal()))
    containing = [p for p in periods if p.start <= today <= p.end]
    if containing:
        return max(containing, key=lambda p: p.start)
    started = [p for p in periods if p.start <= today]
    if started:
        return max(started, key=lambda p: p.start)
    return min(periods, key=lambda p: p.start, default=None)


def current_period(org, kind: str | None = None, periods: Iterable | None = None, *, now=None):
    """The company's current period of ``kind`` (a quarter unless told): marked current,
    else containing today in company time, else the latest begun, else the next to come.

    Pass ``periods`` (the company's periods, any kinds) when a page has loaded them already:
    then no query is made.
    """
    from .models import Period

    kind = kind or Period.Kind.QUARTER
    if periods is None:
        periods = Period.objects.for_org(org).filter(kind=kind)
    return pick_current((p for p in periods if p.kind == kind), company_today(org, now))


@contextmanager
def company_timezone(org) -> Iterator[ZoneInfo]:
    """Activate the company's zone for a task or an e-mail (restores the previous one)."""
    zone = company_zone(org)
    previous = timezone.get_current_timezone() if _is_active() else None
    timezone.activate(zone)
    try:
        yield zone
    finally:
        if previous is None:
            timezone.deactivate()
        else:
            timezone.activate(previous)


def _is_active() -> bool:
    return getattr(timezone._active, "value", None) is not None
