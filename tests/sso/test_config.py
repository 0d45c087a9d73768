"""An admin configures single sign-on: every mistake is said beside its field, nothing is
saved, what was typed stays; the secret is stored encrypted."""

import socket
from html import unescape

import pytest
from django.urls import reverse

from audit.models import AuditEntry
from okr_site.secrets_box import unseal
from sso.models import SingleSignOn


def _text(response):
    """The page as a person reads it (no HTML escapes)."""
    return unescape(response.content.decode())


@pytest.fixture
def url(org):
    return reverse("sso-admin:config", kwargs={"org_slug": org.slug})


def _form(provider, **changes):
    data = {
        "issuer": provider.issuer,
        "client_id": provider.client_id,
        "client_secret": provider.client_secret,
        "email_domain": "acme.example",
        "enabled": "on",
    }
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}


def _errors(response, field):
    return " ".join(response.context["form"].errors.get(field, []))


def test_admin_saves_a_provider_and_the_secret_is_stored_encrypted(ada, url, provider, org):
    response = ada.post(url, _form(provider), follow=True)
    assert response.status_code == 200
    assert "the provider answered and accepted the client id and secret" in _text(response)
    config = SingleSignOn.objects.get(org=org)
    assert config.token_endpoint == f"{provider.issuer}/token"
    assert config.jwks_uri == f"{provider.issuer}/jwks"
    assert provider.client_secret not in config.client_secret_encrypted
    assert unseal(config.client_secret_encrypted) == provider.client_secret
    entry = AuditEntry.objects.get(action="sso.create")
    assert provider.client_secret not in str(entry.changes)
    assert config.client_secret_encrypted not in str(entry.changes)
    # The page never shows the secret back.
    assert provider.client_secret not in _text(ada.get(url))


def test_unreachable_issuer_is_said_beside_it_and_nothing_is_saved(ada, url, provider, org):
    with socket.socket() as sock:  # a port where nothing listens
        sock.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{sock.getsockname()[1]}"
    response = ada.post(url, _form(provider, issuer=dead))
    assert response.status_code == 200
    assert f"Could not reach {dead}" in _errors(response, "issuer")
    assert not SingleSignOn.objects.filter(org=org).exists()
    assert f'value="{dead}"' in _text(response)  # what was typed stays


def test_an_address_that_is_not_an_issuer_is_said(ada, url, provider):
    response = ada.post(url, _form(provider, issuer=f"{provider.issuer}/not-here"))
    assert "answered 404" in _errors(response, "issuer")


def test_not_a_url_is_said_beside_the_issuer(ada, url, provider):
    response = ada.post(url, _form(provider, issuer="login dot acme"))
    assert "Enter a valid URL" in _errors(response, "issuer")


def test_wrong_secret_is_refused_by_the_provider_and_said_beside_the_secret(
    ada, url, provider, org
):
    response = ada.post(url, _form(provider, client_secret="not-the-secret"))
    assert "The provider refused this client id and secret" in _errors(response, "client_secret")
    assert not SingleSignOn.objects.filter(org=org).exists()


def test_unknown_client_id_is_refused_too(ada, url, provider):
    response = ada.post(url, _form(provider, client_id="nobody"))
    assert "refused this client id and secret" in _errors(response, "client_secret")


def test_a_domain_other_than_the_admins_own_cannot_be_claimed(ada, url, provider, org):
    response = ada.post(url, _form(provider, email_domain="globex.example"))
    error = _errors(response, "email_domain")
    assert "only the domain of your own confirmed e-mail address" in error
    assert "ada@acme.example, so acme.example" in error
    assert not SingleSignOn.objects.filter(org=org).exists()


def test_an_unconfirmed_address_proves_no_domain(ada, url, provider):
    ada.user.email_verified = False
    ada.user.save(update_fields=["email_verified"])
    response = ada.post(url, _form(provider))
    assert "own confirmed e-mail address" in _errors(response, "email_domain")


