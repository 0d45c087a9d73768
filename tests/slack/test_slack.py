"""A team's Slack channel: who connects it, what is posted (only what everyone may see), and
exactly once, against a real HTTP server on 127.0.0.1 standing in for Slack."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from checkins.services import checkin_submit
from okr_site.secrets_box import unseal
from slack import delivery, services
from slack.models import SlackPost, TeamSlackHook
from slack.tasks import post_to_slack, send_due_digests
from tests.factories import (
    CheckInFactory,
    KeyResultFactory,
    MembershipFactory,
    ObjectiveFactory,
    TeamFactory,
    TeamMembershipFactory,
)

from .conftest import Answer


def page(team, name="team"):
    return reverse(f"slack:{name}", kwargs={"org_slug": team.org.slug, "team_id": team.pk})


@pytest.fixture
def hook(slack, team, manager_membership):
    return services.slack_hook_set(team=team, actor=manager_membership, url=slack.url())


@pytest.fixture
def team_objective(org, period, team, manager_membership):
    return ObjectiveFactory(
        org=org, period=period, level="team", team=team, owner=manager_membership,
        title="Grow our social media presence",
    )  # fmt: skip


@pytest.fixture
def kr(team_objective, member_membership):
    return KeyResultFactory(
        objective=team_objective, owner=member_membership, title="Gain 1,000 followers",
        start_value=Decimal(0), target_value=Decimal(1000), current_value=Decimal(120),
    )  # fmt: skip


def check_in(kr, author, value, capture, *, note="", confidence="on_track"):
    with capture(execute=True):
        return checkin_submit(kr=kr, author=author, value=value, confidence=confidence, note=note)


# --- connecting a channel ------------------------------------------------------------------


def test_a_manager_connects_the_channel_and_only_a_masked_url_is_shown_or_stored(
    slack, manager, team
):
    url = slack.url("services/T0001/B0001/secretTOKENwxyz")
    response = manager.post(page(team), {"url": url})
    assert response.status_code == 302
    hook = TeamSlackHook.objects.get(team=team)
    assert url not in hook.sealed_url and "secretTOKEN" not in hook.sealed_url
    assert unseal(hook.sealed_url) == url
    html = manager.get(page(team)).content.decode()
    assert "secretTOKEN" not in html
    assert f"127.0.0.1:{slack.port}/…wxyz" in html
    entry = AuditEntry.objects.get(action="slack.hook_set")
    assert "secretTOKEN" not in str(entry.changes) and entry.actor == manager.membership


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "https://example.com/services/T/B/X",
        "not a url",
        "{prefix}services/T/B/X with spaces",
        # The allowed prefix, then a password and another host: still another host.
        "{prefix_no_slash}@evil.example/services/T/B/X",
        "{prefix}",
    ],
)
def test_a_url_outside_the_allowed_prefix_is_refused_beside_the_field_and_kept(
    slack, manager, team, typed
):
    typed = typed.format(prefix=slack.prefix, prefix_no_slash=slack.prefix.rstrip("/"))
    response = manager.post(page(team), {"url": typed})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="field-errors"' in html
    assert "Paste" in html
    if typed.strip():
        assert f'value="{typed.strip()}"'.replace("&", "&amp;") in html
    assert not TeamSlackHook.objects.exists()


def test_production_accepts_only_slacks_own_host(settings, team, manager_membership):
    settings.SLACK_WEBHOOK_PREFIX = "https://hooks.slack.com/"
    good = "https://hooks.slack.com/services/T0001/B0001/abcdEFGH"
    assert services.slack_hook_set(team=team, actor=manager_membership, url=good)
    for bad in (
        "http://hooks.slack.com/services/T0001/B0001/abcdEFGH",
        "https://hooks.slack.com.evil.example/services/T/B/X",
        "https://hooks.slack.com@evil.example/services/T/B/X",
    ):
        with pytest.raises(Exception, match="Paste the webhook URL"):
            services.slack_hook_set(team=team, actor=manager_membership, url=bad)


def test_only_the_teams_managers_and_admins_may_open_or_change_it(
    slack, org, team, admin, manager, member
):
    other = TeamFactory(org=org, name="Sales")
    assert admin.get(page(team)).status_code == 200
    assert manager.get(page(team)).status_code == 200
    assert manager.get(page(other)).status_code == 403  # a team they do not manage
    for url in (page(team), page(team, "test"), page(team, "disconnect")):
        assert member.get(url).status_code in (403, 405)
        assert member.post(url, {"url": slack.url()}).status_code == 403
    assert manager.post(page(other), {"url": slack.url()}).status_code == 403
    assert not TeamSlackHook.objects.exists()


def test_the_team_page_links_its_managers_to_the_slack_settings(manager, member, team):
    team_page = reverse("objectives:team", kwargs={"org_slug": "acme", "team_id": team.pk})
    assert page(team) in manager.get(team_page).content.decode()
    assert page(team) not in member.get(team_page).content.decode()


def test_disconnecting_asks_first_then_deletes_the_url(slack, manager, team, hook):
    confirm = manager.get(page(team, "disconnect"))
    assert confirm.status_code == 200 and "Disconnect" in confirm.content.decode()
    assert TeamSlackHook.objects.exists()
    assert manager.post(page(team, "disconnect")).status_code == 302
    assert not TeamSlackHook.objects.exists()
    assert AuditEntry.objects.filter(action="slack.hook_removed").exists()


# --- what is posted ------------------------------------------------------------------------


def test_a_check_in_on_a_public_team_objective_is_posted_with_a_link_back(
    slack, hook, kr, team_objective, member_membership, django_capture_on_commit_callbacks
):
    check_in(kr, member_membership, 340, django_capture_on_commit_callbacks, note="Webinar\nhelped")
    assert len(slack.received) == 1
    sent = slack.received[0]
    assert sent["path"] == "/services/T0001/B0001/abcdEFGHijklMNOP"
    assert sent["content_type"].startswith("application/json")
    text = sent["json"]["text"]
    assert text.startswith("*Mia Member* checked in on *Gain 1,000 followers*: 120 → 340, on track")
    assert ">Webinar\n>helped" in text
    link = f"https://okr.example/acme/objectives/{team_objective.pk}/"
    assert f"<{link}|Grow our social media presence> (Marketing, 34% done)" in text
    blocks = sent["json"]["blocks"]
    assert all(b["type"] == "section" and b["text"]["type"] == "mrkdwn" for b in blocks)
    assert link in blocks[-1]["text"]["text"]
    post = SlackPost.objects.get()
    assert (post.kind, post.status, post.attempts) == ("checkin", "sent", 1)


@pytest.mark.parametrize("change", [{"visibility": "private"}, {"status": "draft"}])
def test_private_and_draft_objectives_check_ins_are_never_posted(
    slack, hook, kr, team_objective, member_membership, change,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    for field, value in change.items():
        setattr(team_objective, field, value)
    team_objective.save()
    kr.refresh_from_db()
    check_in(kr, member_membership, 500, django_capture_on_commit_callbacks)
    assert slack.received == []
    assert not SlackPost.objects.exists()


def test_an_objective_made_private_before_its_post_goes_out_is_not_posted(
    slack, hook, kr, team_objective, member_membership
):
    checkin = CheckInFactory(key_result=kr, author=member_membership)
    post = delivery.queue_checkin(checkin)
    team_objective.visibility = "private"
    team_objective.save()
    post_to_slack.apply(args=[post.pk])
    assert slack.received == []
    post.refresh_from_db()
    assert post.status == "skipped"


def test_individual_objectives_and_teams_without_a_channel_post_nothing(
    slack, org, period, member_membership, manager_membership, team_objective,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    mine = KeyResultFactory(
        objective=ObjectiveFactory(org=org, period=period, owner=member_membership)
    )
    check_in(mine, member_membership, 5, django_capture_on_commit_callbacks)
    theirs = KeyResultFactory(objective=team_objective, owner=member_membership)
    check_in(theirs, member_membership, 5, django_capture_on_commit_callbacks)  # no hook yet
    assert slack.received == [] and not SlackPost.objects.exists()


def test_what_people_typed_cannot_ping_the_channel_or_forge_links(
    slack, hook, kr, member_membership, django_capture_on_commit_callbacks
):
    kr.title = "Reach <!channel> & <https://evil.example|click>"
    kr.save()
    check_in(kr, member_membership, 200, django_capture_on_commit_callbacks, note="<@U123> look")
    text = slack.texts[0]
    assert "<!channel>" not in text and "<@U123>" not in text and "evil.example|" in text
    assert "Reach &lt;!channel&gt; &amp; &lt;https://evil.example|click&gt;" in text
    assert ">&lt;@U123&gt; look" in text


# --- exactly once, retries ------------------------------------------------------------------


def test_a_failing_endpoint_is_retried_and_the_message_posted_once(
    slack, hook, kr, member_membership, django_capture_on_commit_callbacks
):
    slack.answer(Answer(500, "oops"), Answer(200))
    check_in(kr, member_membership, 300, django_capture_on_commit_callbacks)
    assert [r["status"] for r in slack.received] == [500, 200]
    assert slack.received[0]["json"] == slack.received[1]["json"]
    post = SlackPost.objects.get()
    assert (post.status, post.attempts) == ("sent", 2)
    # A retry, or the broker redelivering the task, after the success posts nothing more.
    post_to_slack.apply(args=[post.pk])
    assert delivery.send_post(post.pk).status == ""
    assert len(slack.received) == 2


def test_a_429_waits_as_long_as_slack_asks_and_a_5xx_backs_off(slack, hook, kr, member_membership):
    post = delivery.queue_checkin(CheckInFactory(key_result=kr, author=member_membership))
    now = timezone.now()
    slack.answer(Answer(429, "rate_limited", {"Retry-After": "30"}))
    outcome = delivery.send_post(post.pk, now=now)
    assert (outcome.status, outcome.retry_in) == ("pending", 30)
    post.refresh_from_db()
    assert post.retry_at == now + datetime.timedelta(seconds=30)
    assert "429" in post.last_error
    slack.answer(Answer(503))
    assert delivery.send_post(post.pk, now=now).retry_in == delivery.backoff(2) == 120
    assert delivery.send_post(post.pk, now=now).status == "sent"
    assert len(slack.received) == 3


def test_a_slack_that_does_not_answer_in_time_is_retried(
    slack, settings, hook, kr, member_membership
):
    settings.SLACK_TIMEOUT = 0.3
    post = delivery.queue_checkin(CheckInFactory(key_result=kr, author=member_membership))
    slack.answer(Answer(200, delay=1.0))
    outcome = delivery.send_post(post.pk)
    assert outcome.status == "pending" and outcome.retry_in == 60
    post.refresh_from_db()
    assert "No answer" in post.last_error


def test_after_the_last_attempt_it_fails_with_the_error(slack, hook, kr, member_membership):
    post = delivery.queue_checkin(CheckInFactory(key_result=kr, author=member_membership))
    slack.answer(*[Answer(500, "down")] * 10)
    post_to_slack.apply(args=[post.pk])  # eager: each retry runs at once
    post.refresh_from_db()
    assert (post.status, post.attempts) == ("failed", delivery.MAX_ATTEMPTS)
    assert len(slack.received) == delivery.MAX_ATTEMPTS
    assert post.last_error == "Slack answered 500: down"


def test_a_claim_held_by_a_live_worker_is_not_taken_and_a_dead_ones_is(
    slack, hook, kr, member_membership
):
    post = delivery.queue_checkin(CheckInFactory(key_result=kr, author=member_membership))
    now = timezone.now()
    SlackPost.objects.filter(pk=post.pk).update(status="sending", claim="x", claimed_at=now)
    assert delivery.send_post(post.pk).status == ""  # a live worker's: left alone
    assert delivery.requeue_lost() == 0
    assert slack.received == []
    died = now - delivery.CLAIM_TIMEOUT - datetime.timedelta(seconds=1)
    SlackPost.objects.filter(pk=post.pk).update(claimed_at=died)
    assert delivery.requeue_lost() == 1  # handed to Celery again (here: posted at once)
    post.refresh_from_db()
    assert post.status == "sent" and len(slack.received) == 1


@pytest.mark.parametrize("gone", [404, 410])
def test_a_revoked_webhook_stops_posting_and_tells_the_managers_once(
    slack, hook, kr, team, manager, member_membership, gone, django_capture_on_commit_callbacks
):
    slack.answer(Answer(gone, "no_service"))
    check_in(kr, member_membership, 300, django_capture_on_commit_callbacks)
    assert len(slack.received) == 1  # not retried
    post = SlackPost.objects.get()
    assert post.status == "failed"
    hook.refresh_from_db()
    assert hook.broken_at is not None and f"Slack answered {gone}" in hook.broken_reason
    assert [m.to for m in mail.outbox] == [[manager.membership.user.email]]
    assert "Slack no longer takes Marketing's posts" in mail.outbox[0].subject
    assert page(team) in mail.outbox[0].body
    # Later check-ins are not even queued, and the page says what happened.
    check_in(kr, member_membership, 400, django_capture_on_commit_callbacks)
    assert len(slack.received) == 1 and SlackPost.objects.count() == 1 and len(mail.outbox) == 1
    html = manager.get(page(team)).content.decode()
    assert "Slack stopped taking posts" in html and "Broken" in html
    # A new URL is a fresh start.
    manager.post(page(team), {"url": slack.url("services/T0001/B0002/newTOKEN")})
    hook.refresh_from_db()
    assert hook.broken_at is None


def test_the_test_button_posts_and_the_page_shows_it_went_out(
    slack, manager, team, hook, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = manager.post(page(team, "test"))
    assert response.status_code == 302
    assert "Aligned is connected" in slack.texts[0] and "Max Manager" in slack.texts[0]
    html = manager.get(page(team)).content.decode()
    assert "Test message" in html and "Posted" in html


def test_the_test_button_without_a_channel_says_so(manager, team):
    response = manager.post(page(team, "test"), follow=True)
    assert "Save the channel" in response.content.decode()
    assert not SlackPost.objects.exists()


# --- the weekly digest ---------------------------------------------------------------------


def _monday_8am(org, hour=8):
    """The latest Monday 8:00 (or ``hour``) of the company's zone, as an aware moment."""
    from organizations.clock import company_now

    local = company_now(org).replace(hour=hour, minute=5, second=0, microsecond=0)
    return local - datetime.timedelta(days=local.weekday() or 7)


