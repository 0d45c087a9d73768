from decimal import Decimal

from django.core.validators import MaxLengthValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from guardian.models import UserObjectPermissionBase

from organizations.tenancy import TenantModel

ROLLUP_FIELDS = ("progress", "aligned_progress", "confidence")


class Objective(TenantModel):
    """A qualitative goal of the company, a team or a person for one period.

    ``parent`` is the upward alignment link; only ``alignment.services`` writes it (with
    ``parent_key_result`` and ``contribution_weight``). An objective that contributes to a
    key result keeps ``parent`` = that key result's objective, so every walk of the chain
    (trees, cycles, ancestors, roll-ups) stays one walk over ``parent``; the database holds
    the pair consistent (``objectives.0010``: a foreign key on (parent, parent_key_result)).
    """

    class Level(models.TextChoices):
        COMPANY = "company", "Company"
        TEAM = "team", "Team"
        INDIVIDUAL = "individual", "Individual"

    class Visibility(models.TextChoices):
        PUBLIC = "public", "Public (everyone in the company)"
        PRIVATE = "private", "Private"

    class Status(models.TextChoices):
        # Draft and submitted (awaiting review) objectives are unpublished: seen only by who
        # sees a private objective, and counted nowhere (``seen_by_everyone_q``).
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted for review"
        ACTIVE = "active", "Active"
        DONE = "done", "Done"
        ABANDONED = "abandoned", "Abandoned"

    UNPUBLISHED = (Status.DRAFT, Status.SUBMITTED)

    class Commitment(models.TextChoices):
        COMMITTED = "committed", "Committed"
        ASPIRATIONAL = "aspirational", "Aspirational"

    org = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="objectives"
    )
    period = models.ForeignKey(
        "organizations.Period", on_delete=models.PROTECT, related_name="objectives"
    )
    level = models.CharField(max_length=12, choices=Level.choices)
    team = models.ForeignKey(
        "organizations.Team",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="objectives",
    )
    owner = models.ForeignKey(
        "organizations.Membership",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_objectives",
        help_text="The person accountable: required for individual objectives.",
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, validators=[MaxLengthValidator(5000)])
    theme = models.ForeignKey(
        "organizations.StrategicTheme",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="objectives",
    )
    visibility = models.CharField(
        max_length=8, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    # How its result is judged (the period report's hit rates compare the two kinds).
    commitment = models.CharField(
        max_length=12,
        choices=Commitment.choices,
        default=Commitment.COMMITTED,
        help_text="Committed: expected to be met in full. Aspirational: about 70% is success.",
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
        editable=False,
    )
    # The key result of ``parent`` it contributes to, when it serves one (nullable).
    parent_key_result = models.ForeignKey(
        "objectives.KeyResult",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contributors",
        editable=False,
    )
    # How much it weighs among its parent's contributors: the parent's owner sets it.
    contribution_weight = models.DecimalField(
        max_digits=6,
        decimal_places=2,
        default=Decimal(1),
        validators=[MinValueValidator(Decimal("0.01"))],
        editable=False,
    )
    created_by = models.ForeignKey(
        "organizations.Membership",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Stored roll-ups, kept current by ``objectives.rollups.refresh_rollups`` (never edited):
    # own progress (0..1, None without KRs), aligned progress (own KRs plus counted
    # children) and the worst confidence of its KRs ("" without KRs).
    progress = models.DecimalField(
        max_digits=7, decimal_places=6, null=True, blank=True, editable=False
    )
    aligned_progress = models.DecimalField(
        max_digits=7, decimal_places=6, null=True, blank=True, editable=False
    )
    confidence = models.CharField(max_length=10, blank=True, editable=False)
    # Moves on with every save of what the edit form edits (and of its alignment): a form
    # carries the version it was opened at, and saving it succeeds only while that is still
    # the stored one (objectives.services.objective_update), so no edit silently undoes another.
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["period__start", "level", "title"]
        permissions = [("share_objective", "Can see a private objective shared with them")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(level="team") | Q(team__isnull=False),
                name="objective_team_level_has_team",
            ),
            models.CheckConstraint(
                condition=~Q(level="individual") | Q(owner__isnull=False),
                name="objective_individual_has_owner",
            ),
            models.CheckConstraint(
                condition=Q(parent_key_result__isnull=True) | Q(parent__isnull=False),
                name="objective_parent_kr_has_parent",
            ),
            models.CheckConstraint(
                condition=Q(contribution_weight__gt=0),
                name="objective_contribution_weight_positive",
            ),
        ]
        indexes = [
            # Explore lists a period in this order, a page at a time.
            models.Index(fields=["org", "period", "level", "title", "id"]),
            models.Index(fields=["org", "parent"]),
            models.Index(fields=["org", "owner", "period"]),
            models.Index(fields=["org", "team", "period"]),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        # Only ``objectives.rollups`` writes the roll-ups (with ``bulk_update``): an instance
        # loaded before a check-in must not put its stale numbers back when it is saved.
        if not self._state.adding and kwargs.get("update_fields") is None:
            deferred = self.get_deferred_fields()  # as Django does: never save unloaded fields
            kwargs["update_fields"] = [
                f.name
                for f in self._meta.concrete_fields
                if not f.primary_key and f.name not in ROLLUP_FIELDS and f.attname not in deferred
            ]
        super().save(*args, **kwargs)

    @property
    def is_private(self):
        return self.visibility == self.Visibility.PRIVATE

    @property
    def is_draft(self) -> bool:
        """Not published yet (a draft, or submitted for review)."""
        return self.status in self.UNPUBLISHED

    @property
    def is_restricted(self) -> bool:
        """Seen only by those the private rule lets in (``permissions.can_view_objective``):
        a private objective, or one not published yet."""
        return self.is_private or self.is_draft


def published_q(prefix: str = "") -> Q:
    """Objectives that are published (neither a draft nor awaiting review)."""
    return ~Q(**{f"{prefix}status__in": Objective.UNPUBLISHED})


def seen_by_everyone_q(prefix: str = "") -> Q:
    """Objectives everyone in the company sees: public and published."""
    return Q(**{f"{prefix}visibility": Objective.Visibility.PUBLIC}) & published_q(prefix)


class KeyResult(TenantModel):
    """A measurable result of an objective; check-ins move ``current``."""

    class Kind(models.TextChoices):
        INCREASE = "increase", "Increase to a target"
        DECREASE = "decrease", "Decrease to a target"
        MILESTONE = "milestone", "Milestone (done / not done)"

    class Unit(models.TextChoices):
        NUMBER = "number", "Number"
        PERCENT = "percent", "Percent"
        CURRENCY = "currency", "Currency"

    class Confidence(models.TextChoices):
        ON_TRACK = "on_track", "On track"
        AT_RISK = "at_risk", "At risk"
        OFF_TRACK = "off_track", "Off track"

    class MeasuredBy(models.TextChoices):
        CHECKINS = "checkins", "Its own check-ins"
        CONTRIBUTORS = "contributors", "Its contributing objectives"

    org = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="key_results"
    )
    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="key_results")
    title = models.CharField(max_length=200)
    owner = models.ForeignKey(
        "organizations.Membership",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_key_results",
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.INCREASE)
    unit = models.CharField(max_length=10, choices=Unit.choices, default=Unit.NUMBER)
    currency_code = models.CharField(max_length=3, blank=True)
    start_value = models.DecimalField(max_digits=18, decimal_places=4, default=Decimal(0))
    target_value = models.DecimalField(max_digits=18, decimal_places=4, default=Decimal(1))
    current_value = models.DecimalField(max_digits=18, decimal_places=4, default=Decimal(0))
    weight = models.DecimalField(
        max_digits=6,
        decimal_places=2,
        default=Decimal(1),
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    confidence = models.CharField(
        max_length=10, choices=Confidence.choices, default=Confidence.ON_TRACK
    )
    position = models.PositiveIntegerField(default=0)
    # Its owner's choice: moved by check-ins, or computed from the objectives aligned to it
    # (``objectives.rollups`` then writes ``current_value``; check-ins are refused).
    measured_by = models.CharField(
        max_length=12, choices=MeasuredBy.choices, default=MeasuredBy.CHECKINS, editable=False
    )
    last_checkin_at = models.DateTimeField(null=True, blank=True)
    # The latest check-in's note, kept beside its value and confidence (the same writers) so
    # every check-in form shows "last time" without a query per key result.
    last_checkin_note = models.TextField(blank=True, default="")
    # Like Objective.version, for the edit form's fields. Check-ins (the only writers of
    # current_value and confidence) do not move it: an edit opened before one still saves.
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["objective_id", "position", "id"]
        permissions = [("checkin_keyresult", "Can check in on this key result")]
        constraints = [
            models.CheckConstraint(condition=Q(weight__gt=0), name="kr_weight_positive"),
            models.CheckConstraint(
                condition=Q(kind="milestone") | ~Q(start_value=models.F("target_value")),
                name="kr_start_differs_from_target",
            ),
        ]
        indexes = [
            models.Index(fields=["org", "owner"]),
            models.Index(fields=["org", "last_checkin_at"]),
        ]

    def __str__(self):
        return self.title

    @property
    def measured_by_contributors(self) -> bool:
        return self.measured_by == self.MeasuredBy.CONTRIBUTORS


class ReviewStep(TenantModel):
    """One step of an objective's review, when the company asks for review: submitted, then
    approved (it is published) or changes requested (back to a draft, with a comment)."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", "Submitted for review"
        APPROVED = "approved", "Approved"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"

    org = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="review_steps"
    )
    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="review_steps")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        "organizations.Membership",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    comment = models.TextField(blank=True, validators=[MaxLengthValidator(2000)])
    created_at = models.DateTimeField(auto_now_add=True)
    # When the submitter was told of a decision (e-mail sent once, after commit).
    notified_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["org", "objective", "created_at"])]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.objective_id}"


# django-guardian grants with direct foreign keys (fast joins, cascade on delete):
# ``share_objective`` / ``change_objective`` on an objective (shared reader / co-owner),
# ``checkin_keyresult`` on a key result (contributor).
class ObjectiveUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Objective, on_delete=models.CASCADE)


class KeyResultUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(KeyResult, on_delete=models.CASCADE)
