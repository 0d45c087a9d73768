"""Alignment test data: a year, a quarter inside it, a month inside that, another quarter;
teams Growth > Marketing, and Sales."""

import datetime

import pytest

from objectives.models import Objective
from tests.factories import ObjectiveFactory, PeriodFactory, TeamFactory

Level = Objective.Level


@pytest.fixture
def periods(org):
    year = PeriodFactory(
        org=org,
        kind="year",
        name="2031",
        start=datetime.date(2031, 1, 1),
        end=datetime.date(2031, 12, 31),
    )
    q2 = PeriodFactory(
        org=org,
        kind="quarter",
        name="Q2 2031",
        start=datetime.date(2031, 4, 1),
        end=datetime.date(2031, 6, 30),
        parent=year,
    )
    may = PeriodFactory(
        org=org,
        kind="month",
        name="May 2031",
        start=datetime.date(2031, 5, 1),
        end=datetime.date(2031, 5, 31),
        parent=q2,
    )
    q3 = PeriodFactory(
        org=org,
        kind="quarter",
        name="Q3 2031",
        start=datetime.date(2031, 7, 1),
        end=datetime.date(2031, 9, 30),
        parent=year,
    )
    return {"year": year, "q2": q2, "may": may, "q3": q3}


@pytest.fixture
def teams(org, team):
    growth = TeamFactory(org=org, name="Growth")
    team.parent = growth  # the persona's "Marketing" team sits under Growth
    team.save()
    sales = TeamFactory(org=org, name="Sales")
    return {"growth": growth, "marketing": team, "sales": sales}


@pytest.fixture
def make_objective(org, periods, teams):
    """make_objective("team:marketing", "q2") / ("company", "year") / ("individual", "may")."""

    def make(spec: str, period: str, **kwargs):
        level, _, team_name = spec.partition(":")
        fields = {"org": org, "period": periods[period], "level": level}
        if level == Level.TEAM:
            fields["team"] = teams[team_name]
        if level != Level.INDIVIDUAL:
            fields.setdefault("owner", None)
        fields.update(kwargs)
        return ObjectiveFactory(**fields)

    return make
