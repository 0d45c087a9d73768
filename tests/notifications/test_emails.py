"""Notification e-mails: at once, or in a daily or weekly digest at 8:00 company time, as each
person chose; exactly one each; never about what the person may not see."""

import datetime
import re

import pytest
from django.core import mail
from django.urls import reverse

from conversations import services as talk
from notifications import delivery
from notifications.models import Notification, NotificationSetting
from notifications.services import notification_settings_save
from objectives.models import Objective
from tests.factories import MembershipFactory, ObjectiveFactory


@pytest.fixture
def objective(org, period, member_membership):
    return ObjectiveFactory(org=org, period=period, owner=member_membership, title="Grow APAC")


def _mention(actor, objective, person, capture):
    with capture(execute=True):
        return talk.comment_create(
            actor=actor, objective=objective, body=f"@{person.user.full_name} have a look"
        )


def test_a_mention_is_emailed_at_once_by_default(
    django_capture_on_commit_callbacks, objective, org, member_membership
):
    ann = MembershipFactory(org=org, user__full_name="Ann Lee")
    _mention(member_membership, objective, ann, django_capture_on_commit_callbacks)
    assert [m.to for m in mail.outbox] == [[ann.user.email]]
    message = mail.outbox[0]
    assert "mentioned you on “Grow APAC”" in message.subject
    assert "have a look" in message.body and "/inbox/" in message.body
    # Sent once: a second task for the same notification finds it sent.
    assert delivery.send_now(Notification.objects.get().pk) is False
    assert len(mail.outbox) == 1


def test_in_app_only_sends_nothing(
    django_capture_on_commit_callbacks, objective, org, member_membership
):
    ann = MembershipFactory(org=org, user__full_name="Ann Lee")
    notification_settings_save(actor=ann, choices={"mention": "in_app", "comment": "in_app"})
    _mention(member_membership, objective, ann, django_capture_on_commit_callbacks)
    assert mail.outbox == []
    assert Notification.objects.filter(recipient=ann).count() == 1


def _at(org, hour, day=datetime.date(2026, 12, 7)):  # a Monday
    from organizations.clock import company_zone

    return datetime.datetime.combine(day, datetime.time(hour, 5), tzinfo=company_zone(org))


def test_comments_wait_for_the_daily_digest_at_eight_company_time(
    objective, org, member_membership, manager_membership
):
    org.time_zone = "Asia/Singapore"
    org.save()
    for text in ("First", "Second"):
        talk.comment_create(actor=manager_membership, objective=objective, body=text)
    assert mail.outbox == []  # comments: daily digest by default
    assert delivery.send_digests(now=_at(org, 7)) == 0
    assert delivery.send_digests(now=_at(org, 8)) == 1
    (message,) = mail.outbox
    assert message.to == [member_membership.user.email]
    assert "2 things waiting for you" in message.subject
    assert "First" in message.body and "Second" in message.body
    assert delivery.send_digests(now=_at(org, 8)) == 0  # the same hour again: nothing left
    assert len(mail.outbox) == 1


def test_the_weekly_digest_comes_on_the_first_day_of_the_company_week(
    objective, org, member_membership, manager_membership
):
    notification_settings_save(actor=member_membership, choices={"comment": "weekly"})
    talk.comment_create(actor=manager_membership, objective=objective, body="Weekly news")
    tuesday = datetime.date(2026, 12, 8)
    assert delivery.send_digests(now=_at(org, 8, tuesday)) == 0
    assert org.week_start == 0
    assert delivery.send_digests(now=_at(org, 8)) == 1  # Monday


def test_a_digest_leaves_out_what_became_private(
    objective, org, member_membership, manager_membership, admin_membership
):
    other = ObjectiveFactory(org=org, period=objective.period, owner=member_membership)
    talk.comment_create(actor=manager_membership, objective=objective, body="Public talk")
    talk.comment_create(actor=manager_membership, objective=other, body="Soon private")
    Objective.objects.filter(pk=other.pk).update(
        visibility=Objective.Visibility.PRIVATE, owner=admin_membership
    )
    assert delivery.send_digests(now=_at(org, 8)) == 1
    assert "Public talk" in mail.outbox[0].body and "Soon private" not in mail.outbox[0].body
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()


def test_a_dead_senders_claim_is_taken_over(
    django_capture_on_commit_callbacks, objective, org, member_membership, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    ann = MembershipFactory(org=org, user__full_name="Ann Lee")
    notification_settings_save(actor=ann, choices={"mention": "in_app"})
    _mention(member_membership, objective, ann, django_capture_on_commit_callbacks)
    notification = Notification.objects.get()
    now = _at(org, 12)
    Notification.objects.filter(pk=notification.pk).update(email_claim="dead", email_claimed_at=now)
    assert delivery.send_now(notification.pk, now=now) is False  # a live claim: hands off
    later = now + delivery.CLAIM_TIMEOUT + datetime.timedelta(seconds=1)
    assert delivery.send_now(notification.pk, now=later) is True
    assert len(mail.outbox) == 1


def test_settings_page_saves_the_choices(member, member_membership):
    url = reverse("notifications:settings", kwargs={"org_slug": "acme"})
    page = member.get(url).content.decode()
    assert re.search(r'name="mention" value="now"[^>]*checked', page)  # the default
    chosen = {
        "mention": "daily",
        "comment": "in_app",
        "alignment_request": "weekly",
        "alignment_answer": "now",
    }
    chosen |= {"dependency": "now", "dependency_answer": "weekly"}
    chosen |= {"missed_checkin": "daily"}
    response = member.post(url, chosen)
    assert response.status_code == 302
    assert (
        dict(
            NotificationSetting.objects.filter(membership=member_membership).values_list(
                "kind", "delivery"
            )
        )
        == chosen
    )
    bad = member.post(url, {**chosen, "mention": "sms"})
    assert bad.status_code == 200 and "Select a valid choice" in bad.content.decode()
