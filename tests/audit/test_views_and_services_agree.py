"""A view's refusal is its service's refusal: with the service's check switched off, the
same request goes through, so no page can be stricter or looser than the service."""

import pytest
from django.urls import reverse

from audit.models import AuditEntry
from objectives import services as objective_services
from objectives.models import Objective
from organizations import services as org_services
from organizations.models import Membership
from tests.factories import MembershipFactory, ObjectiveFactory

pytestmark = pytest.mark.django_db


def test_deleting_someone_elses_objective_is_refused_by_the_service(
    member, manager_membership, period, monkeypatch
):
    # Mia may see the manager's objective (public) but not change it.
    theirs = ObjectiveFactory(org=period.org, period=period, owner=manager_membership)
    delete = reverse(
        "objectives:objective-delete", kwargs={"org_slug": "acme", "objective_id": theirs.pk}
    )
    assert member.post(delete).status_code == 403
    assert Objective.objects.filter(pk=theirs.pk).exists()

    monkeypatch.setattr(objective_services, "ensure_may_edit", lambda actor, objective: None)
    assert member.post(delete).status_code == 302
    assert not Objective.objects.filter(pk=theirs.pk).exists()
    assert AuditEntry.objects.get(action="objective.delete").actor == member.membership


def test_changing_a_role_is_refused_by_the_service(manager, org, monkeypatch):
    person = MembershipFactory(org=org)
    role = reverse(
        "organizations:person-role", kwargs={"org_slug": "acme", "membership_id": person.pk}
    )
    assert manager.post(role, {"role": "admin"}).status_code == 403
    person.refresh_from_db()
    assert person.role == Membership.Role.MEMBER  # a manager cannot make anyone admin

    monkeypatch.setattr(org_services, "ensure_admin", lambda actor, org_id: None)
    assert manager.post(role, {"role": "manager"}).status_code in (200, 302)
    person.refresh_from_db()
    assert person.role == Membership.Role.MANAGER
    assert AuditEntry.objects.get(action="membership.set_role").actor == manager.membership


def test_the_owner_still_deletes_and_the_admin_still_changes_roles(member, admin, org, period):
    mine = ObjectiveFactory(org=org, period=period, owner=member.membership)
    delete = reverse(
        "objectives:objective-delete", kwargs={"org_slug": "acme", "objective_id": mine.pk}
    )
    assert member.post(delete).status_code == 302
    person = MembershipFactory(org=org)
    role = reverse(
        "organizations:person-role", kwargs={"org_slug": "acme", "membership_id": person.pk}
    )
    assert admin.post(role, {"role": "manager"}).status_code in (200, 302)
    person.refresh_from_db()
    assert person.role == Membership.Role.MANAGER
    assert admin.post(role, {"role": "nonsense"}).status_code == 200  # said beside the list
