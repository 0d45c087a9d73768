"""Sign-up creates a company whose creator is admin once the address is confirmed by
e-mail; it answers every address alike; people switch between companies."""

import datetime
import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import User
from objectives.models import Objective
from organizations.clock import company_today, current_period
from organizations.models import Membership, Organization, Period
from organizations.services import membership_deactivate
from tests.factories import (
    InvitationFactory,
    MembershipFactory,
    OrganizationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

SIGNUP = {
    "full_name": "Grace Founder",
    "email": "grace@newco.example",
    "password": "correct-horse-battery",
    "org_name": "NewCo",
    "org_slug": "newco",
    "time_zone": "Europe/Oslo",
    "fiscal_year_start_month": "1",
}


def _confirmation_path(email):
    message = next(m for m in reversed(mail.outbox) if m.to == [email])
    return re.search(r"https?://[^/\s]+(/accounts/signup/confirm/\S+/)", message.body).group(1)


def sign_up(client, data=SIGNUP):
    """Sign up, open the e-mailed link and confirm with the password: the whole journey."""
    response = client.post(reverse("accounts:signup"), data)
    assert response["Location"] == reverse("accounts:signup_sent")
    return client.post(_confirmation_path(data["email"]), {"password": data["password"]})


def test_signup_waits_for_the_emailed_link_then_creates_the_company_and_signs_in(client):
    response = client.post(reverse("accounts:signup"), SIGNUP)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:signup_sent")
    # Nothing usable yet: an inactive account, no company, not signed in.
    user = User.objects.get(email="grace@newco.example")
    assert (user.is_active, user.email_verified) == (False, False)
    assert not Organization.objects.filter(slug="newco").exists()
    assert "_auth_user_id" not in client.session
    signing_in = client.post(
        reverse("accounts:login"), {"email": SIGNUP["email"], "password": SIGNUP["password"]}
    )
    assert "Confirm your e-mail address first" in signing_in.content.decode()
    assert "_auth_user_id" not in client.session
    # A wrong password learns nothing about the pending account.
    guess = client.post(reverse("accounts:login"), {"email": SIGNUP["email"], "password": "x"})
    assert "do not match an account" in guess.content.decode()

    [message] = mail.outbox
    assert message.to == ["grace@newco.example"] and "NewCo" in message.subject
    assert "http://127.0.0.1:8000/accounts/signup/confirm/" in message.body
    link = _confirmation_path("grace@newco.example")
    page = client.get(link).content.decode()
    assert "Confirm and create NewCo" in page and "/newco/" in page

    # Only the person who chose the password can confirm.
    response = client.post(link, {"password": "someone-elses-guess"})
    assert response.status_code == 200
    assert "not the password chosen" in response.content.decode()
    assert not Organization.objects.filter(slug="newco").exists()

    response = client.post(link, {"password": SIGNUP["password"]})
    assert response.status_code == 302
    assert response["Location"] == "/newco/my/"
    org = Organization.objects.get(slug="newco")
    membership = Membership.objects.get(org=org)
    assert membership.user == user
    assert membership.role == Membership.Role.ADMIN and membership.is_active
    user.refresh_from_db()
    assert (user.is_active, user.email_verified) == (True, True)
    assert user.check_password("correct-horse-battery")
    assert int(client.session["_auth_user_id"]) == user.pk
    assert (
        client.get(reverse("organizations:people", kwargs={"org_slug": "newco"})).status_code == 200
    )
    # The link works once.
    again = Client().get(link)
    assert again.status_code == 410 and "no longer works" in again.content.decode()


def test_signup_answers_the_same_for_a_known_and_an_unknown_email(org):
    known = UserFactory(email="taken@example.com", full_name="Tina Taken")
    answers = []
    for email in ("TAKEN@example.com", "fresh@example.com"):
        response = Client().post(
            reverse("accounts:signup"), {**SIGNUP, "email": email}, follow=True
        )
        # Byte for byte, but for the per-request CSRF token every page carries.
        page = re.sub(r'"X-CSRFToken": "\w+"', "", response.content.decode())
        answers.append((response.status_code, response.redirect_chain, page))
    assert answers[0] == answers[1]
    assert "Check your inbox" in answers[0][2] and "exists" not in answers[0][2]

    # The person who has an account is told so by e-mail, and nothing of theirs changes.
    to_known = next(m for m in mail.outbox if m.to == ["taken@example.com"])
    assert "already have an Aligned account" in to_known.subject
    assert "http://127.0.0.1:8000/accounts/login/" in to_known.body
    assert "http://127.0.0.1:8000/accounts/password-reset/" in to_known.body
    known.refresh_from_db()
    assert known.check_password("pw-for-tests") and known.full_name == "Tina Taken"
    # The new address gets a confirmation link.
    to_fresh = next(m for m in mail.outbox if m.to == ["fresh@example.com"])
    assert "/accounts/signup/confirm/" in to_fresh.body
    assert len(mail.outbox) == 2


def test_signing_up_again_before_confirming_replaces_the_first_link(client):
    client.post(reverse("accounts:signup"), SIGNUP)
    first = _confirmation_path(SIGNUP["email"])
    client.post(
        reverse("accounts:signup"),
        {**SIGNUP, "password": "another-long-secret", "org_name": "NewCo Two"},
    )
    second = _confirmation_path(SIGNUP["email"])
    assert first != second
    assert client.get(first).status_code == 410
    response = client.post(second, {"password": "another-long-secret"})
    assert response["Location"] == "/newco/my/"
    assert Organization.objects.get(slug="newco").name == "NewCo Two"


def test_an_old_confirmation_link_has_expired(client, settings):
    client.post(reverse("accounts:signup"), SIGNUP)
    link = _confirmation_path(SIGNUP["email"])
    settings.SIGNUP_CONFIRM_TTL_HOURS = 0
    response = client.post(link, {"password": SIGNUP["password"]})
    assert response.status_code == 410
    assert not Organization.objects.filter(slug="newco").exists()


def test_a_tampered_confirmation_link_is_refused(client):
    client.post(reverse("accounts:signup"), SIGNUP)
    link = _confirmation_path(SIGNUP["email"])
    token = link.rstrip("/").rsplit("/", 1)[1]
    forged = link.replace(token, token[:-2] + ("AA" if token[-2:] != "AA" else "BB"))
    assert client.get(forged).status_code == 410
    assert client.get("/accounts/signup/confirm/not-a-token/").status_code == 410


def test_a_company_address_taken_before_confirming_leaves_a_signed_in_account(client):
    client.post(reverse("accounts:signup"), SIGNUP)
    OrganizationFactory(slug="newco", name="Quicker Co")
    link = _confirmation_path(SIGNUP["email"])
    response = client.post(link, {"password": SIGNUP["password"]})
    assert response["Location"] == reverse("accounts:signup")
    assert "_auth_user_id" in client.session
    page = client.get(reverse("accounts:signup")).content.decode()
    assert "was taken meanwhile" in page
    assert not Membership.objects.filter(user__email=SIGNUP["email"]).exists()


def test_the_eleventh_signup_email_to_one_address_is_not_sent(client):
    for _ in range(11):
        response = client.post(reverse("accounts:signup"), SIGNUP)
        assert response["Location"] == reverse("accounts:signup_sent")
    assert len(mail.outbox) == 10


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"org_slug": "acme"}, "org_slug", "already taken"),
        ({"org_slug": "ACME"}, "org_slug", "already taken"),
        ({"org_slug": "admin"}, "org_slug", "is reserved"),
        ({"org_slug": "accounts"}, "org_slug", "is reserved"),
        ({"org_slug": "not a slug!"}, "org_slug", "valid"),
        ({"password": "short"}, "password", "too short"),
        ({"org_name": "x" * 10_000}, "org_name", "at most 120"),
        ({"full_name": ""}, "full_name", "required"),
        ({"time_zone": "Mars/Olympus_Mons"}, "time_zone", "Choose a time zone"),
        ({"time_zone": ""}, "time_zone", "required"),
        ({"fiscal_year_start_month": "13"}, "fiscal_year_start_month", "Choose a month"),
        ({"fiscal_year_start_month": "April"}, "fiscal_year_start_month", "Choose a month"),
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
    assert set(response.context["form"].fields) == {
        "org_name",
        "org_slug",
        "time_zone",
        "fiscal_year_start_month",
    }
    response = admin.post(
        reverse("accounts:signup"),
        {
            "org_name": "Side Co",
            "org_slug": "side",
            "time_zone": "UTC",
            "fiscal_year_start_month": "1",
        },
    )
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

    membership_deactivate(membership=in_acme, actor=admin_membership)
    assert client.get("/acme/manage/people/").status_code == 404
    page = client.get("/initech/manage/people/")
    assert page.status_code == 200
    assert 'href="/acme/my/"' not in page.content.decode()
    # Home sends them to the company they still belong to.
    assert client.get(reverse("home"))["Location"] == "/initech/my/"


