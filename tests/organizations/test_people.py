"""People administration: roles, the last-admin rule, deactivation and reactivation."""

import pytest
from django.urls import reverse

from organizations.models import Membership
from tests.factories import (
    MembershipFactory,
    ObjectiveFactory,
    TeamMembershipFactory,
)

pytestmark = pytest.mark.django_db


def url(name, **kwargs):
    return reverse(f"organizations:{name}", kwargs={"org_slug": "acme", **kwargs})


def test_people_page_lists_people_roles_teams_and_status(admin, member_membership, team):
    gone = MembershipFactory(org=admin.membership.org, is_active=False, user__full_name="Gus Gone")
    response = admin.get(url("people"))
    assert response.status_code == 200
    html = response.content.decode()
    for person in (admin.membership, member_membership, gone):
        assert person.user.email in html
    assert "Mia Member" in html and "Marketing" in html
    assert "Deactivated" in html
    # Only this company's teams are offered in the invite form.
    assert list(response.context["invite_form"].fields["teams"].queryset) == [team]


def test_admin_changes_a_role(admin, member_membership):
    response = admin.post(
        url("person-role", membership_id=member_membership.pk), {"role": "manager"}
    )
    assert response.status_code == 302
    member_membership.refresh_from_db()
    assert member_membership.role == Membership.Role.MANAGER


def test_invalid_role_is_an_error_and_changes_nothing(admin, member_membership):
    response = admin.post(url("person-role", membership_id=member_membership.pk), {"role": "owner"})
    assert response.status_code == 200
    assert "Choose admin, manager or member" in response.content.decode()
    member_membership.refresh_from_db()
    assert member_membership.role == Membership.Role.MEMBER


@pytest.mark.parametrize(
    ("name", "data"),
    [("person-role", {"role": "member"}), ("person-deactivate", {})],
)
def test_last_active_admin_cannot_be_demoted_or_deactivated(admin, name, data):
    me = admin.membership
    # A deactivated admin does not count as the second admin.
    MembershipFactory(org=me.org, role=Membership.Role.ADMIN, is_active=False)
    response = admin.post(url(name, membership_id=me.pk), data)
    assert response.status_code == 200
    assert "only active admin" in response.content.decode()
    me.refresh_from_db()
    assert me.role == Membership.Role.ADMIN and me.is_active


def test_an_admin_may_step_down_when_another_admin_remains(admin):
    MembershipFactory(org=admin.membership.org, role=Membership.Role.ADMIN)
    response = admin.post(url("person-role", membership_id=admin.membership.pk), {"role": "member"})
    assert response.status_code == 302
    admin.membership.refresh_from_db()
    assert admin.membership.role == Membership.Role.MEMBER
    # They lost the admin pages at once.
    assert admin.get(url("people")).status_code == 403


def test_deactivated_person_loses_access_at_once_and_keeps_their_work(admin, member, org):
    objective = ObjectiveFactory(org=org, owner=member.membership)
    assert (
        member.get(reverse("organizations:people", kwargs={"org_slug": "acme"})).status_code == 403
    )
    response = admin.post(url("person-deactivate", membership_id=member.membership.pk))
    assert response.status_code == 302
    # Same session, next request: the company no longer exists for them.
    assert member.get(url("people")).status_code == 404
    assert member.get("/acme/my/").status_code == 404
    objective.refresh_from_db()
    assert objective.owner_id == member.membership.pk
    assert Membership.objects.filter(pk=member.membership.pk, is_active=False).exists()

    response = admin.post(url("person-reactivate", membership_id=member.membership.pk))
    assert response.status_code == 302
    assert member.get(url("people")).status_code == 403  # back in, as a member


def test_actions_on_a_person_of_another_company_are_404(admin, outsider_membership):
    for name in ("person-role", "person-deactivate", "person-reactivate"):
        response = admin.post(url(name, membership_id=outsider_membership.pk), {"role": "member"})
        assert response.status_code == 404
    outsider_membership.refresh_from_db()
    assert outsider_membership.is_active and outsider_membership.role == Membership.Role.ADMIN


def test_htmx_action_returns_the_panel_with_a_notice(admin, member_membership):
    response = admin.post(
        url("person-deactivate", membership_id=member_membership.pk), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="admin-panel">')
    assert "was deactivated" in html
    assert "<html" not in html


def test_htmx_last_admin_error_is_shown_in_the_panel(admin):
    response = admin.post(
        url("person-deactivate", membership_id=admin.membership.pk), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert "only active admin" in response.content.decode()


def test_team_memberships_survive_deactivation(admin, member_membership, team):
    TeamMembershipFactory(team=team, membership=MembershipFactory(org=team.org))
    admin.post(url("person-deactivate", membership_id=member_membership.pk))
    assert member_membership.team_memberships.filter(team=team).exists()