def test_the_weekly_digest_lists_public_progress_and_the_weeks_check_ins_once(
    slack, org, period, team, hook, kr, team_objective, member_membership, manager_membership
):
    org.time_zone, org.week_start = "Europe/Berlin", 0
    org.save()
    now = _monday_8am(org)
    hidden = ObjectiveFactory(
        org=org, period=period, level="team", team=team, owner=manager_membership,
        title="Secret reorg", visibility="private",
    )  # fmt: skip
    draft = ObjectiveFactory(
        org=org, period=period, level="team", team=team, owner=manager_membership,
        title="Half-baked idea", status="draft",
    )  # fmt: skip
    last_week = now - datetime.timedelta(days=3)
    CheckInFactory(key_result=kr, author=member_membership, value=250, created_at=last_week)
    for objective in (hidden, draft):
        CheckInFactory(
            key_result=KeyResultFactory(objective=objective, title=f"KR of {objective.title}"),
            created_at=last_week,
        )
    CheckInFactory(
        key_result=kr,
        author=member_membership,
        value=90,
        created_at=now - datetime.timedelta(days=9),
    )
    kr.current_value = 250
    kr.save()
    from objectives.rollups import refresh_rollups

    refresh_rollups([team_objective.pk], org_id=org.pk)

    assert delivery.queue_due_digests(now=now - datetime.timedelta(hours=1)) == 0  # 7:05
    assert delivery.queue_due_digests(now=now) == 1
    assert delivery.queue_due_digests(now=now) == 0  # beat again within the hour
    assert len(slack.received) == 1
    text = slack.texts[0]
    week_start = (now - datetime.timedelta(days=7)).date()
    assert text.startswith(f"*Marketing: the week of {week_start:%-d %b}")
    link = f"https://okr.example/acme/objectives/{team_objective.pk}/"
    assert f"<{link}|Grow our social media presence>: 25%, on track" in text
    assert "Mia Member on" in text and "Gain 1,000 followers" in text and ": 250, on track" in text
    assert ": 90," not in text  # two weeks ago
    for word in ("Secret reorg", "Half-baked", "KR of"):
        assert word not in text
    post = SlackPost.objects.get(kind="digest")
    assert post.week == week_start and post.status == "sent"


