"""Drafts: a new objective starts as a draft unless its author publishes it at once.

A draft is seen only by its owner, its co-owners and the managers of its team or owner (and
admins), exactly like a private objective (the walkers and ``test_visibility.py`` run their
private-objective checks with a draft too); it counts nowhere, whoever looks: roll-ups,
dashboards' figures, reminders. Publishing (``objective_publish``) makes it count.
"""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from guardian.shortcuts import assign_perm

from alignment.figures import compute_scopes
from audit.models import AuditEntry
from checkins import reminders
from objectives import services
from objectives.models import KeyResult, Objective
from objectives.permissions import PeriodClosed
from tests.conftest import _client_for
from tests.factories import (
    KeyResultFactory,
    MembershipFactory,
    ObjectiveFactory,
    PeriodFactory,
    ReminderScheduleFactory,
)

pytestmark = pytest.mark.django_db

DRAFT = Objective.Status.DRAFT
TITLE = "Launch the Walrus newsletter"


def url(name, **kwargs):
    return reverse(f"objectives:{name}", kwargs={"org_slug": "acme", **kwargs})


@pytest.fixture
def company_goal(org, period):
    return ObjectiveFactory(org=org, period=period, level="company", owner=None, title="Grow")


@pytest.fixture
def draft(org, period, member_membership, company_goal):
    """Mia's draft, aligned to the company goal, with a key result at 100%."""
    objective = ObjectiveFactory(
        org=org,
        period=period,
        owner=member_membership,
        title=TITLE,
        status=DRAFT,
        parent=company_goal,
    )
    KeyResultFactory(objective=objective, title="Walrus subscribers", current_value=100)
    return objective


@pytest.fixture
def colleague(org):
    return _client_for(MembershipFactory(org=org, user__full_name="Cole League"))


@pytest.fixture
def co_owner(org, draft):
    membership = MembershipFactory(org=org, user__full_name="Co Owner")
    assign_perm("objectives.change_objective", membership.user, draft)
    return _client_for(membership)


# --- who sees it -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona, status",
    [
        ("member", 200),  # the owner
        ("co_owner", 200),
        ("manager", 200),  # manages Marketing, the owner's team
        ("admin", 200),
        ("colleague", 404),  # as for an objective that does not exist
        ("outsider", 404),
    ],
)
def test_only_owner_co_owners_and_managers_open_a_draft(request, draft, persona, status):
    client = request.getfixturevalue(persona)
    response = client.get(url("objective", objective_id=draft.pk))
    assert response.status_code == status
    if status == 200:
        assert "Draft" in response.content.decode()


def test_a_draft_is_in_no_list_search_or_tree_of_a_colleague(
    colleague, draft, org, team, member_membership
):
    for address in [
        url("company"),
        url("team", team_id=team.pk),
        url("person", person_id=member_membership.pk),
        url("explore"),
        url("explore") + "?q=Walrus",
        reverse("search:results", kwargs={"org_slug": "acme"}) + "?q=walrus",
        reverse("alignment:tree", kwargs={"org_slug": "acme"}),
        reverse("alignment:subtree", kwargs={"org_slug": "acme", "objective_id": draft.parent_id}),
        reverse("checkins:feed", kwargs={"org_slug": "acme"}),
    ]:
        body = colleague.get(address).content.decode()
        assert TITLE not in body and "Walrus subscribers" not in body, address


def test_my_okrs_lists_my_drafts_first_with_publish(member, org, period, member_membership, draft):
    ObjectiveFactory(org=org, period=period, owner=member_membership, title="Already published")
    page = member.get(url("my")).content.decode()
    assert page.index(TITLE) < page.index("Already published")
    publish = url("objective-publish", objective_id=draft.pk)
    assert page.count(f'action="{publish}"') == 1  # the published one offers none


def test_publish_is_offered_only_to_who_may_edit(manager, co_owner, draft):
    publish = url("objective-publish", objective_id=draft.pk)
    page = url("objective", objective_id=draft.pk)
    assert publish in co_owner.get(page).content.decode()
    assert publish not in manager.get(page).content.decode()  # sees it, may not edit it


# --- it counts nowhere until published ---------------------------------------------------


def stored_aligned(objective):
    objective.refresh_from_db()
    return objective.aligned_progress


def test_a_draft_counts_in_no_roll_up_until_published(draft, company_goal, member_membership):
    assert stored_aligned(company_goal) is None  # nothing counted aligns to it
    services.objective_publish(objective=draft, actor=member_membership)
    assert stored_aligned(company_goal) == 1


def test_a_draft_changes_no_dashboard_figure_until_published(
    org, period, company_goal, member_membership, admin
):
    before = compute_scopes(org, period)
    draft = ObjectiveFactory(
        org=org, period=period, owner=member_membership, status=DRAFT, parent=company_goal
    )
    KeyResultFactory(objective=draft, title="Walrus subscribers", current_value=50)
    assert compute_scopes(org, period) == before
    dashboard = admin.get(reverse("alignment:dashboard", kwargs={"org_slug": "acme"}))
    assert "Walrus subscribers" not in dashboard.content.decode()  # not even for an admin
    services.objective_publish(objective=draft, actor=member_membership)
    assert compute_scopes(org, period) != before


