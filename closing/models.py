"""Closing a period: grading key results, objective outcomes, reflections, carrying over.

A period moves through three states (``closing.state``): *open*; *closing* (a
``PeriodClosing`` row exists and the period is not closed yet: owners grade, and every other
edit follows the open period's rules); *closed* (``Period.is_closed``: read-only, admins
excepted). The rows here live in their own tables rather than as columns on ``Period`` and
``Objective``, so a grade or a carry-over also says who made it and when.
"""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from organizations.tenancy import TenantModel

DEFAULT_QUESTIONS = ("What went well?", "What did not go well?", "What did we learn?")


class PeriodClosing(TenantModel):
    """An admin started closing ``period`` (grading opens); ``closed_at`` once it closed."""

    period = models.OneToOneField(
        "organizations.Period", on_delete=models.CASCADE, related_name="closing"
    )
    started_at = models.DateTimeField()
    started_by = models.ForeignKey(
        "organizations.Membership", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        "organizations.Membership",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Closed while objectives were still ungraded (an admin's "Force close").
    forced = models.BooleanField(default=False)

    def __str__(self):
        return f"Closing of {self.period}"


class KRGrade(TenantModel):
    """A key result's end-of-period grade, 0.0 to 1.0, with a one-line reason."""

    key_result = models.OneToOneField(
        "objectives.KeyResult", on_delete=models.CASCADE, related_name="grade"
    )
    score = models.DecimalField(
        max_digits=3,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1))],
    )
    reason = models.CharField(max_length=200, blank=True)
    graded_by = models.ForeignKey(
        "organizations.Membership", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    graded_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(score__gte=0) & Q(score__lte=1), name="kr_grade_between_0_and_1"
            )
        ]

    def __str__(self):
        return f"{self.score} for {self.key_result_id}"


class ObjectiveOutcome(TenantModel):
    """How an objective ended."""

    class Outcome(models.TextChoices):
        ACHIEVED = "achieved", "Achieved"
        PARTLY = "partly", "Partly achieved"
        MISSED = "missed", "Missed"
        POSTPONED = "postponed", "Postponed"
        DROPPED = "dropped", "Dropped"

    objective = models.OneToOneField(
        "objectives.Objective", on_delete=models.CASCADE, related_name="outcome"
    )
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    decided_by = models.ForeignKey(
        "organizations.Membership", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField()

    def __str__(self):
        return self.get_outcome_display()


class ReflectionQuestion(TenantModel):
    """One of the company's reflection questions. A removed question is archived, not
    deleted: the answers given to it stay readable."""

    text = models.CharField(max_length=200)
    position = models.PositiveSmallIntegerField(default=0)
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self):
        return self.text


class ReflectionAnswer(TenantModel):
    """An objective's answer to one reflection question."""

    objective = models.ForeignKey(
        "objectives.Objective", on_delete=models.CASCADE, related_name="reflections"
    )
    question = models.ForeignKey(ReflectionQuestion, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(max_length=2000)
    answered_by = models.ForeignKey(
        "organizations.Membership", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField()

    class Meta:
        ordering = ["question__position", "question_id"]
        constraints = [
            models.UniqueConstraint("objective", "question", name="reflection_one_per_question")
        ]


class CarryOver(TenantModel):
    """``copy`` continues ``source`` in a later period. Both sides are unique: an objective
    is carried over at most once (refused by the database too), and a copy continues one."""

    class StartFrom(models.TextChoices):
        ENDED = "ended", "Where they ended"
        RESET = "reset", "Their original start values"

    source = models.OneToOneField(
        "objectives.Objective", on_delete=models.CASCADE, related_name="carried_into"
    )
    copy = models.OneToOneField(
        "objectives.Objective", on_delete=models.CASCADE, related_name="carried_from"
    )
    start_from = models.CharField(max_length=5, choices=StartFrom.choices)
    carried_by = models.ForeignKey(
        "organizations.Membership", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    carried_at = models.DateTimeField()

    def __str__(self):
        return f"{self.source_id} continued in {self.copy_id}"


class GradingNudge(TenantModel):
    """A manager asked an objective's owner to grade it (at most once a company day)."""

    objective = models.ForeignKey(
        "objectives.Objective", on_delete=models.CASCADE, related_name="+"
    )
    recipient = models.ForeignKey(
        "organizations.Membership", on_delete=models.CASCADE, related_name="+"
    )
    nudged_by = models.ForeignKey(
        "organizations.Membership", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    day = models.DateField()
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint("objective", "day", name="grading_nudge_once_a_day")]
