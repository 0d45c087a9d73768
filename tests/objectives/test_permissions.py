"""Role x level x action -> status, through the real pages."""

import pytest
from django.urls import reverse

from objectives.models import Objective
from organizations.models import Membership

EDIT_ACTIONS = ["objective-edit", "objective-delete", "kr-new"]

# persona, level -> may edit (member = a plain member of the team, manager = its manager)
EDIT_RIGHTS = {
    ("admin", "company"): True,
    ("admin", "team"): True,
    ("admin", "own"): True,
    ("admin", "others"): True,
    ("manager", "company"): False,
    ("manager", "team"): True,
    ("manager", "own"): False,
    ("manager", "others"): False,
    ("member", "company"): False,
    ("member", "team"): False,
    ("member", "own"): True,
    ("member", "others"): False,
}


@pytest.mark.parametrize("action", EDIT_ACTIONS)
@pytest.mark.parametrize(("persona", "level"), list(EDIT_RIGHTS))
def test_edit_rights_table(request, objectives_by_level, org, persona, level, action):
    client = request.getfixturevalue(persona)
    objective = objectives_by_level[level]
    url = reverse(
        f"objectives:{action}", kwargs={"org_slug": org.slug, "objective_id": objective.pk}
    )
    expected = 200 if EDIT_RIGHTS[(persona, level)] else 403
    assert client.get(url).status_code == expected


@pytest.mark.parametrize("action", ["kr-edit", "kr-delete"])
@pytest.mark.parametrize(("persona", "level"), list(EDIT_RIGHTS))
def test_kr_edit_rights_table(request, objectives_by_level, org, persona, level, action):
    client = request.getfixturevalue(persona)
    kr = objectives_by_level[level].key_results.get()
    url = reverse(f"objectives:{action}", kwargs={"org_slug": org.slug, "kr_id": kr.pk})
    expected = 200 if EDIT_RIGHTS[(persona, level)] else 403
    assert client.get(url).status_code == expected


@pytest.mark.parametrize(("persona", "level"), list(EDIT_RIGHTS))
def test_everyone_in_the_company_reads_public_objectives(
    request, objectives_by_level, org, persona, level
):
    client = request.getfixturevalue(persona)
    objective = objectives_by_level[level]
    url = reverse(
        "objectives:objective", kwargs={"org_slug": org.slug, "objective_id": objective.pk}
    )
    assert client.get(url).status_code == 200
    kr = objective.key_results.get()
    assert (
        client.get(
            reverse("objectives:kr", kwargs={"org_slug": org.slug, "kr_id": kr.pk})
        ).status_code
        == 200
    )


@pytest.mark.parametrize("level", ["company", "team", "own"])
def test_outsider_gets_404_for_every_objective(outsider, objectives_by_level, org, level):
    objective = objectives_by_level[level]
    for action in ["objective", "objective-edit", "objective-share"]:
        url = reverse(
            f"objectives:{action}", kwargs={"org_slug": org.slug, "objective_id": objective.pk}
        )
        assert outsider.get(url).status_code == 404


@pytest.mark.parametrize(
    ("persona", "level", "allowed"),
    [
        ("admin", "company", True),
        ("manager", "company", False),
        ("member", "company", False),
        ("admin", "team", True),
        ("manager", "team", True),
        ("member", "team", False),
        ("member", "individual", True),
    ],
)
def test_create_rights_by_level(request, org, period, team, persona, level, allowed):
    client = request.getfixturevalue(persona)
    data = {
        "title": f"{persona} {level}",
        "period": period.pk,
        "level": level,
        "team": team.pk if level == "team" else "",
        "owner": client.membership.pk,
        "visibility": "public",
        "status": "active",
        "kr-TOTAL_FORMS": 0,
        "kr-INITIAL_FORMS": 0,
    }
    response = client.post(reverse("objectives:objective-new", kwargs={"org_slug": org.slug}), data)
    created = Objective.objects.filter(title=f"{persona} {level}").exists()
    assert created is allowed
    if not allowed:
        assert response.status_code == 200
        assert response.context["form"].errors["level"]


@pytest.mark.parametrize(
    ("persona", "expected"), [("admin", 200), ("manager", 200), ("member", 403)]
)
def test_sharing_page_is_for_admins_owners_and_their_managers(
    request, objectives_by_level, org, persona, expected
):
    """The team objective: its managers and admins may share; a plain member may not."""
    client = request.getfixturevalue(persona)
    objective = objectives_by_level["team"]
    url = reverse(
        "objectives:objective-share", kwargs={"org_slug": org.slug, "objective_id": objective.pk}
    )
    assert client.get(url).status_code == expected


def test_co_owner_grant_lets_a_member_edit(admin, member, objectives_by_level, org):
    objective = objectives_by_level["others"]
    edit = reverse(
        "objectives:objective-edit", kwargs={"org_slug": org.slug, "objective_id": objective.pk}
    )
    assert member.get(edit).status_code == 403
    share = reverse(
        "objectives:objective-share", kwargs={"org_slug": org.slug, "objective_id": objective.pk}
    )
    admin.post(share, {"person": member.membership.pk, "co_owner": "on"})
    assert member.get(edit).status_code == 200
    admin.post(share, {"remove": member.membership.pk})
    assert member.get(edit).status_code == 403


def test_list_rights_read_co_owner_and_contributor_grants_together(
    objectives_by_level, member_membership
):
    """List pages ask both grant tables in one query; each grant still lands on its row."""
    from guardian.shortcuts import assign_perm

    from objectives.permissions import annotate_rights

    def rights():
        rows = list(
            Objective.objects.filter(pk__in=[o.pk for o in objectives_by_level.values()])
            .select_related("period")
            .prefetch_related("key_results")
        )
        # As each request does: a membership loaded afresh (what it may do is cached on it).
        viewer = Membership.objects.get(pk=member_membership.pk)
        annotate_rights(viewer, rows)
        by_title = {o.title: o for o in rows}
        return {
            title: (o.can_edit, [kr.can_checkin for kr in o.key_results.all()])
            for title, o in by_title.items()
            if title in ("Company", "Other")
        }

    assert rights() == {"Company": (False, [False]), "Other": (False, [False])}
    user = member_membership.user
    assign_perm("objectives.change_objective", user, objectives_by_level["others"])
    assign_perm(
        "objectives.checkin_keyresult", user, objectives_by_level["company"].key_results.get()
    )
    assert rights() == {"Company": (False, [True]), "Other": (True, [True])}
