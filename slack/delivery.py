"""Posting to Slack exactly once, the reminders' way (``checkins.reminders``).

1. A post is a ``SlackPost`` row, inserted in the transaction of what it is about (a
   check-in; the week's digest, unique per team and week; a test message) and handed to
   Celery once that commits (``outbox.dispatch``: kept in PostgreSQL while Redis is down).
2. ``send_post`` claims the row with one conditional UPDATE (PENDING, or SENDING whose claim
   is older than ``CLAIM_TIMEOUT``: its worker died), so two tasks never post the same row;
   a row already SENT is never claimed again, so a retry or a redelivered task after a success
   posts nothing.
3. It builds the message then (an objective made private since is not posted: SKIPPED), POSTs
   it and marks it SENT if the claim is still its own.
4. No answer, a 5xx or a 429: the claim is released (PENDING) with the time of the next try,
   Slack's ``Retry-After`` when it gave one, else a back-off doubling from a minute; after
   ``MAX_ATTEMPTS`` the row is FAILED with the error. 403/404/410 (Slack's answers for a
   revoked webhook or a removed channel): the team's hook is marked broken, its managers are
   e-mailed once, and nothing more is posted until someone saves a new URL.
5. Beat's ``send_due_digests`` (hourly) also hands Celery again the rows a lost task or a dead
   worker left behind.

A worker killed between Slack's 200 and the commit that marks the row SENT posts that one
message again (Slack takes part in no transaction): at most one repeat per kill.
"""

from __future__ import annotations

import datetime
import logging
import uuid
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from okr_site.secrets_box import SealBroken, unseal
from organizations.clock import company_now, company_week_start
from outbox.dispatch import publish, publish_on_commit

from . import messages, webhooks
from .models import SlackPost, TeamSlackHook

log = logging.getLogger(__name__)

CLAIM_TIMEOUT = datetime.timedelta(minutes=2)
LOST_AFTER = datetime.timedelta(minutes=10)  # a PENDING row nobody has tried for this long
MAX_ATTEMPTS = 6
FIRST_BACKOFF = 60.0  # seconds, doubling each attempt
MAX_BACKOFF = 30 * 60.0
DIGEST_HOUR = 8  # company time, on the first day of the company's week


@dataclass(frozen=True)
class Outcome:
    status: str  # the row's status after this attempt ("" when it was not ours to send)
    retry_in: float | None = None  # seconds until the next attempt, when one is due


def _enqueue(post_id: int) -> None:
    from .tasks import post_to_slack

    publish_on_commit(post_to_slack, post_id)


def queue_post(*, org_id: int, team_id: int, kind: str, **fields) -> SlackPost:
    post = SlackPost.objects.create(org_id=org_id, team_id=team_id, kind=kind, **fields)
    _enqueue(post.pk)
    return post


def queue_checkin(checkin) -> SlackPost | None:
    """The check-in's post, when its objective is a team's, seen by everyone, and the team
    has a working Slack channel (inside the check-in's transaction)."""
    objective = checkin.key_result.objective
    if objective.team_id is None or objective.is_restricted:
        return None
    if not TeamSlackHook.objects.filter(team_id=objective.team_id, broken_at=None).exists():
        return None
    return queue_post(
        org_id=checkin.org_id,
        team_id=objective.team_id,
        kind=SlackPost.Kind.CHECKIN,
        checkin=checkin,
    )


def backoff(attempts: int) -> float:
    return min(FIRST_BACKOFF * 2 ** max(attempts - 1, 0), MAX_BACKOFF)


def _claim(post_id: int, now) -> str | None:
    token = uuid.uuid4().hex
    claimable = Q(status=SlackPost.Status.PENDING) | Q(
        status=SlackPost.Status.SENDING, claimed_at__lt=now - CLAIM_TIMEOUT
    )
    claimed = SlackPost.objects.filter(claimable, pk=post_id).update(
        status=SlackPost.Status.SENDING, claim=token, claimed_at=now, attempts=F("attempts") + 1
    )
    return token if claimed else None


def _finish(post_id: int, token: str, status: str, error: str = "", **fields) -> Outcome:
    SlackPost.objects.filter(pk=post_id, claim=token).update(
        status=status, last_error=error[:300], retry_at=None, **fields
    )
    return Outcome(status)


def _hook_broken(hook: TeamSlackHook, reason: str, now) -> None:
    """Mark the hook broken and, the first time only, tell the team's managers."""
    from .tasks import tell_managers_hook_broken

    with transaction.atomic():
        first = TeamSlackHook.objects.filter(pk=hook.pk, broken_at=None).update(
            broken_at=now, broken_reason=reason[:300]
        )
        if first:
            publish_on_commit(tell_managers_hook_broken, hook.pk)


