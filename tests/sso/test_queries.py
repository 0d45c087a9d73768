"""Query budgets of the single sign-on pages, with few and with many people and companies
signing in through SSO: the pages read one configuration, never a list."""

import pytest
from django.test import Client
from django.urls import reverse

from okr_site.secrets_box import seal
from sso.models import SingleSignOn, SsoIdentity
from tests import factories as f


def _company_with_sso(index, people):
    org = f.OrganizationFactory(name=f"Company {index}", slug=f"company-{index}")
    config = SingleSignOn.objects.create(
        org=org,
        issuer=f"https://login.company-{index}.example",
        client_id="aligned",
        client_secret_encrypted=seal("secret"),
        email_domain=f"company-{index}.example",
        authorization_endpoint=f"https://login.company-{index}.example/auth",
        token_endpoint=f"https://login.company-{index}.example/token",
        userinfo_endpoint=f"https://login.company-{index}.example/me",
        jwks_uri=f"https://login.company-{index}.example/jwks",
    )
    for n in range(people):
        membership = f.MembershipFactory(org=org, user__email=f"p{n}@company-{index}.example")
        SsoIdentity.objects.create(
            org=org, issuer=config.issuer, subject=f"s{n}", user=membership.user
        )
    return config


@pytest.mark.parametrize("companies, people", [(1, 2), (12, 25)])
def test_sso_pages_cost_the_same_at_any_size(
    django_assert_max_num_queries, ada, sso, companies, people
):
    for index in range(companies):
        _company_with_sso(index, people)
    anon = Client()
    with django_assert_max_num_queries(10):
        assert ada.get(reverse("sso-admin:config", kwargs={"org_slug": "acme"})).status_code == 200
    with django_assert_max_num_queries(3):
        assert anon.get(reverse("sso:find")).status_code == 200
    with django_assert_max_num_queries(4):
        found = anon.post(reverse("sso:find"), {"company_or_email": "p1@company-0.example"})
        assert found.status_code == 302
    with django_assert_max_num_queries(6):
        assert anon.get(found["Location"]).status_code == 200


@pytest.mark.parametrize("people", [2, 40])
def test_password_sign_in_asks_the_sso_rule_in_two_queries_at_most(
    django_assert_num_queries, sso, org, people
):
    for n in range(people):
        f.MembershipFactory(org=org, user__email=f"p{n}@acme.example")
    from accounts.models import User
    from accounts.policy import password_refusal

    user = User.objects.get(email="p1@acme.example")
    sso.sso_only = True
    sso.save(update_fields=["sso_only"])
    with django_assert_num_queries(2):
        assert password_refusal(user) is not None
