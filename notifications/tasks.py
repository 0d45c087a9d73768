"""Celery adapters of ``notifications.delivery``."""

from celery import shared_task

from checkins.reminders import MAIL_ERRORS, MailError

from . import delivery


@shared_task(
    acks_late=True,
    autoretry_for=(MailError, *MAIL_ERRORS),
    retry_backoff=60,
    max_retries=6,
)
def send_notification_email(notification_id: int) -> bool:
    return delivery.send_now(notification_id)


@shared_task(acks_late=True, autoretry_for=(MailError, *MAIL_ERRORS), retry_backoff=60)
def send_notification_digests() -> int:
    """Run by beat every hour: the digests whose hour it is in each company."""
    return delivery.send_digests()
