"""Query budgets of the closing pages at two sizes: the counts stay flat as data grows."""

import pytest
from django.urls import reverse

from closing import services
from closing.models import ReflectionQuestion
from tests.closing.conftest import grade_all
from tests.factories import (
    KeyResultFactory,
    MembershipFactory,
    ObjectiveFactory,
    TeamFactory,
    TeamMembershipFactory,
)

pytestmark = pytest.mark.django_db


def _grow(org, period, n, next_quarter, admin_membership):
    """``n`` teams with a person each, their graded, reflected and carried-over objectives."""
    questions = list(ReflectionQuestion.objects.filter(org=org).values_list("pk", flat=True))
    for i in range(n):
        team = TeamFactory(org=org)
        person = MembershipFactory(org=org)
        TeamMembershipFactory(team=team, membership=person)
        objective = ObjectiveFactory(org=org, period=period, owner=person, title=f"O{i}")
        for _ in range(3):
            KeyResultFactory(objective=objective)
        team_objective = ObjectiveFactory(
            org=org, period=period, level="team", team=team, owner=None
        )
        KeyResultFactory(objective=team_objective)
        grade_all(objective, admin_membership, outcome="postponed")
        services.objective_grade(
            objective=objective,
            actor=admin_membership,
            grades={},
            outcome="postponed",
            answers={q: f"answer {i}" for q in questions},
        )
        if i % 2:
            services.objective_carry_over(
                actor=admin_membership, objective=objective, into_period=next_quarter
            )


PAGES = [
    # (persona, URL name, what the URL names, budget: the count measured, the same at both
    # sizes). The report reads each reflection question's answers with two queries (three
    # questions here; at most ten), whatever the number of objectives.
    ("member", "closing:grade", "mine", 9),
    ("admin", "closing:progress", "period", 11),
    ("manager", "closing:progress", "period", 11),
    ("admin", "closing:report", "period", 13),
    ("member", "closing:report", "period", 14),
    ("admin", "closing:report-csv", "period", 12),
    ("member", "closing:carry-over", "mine", 8),
    ("admin", "closing:questions", None, 5),
    # (The objective page's "Needs from others" is one of its queries.)
    ("member", "objectives:objective", "mine", 18),
]


@pytest.mark.parametrize("persona, name, target, budget", PAGES)
@pytest.mark.parametrize("size", [2, 12])
def test_closing_pages_stay_within_their_query_budget(
    request,
    closing,
    mine,
    next_quarter,
    admin_membership,
    member_membership,
    org,
    team,
    size,
    persona,
    name,
    target,
    budget,
    django_assert_max_num_queries,
):
    grade_all(mine, member_membership, outcome="postponed")
    _grow(org, closing, size, next_quarter, admin_membership)
    client = request.getfixturevalue(persona)
    kwargs = {"org_slug": "acme"}
    if target == "mine":
        kwargs["objective_id"] = mine.pk
    elif target == "period":
        kwargs["period_id"] = closing.pk
    url = reverse(name, kwargs=kwargs)
    if name == "closing:progress":
        url += f"?team={team.pk}"
    with django_assert_max_num_queries(budget):
        response = client.get(url)
    assert response.status_code == 200
