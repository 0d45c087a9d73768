"""A private objective is invisible to whoever may not see it: lists, explore, counts,
htmx partials and other objectives' pages; opening it answers 404 as if it did not exist.
A draft (public, not yet published) is hidden exactly the same way: every test runs with each."""

import pytest
from django.urls import reverse
from guardian.shortcuts import assign_perm

from tests.factories import KeyResultFactory, MembershipFactory, ObjectiveFactory

SECRET = "Secret plan for a takeover"


@pytest.fixture
def outsider_in_company(org):
    from tests.conftest import _client_for

    return _client_for(MembershipFactory(org=org, role="member", user__full_name="Nosy Neighbour"))


HIDING = {"private": {"visibility": "private"}, "draft": {"status": "draft"}}


@pytest.fixture(params=sorted(HIDING))
def private_objective(org, period, team, member_membership, request):
    objective = ObjectiveFactory(
        org=org,
        period=period,
        level="team",
        team=team,
        owner=member_membership,
        title=SECRET,
        **HIDING[request.param],
    )
    KeyResultFactory(objective=objective, title="Secret KR")
    return objective


def _urls(org, objective, team, member_membership):
    slug = org.slug
    return [
        reverse("objectives:company", kwargs={"org_slug": slug}),
        reverse("objectives:teams", kwargs={"org_slug": slug}),
        reverse("objectives:team", kwargs={"org_slug": slug, "team_id": team.pk}),
        reverse("objectives:person", kwargs={"org_slug": slug, "person_id": member_membership.pk}),
        reverse("objectives:explore", kwargs={"org_slug": slug}),
        reverse("objectives:explore", kwargs={"org_slug": slug}) + "?q=Secret",
    ]


def test_private_objective_is_hidden_from_lists_explore_and_counts(
    outsider_in_company, private_objective, org, team, member_membership
):
    for url in _urls(org, private_objective, team, member_membership):
        body = outsider_in_company.get(url).content.decode()
        assert SECRET not in body, url
        assert "Secret KR" not in body, url
    teams_page = outsider_in_company.get(reverse("objectives:teams", kwargs={"org_slug": org.slug}))
    (row,) = [t for t in teams_page.context["teams"] if t.pk == team.pk]
    assert row.objective_count == 0
    explore = outsider_in_company.get(reverse("objectives:explore", kwargs={"org_slug": org.slug}))
    assert explore.context["page"].paginator.count == 0


@pytest.mark.parametrize("persona", ["admin", "manager", "member"])
def test_owner_managers_and_admins_see_it(request, persona, private_objective, org, team):
    client = request.getfixturevalue(persona)
    body = client.get(reverse("objectives:team", kwargs={"org_slug": org.slug, "team_id": team.pk}))
    assert SECRET in body.content.decode()
    teams_page = client.get(reverse("objectives:teams", kwargs={"org_slug": org.slug}))
    (row,) = [t for t in teams_page.context["teams"] if t.pk == team.pk]
    assert row.objective_count == 1


def test_opening_a_private_objective_is_404(outsider_in_company, private_objective, org):
    kr = private_objective.key_results.get()
    slug = org.slug
    for url in [
        reverse(
            "objectives:objective", kwargs={"org_slug": slug, "objective_id": private_objective.pk}
        ),
        reverse(
            "objectives:objective-edit",
            kwargs={"org_slug": slug, "objective_id": private_objective.pk},
        ),
        reverse(
            "objectives:objective-share",
            kwargs={"org_slug": slug, "objective_id": private_objective.pk},
        ),
        reverse(
            "objectives:kr-new", kwargs={"org_slug": slug, "objective_id": private_objective.pk}
        ),
        reverse("objectives:kr", kwargs={"org_slug": slug, "kr_id": kr.pk}),
        reverse("objectives:kr-edit", kwargs={"org_slug": slug, "kr_id": kr.pk}),
    ]:
        assert outsider_in_company.get(url).status_code == 404, url
    move = reverse("objectives:kr-move", kwargs={"org_slug": slug, "kr_id": kr.pk})
    assert (
        outsider_in_company.post(move, {"direction": "up"}, HTTP_HX_REQUEST="true").status_code
        == 404
    )
    confidence = reverse("objectives:kr-confidence", kwargs={"org_slug": slug, "kr_id": kr.pk})
    response = outsider_in_company.post(
        confidence, {"confidence": "off_track"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 404
    kr.refresh_from_db()
    assert kr.confidence == "on_track"


def test_shared_private_objective_becomes_visible(outsider_in_company, private_objective, org):
    url = reverse(
        "objectives:objective", kwargs={"org_slug": org.slug, "objective_id": private_objective.pk}
    )
    assert outsider_in_company.get(url).status_code == 404
    assign_perm("objectives.share_objective", outsider_in_company.user, private_objective)
    assert outsider_in_company.get(url).status_code == 200


def test_private_objective_not_offered_as_parent(outsider_in_company, private_objective, org):
    page = outsider_in_company.get(
        reverse("objectives:objective-new", kwargs={"org_slug": org.slug})
    )
    assert private_objective not in page.context["form"].fields["parent"].queryset
    assert SECRET not in page.content.decode()


def test_private_objective_not_shown_on_the_my_page_of_a_kr_owner_colleague(
    outsider_in_company, private_objective, org, member_membership
):
    """Even KRs owned elsewhere are filtered through visibility."""
    body = outsider_in_company.get(
        reverse(
            "objectives:person", kwargs={"org_slug": org.slug, "person_id": member_membership.pk}
        )
    ).content.decode()
    assert "Secret KR" not in body
