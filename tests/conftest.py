"""Persona fixtures: admin, manager, member of "acme"; outsider of "globex"; anon.

Each persona is a Django test ``Client`` already signed in, with ``.membership`` attached.
"""

import pytest
from django.core.cache import cache
from django.test import Client

from organizations.models import Membership

from .factories import (
    MembershipFactory,
    OrganizationFactory,
    PeriodFactory,
    TeamFactory,
    TeamMembershipFactory,
)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Redis outlives each test's rolled-back transaction: without this, the e-mail limits
    (accounts.throttle) of one test would count against the next."""
    cache.clear()


@pytest.fixture
def org(db):
    return OrganizationFactory(name="Acme", slug="acme")


@pytest.fixture
def other_org(db):
    return OrganizationFactory(name="Globex", slug="globex")


@pytest.fixture
def period(org):
    return PeriodFactory(org=org, name="This quarter", is_current=True)


@pytest.fixture
def team(org):
    return TeamFactory(org=org, name="Marketing")


def _client_for(membership):
    client = Client()
    client.force_login(membership.user)
    client.membership = membership
    client.user = membership.user
    return client


@pytest.fixture
def admin_membership(org):
    return MembershipFactory(org=org, role=Membership.Role.ADMIN, user__full_name="Ada Admin")


@pytest.fixture
def manager_membership(org, team):
    membership = MembershipFactory(
        org=org, role=Membership.Role.MANAGER, user__full_name="Max Manager"
    )
    TeamMembershipFactory(team=team, membership=membership, is_manager=True)
    return membership


@pytest.fixture
def member_membership(org, team):
    membership = MembershipFactory(
        org=org, role=Membership.Role.MEMBER, user__full_name="Mia Member"
    )
    TeamMembershipFactory(team=team, membership=membership)
    return membership


@pytest.fixture
def outsider_membership(other_org):
    return MembershipFactory(
        org=other_org, role=Membership.Role.ADMIN, user__full_name="Otto Outsider"
    )


@pytest.fixture
def admin(admin_membership):
    return _client_for(admin_membership)


@pytest.fixture
def manager(manager_membership):
    return _client_for(manager_membership)


@pytest.fixture
def member(member_membership):
    return _client_for(member_membership)


@pytest.fixture
def outsider(outsider_membership):
    return _client_for(outsider_membership)


@pytest.fixture
def anon(db):
    return Client()
