"""Signing in through the company's provider (a real one on 127.0.0.1, its own sign-in and
consent pages followed over HTTP): newcomers on the verified domain join as members; anyone
else is refused with a reason; bad configuration says so, never a 500."""

import socket
from html import escape, unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from audit.models import AuditEntry
from okr_site.secrets_box import seal
from organizations.models import Membership
from sso.models import SsoIdentity
from tests import factories as f
from tests.oidc_provider import sign_in_at_provider

User = get_user_model()


def _text(response):
    """The page as a person reads it (no HTML escapes)."""
    return unescape(response.content.decode())


def _start(client, text):
    """The sign-in page's "Sign in with SSO": the person types their e-mail or company."""
    found = client.post(reverse("sso:find"), {"company_or_email": text})
    assert found.status_code == 302, found.content
    start = client.get(found["Location"])
    # A page that moves on at once (meta refresh, and a link): see sso.views.start.
    assert start.status_code == 200
    url = start.context["authorization_url"]
    assert f'content="0; url={escape(url)}"' in start.content.decode()
    return url


def sso_sign_in(client, login, *, consent=True, text=None):
    authorization_url = _start(client, text or login)
    back = urlsplit(sign_in_at_provider(authorization_url, login, consent=consent))
    assert back.path == reverse("sso:callback")
    return client.get(back.path, {k: v[0] for k, v in parse_qs(back.query).items()})


def test_a_newcomer_on_the_domain_joins_as_a_member(sso, org, provider):
    client = Client()
    authorization_url = _start(client, "nora.new@acme.example")
    query = parse_qs(urlsplit(authorization_url).query)
    assert authorization_url.startswith(f"{provider.issuer}/auth?")
    assert query["login_hint"] == ["nora.new@acme.example"]
    assert query["code_challenge_method"] == ["S256"]

    back = urlsplit(sign_in_at_provider(authorization_url, "nora.new@acme.example"))
    response = client.get(back.path, {k: v[0] for k, v in parse_qs(back.query).items()})

    assert response.status_code == 302
    assert response["Location"] == reverse("objectives:my", kwargs={"org_slug": "acme"})
    user = User.objects.get(email="nora.new@acme.example")
    assert user.full_name == "Nora New"
    assert not user.has_usable_password()
    membership = Membership.objects.get(org=org, user=user)
    assert membership.role == Membership.Role.MEMBER and membership.is_active
    assert AuditEntry.objects.filter(action="sso.join", actor=membership).exists()
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "Welcome to Acme: you joined as a member." in _text(page)


def test_signing_in_again_finds_the_same_person(sso, org):
    sso_sign_in(Client(), "nora.new@acme.example")
    response = sso_sign_in(Client(), "nora.new@acme.example")
    assert response.status_code == 302
    assert Membership.objects.filter(org=org, user__email="nora.new@acme.example").count() == 1
    assert SsoIdentity.objects.filter(org=org).count() == 1
    assert AuditEntry.objects.filter(action="sso.join").count() == 1


def test_the_company_address_works_as_well_as_the_email(sso, org):
    response = sso_sign_in(Client(), "sam.sales@acme.example", text="acme")
    assert response.status_code == 302
    assert Membership.objects.filter(org=org, user__email="sam.sales@acme.example").exists()


def test_someone_from_another_domain_is_refused(sso, org):
    client = Client()
    authorization_url = _start(client, "acme")
    back = urlsplit(sign_in_at_provider(authorization_url, "eve@elsewhere.example"))
    response = client.get(back.path, {k: v[0] for k, v in parse_qs(back.query).items()})
    assert response.status_code == 403
    assert "You signed in as eve@elsewhere.example, but Acme lets in only addresses on " in (
        _text(response)
    )
    assert not User.objects.filter(email="eve@elsewhere.example").exists()
    assert "_auth_user_id" not in client.session


def test_an_address_the_provider_has_not_verified_is_refused(sso, org):
    response = sso_sign_in(Client(), "unverified.uma@acme.example")
    assert response.status_code == 403
    assert "has not verified your address unverified.uma@acme.example" in _text(response)
    assert not User.objects.filter(email="unverified.uma@acme.example").exists()


def test_someone_with_an_account_elsewhere_joins_with_it(sso, org, other_org):
    elsewhere = f.MembershipFactory(org=other_org, user__email="lee@acme.example")
    response = sso_sign_in(Client(), "lee@acme.example")
    assert response.status_code == 302
    assert Membership.objects.get(org=org, user=elsewhere.user).role == "member"


