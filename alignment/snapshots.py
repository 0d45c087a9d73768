"""Stored dashboard figures (``DashboardSnapshot``) and when they are rebuilt.

A dashboard counts the whole period of its company; at thousands of people that is too much
work for every visit, so ``refresh`` computes every scope of a period at once
(``dashboard.compute_scopes``) and stores one row per scope. A page reads its row:

- current (built at the company's present ``data_version``, less than ``MAX_AGE`` old): used;
- out of date but younger than ``settings.DASHBOARD_MAX_LAG_SECONDS``: used, and a Celery
  job rebuilds the period (one per period at a time), so a busy company's managers see
  figures at most that far behind its check-ins instead of waiting for a rebuild each time;
- older, missing, or without a broker (the embedded default runs tasks in-process):
  rebuilt now, in the request.

Every write that changes what a dashboard counts moves ``data_version`` on inside its own
transaction (``organizations.models.note_data_change``; the OKR writes do it through
``objectives.rollups.lock_okr_writes``). The silence and pace figures depend on the clock as
well, hence ``MAX_AGE``.
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from organizations.models import Organization, Period

from .figures import FIGURES_FORMAT, compute_scopes, scope_key
from .models import DashboardSnapshot

log = logging.getLogger(__name__)

MAX_AGE = datetime.timedelta(minutes=10)
_LOCK_NAMESPACE = 0x41_4C_44  # "ALD": high bits of the advisory lock of a period's rebuild


def max_lag() -> datetime.timedelta:
    return datetime.timedelta(seconds=getattr(settings, "DASHBOARD_MAX_LAG_SECONDS", 60))


def scope_snapshot(org: Organization, period: Period, roots: frozenset[int] | None):
    """The stored figures of one scope, rebuilt first when they are too old (one query when
    they are not)."""
    key = scope_key(roots)
    snapshot = (
        DashboardSnapshot.objects.for_org(org)
        .filter(period=period, scope=key)
        .annotate(current_version=F("org__data_version"))
        .first()
    )
    if snapshot is not None and snapshot.data.get("format") == FIGURES_FORMAT:
        age = timezone.now() - snapshot.computed_at
        if snapshot.version == snapshot.current_version and age < MAX_AGE:
            return snapshot
        if age < max_lag() and not settings.CELERY_TASK_ALWAYS_EAGER:
            schedule_refresh(org.pk, period.pk)
            return snapshot
    extra = [roots] if roots is not None and len(roots) > 1 else []
    return refresh(org, period, extra_roots=extra)[key]


def schedule_refresh(org_id: int, period_id: int) -> bool:
    """Queue one rebuild of the period's figures unless one was queued within the lag.

    Best effort: with Redis down the cache answers a miss (``cache.add`` is falsy) and a send
    fails; either way the page serves the stored figures, which are younger than the lag, and
    a visit after the lag rebuilds them in the request. Nothing is lost, so no outbox.
    """
    from outbox.dispatch import BROKER_ERRORS

    from .tasks import refresh_dashboard_snapshots

    seconds = max(1, int(max_lag().total_seconds()))
    key = f"dashboard-refresh:{org_id}:{period_id}"
    if not cache.add(key, 1, timeout=seconds):
        return False

    def send():
        try:
            refresh_dashboard_snapshots.delay(org_id, period_id)
        except BROKER_ERRORS as error:
            log.warning("Dashboard rebuild not queued (broker unavailable): %s", error)
            cache.delete(key)

    transaction.on_commit(send)
    return True


def refresh(org: Organization, period: Period, *, extra_roots=()) -> dict[str, DashboardSnapshot]:
    """Compute and store every scope of the period; returns the rows by scope.

    The version is read before the data, so the rows are never newer than they claim; a
    rebuild that finishes after a newer one does not overwrite it.
    """
    now = timezone.now()
    version = Organization.objects.filter(pk=org.pk).values_list("data_version", flat=True).get()
    data = compute_scopes(org, period, extra_roots=extra_roots, now=now)
    rows = {
        key: DashboardSnapshot(
            org=org, period=period, scope=key, version=version, computed_at=now, data=figures
        )
        for key, figures in data.items()
    }
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_advisory_xact_lock(%s)", [(_LOCK_NAMESPACE << 32) | int(period.pk)]
                )
        stored = DashboardSnapshot.objects.for_org(org).filter(period=period)
        if stored.filter(version__gt=version).exists():
            return rows  # a newer rebuild won the race: keep its rows
        stored.exclude(scope__in=list(rows)).delete()
        DashboardSnapshot.objects.bulk_create(
            rows.values(),
            update_conflicts=True,
            unique_fields=["org", "period", "scope"],
            update_fields=["version", "computed_at", "data"],
        )
    return rows
