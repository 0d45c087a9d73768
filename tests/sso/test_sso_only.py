"""“Only through single sign-on”: the company's members on its domain cannot use a password
(and are told where to go instead); its admins still can (break glass); everyone else is
unaffected."""

from html import unescape

import pytest
from django.test import Client
from django.urls import reverse

from organizations.models import Membership
from tests import factories as f


def _text(response):
    """The page as a person reads it (no HTML escapes)."""
    return unescape(response.content.decode())


@pytest.fixture
def sso_only(sso):
    sso.sso_only = True
    sso.save(update_fields=["sso_only"])
    return sso


def _password_sign_in(email):
    client = Client()
    response = client.post(reverse("accounts:login"), {"email": email, "password": "pw-for-tests"})
    return client, response


def test_a_member_on_the_domain_is_sent_to_sso(sso_only, org):
    f.MembershipFactory(org=org, user__email="mia@acme.example")
    client, response = _password_sign_in("mia@acme.example")
    assert response.status_code == 200
    assert "Acme signs in through its identity provider only" in _text(response)
    assert "“Sign in with SSO” (your acme.example account), not a password" in _text(response)
    assert reverse("sso:start", kwargs={"company": "acme"}) in _text(response)
    assert "_auth_user_id" not in client.session
    assert 'value="mia@acme.example"' in _text(response)  # what was typed stays


def test_a_wrong_password_says_nothing_about_sso(sso_only, org):
    f.MembershipFactory(org=org, user__email="mia@acme.example")
    response = Client().post(
        reverse("accounts:login"), {"email": "mia@acme.example", "password": "wrong"}
    )
    assert "do not match an account" in _text(response)
    assert "identity provider only" not in _text(response)


def test_admins_keep_their_password_to_fix_a_broken_provider(sso_only, ada):
    client, response = _password_sign_in("ada@acme.example")
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


def test_people_of_other_domains_and_companies_are_unaffected(sso_only, org, other_org):
    f.MembershipFactory(org=org, user__email="contractor@freelance.example")
    f.MembershipFactory(org=other_org, user__email="lee@acme.example")
    for email in ("contractor@freelance.example", "lee@acme.example"):
        _, response = _password_sign_in(email)
        assert response.status_code == 302, email


def test_without_the_option_members_use_passwords(sso, org):
    f.MembershipFactory(org=org, user__email="mia@acme.example")
    _, response = _password_sign_in("mia@acme.example")
    assert response.status_code == 302


def test_a_promoted_member_gets_the_password_back(sso_only, org):
    membership = f.MembershipFactory(org=org, user__email="mia@acme.example")
    assert _password_sign_in("mia@acme.example")[1].status_code == 200
    membership.role = Membership.Role.ADMIN
    membership.save(update_fields=["role"])
    assert _password_sign_in("mia@acme.example")[1].status_code == 302
