"""Who made a change: ``pghistory.context`` carries the acting person to the triggers.

pghistory prefixes each writing SQL statement with ``set_config('pghistory.context_*', ...,
true)`` while a context is open; the history trigger reads them (``history.tracking``). A
request that may write opens one (``HistoryContextMiddleware``; the tenancy middleware's
membership is added as soon as it is known), and so does every Celery task (its name; the
services it calls say who through ``acting``). Nothing is opened on SQLite, where nothing
is recorded and the prefix would not run.
"""

from __future__ import annotations

import contextlib

import pghistory
from django.db import connection

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _on_postgres() -> bool:
    return connection.vendor == "postgresql"


class HistoryContextMiddleware:
    """After ``TenantMiddleware``: a write request's changes name its person and address."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in WRITE_METHODS or not _on_postgres():
            return self.get_response(request)
        with pghistory.context(url=request.path[:300]):
            return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        membership = getattr(request, "membership", None)
        if membership is not None:
            acting(membership)
        return None


def acting(membership) -> None:
    """Name ``membership`` as the person behind the changes that follow in the open context
    (a request's or a task's); outside one it does nothing."""
    pghistory.context(membership=membership.pk)


@contextlib.contextmanager
def recorded_as(membership=None, **about):
    """Open a context (when none is open) for code that writes outside a request: a task, a
    management command. ``membership`` is who acts, if anyone."""
    if not _on_postgres():
        yield
        return
    if membership is not None:
        about["membership"] = membership.pk
    with pghistory.context(**about):
        yield


_task_contexts: dict[str, contextlib.ExitStack] = {}


def _task_started(task_id=None, task=None, **kwargs):
    if not _on_postgres():
        return
    stack = contextlib.ExitStack()
    stack.enter_context(pghistory.context(task=getattr(task, "name", "")))
    _task_contexts[task_id] = stack


def _task_finished(task_id=None, **kwargs):
    stack = _task_contexts.pop(task_id, None)
    if stack is not None:
        stack.close()


def connect_task_signals() -> None:
    from celery import signals

    signals.task_prerun.connect(_task_started, weak=False, dispatch_uid="history-task-start")
    signals.task_postrun.connect(_task_finished, weak=False, dispatch_uid="history-task-end")
