"""Admin pages load in a bounded number of queries, whatever the company's size."""

import pytest
from django.urls import reverse

from organizations.models import Membership
from tests.factories import (
    InvitationFactory,
    MembershipFactory,
    TeamFactory,
    TeamMembershipFactory,
)

pytestmark = pytest.mark.django_db

PEOPLE_PAGE_BUDGET = 9  # session, user, tenancy, nav, people + teams, invitations + teams, form
TEAM_PAGE_BUDGET = 7


def _company_of(org, size):
    """`size` people spread over a three-level team tree, with managers and invitations."""
    root = TeamFactory(org=org, name="All")
    teams = [root]
    for i in range(max(2, size // 5)):
        teams.append(TeamFactory(org=org, name=f"Team {i}", parent=teams[i // 2]))
    for i in range(size):
        person = MembershipFactory(org=org, role=[*Membership.Role.values][i % 3])
        for team in (teams[i % len(teams)], teams[(i + 1) % len(teams)]):
            TeamMembershipFactory(team=team, membership=person, is_manager=i % 4 == 0)
    for _ in range(max(1, size // 10)):
        InvitationFactory(org=org).teams.set(teams[:2])
    return teams


@pytest.mark.parametrize("size", [5, 60])
def test_people_page_queries_do_not_grow(admin, org, size, django_assert_max_num_queries):
    _company_of(org, size)
    with django_assert_max_num_queries(PEOPLE_PAGE_BUDGET):
        response = admin.get(reverse("organizations:people", kwargs={"org_slug": "acme"}))
    assert response.status_code == 200
    assert len(response.context["people"]) == size + 1


@pytest.mark.parametrize("size", [5, 60])
def test_team_tree_page_queries_do_not_grow(admin, org, size, django_assert_max_num_queries):
    _company_of(org, size)
    with django_assert_max_num_queries(TEAM_PAGE_BUDGET):
        response = admin.get(reverse("organizations:teams", kwargs={"org_slug": "acme"}))
    assert response.status_code == 200


@pytest.mark.parametrize("size", [5, 60])
def test_team_members_page_queries_do_not_grow(admin, org, size, django_assert_max_num_queries):
    teams = _company_of(org, size)
    path = reverse(
        "organizations:team-members", kwargs={"org_slug": "acme", "team_id": teams[0].pk}
    )
    with django_assert_max_num_queries(TEAM_PAGE_BUDGET):
        response = admin.get(path)
    assert response.status_code == 200
