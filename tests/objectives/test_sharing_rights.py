"""Nobody raises their own rights (issue 17, item 1).

The table: role x objective level x relation (a grant for someone else, or for oneself) x
action (give read access, a co-ownership or a contribution, or take one back), asked of the
sharing services, which every page and any future API go through. A grant is made or taken
back only by someone who may open the share page (admins, the owner, their managers) and,
for co-owners and contributors, who may also edit the objective; never on oneself.
"""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from guardian.shortcuts import assign_perm

from objectives import services
from objectives.models import KeyResultUserObjectPermission, ObjectiveUserObjectPermission
from organizations.models import Membership

from ..conftest import _client_for
from ..factories import (
    KeyResultFactory,
    MembershipFactory,
    ObjectiveFactory,
    TeamMembershipFactory,
)

ROLES = ["member", "manager", "admin", "owner", "co_owner", "contributor"]
LEVELS = ["company", "team", "individual"]
RELATIONS = ["someone else", "themselves"]
ACTIONS = [
    "give read",
    "give co-owner",
    "give contributor",
    "remove read",
    "remove co-owner",
    "remove contributor",
]

# Who opens the share page of an objective owned by Olive (a plain member of the team):
# admins, Olive, and the team's manager (her manager, and the team objective's).
SHARES = {"admin", "owner", "manager"}
# Who may edit it: admins, the co-owner; the manager only the team objective, Olive only
# her individual one (a company or team objective's owner does not edit it).
EDITS = {
    "company": {"admin", "co_owner"},
    "team": {"admin", "co_owner", "manager"},
    "individual": {"admin", "co_owner", "owner"},
}


def allowed(role, level, relation, action) -> bool:
    if relation == "themselves":
        return False
    if role not in SHARES:
        return False
    return action.endswith("read") or role in EDITS[level]


@pytest.fixture
def world(org, period, team, admin_membership, manager_membership, member_membership, level):
    """Olive's objective at ``level``, its co-owner, its KR's contributor, and Tess, who
    receives grants."""

    def person(name):
        membership = MembershipFactory(org=org, role=Membership.Role.MEMBER, user__full_name=name)
        TeamMembershipFactory(team=team, membership=membership)
        return membership

    owner, co_owner, contributor, tess = (
        person(name) for name in ("Olive Owner", "Cole Coowner", "Connie Contributor", "Tess")
    )
    objective = ObjectiveFactory(
        org=org,
        period=period,
        level=level,
        owner=owner,
        title=level,
        team=team if level == "team" else None,
    )
    kr = KeyResultFactory(objective=objective, owner=owner)
    assign_perm("objectives.share_objective", co_owner.user, objective)
    assign_perm("objectives.change_objective", co_owner.user, objective)
    assign_perm("objectives.checkin_keyresult", contributor.user, kr)
    return {
        "objective": objective,
        "tess": tess,
        "member": member_membership,
        "manager": manager_membership,
        "admin": admin_membership,
        "owner": owner,
        "co_owner": co_owner,
        "contributor": contributor,
    }


def _codenames(person, objective, kr) -> set[str]:
    on_objective = ObjectiveUserObjectPermission.objects.filter(
        content_object=objective, user_id=person.user_id
    ).values_list("permission__codename", flat=True)
    on_kr = KeyResultUserObjectPermission.objects.filter(
        content_object=kr, user_id=person.user_id
    ).values_list("permission__codename", flat=True)
    return set(on_objective) | set(on_kr)


GIVES = {
    "read": {"share_objective"},
    "co-owner": {"share_objective", "change_objective"},
    "contributor": {"checkin_keyresult"},
}


def _act(action, *, objective, kr, actor, person):
    verb, _, what = action.partition(" ")
    if what == "contributor":
        call = (
            services.key_result_add_contributor
            if verb == "give"
            else services.key_result_remove_contributor
        )
        return call(kr=kr, actor=actor, membership=person)
    if verb == "give":
        return services.objective_share(
            objective=objective, actor=actor, membership=person, co_owner=what == "co-owner"
        )
    return services.objective_unshare(objective=objective, actor=actor, membership=person)


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("relation", RELATIONS)
@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("role", ROLES)
def test_sharing_rights_table(world, role, level, relation, action):
    objective = world["objective"]
    kr = objective.key_results.get()
    actor = Membership.objects.get(pk=world[role].pk)  # afresh: rights are cached on it
    person = actor if relation == "themselves" else world["tess"]
    verb, _, what = action.partition(" ")
    if verb == "remove":  # the grant to take back exists first
        for codename in GIVES[what]:
            target = kr if codename == "checkin_keyresult" else objective
            assign_perm(f"objectives.{codename}", person.user, target)
    before = _codenames(person, objective, kr)

    if allowed(role, level, relation, action):
        _act(action, objective=objective, kr=kr, actor=actor, person=person)
        after = _codenames(person, objective, kr)
        if verb == "give":
            assert GIVES[what] <= after
        else:
            assert not after & GIVES[what]
    else:
        with pytest.raises(PermissionDenied) as refused:
            _act(action, objective=objective, kr=kr, actor=actor, person=person)
        assert str(refused.value)  # a reason the person can read
        assert _codenames(person, objective, kr) == before


