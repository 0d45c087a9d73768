"""E-mails about companies and people. Called after commit; they re-load what they send."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from .clock import company_timezone
from .models import Invitation


def invitation_url(invitation: Invitation) -> str:
    return settings.SITE_URL + reverse("invitation-accept", args=[invitation.token])


def send_invitation_email(*, invitation_id: int) -> bool:
    """Send the invitation as it stands now; a revoked or used one is not sent."""
    invitation = (
        Invitation.objects.select_related("org", "invited_by__user")
        .pending()
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None:
        return False
    with company_timezone(invitation.org):  # its dates (e.g. the expiry) in company time
        return _send_invitation(invitation)


def _send_invitation(invitation: Invitation) -> bool:
    context = {
        "invitation": invitation,
        "org": invitation.org,
        "inviter": invitation.invited_by.user if invitation.invited_by else None,
        "url": invitation_url(invitation),
        "role": invitation.get_role_display(),
    }
    # Collapse whitespace: a line break in a company name must not break the header.
    subject = " ".join(f"You are invited to join {invitation.org.name} on Aligned".split())
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("organizations/email/invitation.txt", context),
        to=[invitation.email],
    )
    message.attach_alternative(
        render_to_string("organizations/email/invitation.html", context), "text/html"
    )
    message.send()
    return True
