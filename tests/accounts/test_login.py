"""Signing in by e-mail, signing out by POST, resetting a forgotten password."""

import datetime
import re

import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.db.models import F
from django.test import Client
from django.urls import reverse
from django.utils import timezone

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


# --- abuse: failed sign-ins lock out, reset e-mails are limited and never trust Host ----------


def _sign_in(client, email, password, ip="203.0.113.7"):
    return client.post(
        reverse("accounts:login"), {"email": email, "password": password}, REMOTE_ADDR=ip
    )


def test_forty_wrong_passwords_then_the_right_one_is_refused_with_when_to_try_again(client):
    UserFactory(email="ada@example.com")
    statuses = [_sign_in(client, "ada@example.com", f"guess-{n}").status_code for n in range(40)]
    # Nine ordinary failures, then the lock from the tenth on.
    assert statuses[:9] == [200] * 9 and set(statuses[9:]) == {429}

    before = timezone.now()
    response = _sign_in(client, "ada@example.com", "pw-for-tests")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    html = response.content.decode()
    assert "Too many failed sign-ins" in html and "paused for 15 minutes" in html
    until = (before + datetime.timedelta(minutes=15)).strftime("%H:%M")
    later = (before + datetime.timedelta(minutes=15, seconds=60)).strftime("%H:%M")
    assert f"try again after {until} UTC" in html or f"try again after {later} UTC" in html
    # The sign-in page, e-mail kept, with the way out by e-mail.
    assert 'value="ada@example.com"' in html and "/accounts/password-reset/" in html


def test_the_lock_ends_after_the_cool_off(client):
    UserFactory(email="ada@example.com")
    for n in range(10):
        _sign_in(client, "ada@example.com", f"guess-{n}")
    assert _sign_in(client, "ada@example.com", "pw-for-tests").status_code == 429
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - datetime.timedelta(minutes=16))
    assert _sign_in(client, "ada@example.com", "pw-for-tests").status_code == 302


def test_a_successful_sign_in_clears_the_count(client):
    UserFactory(email="ada@example.com")
    for _ in range(2):
        for n in range(9):
            assert _sign_in(client, "ada@example.com", f"guess-{n}").status_code == 200
        assert _sign_in(client, "ada@example.com", "pw-for-tests").status_code == 302
        client.logout()


def test_ten_failures_on_one_account_lock_it_from_every_address(client):
    UserFactory(email="ada@example.com")
    for n in range(10):
        _sign_in(client, "ADA@example.com", f"guess-{n}", ip=f"198.51.100.{n}")
    # Upper or lower case, from an address that never failed: the account is locked.
    assert _sign_in(Client(), "ada@example.com", "pw-for-tests", ip="192.0.2.1").status_code == 429


def test_ten_failures_from_one_address_lock_that_address_only(client):
    UserFactory(email="ada@example.com")
    for n in range(10):
        _sign_in(client, f"guess{n}@example.com", "whatever", ip="203.0.113.9")
    same_address = _sign_in(Client(), "ada@example.com", "pw-for-tests", ip="203.0.113.9")
    assert same_address.status_code == 429
    elsewhere = _sign_in(Client(), "ada@example.com", "pw-for-tests", ip="192.0.2.1")
    assert elsewhere.status_code == 302


def test_a_password_reset_lifts_the_accounts_lock(client):
    user = UserFactory(email="ada@example.com")
    for n in range(10):
        _sign_in(client, "ada@example.com", f"guess-{n}", ip=f"198.51.100.{n}")
    client.post(reverse("accounts:password_reset"), {"email": "ada@example.com"})
    link = re.search(r"https?://[^/\s]+(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    form_url = client.get(link, follow=True).redirect_chain[-1][0]
    new = {"new_password1": "a-brand-new-secret-42", "new_password2": "a-brand-new-secret-42"}
    assert client.post(form_url, new).status_code == 302
    assert _sign_in(Client(), user.email, "a-brand-new-secret-42").status_code == 302


def test_the_eleventh_reset_email_within_the_window_is_not_sent(client):
    UserFactory(email="ada@example.com")
    answers = {
        client.post(reverse("accounts:password_reset"), {"email": "ada@example.com"})["Location"]
        for _ in range(11)
    }
    # The same answer every time, limited or not; ten e-mails, not eleven.
    assert answers == {reverse("accounts:password_reset_done")}
    assert len(mail.outbox) == 10


def test_reset_emails_from_one_network_address_are_limited_across_addresses(client, settings):
    settings.EMAIL_RATE_PER_IP = 3
    for n in range(5):
        UserFactory(email=f"p{n}@example.com")
        client.post(reverse("accounts:password_reset"), {"email": f"p{n}@example.com"})
    assert [m.to for m in mail.outbox] == [[f"p{n}@example.com"] for n in range(3)]
    # Another network address still gets its e-mail.
    Client().post(
        reverse("accounts:password_reset"), {"email": "p4@example.com"}, REMOTE_ADDR="192.0.2.5"
    )
    assert mail.outbox[-1].to == ["p4@example.com"]


def test_reset_link_uses_site_url_whatever_host_the_request_claims(client, settings):
    settings.ALLOWED_HOSTS = ["*"]  # as behind a proxy that passes any Host through
    settings.SITE_URL = "https://okr.example.com"
    UserFactory(email="ada@example.com")
    response = client.post(
        reverse("accounts:password_reset"),
        {"email": "ada@example.com"},
        HTTP_HOST="attacker.example",
        HTTP_X_FORWARDED_HOST="attacker.example",
    )
    assert response.status_code == 302
    [message] = mail.outbox
    assert "attacker.example" not in message.body
    assert re.search(r"https://okr\.example\.com/accounts/reset/\S+/", message.body)