def _fiscal_year_containing(today, start_month):
    return today.year if today.month >= start_month else today.year - 1


@pytest.mark.parametrize(("zone", "start_month"), [("Europe/Oslo", 1), ("Pacific/Auckland", 4)])
def test_signup_stores_zone_and_fiscal_month_and_creates_the_current_year_and_quarters(
    client, zone, start_month
):
    response = sign_up(
        client, {**SIGNUP, "time_zone": zone, "fiscal_year_start_month": str(start_month)}
    )
    assert response.status_code == 302
    org = Organization.objects.get(slug="newco")
    assert (org.time_zone, org.fiscal_year_start_month) == (zone, start_month)
    today = company_today(org)
    fiscal_year = _fiscal_year_containing(today, start_month)
    year = Period.objects.get(org=org, kind=Period.Kind.YEAR)
    assert year.name == f"FY{fiscal_year}"
    assert year.start == datetime.date(fiscal_year, start_month, 1)
    assert year.start <= today <= year.end
    quarters = list(Period.objects.filter(org=org, kind=Period.Kind.QUARTER).order_by("start"))
    assert [q.name for q in quarters] == [f"FY{fiscal_year} Q{n}" for n in range(1, 5)]
    assert all(q.parent_id == year.pk for q in quarters)
    assert not Period.objects.filter(org=org, kind=Period.Kind.MONTH).exists()
    assert current_period(org).start <= today <= current_period(org).end


