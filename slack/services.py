"""The only writers of a team's Slack connection. Team managers (of the team or a team above
it) and admins may set, remove and test it; each write is recorded without the URL itself."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import get_connection
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from audit.services import record
from checkins.reminders import MailError, company_email
from objectives.permissions import managed_team_ids
from okr_site.secrets_box import seal
from organizations.clock import company_timezone
from organizations.models import Membership, Team, TeamMembership

from . import delivery, webhooks
from .models import SlackPost, TeamSlackHook

MSG_MANAGERS_ONLY = "Only the team's managers and admins connect it to Slack."


def can_manage_slack(membership: Membership, team: Team) -> bool:
    return membership.is_admin or team.pk in managed_team_ids(membership)


def _ensure_may_manage(actor: Membership, team: Team) -> None:
    if team.org_id != actor.org_id or not can_manage_slack(actor, team):
        raise PermissionDenied(MSG_MANAGERS_ONLY)


@transaction.atomic
def slack_hook_set(*, team: Team, actor: Membership, url: str) -> TeamSlackHook:
    """Connect ``team`` to the channel of ``url`` (replacing any earlier URL, and clearing a
    broken mark: a new URL is a fresh start)."""
    _ensure_may_manage(actor, team)
    try:
        url = webhooks.clean_webhook_url(url)
    except ValidationError as error:
        raise ValidationError({"url": error.messages}) from error
    before = TeamSlackHook.objects.filter(team=team).values_list("masked_url", flat=True).first()
    hook, _ = TeamSlackHook.objects.update_or_create(
        team=team,
        defaults={
            "org_id": team.org_id,
            "sealed_url": seal(url),
            "masked_url": webhooks.mask(url),
            "set_by": actor,
            "set_at": timezone.now(),
            "broken_at": None,
            "broken_reason": "",
        },
    )
    record(actor, "slack.hook_set", team, {"webhook": [before, hook.masked_url]})
    return hook


@transaction.atomic
def slack_hook_remove(*, team: Team, actor: Membership) -> None:
    _ensure_may_manage(actor, team)
    removed = TeamSlackHook.objects.filter(team=team).values_list("masked_url", flat=True).first()
    if removed is None:
        return
    TeamSlackHook.objects.filter(team=team).delete()
    # What was waiting would be posted nowhere: say so on the page instead of leaving it pending.
    SlackPost.objects.filter(
        team=team, status__in=[SlackPost.Status.PENDING, SlackPost.Status.SENDING]
    ).update(status=SlackPost.Status.SKIPPED, last_error="The channel was disconnected.")
    record(actor, "slack.hook_removed", team, {"webhook": [removed, None]})


@transaction.atomic
def slack_test_send(*, team: Team, actor: Membership) -> SlackPost:
    """Queue a test message to the team's channel (also a way to check a broken one again)."""
    _ensure_may_manage(actor, team)
    if not TeamSlackHook.objects.filter(team=team).exists():
        raise ValidationError("Save the channel's webhook URL first.")
    post = delivery.queue_post(
        org_id=team.org_id, team_id=team.pk, kind=SlackPost.Kind.TEST, requested_by=actor
    )
    record(actor, "slack.test_sent", team)
    return post


def tell_managers_hook_broken(hook_id: int) -> int:
    """E-mail the team's managers (its admins when it has none) that Slack refused the
    webhook; returns how many were told."""
    hook = TeamSlackHook.objects.select_related("org", "team").filter(pk=hook_id).first()
    if hook is None or hook.broken_at is None:
        return 0
    managers = Membership.objects.filter(
        org_id=hook.org_id,
        is_active=True,
        pk__in=TeamMembership.objects.filter(team=hook.team, is_manager=True).values("membership"),
    ).select_related("user")
    people = list(managers) or list(
        Membership.objects.filter(
            org_id=hook.org_id, is_active=True, role=Membership.Role.ADMIN
        ).select_related("user")
    )
    path = reverse("slack:team", kwargs={"org_slug": hook.org.slug, "team_id": hook.team_id})
    with company_timezone(hook.org), get_connection() as connection:
        for person in people:
            message = company_email(
                "slack_hook_broken",
                {
                    "org": hook.org,
                    "team": hook.team,
                    "hook": hook,
                    "user": person.user,
                    "url": f"{settings.SITE_URL}{path}",
                },
                to=person.user.email,
                message_id=f"slack-broken-{hook.pk}-{person.pk}-{hook.broken_at:%Y%m%d%H%M%S}",
            )
            message.connection = connection
            if connection.send_messages([message]) != 1:
                raise MailError("The mail server did not accept the message.")
    return len(people)
