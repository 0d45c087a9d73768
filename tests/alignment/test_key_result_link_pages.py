"""Aligning to key results, weights and "also supports" on the pages: the objective page's
panel, the key result page, the align / weight / also-supports / measure actions, who may do
what, what each person sees, and flat query budgets at two company sizes."""

from decimal import Decimal

import pytest
from django.urls import reverse

from alignment.models import AlsoSupports
from alignment.services import (
    also_supports_add,
    contribution_weight_set,
    key_result_measure,
    objective_align,
)
from objectives.models import KeyResult, Objective
from tests.alignment.test_pages import build_company
from tests.factories import KeyResultFactory, TeamMembershipFactory

pytestmark = pytest.mark.django_db
CONTRIBUTORS = KeyResult.MeasuredBy.CONTRIBUTORS


def url(name, **kwargs):
    return reverse(f"alignment:{name}", kwargs={"org_slug": "acme", **kwargs})


def page(name, **kwargs):
    return reverse(f"objectives:{name}", kwargs={"org_slug": "acme", **kwargs})


def fresh(obj):
    obj.refresh_from_db()
    return obj


def build_linked(org, periods, teams, size):
    """``build_company`` plus, under each Marketing plan, a KR measured from its contributors
    that the plan's individual tasks serve (the first weighing 2), and every task also
    supporting Sales' plan."""
    build_company(org, periods, teams, size)
    for i in range(size):
        plan = Objective.objects.get(title=f"marketing plan {i}")
        sales = Objective.objects.get(title=f"sales plan {i}")
        kr = KeyResultFactory(objective=plan, owner=None, title=f"Leads {i}", target_value=200)
        key_result_measure(kr=kr, measured_by=CONTRIBUTORS, actor=_admin(org))
        for j, task in enumerate(Objective.objects.filter(title__startswith=f"Task {i}.")):
            objective_align(objective=task, parent=plan, key_result=kr, actor=None)
            if j == 0:
                contribution_weight_set(objective=task, weight="2", actor=_admin(org))
            also_supports_add(objective=task, supported=sales, actor=None)


def _admin(org):
    from organizations.models import Membership

    return Membership.objects.filter(org=org, role="admin").first()


@pytest.fixture
def team_kr(make_objective, manager_membership):
    """Marketing's objective (the manager's team) with a KR "Leads" measured from its
    contributors."""
    team = make_objective("team:marketing", "q2", owner=None, title="Social media")
    kr = KeyResultFactory(objective=team, owner=manager_membership, title="Leads", target_value=200)
    key_result_measure(kr=kr, measured_by=CONTRIBUTORS, actor=manager_membership)
    return team, kr


# --- the objective page's panel ------------------------------------------------------------------


def test_member_aligns_her_objective_to_a_team_kr_from_the_panel(member, team_kr, make_objective):
    team, kr = team_kr
    mine = make_objective("individual", "q2", owner=member.membership, title="My posts")
    body = member.get(page("objective", objective_id=mine.pk)).content.decode()
    assert f'value="kr:{kr.pk}"' in body and "↳ Key result: Leads" in body

    response = member.post(url("align", objective_id=mine.pk), {"parent": f"kr:{kr.pk}"})
    assert response.status_code == 302
    mine = fresh(mine)
    assert (mine.parent_id, mine.parent_key_result_id) == (team.pk, kr.pk)
    body = member.get(page("objective", objective_id=mine.pk)).content.decode()
    assert "Key result</span> Leads" in body  # the path names the KR it serves
    team_page = member.get(page("objective", objective_id=team.pk)).content.decode()
    assert "measured from 1 contributing objective" in team_page
    assert "to the key result “Leads”" in team_page


def test_the_quick_form_creates_an_objective_aligned_to_a_kr(member, team_kr, periods):
    team, kr = team_kr
    picker = member.get(
        url("picker"), {"level": "individual", "period": periods["q2"].pk, "krs": 1}
    )
    assert f'value="kr:{kr.pk}"' in picker.content.decode()
    data = {
        "title": "Post APAC stories",
        "level": "individual",
        "owner": member.membership.pk,
        "period": periods["q2"].pk,
        "visibility": "public",
        "status": "active",
        "parent": f"kr:{kr.pk}",
        "publish": "1",
        "kr-TOTAL_FORMS": 1,
        "kr-INITIAL_FORMS": 0,
        "kr-0-title": "Post 30 stories",
        "kr-0-start_value": "0",
        "kr-0-target_value": "30",
    }
    response = member.post(page("objective-new"), data)
    assert response.status_code == 302
    created = Objective.objects.get(title="Post APAC stories")
    assert (created.parent_id, created.parent_key_result_id) == (team.pk, kr.pk)
    data["title"], data["parent"] = "Nope", "kr:999999"
    response = member.post(page("objective-new"), data)
    assert response.status_code == 200 and not Objective.objects.filter(title="Nope").exists()


