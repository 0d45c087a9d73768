from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone

from organizations.tenancy import TenantModel


class AuditEntry(TenantModel):
    """One write made through a service: who, when, what (action, target, changed fields).

    Written only by ``audit.record``; never edited afterwards. The target is named by its
    model label and id (not a foreign key) so the entry outlives a deleted target, and by
    the label it had then.
    """

    org = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="audit_entries"
    )
    actor = models.ForeignKey(
        "organizations.Membership",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who wrote; empty for system writes (demo seeding, imports).",
    )
    action = models.CharField(max_length=64)  # "objective.update", "team.add_member", ...
    target_type = models.CharField(max_length=64)  # model label, "objectives.objective"
    target_id = models.BigIntegerField(null=True, blank=True)
    target_label = models.CharField(max_length=255, blank=True)
    # {"field": [before, after]}; empty when the action says it all (created, deleted).
    changes = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["org", "-created_at", "-id"], name="audit_org_recent"),
            models.Index(fields=["org", "actor", "-created_at"], name="audit_org_actor"),
            models.Index(fields=["org", "target_type", "target_id"], name="audit_org_target"),
        ]

    def __str__(self):
        return f"{self.action} {self.target_type}:{self.target_id}"
