"""Writes of single sign-on: an admin configures the company's provider; a person signs in
through it and, the first time, joins the company as a member (just in time)."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from audit.services import changes_of, record, snapshot
from okr_site.secrets_box import SealBroken, seal, unseal
from organizations.models import Membership, Organization, note_data_change
from organizations.permissions import ensure_admin

from . import provider
from .domains import claim_refusal, domain_of, normalise
from .models import SingleSignOn, SsoIdentity

User = get_user_model()
MSG_ADMINS = "Only the company's admins configure single sign-on."
AUDITED = ["issuer", "client_id", "email_domain", "enabled", "sso_only"]


def sso_of(org) -> SingleSignOn | None:
    return SingleSignOn.objects.for_org(org).first()


def unseal_or_none(token: str) -> str | None:
    try:
        return unseal(token)
    except SealBroken:
        return None


def secret_is_readable(config: SingleSignOn) -> bool:
    return unseal_or_none(config.client_secret_encrypted) is not None


def sso_configure(
    *,
    org: Organization,
    actor: Membership,
    issuer: str,
    client_id: str,
    client_secret: str,
    email_domain: str,
    enabled: bool,
    sso_only: bool,
) -> SingleSignOn:
    """Save the company's provider after checking it: the issuer answers discovery, it
    accepts the client id and secret, and the actor may claim the domain. A blank secret
    keeps the stored one. Problems are ValidationErrors keyed by field."""
    ensure_admin(actor, org.pk, MSG_ADMINS)
    current = sso_of(org)
    domain = normalise(email_domain)
    if current is None or current.email_domain != domain:
        refusal = claim_refusal(user=actor.user, domain=domain)
        if refusal:
            raise ValidationError({"email_domain": refusal})
    clash = SingleSignOn.objects.filter(email_domain__iexact=domain).exclude(org=org)
    if clash.exists():
        raise ValidationError(
            {"email_domain": f"Another company on Aligned already signs in {domain} with SSO."}
        )
    if not client_secret:
        if current is None:
            raise ValidationError({"client_secret": "Enter the client secret."})
        client_secret = None  # the stored one stays
    # Turning single sign-on off must work while the provider is down or misconfigured
    # (that is when an admin turns it off): then nothing is asked of the provider.
    turning_off = (
        not enabled
        and current is not None
        and current.issuer == issuer.rstrip("/")
        and current.client_id == client_id
    )
    endpoints = None
    if not turning_off:
        secret = client_secret or unseal_or_none(current.client_secret_encrypted)
        if secret is None:
            raise ValidationError(
                {"client_secret": "The stored secret can no longer be read: enter it again."}
            )
        # Network first, outside the transaction: the provider may take seconds to answer.
        try:
            endpoints = provider.discover(issuer)
            provider.check_client(
                endpoints, issuer=issuer, client_id=client_id, client_secret=secret
            )
        except provider.ProviderProblem as problem:
            raise ValidationError({problem.field: problem.message}) from None
    with transaction.atomic():
        # One admin's save at a time: a second one meanwhile edits what the first saved.
        Organization.objects.select_for_update().filter(pk=org.pk).first()
        current = sso_of(org)
        config = current or SingleSignOn(org=org)
        before = snapshot(config, AUDITED) if current else {}
        old_secret = config.client_secret_encrypted
        config.issuer = issuer.rstrip("/")
        config.client_id = client_id
        config.email_domain = domain
        config.enabled = enabled
        config.sso_only = sso_only
        if endpoints is not None:
            for name, value in vars(endpoints).items():
                setattr(config, name, value)
        secret_changed = client_secret is not None and unseal_or_none(old_secret) != client_secret
        if secret_changed:
            config.client_secret_encrypted = seal(client_secret)
        config.full_clean(exclude=["org"])
        try:
            with transaction.atomic():
                config.save()
        except IntegrityError:  # another company claimed the domain meanwhile
            raise ValidationError(
                {"email_domain": f"Another company on Aligned already signs in {domain} with SSO."}
            ) from None
        changes = changes_of(config, before) if current else snapshot(config, AUDITED)
        if secret_changed:
            changes["client_secret"] = ["(encrypted)", "(changed)"]  # never the secret itself
        record(actor, "sso.configure" if current else "sso.create", config, changes)
    return config


# --- signing in ----------------------------------------------------------------------------


class SignInRefused(Exception):
    """The sign-in cannot go on: ``message`` says why, to the person; ``status`` is the
    page's (403: the person may not come in; 502/503: the provider or its configuration)."""

    def __init__(self, message: str, status: int = 403):
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class SignedIn:
    membership: Membership
    joined: bool  # the membership was made now (just in time)


def _claimed_email(config: SingleSignOn, claims: dict) -> str:
    email = str(claims.get("email") or "").strip().lower()
    org = config.org
    if not email or "@" not in email:
        raise SignInRefused(
            f"{org.name}'s identity provider did not tell Aligned your e-mail address; "
            "ask your IT team to release the “email” claim to Aligned."
        )
    if claims.get("email_verified") is not True:
        raise SignInRefused(
            f"{org.name}'s identity provider has not verified your address {email}, so it "
            "cannot prove you are its owner. Ask your IT team to verify it."
        )
    if domain_of(email) != config.email_domain:
        raise SignInRefused(
            f"You signed in as {email}, but {org.name} lets in only addresses on "
            f"{config.email_domain}. Sign in with your {config.email_domain} account, or ask "
            f"an admin of {org.name} for an invitation."
        )
    return email


def _name_from(claims: dict, email: str) -> str:
    name = str(claims.get("name") or "").strip()
    return name[:150] or email.split("@")[0]


@transaction.atomic
def sso_sign_in(*, config: SingleSignOn, claims: dict) -> SignedIn:
    """The person the provider vouched for, as an active member of the company: their
    account is found by the provider's subject, else by the verified e-mail, else made;
    the membership is made on their first sign-in. Refusals raise SignInRefused."""
    org = config.org
    subject = str(claims.get("sub") or "")
    if not subject:
        raise SignInRefused(f"{org.name}'s identity provider sent no subject; try again.")
    identity = (
        SsoIdentity.objects.for_org(org)
        .select_related("user")
        .filter(issuer=config.issuer, subject=subject)
        .first()
    )
    if identity is not None:
        user = identity.user
    else:
        email = _claimed_email(config, claims)
        user = User.objects.select_for_update().filter(email__iexact=email).first()
        if user is None:
            user = User(email=email, full_name=_name_from(claims, email))
            # Signs in through the provider; a password can be set by "Forgot your password?".
            user.set_unusable_password()
            user.save()
        elif not user.email_verified:
            # A sign-up still waiting for its link: the provider proved the address, so the
            # account is theirs, without the password a stranger may have chosen for it.
            user.is_active = user.email_verified = True
            user.set_unusable_password()
            user.save(update_fields=["is_active", "email_verified", "password"])
        SsoIdentity.objects.create(org=org, issuer=config.issuer, subject=subject, user=user)
    if not user.is_active:
        raise SignInRefused("This account is switched off; ask an admin of the company.")
    membership, joined = Membership.objects.get_or_create(
        org=org, user=user, defaults={"role": Membership.Role.MEMBER}
    )
    if not membership.is_active:
        raise SignInRefused(
            f"Your membership of {org.name} has ended, so single sign-on cannot bring you "
            f"back in; an admin of {org.name} can restore it (Admin → People)."
        )
    if joined:
        # The company's own provider vouched for them: that is the right to join.
        record(membership, "sso.join", membership, {"role": [None, membership.role]})
        note_data_change(org.pk)
    return SignedIn(membership=membership, joined=joined)
