"""The writing coach on the pages: beside the objective and key-result forms (the htmx
endpoints and the same hints rendered by the page without JavaScript), the objective page's
panel, "Align to it instead", the look-alikes a person may see, publish gates, budgets."""

import re

import pytest
from django.urls import reverse

from audit.models import AuditEntry
from objectives import coach
from objectives.models import Objective
from tests.factories import (
    KeyResultFactory,
    MembershipFactory,
    ObjectiveFactory,
    TeamFactory,
)


def url(org, name, **kwargs):
    return reverse(f"objectives:{name}", kwargs={"org_slug": org.slug, **kwargs})


def rules_in(html: str) -> set[str]:
    return set(re.findall(r'data-rule="([a-z_]+)"', html))


def draft_data(the_period, **overrides):
    data = {
        "title": "Grow our newsletter audience",
        "description": "",
        "period": the_period.pk,
        "level": "individual",
        "team": "",
        "owner": "",
        "theme": "",
        "visibility": "public",
        "status": "active",
        "parent": "",
        "kr-TOTAL_FORMS": 3,
        "kr-INITIAL_FORMS": 0,
        "kr-0-title": "Launch the new newsletter",
        "kr-0-start_value": "0",
        "kr-0-target_value": "1",
        "kr-1-title": "",
        "kr-1-start_value": "0",
        "kr-1-target_value": "",
        "kr-2-title": "",
        "kr-2-start_value": "0",
        "kr-2-target_value": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def company_goal(org, period):
    return ObjectiveFactory(
        org=org, period=period, level="company", owner=None, title="Be the name buyers know"
    )


@pytest.fixture
def lookalike(org, period, team, manager_membership):
    return ObjectiveFactory(
        org=org,
        period=period,
        level="team",
        team=team,
        owner=manager_membership,
        title="Grow our newsletter audience fast",
    )


def test_coach_endpoint_answers_the_hints_of_the_form_as_typed(
    member, org, period, company_goal, lookalike
):
    response = member.post(url(org, "coach"), draft_data(period), headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert rules_in(html) == {
        "kr_is_task",
        "kr_yes_no",
        "too_few_key_results",
        "look_alike",
        "not_aligned",
    }
    # The look-alike: its title and owner, "Open it", and "Align to it instead" (a team
    # objective an individual one may align to).
    assert "Grow our newsletter audience fast" in html and "Max Manager" in html
    assert url(org, "objective", objective_id=lookalike.pk) in html
    assert f'name="coach_align" value="{lookalike.pk}"' in html and "Align to it instead" in html
    # The likely parents while it aligns to nothing.
    assert f'name="coach_align" value="{company_goal.pk}"' in html
    assert 'href="#id_kr-0-title"' in html  # each hint points to its field
    # Fixed: an outcome key result with a baseline, aligned: only the look-alike remains.
    fixed = draft_data(
        period,
        parent=company_goal.pk,
        **{
            "kr-0-title": "Newsletter subscribers",
            "kr-0-start_value": "1200",
            "kr-0-target_value": "3000",
            "kr-1-title": "Newsletter open rate (%)",
            "kr-1-start_value": "21",
            "kr-1-target_value": "30",
        },
    )
    assert rules_in(member.post(url(org, "coach"), fixed).content.decode()) == {"look_alike"}


def test_look_alikes_the_viewer_may_not_see_or_given_up_are_never_offered(
    member, admin_membership, org, period
):
    ObjectiveFactory(
        org=org,
        period=period,
        owner=admin_membership,
        visibility=Objective.Visibility.PRIVATE,
        title="Grow our newsletter audience secretly",
    )
    ObjectiveFactory(
        org=org,
        period=period,
        owner=admin_membership,
        status=Objective.Status.ABANDONED,
        title="Grow our newsletter audience again",
    )
    html = member.post(url(org, "coach"), draft_data(period)).content.decode()
    assert "look_alike" not in rules_in(html)
    assert "secretly" not in html and "again" not in html  # nor what was given up


def test_the_objective_being_edited_is_not_its_own_look_alike_and_must_be_visible(
    member, member_membership, admin_membership, org, period
):
    mine = ObjectiveFactory(
        org=org, period=period, owner=member_membership, title="Grow our newsletter audience"
    )
    data = {**draft_data(period), "objective": mine.pk}
    assert "look_alike" not in rules_in(member.post(url(org, "coach"), data).content.decode())
    hidden = ObjectiveFactory(
        org=org, period=period, owner=admin_membership, visibility=Objective.Visibility.PRIVATE
    )
    assert member.post(url(org, "coach"), {**data, "objective": hidden.pk}).status_code == 404
    assert (
        member.post(url(org, "coach"), {**data, "objective": "99999999999999999999"}).status_code
        == 404
    )


def test_without_javascript_the_form_page_shows_the_same_hints(member, org, period, lookalike):
    # An invalid save (no period): the form comes back with what was typed and the hints.
    response = member.post(url(org, "objective-new"), draft_data(period, period=""))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Choose" in html or "required" in html.lower()
    assert {"kr_is_task", "too_few_key_results"} <= rules_in(html)
    assert 'hx-post="' + url(org, "coach") + '"' in html
    assert 'hx-trigger="input changed delay:500ms from:#objective-form' in html
    # The edit page, on load: the stored objective's own hints (one key result).
    mine = ObjectiveFactory(
        org=org, period=period, owner=member.membership, title="Grow our newsletter audience"
    )
    KeyResultFactory(objective=mine, title="Write the launch post", target_value=1)
    edit = member.get(url(org, "objective-edit", objective_id=mine.pk)).content.decode()
    assert {"too_few_key_results", "kr_is_task", "look_alike", "not_aligned"} <= rules_in(edit)
    assert f"?objective={mine.pk}" in edit
    # A blank new form says nothing yet.
    assert rules_in(member.get(url(org, "objective-new")).content.decode()) == set()


def test_align_to_it_instead_sets_the_parent_and_keeps_what_was_typed(
    member, org, period, lookalike
):
    before = Objective.objects.count()
    data = {**draft_data(period), "coach_align": str(lookalike.pk)}
    response = member.post(url(org, "objective-new"), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert Objective.objects.count() == before  # nothing saved
    assert f'<option value="{lookalike.pk}" selected>' in html
    assert 'value="Grow our newsletter audience"' in html
    assert 'value="Launch the new newsletter"' in html
    assert "not_aligned" not in rules_in(html) and "look_alike" not in rules_in(html)
    assert "errorlist" not in html  # a preview, not a failed save
    # Saved as shown, it is aligned.
    saved = member.post(url(org, "objective-new"), draft_data(period, parent=lookalike.pk))
    assert saved.status_code == 302
    assert Objective.objects.get(title="Grow our newsletter audience", parent=lookalike).pk


def test_align_on_the_edit_form_keeps_the_version_and_saves_nothing(member, org, period, lookalike):
    mine = ObjectiveFactory(
        org=org, period=period, owner=member.membership, title="Grow our newsletter audience"
    )
    data = {**draft_data(period), "version": mine.version, "coach_align": lookalike.pk}
    html = member.post(url(org, "objective-edit", objective_id=mine.pk), data).content.decode()
    assert f'<option value="{lookalike.pk}" selected>' in html
    mine.refresh_from_db()
    assert mine.parent_id is None


def test_key_result_form_hints_on_page_and_as_typed(member, org, period):
    mine = ObjectiveFactory(org=org, period=period, owner=member.membership)
    kr = KeyResultFactory(
        objective=mine, title="Hold a meeting with each customer", target_value=12
    )
    page = member.get(url(org, "kr-edit", kr_id=kr.pk)).content.decode()
    assert rules_in(page) == {"kr_is_task"}
    assert f'id="kr-{kr.pk}-form"' in page and 'hx-post="' + url(org, "kr-coach") + '"' in page
    typed = {
        "title": "Customers we met",
        "kind": "increase",
        "start_value": "5",
        "target_value": "5",
    }
    answer = member.post(url(org, "kr-coach"), typed, headers={"HX-Request": "true"})
    assert rules_in(answer.content.decode()) == {"kr_start_equals_target"}
    good = {**typed, "target_value": "40"}
    assert rules_in(member.post(url(org, "kr-coach"), good).content.decode()) == set()
    # An invalid save keeps the hints beside the form.
    bad = member.post(url(org, "kr-new", objective_id=mine.pk), {**typed, "title": "Launch it"})
    assert "kr_is_task" in rules_in(bad.content.decode())


def test_objective_page_coach_panel_is_for_those_who_may_edit(member, manager, org, period):
    mine = ObjectiveFactory(
        org=org, period=period, owner=member.membership, title="Increase revenue by 20%"
    )
    KeyResultFactory(objective=mine, title="Ship the pricing page", target_value=1)
    page = url(org, "objective", objective_id=mine.pk)
    html = member.get(page).content.decode()
    assert {"title_is_key_result", "too_few_key_results", "kr_is_task", "not_aligned"} <= (
        rules_in(html)
    )
    assert 'id="coach-title"' in html
    other = MembershipFactory(org=org)
    theirs = ObjectiveFactory(org=org, period=period, owner=other, title="Increase revenue 20%")
    assert (
        'id="coach-title"'
        not in member.get(url(org, "objective", objective_id=theirs.pk)).content.decode()
    )


def test_admins_choose_the_publish_gates(admin, member, org, period):
    settings_url = url(org, "coach-settings")
    assert member.get(settings_url).status_code == 403
    page = admin.get(settings_url).content.decode()
    assert 'value="not_aligned"' in page and 'value="look_alike"' not in page
    response = admin.post(settings_url, {"gates": ["too_few_key_results", "not_aligned"]})
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.publish_gates == ["too_few_key_results", "not_aligned"]
    entry = AuditEntry.objects.filter(action="company.publish_gates").get()
    assert entry.actor == admin.membership
    # A rule that cannot gate is a message beside the field, nothing changes.
    refused = admin.post(settings_url, {"gates": ["look_alike"]})
    assert refused.status_code == 200 and "Choose rules from the list" in refused.content.decode()
    # The hints of required rules say so; publish_blockers lists them.
    mine = ObjectiveFactory(org=org, period=period, owner=member.membership, title="A goal")
    KeyResultFactory(objective=mine, title="Weekly active teams", start_value=40, target_value=60)
    html = member.get(url(org, "objective", objective_id=mine.pk)).content.decode()
    assert html.count("Required to publish") == 2
    assert "before this draft is published" not in html  # published already
    Objective.objects.filter(pk=mine.pk).update(status=Objective.Status.DRAFT)
    html = member.get(url(org, "objective", objective_id=mine.pk)).content.decode()
    assert "requires the hints marked “Required to publish” to be fixed" in html
    blockers = coach.publish_blockers(org, mine)
    assert [(h.rule, h.severity) for h in blockers] == [
        ("not_aligned", coach.REQUIRED),
        ("too_few_key_results", coach.REQUIRED),
    ]
    org.publish_gates = ["kr_is_task"]
    KeyResultFactory(objective=mine, title="Write the plan", target_value=1)
    [task] = coach.publish_blockers(org, mine)
    assert task.message.startswith("Key result “Write the plan”: “Write …” reads like a task")
    org.publish_gates = []
    assert coach.publish_blockers(org, mine) == []


def test_publish_blockers_read_the_parents_period(org, period, member_membership):
    from tests.factories import PeriodFactory

    later = PeriodFactory(org=org, start=period.end.replace(day=1), end=period.end)
    parent = ObjectiveFactory(org=org, period=later, level="company", owner=None)
    child = ObjectiveFactory(org=org, period=period, owner=member_membership, parent=parent)
    org.publish_gates = ["parent_period"]
    [blocker] = coach.publish_blockers(org, child)
    assert blocker.rule == "parent_period"


@pytest.mark.parametrize("size", [3, 60])
def test_coach_endpoint_has_bounded_queries(
    django_assert_max_num_queries, member, manager_membership, org, period, team, size
):
    for i in range(size):
        ObjectiveFactory(org=org, period=period, level="company", owner=None, title=f"Goal {i}")
        ObjectiveFactory(
            org=org, period=period, level="team", team=team, owner=manager_membership,
            title=f"Grow our newsletter audience {i}",
        )  # fmt: skip
        TeamFactory(org=org, name=f"Team {i}")
    data = draft_data(period, level="team", team=team.pk)
    with django_assert_max_num_queries(COACH_BUDGET):
        response = member.post(url(org, "coach"), data, headers={"HX-Request": "true"})
    assert {"look_alike", "not_aligned"} <= rules_in(response.content.decode())
    assert response.content.decode().count("coach_align") <= 6  # three of each at most
    with django_assert_max_num_queries(KR_COACH_BUDGET):
        member.post(url(org, "kr-coach"), {"title": "Launch it"})


# Session, membership (tenancy); the period, the team; the look-alike search (savepoint,
# threshold, search, release), the visible ones with owners; the company's teams, my teams,
# the likely parents.
COACH_BUDGET = 14
KR_COACH_BUDGET = 3  # no query of its own


@pytest.mark.parametrize("size", [3, 60])
def test_coach_settings_page_has_bounded_queries(
    django_assert_max_num_queries, admin, org, period, size
):
    for i in range(size):
        ObjectiveFactory(org=org, period=period, title=f"Objective {i}")
    with django_assert_max_num_queries(SETTINGS_BUDGET):
        response = admin.get(url(org, "coach-settings"))
    assert response.status_code == 200


SETTINGS_BUDGET = 4  # session, user, membership (tenancy): the rules are a table in code


def test_the_demo_company_shows_the_coach(db, client):
    """Mia's objective has a yes/no key result, and typing an onboarding objective finds the
    company's two onboarding objectives."""
    from django.core.management import call_command

    from organizations.models import Membership

    call_command("seed_demo", "--org", "demo-co", "--people", "18")
    mia = Membership.objects.select_related("org", "user").get(user__email="mia@demo-co.example")
    client.force_login(mia.user)
    objective = Objective.objects.get(org=mia.org, title="Grow our APAC audience on social media")
    html = client.get(url(mia.org, "objective", objective_id=objective.pk)).content.decode()
    assert "kr_yes_no" in rules_in(html)
    # Her draft: a task-like, done-or-not key result to fix before publishing.
    draft = Objective.objects.get(org=mia.org, status=Objective.Status.DRAFT, owner=mia)
    html = client.get(url(mia.org, "objective", objective_id=draft.pk)).content.decode()
    assert rules_in(html) == {"kr_is_task", "kr_yes_no"}
    data = draft_data(objective.period, title="Cut the time customers need for onboarding")
    html = client.post(url(mia.org, "coach"), data).content.decode()
    assert "look_alike" in rules_in(html)
    assert "Cut customer onboarding time in half" in html


def test_my_okrs_quick_form_has_the_coach_too(member, org, period, lookalike):
    page = member.get(url(org, "my")).content.decode()
    assert 'id="quick-form-coach"' in page
    assert f'hx-post="{url(org, "coach")}?form=quick-form"' in page
    answer = member.post(url(org, "coach") + "?form=quick-form", draft_data(period))
    assert f'form="quick-form" name="coach_align" value="{lookalike.pk}"' in answer.content.decode()
