"""Write a supporting objective: the new-objective form filled in from ``?parent=<id>``, and
the quick form on My OKRs creating and aligning an objective in one submit."""

import datetime
import re

import pytest
from django.urls import reverse

from objectives.models import KeyResult, Objective
from tests.factories import (
    KeyResultFactory,
    ObjectiveFactory,
    PeriodFactory,
    TeamFactory,
    TeamMembershipFactory,
)

pytestmark = pytest.mark.django_db


def url(org, name, **kwargs):
    return reverse(f"objectives:{name}", kwargs={"org_slug": org.slug, **kwargs})


@pytest.fixture
def year(org, period):
    return PeriodFactory(
        org=org,
        kind="year",
        name="This year",
        start=datetime.date(period.start.year, 1, 1),
        end=datetime.date(period.start.year, 12, 31),
    )


@pytest.fixture
def last_quarter(org, period):
    end = period.start - datetime.timedelta(days=1)
    month, year = end.month - 2, end.year
    if month < 1:
        month, year = month + 12, year - 1
    return PeriodFactory(org=org, name="Last quarter", start=datetime.date(year, month, 1), end=end)


@pytest.fixture
def company_goal(org, year, admin_membership):
    return ObjectiveFactory(
        org=org, period=year, level="company", owner=None, title="Grow brand value in APAC"
    )


def _selected(html, name):
    """The value selected in the form's <select name=...> (None when nothing is)."""
    start = html.index(f'<select name="{name}"')
    select = html[start : html.index("</select>", start)]
    found = re.search(r'<option value="(\d*)" selected', select)
    return (found.group(1) or None) if found else None


def _new_form(client, org, **params):
    response = client.get(url(org, "objective-new"), params)
    assert response.status_code == 200
    return response, response.content.decode()


def test_a_member_supports_a_company_objective_in_the_current_quarter(
    member, member_membership, org, period, company_goal
):
    response, html = _new_form(member, org, parent=company_goal.pk)
    assert _selected(html, "parent") == str(company_goal.pk)
    assert _selected(html, "period") == str(period.pk)  # the current quarter, within the year
    form = response.context["form"]
    assert form["level"].value() == "individual"
    assert form["owner"].value() == member_membership.pk


def test_a_manager_supports_it_with_a_team_objective(manager, org, team, period, company_goal):
    response, html = _new_form(manager, org, parent=company_goal.pk)
    form = response.context["form"]
    assert (form["level"].value(), form["team"].value()) == ("team", team.pk)
    assert form["owner"].value() is None
    assert _selected(html, "parent") == str(company_goal.pk)


def test_a_teams_own_objective_is_supported_by_a_child_team_or_a_person(
    manager, manager_membership, org, team, period
):
    own = ObjectiveFactory(org=org, period=period, level="team", team=team, owner=None)
    form = _new_form(manager, org, parent=own.pk)[0].context["form"]
    # A team cannot align to its own objective: an individual one of the manager's.
    assert (form["level"].value(), form["owner"].value()) == ("individual", manager_membership.pk)
    squad = TeamFactory(org=org, name="Social squad", parent=team)
    TeamMembershipFactory(team=squad, membership=manager_membership, is_manager=True)
    form = _new_form(manager, org, parent=own.pk)[0].context["form"]
    assert (form["level"].value(), form["team"].value()) == ("team", squad.pk)


def test_a_parent_of_a_past_quarter_lends_its_own_period(member, org, last_quarter):
    old = ObjectiveFactory(org=org, period=last_quarter, level="company", owner=None)
    response, html = _new_form(member, org, parent=old.pk)
    assert _selected(html, "period") == str(last_quarter.pk)
    assert _selected(html, "parent") == str(old.pk)


def test_explicit_level_and_team_win_over_the_guess(admin, org, team, period, company_goal):
    form = _new_form(admin, org, parent=company_goal.pk, level="team", team=team.pk)[0].context[
        "form"
    ]
    assert (form["level"].value(), form["team"].value()) == ("team", team.pk)
    assert form["parent"].value() == company_goal.pk


@pytest.mark.parametrize("raw", ["abc", "-3", "0", "99999999999999999999999999", "1e3", ""])
def test_a_parent_that_is_no_objective_is_ignored(member, org, period, raw):
    response, html = _new_form(member, org, parent=raw)
    assert _selected(html, "parent") is None
    assert _selected(html, "period") == str(period.pk)


