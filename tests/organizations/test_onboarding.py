"""The getting-started checklist on an admin's My OKRs: each step ticks itself off from data."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from objectives.models import KeyResult, Objective
from organizations.onboarding import checklist_for
from tests.factories import (
    InvitationFactory,
    MembershipFactory,
    ObjectiveFactory,
    PeriodFactory,
    ReminderScheduleFactory,
    TeamFactory,
)

pytestmark = pytest.mark.django_db

STEPS = ["vision", "periods", "people", "teams", "company_objective", "reminder"]


def my_url(org):
    return reverse("objectives:my", kwargs={"org_slug": org.slug})


def _done(org, membership):
    return {step.key: step.done for step in checklist_for(org, membership).steps}


def _write_vision(org, admin_membership):
    org.vision = "Every team knows why its work matters."
    org.save()


def _add_current_quarter(org, admin_membership):
    PeriodFactory(org=org)  # the factory's default: the quarter containing today


def _invite(org, admin_membership):
    InvitationFactory(org=org)


def _add_colleague(org, admin_membership):
    MembershipFactory(org=org)


def _add_team(org, admin_membership):
    TeamFactory(org=org, name="Sales")


def _old_quarter(org):
    return PeriodFactory(
        org=org, start=datetime.date(2020, 1, 1), end=datetime.date(2020, 3, 31), name="Old"
    )


def _write_company_objective(org, admin_membership):
    # In a past quarter, so that only this step ticks.
    ObjectiveFactory(
        org=org, period=_old_quarter(org), level="company", owner=admin_membership, title="Grow"
    )


def _add_reminder(org, admin_membership):
    ReminderScheduleFactory(org=org)


@pytest.mark.parametrize(
    ("build", "step"),
    [
        (_write_vision, "vision"),
        (_add_current_quarter, "periods"),
        (_invite, "people"),
        (_add_colleague, "people"),
        (_add_team, "teams"),
        (_write_company_objective, "company_objective"),
        (_add_reminder, "reminder"),
    ],
)
def test_each_step_ticks_itself_off_from_the_data(org, admin_membership, build, step):
    assert _done(org, admin_membership) == dict.fromkeys(STEPS, False)
    build(org, admin_membership)
    assert _done(org, admin_membership) == {key: key == step for key in STEPS}


def test_a_past_quarter_an_individual_objective_or_a_paused_reminder_do_not_count(
    org, admin_membership
):
    ObjectiveFactory(org=org, period=_old_quarter(org), level="individual", owner=admin_membership)
    ReminderScheduleFactory(org=org, enabled=False)
    assert _done(org, admin_membership) == dict.fromkeys(STEPS, False)


def test_admin_sees_the_checklist_with_links_and_ticks(admin, org, period):
    html = admin.get(my_url(org)).content.decode()
    assert "Getting started" in html and "1 of 6 done" in html
    for href in (
        "/acme/manage/company/",
        "/acme/manage/company/periods/",
        "/acme/manage/people/",
        "/acme/manage/teams/",
        "/acme/objectives/new/?level=company",
        "/acme/checkins/schedules/",
    ):
        assert f'href="{href}"' in html
    section = html[html.index("Getting started") :]
    assert '<li class="is-done">' in section  # the periods: the fixture's current quarter
    assert '<li class="is-next">' in section  # the vision, still to write


def test_checklist_is_for_admins_only(member, manager, org, period):
    for client in (member, manager):
        assert "Getting started" not in client.get(my_url(org)).content.decode()


def test_checklist_goes_away_when_every_step_is_done(admin, org, period, admin_membership):
    for build in (_write_vision, _add_colleague, _add_team, _write_company_objective):
        build(org, admin_membership)
    assert "Getting started" in admin.get(my_url(org)).content.decode()
    _add_reminder(org, admin_membership)
    assert "Getting started" not in admin.get(my_url(org)).content.decode()


def _objectives(org, period, owner, n):
    objectives = Objective.objects.bulk_create(
        Objective(org=org, period=period, level="individual", owner=owner, title=f"Objective {i}")
        for i in range(n)
    )
    KeyResult.objects.bulk_create(
        KeyResult(org=org, objective=o, owner=owner, title=f"KR {o.pk}", target_value=10)
        for o in objectives
    )


@pytest.mark.parametrize("size", [2, 60])
def test_my_okrs_with_the_checklist_has_bounded_queries(
    admin, org, period, admin_membership, size, django_assert_max_num_queries
):
    _objectives(org, period, admin_membership, size)
    for i in range(size):
        MembershipFactory(org=org)
        TeamFactory(org=org, name=f"Team {i}")
        InvitationFactory(org=org)
    with django_assert_max_num_queries(MY_OKRS_BUDGET):
        html = admin.get(my_url(org)).content.decode()
    assert "Getting started" in html


# My OKRs' own eight queries (session, user, tenancy, periods, objectives, KRs, owners,
# KRs owned elsewhere) plus one for the whole checklist and one for "To grade" (closing).
MY_OKRS_BUDGET = 11  # the session from PostgreSQL included


def hide_url(org):
    return reverse("config:getting-started-hide", kwargs={"org_slug": org.slug})


def test_admin_hides_the_checklist_for_the_company(admin, org, period, admin_membership):
    response = admin.post(hide_url(org), follow=True)
    assert response.redirect_chain[-1][0] == "/acme/my/"
    html = response.content.decode()
    assert "getting-started list is hidden" in html and "Getting started" not in html
    other_admin = MembershipFactory(org=org, role="admin")
    client = Client()
    client.force_login(other_admin.user)
    assert "Getting started" not in client.get(my_url(org)).content.decode()


@pytest.mark.parametrize(
    ("persona", "method", "expected"),
    [
        ("member", "post", 403),
        ("manager", "post", 403),
        ("outsider", "post", 404),
        ("admin", "get", 405),
        ("anon", "post", 302),
    ],
)
def test_only_the_companys_admins_hide_the_checklist(
    request, org, period, admin_membership, persona, method, expected
):
    client = request.getfixturevalue(persona)
    assert getattr(client, method)(hide_url(org)).status_code == expected
    org.refresh_from_db()
    assert org.getting_started_hidden_at is None
    assert checklist_for(org, admin_membership).steps  # still there for the admin


def test_the_whole_checklist_is_one_query(org, period, admin_membership, django_assert_num_queries):
    for build in (_write_vision, _invite, _add_team, _add_reminder):
        build(org, admin_membership)
    with django_assert_num_queries(1):
        checklist = checklist_for(org, admin_membership)
    assert checklist.done_count == 5 and checklist.next_step.key == "company_objective"
