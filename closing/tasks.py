"""Celery adapter: send one recorded grading nudge (``closing.emails``)."""

from celery import shared_task

from checkins import reminders


@shared_task(
    acks_late=True,
    autoretry_for=(reminders.MailError, *reminders.MAIL_ERRORS),
    retry_backoff=60,
    max_retries=6,
)
def send_grading_nudge(nudge_id: int) -> bool:
    from . import emails

    return emails.send_grading_nudge(nudge_id)
