"""Review, when the company turns it on: publishing a team or individual objective submits
it; a manager of its team (or of its owner) approves it (it is published) or asks for
changes with a comment (a draft again); the submitter is told by e-mail; managers have an
inbox; every step is recorded with who and when."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from audit.models import AuditEntry
from objectives import services
from objectives.models import Objective, ReviewStep
from tests.conftest import _client_for
from tests.factories import (
    KeyResultFactory,
    MembershipFactory,
    ObjectiveFactory,
    TeamFactory,
    TeamMembershipFactory,
)

pytestmark = pytest.mark.django_db

TITLE = "Run APAC webinars"


def url(name, **kwargs):
    return reverse(f"objectives:{name}", kwargs={"org_slug": "acme", **kwargs})


@pytest.fixture
def review_on(org):
    org.review_required = True
    org.save()
    return org


@pytest.fixture
def company_goal(org, period):
    return ObjectiveFactory(org=org, period=period, level="company", owner=None, title="Grow")


@pytest.fixture
def draft(org, period, member_membership, company_goal):
    """Mia's draft (Mia is in Marketing, which Max manages), aligned to the company goal."""
    objective = ObjectiveFactory(
        org=org,
        period=period,
        owner=member_membership,
        title=TITLE,
        status="draft",
        parent=company_goal,
    )
    KeyResultFactory(objective=objective, current_value=100)
    return objective


@pytest.fixture
def submitted(review_on, draft, member):
    member.post(url("objective-publish", objective_id=draft.pk))
    draft.refresh_from_db()
    return draft


def decide(client, objective, decision, comment="", **extra):
    prefix = f"review-{objective.pk}"
    return client.post(
        url("objective-review", objective_id=objective.pk),
        {f"{prefix}-decision": decision, f"{prefix}-comment": comment, **extra},
    )


def test_an_admin_turns_review_on_in_company_settings(admin, org):
    data = {
        "name": "Acme",
        "time_zone": "UTC",
        "fiscal_year_start_month": "1",
        "week_start": "0",
        "review_required": "on",
    }
    response = admin.post(reverse("config:settings", kwargs={"org_slug": "acme"}), data)
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.review_required
    entry = AuditEntry.objects.get(action="company.settings")
    assert entry.changes["review_required"] == [False, True]


def test_publishing_submits_and_it_stays_hidden_and_uncounted(
    submitted, company_goal, member_membership, org
):
    assert submitted.status == Objective.Status.SUBMITTED
    step = ReviewStep.objects.get(objective=submitted)
    assert (step.kind, step.actor_id) == ("submitted", member_membership.pk)
    assert AuditEntry.objects.filter(action="objective.submit", target_id=submitted.pk).exists()
    company_goal.refresh_from_db()
    assert company_goal.aligned_progress is None  # not counted while it waits
    colleague = _client_for(MembershipFactory(org=org))
    assert colleague.get(url("objective", objective_id=submitted.pk)).status_code == 404


def test_the_card_says_submit_for_review(review_on, draft, member):
    page = member.get(url("my")).content.decode()
    assert "Submit for review" in page


def test_the_manager_finds_it_in_the_inbox_and_on_my_okrs(submitted, manager):
    inbox = manager.get(url("reviews")).content.decode()
    assert TITLE in inbox and "submitted by Mia Member" in inbox
    assert "1 objective waits for your review" in manager.get(url("my")).content.decode()


def test_the_submitter_does_not_review_their_own(submitted, member):
    assert 'class="card review-item"' not in member.get(url("reviews")).content.decode()
    assert decide(member, submitted, "approve").status_code == 403


