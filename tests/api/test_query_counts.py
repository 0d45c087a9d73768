"""Every endpoint answers in the same number of queries for a small and a larger company
(the page's rows, never a query per row)."""

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import factories as f

from .conftest import TokenClient


def _company(org, period, team, member_m, manager_m, size):
    """``size`` objectives of the member's, each with two KRs and check-ins, aligned under
    a team objective; ``size`` more people in the team; the admin's private objectives."""
    team_goal = f.ObjectiveFactory(org=org, period=period, level="team", team=team,
                                   owner=manager_m, title="Team goal")  # fmt: skip
    for n in range(size):
        objective = f.ObjectiveFactory(org=org, period=period, owner=member_m, parent=team_goal)
        for k in range(2):
            kr = f.KeyResultFactory(objective=objective, title=f"KR {n}.{k}")
            f.CheckInFactory(key_result=kr, author=member_m)
        person = f.MembershipFactory(org=org)
        f.TeamMembershipFactory(team=team, membership=person)
        f.ObjectiveFactory(org=org, period=period, owner=person, visibility="private")
        f.TeamFactory(org=org, name=f"Team {size}-{n}")
    kr = objective.key_results.first()
    return {"objective": objective, "kr": kr, "team_goal": team_goal}


def _requests(c, rows, period, team, member_m):
    o, kr = rows["objective"], rows["kr"]
    api = "/acme/api"
    return [
        ("periods", "get", f"{api}/periods/", None),
        ("period", "get", f"{api}/periods/{period.pk}/", None),
        ("teams", "get", f"{api}/teams/", None),
        ("team", "get", f"{api}/teams/{team.pk}/", None),
        ("people", "get", f"{api}/people/", None),
        ("people of a team", "get", f"{api}/people/?team={team.pk}", None),
        ("person", "get", f"{api}/people/{member_m.pk}/", None),
        ("objectives", "get", f"{api}/objectives/", None),
        ("objectives filtered", "get",
         f"{api}/objectives/?period={period.pk}&owner={member_m.pk}", None),
        ("objective", "get", f"{api}/objectives/{o.pk}/", None),
        ("key results", "get", f"{api}/objectives/{o.pk}/key-results/", None),
        ("key result", "get", f"{api}/key-results/{kr.pk}/", None),
        ("parent", "get", f"{api}/objectives/{o.pk}/parent/", None),
        ("check-ins", "get", f"{api}/key-results/{kr.pk}/check-ins/", None),
        # A title like no other: a look-alike found would add its one INSERT.
        ("create objective", "post", f"{api}/objectives/",
         {"period_id": period.pk, "level": "individual", "title": uuid.uuid4().hex}),
        ("update objective", "patch", f"{api}/objectives/{o.pk}/", {"description": "x"}),
        ("create key result", "post", f"{api}/objectives/{o.pk}/key-results/", {"title": "New KR"}),
        ("update key result", "patch", f"{api}/key-results/{kr.pk}/", {"weight": "2"}),
        ("check in", "post", f"{api}/key-results/{kr.pk}/check-ins/",
         {"value": "7", "confidence": "on_track"}),
        ("unlink", "delete", f"{api}/objectives/{o.pk}/parent/", None),
        ("align", "put", f"{api}/objectives/{o.pk}/parent/",
         {"parent_objective_id": rows["team_goal"].pk}),
    ]  # fmt: skip


def _counts(org, period, team, member_m, manager_m, size) -> dict:
    rows = _company(org, period, team, member_m, manager_m, size)
    client = TokenClient(member_m)
    counts = {}
    for label, method, url, data in _requests(client, rows, period, team, member_m):
        send = getattr(client, method)
        args = [data] if data is not None else []
        if method == "get":
            send(url)  # warm: the token's "last used" write happens once in five minutes
        with CaptureQueriesContext(connection) as captured:
            response = send(url, *args)
        assert response.status_code < 300, (label, response.status_code, response.content[:300])
        counts[label] = len(captured.captured_queries)
    return counts


@pytest.mark.parametrize("sizes", [(3, 30)])
def test_every_endpoint_is_flat_at_two_sizes(
    org, period, team, member_membership, manager_membership, sizes
):
    small = _counts(org, period, team, member_membership, manager_membership, sizes[0])
    from django.core.cache import cache

    cache.clear()
    large = _counts(org, period, team, member_membership, manager_membership, sizes[1])
    assert large == small
    # And small: a read is the token, the membership, the rows and what they carry.
    assert max(small[label] for label in small if label.startswith(("period", "team"))) <= 4
    assert small["objectives"] <= 7
