"""Grading while a period is being closed, and closing it: who may, when, and what stays."""

from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from guardian.shortcuts import assign_perm

from audit.models import AuditEntry
from closing import services
from closing.models import KRGrade, ObjectiveOutcome, ReflectionAnswer, ReflectionQuestion
from closing.permissions import CLOSED, CLOSING, OPEN, period_state
from objectives.models import Objective
from objectives.permissions import PeriodClosed
from tests.closing.conftest import grade_all
from tests.factories import KeyResultFactory, MembershipFactory, ObjectiveFactory

pytestmark = pytest.mark.django_db


def _url(name, **kwargs):
    return reverse(f"closing:{name}", kwargs={"org_slug": "acme", **kwargs})


def test_a_period_moves_from_open_to_closing_to_closed(quarter, admin_membership, mine):
    assert period_state(quarter) == OPEN
    services.period_closing_start(period=quarter, actor=admin_membership)
    quarter.refresh_from_db()
    assert period_state(quarter) == CLOSING
    assert [q.text for q in ReflectionQuestion.objects.filter(org=quarter.org)] == [
        "What went well?",
        "What did not go well?",
        "What did we learn?",
    ]
    grade_all(mine, admin_membership)
    services.period_close(period=quarter, actor=admin_membership)
    quarter.refresh_from_db()
    assert period_state(quarter) == CLOSED and quarter.is_closed


def test_only_admins_start_and_close(quarter, manager_membership, member_membership):
    for actor in (manager_membership, member_membership):
        with pytest.raises(PermissionDenied):
            services.period_closing_start(period=quarter, actor=actor)


def test_grading_is_refused_before_closing_starts(quarter, mine, member_membership):
    with pytest.raises(ValidationError, match="Grading opens when an admin starts closing"):
        grade_all(mine, member_membership)


@pytest.mark.parametrize(
    "who, allowed",
    [("owner", True), ("co_owner", True), ("admin", True), ("manager", False), ("other", False)],
)
def test_who_grades_an_individual_objective(
    closing, mine, who, allowed, admin_membership, member_membership, manager_membership, org
):
    other = MembershipFactory(org=org)
    co_owner = MembershipFactory(org=org)
    assign_perm("objectives.change_objective", co_owner.user, mine)
    actor = {
        "owner": member_membership,
        "co_owner": co_owner,
        "admin": admin_membership,
        "manager": manager_membership,  # manages Mia's team: may nudge, not grade
        "other": other,
    }[who]
    if allowed:
        grade_all(mine, actor)
        assert KRGrade.objects.filter(key_result__objective=mine).count() == 2
        entry = AuditEntry.objects.get(action="objective.grade")
        assert entry.actor == actor
    else:
        with pytest.raises(PermissionDenied):
            grade_all(mine, actor)
        assert not KRGrade.objects.exists()


def test_the_team_manager_grades_a_team_objective(closing, team, manager_membership, org):
    objective = ObjectiveFactory(org=org, period=closing, level="team", team=team, owner=None)
    KeyResultFactory(objective=objective)
    grade_all(objective, manager_membership, outcome="achieved", score="1")
    assert objective.outcome.outcome == "achieved"


def test_grades_lock_at_close_except_for_admins(closing, mine, member_membership, admin_membership):
    grade_all(mine, member_membership)
    services.period_close(period=closing, actor=admin_membership)
    with pytest.raises(ValidationError, match="is closed"):
        grade_all(mine, member_membership, score="0.9")
    grade_all(mine, admin_membership, score="0.9")  # an admin corrects a grade after close
    assert set(KRGrade.objects.values_list("score", flat=True)) == {Decimal("0.90")}


def test_closing_does_not_lock_other_edits(closing, mine, member_membership):
    from objectives import services as objective_services

    objective_services.objective_update(objective=mine, actor=member_membership, title="Grown")
    assert Objective.objects.get(pk=mine.pk).title == "Grown"


def test_close_waits_for_every_grade_unless_forced(closing, mine, admin_membership):
    with pytest.raises(ValidationError, match="1 objective"):
        services.period_close(period=closing, actor=admin_membership)
    services.period_close(period=closing, actor=admin_membership, force=True)
    closing.refresh_from_db()
    assert closing.is_closed and closing.closing.forced
    entry = AuditEntry.objects.get(action="period.close")
    assert entry.changes["forced"] == [None, True]


def test_after_close_the_period_is_read_only_for_members(
    closing, mine, member_membership, admin_membership
):
    from objectives import services as objective_services

    grade_all(mine, member_membership)
    services.period_close(period=closing, actor=admin_membership)
    with pytest.raises(PeriodClosed):
        objective_services.objective_update(
            objective=Objective.objects.get(pk=mine.pk), actor=member_membership, title="X"
        )


def test_drafts_are_not_waited_for(closing, mine, member_membership, admin_membership, org):
    ObjectiveFactory(org=org, period=closing, owner=member_membership, status="draft")
    grade_all(mine, member_membership)
    services.period_close(period=closing, actor=admin_membership)  # no force needed


