"""The "only through single sign-on" rule, which accounts' password sign-in asks."""

from accounts.policy import Refusal
from organizations.models import Membership

from .domains import domain_of
from .models import SingleSignOn


def sso_only_refusal(user) -> Refusal | None:
    """Members of a company that signs in only through SSO, with an address on its domain,
    may not use a password. Its admins may: when the provider is down or misconfigured,
    someone must still be able to sign in and fix it (break glass)."""
    config = (
        SingleSignOn.objects.select_related("org")
        .filter(email_domain=domain_of(user.email), enabled=True, sso_only=True)
        .first()
    )
    if config is None:
        return None
    membership = Membership.objects.filter(org=config.org, user=user, is_active=True).first()
    if membership is None or membership.is_admin:
        return None
    return Refusal(
        message=(
            f"{config.org.name} signs in through its identity provider only: use "
            f"“Sign in with SSO” (your {config.email_domain} account), not a password."
        ),
        org_slug=config.org.slug,
        org_name=config.org.name,
    )
