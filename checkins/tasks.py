"""Celery adapters of ``checkins.reminders``: they take ids and call the plain functions."""

import datetime

from celery import shared_task
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from . import reminders


def _parse_now(now: str | None) -> datetime.datetime | None:
    if not now:
        return None
    parsed = parse_datetime(now)
    if parsed is None or parsed.tzinfo is None:
        raise ValueError(f"Not an aware ISO datetime: {now!r}")
    return parsed


def enqueue_batch(org_id: int, delivery_ids: list[int]) -> None:
    # With the broker down the batch waits in the outbox rather than failing the dispatch.
    from outbox.dispatch import publish

    publish(send_reminder_batch, org_id, delivery_ids)


@shared_task(acks_late=True)
def dispatch_due_reminders(now: str | None = None) -> dict:
    """Run by beat every 5 minutes: create due deliveries (reminders and follow-ups) and
    enqueue their batches; tell the managers of those whose follow-up went unanswered."""
    from .escalation import escalate_due

    moment = _parse_now(now)
    report = reminders.dispatch_due(now=moment, enqueue=enqueue_batch)
    escalated = escalate_due(now=moment or timezone.now())
    return {
        "dispatched": [
            {"schedule": s.pk, "occurrence": o.isoformat(), "recipients": n}
            for s, o, n in report.dispatched
        ],
        "batches": report.batches,
        "rescued": report.rescued,
        "follow_ups": report.follow_ups,
        "escalated": escalated,
    }


@shared_task(acks_late=True)
def rescue_stuck_reminders() -> int:
    """Run by beat every minute: enqueue again the batches whose worker died (their claims
    went stale) or whose task was lost; one indexed query when there are none."""
    return reminders.rescue_stuck(enqueue=enqueue_batch)


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(reminders.MailError,),
    retry_backoff=60,
    retry_backoff_max=30 * 60,
    retry_jitter=True,
    max_retries=6,
)
def send_reminder_batch(self, org_id: int, delivery_ids: list[int]) -> dict:
    """Claim, send and mark one batch. A redelivered copy (the worker died) finds the claims;
    while they are fresh it checks back once they have gone stale."""
    result = reminders.send_batch(
        org_id=org_id,
        delivery_ids=delivery_ids,
        final_attempt=self.request.retries >= self.max_retries,
    )
    if result.busy and not self.request.is_eager:
        # Someone else's claim: a live worker finishing (its heartbeat keeps the claim fresh),
        # or a dead one. Look again after the claim timeout: by then they are SENT, claimable,
        # or still being sent (then this looks again).
        countdown = reminders.claim_timeout().total_seconds() + 1
        self.apply_async(args=(org_id, delivery_ids), countdown=countdown)
    return {
        "sent": len(result.sent),
        "skipped": len(result.skipped),
        "failed": len(result.failed),
        "busy": result.busy,
    }


@shared_task(
    acks_late=True,
    autoretry_for=(reminders.MailError, *reminders.MAIL_ERRORS),
    retry_backoff=60,
    max_retries=6,
)
def send_kr_nudge(nudge_id: int) -> bool:
    """Send one recorded nudge (``checkins.nudges``); a second copy finds it sent."""
    from . import nudges

    return nudges.send_nudge(nudge_id)
