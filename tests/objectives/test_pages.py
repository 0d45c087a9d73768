"""The OKR pages: htmx partials, plain POST fallbacks, quick create and query budgets."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from objectives.models import KeyResult, Objective
from tests.factories import KeyResultFactory, ObjectiveFactory, PeriodFactory
from tests.objectives.test_forms import kr_data

HX = {"HTTP_HX_REQUEST": "true"}


def url(org, name, **kwargs):
    return reverse(f"objectives:{name}", kwargs={"org_slug": org.slug, **kwargs})


def test_quick_create_with_two_krs_shows_on_team_and_explore(member, org, period, team):
    data = {
        "title": "Grow our APAC audience",
        "level": "individual",
        "owner": member.membership.pk,
        "period": period.pk,
        "visibility": "public",
        "status": "active",
        "kr-TOTAL_FORMS": 3,
        "kr-INITIAL_FORMS": 0,
        "kr-0-title": "Gain 1,000 followers",
        "kr-0-start_value": "0",
        "kr-0-target_value": "1000",
        "kr-1-title": "Cut reply time",
        "kr-1-start_value": "24",
        "kr-1-target_value": "4",
        "kr-2-title": "",
        "kr-2-start_value": "0",
        "kr-2-target_value": "",
    }
    response = member.post(url(org, "objective-new"), data)
    objective = Objective.objects.get(title="Grow our APAC audience")
    assert response.status_code == 302
    krs = list(objective.key_results.all())
    assert [(k.title, k.kind) for k in krs] == [
        ("Gain 1,000 followers", "increase"),
        ("Cut reply time", "decrease"),
    ]
    assert all(k.owner_id == member.membership.pk for k in krs)
    assert (
        "Grow our APAC audience" in member.get(url(org, "team", team_id=team.pk)).content.decode()
    )
    assert "Grow our APAC audience" in member.get(url(org, "explore")).content.decode()
    assert "Grow our APAC audience" in member.get(url(org, "my")).content.decode()


def test_objective_without_krs_shows_no_krs_yet_not_zero(member, org, period):
    ObjectiveFactory(org=org, period=period, owner=member.membership, title="Empty one")
    body = member.get(url(org, "my")).content.decode()
    assert "No KRs yet" in body
    assert "0%" not in body


def test_progress_is_explained_with_each_kr(member, my_objective, org):
    kr = my_objective.key_results.get()
    kr.current_value = Decimal(250)
    kr.save()
    body = member.get(url(org, "objective", objective_id=my_objective.pk)).content.decode()
    assert "<details" in body
    assert "start 0, target 1,000, now 250" in body
    assert "25%" in body
    assert 'width="30"' in body  # 25% of the 120-px SVG bar
    assert "style=" not in body


def test_confidence_change_htmx_returns_the_card(member, my_objective, org):
    kr = my_objective.key_results.get()
    response = member.post(url(org, "kr-confidence", kr_id=kr.pk), {"confidence": "at_risk"}, **HX)
    assert response.status_code == 200
    assert response["HX-Retarget"] == f"#objective-{my_objective.pk}"
    body = response.content.decode()
    assert body.lstrip().startswith("<article")
    assert "At risk" in body
    kr.refresh_from_db()
    assert kr.confidence == "at_risk"


def test_confidence_change_plain_post_redirects(member, my_objective, org):
    kr = my_objective.key_results.get()
    response = member.post(
        url(org, "kr-confidence", kr_id=kr.pk), {"confidence": "off_track", "next": "/acme/my/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/acme/my/"


def test_reorder_moves_a_kr_up(member, my_objective, org):
    second = KeyResultFactory(objective=my_objective, title="Second", position=1)
    member.post(url(org, "kr-move", kr_id=second.pk), {"direction": "up"}, **HX)
    titles = list(my_objective.key_results.order_by("position").values_list("title", flat=True))
    assert titles == ["Second", "Gain 1,000 followers"]
    response = member.post(url(org, "kr-move", kr_id=second.pk), {"direction": "down"})
    assert response.status_code == 302
    titles = list(my_objective.key_results.order_by("position").values_list("title", flat=True))
    assert titles == ["Gain 1,000 followers", "Second"]


def test_inline_kr_add_via_htmx(member, my_objective, org):
    form = member.get(url(org, "kr-new", objective_id=my_objective.pk), **HX)
    assert form.content.decode().lstrip().startswith("<form")
    response = member.post(url(org, "kr-new", objective_id=my_objective.pk), kr_data(), **HX)
    assert response["HX-Retarget"] == f"#objective-{my_objective.pk}"
    kr = my_objective.key_results.get(title="Ship it")
    assert kr.owner_id == my_objective.owner_id  # defaults to the objective's owner
    assert kr.position == 1


def test_inline_kr_edit_error_stays_in_the_form(member, my_objective, org):
    kr = my_objective.key_results.get()
    response = member.post(url(org, "kr-edit", kr_id=kr.pk), kr_data(target_value="0"), **HX)
    assert "HX-Retarget" not in response
    body = response.content.decode()
    assert body.lstrip().startswith("<form")
    assert "The target must differ from the start." in body


def test_kr_detail_includes_history_and_checkin(member, my_objective, org):
    kr = my_objective.key_results.get()
    response = member.get(url(org, "kr", kr_id=kr.pk))
    assert response.status_code == 200
    assert kr.title in response.content.decode()


def test_period_switcher_shows_other_period(member, org, period):
    old = PeriodFactory(org=org, name="Old quarter", start="2020-01-01", end="2020-03-31")
    ObjectiveFactory(org=org, period=old, owner=member.membership, title="Old goal")
    assert "Old goal" not in member.get(url(org, "my")).content.decode()
    assert "Old goal" in member.get(url(org, "my") + f"?period={old.pk}").content.decode()


def test_explore_filters_by_kr_confidence_and_text(member, org, period, my_objective):
    other = ObjectiveFactory(org=org, period=period, title="Other thing")
    KeyResultFactory(objective=other, confidence="off_track")
    response = member.get(url(org, "explore") + "?confidence=off_track")
    assert [o.title for o in response.context["objectives"]] == ["Other thing"]
    response = member.get(url(org, "explore") + "?q=follow")
    assert [o.title for o in response.context["objectives"]] == ["Grow followers"]
    response = member.get(url(org, "explore") + "?level=team")
    assert response.context["objectives"] == []


def test_explore_is_paginated(member, org, period):
    owner = member.membership
    Objective.objects.bulk_create(
        Objective(org=org, period=period, level="individual", owner=owner, title=f"O{i:02}")
        for i in range(25)
    )
    first = member.get(url(org, "explore"))
    assert len(first.context["objectives"]) == 20
    second = member.get(url(org, "explore") + "?page=2")
    assert len(second.context["objectives"]) == 5


def test_delete_objective(member, my_objective, org):
    response = member.post(url(org, "objective-delete", objective_id=my_objective.pk))
    assert response.status_code == 302
    assert not Objective.objects.filter(pk=my_objective.pk).exists()


def test_company_page_shows_vision_and_company_objectives(member, org, period, admin_membership):
    org.vision = "Be **the** best"
    org.save()
    ObjectiveFactory(org=org, period=period, level="company", owner=admin_membership, title="Win")
    body = member.get(url(org, "company")).content.decode()
    assert "<strong>the</strong>" in body
    assert "Win" in body


# --- query budgets: the same bound at 10 and at 200 objectives ---------------------------


def _bulk(org, period, team, owner, n):
    objectives = Objective.objects.bulk_create(
        Objective(
            org=org,
            period=period,
            level="team" if i % 2 else "company" if i % 5 == 0 else "individual",
            team=team if i % 2 else None,
            owner=owner,
            title=f"Objective {i}",
            visibility="private" if i % 7 == 0 else "public",
        )
        for i in range(n)
    )
    KeyResult.objects.bulk_create(
        KeyResult(
            org=org,
            objective=o,
            owner=owner,
            title=f"KR {o.pk}-{j}",
            target_value=100,
            current_value=10 * j,
            position=j,
            confidence=["on_track", "at_risk", "off_track"][j],
        )
        for o in objectives
        for j in range(3)
    )


PAGES = ["my", "company", "teams", "team", "person", "explore", "objective"]
BUDGET = 30


@pytest.mark.parametrize("size", [10, 200])
@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("persona", ["member", "manager"])
def test_list_pages_have_bounded_queries(
    request, django_assert_max_num_queries, org, period, team, member_membership, size, page,
    persona,
):  # fmt: skip
    client = request.getfixturevalue(persona)
    _bulk(org, period, team, member_membership, size)
    kwargs = {
        "team": {"team_id": team.pk},
        "person": {"person_id": member_membership.pk},
        "objective": {"objective_id": Objective.objects.filter(level="team").first().pk},
    }.get(page, {})
    target = url(org, page, **kwargs)
    with django_assert_max_num_queries(BUDGET):
        response = client.get(target)
    assert response.status_code == 200


def test_teams_page_puts_the_viewers_own_teams_first(member, org, team):
    from tests.factories import TeamFactory

    TeamFactory(org=org, name="Finance")
    html = member.get(f"/{org.slug}/teams/").content.decode()
    mine = html[html.index("Your teams") : html.index("All teams")]
    assert "Marketing" in mine
    assert "Finance" not in mine


def test_explore_opens_on_the_current_period_and_any_period_shows_all(member, org, period):
    old = PeriodFactory(
        org=org, name="Long ago", start=datetime.date(2020, 1, 1), end=datetime.date(2020, 3, 31)
    )
    ObjectiveFactory(org=org, period=period, title="Now goal")
    ObjectiveFactory(org=org, period=old, title="Old goal")
    titles = [o.title for o in member.get(url(org, "explore")).context["objectives"]]
    assert titles == ["Now goal"]
    everything = member.get(url(org, "explore") + "?period=").context["objectives"]
    assert {o.title for o in everything} == {"Now goal", "Old goal"}


def test_explore_filters_by_owner_name_or_email(member, org, period):
    ObjectiveFactory(org=org, period=period, owner=member.membership, title="Mine")
    ObjectiveFactory(org=org, period=period, title="Someone else's")
    response = member.get(url(org, "explore") + "?owner=mia")
    assert [o.title for o in response.context["objectives"]] == ["Mine"]
    email = member.membership.user.email.upper()
    response = member.get(url(org, "explore") + f"?owner={email}")
    assert [o.title for o in response.context["objectives"]] == ["Mine"]


def test_team_page_links_to_its_feed_and_to_its_dashboard_for_its_managers(
    manager, member, org, team
):
    team_url = url(org, "team", team_id=team.pk)
    dashboard = reverse(
        "alignment:team-dashboard", kwargs={"org_slug": org.slug, "team_id": team.pk}
    )
    feed = reverse("checkins:team-feed", kwargs={"org_slug": org.slug, "team_id": team.pk})
    as_manager = manager.get(team_url).content.decode()
    as_member = member.get(team_url).content.decode()
    assert feed in as_manager and feed in as_member
    assert dashboard in as_manager
    assert dashboard not in as_member


@pytest.mark.parametrize("size", [3, 60])
def test_my_okrs_offers_check_in_on_krs_i_own_on_others_objectives(
    django_assert_max_num_queries, member, org, period, size
):
    for i in range(size):
        KeyResultFactory(
            objective=ObjectiveFactory(org=org, period=period, title=f"Theirs {i}"),
            owner=member.membership,
            title=f"My part {i}",
        )
    with django_assert_max_num_queries(BUDGET):
        html = member.get(url(org, "my")).content.decode()
    section = html[html.index("Key results I own on other objectives") :]
    assert section.count('name="value"') == size  # one check-in form per KR