def test_the_digest_comes_at_8_in_the_companys_zone_on_its_first_weekday(
    slack, org, hook, kr, member_membership
):
    org.time_zone, org.week_start = "America/New_York", 6  # Sunday
    org.save()
    CheckInFactory(key_result=kr, author=member_membership)
    sunday_8 = _monday_8am(org) - datetime.timedelta(days=1)
    assert delivery.queue_due_digests(now=sunday_8 + datetime.timedelta(days=1)) == 0  # Monday
    assert delivery.queue_due_digests(now=sunday_8.astimezone(datetime.UTC)) == 1


def test_beat_runs_the_digests_every_hour():
    from okr_site.celery import app

    entry = app.conf.beat_schedule["send-slack-digests"]
    assert entry["task"] == send_due_digests.name and entry["schedule"] == 3600


def test_a_quiet_team_without_public_objectives_gets_no_digest(slack, org, hook):
    assert delivery.queue_due_digests(now=_monday_8am(org)) == 1
    assert slack.received == []
    assert SlackPost.objects.get().status == "skipped"


# --- query budgets -------------------------------------------------------------------------


@pytest.mark.parametrize("size", [2, 40])
def test_the_settings_page_costs_the_same_queries_however_many_posts(
    django_assert_max_num_queries, slack, manager, team, hook, kr, member_membership, size
):
    for i in range(size):
        SlackPost.objects.create(
            org=team.org, team=team, kind="checkin",
            checkin=CheckInFactory(key_result=kr, author=member_membership),
            status="failed" if i % 2 else "sent", last_error="Slack answered 500: down",
        )  # fmt: skip
    for _ in range(size):
        TeamMembershipFactory(team=team, membership=MembershipFactory(org=team.org))
    with django_assert_max_num_queries(9):
        html = manager.get(page(team)).content.decode()
    assert html.count('data-label="State"') == min(size, 10)


def test_retry_after_is_read_in_seconds_or_as_a_date_and_kept_within_half_an_hour():
    from email.utils import format_datetime

    from slack.webhooks import MAX_RETRY_AFTER, _retry_after

    in_two_minutes = format_datetime(timezone.now() + datetime.timedelta(minutes=2), usegmt=True)
    assert 110 <= _retry_after(in_two_minutes) <= 120
    assert _retry_after("30") == 30
    assert _retry_after("86400") == MAX_RETRY_AFTER
    assert _retry_after("-5") == 0
    assert _retry_after("soon") is None and _retry_after(None) is None
