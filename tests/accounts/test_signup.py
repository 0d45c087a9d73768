"""Sign-up creates a company whose creator is admin; people switch between companies."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from organizations.models import Membership, Organization
from organizations.services import membership_deactivate
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db

SIGNUP = {
    "full_name": "Grace Founder",
    "email": "grace@newco.example",
    "password": "correct-horse-battery",
    "org_name": "NewCo",
    "org_slug": "newco",
}


def test_signup_creates_company_with_creator_as_admin_and_signs_in(client):
    response = client.post(reverse("accounts:signup"), SIGNUP)
    assert response.status_code == 302
    assert response["Location"] == "/newco/"
    org = Organization.objects.get(slug="newco")
    membership = Membership.objects.get(org=org)
    assert membership.user.email == "grace@newco.example"
    assert membership.role == Membership.Role.ADMIN and membership.is_active
    assert membership.user.check_password("correct-horse-battery")
    assert (
        client.get(reverse("organizations:people", kwargs={"org_slug": "newco"})).status_code == 200
    )


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"org_slug": "acme"}, "org_slug", "already taken"),
        ({"org_slug": "ACME"}, "org_slug", "already taken"),
        ({"org_slug": "admin"}, "org_slug", "is reserved"),
        ({"org_slug": "accounts"}, "org_slug", "is reserved"),
        ({"org_slug": "not a slug!"}, "org_slug", "valid"),
        ({"email": "taken@example.com"}, "email", "sign in first"),
        ({"email": "TAKEN@example.com"}, "email", "sign in first"),
        ({"password": "short"}, "password", "too short"),
        ({"org_name": "x" * 10_000}, "org_name", "at most 120"),
        ({"full_name": ""}, "full_name", "required"),
    ],
)
def test_bad_signup_is_a_form_error_and_creates_nothing(client, org, change, field, message):
    UserFactory(email="taken@example.com")
    users, orgs = User.objects.count(), Organization.objects.count()
    response = client.post(reverse("accounts:signup"), {**SIGNUP, **change})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors and message in " ".join(errors[field])
    assert message in response.content.decode()
    assert (User.objects.count(), Organization.objects.count()) == (users, orgs)
    assert "_auth_user_id" not in client.session


def test_signed_in_person_creates_a_second_company_and_switches(admin, org):
    response = admin.get(reverse("accounts:signup"))
    assert set(response.context["form"].fields) == {"org_name", "org_slug"}
    response = admin.post(reverse("accounts:signup"), {"org_name": "Side Co", "org_slug": "side"})
    assert response.status_code == 302
    side = Organization.objects.get(slug="side")
    assert Membership.objects.get(org=side, user=admin.user).role == Membership.Role.ADMIN
    # The switcher of either company lists both.
    for slug in ("acme", "side"):
        page = admin.get(reverse("organizations:people", kwargs={"org_slug": slug}))
        assert page.status_code == 200
        html = page.content.decode()
        assert 'href="/acme/my/"' in html and 'href="/side/my/"' in html


def test_deactivation_in_one_company_leaves_the_other_untouched(org, admin_membership):
    # Admin pages stand in for any company page: the tenancy gate is the same for all.
    person = UserFactory()
    in_acme = MembershipFactory(org=org, user=person, role=Membership.Role.ADMIN)
    other = OrganizationFactory(slug="initech", name="Initech")
    MembershipFactory(org=other, user=person, role=Membership.Role.ADMIN)
    client = Client()
    client.force_login(person)
    assert client.get("/acme/manage/people/").status_code == 200
    assert client.get("/initech/manage/people/").status_code == 200

    membership_deactivate(membership=in_acme)
    assert client.get("/acme/manage/people/").status_code == 404
    page = client.get("/initech/manage/people/")
    assert page.status_code == 200
    assert 'href="/acme/my/"' not in page.content.decode()
    # Home sends them to the company they still belong to.
    assert client.get(reverse("home"))["Location"] == "/initech/my/"
