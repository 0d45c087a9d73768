"""A sending batch keeps its claims alive (the heartbeat): a slow but live batch is never taken
over, and one whose heartbeat stopped is, after the claim timeout.

Two senders run at once here, one in a thread, so these tests commit (``transaction=True``).
"""

import collections
import threading
import time

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db import connection

from checkins import reminders
from checkins.models import ReminderDelivery
from tests.checkins.test_reminders import NOW, company

pytestmark = pytest.mark.django_db(transaction=True)

CLAIM_TIMEOUT = 1.0  # seconds; the heartbeat runs every 0.25 s


class SlowBackend(LocmemBackend):
    """A mail server that takes 0.1 s a message."""

    def send_messages(self, messages):
        time.sleep(0.1)
        return super().send_messages(messages)


class HangingBackend(LocmemBackend):
    """A mail server that hangs on the third message until ``release`` is set."""

    hung = threading.Event()
    release = threading.Event()

    def send_messages(self, messages):
        if len(mail.outbox) == 2 and not HangingBackend.hung.is_set():
            HangingBackend.hung.set()
            HangingBackend.release.wait(timeout=20)
        return super().send_messages(messages)


@pytest.fixture
def short_claims(settings):
    settings.REMINDER_CLAIM_TIMEOUT = CLAIM_TIMEOUT
    HangingBackend.hung.clear()
    HangingBackend.release.clear()
    yield settings
    HangingBackend.release.set()


def _batch(size):
    org, schedule, people = company(size)
    reminders.dispatch_due(now=NOW, enqueue=lambda *a: None)
    ids = list(ReminderDelivery.objects.filter(org=org).values_list("id", flat=True))
    return org, ids, [p.user.email for p in people]


def _send_in_thread(org, ids):
    outcome = {}

    def send():
        try:
            outcome["result"] = reminders.send_batch(org_id=org.pk, delivery_ids=ids)
        finally:
            connection.close()

    thread = threading.Thread(target=send)
    thread.start()
    return thread, outcome


def _wait_until(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def _received():
    return collections.Counter(m.to[0] for m in mail.outbox)


def test_a_slow_live_batch_keeps_its_claims_past_the_claim_timeout(short_claims):
    short_claims.EMAIL_BACKEND = f"{__name__}.SlowBackend"
    org, ids, emails = _batch(24)  # at least 2.4 s of sending, well over the claim timeout
    thread, first = _send_in_thread(org, ids)
    _wait_until(lambda: mail.outbox)  # claimed and sending
    time.sleep(CLAIM_TIMEOUT + 0.2)
    assert thread.is_alive() and len(mail.outbox) < 24
    second = reminders.send_batch(org_id=org.pk, delivery_ids=ids)
    thread.join(timeout=20)

    assert (second.claimed, second.sent) == (0, [])
    assert second.busy > 0  # it found the live claims and left them alone
    assert len(first["result"].sent) == 24
    assert _received() == {e: 1 for e in emails}


def test_a_stalled_batch_is_taken_over_and_repeats_at_most_the_message_in_flight(short_claims):
    short_claims.EMAIL_BACKEND = f"{__name__}.HangingBackend"
    org, ids, emails = _batch(6)
    thread, first = _send_in_thread(org, ids)
    assert HangingBackend.hung.wait(timeout=10)  # two sent, the third hangs: no heartbeat
    time.sleep(CLAIM_TIMEOUT + 0.2)
    second = reminders.send_batch(org_id=org.pk, delivery_ids=ids)
    assert second.claimed == 4  # the hung message and the three after it
    HangingBackend.release.set()
    thread.join(timeout=20)

    # The stalled sender's server accepted its third message late; its mark found the claim
    # taken over, and it sent nothing after.
    assert len(first["result"].sent) == 2
    assert len(second.sent) == 4
    received = _received()
    assert set(received) == set(emails)
    assert sorted(received.values()) == [1, 1, 1, 1, 1, 2]
    statuses = set(ReminderDelivery.objects.filter(org=org).values_list("status", flat=True))
    assert statuses == {"sent"}
