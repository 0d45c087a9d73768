"""Nudges: a manager asks a key result's owner for a check-in, by e-mail.

``checkins.services.kr_nudge`` records the nudge (at most one a key result a company day) and,
once committed, hands its id to ``checkins.tasks.send_kr_nudge``, which calls ``send_nudge``
here: the same delivery path as reminders (Django's mail connection, the reminder e-mails'
look and links), rendered in the company's time. Dashboards read ``last_nudges``.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from objectives.permissions import can_view_objective
from objectives.progress import as_percent, key_result_progress
from organizations.clock import company_date, company_timezone, company_today
from organizations.models import Membership

from .models import KRNudge
from .reminders import (
    NUDGES_PER_WEEK,
    MailError,
    company_email,
    emails_this_week,
    kr_checkin_url,
    over_the_cap_reason,
)


def recipient_of(kr) -> Membership | None:
    """Whom a nudge about ``kr`` goes to: its owner, else its objective's owner."""
    return kr.owner or kr.objective.owner


def build_nudge_message(nudge: KRNudge) -> EmailMultiAlternatives:
    kr = nudge.key_result
    org = nudge.org
    user = nudge.recipient.user
    with company_timezone(org):
        context = {
            "org": org,
            "user": user,
            "kr": kr,
            "percent": as_percent(key_result_progress(kr)),
            "last": kr.last_checkin_at,
            "days_since": (nudge.created_at - (kr.last_checkin_at or kr.created_at)).days,
            "sender": nudge.nudged_by.user.get_full_name() if nudge.nudged_by else org.name,
            "url": kr_checkin_url(org.slug, kr.pk),
            "site_url": settings.SITE_URL,
            "settings_url": f"{settings.SITE_URL}{reverse('accounts:settings')}",
        }
        return company_email("nudge", context, to=user.email, message_id=f"nudge-{nudge.pk}")


def over_the_cap(recipient: Membership, *, now=None) -> bool:
    """Has this person had ``NUDGES_PER_WEEK`` reminders and nudges this company week?"""
    now = now or timezone.now()
    sent = emails_this_week(recipient.org, [recipient.pk], now=now).get(recipient.pk, 0)
    return sent >= NUDGES_PER_WEEK


def send_nudge(nudge_id: int, *, now=None) -> bool:
    """Send one recorded nudge unless it went out already; True when sent now. A failing
    mail server raises (the task retries)."""
    nudge = (
        KRNudge.objects.select_related(
            "org",
            "recipient__org",
            "key_result__objective__period",
            "recipient__user",
            "nudged_by__user",
        )
        .filter(pk=nudge_id, sent_at=None)
        .first()
    )
    if nudge is None:
        return False
    if not can_view_objective(nudge.recipient, nudge.key_result.objective):
        # Made private (or the recipient moved) since the nudge: the e-mail would show it.
        return False
    if over_the_cap(nudge.recipient, now=now):  # reminders went out since it was recorded
        KRNudge.objects.filter(pk=nudge.pk, sent_at=None).update(detail=over_the_cap_reason())
        return False
    message = build_nudge_message(nudge)
    with get_connection() as connection:
        message.connection = connection
        if connection.send_messages([message]) != 1:
            raise MailError("The mail server did not accept the message.")
    # Claimed by a conditional update: a second worker's copy does not mark it twice.
    return KRNudge.objects.filter(pk=nudge.pk, sent_at=None).update(sent_at=timezone.now()) == 1


def last_nudges(org, kr_ids) -> dict[int, datetime.datetime]:
    """When each of these key results was last nudged (one query; none without ids)."""
    kr_ids = list(kr_ids)
    if not kr_ids:
        return {}
    return dict(
        KRNudge.objects.for_org(org)
        .filter(key_result_id__in=kr_ids)
        .values("key_result_id")
        .annotate(last=Max("created_at"))
        .order_by()
        .values_list("key_result_id", "last")
    )


def nudged_days_ago(org, moment: datetime.datetime, now=None) -> int:
    """Company days between a nudge and today (0: today)."""
    return (company_today(org, now) - company_date(org, moment)).days
