"""The organization services on their own, without HTTP."""

import pytest
from django.core.exceptions import ValidationError

from organizations import services
from organizations.models import Invitation, Membership
from tests.factories import InvitationFactory, MembershipFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_two_admins_demoting_each_other_leaves_one_admin(org):
    first = MembershipFactory(org=org, role=Membership.Role.ADMIN)
    second = MembershipFactory(org=org, role=Membership.Role.ADMIN)
    services.membership_set_role(membership=first, actor=second, role=Membership.Role.MEMBER)
    with pytest.raises(ValidationError, match="only active admin"):
        services.membership_set_role(membership=second, actor=second, role=Membership.Role.MEMBER)
    assert Membership.objects.filter(org=org, role="admin", is_active=True).count() == 1


def test_a_deactivated_admin_may_be_demoted(org, admin_membership):
    gone = MembershipFactory(org=org, role=Membership.Role.ADMIN, is_active=False)
    services.membership_set_role(
        membership=gone, actor=admin_membership, role=Membership.Role.MEMBER
    )
    gone.refresh_from_db()
    assert gone.role == Membership.Role.MEMBER


def test_invitation_accept_with_another_email_changes_nothing(org):
    invitation = InvitationFactory(org=org, email="right@example.com")
    wrong = UserFactory(email="wrong@example.com")
    with pytest.raises(ValidationError, match="you are signed in as wrong@example.com"):
        services.invitation_accept(token=invitation.token, user=wrong)
    assert not Membership.objects.filter(user=wrong).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_invitation_accept_as_new_user_refuses_an_existing_account(org):
    invitation = InvitationFactory(org=org, email="taken@example.com")
    UserFactory(email="Taken@example.com".lower())
    with pytest.raises(ValidationError, match="sign in to accept"):
        services.invitation_accept_as_new_user(
            token=invitation.token, full_name="X", password="a-good-long-secret"
        )
    assert Invitation.objects.get().accepted_at is None


def test_team_cannot_take_a_parent_or_person_from_another_company(
    org, other_org, team, admin_membership
):
    foreign_team = TeamFactory(org=other_org)
    with pytest.raises(ValidationError) as exc:
        services.team_create(org=org, actor=admin_membership, name="New", parent=foreign_team)
    assert "parent" in exc.value.message_dict
    stranger = MembershipFactory(org=other_org)
    with pytest.raises(ValidationError) as exc:
        services.team_add_member(team=team, membership=stranger, actor=admin_membership)
    assert "membership" in exc.value.message_dict


def test_invitation_create_refuses_teams_of_another_company(org, other_org, admin_membership):
    with pytest.raises(ValidationError) as exc:
        services.invitation_create(
            org=org,
            email="a@example.com",
            teams=[TeamFactory(org=other_org)],
            actor=admin_membership,
        )
    assert "teams" in exc.value.message_dict
    assert not Invitation.objects.exists()


def test_deactivated_person_cannot_be_added_to_a_team(org, team, admin_membership):
    gone = MembershipFactory(org=org, is_active=False)
    with pytest.raises(ValidationError, match="deactivated"):
        services.team_add_member(team=team, membership=gone, actor=admin_membership)
