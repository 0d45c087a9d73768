from django.db import models

from organizations.tenancy import TenantModel


class Change(TenantModel):
    """One row written, changed or deleted in a tracked table, as PostgreSQL's trigger saw it
    (``history.tracking``): never written by Python, never edited.

    ``changes`` is ``{column: [before, after]}`` (a new row: ``[null, value]`` for each value
    it was given; a deleted one: ``[value, null]``), read straight from the row as JSON, so a
    column added to a tracked table later is recorded the day it exists, without a migration
    here. Ids, not foreign keys, name what changed: the history outlives it.
    """

    class Operation(models.TextChoices):
        INSERT = "insert", "created"
        UPDATE = "update", "changed"
        DELETE = "delete", "deleted"

    # Declared here without a database constraint; migration 0002 adds one that cascades
    # (PostgreSQL), so the company's last row takes the history written while it was emptied.
    org = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    model = models.CharField(max_length=64)  # "objectives.objective"
    object_id = models.BigIntegerField()
    # What a history tab asks for: the objective, or the key result, the row belongs to.
    objective_id = models.BigIntegerField(null=True, blank=True)
    key_result_id = models.BigIntegerField(null=True, blank=True)
    operation = models.CharField(max_length=6, choices=Operation.choices)
    changes = models.JSONField(default=dict)
    # Who: the membership the request or task named through pghistory.context; empty for
    # a script, a data migration or a shell (the trigger records those too).
    actor = models.ForeignKey(
        "organizations.Membership",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    context_id = models.UUIDField(null=True, blank=True)  # one request or task
    context = models.JSONField(null=True, blank=True)  # {"url": ...} or {"task": ...}
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["org", "-created_at", "-id"], name="history_org_recent"),
            models.Index(fields=["org", "actor", "-created_at", "-id"], name="history_org_actor"),
            models.Index(fields=["org", "model", "-created_at", "-id"], name="history_org_model"),
            models.Index(
                fields=["objective_id", "-created_at", "-id"],
                name="history_objective",
                condition=models.Q(objective_id__isnull=False),
            ),
            models.Index(
                fields=["key_result_id", "-created_at", "-id"],
                name="history_key_result",
                condition=models.Q(key_result_id__isnull=False),
            ),
        ]

    def __str__(self):
        return f"{self.operation} {self.model}:{self.object_id}"
