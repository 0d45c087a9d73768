"""Alignment pages: tree, subtree, picker, align form, dashboards; permissions and budgets."""

import datetime
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from objectives.models import KeyResult, Objective
from tests.factories import (
    KeyResultFactory,
    MembershipFactory,
    ObjectiveFactory,
    PeriodFactory,
    TeamMembershipFactory,
)

pytestmark = pytest.mark.django_db

PRIVATE = Objective.Visibility.PRIVATE


def url(name, **kwargs):
    return reverse(f"alignment:{name}", kwargs={"org_slug": "acme", **kwargs})


def build_company(org, periods, teams, size):
    """``size`` company objectives, each with one team objective per team and ``size``
    individual objectives under Marketing's, every objective with two key results."""
    year, q2 = periods["year"], periods["q2"]
    for i in range(size):
        company = ObjectiveFactory(
            org=org, period=year, level="company", owner=None, title=f"Company goal {i}"
        )
        KeyResultFactory(objective=company, current_value=10 * i)
        for name, team in teams.items():
            team_obj = ObjectiveFactory(
                org=org,
                period=q2,
                level="team",
                team=team,
                owner=None,
                parent=company,
                title=f"{name} plan {i}",
            )
            KeyResultFactory.create_batch(2, objective=team_obj, current_value=50)
            if name != "marketing":
                continue
            for j in range(size):
                person = TeamMembershipFactory(team=team).membership
                mine = ObjectiveFactory(
                    org=org, period=q2, owner=person, parent=team_obj, title=f"Task {i}.{j}"
                )
                KeyResultFactory.create_batch(2, objective=mine, confidence="at_risk")


# Permissions --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "name", "expected"),
    [
        ("admin", "tree", 200),
        ("member", "tree", 200),
        ("outsider", "tree", 404),
        ("anon", "tree", 302),
        ("admin", "dashboard", 200),
        ("manager", "dashboard", 200),
        ("member", "dashboard", 403),
        ("outsider", "dashboard", 404),
        ("anon", "dashboard", 302),
        ("admin", "picker", 200),
        ("member", "picker", 200),
        ("outsider", "picker", 404),
    ],
)
def test_page_access(request, periods, persona, name, expected):
    client = request.getfixturevalue(persona)
    assert client.get(url(name)).status_code == expected


@pytest.mark.parametrize(
    ("persona", "whose", "expected"),
    [
        ("admin", "marketing", 200),
        ("manager", "marketing", 200),  # manages it
        ("manager", "sales", 403),  # another team
        ("member", "marketing", 403),
        ("outsider", "marketing", 404),
    ],
)
def test_team_dashboard_access(request, periods, teams, persona, whose, expected):
    client = request.getfixturevalue(persona)
    assert client.get(url("team-dashboard", team_id=teams[whose].pk)).status_code == expected


def test_manager_of_parent_team_sees_sub_team_dashboard(org, periods, teams, manager):
    TeamMembershipFactory(team=teams["growth"], membership=manager.membership, is_manager=True)
    assert manager.get(url("team-dashboard", team_id=teams["marketing"].pk)).status_code == 200


def test_foreign_team_dashboard_is_404(admin, other_org):
    from tests.factories import TeamFactory

    foreign = TeamFactory(org=other_org)
    assert admin.get(url("team-dashboard", team_id=foreign.pk)).status_code == 404


# Align form ---------------------------------------------------------------------------------


def test_member_aligns_own_objective_with_a_plain_post(member, make_objective):
    mine = make_objective("individual", "may", owner=member.membership)
    parent = make_objective("team:marketing", "q2", title="Grow the audience")
    response = member.post(url("align", objective_id=mine.pk), {"parent": parent.pk})
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.parent_id == parent.pk
    page = member.get(response["Location"], follow=True)
    assert "Aligned to “Grow the audience”" in page.content.decode()


def test_unlink_with_empty_parent(member, make_objective):
    parent = make_objective("team:marketing", "q2")
    mine = make_objective("individual", "may", owner=member.membership, parent=parent)
    member.post(url("align", objective_id=mine.pk), {"parent": ""})
    mine.refresh_from_db()
    assert mine.parent_id is None
    assert AuditEntry.objects.get(target_id=mine.pk, action__startswith="objective.").action == (
        "objective.unlink"
    )


