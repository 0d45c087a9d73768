"""Personal access tokens: one person's key to the REST API of one company.

The token itself is shown once, when it is made; only its SHA-256 digest is stored (a
random 256-bit secret needs no slow hash: nothing can be guessed from its digest), with its
first characters so the settings page can tell tokens apart.
"""

from django.db import models
from django.utils import timezone

from organizations.tenancy import TenantModel


class ApiToken(TenantModel):
    class Access(models.TextChoices):
        READ = "read", "Read only"
        READ_WRITE = "read_write", "Read and write"

    membership = models.ForeignKey(
        "organizations.Membership", on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=80)
    access = models.CharField(max_length=10, choices=Access.choices, default=Access.READ)
    # Both named so that exports and the change log leave them out (their SECRET_FIELD rules).
    token_prefix = models.CharField(max_length=12)  # on the settings page; never enough to use
    token_hash = models.CharField(max_length=64, unique=True)  # sha256 hex of the whole token
    expires_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["org", "membership"])]

    def __str__(self):
        return f"{self.name} ({self.token_prefix}…)"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and not self.is_expired

    @property
    def may_write(self) -> bool:
        return self.access == self.Access.READ_WRITE
