"""Exactly-once reminders against the real Redis broker and real Celery worker processes.

The workers run ``okr_site.settings`` against the pytest database (so these tests commit:
``transaction=True``) and send through ``DatabaseEmailBackend``, an outbox table this test
reads across processes. Each scenario counts e-mails per recipient: exactly one, none lost.
The last one sends through a real SMTP server on loopback instead, where a kill may repeat
the one message per batch in flight that the server accepted but the worker had not marked.
"""

import asyncio
import collections
import datetime
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import redis
from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import connection
from django.utils import timezone

from checkins import reminders, tasks
from checkins.models import OutboxEmail, ReminderDelivery
from okr_site.celery import app
from tests.factories import (
    KeyResultFactory,
    MembershipFactory,
    ObjectiveFactory,
    OrganizationFactory,
    PeriodFactory,
    ReminderScheduleFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)

CELERY = str(Path(sys.executable).parent / "celery")
ROOT = Path(__file__).resolve().parents[2]


def _database_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def broker():
    url = settings.CELERY_BROKER_URL
    assert url.startswith("redis://"), "these tests need REDIS_URL (the real broker)"
    client = redis.Redis.from_url(url)
    client.flushdb()
    app.conf.task_always_eager = False
    yield url
    app.conf.task_always_eager = True
    client.flushdb()