@pytest.mark.parametrize("bad", ["abc", "99999999", "1" * 400])
def test_nonsense_parent_is_a_clear_error(member, make_objective, bad):
    mine = make_objective("individual", "may", owner=member.membership)
    response = member.post(url("align", objective_id=mine.pk), {"parent": bad}, follow=True)
    assert response.status_code == 200
    assert "Choose a parent objective from the list." in response.content.decode()
    mine.refresh_from_db()
    assert mine.parent_id is None


def test_parent_of_another_company_posted_by_id_is_refused(
    member, make_objective, other_org, periods
):
    mine = make_objective("individual", "may", owner=member.membership)
    foreign = ObjectiveFactory(
        org=other_org,
        level="company",
        owner=None,
        period=PeriodFactory(org=other_org, start=periods["year"].start, end=periods["year"].end),
    )
    response = member.post(url("align", objective_id=mine.pk), {"parent": foreign.pk}, follow=True)
    assert "Choose a parent objective from the list." in response.content.decode()
    mine.refresh_from_db()
    assert mine.parent_id is None


def test_invisible_parent_posted_by_id_is_refused(member, make_objective):
    mine = make_objective("individual", "may", owner=member.membership)
    secret = make_objective("team:sales", "q2", visibility=PRIVATE, title="Secret plan")
    response = member.post(url("align", objective_id=mine.pk), {"parent": secret.pk}, follow=True)
    body = response.content.decode()
    # The same answer as for an id that does not exist: nothing tells it is private.
    assert "Choose a parent objective from the list." in body
    assert "Secret plan" not in body
    mine.refresh_from_db()
    assert mine.parent_id is None


