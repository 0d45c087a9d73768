"""Hand work to Celery without making the broker a dependency of a request.

``publish`` sends a task to the broker; when the broker cannot take it (Redis down or
unreachable) the task is stored as a ``PendingTask`` row in PostgreSQL instead, and
``flush`` (run by beat every minute, ``outbox.tasks.flush_outbox``) sends the stored rows
once the broker answers again. A person's request therefore never fails because Redis is
down, and no work it asked for is lost. Tasks sent this way must be idempotent (they are:
each claims its row by a conditional update), since a flush that dies after sending but
before deleting its row sends that task again.
"""

from __future__ import annotations

import logging

from django.db import transaction
from kombu.exceptions import OperationalError
from redis.exceptions import RedisError

from okr_site.celery import app

from .models import PendingTask

log = logging.getLogger(__name__)

# What a broker that is down or unreachable raises when a task is sent.
BROKER_ERRORS = (OperationalError, RedisError, OSError)


def _send(name: str, args: list, kwargs: dict) -> None:
    # retry=False: with the broker down, fail at once instead of retrying while a person waits.
    app.send_task(name, args=args, kwargs=kwargs, retry=False)


def publish(task, *args, **kwargs) -> bool:
    """Send ``task`` now; True when the broker took it, False when it was kept for later."""
    name = task if isinstance(task, str) else task.name
    if app.conf.task_always_eager:
        # No broker (the embedded default, tests): the work runs here, as it always did.
        app.tasks[name].apply(args=args, kwargs=kwargs, throw=True)
        return True
    try:
        _send(name, list(args), kwargs)
        return True
    except BROKER_ERRORS as error:
        log.warning("Broker unavailable, keeping %s%r for later: %s", name, args, error)
        PendingTask.objects.create(
            task=name, args=list(args), kwargs=kwargs, last_error=str(error)[:1000]
        )
        return False


def publish_on_commit(task, *args, **kwargs) -> None:
    """``publish`` once the current transaction commits (the task reads committed rows)."""
    transaction.on_commit(lambda: publish(task, *args, **kwargs))


def flush(limit: int = 500) -> int:
    """Send stored tasks, oldest first, while the broker takes them; returns how many went."""
    sent = 0
    while sent < limit:
        with transaction.atomic():
            row = PendingTask.objects.select_for_update(skip_locked=True).order_by("id").first()
            if row is None:
                break
            try:
                _send(row.task, row.args, row.kwargs)
            except BROKER_ERRORS as error:  # still down: keep it, try again next minute
                PendingTask.objects.filter(pk=row.pk).update(
                    attempts=row.attempts + 1, last_error=str(error)[:1000]
                )
                break
            row.delete()
        sent += 1
    return sent
