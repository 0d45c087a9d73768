"""What ``/healthz`` reports: each dependency of a node, checked within about a second.

Only the database is needed to serve pages; the cache degrades to misses and work for the
broker waits in the outbox. A node with Redis down still answers 503 so that an orchestrator
or monitor sees it is degraded (the fault run found /healthz answering 200 throughout).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection

OK = "ok"
DOWN = "unavailable"
NOT_USED = "not used"


def database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return DOWN
    return OK


def cache_status() -> str:
    # A round trip through the cache: a cache that swallows errors answers None.
    token = uuid.uuid4().hex
    cache.set("healthz-probe", token, timeout=10)
    return OK if cache.get("healthz-probe") == token else DOWN


def broker() -> str:
    from outbox.dispatch import BROKER_ERRORS

    from .celery import app

    if app.conf.task_always_eager or settings.CELERY_BROKER_URL.startswith("memory://"):
        return NOT_USED
    try:
        with app.connection_for_write() as conn:
            conn.connect()
    except BROKER_ERRORS:
        return DOWN
    return OK


def report() -> tuple[bool, dict]:
    checks = {"database": database()}
    checks["cache"] = cache_status()
    checks["broker"] = broker()
    healthy = all(state in (OK, NOT_USED) for state in checks.values())
    return healthy, {"status": "ok" if healthy else "degraded", "checks": checks}
