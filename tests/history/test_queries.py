"""Query budgets: a history tab, the change log and its export cost the same however long
the history is (one page by cursor, names resolved in one query per kind)."""

import pytest
from django.urls import reverse

from alignment.services import objective_align
from checkins import services as checkin_services
from history.context import recorded_as
from objectives import services as objective_services
from objectives.models import Objective
from tests.factories import KeyResultFactory, MembershipFactory, ObjectiveFactory

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


def url(name, **kwargs):
    return reverse(f"history:{name}", kwargs={"org_slug": "acme", **kwargs})


def _busy_objective(org, period, owner, size):
    """An objective edited ``size`` times by three people, re-aligned between a public and
    a private parent, its key result checked in on ``size`` times."""
    people = [
        MembershipFactory(org=org, role="admin", user__full_name=f"Person {i}") for i in range(3)
    ]
    parents = [
        ObjectiveFactory(org=org, period=period, level="company", title="Public parent"),
        ObjectiveFactory(
            org=org,
            period=period,
            level="company",
            title="Private parent",
            visibility=Objective.Visibility.PRIVATE,
        ),
    ]
    objective = ObjectiveFactory(org=org, period=period, owner=owner, title="Busy")
    kr = KeyResultFactory(objective=objective, owner=owner)
    for i in range(size):
        with recorded_as(people[i % 3]):  # one context each, as one request each would be
            objective_services.objective_update(
                objective=objective, actor=people[i % 3], title=f"Busy {i}"
            )
        with recorded_as(None, task="align"):
            objective_align(objective=objective, parent=parents[i % 2], actor=None)
        with recorded_as(owner):
            checkin_services.checkin_submit(kr=kr, author=owner, value=i + 1, confidence="on_track")
    return objective, kr


@pytest.mark.parametrize("size", [2, 40])
def test_objective_history_costs_the_same_however_long(
    django_assert_max_num_queries, member, member_membership, org, period, size
):
    objective, _ = _busy_objective(org, period, member_membership, size)
    # Session, user, membership, the objective, the viewer's grants and teams, the page of
    # changes, then one query per kind of name: objectives (visibility), key results,
    # people, periods (a created row names its period).
    with django_assert_max_num_queries(10):
        response = member.get(url("objective", objective_id=objective.pk), **HX)
    html = response.content.decode()
    assert "Private parent" not in html and "a private objective" in html
    assert html.count('class="history-entry"') == min(size * 2 + 2, 30)


@pytest.mark.parametrize("size", [2, 40])
def test_key_result_history_costs_the_same_however_long(
    django_assert_max_num_queries, member, member_membership, org, period, size
):
    _, kr = _busy_objective(org, period, member_membership, size)
    with django_assert_max_num_queries(10):
        response = member.get(url("kr", kr_id=kr.pk), **HX)
    # A check-in and the value it moved are one entry (two rows of the page of 30).
    assert response.content.decode().count('class="history-entry"') == min(size + 1, 15)


@pytest.mark.parametrize("size", [2, 40])
def test_the_change_log_costs_the_same_however_long(
    django_assert_max_num_queries, admin, member_membership, org, period, size
):
    _busy_objective(org, period, member_membership, size)
    # The page, the chosen person (none here), names: one query per kind.
    with django_assert_max_num_queries(12):
        response = admin.get(url("log"))
    assert response.status_code == 200
    with django_assert_max_num_queries(12):
        response = admin.get(url("log"), {"kind": "objectives.objective", "who": "person"})
    assert response.status_code == 200


@pytest.mark.parametrize("size", [2, 40])
def test_the_export_costs_the_same_however_long(
    django_assert_max_num_queries, admin, member_membership, org, period, size
):
    _busy_objective(org, period, member_membership, size)
    with django_assert_max_num_queries(12):
        response = admin.get(url("log-csv"))
        body = b"".join(response.streaming_content).decode()
    assert body.count("\n") > size