def test_grade_page_suggests_progress_and_keeps_bad_input(closing, mine, member):
    url = _url("grade", objective_id=mine.pk)
    page = member.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert 'value="0.40"' in body and 'value="1.00"' in body  # suggested from progress
    followers, posts = mine.key_results.order_by("position", "id")
    data = {
        f"kr-{followers.pk}-score": "1.5",
        f"kr-{followers.pk}-reason": "Typed reason",
        f"kr-{posts.pk}-score": "1",
        f"kr-{posts.pk}-reason": "",
        "outcome": "partly",
    }
    bad = member.post(url, data)
    assert bad.status_code == 200
    body = bad.content.decode()
    assert "Ensure this value is less than or equal to 1" in body
    assert f'id="id_kr-{followers.pk}-score_error"' in body  # beside the field
    assert "Typed reason" in body and 'value="1.5"' in body  # what was typed stays
    assert not KRGrade.objects.exists()
    question = ReflectionQuestion.objects.filter(org=mine.org).first()
    data[f"kr-{followers.pk}-score"] = "0.4"
    data[f"q-{question.pk}"] = "The posts went out on time."
    assert member.post(url, data).status_code == 302
    assert ObjectiveOutcome.objects.get(objective=mine).outcome == "partly"
    assert ReflectionAnswer.objects.get(objective=mine).text == "The posts went out on time."
    # After close, the objective page shows grades, outcome and reflections, read-only.
    services.period_close(period=closing, actor=MembershipFactory(org=mine.org, role="admin"))
    page = member.get(
        reverse("objectives:objective", kwargs={"org_slug": "acme", "objective_id": mine.pk})
    ).content.decode()
    assert "Grades and reflections" in page and "Partly achieved" in page
    assert "The posts went out on time." in page and "Typed reason" in page
    assert _url("grade", objective_id=mine.pk) not in page  # no Grade button for Mia now


def test_grade_page_is_403_for_a_visible_objective_that_is_not_theirs(closing, mine, manager):
    assert manager.get(_url("grade", objective_id=mine.pk)).status_code == 403


def test_private_objectives_stay_out_of_a_managers_grading_list(
    closing, mine, manager, org, admin_membership
):
    ObjectiveFactory(
        org=org, period=closing, owner=admin_membership, visibility="private", title="Secret plan"
    )
    page = manager.get(
        _url("progress", period_id=closing.pk)
        + "?team="
        + str(mine.owner.team_memberships.first().team_id)
    ).content.decode()
    assert "Grow" in page and "Secret plan" not in page
    assert "0 of 1" in page


def test_admin_progress_counts_every_team_and_company(closing, mine, admin, org, member_membership):
    ObjectiveFactory(org=org, period=closing, level="company", owner=None, title="Company goal")
    grade_all(mine, member_membership)
    page = admin.get(_url("progress", period_id=closing.pk)).content.decode()
    assert "Company objectives" in page and "Marketing" in page
    assert (
        "1 of 2 objectives graded" in page.replace("\n", " ").replace("  ", " ") or "1 of 2" in page
    )
    assert "Force close" in page


def test_member_cannot_open_grading_progress(closing, member):
    assert member.get(_url("progress", period_id=closing.pk)).status_code == 403


def test_a_manager_nudges_an_owner_once_a_day(
    closing, mine, manager, django_capture_on_commit_callbacks
):
    url = _url("nudge", objective_id=mine.pk)
    with django_capture_on_commit_callbacks(execute=True):
        assert manager.post(url).status_code == 302
    (message,) = mail.outbox
    assert "Grow" in message.subject and mine.owner.user.email in message.to
    assert _url("grade", objective_id=mine.pk) in message.body
    with django_capture_on_commit_callbacks(execute=True):
        manager.post(url)
    assert len(mail.outbox) == 1


def test_start_and_close_through_the_pages(quarter, mine, admin, member_membership):
    assert admin.post(_url("start", period_id=quarter.pk)).status_code == 302
    confirm = admin.get(_url("close", period_id=quarter.pk) + "?force=1")
    assert confirm.status_code == 200 and "Force close" in confirm.content.decode()
    assert admin.post(_url("close", period_id=quarter.pk)).status_code == 302
    quarter.refresh_from_db()
    assert not quarter.is_closed  # not graded, not forced
    admin.post(_url("close", period_id=quarter.pk), {"force": "1"})
    quarter.refresh_from_db()
    assert quarter.is_closed


def test_my_okrs_lists_what_i_have_to_grade(closing, mine, member, member_membership):
    page = member.get(reverse("objectives:my", kwargs={"org_slug": "acme"})).content.decode()
    assert _url("grade", objective_id=mine.pk) in page
    grade_all(mine, member_membership)
    page = member.get(reverse("objectives:my", kwargs={"org_slug": "acme"})).content.decode()
    assert _url("grade", objective_id=mine.pk) not in page


def test_admins_edit_the_reflection_questions(admin, member, org):
    url = _url("questions")
    assert member.get(url).status_code == 403
    assert "What went well?" in admin.get(url).content.decode()  # the defaults to start from
    bad = admin.post(url, {"questions": "x" * 201})
    assert bad.status_code == 200 and "fits in 200 characters" in bad.content.decode()
    assert admin.post(url, {"questions": "What surprised us?\nWhat went well?"}).status_code == 302
    assert [q.text for q in ReflectionQuestion.objects.filter(org=org, archived_at=None)] == [
        "What surprised us?",
        "What went well?",
    ]
