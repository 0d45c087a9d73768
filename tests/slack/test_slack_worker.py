"""Slack posts through a real Celery worker and the real Redis broker: a 429 is retried after
Slack's Retry-After (not at once), and the message reaches the channel exactly once even with
a second copy of the task in the queue."""

import time

import pytest

from okr_site.secrets_box import seal
from slack import delivery
from slack.models import SlackPost, TeamSlackHook
from tests.checkins.test_exactly_once_workers import _wait_until
from tests.factories import (
    CheckInFactory,
    KeyResultFactory,
    MembershipFactory,
    ObjectiveFactory,
    OrganizationFactory,
    PeriodFactory,
    TeamFactory,
)

from .conftest import Answer

pytestmark = pytest.mark.django_db(transaction=True)

KEY = "worker-test-encryption-key"


def test_a_429_waits_for_retry_after_in_a_real_worker_then_posts_once(settings, slack, workers):
    settings.ENCRYPTION_KEY = KEY  # the worker reads the same key from its environment
    org = OrganizationFactory()
    team = TeamFactory(org=org, name="Marketing")
    owner = MembershipFactory(org=org)
    objective = ObjectiveFactory(
        org=org, period=PeriodFactory(org=org), level="team", team=team, owner=owner
    )
    TeamSlackHook.objects.create(
        org=org,
        team=team,
        sealed_url=seal(slack.url()),
        masked_url="…",
        set_at=objective.created_at,
    )
    checkin = CheckInFactory(key_result=KeyResultFactory(objective=objective, owner=owner))
    slack.answer(Answer(429, "rate_limited", {"Retry-After": "2"}))
    worker = workers("slack", ENCRYPTION_KEY=KEY)
    post = delivery.queue_checkin(checkin)  # sent to the broker at once (no transaction)
    delivery.publish(delivery.post_task(), post.pk)  # and a second copy, as a redelivery would

    _wait_until(
        lambda: SlackPost.objects.filter(pk=post.pk, status="sent").exists(),
        timeout=30,
        processes=[worker],
        what="the post to be sent",
    )
    time.sleep(2)  # a duplicate would land now
    assert [r["status"] for r in slack.received] == [429, 200]
    first, second = slack.received
    assert second["at"] - first["at"] >= 1.9  # Slack's Retry-After, not at once
    assert first["json"] == second["json"]
    post.refresh_from_db()
    assert post.attempts == 2