@pytest.fixture
def workers(broker, tmp_path):
    started: list[subprocess.Popen] = []

    def start(name: str, *, outbox_delay: float = 0.0, **extra_env: str) -> subprocess.Popen:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "okr_site.settings",
            "DATABASE_URL": _database_url(),
            "REDIS_URL": broker,
            "SECRET_KEY": "worker-test-secret",
            "DEBUG": "0",
            "SECURE_SSL_REDIRECT": "0",
            "EMAIL_BACKEND": "checkins.mail_backends.DatabaseEmailBackend",
            "EMAIL_OUTBOX_DELAY": str(outbox_delay),
            # Short leases so a dead worker's batch is taken over within seconds.
            "REMINDER_CLAIM_TIMEOUT": "4",
            "CELERY_VISIBILITY_TIMEOUT": "8",
            "CELERY_UNACKED_RESTORE_INTERVAL": "1",
            "CELERY_UNACKED_RESTORE_THROTTLE": "1",
            "LOG_LEVEL": "WARNING",
            **extra_env,
        }
        log = open(tmp_path / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen(
            [
                CELERY,
                "-A",
                "okr_site",
                "worker",
                "-c",
                "2",
                "--pool",
                "prefork",
                "-n",
                f"{name}@%h",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-l",
                "warning",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: SIGKILL hits the pool children too
        )
        process.log_path = tmp_path / f"{name}.log"
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
    connection.close()


def _company(size: int):
    """``size`` people with an active KR each and a reminder due now (day rule, 00:00 UTC)."""
    org = OrganizationFactory(time_zone="UTC")
    period = PeriodFactory(org=org)
    for _ in range(size):
        owner = MembershipFactory(org=org)
        KeyResultFactory(objective=ObjectiveFactory(org=org, period=period, owner=owner))
    today = timezone.now()
    schedule = ReminderScheduleFactory(
        org=org,
        cadence="monthly",
        monthly_rule="day",
        day_of_month=today.day,
        send_time=datetime.time(0, 0),
        created_at=today - datetime.timedelta(days=60),
    )
    return org, schedule


def _wait_until(predicate, *, timeout: float, processes=(), what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    logs = "\n".join(p.log_path.read_text(errors="replace")[-3000:] for p in processes)
    raise AssertionError(f"Timed out waiting for {what}. Worker logs:\n{logs}")


def _statuses(schedule) -> collections.Counter:
    return collections.Counter(
        ReminderDelivery.objects.filter(schedule=schedule).values_list("status", flat=True)
    )


def _assert_exactly_one_email_each(org, size):
    emails = list(org.memberships.values_list("user__email", flat=True))
    sent = collections.Counter(OutboxEmail.objects.values_list("to", flat=True))
    assert len(emails) == size
    assert {e: sent.get(e, 0) for e in emails} == {e: 1 for e in emails}
    assert sum(sent.values()) == size


def test_dispatcher_run_twice_concurrently_sends_each_reminder_once(workers):
    size = 150
    org, schedule = _company(size)
    # Both dispatcher runs are queued before the worker starts, so its two processes pick
    # them up at the same moment.
    tasks.dispatch_due_reminders.delay()
    tasks.dispatch_due_reminders.delay()
    worker = workers("dispatch")
    _wait_until(
        lambda: _statuses(schedule) == {"sent": size},
        timeout=45,
        processes=[worker],
        what="every delivery to be sent",
    )
    time.sleep(1)  # any duplicate batch still in flight would land now
    assert ReminderDelivery.objects.filter(schedule=schedule).count() == size
    _assert_exactly_one_email_each(org, size)


def test_worker_killed_mid_batch_then_a_new_worker_sends_each_reminder_exactly_once(workers):
    size = 300
    org, schedule = _company(size)
    report = reminders.dispatch_due(enqueue=tasks.enqueue_batch, org_ids=[org.pk])
    assert report.batches == 3  # published to Redis on commit

    # A slow mail server (20 ms a message): each batch of 100 takes about two seconds.
    doomed = workers("doomed", outbox_delay=0.02)
    _wait_until(
        lambda: _statuses(schedule).get("sending", 0) >= 100,
        timeout=30,
        processes=[doomed],
        what="a batch to be claimed",
    )
    time.sleep(0.6)  # well inside the batch
    os.killpg(doomed.pid, signal.SIGKILL)
    doomed.wait(timeout=10)
    at_kill = _statuses(schedule)
    assert at_kill.get("sending", 0) >= 100, at_kill  # killed with claims outstanding
    assert at_kill.get("sent", 0) < size

    survivor = workers("survivor", outbox_delay=0.002)
    _wait_until(
        lambda: _statuses(schedule) == {"sent": size},
        timeout=50,
        processes=[doomed, survivor],
        what="every delivery to be sent after the crash",
    )
    time.sleep(1)
    _assert_exactly_one_email_each(org, size)
    # The redelivered batches found the dead worker's claims and took them over.
    assert ReminderDelivery.objects.filter(schedule=schedule, attempts__gte=2).exists()


class SlowSmtpServer:
    """A real SMTP server on loopback (aiosmtpd) that takes ``delay`` seconds to accept each
    message and counts what it accepted per recipient."""

    def __init__(self, delay: float):
        self.delay = delay
        self.received: collections.Counter = collections.Counter()
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(self.delay)
        with self.lock:
            self.received.update(envelope.rcpt_tos)
        return "250 Message accepted for delivery"

    def count(self) -> int:
        with self.lock:
            return sum(self.received.values())

    def per_recipient(self) -> collections.Counter:
        with self.lock:
            return collections.Counter(self.received)


@pytest.fixture
def smtp_server():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = SlowSmtpServer(delay=0.03)
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    handler.url = f"smtp://127.0.0.1:{port}"
    yield handler
    controller.stop()


def test_worker_killed_mid_batch_with_a_real_smtp_server_repeats_at_most_one_message_per_batch(
    workers, smtp_server
):
    size, batch, concurrency, claim_timeout = 120, 40, 2, 4
    org, schedule = _company(size)
    smtp = {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_URL": smtp_server.url,
        # Only the rescue (beat's job, played below) can recover the batches: the broker
        # would redeliver the killed worker's tasks only after this.
        "CELERY_VISIBILITY_TIMEOUT": "600",
    }
    report = reminders.dispatch_due(enqueue=tasks.enqueue_batch, org_ids=[org.pk], batch_size=batch)
    assert report.batches == 3  # the worker's two processes take two, the third waits

    doomed = workers("doomed-smtp", **smtp)
    _wait_until(  # both batches of the worker's two processes claimed and well under way
        lambda: (
            smtp_server.count() >= 10
            and sum(_statuses(schedule)[s] for s in ("sending", "sent")) >= 2 * batch
        ),
        timeout=30,
        processes=[doomed],
        what="two batches to be sending",
    )
    os.killpg(doomed.pid, signal.SIGKILL)
    doomed.wait(timeout=10)
    killed_at = time.monotonic()
    at_kill = _statuses(schedule)
    assert at_kill["sending"] >= batch // 2, at_kill

    survivor = workers("survivor-smtp", **smtp)

    last_rescue = [0.0]

    def rescued_and_sent():
        if time.monotonic() - last_rescue[0] >= 1:  # what beat does every minute
            tasks.rescue_stuck_reminders.delay()
            last_rescue[0] = time.monotonic()
        return _statuses(schedule) == {"sent": size}

    _wait_until(
        rescued_and_sent,
        timeout=40,
        processes=[doomed, survivor],
        what="every delivery to be sent after the crash",
    )
    late = time.monotonic() - killed_at
    time.sleep(1)  # a duplicate still in flight would land now

    emails = list(org.memberships.values_list("user__email", flat=True))
    received = smtp_server.per_recipient()
    assert all(received[e] >= 1 for e in emails), "someone got no reminder"
    repeated = [e for e in emails if received[e] > 1]
    assert len(repeated) <= concurrency, received.most_common(5)
    assert all(received[e] == 2 for e in repeated)
    assert sum(received.values()) == size + len(repeated)
    # Taken over once the dead claims went stale (plus the rescue and a worker's start-up),
    # not after a quarter of an hour.
    assert late < claim_timeout + 15, late