def test_a_public_mail_provider_cannot_be_claimed(ada, url, provider):
    ada.user.email = "ada@gmail.com"
    ada.user.save(update_fields=["email"])
    response = ada.post(url, _form(provider, email_domain="gmail.com"))
    assert "public e-mail provider" in _errors(response, "email_domain")


def test_a_domain_another_company_signs_in_is_refused(ada, url, provider, outsider, other_org):
    outsider.user.email = "otto@acme.example"
    outsider.user.save(update_fields=["email"])
    first = outsider.post(
        reverse("sso-admin:config", kwargs={"org_slug": other_org.slug}), _form(provider)
    )
    assert first.status_code == 302
    response = ada.post(url, _form(provider))
    assert "Another company on Aligned already signs in acme.example" in _errors(
        response, "email_domain"
    )


def test_a_domain_with_an_at_sign_is_said(ada, url, provider):
    response = ada.post(url, _form(provider, email_domain="ada@acme.example"))
    assert "Enter a domain such as acme.com" in _errors(response, "email_domain")


def test_an_empty_secret_keeps_the_stored_one(ada, url, provider, sso):
    response = ada.post(url, _form(provider, client_secret="", sso_only="on"))
    assert response.status_code == 302
    sso.refresh_from_db()
    assert sso.sso_only
    assert unseal(sso.client_secret_encrypted) == provider.client_secret
    entry = AuditEntry.objects.get(action="sso.configure")
    assert entry.changes == {"sso_only": [False, True]}


def test_first_configuration_needs_a_secret(ada, url, provider, org):
    response = ada.post(url, _form(provider, client_secret=""))
    assert "Enter the client secret" in _errors(response, "client_secret")


def test_a_secret_sealed_with_another_key_asks_for_it_again(ada, url, provider, sso, settings):
    settings.ENCRYPTION_KEY = "a-new-key-after-rotation"
    page = ada.get(url)
    assert "can no longer be read on this server" in _text(page)
    response = ada.post(url, _form(provider, client_secret=""))
    assert "enter it again" in _errors(response, "client_secret")
    saved = ada.post(url, _form(provider))
    assert saved.status_code == 302
    sso.refresh_from_db()
    assert unseal(sso.client_secret_encrypted) == provider.client_secret


def test_only_admins_configure_single_sign_on(member, manager, url):
    assert member.get(url).status_code == 403
    assert manager.post(url, {}).status_code == 403


def test_page_explains_the_redirect_uri_and_the_domain_proof(ada, url, settings):
    page = _text(ada.get(url))
    assert f"{settings.SITE_URL}/accounts/sso/callback/" in page
    assert "only the domain of your own confirmed e-mail address" in page
    assert "acme.example" in page


def test_sso_can_be_turned_off_while_the_provider_is_down(ada, url, provider, sso, org):
    sso.token_endpoint = sso.token_endpoint.replace(provider.issuer, "http://127.0.0.1:9")
    sso.save(update_fields=["token_endpoint"])
    with socket.socket() as sock:  # the provider's address now answers nothing
        sock.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{sock.getsockname()[1]}"
    sso.issuer = dead
    sso.save(update_fields=["issuer"])
    response = ada.post(url, _form(provider, issuer=dead, client_secret="", enabled=None))
    assert response.status_code == 302
    sso.refresh_from_db()
    assert not sso.enabled
    assert unseal(sso.client_secret_encrypted) == provider.client_secret
    # Turning it on again asks the provider, which does not answer: said beside the issuer.
    again = ada.post(url, _form(provider, issuer=dead, client_secret=""))
    assert f"Could not reach {dead}" in _errors(again, "issuer")


def test_a_second_admin_edits_without_proving_the_domain_again(
    url, provider, sso, org, manager_membership
):
    from django.test import Client

    manager_membership.role = "admin"
    manager_membership.save(update_fields=["role"])
    other_admin = Client()
    other_admin.force_login(manager_membership.user)  # their address is not on acme.example
    response = other_admin.post(url, _form(provider, client_secret="", sso_only="on"))
    assert response.status_code == 302
    sso.refresh_from_db()
    assert sso.sso_only
