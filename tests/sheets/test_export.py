"""Exports: a period's objectives, key results and check-ins as CSV and XLSX hold only what
the downloading person may see, with formula-like cells escaped; the company's JSON is for
its admins and holds no secrets."""

import json

import pytest
from django.urls import reverse

from objectives.models import Objective
from tests import factories as f

from .helpers import body, read_csv, read_xlsx


@pytest.fixture
def okrs(org, period, team, admin_membership, manager_membership, member_membership):
    """A public team objective with a KR and check-ins, Mia's objective under it, and what
    Mia may not see: the admin's private objective (the parent of a public one) and draft."""
    public = f.ObjectiveFactory(
        org=org,
        period=period,
        level="team",
        team=team,
        owner=manager_membership,
        title="Grow the audience",
    )
    kr = f.KeyResultFactory(
        objective=public, title='=HYPERLINK("http://evil")', start_value=-5, target_value=10
    )
    f.CheckInFactory(key_result=kr, author=member_membership, value=3, note="@SUM(A1) first")
    f.CheckInFactory(key_result=kr, author=member_membership, value=4, note="+1 better")
    private = f.ObjectiveFactory(
        org=org,
        period=period,
        level="company",
        owner=admin_membership,
        title="Secret merger plan",
        visibility=Objective.Visibility.PRIVATE,
    )
    f.KeyResultFactory(objective=private, title="Secret KR")
    draft = f.ObjectiveFactory(
        org=org,
        period=period,
        owner=admin_membership,
        title="Unpublished idea",
        status=Objective.Status.DRAFT,
    )
    under_secret = f.ObjectiveFactory(
        org=org,
        period=period,
        level="company",
        owner=admin_membership,
        title="Public child",
    )
    Objective.objects.filter(pk=under_secret.pk).update(parent=private)
    mine = f.ObjectiveFactory(org=org, period=period, owner=member_membership, title="-my own goal")
    Objective.objects.filter(pk=mine.pk).update(parent=public)
    other_period = f.PeriodFactory(org=org, name="Another quarter")
    f.ObjectiveFactory(
        org=org, period=other_period, owner=member_membership, title="Elsewhere in time"
    )
    return {
        "public": public,
        "private": private,
        "draft": draft,
        "mine": mine,
        "under_secret": under_secret,
        "kr": kr,
    }


def _csv(client, org, period, **query):
    response = client.get(reverse("sheets:period-csv", args=[org.slug, period.pk]), query)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    return read_csv(response)


def _xlsx(client, org, period, **query):
    response = client.get(reverse("sheets:period-xlsx", args=[org.slug, period.pk]), query)
    assert response.status_code == 200
    return read_xlsx(body(response))


def _by_type(rows, kind):
    header = rows[0]
    return [dict(zip(header, row, strict=True)) for row in rows[1:] if row[0] == kind]


def test_member_export_leaves_out_what_they_may_not_see(member, org, period, okrs):
    for rows in (_csv(member, org, period), _xlsx(member, org, period)[0]):
        text = repr(rows)
        assert "Secret merger plan" not in text and "Secret KR" not in text
        assert "Unpublished idea" not in text and "Elsewhere in time" not in text
        objectives = {o["title"]: o for o in _by_type(rows, "objective")}
        assert set(objectives) == {"Grow the audience", "Public child", "'-my own goal"}
        # The public child's parent is private: its ref is not given away.
        assert objectives["Public child"]["parent_ref"] in ("", None)
        assert objectives["'-my own goal"]["parent_ref"] == f"O{okrs['public'].pk}"
        assert len(_by_type(rows, "key result")) == 1
        assert len(_by_type(rows, "check-in")) == 2


def test_admin_export_has_everything_of_the_period(admin, org, period, okrs):
    rows = _csv(admin, org, period)
    titles = {o["title"] for o in _by_type(rows, "objective")}
    assert {"Secret merger plan", "Unpublished idea"} <= titles
    child = next(o for o in _by_type(rows, "objective") if o["title"] == "Public child")
    assert child["parent_ref"] == f"O{okrs['private'].pk}"


def test_formula_like_cells_are_escaped_and_numbers_stay_numbers(member, org, period, okrs):
    rows = _csv(member, org, period)
    (kr,) = _by_type(rows, "key result")
    assert kr["title"] == '\'=HYPERLINK("http://evil")'
    assert kr["start"] == "-5.0000"
    notes = [c["note"] for c in _by_type(rows, "check-in")]
    assert notes == ["'@SUM(A1) first", "'+1 better"]

    rows, sheet = _xlsx(member, org, period)
    (kr,) = _by_type(rows, "key result")
    assert kr["title"] == '\'=HYPERLINK("http://evil")'
    assert kr["start"] == -5
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f", (cell.coordinate, cell.value)


def test_a_period_too_big_for_a_workbook_points_to_the_csv(
    member, org, period, team, okrs, monkeypatch
):
    from sheets import exports

    monkeypatch.setattr(exports, "XLSX_MAX_ROWS", 5)  # member sees 3 + 1 + 2 rows
    url = reverse("sheets:period-xlsx", args=[org.slug, period.pk])
    response = member.get(url)
    assert response.status_code == 200 and not response.streaming
    page = response.content.decode()
    assert "Too big for a workbook" in page and "has 6 rows" in page
    assert reverse("sheets:period-csv", args=[org.slug, period.pk]) in page
    narrowed = member.get(url, {"team": team.pk})  # one objective, one KR, two check-ins
    assert narrowed["Content-Disposition"].startswith("attachment;")


