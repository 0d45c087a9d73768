"""What is waiting for a person: someone mentioned them, someone commented on what they own,
someone needs something from them or answered what they need (``dependencies``).

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
        ALIGNMENT_REQUEST = "alignment_request", "asks to align to"
        ALIGNMENT_ANSWER = "alignment_answer", "answered your alignment request"
        DEPENDENCY_REQUEST = "dependency", "needs something from you for"
        DEPENDENCY_ANSWER = "dependency_answer", "answered what is needed for"
        MISSED_CHECKIN = "missed_checkin", "has not checked in on"

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
    alignment_request = models.ForeignKey(
        "alignment.AlignmentRequest",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # E-mail, as the reminders do it: claimed (token and time), sent, then marked; a claim
    # older than the claim timeout is taken over (its sender died).
    email_claim = models.CharField(max_length=32, blank=True, default="")
    email_claimed_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at", "-created_at"]),
            models.Index(fields=["emailed_at", "org"]),
        ]


class Delivery(models.TextChoices):
    IN_APP = "in_app", "In the inbox only"
    NOW = "now", "E-mail at once"
    DAILY = "daily", "Daily digest e-mail"
    WEEKLY = "weekly", "Weekly digest e-mail"


# Until a person chooses: a mention is worth an e-mail at once, comments wait for the digest.
DEFAULT_DELIVERY = {
    Notification.Kind.MENTION: Delivery.NOW,
    Notification.Kind.COMMENT: Delivery.DAILY,
    Notification.Kind.ALIGNMENT_REQUEST: Delivery.NOW,
    Notification.Kind.ALIGNMENT_ANSWER: Delivery.IN_APP,
    # Someone waits for an answer: at once; answers can wait for the digest.
    Notification.Kind.DEPENDENCY_REQUEST: Delivery.NOW,
    Notification.Kind.DEPENDENCY_ANSWER: Delivery.DAILY,
    # A reminder and a follow-up went unanswered: the manager hears of it in the week's digest.
    Notification.Kind.MISSED_CHECKIN: Delivery.WEEKLY,
}


class NotificationSetting(TenantModel):
    """How one person hears of one kind of notification in one company."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=Notification.Kind.choices)
    delivery = models.CharField(max_length=10, choices=Delivery.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["membership", "kind"], name="one_setting_per_kind")
        ]
