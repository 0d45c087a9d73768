"""The REST API as a script sees it: a personal access token, JSON in and out.

Everything goes through the tenancy middleware, the access module and the services, so the
API can do what the person can do in the browser, and no more."""

import datetime
from decimal import Decimal

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from api.models import ApiToken
from api.services import api_token_revoke
from audit.models import AuditEntry
from checkins.models import CheckIn
from objectives.models import Objective
from tests import factories as f

from .conftest import TokenClient

API = "/acme/api"


@pytest.fixture
def mine(org, period, member_membership):
    objective = f.ObjectiveFactory(
        org=org, period=period, owner=member_membership, title="Grow followers"
    )
    f.KeyResultFactory(objective=objective, title="Gain 1,000 followers", target_value=1000)
    return objective


@pytest.fixture
def secret(org, period, admin_membership):
    """The admin's private objective: the member may not see it."""
    objective = f.ObjectiveFactory(
        org=org, period=period, owner=admin_membership, title="Secret merger plan",
        visibility=Objective.Visibility.PRIVATE,
    )  # fmt: skip
    f.KeyResultFactory(objective=objective, title="Secret KR")
    return objective


# --- tokens -------------------------------------------------------------------------------------


def test_no_token_is_401_with_a_readable_body(org, member):
    """A signed-in browser session is not enough: the API needs a token."""
    response = member.get(f"{API}/objectives/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    body = response.json()
    assert body["code"] == "token_required"
    assert "Authorization: Bearer" in body["detail"]


def test_a_session_cannot_write_through_the_api(org, period, member, member_membership):
    """Cookies (and so cross-site forms) never reach an endpoint, with or without CSRF."""
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(member_membership.user)
    payload = {"period_id": period.pk, "level": "individual", "title": "Via cookies"}
    for client in (member, csrf_client):
        response = client.post(f"{API}/objectives/", payload, content_type="application/json")
        assert response.status_code == 401
    assert not Objective.objects.filter(title="Via cookies").exists()


@pytest.mark.parametrize(
    "header, code",
    [
        ("Bearer aln_not-a-token", "token_invalid"),
        ("Basic dXNlcjpwYXNz", "bad_authorization"),
        ("Bearer", "bad_authorization"),
    ],
)
def test_bad_tokens_are_401_never_500(org, header, code):
    response = Client().get(f"{API}/objectives/", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.json()["code"] == code


def test_revoked_and_expired_tokens_are_refused(org, member_membership, member_api):
    assert member_api.get(f"{API}/periods/").status_code == 200
    api_token_revoke(actor=member_membership, token=member_api.token)
    response = member_api.get(f"{API}/periods/")
    assert (response.status_code, response.json()["code"]) == (401, "token_revoked")

    expired = TokenClient(member_membership)
    ApiToken.objects.filter(pk=expired.token.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    response = expired.get(f"{API}/periods/")
    assert (response.status_code, response.json()["code"]) == (401, "token_expired")


def test_a_person_who_left_loses_their_tokens(org, member_membership, member_api):
    member_membership.is_active = False
    member_membership.save(update_fields=["is_active"])
    assert member_api.get(f"{API}/periods/").status_code == 401


def test_tokens_are_stored_hashed(member_api):
    row = ApiToken.objects.get(pk=member_api.token.pk)
    stored = [str(value) for value in row.__dict__.values()]
    assert member_api.plain not in stored
    assert row.token_prefix == member_api.plain[:12]


def test_a_token_of_another_company_is_404_here(org, outsider_api, mine):
    """Globex's admin token on acme's URLs: as if acme did not exist."""
    for url in (f"{API}/periods/", f"{API}/objectives/", f"{API}/objectives/{mine.pk}/"):
        response = outsider_api.get(url)
        assert response.status_code == 404, url
        assert response.json()["code"] == "not_found"
    response = outsider_api.post(f"{API}/objectives/{mine.pk}/key-results/", {"title": "x"})
    assert response.status_code == 404


def test_a_token_speaks_for_its_own_company_only(org, other_org, member_membership, period):
    """The same person in two companies: acme's token does not open globex's API."""
    theirs = f.MembershipFactory(org=other_org, user=member_membership.user)
    f.PeriodFactory(org=other_org)
    acme_token = TokenClient(member_membership)
    assert acme_token.get("/globex/api/periods/").status_code == 404
    assert TokenClient(theirs).get("/globex/api/periods/").status_code == 200


def test_read_only_token_is_refused_every_write(org, period, mine, member_read_only):
    kr = mine.key_results.get()
    new = {"period_id": period.pk, "level": "individual", "title": "X"}
    attempts = [
        ("post", f"{API}/objectives/", new),
        ("patch", f"{API}/objectives/{mine.pk}/", {"title": "Changed"}),
        ("post", f"{API}/key-results/{kr.pk}/check-ins/", {"value": "5", "confidence": "on_track"}),
        ("delete", f"{API}/objectives/{mine.pk}/parent/", None),
    ]  # fmt: skip
    for method, url, data in attempts:
        response = getattr(member_read_only, method)(url, *([data] if data is not None else []))
        assert response.status_code == 403, (method, url)
        assert response.json()["code"] == "read_only_token"
    assert member_read_only.get(f"{API}/objectives/{mine.pk}/").status_code == 200
    mine.refresh_from_db()
    assert mine.title == "Grow followers"
    assert not CheckIn.objects.exists()


@override_settings(API_RATE_LIMIT_PER_MINUTE=3)
def test_rate_limit_per_token(org, member_membership, member_api):
    statuses = [member_api.get(f"{API}/periods/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = member_api.get(f"{API}/periods/")
    assert limited.json()["code"] == "rate_limited"
    assert 1 <= int(limited["Retry-After"]) <= 60
    # Counted per token: another token of the same person still works.
    assert TokenClient(member_membership).get(f"{API}/periods/").status_code == 200


# --- privacy ------------------------------------------------------------------------------------


def test_private_objectives_are_404_and_absent_from_lists(org, secret, mine, member_api):
    kr = secret.key_results.get()
    for url in (
        f"{API}/objectives/{secret.pk}/",
        f"{API}/objectives/{secret.pk}/key-results/",
        f"{API}/objectives/{secret.pk}/parent/",
        f"{API}/key-results/{kr.pk}/",
        f"{API}/key-results/{kr.pk}/check-ins/",
    ):
        response = member_api.get(url)
        assert response.status_code == 404, url
        assert response.json() == {"detail": "Not found.", "code": "not_found", "errors": {}}
    listed = member_api.get(f"{API}/objectives/").json()["items"]
    assert [o["title"] for o in listed] == ["Grow followers"]
    # Writes to it: 404 too, whatever the body, and nothing changes.
    assert (
        member_api.patch(f"{API}/objectives/{secret.pk}/", {"title": "Mine now"}).status_code == 404
    )
    checkin = {"value": "1", "confidence": "on_track"}
    assert member_api.post(f"{API}/key-results/{kr.pk}/check-ins/", checkin).status_code == 404
    secret.refresh_from_db()
    assert secret.title == "Secret merger plan"


def test_a_hidden_parent_is_not_named(org, period, admin_membership, member_membership, member_api):
    """A public objective aligned under a private one: the member does not learn its id."""
    hidden_parent = f.ObjectiveFactory(
        org=org, period=period, level="company", owner=admin_membership,
        visibility=Objective.Visibility.PRIVATE,
    )  # fmt: skip
    child = f.ObjectiveFactory(org=org, period=period, owner=member_membership)
    Objective.objects.filter(pk=child.pk).update(parent=hidden_parent)
    assert member_api.get(f"{API}/objectives/{child.pk}/").json()["parent_id"] is None
    assert member_api.get(f"{API}/objectives/{child.pk}/parent/").json() == {
        "parent_objective_id": None,
        "parent_key_result_id": None,
    }


def test_a_hidden_parent_in_a_payload_reads_like_a_missing_one(org, secret, mine, member_api):
    answers = [
        member_api.put(f"{API}/objectives/{mine.pk}/parent/", {"parent_objective_id": pk})
        for pk in (secret.pk, 987654321)
    ]
    assert [a.status_code for a in answers] == [422, 422]
    assert answers[0].json() == answers[1].json()
    assert answers[0].json()["errors"] == {"parent_objective_id": ["No such objective."]}


def test_visible_but_not_theirs_is_403(org, period, admin_membership, member_api):
    theirs = f.ObjectiveFactory(org=org, period=period, owner=admin_membership, title="Admin's")
    response = member_api.patch(f"{API}/objectives/{theirs.pk}/", {"title": "Mine"})
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


# --- writes through the services ----------------------------------------------------------------


def test_create_update_publish_an_objective_with_audit(org, period, member_membership, member_api):
    response = member_api.post(
        f"{API}/objectives/",
        {"period_id": period.pk, "level": "individual", "title": "Write the API docs"},
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert (created["status"], created["owner_id"]) == ("draft", member_membership.pk)

    url = f"{API}/objectives/{created['id']}/"
    response = member_api.patch(url, {"description": "For scripts", "version": created["version"]})
    assert response.status_code == 200
    assert response.json()["description"] == "For scripts"
    # A stale version is a conflict, not a silent overwrite.
    stale = member_api.patch(url, {"title": "Old", "version": created["version"]})
    assert (stale.status_code, stale.json()["code"]) == (409, "edit_conflict")

    published = member_api.post(f"{url}publish/")
    assert (published.status_code, published.json()["status"]) == (200, "active")
    actions = list(
        AuditEntry.objects.filter(target_id=created["id"], target_type="objectives.objective")
        .order_by("id")
        .values_list("action", "actor_id")
    )
    assert actions == [
        ("objective.create", member_membership.pk),
        ("objective.update", member_membership.pk),
        ("objective.publish", member_membership.pk),
    ]


def test_key_results_create_update_and_check_in(org, mine, member_membership, member_api):
    response = member_api.post(
        f"{API}/objectives/{mine.pk}/key-results/",
        {"title": "Publish 12 posts", "start_value": "0", "target_value": "12"},
    )
    assert response.status_code == 201, response.content
    kr = response.json()
    response = member_api.patch(f"{API}/key-results/{kr['id']}/", {"target_value": "10"})
    assert Decimal(response.json()["target_value"]) == 10

    url = f"{API}/key-results/{kr['id']}/check-ins/"
    response = member_api.post(url, {"value": 5, "confidence": "at_risk", "note": "Halfway"})
    assert response.status_code == 201
    assert Decimal(response.json()["value"]) == 5
    listed = member_api.get(url).json()["items"]
    assert [(c["note"], c["author_id"]) for c in listed] == [("Halfway", member_membership.pk)]
    detail = member_api.get(f"{API}/objectives/{mine.pk}/").json()
    assert Decimal(detail["progress"]) > 0  # the stored roll-up moved with the check-in
    assert AuditEntry.objects.filter(action="checkin.create", actor=member_membership).exists()


def test_align_and_unlink_through_the_alignment_service(
    org, period, team, manager_membership, mine, member_api
):
    team_goal = f.ObjectiveFactory(
        org=org, period=period, level="team", team=team, owner=manager_membership
    )
    url = f"{API}/objectives/{mine.pk}/parent/"
    response = member_api.put(url, {"parent_objective_id": team_goal.pk})
    assert response.status_code == 200, response.content
    assert response.json()["parent_id"] == team_goal.pk
    assert member_api.get(url).json() == {
        "parent_objective_id": team_goal.pk,
        "parent_key_result_id": None,
    }
    assert member_api.delete(url).json()["parent_id"] is None
    assert list(
        AuditEntry.objects.filter(target_id=mine.pk, action__startswith="objective.")
        .order_by("id")
        .values_list("action", flat=True)
    ) == ["objective.align", "objective.unlink"]


def test_alignment_rules_answer_with_a_field_message(
    org, period, member_membership, mine, member_api
):
    other_individual = f.ObjectiveFactory(org=org, period=period, owner=member_membership)
    response = member_api.put(
        f"{API}/objectives/{mine.pk}/parent/", {"parent_objective_id": other_individual.pk}
    )
    assert response.status_code == 422
    assert response.json()["errors"]["parent_objective_id"]


def test_when_the_company_asks_first_aligning_asks_the_owner(
    org, period, admin_membership, mine, member_api
):
    org.alignment_requests = True
    org.save(update_fields=["alignment_requests"])
    company_goal = f.ObjectiveFactory(
        org=org, period=period, level="company", owner=admin_membership
    )
    response = member_api.put(
        f"{API}/objectives/{mine.pk}/parent/", {"parent_objective_id": company_goal.pk}
    )
    assert response.status_code == 202
    assert response.json()["status"] == "pending"
    mine.refresh_from_db()
    assert mine.parent_id is None


# --- errors -------------------------------------------------------------------------------------


def test_bad_payloads_get_field_messages(org, period, other_org, mine, member_api):
    cases = [
        ({"level": "individual", "title": "No period"}, "period_id"),
        ({"period_id": period.pk, "level": "galaxy", "title": "X"}, "level"),
        ({"period_id": period.pk, "level": "individual", "title": "X", "colour": "red"}, "colour"),
        ({"period_id": period.pk, "level": "individual", "title": "A\x00B"}, "title"),
        ({"period_id": period.pk, "level": "individual", "title": "x" * 300}, "title"),
        ({"period_id": f.PeriodFactory(org=other_org).pk, "level": "individual", "title": "X"},
         "period_id"),
        ({"period_id": period.pk, "level": "team", "title": "No team"}, None),
    ]  # fmt: skip
    for payload, field in cases:
        response = member_api.post(f"{API}/objectives/", payload)
        assert response.status_code in (403, 422), (payload, response.content)
        body = response.json()
        assert set(body) == {"detail", "code", "errors"}
        if field:
            assert response.status_code == 422
            assert body["errors"][field], (payload, body)
    kr_url = f"{API}/key-results/{mine.key_results.get().pk}/check-ins/"
    for value in ("twelve", "NaN", "1e400"):
        response = member_api.post(kr_url, {"value": value, "confidence": "on_track"})
        assert response.status_code == 422, value
        assert response.json()["errors"]["value"]
    response = member_api.get(f"{API}/objectives/", limit="many")
    assert response.json()["errors"]["limit"]
    response = member_api.get(f"{API}/objectives/", cursor="not-a-cursor")
    assert response.json()["errors"] == {
        "cursor": ["Not a cursor this API gave: pass next_cursor from the previous page."]
    }
    response = member_api.client.post(
        f"{API}/objectives/", "{'not': json", content_type="application/json",
        headers=member_api.headers,
    )  # fmt: skip
    assert (response.status_code, response.json()["code"]) == (400, "bad_request")
    assert not Objective.objects.exclude(pk=mine.pk).exists()


def test_a_closed_period_is_read_only_through_the_api_too(org, period, mine, member_api):
    period.is_closed = True
    period.save(update_fields=["is_closed"])
    response = member_api.patch(f"{API}/objectives/{mine.pk}/", {"title": "Late change"})
    assert (response.status_code, response.json()["code"]) == (403, "period_closed")


# --- lists --------------------------------------------------------------------------------------


def test_filters_by_period_team_and_owner(
    org, period, team, member_membership, manager_membership, member_api
):
    later = f.PeriodFactory(org=org, name="Later", start=period.end + datetime.timedelta(days=1),
                            end=period.end + datetime.timedelta(days=90))  # fmt: skip
    a = f.ObjectiveFactory(org=org, period=period, owner=member_membership)
    b = f.ObjectiveFactory(org=org, period=later, owner=member_membership)
    c = f.ObjectiveFactory(org=org, period=period, level="team", team=team,
                           owner=manager_membership)  # fmt: skip

    def ids(**params):
        return [o["id"] for o in member_api.get(f"{API}/objectives/", **params).json()["items"]]

    assert ids(period=period.pk) == [a.pk, c.pk]
    assert ids(period=later.pk) == [b.pk]
    assert ids(team=team.pk) == [c.pk]
    assert ids(owner=member_membership.pk) == [a.pk, b.pk]
    people = member_api.get(f"{API}/people/", team=team.pk).json()["items"]
    assert {p["id"] for p in people} == {member_membership.pk, manager_membership.pk}


def test_cursor_pages_never_repeat_or_skip_under_inserts(
    org, period, member_membership, member_api
):
    first = [f.ObjectiveFactory(org=org, period=period, owner=member_membership) for _ in range(7)]
    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = member_api.get(f"{API}/objectives/", **params).json()
        seen += [o["id"] for o in page["items"]]
        pages += 1
        if pages == 1:  # someone adds objectives while the script reads
            late = [f.ObjectiveFactory(org=org, period=period, owner=member_membership)
                    for _ in range(2)]  # fmt: skip
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted({o.pk for o in first + late})
    assert len(seen) == len(set(seen)) == 9


def test_align_to_a_key_result_of_the_parent(
    org, period, team, manager_membership, mine, member_api
):
    team_goal = f.ObjectiveFactory(
        org=org, period=period, level="team", team=team, owner=manager_membership
    )
    kr = f.KeyResultFactory(objective=team_goal, title="MQLs to Sales")
    url = f"{API}/objectives/{mine.pk}/parent/"
    response = member_api.put(url, {"parent_key_result_id": kr.pk})
    assert response.status_code == 200, response.content
    assert (response.json()["parent_id"], response.json()["parent_key_result_id"]) == (
        team_goal.pk,
        kr.pk,
    )
    assert member_api.get(url).json() == {
        "parent_objective_id": team_goal.pk,
        "parent_key_result_id": kr.pk,
    }
    # Back to the objective itself: a PUT replaces the whole link.
    response = member_api.put(url, {"parent_objective_id": team_goal.pk})
    assert response.json()["parent_key_result_id"] is None
    other = f.ObjectiveFactory(org=org, period=period, level="team", team=team,
                               owner=manager_membership)  # fmt: skip
    response = member_api.put(url, {"parent_objective_id": other.pk, "parent_key_result_id": kr.pk})
    assert response.json()["errors"] == {
        "parent_key_result_id": ["Not a key result of that objective."]
    }
    assert member_api.put(url, {}).json()["code"] == "invalid"


def test_a_hidden_key_result_in_a_payload_reads_like_a_missing_one(org, secret, mine, member_api):
    hidden_kr = secret.key_results.get()
    answers = [
        member_api.put(f"{API}/objectives/{mine.pk}/parent/", {"parent_key_result_id": pk})
        for pk in (hidden_kr.pk, 987654321)
    ]
    assert [a.status_code for a in answers] == [422, 422]
    assert answers[0].json() == answers[1].json()
