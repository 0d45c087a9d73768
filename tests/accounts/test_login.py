"""Signing in by e-mail, signing out by POST, resetting a forgotten password."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_person_signs_in_with_email_and_password(client, org):
    membership = MembershipFactory(org=org, user__email="ada@example.com")
    response = client.post(
        reverse("accounts:login"), {"email": "ADA@example.com", "password": "pw-for-tests"}
    )
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == membership.user.pk


def test_wrong_password_is_a_form_error_and_keeps_the_email(client):
    UserFactory(email="ada@example.com")
    response = client.post(
        reverse("accounts:login"), {"email": "ada@example.com", "password": "nope"}
    )
    assert response.status_code == 200
    assert "do not match an account" in response.content.decode()
    assert 'value="ada@example.com"' in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_login_follows_a_safe_next_url_only(client):
    UserFactory(email="ada@example.com")
    data = {"email": "ada@example.com", "password": "pw-for-tests"}
    response = client.post(reverse("accounts:login") + "?next=/invitations/abc/", data)
    assert response["Location"] == "/invitations/abc/"
    client.logout()
    response = client.post(reverse("accounts:login") + "?next=https://evil.example/", data)
    assert response["Location"] == reverse("home")


def test_logout_is_post_only(admin):
    assert admin.get(reverse("accounts:logout")).status_code == 405
    assert "_auth_user_id" in admin.session
    response = admin.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in admin.session


def test_password_reset_email_link_sets_a_new_password(client):
    user = UserFactory(email="ada@example.com")
    response = client.post(reverse("accounts:password_reset"), {"email": "ada@example.com"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ada@example.com"]
    link = re.search(r"https?://[^/\s]+(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)

    # Django swaps the token for a session marker, then shows the form.
    response = client.get(link, follow=True)
    assert response.status_code == 200
    form_url = response.redirect_chain[-1][0]
    response = client.post(
        form_url,
        {"new_password1": "a-brand-new-secret-42", "new_password2": "a-brand-new-secret-42"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("a-brand-new-secret-42")

    # The link is single-use.
    response = client.get(link, follow=True)
    assert "This link has expired" in response.content.decode()


def test_password_reset_for_unknown_email_reveals_nothing(client):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.com"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_person_opts_out_of_reminder_emails_on_the_settings_page(admin):
    response = admin.post(reverse("accounts:settings"), {"full_name": "Ada Renamed"})
    assert response.status_code == 302
    admin.user.refresh_from_db()
    assert admin.user.full_name == "Ada Renamed" and admin.user.reminder_emails is False


def test_settings_page_requires_sign_in(anon):
    response = anon.get(reverse("accounts:settings"))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
