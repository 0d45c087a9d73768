import secrets
from datetime import timedelta
from zoneinfo import available_timezones

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from .tenancy import RESERVED_SLUGS, TenantManager, TenantModel, TenantQuerySet

MONTHS = [
    (1, "January"),
    (2, "February"),
    (3, "March"),
    (4, "April"),
    (5, "May"),
    (6, "June"),
    (7, "July"),
    (8, "August"),
    (9, "September"),
    (10, "October"),
    (11, "November"),
    (12, "December"),
]
TIME_ZONES = sorted(available_timezones())
# Python's weekday numbers (Monday 0), as ``date.weekday()`` returns them.
WEEKDAYS = [(0, "Monday"), (6, "Sunday"), (5, "Saturday")]


def validate_slug_not_reserved(value):
    if value.lower() in RESERVED_SLUGS:
        raise ValidationError(
            "“%(slug)s” is reserved; please pick another.", params={"slug": value}
        )


class Organization(models.Model):
    """A company (tenant). Its vision and strategy sit above every objective."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(
        max_length=50,
        unique=True,
        validators=[validate_slug_not_reserved],
        help_text="Lower-case letters, digits and hyphens; used in every URL of the company.",
    )
    time_zone = models.CharField(
        max_length=64, default="UTC", choices=[(tz, tz) for tz in TIME_ZONES]
    )
    fiscal_year_start_month = models.PositiveSmallIntegerField(choices=MONTHS, default=1)
    week_start = models.PositiveSmallIntegerField(
        choices=WEEKDAYS, default=0, help_text="The first day of the company's week."
    )
    # An admin hid the getting-started checklist before every step was done.
    getting_started_hidden_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Publishing a team or individual objective submits it to its manager for review.
    review_required = models.BooleanField(default=False)
    # Aligning to an objective someone else owns asks them first (alignment.AlignmentRequest).
    alignment_requests = models.BooleanField(default=False)
    vision = models.TextField(blank=True, help_text="Markdown.")
    mission = models.TextField(blank=True, help_text="Markdown.")
    strategy = models.TextField(blank=True, help_text="Markdown.")
    # Keys of the writing coach's rules (``objectives.coach.RULES``) an objective must pass
    # to be published; the others only advise.
    publish_gates = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Bumped by every write that changes what the dashboards count (``note_data_change``);
    # a dashboard snapshot built at an older version is out of date.
    data_version = models.BigIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        # ``data_version`` only moves forward through ``note_data_change``: saving a company
        # loaded earlier must not write its older number back.
        if not self._state.adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                f.name for f in self._meta.concrete_fields if f.name not in {"id", "data_version"}
            ]
        super().save(*args, **kwargs)


def note_data_change(org_id: int) -> None:
    """Mark the company's OKR data as changed, inside the writer's transaction: dashboard
    snapshots (``alignment.snapshots``) built before it are then out of date."""
    Organization.objects.filter(pk=org_id).update(data_version=models.F("data_version") + 1)


class Membership(TenantModel):
    """A person in a company, with a role. Deactivated people lose access but keep history."""

    class Role(models.TextChoices):
        ADMIN = "admin", "Admin"
        MANAGER = "manager", "Manager"
        MEMBER = "member", "Member"

    RANK = {Role.MEMBER: 1, Role.MANAGER: 2, Role.ADMIN: 3}

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.MEMBER)
    job_title = models.CharField(max_length=120, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint("org", "user", name="membership_org_user_unique")]
        indexes = [models.Index(fields=["org", "is_active"])]

    def __str__(self):
        return f"{self.user} @ {self.org_id} ({self.role})"

    @property
    def is_admin(self):
        return self.role == self.Role.ADMIN

    def has_role(self, role):
        return self.RANK[self.role] >= self.RANK[role]

    @property
    def name(self):
        return self.user.get_full_name()


class Team(TenantModel):
    """A team; teams nest (parent) to form the company's team tree."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    people = models.ManyToManyField(Membership, through="TeamMembership", related_name="teams")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint("org", Lower("name"), name="team_org_name_ci_unique"),
        ]

    def __str__(self):
        return self.name


class TeamMembership(TenantModel):
    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="team_memberships")
    membership = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="team_memberships"
    )
    is_manager = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint("team", "membership", name="team_membership_unique"),
        ]


def new_invitation_token():
    return secrets.token_urlsafe(32)


class InvitationQuerySet(TenantQuerySet):
    def pending(self):
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True)


class Invitation(TenantModel):
    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(
        max_length=16, choices=Membership.Role.choices, default=Membership.Role.MEMBER
    )
    teams = models.ManyToManyField(Team, blank=True, related_name="invitations")
    token = models.CharField(max_length=64, unique=True, default=new_invitation_token)
    invited_by = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = models.Manager.from_queryset(InvitationQuerySet)()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                "org",
                Lower("email"),
                condition=Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_one_pending_per_email",
            )
        ]

    def __str__(self):
        return f"Invitation of {self.email} to {self.org_id}"

    @staticmethod
    def default_expiry():
        return timezone.now() + timedelta(days=settings.INVITATION_TTL_DAYS)

    @property
    def is_expired(self):
        return self.expires_at <= timezone.now()

    @property
    def status(self):
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.is_expired:
            return "expired"
        return "pending"


class Period(TenantModel):
    """A year, quarter or month. Months nest in quarters, quarters in years."""

    class Kind(models.TextChoices):
        YEAR = "year", "Year"
        QUARTER = "quarter", "Quarter"
        MONTH = "month", "Month"

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="periods")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    name = models.CharField(max_length=60)
    start = models.DateField()
    end = models.DateField(help_text="Last day of the period (inclusive).")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    is_current = models.BooleanField(default=False)
    is_closed = models.BooleanField(default=False)

    class Meta:
        ordering = ["start", "-end"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gte=models.F("start")), name="period_end_after_start"
            ),
            models.UniqueConstraint(
                "org", "kind", condition=Q(is_current=True), name="period_one_current_per_kind"
            ),
        ]
        indexes = [models.Index(fields=["org", "kind", "start"])]

    def __str__(self):
        return self.name

    def contains(self, other):
        return self.start <= other.start and other.end <= self.end


class StrategicTheme(TenantModel):
    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="themes")
    name = models.CharField(max_length=80)
    description = models.TextField(blank=True)
    colour = models.CharField(
        max_length=7,
        default="#4f46e5",
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", "Use a hex colour such as #4f46e5.")],
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint("org", Lower("name"), name="theme_org_name_ci_unique"),
        ]

    def __str__(self):
        return self.name


__all__ = [
    "Invitation",
    "Membership",
    "Organization",
    "Period",
    "StrategicTheme",
    "Team",
    "TeamMembership",
    "TenantManager",
]