def test_explore_filters_apply_to_the_export(member, org, period, team, okrs):
    rows = _csv(member, org, period, team=team.pk)
    assert [o["title"] for o in _by_type(rows, "objective")] == ["Grow the audience"]
    rows = _csv(member, org, period, team="not-a-team")  # a bad filter: Explore ignores it
    assert len(_by_type(rows, "objective")) == 3


def test_explore_and_the_report_link_to_the_exports(member, org, period, okrs):
    page = member.get(reverse("objectives:explore", args=[org.slug])).content.decode()
    assert reverse("sheets:period-xlsx", args=[org.slug, period.pk]) in page
    report = member.get(reverse("closing:report", args=[org.slug, period.pk])).content.decode()
    assert reverse("sheets:period-csv", args=[org.slug, period.pk]) in report


def test_company_json_is_for_admins_and_holds_no_secrets(admin, manager, org, period, okrs):
    invitation = f.InvitationFactory(org=org)
    url = reverse("sheets:company-json", args=[org.slug])
    assert manager.get(url).status_code == 403
    response = admin.get(url)
    assert response.status_code == 200
    raw = body(response).decode()
    data = json.loads(raw)
    assert data["company"]["slug"] == org.slug
    titles = {o["title"] for o in _table(data, "objectives.Objective")}
    assert {"Secret merger plan", "Unpublished idea", "Elsewhere in time"} <= titles
    assert len(_table(data, "checkins.CheckIn")) == 2
    people = {p["user__email"] for p in _table(data, "organizations.Membership")}
    assert admin.user.email in people
    assert invitation.token not in raw
    assert "password" not in raw and "token" not in raw


def test_company_json_holds_no_other_company(admin, org, period, okrs, other_org):
    f.ObjectiveFactory(org=other_org, period=f.PeriodFactory(org=other_org), title="Globex")
    data = json.loads(body(admin.get(reverse("sheets:company-json", args=[org.slug]))))
    assert "Globex" not in json.dumps(data["objectives.Objective"])
    assert {o["org_id"] for o in _table(data, "objectives.Objective")} == {org.pk}


def _table(data, label) -> list[dict]:
    return [dict(zip(data[label]["columns"], row, strict=True)) for row in data[label]["rows"]]


def _grow(org, period, team, owner, n):
    for i in range(n):
        objective = f.ObjectiveFactory(
            org=org, period=period, level="team", team=team, owner=owner, title=f"Goal {i}"
        )
        kr = f.KeyResultFactory(objective=objective)
        f.CheckInFactory(key_result=kr, author=owner)


@pytest.mark.parametrize(
    ("name", "persona", "budget"),
    [
        ("sheets:period-csv", "member", 12),
        ("sheets:period-xlsx", "member", 15),
        ("sheets:company-json", "admin", 45),
        ("sheets:template-xlsx", "manager", 8),
    ],
)
def test_exports_query_counts_do_not_grow_with_the_company(
    name,
    persona,
    budget,
    request,
    org,
    period,
    team,
    manager_membership,
    django_assert_max_num_queries,
):
    client = request.getfixturevalue(persona)
    kwargs = {"period_id": period.pk} if "period" in name else {}
    url = reverse(name, kwargs={"org_slug": org.slug, **kwargs})
    for size in (3, 40):
        _grow(org, period, team, manager_membership, size)
        with django_assert_max_num_queries(budget):
            response = client.get(url)
            content = body(response)  # streamed: the queries run as it is read
        assert response.status_code == 200 and content


def test_company_json_holds_every_kind_of_row_but_never_a_sealed_secret(
    admin, org, period, team, admin_membership, manager_membership, member_membership
):
    """A company with one row of every kind (as the deletion test builds it), a Slack
    webhook and an SSO client secret among them: both stay out of the export."""
    from organizations.deletion import company_models
    from sheets.exports import LEFT_OUT
    from sso.models import SingleSignOn
    from tests.organizations.test_leaving import _company_with_everything

    _company_with_everything(
        org, period, team, admin_membership, manager_membership, member_membership
    )
    # The company with everything may have its sign-on already: give it a known secret.
    SingleSignOn.objects.update_or_create(
        org=org,
        defaults={
            "issuer": "https://id.example",
            "client_id": "aligned",
            "client_secret_encrypted": "SEALED-SSO-SECRET",
            "email_domain": "acme-sheets.example",
            "authorization_endpoint": "https://id.example/a",
            "token_endpoint": "https://id.example/t",
            "userinfo_endpoint": "https://id.example/u",
            "jwks_uri": "https://id.example/j",
        },
    )
    from slack.models import TeamSlackHook

    sealed = TeamSlackHook.objects.for_org(org).values_list("sealed_url", flat=True).first()
    raw = body(admin.get(reverse("sheets:company-json", args=[org.slug]))).decode()
    data = json.loads(raw)
    assert sealed and sealed not in raw
    assert "SEALED-SSO-SECRET" not in raw
    labels = {model._meta.label for model in company_models()}
    missing = {label for label in labels - set(LEFT_OUT) if label not in data}
    assert not missing, missing
