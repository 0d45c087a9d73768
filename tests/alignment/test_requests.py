"""Alignment requests: when the company asks first, aligning to someone else's objective
waits for its owner, counts nowhere until accepted, and reaches the owner's inbox."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from alignment import services
from alignment.models import AlignmentRequest
from notifications.models import Notification
from objectives.models import Objective
from tests.factories import KeyResultFactory, ObjectiveFactory


@pytest.fixture
def asks_first(org):
    org.alignment_requests = True
    org.save()
    return org


@pytest.fixture
def mine(org, period, member_membership):
    objective = ObjectiveFactory(org=org, period=period, owner=member_membership, title="Mine")
    KeyResultFactory(objective=objective, current_value=50, target_value=100)
    return objective


@pytest.fixture
def theirs(org, period, admin_membership):
    return ObjectiveFactory(
        org=org,
        period=period,
        level=Objective.Level.COMPANY,
        owner=admin_membership,
        title="Theirs",
    )


def align_url(objective):
    return reverse("alignment:align", kwargs={"org_slug": "acme", "objective_id": objective.pk})


def test_aligning_to_someone_elses_objective_asks_and_counts_nowhere(
    asks_first, member, mine, theirs, admin_membership
):
    response = member.post(align_url(mine), {"parent": theirs.pk})
    assert response.status_code == 302
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.parent_id is None
    assert theirs.aligned_progress in (None, theirs.progress)  # nothing rolled up
    request = AlignmentRequest.objects.get()
    assert (request.child, request.parent, request.status) == (mine, theirs, "pending")
    note = Notification.objects.get(recipient=admin_membership)
    assert note.kind == "alignment_request" and note.alignment_request == request
    page = member.get(
        reverse("objectives:objective", kwargs={"org_slug": "acme", "objective_id": mine.pk})
    ).content.decode()
    assert "Waiting for" in page and "to accept aligning it to “Theirs”" in page


def test_without_the_setting_it_links_at_once(member, mine, theirs):
    member.post(align_url(mine), {"parent": theirs.pk})
    mine.refresh_from_db()
    assert mine.parent_id == theirs.pk and not AlignmentRequest.objects.exists()


def test_aligning_to_what_you_may_change_needs_no_request(
    asks_first, manager, org, period, team, manager_membership
):
    mine = ObjectiveFactory(org=org, period=period, owner=manager_membership)
    team_objective = ObjectiveFactory(
        org=org, period=period, level=Objective.Level.TEAM, team=team, owner=None
    )
    manager.post(align_url(mine), {"parent": team_objective.pk})
    mine.refresh_from_db()
    assert mine.parent_id == team_objective.pk and not AlignmentRequest.objects.exists()


def test_the_owner_accepts_and_the_link_counts(
    asks_first, admin, mine, theirs, member_membership, admin_membership
):
    request = services.alignment_request(objective=mine, parent=theirs, actor=member_membership)
    url = reverse("alignment:request", kwargs={"org_slug": "acme", "request_id": request.pk})
    assert "Accept" in admin.get(url).content.decode()
    assert admin.post(url, {"action": "accept", "comment": "Welcome"}).status_code == 302
    mine.refresh_from_db()
    request.refresh_from_db()
    assert mine.parent_id == theirs.pk
    assert (request.status, request.comment, request.answered_by) == (
        "accepted",
        "Welcome",
        admin_membership,
    )
    answer = Notification.objects.get(recipient=member_membership)
    assert answer.kind == "alignment_answer"


def test_a_decline_leaves_it_unaligned_and_answering_twice_is_refused(
    asks_first, mine, theirs, member_membership, admin_membership
):
    request = services.alignment_request(objective=mine, parent=theirs, actor=member_membership)
    services.alignment_request_answer(request=request, actor=admin_membership, accept=False)
    mine.refresh_from_db()
    assert mine.parent_id is None
    with pytest.raises(ValidationError):
        services.alignment_request_answer(request=request, actor=admin_membership, accept=True)


def test_only_the_parents_owner_answers(asks_first, member, mine, theirs, member_membership):
    request = services.alignment_request(objective=mine, parent=theirs, actor=member_membership)
    with pytest.raises(PermissionDenied):
        services.alignment_request_answer(request=request, actor=member_membership, accept=True)
    url = reverse("alignment:request", kwargs={"org_slug": "acme", "request_id": request.pk})
    assert member.post(url, {"action": "accept"}).status_code == 403
    assert member.post(url, {"action": "withdraw"}).status_code == 302
    request.refresh_from_db()
    assert request.status == "withdrawn"


def test_the_rules_apply_when_asking(asks_first, mine, org, period, member_membership):
    later = ObjectiveFactory(
        org=org,
        owner=None,
        level=Objective.Level.COMPANY,
        period__start=period.end + datetime.timedelta(days=400),
        period__end=period.end + datetime.timedelta(days=490),
    )
    with pytest.raises(ValidationError):
        services.alignment_request(objective=mine, parent=later, actor=member_membership)
    assert not AlignmentRequest.objects.exists()


def test_admins_see_requests_waiting_more_than_a_week(
    asks_first, admin, mine, theirs, member_membership
):
    request = services.alignment_request(objective=mine, parent=theirs, actor=member_membership)
    AlignmentRequest.objects.filter(pk=request.pk).update(
        created_at=request.created_at - datetime.timedelta(days=8)
    )
    page = admin.get(reverse("alignment:requests", kwargs={"org_slug": "acme"})).content.decode()
    assert "Waiting more than a week" in page and "Mine" in page


@pytest.mark.parametrize("size", [1, 12])
def test_the_requests_page_costs_the_same_queries(
    django_assert_max_num_queries, asks_first, admin, org, period, theirs, size
):
    for i in range(size):
        child = ObjectiveFactory(org=org, period=period, title=f"Child {i}")
        services.alignment_request(objective=child, parent=theirs, actor=child.owner)
    with django_assert_max_num_queries(7):
        response = admin.get(reverse("alignment:requests", kwargs={"org_slug": "acme"}))
    assert response.content.decode().count("Child ") == size
