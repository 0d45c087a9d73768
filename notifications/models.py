"""What is waiting for a person: someone mentioned them, someone commented on what they own.

A notification names its objective, and the inbox shows (and counts) only those whose
objective the person may see now: one made private later disappears from their inbox.
"""

from django.db import models

from organizations.models import Membership
from organizations.tenancy import TenantModel


class Notification(TenantModel):
    class Kind(models.TextChoices):
        MENTION = "mention", "mentioned you"
        COMMENT = "comment", "commented on"

    recipient = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    objective = models.ForeignKey(
        "objectives.Objective", on_delete=models.CASCADE, related_name="+"
    )
    key_result = models.ForeignKey(
        "objectives.KeyResult", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    comment = models.ForeignKey(
        "conversations.Comment", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at", "-created_at"])]
