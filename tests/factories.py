"""factory_boy factories for every model; tests build data through these."""

import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from accounts.models import User
from objectives.models import KeyResult, Objective
from objectives.rollups import refresh_rollups
from organizations.models import (
    Invitation,
    Membership,
    Organization,
    Period,
    StrategicTheme,
    Team,
    TeamMembership,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    full_name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", "pw-for-tests")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save()


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Company {n}")
    slug = factory.Sequence(lambda n: f"company-{n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    org = factory.SubFactory(OrganizationFactory)
    user = factory.SubFactory(UserFactory)
    role = Membership.Role.MEMBER


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    org = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Team {n}")


class TeamMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TeamMembership

    team = factory.SubFactory(TeamFactory)
    membership = factory.SubFactory(MembershipFactory, org=factory.SelfAttribute("..team.org"))
    org = factory.SelfAttribute("team.org")
    is_manager = False


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    org = factory.SubFactory(OrganizationFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.com")
    expires_at = factory.LazyFunction(Invitation.default_expiry)


def _quarter_bounds(today):
    q_start_month = 3 * ((today.month - 1) // 3) + 1
    start = datetime.date(today.year, q_start_month, 1)
    end_month = q_start_month + 2
    next_month = datetime.date(today.year + (end_month // 12), end_month % 12 + 1, 1)
    return start, next_month - datetime.timedelta(days=1)


class PeriodFactory(factory.django.DjangoModelFactory):
    """Defaults to the current calendar quarter."""

    class Meta:
        model = Period

    org = factory.SubFactory(OrganizationFactory)
    kind = Period.Kind.QUARTER
    name = factory.Sequence(lambda n: f"Period {n}")
    start = factory.LazyFunction(lambda: _quarter_bounds(timezone.localdate())[0])
    end = factory.LazyFunction(lambda: _quarter_bounds(timezone.localdate())[1])
    is_current = False


class StrategicThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StrategicTheme

    org = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Theme {n}")


class ObjectiveFactory(factory.django.DjangoModelFactory):
    """An individual objective of a new person unless told otherwise."""

    class Meta:
        model = Objective
        skip_postgeneration_save = True

    org = factory.SubFactory(OrganizationFactory)
    period = factory.SubFactory(PeriodFactory, org=factory.SelfAttribute("..org"))
    level = Objective.Level.INDIVIDUAL
    owner = factory.SubFactory(MembershipFactory, org=factory.SelfAttribute("..org"))
    title = factory.Sequence(lambda n: f"Objective {n}")

    @factory.post_generation
    def rollups(obj, create, extracted, **kwargs):  # noqa: N805
        # As the services do: a child created already aligned moves its parent's progress.
        if create and obj.parent_id:
            refresh_rollups([obj.pk], org_id=obj.org_id)


class KeyResultFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = KeyResult
        skip_postgeneration_save = True

    objective = factory.SubFactory(ObjectiveFactory)
    org = factory.SelfAttribute("objective.org")
    owner = factory.SelfAttribute("objective.owner")
    title = factory.Sequence(lambda n: f"Key result {n}")
    start_value = Decimal(0)
    target_value = Decimal(100)
    current_value = Decimal(0)

    @factory.post_generation
    def rollups(obj, create, extracted, **kwargs):  # noqa: N805
        if create:  # as the services do: the objective's stored progress follows its KRs
            refresh_rollups([obj.objective_id], org_id=obj.org_id)


# --- checkins (issue 6) ---
from checkins.models import CheckIn, ReminderSchedule  # noqa: E402


class CheckInFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CheckIn

    key_result = factory.SubFactory(KeyResultFactory)
    org = factory.SelfAttribute("key_result.org")
    author = factory.SelfAttribute("key_result.owner")
    value = Decimal(10)
    previous_value = Decimal(0)
    confidence = "on_track"


class ReminderScheduleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReminderSchedule

    org = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Reminder {n}")
    created_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=400))
