"""Nudges (``checkins.services.kr_nudge``): the e-mail in company time, one a company day,
and the people it never goes to."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from checkins.models import KRNudge
from checkins.services import kr_nudge
from objectives.models import KeyResult
from tests.factories import KeyResultFactory, ObjectiveFactory

pytestmark = pytest.mark.django_db

UTC = datetime.UTC


@pytest.fixture
def kr(org, period, team, member_membership):
    objective = ObjectiveFactory(org=org, period=period, level="team", team=team, owner=None)
    return KeyResultFactory(objective=objective, owner=member_membership, title="Ship the app")


def test_the_nudge_email_tells_the_last_check_in_in_company_time(
    org, kr, admin_membership, django_capture_on_commit_callbacks
):
    org.time_zone = "Pacific/Auckland"  # UTC+13 in December
    org.save(update_fields=["time_zone"])
    KeyResult.objects.filter(pk=kr.pk).update(
        last_checkin_at=datetime.datetime(2026, 12, 1, 12, 30, tzinfo=UTC)
    )
    kr.refresh_from_db()
    now = datetime.datetime(2026, 12, 3, 11, 0, tzinfo=UTC)  # 4 Dec, 00:00 in Auckland
    with django_capture_on_commit_callbacks(execute=True):
        nudge = kr_nudge(kr=kr, actor=admin_membership, now=now)
    assert nudge.day == datetime.date(2026, 12, 4)  # the company's date, not UTC's
    (message,) = mail.outbox
    assert "2 Dec 2026, 01:30" in message.body  # 12:30 UTC, in Auckland
    assert "Ship the app" in message.subject


def test_one_nudge_a_company_day(org, kr, admin_membership, django_capture_on_commit_callbacks):
    org.time_zone = "America/Los_Angeles"  # UTC-8
    org.save(update_fields=["time_zone"])
    evening = datetime.datetime(2026, 12, 2, 7, 0, tzinfo=UTC)  # 1 Dec, 23:00 local
    next_morning = evening + datetime.timedelta(hours=2)  # 2 Dec, 01:00 local: a new day
    same_evening = evening + datetime.timedelta(minutes=30)
    with django_capture_on_commit_callbacks(execute=True):
        kr_nudge(kr=kr, actor=admin_membership, now=evening)
        with pytest.raises(ValidationError, match="Already nudged today"):
            kr_nudge(kr=kr, actor=admin_membership, now=same_evening)
        kr_nudge(kr=kr, actor=admin_membership, now=next_morning)
    assert len(mail.outbox) == 2
    assert list(KRNudge.objects.order_by("day").values_list("day", flat=True)) == [
        datetime.date(2026, 12, 1),
        datetime.date(2026, 12, 2),
    ]


def test_no_nudge_to_someone_who_turned_reminders_off_or_to_nobody(
    kr, admin_membership, member_membership
):
    member_membership.user.reminder_emails = False
    member_membership.user.save(update_fields=["reminder_emails"])
    with pytest.raises(ValidationError, match="turned reminder e-mails off"):
        kr_nudge(kr=kr, actor=admin_membership)
    KeyResult.objects.filter(pk=kr.pk).update(owner=None)
    kr.refresh_from_db()
    with pytest.raises(ValidationError, match="no owner"):
        kr_nudge(kr=kr, actor=admin_membership)
    assert not KRNudge.objects.exists() and not mail.outbox


def test_a_member_may_not_nudge(kr, member_membership):
    with pytest.raises(PermissionDenied):
        kr_nudge(kr=kr, actor=member_membership)