def test_approving_publishes_it_and_tells_the_submitter(
    submitted, manager, manager_membership, company_goal, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = decide(manager, submitted, "approve")
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == Objective.Status.ACTIVE
    company_goal.refresh_from_db()
    assert company_goal.aligned_progress == 1  # it counts now
    (message,) = mail.outbox
    assert message.to == [submitted.owner.user.email]
    assert "Approved" in message.subject and TITLE in message.body
    entry = AuditEntry.objects.get(action="objective.approve")
    assert (entry.actor_id, entry.changes["status"]) == (
        manager_membership.pk,
        ["submitted", "active"],
    )
    page = manager.get(url("objective", objective_id=submitted.pk)).content.decode()
    assert "Submitted for review" in page and "Approved" in page and "Max Manager" in page


def test_asking_for_changes_needs_a_comment_and_keeps_what_was_typed(submitted, manager):
    response = decide(manager, submitted, "changes", comment="   ")
    assert response.status_code == 400
    assert "Say what should change" in response.content.decode()
    too_long = "x" * 2001
    response = decide(manager, submitted, "changes", comment=too_long)
    assert response.status_code == 400
    assert too_long in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == Objective.Status.SUBMITTED


def test_asking_for_changes_makes_it_a_draft_and_tells_why(
    submitted, manager, member, member_membership, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = decide(manager, submitted, "changes", comment="Name the webinar topics.")
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == Objective.Status.DRAFT
    (message,) = mail.outbox
    assert message.to == [member_membership.user.email]
    assert "Changes asked" in message.subject and "Name the webinar topics." in message.body
    entry = AuditEntry.objects.get(action="objective.request_changes")
    assert entry.changes["comment"] == [None, "Name the webinar topics."]
    page = member.get(url("objective", objective_id=submitted.pk)).content.decode()
    assert "Name the webinar topics." in page
    # Changed, it is submitted again.
    member.post(url("objective-publish", objective_id=submitted.pk))
    submitted.refresh_from_db()
    assert submitted.status == Objective.Status.SUBMITTED
    kinds = list(ReviewStep.objects.filter(objective=submitted).values_list("kind", flat=True))
    assert kinds == ["submitted", "changes_requested", "submitted"]


@pytest.mark.parametrize(
    "who, status",
    [
        ("admin", 302),
        ("co_owner", 403),  # sees it (and may edit it), is no manager
        ("other_manager", 404),  # manages another team: does not see it
        ("colleague", 404),
    ],
)
def test_who_may_decide(submitted, org, who, status):
    membership = MembershipFactory(org=org, role="manager" if who != "admin" else "admin")
    if who == "co_owner":
        from guardian.shortcuts import assign_perm

        assign_perm("objectives.change_objective", membership.user, submitted)
    if who == "other_manager":
        TeamMembershipFactory(
            team=TeamFactory(org=org, name="Sales"), membership=membership, is_manager=True
        )
    response = decide(_client_for(membership), submitted, "approve")
    assert response.status_code == status
    submitted.refresh_from_db()
    assert submitted.is_draft == (status != 302)


def test_admins_and_company_objectives_publish_at_once(review_on, org, period, admin_membership):
    mine = ObjectiveFactory(org=org, period=period, owner=admin_membership, status="draft")
    goal = ObjectiveFactory(org=org, period=period, level="company", owner=None, status="draft")
    for objective in (mine, goal):
        objective.org = org
        services.objective_publish(objective=objective, actor=admin_membership)
        assert objective.status == Objective.Status.ACTIVE
    assert not ReviewStep.objects.exists()


def test_submitting_twice_or_deciding_twice_is_refused(submitted, manager, manager_membership):
    with pytest.raises(Exception, match="already waiting for review"):
        services.objective_publish(objective=submitted, actor=submitted.owner)
    assert decide(manager, submitted, "approve").status_code == 302
    response = decide(manager, submitted, "approve")
    assert response.status_code == 302  # told why on the page it returns to
    assert ReviewStep.objects.filter(kind="approved").count() == 1


def test_the_service_refuses_who_may_not_review(submitted, org):
    with pytest.raises(PermissionDenied):
        services.objective_review(
            objective=submitted, actor=MembershipFactory(org=org), approve=True
        )


@pytest.mark.parametrize("waiting", [1, 8])
def test_the_inbox_costs_the_same_queries_however_many_wait(
    review_on, org, period, team, manager, waiting, django_assert_max_num_queries
):
    for index in range(waiting):
        person = MembershipFactory(org=org)
        TeamMembershipFactory(team=team, membership=person)
        objective = ObjectiveFactory(
            org=org, period=period, owner=person, status="submitted", title=f"Wait {index}"
        )
        ReviewStep.objects.create(org=org, objective=objective, kind="submitted", actor=person)
    with django_assert_max_num_queries(9):
        page = manager.get(url("reviews"))
    assert page.content.decode().count('class="card review-item"') == waiting