def test_rule_error_is_shown_in_the_htmx_panel(member, make_objective):
    mine = make_objective("individual", "q2", owner=member.membership)
    too_short = make_objective("team:marketing", "may")
    response = member.post(
        url("align", objective_id=mine.pk), {"parent": too_short.pk}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="alignment-panel"' in body and "must lie within the parent" in body


def test_htmx_success_redirects_the_client(member, make_objective):
    mine = make_objective("individual", "may", owner=member.membership)
    parent = make_objective("company", "year")
    response = member.post(
        url("align", objective_id=mine.pk), {"parent": parent.pk}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and response["HX-Redirect"]


@pytest.mark.parametrize(("persona", "expected"), [("member", 403), ("outsider", 404)])
def test_cannot_align_someone_elses_objective(request, make_objective, persona, expected):
    client = request.getfixturevalue(persona)
    theirs = make_objective("individual", "may")
    parent = make_objective("company", "year")
    response = client.post(url("align", objective_id=theirs.pk), {"parent": parent.pk})
    assert response.status_code == expected
    theirs.refresh_from_db()
    assert theirs.parent_id is None


# Picker -------------------------------------------------------------------------------------


def test_picker_offers_best_candidates_first_and_never_foreign_or_invisible(
    member, make_objective, other_org, periods
):
    mine = make_objective("individual", "may", owner=member.membership)
    sales = make_objective("team:sales", "q2", title="Sales plan")
    company = make_objective("company", "year", title="Company plan")
    growth = make_objective("team:growth", "q2", title="Growth plan")
    marketing = make_objective("team:marketing", "q2", title="Marketing plan")
    make_objective("team:sales", "q2", visibility=PRIVATE, title="Hidden plan")
    make_objective("individual", "q2", title="Somebody's plan")
    ObjectiveFactory(
        org=other_org,
        level="company",
        owner=None,
        title="Foreign plan",
        period=PeriodFactory(org=other_org, start=periods["year"].start, end=periods["year"].end),
    )
    body = member.get(url("picker"), {"objective": mine.pk}).content.decode()
    assert "Hidden plan" not in body and "Foreign plan" not in body
    assert "Somebody" not in body
    positions = [body.index(f'value="{o.pk}"') for o in (marketing, growth, company, sales)]
    assert positions[0] < positions[2] and positions[1] < positions[2] < positions[3]
    assert 'name="parent"' in body


def test_picker_searches_text(member, make_objective):
    mine = make_objective("individual", "may", owner=member.membership)
    make_objective("company", "year", title="Brand value in APAC")
    make_objective("company", "year", title="Cut costs")
    body = member.get(url("picker"), {"objective": mine.pk, "q": "apac"}).content.decode()
    assert "Brand value in APAC" in body and "Cut costs" not in body


def test_picker_search_matches_team_names_and_never_offers_descendants(member, make_objective):
    mine = make_objective("individual", "may", owner=member.membership)
    growth = make_objective("team:growth", "q2", title="Pipeline health")
    make_objective("team:sales", "q2", title="Pipeline volume")
    body = member.get(url("picker"), {"objective": mine.pk, "q": "GROW"}).content.decode()
    assert f'value="{growth.pk}"' in body and "Pipeline volume" not in body
    assert "Pipeline health · Growth" in body  # labelled with its team and period

    child = make_objective("team:growth", "may", title="Pipeline child", parent=growth)
    body = member.get(url("picker"), {"objective": growth.pk, "q": "pipeline"}).content.decode()
    assert f'value="{child.pk}"' not in body and f'value="{growth.pk}"' not in body


def test_picker_for_a_new_objective_uses_level_team_and_period(
    member, make_objective, periods, teams
):
    growth = make_objective("team:growth", "q2", title="Growth plan")
    sales = make_objective("team:sales", "q2", title="Sales plan")
    params = {"level": "team", "team": teams["marketing"].pk, "period": periods["may"].pk}
    body = member.get(url("picker"), params).content.decode()
    assert f'value="{growth.pk}"' in body and f'value="{sales.pk}"' not in body
    assert "Choose the level" in member.get(url("picker")).content.decode()


def test_picker_with_foreign_objective_is_404(member, other_org):
    foreign = ObjectiveFactory(org=other_org)
    assert member.get(url("picker"), {"objective": foreign.pk}).status_code == 404


# Tree, subtree and contribution path --------------------------------------------------------


def test_tree_shows_company_objectives_and_expands(admin, org, periods, teams):
    build_company(org, periods, teams, 1)
    body = admin.get(url("tree"), {"period": periods["q2"].pk}).content.decode()
    assert "Company goal 0" in body and "Show what aligns to it" in body
    assert "marketing plan 0" not in body  # collapsed until expanded
    full = admin.get(url("tree"), {"period": periods["q2"].pk, "expand": "all"}).content.decode()
    assert "marketing plan 0" in full and "Task 0.0" in full


def test_tree_nodes_nest_link_and_label_their_objectives(admin, make_objective, periods):
    top = make_objective("company", "q2", title="Grow <APAC>")
    mid = make_objective("team:marketing", "q2", title="Social", parent=top, status="done")
    make_objective("individual", "may", title="Followers", parent=mid, visibility=PRIVATE)
    q2 = periods["q2"].pk
    body = admin.get(url("tree"), {"period": q2}).content.decode()
    assert "Grow &lt;APAC&gt;" in body and "<APAC>" not in body
    assert f'hx-get="{url("subtree", objective_id=top.pk)}?period={q2}"' in body
    assert f'hx-target="#children-{top.pk}"' in body and "Show what aligns to it (1)" in body
    assert "Social" not in body  # collapsed until opened

    full = admin.get(url("tree"), {"period": q2, "expand": "all"}).content.decode()
    top_at, mid_at = full.index(f'id="node-{top.pk}"'), full.index(f'id="node-{mid.pk}"')
    assert top_at < full.index(f'id="children-{top.pk}"') < mid_at  # nested inside its parent
    assert "Marketing · Q2" in full and '<span class="badge status-done">Done</span>' in full
    assert "Private · not counted" in full and "Show what aligns" not in full
    assert f'href="/acme/objectives/{mid.pk}/"' in full


def test_subtree_partial_and_plain_page(admin, org, periods, teams):
    build_company(org, periods, teams, 1)
    company = Objective.objects.get(title="Company goal 0")
    partial = admin.get(
        url("subtree", objective_id=company.pk),
        {"period": periods["q2"].pk},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert "marketing plan 0" in partial and "<html" not in partial
    page = admin.get(url("subtree", objective_id=company.pk)).content.decode()
    assert "<html" in page and "sales plan 0" in page


def test_private_child_shows_only_for_people_who_may_see_it(admin, member, manager, make_objective):
    parent = make_objective("team:marketing", "q2", title="Team plan")
    stranger = MembershipFactory(org=parent.org)
    make_objective(
        "individual", "q2", owner=stranger, parent=parent, visibility=PRIVATE, title="Quiet work"
    )
    make_objective(
        "individual",
        "q2",
        owner=member.membership,
        parent=parent,
        visibility=PRIVATE,
        title="My quiet work",
    )
    sub = url("subtree", objective_id=parent.pk)
    assert "Quiet work" in admin.get(sub).content.decode()
    member_view = member.get(sub).content.decode()
    assert "Quiet work" not in member_view and "My quiet work" in member_view
    tree = member.get(url("tree"), {"period": parent.period.pk, "expand": "all"}).content.decode()
    assert "Quiet work" not in tree


def render_panel(objective, membership):
    objective.refresh_from_db()  # as a page would load it: with its current stored progress
    request = RequestFactory().get("/")
    request.org = membership.org
    request.membership = membership
    request.user = membership.user
    template = Template("{% load alignment_tags %}{% objective_alignment objective %}")
    return template.render(
        Context({"request": request, "org": membership.org, "objective": objective})
    )


def test_contribution_path_runs_up_to_the_vision(org, make_objective, member_membership):
    org.vision = "# Our vision\n\nBe the most loved brand in APAC.\nMore text."
    org.save()
    company = make_objective("company", "year", title="Brand value in APAC")
    KeyResultFactory(objective=company, current_value=50)
    team_obj = make_objective("team:marketing", "q2", title="Social presence", parent=company)
    mine = make_objective("individual", "may", owner=member_membership, parent=team_obj)
    KeyResultFactory(objective=mine, title="1,000 followers", current_value=25)
    helper = make_objective("individual", "may", parent=mine, title="Helper task")

    html = render_panel(mine, member_membership)
    path = html[html.index("contribution-path") : html.index("What contributes")]
    assert (
        path.index("Social presence") < path.index("Brand value in APAC") < path.index("Our vision")
    )
    assert "50%" in path and "25%" in path
    assert "Helper task" in html[html.index("What contributes") :]
    assert helper.owner.name in html
    assert 'action="' in html  # the owner may re-align


def test_contribution_path_hides_private_steps(org, make_objective, member_membership):
    secret = make_objective("team:marketing", "q2", title="Secret team plan", visibility=PRIVATE)
    # The owner of the parent team objective moved teams; the member cannot see it.
    from organizations.models import TeamMembership

    TeamMembership.objects.filter(membership=member_membership).delete()
    mine = make_objective("individual", "may", owner=member_membership, parent=secret)
    html = render_panel(mine, member_membership)
    assert "Secret team plan" not in html and "an objective you cannot see" in html


def test_viewers_who_cannot_edit_get_no_form(make_objective, member_membership):
    theirs = make_objective("individual", "may")
    assert "alignment:align" not in render_panel(theirs, member_membership)
    assert "<form" not in render_panel(theirs, member_membership)


# Dashboard content --------------------------------------------------------------------------


def test_dashboard_finds_what_a_manager_must_see(admin, manager, org, make_objective, periods):
    supported = make_objective("company", "year", title="Grow brand value in APAC")
    make_objective("company", "year", title="Open an office in Lagos")
    make_objective("team:marketing", "q2", title="Social presence", parent=supported)
    make_objective("team:marketing", "q2", title="Unlinked marketing plan")
    make_objective(
        "team:marketing",
        "q2",
        title="Launch the customer newsletter for the APAC region",
        description="Weekly newsletter for APAC customers",
        parent=supported,
    )
    make_objective(
        "team:sales",
        "q2",
        title="Launch a customer newsletter in the APAC region",
        description="Weekly newsletter for our APAC customers",
        parent=supported,
    )
    stale = make_objective("team:marketing", "q2", title="Quiet objective", parent=supported)
    kr = KeyResultFactory(objective=stale, title="Forgotten KR", confidence="off_track")
    KeyResult.objects.filter(pk=kr.pk).update(
        updated_at=timezone.now() - datetime.timedelta(days=30)
    )

    body = manager.get(url("dashboard"), {"period": periods["q2"].pk}).content.decode()
    unsupported = body[body.index("nobody supports") : body.index("Not aligned")]
    assert "Open an office in Lagos" in unsupported and "Grow brand" not in unsupported
    unaligned = body[body.index("Not aligned") : body.index("Possible duplicated")]
    assert "Unlinked marketing plan" in unaligned and "Social presence" not in unaligned
    duplicates = body[body.index("Possible duplicated") : body.index("At risk")]
    assert "Launch the customer newsletter" in duplicates
    assert "Launch a customer newsletter" in duplicates
    assert "Social presence" not in duplicates
    assert "Forgotten KR" in body and "Quiet objective" in body[body.index("At risk") :]
    assert "Health = (30 × coverage" in body and "<svg" in body
    assert "style=" not in body
    fresh = manager.get(url("dashboard"), {"period": periods["q2"].pk, "stale_days": 60})
    assert "Forgotten KR" not in fresh.content.decode()
    assert admin.get(url("dashboard"), {"stale_days": "abc"}).status_code == 200


# Query budgets ------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [1, 4])
def test_tree_query_budget(admin, member, org, periods, teams, size, django_assert_max_num_queries):
    build_company(org, periods, teams, size)
    for client in (admin, member):
        with django_assert_max_num_queries(12):
            response = client.get(url("tree"), {"period": periods["q2"].pk, "expand": "all"})
        assert response.status_code == 200
        assert f"Task {size - 1}.{size - 1}" in response.content.decode()


@pytest.mark.parametrize("size", [1, 4])
def test_subtree_query_budget(member, org, periods, teams, size, django_assert_max_num_queries):
    build_company(org, periods, teams, size)
    company = Objective.objects.get(title="Company goal 0")
    with django_assert_max_num_queries(14):
        response = member.get(url("subtree", objective_id=company.pk), HTTP_HX_REQUEST="true")
    assert response.status_code == 200


@pytest.mark.parametrize("size", [1, 4])
def test_dashboard_query_budget(
    admin, manager, org, periods, teams, size, django_assert_max_num_queries
):
    """The first visit after a change rebuilds the period's figures (every scope at once);
    the visits after it read one stored row. Both stay flat as the company grows."""
    build_company(org, periods, teams, size)
    period = {"period": periods["q2"].pk}
    # "Dependencies needing attention" costs one query (a team's dashboard two: its sub-teams).
    with django_assert_max_num_queries(25):  # the session is read from PostgreSQL
        assert admin.get(url("dashboard"), period).status_code == 200
    for client in (admin, manager):
        with django_assert_max_num_queries(7 if client is admin else 9):
            response = client.get(url("dashboard"), period)
        assert response.status_code == 200
    with django_assert_max_num_queries(9):  # and the team
        admin.get(url("team-dashboard", team_id=teams["growth"].pk), period)


@pytest.mark.parametrize("size", [1, 4])
def test_picker_query_budget(member, org, periods, teams, size, django_assert_max_num_queries):
    build_company(org, periods, teams, size)
    mine = ObjectiveFactory(org=org, period=periods["may"], owner=member.membership)
    with django_assert_max_num_queries(12):
        response = member.get(url("picker"), {"objective": mine.pk, "q": "plan"})
    assert "marketing plan 0" in response.content.decode()


@pytest.mark.parametrize("size", [1, 4])
def test_contribution_panel_query_budget(
    org, periods, teams, member_membership, size, django_assert_max_num_queries
):
    build_company(org, periods, teams, size)
    company = Objective.objects.get(title="Company goal 0")
    with django_assert_max_num_queries(14):
        html = render_panel(company, member_membership)
    assert "marketing plan 0" in html


def test_private_child_counts_for_nobody_and_is_marked_for_those_who_see_it(
    org, period, admin, member
):
    """Stored aligned progress is the same for everyone: private work does not move it, so
    nobody can infer a private objective from its parent's number."""
    from tests.factories import KeyResultFactory, ObjectiveFactory

    parent = ObjectiveFactory(org=org, period=period, level="company", owner=None, title="Top")
    KeyResultFactory(objective=parent, current_value=0)
    public = ObjectiveFactory(org=org, period=period, parent=parent, title="Open work")
    KeyResultFactory(objective=public, current_value=100)
    private = ObjectiveFactory(
        org=org, period=period, parent=parent, visibility="private", title="Secret work"
    )
    KeyResultFactory(objective=private, current_value=100)
    parent.refresh_from_db()
    assert parent.aligned_progress == Decimal("0.5")  # its KR (0) and the public child (1)

    for client, sees_private in ((admin, True), (member, False)):
        body = client.get(
            url("subtree", objective_id=parent.pk), HTTP_HX_REQUEST="true"
        ).content.decode()
        assert ("Secret work" in body) is sees_private
        if sees_private:
            assert "Private · not counted" in body
    tree = member.get(url("tree"), {"period": period.pk}).content.decode()
    assert "aligned</span> 50%" in tree and "Show what aligns to it (1)" in tree
    tree = admin.get(url("tree"), {"period": period.pk}).content.decode()
    assert "aligned</span> 50%" in tree and "Show what aligns to it (2)" in tree


def test_tree_lists_the_first_unaligned_objectives_and_links_to_them_all(
    member, org, periods, make_objective
):
    for n in range(12):
        make_objective("individual", "q2", title=f"Loose {n:02}")
    body = member.get(url("tree"), {"period": periods["q2"].pk}).content.decode()
    assert body.count("Loose ") == 10 and "and 2 more" in body
    explore = reverse("objectives:explore", kwargs={"org_slug": org.slug})
    assert f"{explore}?period={periods['q2'].pk}&amp;alignment=unaligned" in body


def test_tree_lists_what_aligns_in_any_period_with_the_same_numbers_everywhere(org, periods, admin):
    """A year objective's quarter children all show under it, so its aligned progress is
    explained by the nodes on screen whatever quarter the tree is opened on."""
    from tests.factories import KeyResultFactory, ObjectiveFactory

    top = ObjectiveFactory(org=org, period=periods["year"], level="company", owner=None)
    KeyResultFactory(objective=top, current_value=20)
    early = ObjectiveFactory(org=org, period=periods["q2"], parent=top, title="Early work")
    KeyResultFactory(objective=early, current_value=60, weight=2)
    later = ObjectiveFactory(org=org, period=periods["q3"], parent=top, title="Later work")
    KeyResultFactory(objective=later, current_value=90)
    top.refresh_from_db()
    # (0.2 + 0.6 + 0.9) / 3
    assert top.aligned_progress.quantize(Decimal("0.0001")) == Decimal("0.5667")

    body = admin.get(url("subtree", objective_id=top.pk), {"period": periods["q3"].pk}).content
    assert b"Early work" in body and b"Later work" in body
    detail = admin.get(
        reverse("objectives:objective", kwargs={"org_slug": org.slug, "objective_id": top.pk})
    ).content.decode()
    assert "aligned</span> 57%" in detail


def test_dashboard_team_rows_count_each_teams_subtree_and_its_peoples_objectives(
    org, periods, teams, make_objective, admin_membership
):
    """The team table, checked against the definition: a team's row counts the objectives of
    the team and its sub-teams and the individual objectives of their people."""
    from alignment.dashboard import build_dashboard
    from tests.factories import MembershipFactory, TeamMembershipFactory

    marketing, sales = teams["marketing"], teams["sales"]
    ann, bob, cy = (MembershipFactory(org=org) for _ in range(3))
    TeamMembershipFactory(team=marketing, membership=ann)  # marketing sits under growth
    TeamMembershipFactory(team=sales, membership=bob)
    TeamMembershipFactory(team=sales, membership=cy)
    TeamMembershipFactory(team=marketing, membership=cy)  # in two teams
    top = make_objective("company", "year", title="Top")
    grow = make_objective("team:growth", "q2", parent=top)
    KeyResultFactory(objective=grow, current_value=50)
    market = make_objective("team:marketing", "q2")
    mine = make_objective("individual", "q2", owner=ann, parent=market)
    KeyResultFactory(objective=mine, current_value=100)
    make_objective("individual", "q2", owner=cy, status="abandoned")
    make_objective("individual", "q2", owner=bob, parent=top)

    board = build_dashboard(org=org, period=periods["q2"], membership=admin_membership, roots=None)
    rows = {row.team.name: row.metrics for row in board.team_rows}
    people = {name: row.people for name, row in rows.items()}
    assert people == {"Growth": 2, "Marketing": 2, "Sales": 2}
    growth_row, marketing_row, sales_row = rows["Growth"], rows["Marketing"], rows["Sales"]
    # Growth: its objective, marketing's, ann's (cy's is abandoned); covered: ann only.
    assert (growth_row.objectives, growth_row.covered) == (3, 1)
    assert (growth_row.aligned, growth_row.alignable) == (2, 3)
    assert (growth_row.supported, growth_row.top) == (1, 2)  # marketing's has ann's under it
    assert growth_row.progress == Decimal("0.75")  # 50% and 100%; marketing's has no KRs
    assert (marketing_row.objectives, marketing_row.aligned, marketing_row.covered) == (2, 1, 1)
    assert (sales_row.objectives, sales_row.aligned, sales_row.covered) == (1, 1, 1)
    assert sales_row.progress is None
    assert board.metrics.objectives == 5 and board.metrics.people >= 3


def test_contribution_panel_lists_ten_contributors_and_links_to_all(
    org, make_objective, member_membership
):
    top = make_objective("company", "year", title="Top")
    for n in range(12):
        make_objective("individual", "may", title=f"Helper {n:02d}", parent=top)
    html = render_panel(top, member_membership)
    listed = html[html.index("What contributes") : html.index("See all")]
    assert listed.count("Helper ") == 10 and "Helper 00" in listed and "Helper 11" not in listed
    assert "See all 12 objectives aligned to it" in html
    assert (
        reverse("alignment:subtree", kwargs={"org_slug": org.slug, "objective_id": top.pk}) in html
    )
