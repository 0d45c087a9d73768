"""Comments on objectives, key results and check-ins, the people they mention, and reactions.

A comment always names its objective (also when it is on one of the objective's key
results, or on a check-in of one, when it names the key result too): whoever may not see the
objective may not see the comment, through the same ``objectives.access`` checks as the
objective itself.
"""

from django.db import models

from organizations.models import Membership
from organizations.tenancy import TenantModel


class Comment(TenantModel):
    BODY_MAX = 5000

    objective = models.ForeignKey(
        "objectives.Objective", on_delete=models.CASCADE, related_name="comments"
    )
    key_result = models.ForeignKey(
        "objectives.KeyResult",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="comments",
    )
    # A comment on one check-in: shown under it in the key result's check-in history, not in
    # the key result's own conversation.
    checkin = models.ForeignKey(
        "checkins.CheckIn",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="comments",
    )
    author = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    body = models.TextField(max_length=BODY_MAX)
    mentions = models.ManyToManyField(
        Membership, through="Mention", related_name="mentioned_in", blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["objective", "key_result", "created_at"]),
            models.Index(fields=["checkin", "created_at"]),
        ]

    def __str__(self):
        return f"Comment {self.pk} on objective {self.objective_id}"


class Mention(TenantModel):
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE)
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["comment", "membership"], name="one_mention_each")
        ]


class Reaction(TenantModel):
    class Emoji(models.TextChoices):
        THUMBS_UP = "👍", "Agree"
        PARTY = "🎉", "Celebrate"
        HEART = "❤️", "Love it"
        EYES = "👀", "Looking into it"
        THANKS = "🙏", "Thanks"

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reactions")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    emoji = models.CharField(max_length=8, choices=Emoji.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["comment", "membership", "emoji"], name="one_reaction_of_a_kind_each"
            )
        ]
