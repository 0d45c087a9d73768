import pytest

from tests.factories import KeyResultFactory, ObjectiveFactory


@pytest.fixture
def my_objective(org, period, member_membership):
    objective = ObjectiveFactory(
        org=org, period=period, owner=member_membership, title="Grow followers"
    )
    KeyResultFactory(objective=objective, title="Gain 1,000 followers", target_value=1000)
    return objective


@pytest.fixture
def objectives_by_level(org, period, team, member_membership, admin_membership):
    """One objective per level (plus someone else's individual one), each with a KR."""
    rows = {
        "company": ObjectiveFactory(
            org=org, period=period, level="company", owner=admin_membership, title="Company"
        ),
        "team": ObjectiveFactory(
            org=org, period=period, level="team", team=team, owner=None, title="Team"
        ),
        "own": ObjectiveFactory(org=org, period=period, owner=member_membership, title="Own"),
        "others": ObjectiveFactory(org=org, period=period, owner=admin_membership, title="Other"),
    }
    for objective in rows.values():
        KeyResultFactory(objective=objective, owner=objective.owner)
    return rows