def test_a_parent_the_viewer_may_not_see_is_ignored_and_not_shown(
    member, org, period, team, admin_membership, other_org
):
    secret = ObjectiveFactory(
        org=org,
        period=period,
        level="team",
        team=TeamFactory(org=org, name="Board"),
        owner=admin_membership,
        visibility="private",
        title="Secret takeover plan",
    )
    foreign = ObjectiveFactory(
        org=other_org,
        period=PeriodFactory(org=other_org),
        level="company",
        owner=None,
        title="Globex world domination",
    )
    for hidden in (secret, foreign):
        response, html = _new_form(member, org, parent=hidden.pk)
        assert _selected(html, "parent") is None
        assert hidden.title not in html
        assert response.context["form"]["period"].value() == period.pk


def test_a_person_or_abandoned_objective_is_no_parent(member, org, period, company_goal):
    persons = ObjectiveFactory(org=org, period=period, title="Someone's own")
    company_goal.status = Objective.Status.ABANDONED
    company_goal.save()
    for ignored in (persons, company_goal):
        assert _selected(_new_form(member, org, parent=ignored.pk)[1], "parent") is None


def test_a_large_company_keeps_the_prefilled_parent_among_the_options(
    admin, org, period, company_goal, monkeypatch
):
    from objectives import forms as okr_forms

    monkeypatch.setattr(okr_forms, "FULL_LIST_MAX", 3)
    monkeypatch.setattr(okr_forms, "SUGGESTED_MAX", 2)
    old_year = PeriodFactory(
        org=org,
        kind="year",
        start=datetime.date(2001, 1, 1),
        end=datetime.date(2001, 12, 31),
    )
    remote = ObjectiveFactory(org=org, period=old_year, level="company", owner=None)
    for _ in range(4):
        ObjectiveFactory(org=org, period=period, level="company", owner=None)
    html = _new_form(admin, org, parent=remote.pk)[1]
    assert _selected(html, "parent") == str(remote.pk)


def test_the_supporting_objective_is_created_aligned(
    member, member_membership, org, period, company_goal
):
    response, _ = _new_form(member, org, parent=company_goal.pk)
    form = response.context["form"]
    data = {
        name: ("" if value is None else getattr(value, "pk", value))
        for name, value in ((f.name, f.value()) for f in form)
    }
    data.update({"title": "Run APAC webinars", "kr-TOTAL_FORMS": 0, "kr-INITIAL_FORMS": 0})
    response = member.post(url(org, "objective-new"), data)
    assert response.status_code == 302
    created = Objective.objects.get(title="Run APAC webinars")
    assert (created.parent, created.period, created.owner) == (
        company_goal,
        period,
        member_membership,
    )


# --- the quick form on My OKRs --------------------------------------------------------------


def _quick_form(member, org):
    html = member.get(url(org, "my")).content.decode()
    start = html.index('class="quick-form"')
    return html[start : html.index("</form>", start)]


def _quick_data(membership, period, **extra):
    """What the quick form on My OKRs posts (its hidden fields, a title and one KR)."""
    return {
        "level": "individual",
        "owner": membership.pk,
        "visibility": "public",
        "status": "active",
        "period": period.pk,
        "title": "Grow our APAC audience",
        "q": "",
        "kr-TOTAL_FORMS": 3,
        "kr-INITIAL_FORMS": 0,
        "kr-MIN_NUM_FORMS": 0,
        "kr-MAX_NUM_FORMS": 10,
        "kr-0-title": "Gain 1,000 followers",
        "kr-0-start_value": "0",
        "kr-0-target_value": "1000",
        **extra,
    }


def test_the_quick_form_offers_the_parent_picker(member, org, period):
    form = _quick_form(member, org)
    assert '<select name="parent" id="quick-parent">' in form
    picker = reverse("alignment:picker", kwargs={"org_slug": org.slug})
    # A new objective may also contribute to one of the parent's key results (krs=1).
    assert f'hx-get="{picker}?field_id=quick-parent&amp;krs=1"' in form
    assert 'hx-include="#quick-level, #quick-period, #quick-parent"' in form
    assert 'id="quick-level"' in form and 'id="quick-period"' in form


