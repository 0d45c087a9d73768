"""Celery adapter of ``alignment.snapshots``: it takes ids and calls the plain function."""

from celery import shared_task

from organizations.clock import company_timezone
from organizations.models import Organization, Period

from . import snapshots


@shared_task(acks_late=True)
def refresh_dashboard_snapshots(org_id: int, period_id: int) -> int:
    """Rebuild a period's dashboard figures; returns how many scopes were stored."""
    org = Organization.objects.filter(pk=org_id).first()
    period = Period.objects.for_org(org).filter(pk=period_id).first() if org else None
    if period is None:  # the company (or the period) was deleted after this was queued
        return 0
    with company_timezone(org):
        return len(snapshots.refresh(org, period))
