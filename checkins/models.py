"""Check-ins, reminder schedules and reminder deliveries.

Models hold fields and constraints only: writes live in ``checkins.services``, the calendar
arithmetic in ``checkins.schedules``, sending in ``checkins.reminders``.
"""

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from objectives.models import KeyResult
from organizations.tenancy import TenantModel

NOTE_MAX_LENGTH = 2000
MAX_EVERY_WEEKS = 8


class CheckIn(TenantModel):
    """One recorded value of a key result. Never edited in place: a mistake is corrected by
    a new check-in, or deleted by its author within ``services.DELETE_WINDOW``."""

    org = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="checkins"
    )
    key_result = models.ForeignKey(KeyResult, on_delete=models.CASCADE, related_name="checkins")
    author = models.ForeignKey(
        "organizations.Membership",
        null=True,
        on_delete=models.SET_NULL,
        related_name="checkins",
    )
    value = models.DecimalField(max_digits=18, decimal_places=4)
    previous_value = models.DecimalField(max_digits=18, decimal_places=4)
    confidence = models.CharField(max_length=10, choices=KeyResult.Confidence.choices)
    previous_confidence = models.CharField(
        max_length=10, choices=KeyResult.Confidence.choices, blank=True
    )
    note = models.TextField(blank=True, validators=[MaxLengthValidator(NOTE_MAX_LENGTH)])
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["org", "created_at"]),
            models.Index(fields=["key_result", "created_at"]),
        ]

    def __str__(self):
        return f"{self.key_result_id}: {self.value:g} at {self.created_at:%Y-%m-%d %H:%M}"


class ReminderSchedule(TenantModel):
    """When and to whom the company sends check-in reminders (times in the company's zone)."""

    class Cadence(models.TextChoices):
        WEEKLY = "weekly", "Weekly or every few weeks"
        MONTHLY = "monthly", "Monthly"
        QUARTERLY = "quarterly", "Quarterly"

    class MonthlyRule(models.TextChoices):
        WEEKDAY = "weekday", "A weekday of the month (e.g. the last Friday)"
        DAY = "day", "A day of the month (e.g. the 25th)"

    class Week(models.IntegerChoices):
        FIRST = 1, "First"
        SECOND = 2, "Second"
        THIRD = 3, "Third"
        FOURTH = 4, "Fourth"
        LAST = -1, "Last"

    class Weekday(models.IntegerChoices):
        MONDAY = 0, "Monday"
        TUESDAY = 1, "Tuesday"
        WEDNESDAY = 2, "Wednesday"
        THURSDAY = 3, "Thursday"
        FRIDAY = 4, "Friday"
        SATURDAY = 5, "Saturday"
        SUNDAY = 6, "Sunday"

    class Audience(models.TextChoices):
        ACTIVE = "active", "Everyone with an active key result"
        STALE = "stale", "Only people whose key results have had no check-in for N days"

    org = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="reminder_schedules"
    )
    name = models.CharField(max_length=120)
    cadence = models.CharField(max_length=10, choices=Cadence.choices, default=Cadence.MONTHLY)
    monthly_rule = models.CharField(
        max_length=8, choices=MonthlyRule.choices, default=MonthlyRule.WEEKDAY
    )
    week = models.SmallIntegerField(choices=Week.choices, default=Week.LAST)
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices, default=Weekday.FRIDAY)
    day_of_month = models.PositiveSmallIntegerField(
        default=25,
        validators=[MinValueValidator(1), MaxValueValidator(31)],
        help_text="1-31; a day a month does not have means its last day.",
    )
    days_before_quarter_end = models.PositiveSmallIntegerField(
        default=10, validators=[MaxValueValidator(60)], help_text="0 = on the quarter's last day."
    )
    every_weeks = models.PositiveSmallIntegerField(
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_EVERY_WEEKS)],
        help_text="1 = every week, 2 = every other week, up to 8.",
    )
    # Weekly: weeks are counted from the company week holding this day, so "every 2 weeks"
    # keeps to the same weeks. Set to the company's today when a weekly schedule is saved.
    week_anchor = models.DateField(null=True, blank=True)
    send_time = models.TimeField(
        default=datetime.time(9, 0), help_text="In the company's time zone."
    )
    audience = models.CharField(max_length=8, choices=Audience.choices, default=Audience.ACTIVE)
    stale_days = models.PositiveSmallIntegerField(
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text="For the “no check-in for N days” audience.",
    )
    skip_recent_days = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text="Leave empty to remind everyone in the audience.",
    )
    enabled = models.BooleanField(default=True)
    # The latest occurrence the dispatcher has turned into deliveries.
    last_dispatched_occurrence = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["cadence", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(day_of_month__gte=1, day_of_month__lte=31),
                name="reminder_day_of_month_range",
            ),
            models.CheckConstraint(
                condition=Q(week__in=[1, 2, 3, 4, -1]), name="reminder_week_choice"
            ),
            models.CheckConstraint(
                condition=Q(weekday__gte=0, weekday__lte=6), name="reminder_weekday_range"
            ),
            models.CheckConstraint(
                condition=Q(every_weeks__gte=1, every_weeks__lte=MAX_EVERY_WEEKS),
                name="reminder_every_weeks_range",
            ),
        ]
        indexes = [models.Index(fields=["enabled", "org"])]

    # The fields each cadence reads; the others are reset to their defaults on save.
    CADENCE_FIELDS = {
        Cadence.WEEKLY: ("every_weeks", "weekday", "week_anchor"),
        Cadence.MONTHLY: ("monthly_rule", "week", "weekday", "day_of_month"),
        Cadence.QUARTERLY: ("days_before_quarter_end",),
    }

    def __str__(self):
        return self.name

    def reset_other_cadences(self) -> None:
        """Put the fields only other cadences read back to their defaults, so a weekly
        schedule carries no forgotten monthly rule."""
        mine = set(self.CADENCE_FIELDS.get(self.cadence, ()))
        for names in self.CADENCE_FIELDS.values():
            for name in set(names) - mine:
                setattr(self, name, self._meta.get_field(name).get_default())

    def clean(self):
        if self.audience == self.Audience.STALE and not self.stale_days:
            raise ValidationError({"stale_days": "Say after how many days without a check-in."})
        if self.week_anchor and not 2000 <= self.week_anchor.year <= 2100:
            raise ValidationError({"week_anchor": "Choose a date between 2000 and 2100."})

    @property
    def rule_text(self) -> str:
        at = self.send_time.strftime("%H:%M")
        if self.cadence == self.Cadence.WEEKLY:
            day = self.get_weekday_display()
            if self.every_weeks == 1:
                return f"Every {day} at {at}"
            if self.every_weeks == 2:
                return f"Every other {day} at {at}"
            return f"Every {self.every_weeks} weeks on {day} at {at}"
        if self.cadence == self.Cadence.QUARTERLY:
            if self.days_before_quarter_end == 0:
                return f"On the last day of each quarter at {at}"
            days = self.days_before_quarter_end
            return f"{days} day{'s' if days != 1 else ''} before each quarter ends at {at}"
        if self.monthly_rule == self.MonthlyRule.WEEKDAY:
            week = self.get_week_display().lower()
            return f"The {week} {self.get_weekday_display()} of each month at {at}"
        day = self.day_of_month
        suffix = "th" if 10 <= day % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
        return f"The {day}{suffix} of each month at {at}"


