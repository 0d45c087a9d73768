"""What one side needs from another team or person, by a date, for an objective.

A dependency always names its objective (also when it is for one of the objective's key
results): whoever may not see the objective may not see the dependency, through the same
``objectives.access`` checks as the objective itself.
"""

from django.db import models
from django.db.models import Q

from organizations.models import Membership
from organizations.tenancy import TenantModel


class Dependency(TenantModel):
    WHAT_MAX = 500
    ANSWER_MAX = 1000

    class Status(models.TextChoices):
        REQUESTED = "requested", "Waiting for an answer"
        ACKNOWLEDGED = "acknowledged", "Acknowledged"
        DECLINED = "declined", "Declined"
        PROPOSED = "proposed", "Another date proposed"
        DONE = "done", "Delivered"

    objective = models.ForeignKey(
        "objectives.Objective", on_delete=models.CASCADE, related_name="dependencies"
    )
    key_result = models.ForeignKey(
        "objectives.KeyResult",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="dependencies",
    )
    requested_by = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    # The side asked: a team or one person, never both.
    from_team = models.ForeignKey(
        "organizations.Team",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="dependencies_asked",
    )
    from_person = models.ForeignKey(
        Membership,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="dependencies_asked",
    )
    what = models.TextField(max_length=WHAT_MAX)
    needed_by = models.DateField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.REQUESTED)
    proposed_date = models.DateField(null=True, blank=True)
    answer = models.TextField(max_length=ANSWER_MAX, blank=True)
    answered_by = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["needed_by", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(from_team__isnull=False, from_person__isnull=True)
                    | Q(from_team__isnull=True, from_person__isnull=False)
                ),
                name="dependency_asks_one_team_or_one_person",
            ),
            models.CheckConstraint(
                condition=~Q(status="proposed") | Q(proposed_date__isnull=False),
                name="dependency_proposal_has_a_date",
            ),
        ]
        indexes = [
            models.Index(fields=["org", "objective"]),
            models.Index(fields=["org", "from_team"]),
            models.Index(fields=["org", "from_person"]),
        ]

    def __str__(self):
        return f"Dependency {self.pk} of objective {self.objective_id}"

    @property
    def asked_name(self) -> str:
        """The team's name or the person's (needs ``from_team`` / ``from_person__user``)."""
        if self.from_team_id:
            return self.from_team.name
        return self.from_person.user.get_full_name()

    @property
    def is_open(self) -> bool:
        return self.status not in (self.Status.DONE, self.Status.DECLINED)
