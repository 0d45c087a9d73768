from celery import shared_task

from . import dispatch


@shared_task
def flush_outbox() -> int:
    """Run by beat every minute: send the tasks kept while the broker was down."""
    return dispatch.flush()
