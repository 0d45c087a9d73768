import datetime
from decimal import Decimal

import pytest

from closing import services
from objectives.models import Objective
from tests.factories import KeyResultFactory, ObjectiveFactory, PeriodFactory


@pytest.fixture
def quarter(org):
    """A past quarter to close, before the current one."""
    return PeriodFactory(
        org=org,
        name="FY2026 Q3",
        start=datetime.date(2026, 7, 1),
        end=datetime.date(2026, 9, 30),
    )


@pytest.fixture
def next_quarter(period):
    """The current quarter (after ``quarter``)."""
    return period


@pytest.fixture
def mine(org, quarter, member_membership):
    """Mia's objective of the quarter with two key results: 40 of 100, and 10 of 10."""
    objective = ObjectiveFactory(org=org, period=quarter, owner=member_membership, title="Grow")
    KeyResultFactory(
        objective=objective, title="Followers", start_value=0, target_value=100, current_value=40
    )
    KeyResultFactory(
        objective=objective, title="Posts", start_value=0, target_value=10, current_value=10
    )
    return objective


@pytest.fixture
def closing(quarter, admin_membership):
    services.period_closing_start(period=quarter, actor=admin_membership)
    quarter.refresh_from_db()
    return quarter


def grade_all(objective, actor, outcome="partly", score="0.5"):
    grades = {
        kr.pk: services.GradeInput(score=Decimal(score), reason="why")
        for kr in objective.key_results.all()
    }
    return services.objective_grade(
        objective=Objective.objects.select_related("period").get(pk=objective.pk),
        actor=actor,
        grades=grades,
        outcome=outcome,
    )