def test_no_reminder_for_a_drafts_key_results(
    org, member_membership, django_capture_on_commit_callbacks
):
    now = datetime.datetime(2025, 1, 31, 8, 5, tzinfo=datetime.UTC)  # last Friday, 09:05 Oslo
    org.time_zone = "Europe/Oslo"
    org.save(update_fields=["time_zone"])
    quarter = PeriodFactory(
        org=org, start=datetime.date(2025, 1, 1), end=datetime.date(2025, 3, 31)
    )
    ReminderScheduleFactory(
        org=org,
        cadence="monthly",
        monthly_rule="weekday",
        week=-1,
        weekday=4,
        send_time=datetime.time(9, 0),
        created_at=now - datetime.timedelta(days=90),
    )
    for title, status in (("Walrus draft", DRAFT), ("Published goal", "active")):
        objective = ObjectiveFactory(
            org=org, period=quarter, owner=member_membership, status=status
        )
        KeyResultFactory(objective=objective, owner=member_membership, title=title)
    KeyResult.objects.filter(org=org).update(created_at=now - datetime.timedelta(days=30))
    with django_capture_on_commit_callbacks(execute=True):
        reminders.run_in_process(now=now)
    (message,) = mail.outbox
    assert "Published goal" in message.body
    assert "Walrus draft" not in message.body


# --- publishing ----------------------------------------------------------------------------


def test_the_owner_publishes_and_the_trail_says_who(member, colleague, draft, member_membership):
    response = member.post(url("objective-publish", objective_id=draft.pk))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Objective.Status.ACTIVE
    entry = AuditEntry.objects.get(action="objective.publish")
    assert (entry.actor_id, entry.target_id) == (member_membership.pk, draft.pk)
    assert entry.changes == {"status": ["draft", "active"]}
    assert colleague.get(url("objective", objective_id=draft.pk)).status_code == 200


@pytest.mark.parametrize(
    "persona, status", [("co_owner", 302), ("manager", 403), ("colleague", 404)]
)
def test_publish_rights(request, draft, persona, status):
    """A co-owner may; a manager sees it but may not edit it (403); a colleague does not
    see it at all (404, as for a missing id)."""
    client = request.getfixturevalue(persona)
    assert client.post(url("objective-publish", objective_id=draft.pk)).status_code == status
    draft.refresh_from_db()
    assert draft.is_draft == (status != 302)


def test_publishing_twice_or_in_a_closed_period_is_refused(draft, member_membership, period):
    period.is_closed = True
    period.save()
    with pytest.raises(PeriodClosed):
        services.objective_publish(objective=draft, actor=member_membership)
    period.is_closed = False
    period.save()
    services.objective_publish(objective=draft, actor=member_membership)
    with pytest.raises(ValidationError, match="already published"):
        services.objective_publish(objective=draft, actor=member_membership)
    assert AuditEntry.objects.filter(action="objective.publish").count() == 1


def test_a_stranger_may_not_publish_through_the_service(draft, org):
    with pytest.raises(PermissionDenied):
        services.objective_publish(objective=draft, actor=MembershipFactory(org=org))


# --- writing one -----------------------------------------------------------------------------


def _new_objective(client, period, **extra):
    data = {
        "title": TITLE,
        "period": period.pk,
        "level": "individual",
        "visibility": "public",
        "kr-TOTAL_FORMS": "0",
        "kr-INITIAL_FORMS": "0",
        **extra,
    }
    return client.post(url("objective-new"), data)


def test_the_form_saves_a_draft_unless_publish_now_is_pressed(member, period):
    assert _new_objective(member, period).status_code == 302  # Enter: "Save draft"
    assert Objective.objects.get(title=TITLE).status == DRAFT
    Objective.objects.all().delete()
    _new_objective(member, period, publish="1")
    assert Objective.objects.get(title=TITLE).status == Objective.Status.ACTIVE
    assert AuditEntry.objects.filter(action="objective.publish").count() == 1


def test_the_form_offers_both_buttons_draft_first(member):
    page = member.get(url("objective-new")).content.decode()
    assert page.index("Save draft") < page.index("Publish now")
    assert 'name="status"' not in page  # the buttons decide, not a select


def test_my_okrs_quick_form_offers_both_buttons(member):
    page = member.get(url("my")).content.decode()
    quick = page[page.index('class="quick-form"') :]
    assert quick.index("Save draft") < quick.index("Publish now")


def test_a_published_objective_cannot_go_back_to_draft(member, org, period, member_membership):
    objective = ObjectiveFactory(org=org, period=period, owner=member_membership)
    form = member.get(url("objective-edit", objective_id=objective.pk)).context["form"]
    assert {value for value, _ in form.fields["status"].choices} == {
        "active",
        "done",
        "abandoned",
    }


def test_factories_default_to_published_and_the_service_to_draft(org, period, member_membership):
    assert ObjectiveFactory(org=org, period=period).status == Objective.Status.ACTIVE
    made = services.objective_create(
        org=org, actor=member_membership, period=period, level="individual", title="New"
    )
    assert made.status == DRAFT


def test_a_required_publish_gate_keeps_it_a_draft_with_the_reason(
    member, org, draft, member_membership
):
    """The writing coach's rules an admin made required (``Organization.publish_gates``)
    stop publishing; the draft stays one and the page says why."""
    org.publish_gates = ["too_few_key_results"]  # the draft has one key result
    org.save()
    response = member.post(url("objective-publish", objective_id=draft.pk), follow=True)
    draft.refresh_from_db()
    assert draft.status == DRAFT
    assert "stays a draft" in response.content.decode()
    assert not AuditEntry.objects.filter(action="objective.publish").exists()
    KeyResultFactory(objective=draft, title="Walrus readers")
    member.post(url("objective-publish", objective_id=draft.pk))
    draft.refresh_from_db()
    assert draft.status == Objective.Status.ACTIVE