def test_new_objective_works_right_after_signup(client):
    sign_up(client)
    org = Organization.objects.get(slug="newco")
    me = Membership.objects.get(org=org)
    form = client.get(reverse("objectives:objective-new", kwargs={"org_slug": "newco"}))
    quarter = current_period(org)
    assert form.context["form"]["period"].value() in (quarter, quarter.pk)
    # The quick form on My OKRs posts its period: the current quarter.
    my = client.get(reverse("objectives:my", kwargs={"org_slug": "newco"})).content.decode()
    assert f'name="period" value="{quarter.pk}"' in my
    response = client.post(
        reverse("objectives:objective-new", kwargs={"org_slug": "newco"}),
        {
            "title": "Win our first ten customers",
            "level": "individual",
            "owner": me.pk,
            "period": quarter.pk,
            "visibility": "public",
            "status": "active",
            "kr-TOTAL_FORMS": "1",
            "kr-INITIAL_FORMS": "0",
            "kr-0-title": "Paying customers",
            "kr-0-start_value": "0",
            "kr-0-target_value": "10",
        },
    )
    assert response.status_code == 302
    objective = Objective.objects.get(org=org)
    assert objective.period == quarter
    assert objective.key_results.get().target_value == 10


def test_signup_form_offers_zones_with_utc_preselected_for_the_browser_script(client):
    html = client.get(reverse("accounts:signup")).content.decode()
    assert '<select name="time_zone"' in html and "data-detect-time-zone" in html
    assert '<option value="UTC" selected>' in html
    assert '<option value="Europe/Oslo">' in html
    assert '<option value="1" selected>January</option>' in html
    assert "js/timezone.js" in html


def test_bad_signup_keeps_what_was_typed(client):
    response = client.post(
        reverse("accounts:signup"),
        {**SIGNUP, "password": "short", "time_zone": "Asia/Tokyo", "fiscal_year_start_month": "7"},
    )
    html = response.content.decode()
    assert '<option value="Asia/Tokyo" selected>' in html
    assert '<option value="7" selected>July</option>' in html
    assert 'value="NewCo"' in html and 'value="newco"' in html
    # The browser's zone no longer overrides what was chosen.
    assert "data-detect-time-zone" not in html


def test_an_invitation_completes_an_unconfirmed_signup_with_the_password_chosen_then(
    client, org, admin_membership
):
    # Someone signed up with the address (perhaps not its owner) and never confirmed.
    Client().post(reverse("accounts:signup"), {**SIGNUP, "password": "a-strangers-secret"})
    old_link = _confirmation_path(SIGNUP["email"])
    invitation = InvitationFactory(org=org, email=SIGNUP["email"], invited_by=admin_membership)
    accept = reverse("invitation-accept", args=[invitation.token])
    page = client.get(accept).content.decode()
    assert 'name="password"' in page  # offered to set a password, not to sign in
    response = client.post(accept, {"full_name": "Grace Owner", "password": "the-owners-secret"})
    assert response.status_code == 302
    user = User.objects.get(email=SIGNUP["email"])
    assert (user.is_active, user.email_verified) == (True, True)
    assert user.check_password("the-owners-secret") and user.full_name == "Grace Owner"
    assert Membership.objects.filter(org=org, user=user, is_active=True).exists()
    # The stranger's link no longer works.
    assert Client().get(old_link).status_code == 410