def test_someone_who_left_the_company_is_not_let_back_in(sso, org):
    gone = f.MembershipFactory(org=org, user__email="gone@acme.example", is_active=False)
    response = sso_sign_in(Client(), "gone@acme.example")
    assert response.status_code == 403
    assert "Your membership of Acme has ended" in _text(response)
    gone.refresh_from_db()
    assert not gone.is_active


def test_a_pending_sign_up_becomes_the_provider_proven_account(sso, org):
    pending = f.UserFactory(email="pat@acme.example", is_active=False, email_verified=False)
    assert sso_sign_in(Client(), "pat@acme.example").status_code == 302
    pending.refresh_from_db()
    assert pending.is_active and pending.email_verified
    assert not pending.has_usable_password()  # a stranger may have chosen that password


def test_cancelling_at_the_provider_says_so(sso):
    response = sso_sign_in(Client(), "nora.new@acme.example", consent=False)
    assert response.status_code == 400
    assert "Acme's identity provider did not sign you in" in _text(response)


def test_a_callback_without_its_sign_in_is_refused(sso):
    client = Client()
    response = client.get(reverse("sso:callback"), {"code": "stolen", "state": "guessed"})
    assert response.status_code == 400
    assert "This sign-in has expired or was started in another browser" in _text(response)


def test_a_callback_used_twice_is_refused_the_second_time(sso):
    client = Client()
    authorization_url = _start(client, "nora.new@acme.example")
    back = urlsplit(sign_in_at_provider(authorization_url, "nora.new@acme.example"))
    query = {k: v[0] for k, v in parse_qs(back.query).items()}
    assert client.get(back.path, query).status_code == 302
    again = client.get(back.path, query)
    assert again.status_code == 400


def test_a_secret_the_provider_no_longer_accepts_is_said_at_sign_in(sso, org):
    sso.client_secret_encrypted = seal("rotated-at-the-provider")
    sso.save(update_fields=["client_secret_encrypted"])
    response = sso_sign_in(Client(), "nora.new@acme.example")
    assert response.status_code == 502
    assert "refused Aligned's client id and secret" in _text(response)
    assert "Admin → Single sign-on" in _text(response)


def test_a_provider_gone_quiet_is_said_at_sign_in(sso, org):
    client = Client()
    authorization_url = _start(client, "nora.new@acme.example")
    back = urlsplit(sign_in_at_provider(authorization_url, "nora.new@acme.example"))
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sso.token_endpoint = f"http://127.0.0.1:{sock.getsockname()[1]}/token"
    sso.save(update_fields=["token_endpoint"])
    response = client.get(back.path, {k: v[0] for k, v in parse_qs(back.query).items()})
    assert response.status_code == 502
    assert "Acme's identity provider could not be reached" in _text(response)


def test_a_secret_this_server_cannot_read_stops_sign_in_with_a_reason(sso, settings):
    settings.ENCRYPTION_KEY = "rotated"
    client = Client()
    found = client.post(reverse("sso:find"), {"company_or_email": "acme"})
    response = client.get(found["Location"])
    assert response.status_code == 503
    assert "its client secret can no longer be read" in _text(response)


def test_an_unknown_company_or_domain_is_said_beside_the_field(sso, anon):
    response = anon.post(reverse("sso:find"), {"company_or_email": "ida@nowhere.example"})
    assert response.status_code == 200
    assert "No company on Aligned signs in with single sign-on for “ida@nowhere.example”" in (
        " ".join(response.context["form"].errors["company_or_email"])
    )


def test_turned_off_sso_cannot_be_started(sso, anon):
    sso.enabled = False
    sso.save(update_fields=["enabled"])
    response = anon.post(reverse("sso:find"), {"company_or_email": "acme"})
    assert "No company on Aligned signs in with single sign-on" in _text(response)
    assert anon.get(reverse("sso:start", kwargs={"company": "acme"})).status_code == 400


@pytest.mark.parametrize("path", ["/accounts/login/", "/accounts/sso/"])
def test_the_sign_in_page_leads_to_sso(anon, path):
    page = _text(anon.get(path))
    assert reverse("sso:find") in page


def test_a_company_without_sso_answers_like_one_that_does_not_exist(org, other_org, anon):
    for slug in ("acme", "no-such-company"):
        response = anon.get(reverse("sso:start", kwargs={"company": slug}))
        assert response.status_code == 400
        assert f"No company signs in with SSO at “{slug}”." in _text(response)
