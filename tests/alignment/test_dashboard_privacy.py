"""A dashboard's figures and its lists come from the same visible set: a private objective the
viewer may not see is in neither, and makes no other objective count as duplicated or
supported; a viewer who may see it finds it in both."""

import pytest
from django.urls import reverse
from guardian.shortcuts import assign_perm

from objectives.models import Objective
from tests.factories import TeamMembershipFactory

pytestmark = pytest.mark.django_db

PRIVATE = Objective.Visibility.PRIVATE
NEWSLETTER = "Grow the newsletter to 10,000 engaged readers"


def board_of(client, periods, team=None):
    if team is None:
        path = reverse("alignment:dashboard", kwargs={"org_slug": "acme"})
    else:
        path = reverse("alignment:team-dashboard", kwargs={"org_slug": "acme", "team_id": team.pk})
    response = client.get(path, {"period": periods["q2"].pk})
    assert response.status_code == 200
    return response.context["board"], response.content.decode()


def assert_figures_match_lists(board, scope_ids):
    """What the numbers say is what the lists show (the lists are short here: not cut)."""
    listed_pair_sides = {o.pk for p in board.duplicates for o in (p.first, p.second)}
    assert board.duplicates_total == len(board.duplicates)
    assert board.metrics.duplicated == len(listed_pair_sides & scope_ids)
    assert board.metrics.top - board.metrics.supported == board.unsupported_team_total
    assert board.unsupported_team_total == len(board.unsupported_team)
    assert board.company_top - board.company_supported == board.unsupported_total
    assert board.unsupported_total == len(board.unsupported)


@pytest.fixture
def world(org, periods, teams, make_objective, manager_membership):
    """The Marketing manager's scope, and a Sales person's private work it touches:
    a private look-alike of Marketing's objective, a private objective that alone supports
    another of Marketing's, and one that alone supports a company objective; plus a private
    company objective."""
    seller = TeamMembershipFactory(team=teams["sales"]).membership
    newsletter = make_objective("team:marketing", "q2", title=NEWSLETTER)
    look_alike = make_objective(
        "team:sales", "q2", title=NEWSLETTER.replace("Grow", "Grow up"), visibility=PRIVATE
    )
    partners = make_objective("team:marketing", "q2", title="Launch the partner programme")
    company = make_objective("company", "q2", title="Be the market leader")
    secret_company = make_objective("company", "q2", title="Acquire Globex", visibility=PRIVATE)
    supports_partners = make_objective(
        "individual", "q2", owner=seller, parent=partners, title="Sign ten partners",
        visibility=PRIVATE,
    )  # fmt: skip
    supports_company = make_objective(
        "individual", "q2", owner=seller, parent=company, title="Close the big deal",
        visibility=PRIVATE,
    )  # fmt: skip
    return {
        "newsletter": newsletter,
        "look_alike": look_alike,
        "partners": partners,
        "company": company,
        "secret_company": secret_company,
        "private": [look_alike, secret_company, supports_partners, supports_company],
        "scope_ids": {newsletter.pk, partners.pk},
    }


def test_a_manager_who_cannot_see_them_finds_them_in_no_figure_and_no_list(
    manager, periods, teams, world
):
    for board, body in (
        board_of(manager, periods),
        board_of(manager, periods, team=teams["marketing"]),
    ):
        assert board.duplicates == [] and board.metrics.duplicated == 0
        # Nothing they may see supports these: "nobody supports" them, in figure and list.
        assert {o.pk for o in board.unsupported_team} == world["scope_ids"]
        assert board.metrics.supported == 0
        assert [o.pk for o in board.unsupported] == [world["company"].pk]
        assert (board.company_supported, board.company_top) == (0, 1)
        for row in board.team_rows:
            assert row.metrics.duplicated == 0 and row.metrics.supported == 0
        assert_figures_match_lists(board, world["scope_ids"])
        for secret in world["private"]:
            assert secret.title not in body


def test_a_manager_who_may_see_them_finds_them_in_figures_and_lists(manager, periods, world):
    for secret in world["private"]:
        assign_perm("objectives.share_objective", manager.user, secret)
    board, body = board_of(manager, periods)
    assert [(p.first.pk, p.second.pk) for p in board.duplicates] == [
        tuple(sorted((world["newsletter"].pk, world["look_alike"].pk)))
    ]
    assert board.metrics.duplicated == 1
    assert [o.pk for o in board.unsupported_team] == [world["newsletter"].pk]
    assert board.metrics.supported == 1
    assert [o.pk for o in board.unsupported] == [world["secret_company"].pk]
    assert (board.company_supported, board.company_top) == (1, 2)
    assert_figures_match_lists(board, world["scope_ids"])


def test_an_admin_sees_everything_counted_and_listed(admin, periods, teams, world):
    board, _ = board_of(admin, periods, team=teams["marketing"])
    assert board.metrics.duplicated == 1 and board.duplicates_total == 1
    assert board.metrics.supported == 1
    assert [o.pk for o in board.unsupported_team] == [world["newsletter"].pk]
    assert (board.company_supported, board.company_top) == (1, 2)
    assert_figures_match_lists(board, world["scope_ids"])