@pytest.mark.parametrize("raw", ["kr:999999999", "kr:abc", "kr:", "x:1", "kr:-1", "kr:1e9"])
def test_a_bad_kr_choice_is_a_message_not_a_500(member, make_objective, raw):
    mine = make_objective("individual", "q2", owner=member.membership)
    response = member.post(url("align", objective_id=mine.pk), {"parent": raw})
    assert response.status_code == 302
    assert fresh(mine).parent_id is None
    body = member.get(response["Location"]).content.decode()
    assert "Choose a parent objective from the list." in body


def test_a_kr_of_a_private_objective_is_not_offered_nor_accepted(member, make_objective):
    mine = make_objective("individual", "q2", owner=member.membership)
    hidden = make_objective("team:sales", "q2", owner=None, visibility="private", title="Hush")
    hidden_kr = KeyResultFactory(objective=hidden, owner=None, title="Secret KR")
    body = member.get(page("objective", objective_id=mine.pk)).content.decode()
    assert "Secret KR" not in body and f"kr:{hidden_kr.pk}" not in body
    member.post(url("align", objective_id=mine.pk), {"parent": f"kr:{hidden_kr.pk}"})
    assert fresh(mine).parent_id is None


def test_the_kr_row_counts_only_visible_contributors(
    admin, member, make_objective, team_kr, member_membership
):
    team, kr = team_kr
    seen = make_objective("individual", "q2", owner=member_membership)
    hidden = make_objective("individual", "q2", visibility="private")
    for child in (seen, hidden):
        objective_align(objective=child, parent=team, key_result=kr, actor=None)
    assert "measured from 1 contributing objective" in (
        member.get(page("objective", objective_id=team.pk)).content.decode()
    )
    assert "measured from 2 contributing objectives" in (
        admin.get(page("objective", objective_id=team.pk)).content.decode()
    )


# --- weights --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"), [("member", 403), ("manager", 302), ("admin", 302), ("outsider", 404)]
)
def test_weight_permission_table(
    request, make_objective, member_membership, team_kr, who, status, manager
):
    team, _ = team_kr
    mine = make_objective("individual", "q2", owner=member_membership)
    objective_align(objective=mine, parent=team, actor=member_membership)
    client = request.getfixturevalue(who)
    response = client.post(url("weight", objective_id=mine.pk), {"weight": "3"})
    assert response.status_code == status
    expected = Decimal(3) if status == 302 else Decimal(1)
    assert fresh(mine).contribution_weight == expected