# --- the share page shows only the grants one may make -----------------------------------


def _share_url(org, objective):
    return reverse(
        "objectives:objective-share", kwargs={"org_slug": org.slug, "objective_id": objective.pk}
    )


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("role", ROLES)
def test_share_page_offers_only_the_grants_one_may_make(org, world, role, level):
    objective = world["objective"]
    client = _client_for(world[role])
    response = client.get(_share_url(org, objective))
    if role not in SHARES:
        assert response.status_code == 403
        assert "Only admins, the owner and their managers can share" in response.content.decode()
        return
    assert response.status_code == 200
    html = response.content.decode()
    may_edit = role in EDITS[level]
    assert ('type="checkbox" name="co_owner"' in html) is may_edit
    assert ("Let someone check in on a key result" in html) is may_edit
    # Nobody is offered to themselves.
    assert f'<option value="{world[role].pk}"' not in html
    assert f'<option value="{world["tess"].pk}"' in html
    # The co-owner's grant can be taken back only by someone who may edit.
    assert (f'name="remove" value="{world["co_owner"].pk}"' in html) is may_edit


@pytest.mark.parametrize("level", ["team"])
def test_owner_of_a_team_objective_cannot_make_themselves_co_owner(org, world):
    """The reproduction: Olive owns the team objective but may not edit it."""
    objective = world["objective"]
    olive = _client_for(world["owner"])
    edit = reverse(
        "objectives:objective-edit", kwargs={"org_slug": org.slug, "objective_id": objective.pk}
    )
    response = olive.post(
        _share_url(org, objective), {"person": world["owner"].pk, "co_owner": "on"}
    )
    assert response.status_code == 200
    assert "You cannot give yourself access" in response.content.decode()
    response = olive.post(
        _share_url(org, objective), {"person": world["tess"].pk, "co_owner": "on"}
    )
    assert response.status_code == 403
    assert "Only someone who may edit this objective can make co-owners" in (
        response.content.decode()
    )
    assert olive.get(edit).status_code == 403
    assert not _codenames(world["tess"], objective, objective.key_results.get())


@pytest.mark.parametrize("level", ["individual"])
def test_manager_cannot_co_own_a_reports_objective(org, world):
    objective = world["objective"]
    manager = _client_for(world["manager"])
    for person in (world["manager"], world["tess"]):
        manager.post(_share_url(org, objective), {"person": person.pk, "co_owner": "on"})
    edit = reverse(
        "objectives:objective-edit", kwargs={"org_slug": org.slug, "objective_id": objective.pk}
    )
    assert manager.get(edit).status_code == 403
    assert not ObjectiveUserObjectPermission.objects.filter(
        content_object=objective, permission__codename="change_objective"
    ).exclude(user=world["co_owner"].user)
    # Read access is theirs to give.
    response = manager.post(_share_url(org, objective), {"person": world["tess"].pk})
    assert response.status_code == 302
    assert _codenames(world["tess"], objective, objective.key_results.get()) == {"share_objective"}


@pytest.mark.parametrize("level", ["individual"])
def test_an_editor_adds_and_removes_a_contributor_on_the_share_page(org, world):
    objective = world["objective"]
    kr = objective.key_results.get()
    olive = _client_for(world["owner"])
    tess = world["tess"]
    response = olive.post(
        _share_url(org, objective),
        {"action": "contribute", "contributor": tess.pk, "key_result": kr.pk},
    )
    assert response.status_code == 302
    assert _codenames(tess, objective, kr) == {"share_objective", "checkin_keyresult"}
    assert "Checks in on" in olive.get(_share_url(org, objective)).content.decode()
    olive.post(_share_url(org, objective), {"remove_contributor": f"{kr.pk}:{tess.pk}"})
    assert _codenames(tess, objective, kr) == {"share_objective"}
