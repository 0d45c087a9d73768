"""Celery adapters of ``slack.delivery``: they take ids and call the plain functions."""

from celery import shared_task

from checkins.reminders import MAIL_ERRORS, MailError

from . import delivery


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True)
def post_to_slack(self, post_id: int) -> str:
    """Post one row; Slack busy or unreachable: again after its Retry-After or a back-off
    (``delivery`` counts the attempts on the row, so a rescued copy keeps the count)."""
    outcome = delivery.send_post(post_id)
    # In-process (no broker: the embedded default, the tests) Celery itself runs a retry at
    # once; outbox.publish asks it to raise instead, so the retries run here, as it would.
    while outcome.retry_in is not None and self.request.is_eager:
        outcome = delivery.send_post(post_id)
    if outcome.retry_in is not None:
        raise self.retry(countdown=outcome.retry_in, max_retries=None)
    return outcome.status


@shared_task(acks_late=True)
def send_due_digests() -> dict:
    """Run by beat every hour: the weekly digests whose hour it is in each company, and the
    rows a lost task left behind."""
    return {"digests": delivery.queue_due_digests(), "requeued": delivery.requeue_lost()}


@shared_task(
    acks_late=True, autoretry_for=(MailError, *MAIL_ERRORS), retry_backoff=60, max_retries=6
)
def tell_managers_hook_broken(hook_id: int) -> int:
    from .services import tell_managers_hook_broken as tell

    return tell(hook_id)