def test_the_parents_owner_sets_a_weight_in_place_and_a_bad_one_is_said_beside_it(
    manager, make_objective, member_membership, team_kr
):
    team, _ = team_kr
    mine = make_objective("individual", "q2", owner=member_membership, title="Mine")
    objective_align(objective=mine, parent=team, actor=member_membership)
    body = manager.get(page("objective", objective_id=team.pk)).content.decode()
    assert f'id="weight-{mine.pk}"' in body
    response = manager.post(
        url("weight", objective_id=mine.pk), {"weight": "lots"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Enter a weight between 0.01 and 100" in html and 'value="lots"' in html
    response = manager.post(
        url("weight", objective_id=mine.pk), {"weight": "2.5"}, HTTP_HX_REQUEST="true"
    )
    assert "“Mine” now weighs 2.5." in response.content.decode()
    assert "weight 2.5" in response.content.decode()


def test_the_childs_owner_sees_no_weight_form(member, make_objective, team_kr, member_membership):
    team, _ = team_kr
    mine = make_objective("individual", "q2", owner=member_membership)
    objective_align(objective=mine, parent=team, actor=member_membership)
    assert (
        'name="weight"' not in member.get(page("objective", objective_id=team.pk)).content.decode()
    )
    assert (
        'name="weight"' not in member.get(page("objective", objective_id=mine.pk)).content.decode()
    )


# --- how a KR is measured ----------------------------------------------------------------


def test_the_kr_page_lists_contributors_and_offers_no_check_in_when_measured_by_them(
    manager, member, team_kr, make_objective, member_membership
):
    team, kr = team_kr
    mine = make_objective("individual", "q2", owner=member_membership, title="My posts")
    objective_align(objective=mine, parent=team, key_result=kr, actor=None)
    body = manager.get(page("kr", kr_id=kr.pk)).content.decode()
    assert "My posts" in body and "it takes no check-ins" in body
    # Its progress is explained as what it is, not as (current - start) / (target - start).
    assert "weighted mean of its contributing objectives' progress" in body
    assert "(current − start) ÷ (target − start)" not in body
    assert 'name="measured_by"' in body
    assert "checkins:create" not in body and 'class="checkin-form"' not in body
    assert 'name="measured_by"' not in member.get(page("kr", kr_id=kr.pk)).content.decode()
    response = manager.post(
        reverse("checkins:create", kwargs={"org_slug": "acme", "kr_id": kr.pk}),
        {"value": "50", "confidence": "on_track"},
    )
    assert response.status_code == 400  # the form again, the reason beside the value
    assert "Measured from its contributing objectives" in response.content.decode()
    assert fresh(kr).current_value == Decimal(0)


@pytest.mark.parametrize(("who", "status"), [("member", 403), ("manager", 302), ("outsider", 404)])
def test_measure_permission_table(request, team_kr, who, status, manager):
    _, kr = team_kr
    client = request.getfixturevalue(who)
    response = client.post(url("kr-measure", kr_id=kr.pk), {"measured_by": "checkins"})
    assert response.status_code == status
    expected = "checkins" if status == 302 else CONTRIBUTORS
    assert fresh(kr).measured_by == expected


def test_measure_garbage_is_a_message(manager, team_kr):
    _, kr = team_kr
    response = manager.post(url("kr-measure", kr_id=kr.pk), {"measured_by": "vibes"}, follow=True)
    assert "Choose how this key result is measured." in response.content.decode()


# --- also supports -------------------------------------------------------------------------------


def test_also_supports_is_added_shown_both_ways_and_removed(member, manager, make_objective):
    mine = make_objective("individual", "q2", owner=member.membership, title="My posts")
    sales = make_objective("team:sales", "q2", owner=None, title="Sales plan")
    body = member.get(page("objective", objective_id=mine.pk)).content.decode()
    assert 'name="supported"' in body and "Sales plan" in body
    response = member.post(
        url("also-supports-add", objective_id=mine.pk),
        {"supported": sales.pk},
        HTTP_HX_REQUEST="true",
    )
    assert "Also supports “Sales plan” now." in response.content.decode()
    link = AlsoSupports.objects.get(objective=mine, supported=sales)
    assert (
        "Also supported by"
        in manager.get(page("objective", objective_id=sales.pk)).content.decode()
    )
    mine_page = member.get(page("objective", objective_id=mine.pk)).content.decode()
    assert "Also supports</h3>" in mine_page
    # Adding it twice says so beside the field.
    response = member.post(
        url("also-supports-add", objective_id=mine.pk),
        {"supported": sales.pk},
        HTTP_HX_REQUEST="true",
    )
    assert "already says it also supports" in response.content.decode()
    response = member.post(url("also-supports-remove", link_id=link.pk), {"objective": mine.pk})
    assert response.status_code == 302
    assert not AlsoSupports.objects.exists()


def test_also_supports_remove_permission_table(
    request, make_objective, member_membership, manager_membership, member, manager, admin, outsider
):
    mine = make_objective("individual", "q2", owner=member_membership)
    sales = make_objective("team:sales", "q2", owner=None)
    link = also_supports_add(objective=mine, supported=sales, actor=member_membership)
    assert outsider.post(url("also-supports-remove", link_id=link.pk)).status_code == 404
    colleague = TeamMembershipFactory(team=mine.owner.team_memberships.first().team).membership
    from tests.conftest import _client_for

    assert (
        _client_for(colleague).post(url("also-supports-remove", link_id=link.pk)).status_code == 403
    )
    # Her team's manager may not change her objective, nor Sales' one.
    assert manager.post(url("also-supports-remove", link_id=link.pk)).status_code == 403
    assert AlsoSupports.objects.filter(pk=link.pk).exists()
    assert admin.post(url("also-supports-remove", link_id=link.pk)).status_code == 302
    assert not AlsoSupports.objects.filter(pk=link.pk).exists()


def test_a_private_objective_never_shows_through_an_also_supports_link(
    member, admin, make_objective, teams
):
    public = make_objective("team:sales", "q2", owner=None, title="Public plan")
    secret = make_objective("individual", "q2", visibility="private", title="Secret supporter")
    also_supports_add(objective=secret, supported=public, actor=None)
    draft = make_objective("team:growth", "q2", owner=None, status="draft", title="Draft target")
    mine = make_objective("individual", "q2", owner=member.membership, title="Mine")
    also_supports_add(objective=mine, supported=draft, actor=None)
    public_page = member.get(page("objective", objective_id=public.pk)).content.decode()
    assert "Secret supporter" not in public_page and "Also supported by" not in public_page
    mine_page = member.get(page("objective", objective_id=mine.pk)).content.decode()
    assert "Draft target" not in mine_page and "also-supports-list" not in mine_page
    assert (
        "Secret supporter" in admin.get(page("objective", objective_id=public.pk)).content.decode()
    )
    # Removing a link whose other end is hidden from you: as if it did not exist.
    link = AlsoSupports.objects.get(objective=mine)
    assert member.post(url("also-supports-remove", link_id=link.pk)).status_code == 404
    # On the map: the dashed edge needs both ends drawn for the viewer.
    body = member.get(url("map"), {"period": public.period_id}).content.decode()
    assert "Secret supporter" not in body


def test_the_map_draws_also_supports_as_a_dashed_edge(admin, org, periods, teams):
    build_linked(org, periods, teams, 1)
    body = admin.get(url("map"), {"period": periods["q2"].pk}).content.decode()
    assert 'class="map-edge map-support"' not in body or "map-support" in body
    assert "map-support" in body


def test_demo_like_contributors_move_the_team_kr_through_the_pages(admin, org, periods, teams):
    build_linked(org, periods, teams, 2)
    plan = Objective.objects.get(title="marketing plan 0")
    body = admin.get(page("objective", objective_id=plan.pk)).content.decode()
    assert "measured from 2 contributing objectives" in body
    assert "Also supported by" not in body  # the tasks support Sales' plan, not this one
    sales = Objective.objects.get(title="sales plan 0")
    assert (
        "Also supported by" in admin.get(page("objective", objective_id=sales.pk)).content.decode()
    )


# --- query budgets: flat at two sizes ------------------------------------------------------------


@pytest.mark.parametrize("size", [1, 4])
def test_linked_pages_query_budgets(
    admin, manager, member, org, periods, teams, size, django_assert_max_num_queries
):
    """The same number of queries with 1 or 4 times the links (measured: objective pages
    12-17 by persona, the KR page 10-12, the expanded tree 10-13, the map 11-13)."""
    build_linked(org, periods, teams, size)
    plan = Objective.objects.get(title="marketing plan 0")
    task = Objective.objects.get(title="Task 0.0")
    kr = KeyResult.objects.get(title="Leads 0")
    sales = Objective.objects.get(title="sales plan 0")
    q2 = {"period": periods["q2"].pk}
    for client in (admin, manager, member):
        client.get(page("objective", objective_id=plan.pk))  # the session, warmed
        for objective in (plan, task, sales):
            with django_assert_max_num_queries(17):
                response = client.get(page("objective", objective_id=objective.pk))
            assert response.status_code == 200
        with django_assert_max_num_queries(12):
            assert client.get(page("kr", kr_id=kr.pk)).status_code == 200
        with django_assert_max_num_queries(13):
            assert client.get(url("tree"), {**q2, "expand": "all"}).status_code == 200
        with django_assert_max_num_queries(13):
            assert client.get(url("map"), q2).status_code == 200


def test_asking_to_contribute_to_a_kr_you_do_not_own(
    org, member, manager, team_kr, make_objective, manager_membership
):
    """With "ask before aligning", the member's choice of the team's KR becomes a request
    naming the KR; the manager accepts it from the request page."""
    org.alignment_requests = True
    org.save()
    team, kr = team_kr
    Objective.objects.filter(pk=team.pk).update(owner=manager_membership)
    mine = make_objective("individual", "q2", owner=member.membership, title="Mine")
    response = member.post(url("align", objective_id=mine.pk), {"parent": f"kr:{kr.pk}"})
    assert response.status_code == 302
    assert fresh(mine).parent_id is None  # nothing counts until accepted
    from alignment.models import AlignmentRequest

    asked = AlignmentRequest.objects.get(child=mine)
    assert asked.parent_key_result_id == kr.pk
    body = manager.get(url("request", request_id=asked.pk)).content.decode()
    assert "to its key result “Leads”" in body
    assert "(key result “Leads”)" in manager.get(url("requests")).content.decode()
    manager.post(url("request", request_id=asked.pk), {"action": "accept"})
    mine = fresh(mine)
    assert (mine.parent_id, mine.parent_key_result_id) == (team.pk, kr.pk)


def test_a_hidden_contributor_is_not_listed_on_the_kr_page(member, admin, team_kr, make_objective):
    team, kr = team_kr
    hidden = make_objective("individual", "q2", visibility="private", title="Quiet plan")
    draft = make_objective("individual", "q2", status="draft", title="Draft plan")
    for child in (hidden, draft):
        objective_align(objective=child, parent=team, key_result=kr, actor=None)
    body = member.get(page("kr", kr_id=kr.pk)).content.decode()
    assert "Quiet plan" not in body and "Draft plan" not in body
    assert "No objective contributes to it yet" in body
    assert "Quiet plan" in admin.get(page("kr", kr_id=kr.pk)).content.decode()
