"""The grading nudge's e-mail: the check-in nudge's delivery path and look
(``checkins.reminders.company_email``), rendered in company time."""

from django.conf import settings
from django.core.mail import get_connection
from django.urls import reverse
from django.utils import timezone

from checkins.reminders import MailError, company_email
from objectives.permissions import can_view_objective
from organizations.clock import company_timezone

from .models import GradingNudge


def send_grading_nudge(nudge_id: int) -> bool:
    """Send one recorded nudge unless it went out already; True when sent now."""
    nudge = (
        GradingNudge.objects.select_related(
            "org", "objective__period", "recipient__user", "nudged_by__user"
        )
        .filter(pk=nudge_id, sent_at=None)
        .first()
    )
    if nudge is None or not can_view_objective(nudge.recipient, nudge.objective):
        return False
    org, objective = nudge.org, nudge.objective
    path = reverse("closing:grade", kwargs={"org_slug": org.slug, "objective_id": objective.pk})
    with company_timezone(org):
        message = company_email(
            "grading_nudge",
            {
                "org": org,
                "user": nudge.recipient.user,
                "objective": objective,
                "sender": nudge.nudged_by.user.get_full_name() if nudge.nudged_by else org.name,
                "url": f"{settings.SITE_URL}{path}",
                "site_url": settings.SITE_URL,
                "settings_url": f"{settings.SITE_URL}{reverse('accounts:settings')}",
            },
            to=nudge.recipient.user.email,
            message_id=f"grading-nudge-{nudge.pk}",
        )
    with get_connection() as connection:
        message.connection = connection
        if connection.send_messages([message]) != 1:
            raise MailError("The mail server did not accept the message.")
    return (
        GradingNudge.objects.filter(pk=nudge.pk, sent_at=None).update(sent_at=timezone.now()) == 1
    )