class ReminderDelivery(TenantModel):
    """One reminder to one person for one occurrence of a schedule: the exactly-once record.

    Created PENDING by the dispatcher (unique per membership, schedule, occurrence, kind); a
    sending task claims it (SENDING, conditional update) before sending and marks it SENT,
    SKIPPED or, after its retries, FAILED. Its ``kind``: the reminder itself, the one
    follow-up some days later to who has still not checked in, and the escalation after it
    (no e-mail to the person: their managers are told, SENT once they were).
    """

    class Kind(models.TextChoices):
        REMINDER = "reminder", "Reminder"
        FOLLOW_UP = "follow_up", "Follow-up"
        ESCALATION = "escalation", "Manager told"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        SKIPPED = "skipped", "Skipped"
        FAILED = "failed", "Failed"

    org = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="+"
    )
    schedule = models.ForeignKey(
        ReminderSchedule, on_delete=models.CASCADE, related_name="deliveries"
    )
    membership = models.ForeignKey(
        "organizations.Membership", on_delete=models.CASCADE, related_name="reminder_deliveries"
    )
    occurrence = models.DateTimeField()
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.REMINDER)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim_token = models.CharField(max_length=64, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    detail = models.TextField(blank=True, help_text="Why it was skipped, or the last error.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                "membership", "schedule", "occurrence", "kind", name="reminder_delivery_once"
            )
        ]
        indexes = [
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["schedule", "occurrence", "status"]),
            # The follow-ups and escalations due: sent ones of a kind, by when.
            models.Index(fields=["kind", "status", "sent_at"]),
            # A person's e-mails of the week (the cap) and "Why was I reminded?".
            models.Index(fields=["membership", "-created_at"]),
        ]

    def __str__(self):
        return f"{self.schedule_id}/{self.membership_id}@{self.occurrence:%Y-%m-%d %H:%M}"


class OutboxEmail(models.Model):
    """An e-mail stored by ``checkins.mail_backends.DatabaseEmailBackend``.

    That backend is for staging and for the exactly-once tests: it writes inside the sending
    transaction, so a message exists exactly when its delivery was committed as sent.
    """

    to = models.TextField()
    subject = models.CharField(max_length=255)
    body = models.TextField()
    html = models.TextField(blank=True)
    message_id = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.to}: {self.subject}"


class KRNudge(TenantModel):
    """A manager asked a key result's owner, by e-mail, for a check-in.

    At most one a key result a company day (``day``, the company's date when it was sent):
    ``checkins.nudges`` writes them and sends the e-mail; dashboards show the latest.
    """

    org = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="+"
    )
    key_result = models.ForeignKey(KeyResult, on_delete=models.CASCADE, related_name="nudges")
    nudged_by = models.ForeignKey(
        "organizations.Membership", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recipient = models.ForeignKey(
        "organizations.Membership", on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField(help_text="The company's date of the nudge.")
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    detail = models.TextField(blank=True, help_text="Why it was not sent.")

    class Meta:
        constraints = [
            models.UniqueConstraint("key_result", "day", name="kr_nudge_once_a_day"),
        ]
        indexes = [
            models.Index(fields=["org", "key_result", "-created_at"]),
            models.Index(fields=["recipient", "sent_at"]),  # the weekly cap
        ]

    def __str__(self):
        return f"nudge {self.key_result_id} on {self.day}"
