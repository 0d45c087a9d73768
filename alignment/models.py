from django.db import models

from organizations.tenancy import TenantModel


class SimilarObjectives(TenantModel):
    """A pair of objectives whose texts look alike (possible duplicated work).

    Kept up to date when an objective is saved (``alignment.duplicates.refresh_similar``), so
    dashboards read stored pairs instead of comparing every pair of a period on each visit.
    ``first`` always has the lower id.
    """

    org = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="+"
    )
    first = models.ForeignKey("objectives.Objective", on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey("objectives.Objective", on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()

    class Meta:
        constraints = [
            models.UniqueConstraint("first", "second", name="similar_objectives_unique_pair"),
            models.CheckConstraint(
                condition=models.Q(first__lt=models.F("second")), name="similar_first_is_lower"
            ),
        ]
        indexes = [models.Index(fields=["org", "first"]), models.Index(fields=["org", "second"])]


class DashboardSnapshot(TenantModel):
    """One dashboard scope's figures for a period, as of ``computed_at``.

    A dashboard of a large company answers questions about the whole period (thousands of
    objectives, people and look-alike pairs); ``alignment.snapshots`` computes every scope of
    a period in one pass and pages read one row. ``version`` is the company's
    ``data_version`` the figures were built from: a write moves that number on, and the row
    is rebuilt (see ``alignment.snapshots`` for when).
    """

    org = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="+"
    )
    period = models.ForeignKey("organizations.Period", on_delete=models.CASCADE, related_name="+")
    # "company", "team:<id>" (a team with its sub-teams) or "teams:<id>,<id>" (several).
    scope = models.CharField(max_length=255)
    version = models.BigIntegerField()
    computed_at = models.DateTimeField()
    data = models.JSONField()

    class Meta:
        constraints = [
            models.UniqueConstraint("org", "period", "scope", name="dashboard_snapshot_scope")
        ]

    def __str__(self):
        return f"{self.period_id} {self.scope} v{self.version}"


class DuplicateDismissal(TenantModel):
    """Someone said a look-alike pair is not duplicated work: the company's dashboards stop
    listing and counting it. One row per pair and company; ``objective_a`` has the lower id."""

    org = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="+"
    )
    objective_a = models.ForeignKey(
        "objectives.Objective", on_delete=models.CASCADE, related_name="+"
    )
    objective_b = models.ForeignKey(
        "objectives.Objective", on_delete=models.CASCADE, related_name="+"
    )
    dismissed_by = models.ForeignKey(
        "organizations.Membership", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                "org", "objective_a", "objective_b", name="duplicate_dismissal_unique_pair"
            ),
            models.CheckConstraint(
                condition=models.Q(objective_a__lt=models.F("objective_b")),
                name="duplicate_dismissal_a_is_lower",
            ),
        ]

    def __str__(self):
        return f"not duplicates: {self.objective_a_id} & {self.objective_b_id}"


class AlignmentRequest(TenantModel):
    """Someone asks to align their objective to one they do not own (when the company asks
    first: ``Organization.alignment_requests``). Until its owner accepts, the link is only
    this row: nothing counts it."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for an answer"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn"

    child = models.ForeignKey(
        "objectives.Objective", on_delete=models.CASCADE, related_name="alignment_requests"
    )
    parent = models.ForeignKey(
        "objectives.Objective", on_delete=models.CASCADE, related_name="alignment_requests_in"
    )
    # Set when it asks to contribute to one of ``parent``'s key results (its owner answers).
    parent_key_result = models.ForeignKey(
        "objectives.KeyResult",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="alignment_requests_in",
    )
    requested_by = models.ForeignKey(
        "organizations.Membership", on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    comment = models.CharField(max_length=500, blank=True)
    answered_by = models.ForeignKey(
        "organizations.Membership",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["child"],
                condition=models.Q(status="pending"),
                name="one_pending_alignment_request_per_objective",
            )
        ]
        indexes = [models.Index(fields=["org", "status", "created_at"])]


class AlsoSupports(TenantModel):
    """A display-only link: ``objective`` also helps ``supported``, besides the one parent its
    progress rolls up to. Shown on both objectives, in the contribution path and on the map;
    never counted in any figure. Only ``alignment.services`` writes it."""

    org = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="+"
    )
    objective = models.ForeignKey(
        "objectives.Objective", on_delete=models.CASCADE, related_name="also_supports_links"
    )
    supported = models.ForeignKey(
        "objectives.Objective", on_delete=models.CASCADE, related_name="also_supported_by_links"
    )
    created_by = models.ForeignKey(
        "organizations.Membership",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint("objective", "supported", name="also_supports_unique_pair"),
            models.CheckConstraint(
                condition=~models.Q(objective=models.F("supported")),
                name="also_supports_not_itself",
            ),
        ]
        indexes = [
            models.Index(fields=["org", "objective"]),
            models.Index(fields=["org", "supported"]),
        ]

    def __str__(self):
        return f"{self.objective_id} also supports {self.supported_id}"
