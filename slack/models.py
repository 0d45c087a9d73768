"""A team's Slack channel (its incoming webhook) and each message posted to it.

The webhook URL lets anyone who holds it post to the channel: it is stored sealed
(``okr_site.secrets_box``) and shown masked. Each message is one ``SlackPost`` row, claimed,
posted and marked sent once, the way reminders are e-mailed (``slack.delivery``).
"""

from django.db import models
from django.db.models import Q

from organizations.models import Membership, Team
from organizations.tenancy import TenantModel


class TeamSlackHook(TenantModel):
    team = models.OneToOneField(Team, on_delete=models.CASCADE, related_name="slack_hook")
    sealed_url = models.TextField()
    # What the settings page shows: the host and the last characters, never the whole URL.
    masked_url = models.CharField(max_length=80)
    set_by = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    set_at = models.DateTimeField()
    # Slack answered that the webhook is gone (404/410): nothing more is posted until a
    # manager saves a new URL, and the page says why.
    broken_at = models.DateTimeField(null=True, blank=True)
    broken_reason = models.CharField(max_length=300, blank=True)

    def __str__(self):
        return f"Slack channel of {self.team}"


class SlackPost(TenantModel):
    class Kind(models.TextChoices):
        CHECKIN = "checkin", "Check-in"
        DIGEST = "digest", "Weekly digest"
        TEST = "test", "Test message"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting"
        SENDING = "sending", "Being posted"
        SENT = "sent", "Posted"
        SKIPPED = "skipped", "Not posted"
        FAILED = "failed", "Failed"

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    checkin = models.ForeignKey(
        "checkins.CheckIn", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # The first day (company time) of the week a digest sums up.
    week = models.DateField(null=True, blank=True)
    requested_by = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    claim = models.CharField(max_length=32, blank=True, default="")
    claimed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # When the next attempt is due (Slack's Retry-After, or our back-off), for the page.
    retry_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # A check-in is posted once, a team's digest once a week, whoever inserts twice.
            models.UniqueConstraint(
                fields=["team", "checkin"],
                condition=Q(kind="checkin"),
                name="slack_post_one_per_checkin",
            ),
            models.UniqueConstraint(
                fields=["team", "week"], condition=Q(kind="digest"), name="slack_post_one_digest"
            ),
        ]
        indexes = [
            models.Index(fields=["team", "-created_at"]),
            models.Index(
                fields=["created_at"],
                condition=Q(status__in=["pending", "sending"]),
                name="slack_post_unfinished",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} for {self.team}"
