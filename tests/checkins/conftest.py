import pytest

from tests.factories import KeyResultFactory, ObjectiveFactory


@pytest.fixture
def my_kr(org, period, member_membership):
    """A KR of the member's own individual objective, 0 -> 100."""
    objective = ObjectiveFactory(org=org, period=period, owner=member_membership, title="Grow")
    return KeyResultFactory(objective=objective, title="Gain followers", target_value=100)


@pytest.fixture
def admins_kr(org, period, admin_membership):
    """A KR of the admin's own objective: the member may not check in on it."""
    objective = ObjectiveFactory(org=org, period=period, owner=admin_membership, title="Admin's")
    return KeyResultFactory(objective=objective, title="Admin's KR")


@pytest.fixture
def foreign_kr(other_org, outsider_membership):
    objective = ObjectiveFactory(org=other_org, owner=outsider_membership, title="Globex goal")
    return KeyResultFactory(objective=objective, title="Globex KR")