def send_post(post_id: int, *, now=None) -> Outcome:
    """Claim, post and mark one row; what to do next is in the returned ``Outcome``."""
    now = now or timezone.now()
    token = _claim(post_id, now)
    if token is None:
        return Outcome("")  # posted, given up, or someone else's fresh claim
    post = SlackPost.objects.select_related(
        "org", "team", "team__slack_hook", "requested_by__user"
    ).get(pk=post_id)
    hook = _hook_of(post.team)
    is_test = post.kind == SlackPost.Kind.TEST
    if hook is None or (hook.broken_at and not is_test):
        return _finish(
            post_id, token, SlackPost.Status.SKIPPED, "The team's channel is not connected."
        )
    payload = messages.payload_for(post)
    if payload is None:
        return _finish(
            post_id, token, SlackPost.Status.SKIPPED, "Nothing everyone may see to post any more."
        )
    try:
        url = unseal(hook.sealed_url)
    except SealBroken:
        _hook_broken(hook, "The saved URL cannot be read with the current ENCRYPTION_KEY.", now)
        return _finish(post_id, token, SlackPost.Status.FAILED, "The saved URL cannot be read.")
    answer = webhooks.post(url, payload)
    if answer.ok:
        if is_test and hook.broken_at:  # the channel works again
            TeamSlackHook.objects.filter(pk=hook.pk).update(broken_at=None, broken_reason="")
        return _finish(post_id, token, SlackPost.Status.SENT, sent_at=timezone.now())
    error = f"Slack answered {answer.status}: {answer.detail}" if answer.status else answer.detail
    if answer.gone:
        _hook_broken(hook, error, now)
        return _finish(post_id, token, SlackPost.Status.FAILED, error)
    if answer.worth_retrying and post.attempts < MAX_ATTEMPTS:
        wait = answer.retry_after if answer.retry_after is not None else backoff(post.attempts)
        SlackPost.objects.filter(pk=post_id, claim=token).update(
            status=SlackPost.Status.PENDING,
            claim="",
            claimed_at=None,
            last_error=error[:300],
            retry_at=now + datetime.timedelta(seconds=wait),
        )
        return Outcome(SlackPost.Status.PENDING, retry_in=wait)
    return _finish(post_id, token, SlackPost.Status.FAILED, error)


def _hook_of(team) -> TeamSlackHook | None:
    try:
        return team.slack_hook  # loaded by select_related, or known to be missing
    except TeamSlackHook.DoesNotExist:
        return None


def queue_due_digests(*, now=None) -> int:
    """Each connected team's digest of last week, at 8:00 company time on the first day of
    the company's week (unique per team and week: a second run inserts nothing)."""
    now = now or timezone.now()
    hooks = TeamSlackHook.objects.filter(broken_at=None).select_related("org")
    by_org: dict = {}
    for hook in hooks:
        by_org.setdefault(hook.org_id, (hook.org, []))[1].append(hook.team_id)
    queued = 0
    for org, team_ids in by_org.values():
        local = company_now(org, now)
        if local.hour != DIGEST_HOUR or local.weekday() != (org.week_start or 0):
            continue
        week = (company_week_start(org, now) - datetime.timedelta(days=7)).date()
        SlackPost.objects.bulk_create(
            [
                SlackPost(org=org, team_id=team_id, kind=SlackPost.Kind.DIGEST, week=week)
                for team_id in team_ids
            ],
            ignore_conflicts=True,
        )
        for post_id in SlackPost.objects.filter(
            org=org, kind=SlackPost.Kind.DIGEST, week=week, status=SlackPost.Status.PENDING,
            attempts=0,
        ).values_list("pk", flat=True):  # fmt: skip
            publish(post_task(), post_id)
            queued += 1
    return queued


def post_task():
    from .tasks import post_to_slack

    return post_to_slack


def requeue_lost(*, now=None) -> int:
    """Hand Celery again the rows a lost task or a dead worker left unfinished."""
    now = now or timezone.now()
    lost = SlackPost.objects.filter(
        Q(status=SlackPost.Status.PENDING)
        & (Q(retry_at__lt=now - LOST_AFTER) | Q(retry_at=None, created_at__lt=now - LOST_AFTER))
        | Q(status=SlackPost.Status.SENDING, claimed_at__lt=now - CLAIM_TIMEOUT)
    ).values_list("pk", flat=True)[:1000]
    ids = list(lost)
    for post_id in ids:
        publish(post_task(), post_id)
    return len(ids)
