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
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from objectives.permissions import can_edit_objective, managed_team_ids
from objectives.progress import as_percent, key_result_progress
from organizations.clock import company_date, company_timezone, company_today
from organizations.models import Membership, TeamMembership

from .models import KRNudge
from .reminders import MailError, kr_checkin_url


def recipient_of(kr) -> Membership | None:
    """Whom a nudge about ``kr`` goes to: its owner, else its objective's owner."""
    return kr.owner or kr.objective.owner


def may_nudge(actor: Membership, kr) -> bool:
    """Admins nudge about any key result; managers about those in their teams' scope (their
    teams' objectives, and what their teams' people own); anyone who may edit the objective."""
    if actor.org_id != kr.org_id:
        return False
    if actor.is_admin or can_edit_objective(actor, kr.objective):
        return True
    managed = managed_team_ids(actor)
    if not managed:
        return False
    if kr.objective.team_id in managed:
        return True
    people = {m for m in (kr.owner_id, kr.objective.owner_id) if m is not None}
    return bool(
        people
        and TeamMembership.objects.filter(membership_id__in=people, team_id__in=managed).exists()
    )


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
        subject = render_to_string("checkins/email/nudge_subject.txt", context).strip()
        message = EmailMultiAlternatives(
            subject=" ".join(subject.split()),
            body=render_to_string("checkins/email/nudge.txt", context),
            to=[user.email],
            headers={
                "Message-ID": f"<nudge-{nudge.pk}@"
                f"{settings.SITE_URL.split('//')[-1].split('/')[0].split(':')[0] or 'aligned'}>",
                "Auto-Submitted": "auto-generated",
            },
        )
        message.attach_alternative(
            render_to_string("checkins/email/nudge.html", context), "text/html"
        )
    return message


def send_nudge(nudge_id: int) -> bool:
    """Send one recorded nudge unless it went out already; True when sent now. A failing
    mail server raises (the task retries)."""
    nudge = (
        KRNudge.objects.select_related(
            "org",
            "key_result__objective",
            "recipient__user",
            "nudged_by__user",
        )
        .filter(pk=nudge_id, sent_at=None)
        .first()
    )
    if nudge is None:
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
