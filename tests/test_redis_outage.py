"""With Redis down, pages keep serving, check-ins are stored and no work is lost.

A private redis-server (its own free port, no persistence) stands in for the cache and the
Celery broker; stopping it is the outage. The machine's own Redis is never touched.
"""

import datetime
import shutil
import socket
import subprocess
import time
from decimal import Decimal

import pytest
import redis
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from alignment.models import DashboardSnapshot
from checkins.models import CheckIn, KRNudge
from okr_site.celery import app
from outbox import tasks as outbox_tasks
from outbox.models import PendingTask
from tests import factories as f
from tests.test_tenancy_walker import FILLERS, World, company_patterns, route_kwargs


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PrivateRedis:
    def __init__(self, directory):
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.directory = directory
        self.process = None

    def start(self):
        binary = shutil.which("redis-server")
        assert binary, "redis-server is needed (apt-get install redis-server)"
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--daemonize", "no", "--dir", str(self.directory)],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        client = redis.Redis.from_url(self.url)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                return
            except redis.ConnectionError:
                assert time.monotonic() < deadline, "private redis-server did not start"
                time.sleep(0.05)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None

    def client(self):
        return redis.Redis.from_url(self.url)


def _use_broker(url, *, eager):
    """Point Celery at ``url`` and drop its pooled connections."""
    app.conf.broker_url = url
    app.conf.task_always_eager = eager
    if app._pool is not None:
        app._pool.force_close_all()
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def private_redis(tmp_path):
    server = PrivateRedis(tmp_path)
    server.start()
    saved = (app.conf.broker_url, app.conf.task_always_eager)
    cache_settings = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": server.url,
            "KEY_PREFIX": "outage-test",
            "OPTIONS": {
                "SOCKET_CONNECT_TIMEOUT": 0.25,
                "SOCKET_TIMEOUT": 0.25,
                "IGNORE_EXCEPTIONS": True,
            },
        }
    }
    with override_settings(
        CACHES=cache_settings,
        CELERY_BROKER_URL=server.url,
        CELERY_TASK_ALWAYS_EAGER=False,
    ):
        _use_broker(server.url, eager=False)
        try:
            yield server
        finally:
            _use_broker(saved[0], eager=saved[1])
            server.stop()


def _sign_in(membership) -> Client:
    client = Client()
    response = client.post(
        reverse("accounts:login"), {"email": membership.user.email, "password": "pw-for-tests"}
    )
    assert response.status_code == 302, response.content.decode()[:500]
    return client


def _run_queued_tasks(server) -> list[str]:
    """What a worker does with the messages in the default queue, in this process."""
    done = []
    with app.connection_for_read() as conn:
        queue = conn.SimpleQueue("celery")
        try:
            while True:
                try:
                    message = queue.get(block=False)
                except queue.Empty:
                    break
                name = message.headers["task"]
                args, kwargs, _ = message.decode()
                app.tasks[name].apply(args=args, kwargs=kwargs, throw=True)
                message.ack()
                done.append(name)
        finally:
            queue.close()
    return done


@pytest.mark.django_db
def test_with_redis_down_people_sign_in_browse_check_in_and_nothing_is_lost(
    private_redis,
    org,
    period,
    team,
    admin_membership,
    manager_membership,
    member_membership,
    django_capture_on_commit_callbacks,
):
    world = World(org, admin_membership, member_membership, team, period)
    kr = world.kr
    # Stored dashboard figures a little behind: a visit asks the broker for a rebuild.
    admin_before = _sign_in(admin_membership)
    assert admin_before.get(reverse("alignment:dashboard", args=[org.slug])).status_code == 200
    DashboardSnapshot.objects.filter(org=org).update(
        computed_at=timezone.now() - datetime.timedelta(seconds=5), version=-1
    )
    assert Client().get("/healthz").status_code == 200

    private_redis.stop()  # the outage

    health = Client().get("/healthz")
    assert health.status_code == 503
    assert health.json()["checks"] == {
        "database": "ok",
        "cache": "unavailable",
        "broker": "unavailable",
    }

    # Pages of strangers that count e-mails in the cache still answer (and send).
    response = Client().post(
        reverse("accounts:password_reset"), {"email": member_membership.user.email}
    )
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [[member_membership.user.email]]
    mail.outbox.clear()

    # A fresh sign-in works (sessions live in PostgreSQL) and so does an existing session.
    admin = _sign_in(admin_membership)
    member = _sign_in(member_membership)
    assert admin_before.get(reverse("objectives:my", args=[org.slug])).status_code == 200

    failures = []
    for route, name in company_patterns():
        kwargs = {kw: FILLERS[kw](world) for kw in route_kwargs(route)}
        url = reverse(name, kwargs={"org_slug": org.slug, **kwargs})
        for client in (admin, member):
            status = client.get(url).status_code
            if status >= 500:
                failures.append((name, status))
    assert not failures, failures

    # A check-in is stored and moves the key result.
    response = member.post(
        reverse("checkins:create", args=[org.slug, kr.pk]),
        {"value": "42", "confidence": "at_risk", "note": "during the outage"},
    )
    assert response.status_code in (200, 302), response.status_code
    assert CheckIn.objects.filter(key_result=kr, note="during the outage").exists()
    kr.refresh_from_db()
    assert kr.current_value == Decimal("42")

    # A nudge is recorded; its e-mail waits in the outbox instead of failing the request.
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(reverse("checkins:kr-nudge", args=[org.slug, kr.pk]))
    assert response.status_code < 500
    nudge = KRNudge.objects.get(key_result=kr)
    assert nudge.sent_at is None
    assert list(PendingTask.objects.values_list("task", "args")) == [
        ("checkins.tasks.send_kr_nudge", [nudge.pk])
    ]
    assert outbox_tasks.flush_outbox() == 0  # beat's flush while still down keeps it
    assert PendingTask.objects.get().attempts == 1

    private_redis.start()  # Redis is back (empty: no persistence)

    assert Client().get("/healthz").status_code == 200
    assert outbox_tasks.flush_outbox() == 1  # beat's next minute
    assert not PendingTask.objects.exists()
    mail.outbox.clear()
    assert _run_queued_tasks(private_redis) == ["checkins.tasks.send_kr_nudge"]
    nudge.refresh_from_db()
    assert nudge.sent_at is not None
    assert [m.to for m in mail.outbox] == [[nudge.recipient.user.email]]


@pytest.mark.django_db
def test_the_embedded_default_runs_outbox_work_in_process(
    org, period, admin_membership, member_membership, django_capture_on_commit_callbacks
):
    kr = f.KeyResultFactory(
        objective=f.ObjectiveFactory(org=org, period=period, owner=member_membership)
    )
    admin = _sign_in(admin_membership)
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(reverse("checkins:kr-nudge", args=[org.slug, kr.pk]))
    assert KRNudge.objects.get(key_result=kr).sent_at is not None
    assert not PendingTask.objects.exists()
