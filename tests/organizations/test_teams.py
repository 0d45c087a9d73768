"""Building the team tree and managing team members."""

import pytest
from django.urls import reverse

from organizations.models import Team, TeamMembership
from organizations.selectors import team_tree
from tests.factories import MembershipFactory, TeamFactory, TeamMembershipFactory

pytestmark = pytest.mark.django_db


def url(name, **kwargs):
    return reverse(f"organizations:{name}", kwargs={"org_slug": "acme", **kwargs})


@pytest.fixture(autouse=True)
def _second_marketer(team):
    """Marketing always has one plain member besides whoever a test adds."""
    TeamMembershipFactory(team=team)


def test_admin_creates_nested_teams_and_sees_the_tree(admin, org, team, manager_membership):
    response = admin.post(url("teams"), {"name": "Social", "parent": team.pk})
    assert response.status_code == 302
    social = Team.objects.get(name="Social")
    assert social.org == org and social.parent == team
    admin.post(url("teams"), {"name": "Instagram", "parent": social.pk})

    page = admin.get(url("teams"))
    html = page.content.decode()
    assert "Max Manager" in html  # managers are shown
    assert "2 members" in html  # Marketing: Max Manager and the plain member
    roots = page.context["tree"]
    assert [n.team.name for n in roots] == ["Marketing"]
    assert roots[0].children[0].team.name == "Social"
    assert roots[0].children[0].children[0].team.name == "Instagram"


def test_htmx_create_returns_the_panel(admin):
    response = admin.post(url("teams"), {"name": "Ops"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="team-panel"') and "Team Ops was created" in html


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": ""}, "name", "required"),
        ({"name": "x" * 10_000}, "name", "at most 120"),
        ({"name": "MARKETING"}, "name", "already exists"),
        ({"name": "Ok", "parent": "abc"}, "parent", "valid choice"),
    ],
)
def test_bad_team_input_is_a_form_error(admin, data, field, message):
    before = Team.objects.count()
    response = admin.post(url("teams"), data)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert Team.objects.count() == before


def test_parent_from_another_company_is_a_form_error(admin, other_org):
    foreign = TeamFactory(org=other_org)
    response = admin.post(url("teams"), {"name": "Sneaky", "parent": foreign.pk})
    assert response.status_code == 200
    assert "parent" in response.context["form"].errors
    assert not Team.objects.filter(name="Sneaky").exists()


def test_admin_renames_and_reparents_a_team(admin, org, team):
    sales = TeamFactory(org=org, name="Sales")
    response = admin.post(
        url("team-edit", team_id=sales.pk),
        {"name": "Sales EMEA", "description": "Deals", "parent": team.pk},
    )
    assert response.status_code == 302
    sales.refresh_from_db()
    assert (sales.name, sales.description, sales.parent) == ("Sales EMEA", "Deals", team)


@pytest.mark.parametrize("target", ["self", "child", "grandchild"])
def test_a_team_cannot_become_its_own_ancestor(admin, org, team, target):
    child = TeamFactory(org=org, name="Child", parent=team)
    grandchild = TeamFactory(org=org, name="Grandchild", parent=child)
    parent = {"self": team, "child": child, "grandchild": grandchild}[target]
    response = admin.post(
        url("team-edit", team_id=team.pk), {"name": "Renamed", "parent": parent.pk}
    )
    assert response.status_code == 200
    assert "cannot sit under itself" in response.content.decode()
    team.refresh_from_db()
    assert team.parent is None and team.name == "Marketing"


def test_edit_with_a_foreign_parent_is_a_form_error(admin, team, other_org):
    foreign = TeamFactory(org=other_org)
    response = admin.post(url("team-edit", team_id=team.pk), {"name": "M", "parent": foreign.pk})
    assert response.status_code == 200
    assert "parent" in response.context["form"].errors
    team.refresh_from_db()
    assert team.parent is None


def test_team_pages_of_another_company_are_404(admin, other_org):
    foreign = TeamFactory(org=other_org, name="Theirs")
    assert admin.get(url("team-edit", team_id=foreign.pk)).status_code == 404
    assert admin.post(url("team-edit", team_id=foreign.pk), {"name": "Mine"}).status_code == 404
    assert admin.post(url("team-members", team_id=foreign.pk), {}).status_code == 404
    foreign.refresh_from_db()
    assert foreign.name == "Theirs"


# --- members ------------------------------------------------------------------------------


def test_admin_adds_a_person_toggles_manager_and_removes(admin, org, team):
    person = MembershipFactory(org=org, user__full_name="Pat Person")
    page = admin.get(url("team-members", team_id=team.pk))
    assert person in page.context["add_form"].fields["membership"].queryset

    response = admin.post(url("team-members", team_id=team.pk), {"membership": person.pk})
    assert response.status_code == 302
    link = TeamMembership.objects.get(team=team, membership=person)
    assert not link.is_manager and link.org == org

    admin.post(url("team-members", team_id=team.pk), {"membership": person.pk, "action": "manager"})
    link.refresh_from_db()
    assert link.is_manager
    admin.post(
        url("team-members", team_id=team.pk), {"membership": person.pk, "action": "unmanager"}
    )
    link.refresh_from_db()
    assert not link.is_manager

    response = admin.post(
        url("team-members", team_id=team.pk),
        {"membership": person.pk, "action": "remove"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200 and "Pat Person left Marketing" in response.content.decode()
    assert not TeamMembership.objects.filter(team=team, membership=person).exists()


def test_person_of_another_company_cannot_be_added_or_changed(admin, team, outsider_membership):
    response = admin.post(
        url("team-members", team_id=team.pk), {"membership": outsider_membership.pk}
    )
    assert response.status_code == 200
    assert "valid choice" in " ".join(response.context["add_form"].errors["membership"])
    for action in ("manager", "remove"):
        response = admin.post(
            url("team-members", team_id=team.pk),
            {"membership": outsider_membership.pk, "action": action},
        )
        assert response.status_code == 200
        assert "Choose a person of this team" in response.content.decode()
    assert not TeamMembership.objects.filter(membership=outsider_membership).exists()


def test_adding_someone_already_in_the_team_is_an_error(admin, team, member_membership):
    response = admin.post(
        url("team-members", team_id=team.pk), {"membership": member_membership.pk}
    )
    assert response.status_code == 200
    assert "valid choice" in response.content.decode()
    assert TeamMembership.objects.filter(team=team, membership=member_membership).count() == 1


def test_changing_someone_not_in_the_team_is_an_error(admin, org, team):
    stranger = MembershipFactory(org=org, user__full_name="Stan Ger")
    response = admin.post(
        url("team-members", team_id=team.pk), {"membership": stranger.pk, "action": "remove"}
    )
    assert response.status_code == 200
    assert "Stan Ger is not in Marketing" in response.content.decode()


def test_team_tree_counts_only_active_members(org, team):
    MembershipFactory(org=org)
    TeamMembershipFactory(team=team, membership=MembershipFactory(org=org, is_active=False))
    (root,) = team_tree(org)
    assert root.team.member_count == 1  # the autouse marketer only
