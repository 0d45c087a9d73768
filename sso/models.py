from django.conf import settings
from django.db import models
from django.db.models.functions import Lower

from organizations.tenancy import TenantModel


class SingleSignOn(TenantModel):
    """A company's OpenID Connect provider. People whose e-mail is on ``email_domain`` may sign
    in through it and join the company as members on their first sign-in."""

    issuer = models.URLField(max_length=300)
    client_id = models.CharField(max_length=255)
    # Sealed by okr_site/secrets_box.py (Fernet): the database never holds the secret itself.
    client_secret_encrypted = models.TextField()
    email_domain = models.CharField(max_length=253)
    enabled = models.BooleanField(default=True)
    sso_only = models.BooleanField(default=False)
    # From the provider's discovery document, read when the configuration is saved.
    authorization_endpoint = models.URLField(max_length=500)
    token_endpoint = models.URLField(max_length=500)
    userinfo_endpoint = models.URLField(max_length=500)
    jwks_uri = models.URLField(max_length=500)
    signing_alg = models.CharField(max_length=10, default="RS256")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint("org", name="sso_one_per_company"),
            # A domain belongs to one company: its people's e-mail says where they sign in.
            models.UniqueConstraint(Lower("email_domain"), name="sso_domain_one_company"),
        ]

    def __str__(self):
        return f"Single sign-on for {self.email_domain}"


class SsoIdentity(TenantModel):
    """Who the provider's subject is, once they signed in: later sign-ins follow the subject,
    not the e-mail, so an address the provider hands to someone else takes over no account."""

    issuer = models.URLField(max_length=300)
    subject = models.CharField(max_length=255)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sso_identities"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint("org", "issuer", "subject", name="sso_identity_unique"),
        ]

    def __str__(self):
        return f"{self.subject} at {self.issuer}"