def test_the_picker_lists_what_a_quick_objective_may_align_to(
    member, org, period, team, company_goal, last_quarter
):
    TeamFactory(org=org, name="Elsewhere")
    marketing = ObjectiveFactory(
        org=org, period=period, level="team", team=team, owner=None, title="Social presence"
    )
    old = ObjectiveFactory(
        org=org, period=last_quarter, level="company", owner=None, title="Last quarter's goal"
    )
    html = member.get(
        reverse("alignment:picker", kwargs={"org_slug": org.slug}),
        {"field_id": "quick-parent", "level": "individual", "period": period.pk, "parent": ""},
    ).content.decode()
    assert '<select name="parent" id="quick-parent">' in html
    assert f'value="{marketing.pk}"' in html and f'value="{company_goal.pk}"' in html
    assert f'value="{old.pk}"' not in html  # its period does not contain this quarter's


def test_a_quick_objective_is_created_and_aligned_in_one_submit(
    member, member_membership, org, period, team
):
    marketing = ObjectiveFactory(org=org, period=period, level="team", team=team, owner=None)
    KeyResultFactory(objective=marketing, current_value=0)
    response = member.post(
        url(org, "objective-new"), _quick_data(member_membership, period, parent=marketing.pk)
    )
    assert response.status_code == 302
    created = Objective.objects.get(title="Grow our APAC audience")
    assert created.parent == marketing
    assert KeyResult.objects.filter(objective=created, title="Gain 1,000 followers").exists()
    page = member.get(response["Location"]).content.decode()
    assert marketing.title in page[page.index("contribution-path") :]


def test_a_refused_quick_alignment_keeps_what_was_typed(
    member, member_membership, org, period, last_quarter
):
    old = ObjectiveFactory(org=org, period=last_quarter, level="company", owner=None)
    response = member.post(
        url(org, "objective-new"), _quick_data(member_membership, period, parent=old.pk)
    )
    assert response.status_code == 200
    assert response.context["form"].errors["parent"]
    html = response.content.decode()
    assert 'value="Grow our APAC audience"' in html
    assert 'value="Gain 1,000 followers"' in html and 'value="1000"' in html
    assert not Objective.objects.filter(title="Grow our APAC audience").exists()


def test_a_quick_parent_the_member_may_not_see_is_refused_without_a_leak(
    member, member_membership, org, period, admin_membership
):
    secret = ObjectiveFactory(
        org=org,
        period=period,
        level="company",
        owner=admin_membership,
        visibility="private",
        title="Secret takeover plan",
    )
    response = member.post(
        url(org, "objective-new"), _quick_data(member_membership, period, parent=secret.pk)
    )
    assert response.status_code == 200
    assert response.context["form"].errors["parent"]
    assert "Secret takeover plan" not in response.content.decode()
    assert not Objective.objects.filter(title="Grow our APAC audience").exists()


# --- queries ----------------------------------------------------------------------------------


def _company_of(org, period, team, size):
    for i in range(size):
        goal = ObjectiveFactory(org=org, period=period, level="company", owner=None)
        ObjectiveFactory(org=org, period=period, level="team", team=team, owner=None, parent=goal)
        TeamFactory(org=org, name=f"Team {i}")


@pytest.mark.parametrize("size", [3, 60])
@pytest.mark.parametrize("persona", ["member", "manager"])
def test_the_new_objective_page_costs_the_same_with_a_parent(
    request, django_assert_max_num_queries, org, period, team, company_goal, size, persona
):
    client = request.getfixturevalue(persona)
    _company_of(org, period, team, size)
    with django_assert_max_num_queries(NEW_PAGE_BUDGET):
        plain = client.get(url(org, "objective-new"))
    with django_assert_max_num_queries(NEW_PAGE_BUDGET + SUPPORTING_QUERIES):
        supporting = client.get(url(org, "objective-new"), {"parent": company_goal.pk})
    assert plain.status_code == supporting.status_code == 200


NEW_PAGE_BUDGET = 15  # as measured for a manager without ``?parent=`` (session included)
SUPPORTING_QUERIES = 3  # the parent (with its period), the company's teams, my managed teams
