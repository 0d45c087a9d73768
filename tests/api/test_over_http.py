"""A script's whole session over real HTTP (the app served on a loopback port by
pytest-django's live server, read with urllib): list, create, align, check in, paginate,
and the refusals, each a JSON answer with the right status."""

import json
import urllib.error
import urllib.request

import pytest

from api.services import api_token_create, api_token_revoke
from objectives.models import Objective
from tests import factories as f


def _call(base, token, method, path, body=None):
    request = urllib.request.Request(
        base + path,
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
            "Accept": "application/json",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        assert error.headers["Content-Type"].startswith("application/json"), error.headers
        return error.code, json.loads(error.read())


@pytest.fixture
def company(transactional_db):
    org = f.OrganizationFactory(name="Acme", slug="acme")
    other = f.OrganizationFactory(name="Globex", slug="globex")
    period = f.PeriodFactory(org=org, is_current=True)
    team = f.TeamFactory(org=org, name="Marketing")
    manager = f.MembershipFactory(org=org, role="manager")
    f.TeamMembershipFactory(team=team, membership=manager, is_manager=True)
    member = f.MembershipFactory(org=org, role="member")
    f.TeamMembershipFactory(team=team, membership=member)
    admin = f.MembershipFactory(org=org, role="admin")
    team_goal = f.ObjectiveFactory(org=org, period=period, level="team", team=team, owner=manager)
    secret = f.ObjectiveFactory(org=org, period=period, owner=admin, visibility="private")
    outsider = f.MembershipFactory(org=other, role="admin")
    return locals()


def test_a_script_works_with_the_api_over_http(live_server, company):
    base = live_server.url + "/acme/api"
    c = company
    _, write = api_token_create(
        actor=c["member"], name="script", access="read_write", expires_in_days=7
    )
    _, read = api_token_create(actor=c["member"], name="ro", access="read", expires_in_days=7)

    status, created = _call(base, write, "POST", "/objectives/", {
        "period_id": c["period"].pk, "level": "individual", "title": "Ship the API",
        "publish": True,
    })  # fmt: skip
    assert (status, created["status"]) == (201, "active")
    oid = created["id"]
    status, aligned = _call(base, write, "PUT", f"/objectives/{oid}/parent/",
                            {"parent_objective_id": c["team_goal"].pk})  # fmt: skip
    assert (status, aligned["parent_id"]) == (200, c["team_goal"].pk)
    status, kr = _call(base, write, "POST", f"/objectives/{oid}/key-results/",
                       {"title": "Ten endpoints", "target_value": 10})  # fmt: skip
    assert status == 201
    news = {"value": 4, "confidence": "on_track", "note": "Reads done"}
    status, checkin = _call(base, write, "POST", f"/key-results/{kr['id']}/check-ins/", news)
    assert status == 201
    status, page = _call(base, read, "GET", f"/key-results/{kr['id']}/check-ins/")
    assert [item["id"] for item in page["items"]] == [checkin["id"]]

    # The list, a page at a time: the private objective is in none of them.
    ids, cursor = [], ""
    while True:
        status, page = _call(base, read, "GET", f"/objectives/?limit=1{cursor}")
        ids += [item["id"] for item in page["items"]]
        if not page["next_cursor"]:
            break
        cursor = "&cursor=" + page["next_cursor"]
    assert ids == sorted([c["team_goal"].pk, oid])

    refusals = {
        "read-only write": _call(base, read, "PATCH", f"/objectives/{oid}/", {"title": "x"}),
        "private objective": _call(base, read, "GET", f"/objectives/{c['secret'].pk}/"),
        "bad payload": _call(base, write, "POST", "/objectives/", {"title": ""}),
        "no such endpoint": _call(base, read, "GET", "/nothing-here/"),
        "bad token": _call(base, "aln_wrong", "GET", "/objectives/"),
    }
    assert {what: status for what, (status, _) in refusals.items()} == {
        "read-only write": 403,
        "private objective": 404,
        "bad payload": 422,
        "no such endpoint": 404,
        "bad token": 401,
    }
    assert set(refusals["bad payload"][1]["errors"]) == {"period_id", "level"}

    # Another company's token on acme's URLs: nothing there.
    _, theirs = api_token_create(
        actor=c["outsider"], name="x", access="read_write", expires_in_days=7
    )
    assert _call(base, theirs, "GET", f"/objectives/{oid}/")[0] == 404
    # Revoked: refused at once.
    api_token_revoke(actor=c["member"], token=c["member"].api_tokens.get(name="ro"))
    assert _call(base, read, "GET", "/objectives/")[0] == 401
    assert Objective.objects.get(pk=oid).title == "Ship the API"
