"""Notification e-mails: one at once, or a daily or weekly digest, as each person chose.

The reminders' delivery path (``checkins.reminders``): each notification is claimed with a
token by a conditional update, sent through Django's mail connection with the company e-mails'
look (``company_email``), then marked sent; a claim older than ``CLAIM_TIMEOUT`` is taken over
(its sender died), so a crash repeats at most the message that was being sent. An e-mail
never shows a notification whose objective the person may no longer see.
"""

import datetime
import uuid
from collections import defaultdict

from django.conf import settings
from django.core.mail import get_connection
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from checkins.reminders import MailError, company_email
from objectives.access import who_sees
from organizations.clock import company_now, company_timezone
from organizations.models import Organization

from .models import DEFAULT_DELIVERY, Delivery, Notification, NotificationSetting

CLAIM_TIMEOUT = datetime.timedelta(minutes=10)
DIGEST_HOUR = 8  # company time


def deliveries(org_id: int, membership_ids) -> dict[tuple[int, str], str]:
    """(membership, kind) -> delivery, defaults filled in (one query)."""
    chosen = {
        (membership_id, kind): delivery
        for membership_id, kind, delivery in NotificationSetting.objects.filter(
            org_id=org_id, membership_id__in=set(membership_ids)
        ).values_list("membership_id", "kind", "delivery")
    }
    return {
        (membership_id, kind): chosen.get((membership_id, kind), DEFAULT_DELIVERY[kind])
        for membership_id in set(membership_ids)
        for kind in Notification.Kind.values
    }


def _claimable(now) -> Q:
    return Q(emailed_at__isnull=True) & (
        Q(email_claimed_at__isnull=True) | Q(email_claimed_at__lt=now - CLAIM_TIMEOUT)
    )


def _claim(ids, now) -> tuple[str, list[Notification]]:
    token = uuid.uuid4().hex
    Notification.objects.filter(_claimable(now), pk__in=ids).update(
        email_claim=token, email_claimed_at=now
    )
    claimed = list(
        Notification.objects.filter(email_claim=token, emailed_at__isnull=True)
        .select_related(
            "org",
            "recipient__user",
            "actor__user",
            "objective",
            "key_result",
            "comment",
            "alignment_request__parent",
        )  # fmt: skip
        .order_by("created_at", "id")
    )
    return token, claimed


def _visible(claimed: list[Notification]) -> list[Notification]:
    if not claimed:
        return []
    seen = who_sees(claimed[0].org_id, ((n.recipient_id, n.objective) for n in claimed))
    return [n for n in claimed if (n.recipient_id, n.objective_id) in seen]


def _link(notification: Notification) -> str:
    path = reverse(
        "notifications:open",
        kwargs={"org_slug": notification.org.slug, "notification_id": notification.pk},
    )
    return f"{settings.SITE_URL}{path}"


def _send(template: str, context: dict, *, to: str, message_id: str) -> None:
    message = company_email(template, context, to=to, message_id=message_id)
    with get_connection() as connection:
        message.connection = connection
        if connection.send_messages([message]) != 1:
            raise MailError("The mail server did not accept the message.")


def _context(org, items, user):
    return {
        "org": org,
        "user": user,
        "items": [(n, _link(n)) for n in items],
        "site_url": settings.SITE_URL,
        "settings_url": settings.SITE_URL
        + reverse("notifications:settings", kwargs={"org_slug": org.slug}),
    }


def send_now(notification_id: int, *, now=None) -> bool:
    """E-mail one notification unless it went out already; True when sent now."""
    now = now or timezone.now()
    token, claimed = _claim([notification_id], now)
    visible = _visible(claimed)
    if not claimed:
        return False
    if not visible:  # made private since: nothing to say, and nothing to say later either
        Notification.objects.filter(email_claim=token).update(emailed_at=now)
        return False
    notification = visible[0]
    with company_timezone(notification.org):
        _send(
            "notification",
            _context(notification.org, visible, notification.recipient.user),
            to=notification.recipient.user.email,
            message_id=f"notification-{notification.pk}",
        )
    Notification.objects.filter(pk=notification.pk, email_claim=token).update(emailed_at=now)
    return True


def _digest_due(org, local: datetime.datetime) -> set[str]:
    """The digest deliveries whose hour it is in this company."""
    if local.hour != DIGEST_HOUR:
        return set()
    due = {Delivery.DAILY}
    if local.weekday() == org.week_start:
        due.add(Delivery.WEEKLY)
    return due


def send_digests(*, now=None) -> int:
    """Each person whose digest is due (8:00 company time, daily, or weekly on the company's
    first weekday) gets one e-mail of what waits for them; returns how many were sent. Run
    hourly by beat; a second run in the same hour finds nothing left to claim."""
    now = now or timezone.now()
    sent = 0
    org_ids = set(
        Notification.objects.filter(_claimable(now)).values_list("org_id", flat=True).distinct()
    )
    for org in Organization.objects.filter(pk__in=org_ids):
        due = _digest_due(org, company_now(org, now))
        if not due:
            continue
        pending = list(
            Notification.objects.filter(_claimable(now), org=org, created_at__lte=now).values_list(
                "pk", "recipient_id", "kind"
            )
        )
        chosen = deliveries(org.pk, {recipient for _, recipient, _ in pending})
        by_person = defaultdict(list)
        for pk, recipient, kind in pending:
            if chosen[(recipient, kind)] in due:
                by_person[recipient].append(pk)
        for ids in by_person.values():
            token, claimed = _claim(ids, now)
            visible = _visible(claimed)
            if visible:
                user = visible[0].recipient.user
                with company_timezone(org):
                    _send(
                        "notification_digest",
                        _context(org, visible, user),
                        to=user.email,
                        message_id=f"digest-{visible[0].recipient_id}-{now:%Y%m%d%H}",
                    )
                sent += 1
            Notification.objects.filter(email_claim=token).update(emailed_at=now)
    return sent
