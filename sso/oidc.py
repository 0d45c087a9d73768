"""The OpenID Connect client of one company: mozilla-django-oidc's backend, configured from
the company's ``SingleSignOn`` row instead of settings, used for the code flow's second half
(exchange the code, verify the ID token's signature and nonce, read the person's claims)."""

import logging

import jwt
import requests
from django.core.exceptions import SuspiciousOperation
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings

from okr_site.secrets_box import SealBroken, unseal

from .models import SingleSignOn
from .provider import callback_url
from .services import SignInRefused

log = logging.getLogger(__name__)

SCOPES = "openid email profile"


class CompanyOidcClient(OIDCAuthenticationBackend):
    def __init__(self, config: SingleSignOn, client_secret: str):
        self.config = config
        self.claims = None
        self._settings = {
            "OIDC_OP_TOKEN_ENDPOINT": config.token_endpoint,
            "OIDC_OP_USER_ENDPOINT": config.userinfo_endpoint,
            "OIDC_OP_JWKS_ENDPOINT": config.jwks_uri,
            "OIDC_RP_CLIENT_ID": config.client_id,
            "OIDC_RP_CLIENT_SECRET": client_secret,
            "OIDC_RP_SIGN_ALGO": config.signing_alg,
            "OIDC_RP_SCOPES": SCOPES,
            # HTTP Basic: the client authentication every provider must accept.
            "OIDC_TOKEN_USE_BASIC_AUTH": True,
            "OIDC_USE_NONCE": True,
            "OIDC_STORE_ACCESS_TOKEN": False,
            "OIDC_STORE_ID_TOKEN": False,
            # Its own redirect URI is replaced in get_token by the one built on SITE_URL.
            "OIDC_AUTHENTICATION_CALLBACK_URL": "sso:callback",
        }
        super().__init__()

    def get_settings(self, attr, *args):
        if attr in self._settings:
            return self._settings[attr]
        if attr == "OIDC_TIMEOUT":
            return import_from_settings("SSO_HTTP_TIMEOUT")
        return import_from_settings(attr, *args)

    def claims_for(self, request, *, nonce: str, code_verifier: str) -> dict | None:
        """The signed-in person's claims (the ID token's subject, the provider's userinfo), or
        None when the provider's answer could not be trusted. Network and token errors raise
        (requests' and PyJWT's exceptions); the caller turns them into messages."""
        self.authenticate(request, nonce=nonce, code_verifier=code_verifier)
        return self.claims

    def get_token(self, payload):
        # The redirect URI the admin registered (built on SITE_URL, as at the start).
        payload["redirect_uri"] = callback_url()
        return super().get_token(payload)

    def verify_token(self, token, **kwargs):
        payload = super().verify_token(token, **kwargs)
        # mozilla-django-oidc leaves these two to us: a token made for another client of the
        # same provider, or by another issuer, is refused.
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if self.config.client_id not in audiences:
            raise SuspiciousOperation("ID token for another client.")
        if str(payload.get("iss", "")).rstrip("/") != self.config.issuer.rstrip("/"):
            raise SuspiciousOperation("ID token from another issuer.")
        return payload

    def get_or_create_user(self, access_token, id_token, payload):
        """Only read the claims here: who joins, and how, is sso.services' decision."""
        userinfo = self.get_userinfo(access_token, id_token, payload)
        if userinfo.get("sub") != payload.get("sub"):  # OpenID Connect Core 5.3.2
            raise SuspiciousOperation("Userinfo for another subject.")
        self.claims = userinfo
        return None


def unreadable_secret(config: SingleSignOn) -> SignInRefused:
    name = config.org.name
    return SignInRefused(
        f"{name}'s single sign-on cannot be used right now: its client secret can no longer "
        f"be read on this server (its encryption key changed). An admin of {name} signs in "
        "with a password and enters the secret again.",
        status=503,
    )


def person_claims(config: SingleSignOn, request, *, nonce: str, code_verifier: str) -> dict:
    """The claims of the person the provider sent back with a code; every way this can fail
    (secret unreadable, provider down, client refused, answer not to be trusted) is a
    SignInRefused saying so."""
    name = config.org.name
    try:
        client = CompanyOidcClient(config, unseal(config.client_secret_encrypted))
    except SealBroken:
        raise unreadable_secret(config) from None
    try:
        claims = client.claims_for(request, nonce=nonce, code_verifier=code_verifier)
    except requests.HTTPError as exc:
        log.warning("SSO for %s: the provider refused: %s", config.org.slug, exc)
        status = exc.response.status_code if exc.response is not None else None
        if status == 401:
            message = (
                f"{name}'s identity provider refused Aligned's client id and secret; an admin "
                f"of {name} must check them under Admin → Single sign-on."
            )
        else:
            message = f"{name}'s identity provider refused the sign-in ({status}): start again."
        raise SignInRefused(message, status=502) from None
    except requests.RequestException as exc:
        log.warning("SSO for %s: provider unreachable: %s", config.org.slug, exc)
        raise SignInRefused(
            f"{name}'s identity provider could not be reached; try again in a moment.",
            status=502,
        ) from None
    except (SuspiciousOperation, jwt.PyJWTError, KeyError, ValueError) as exc:
        log.warning("SSO for %s: untrusted answer: %s", config.org.slug, exc)
        claims = None
    if not claims:
        raise SignInRefused(
            f"{name}'s identity provider's answer could not be verified; start again.",
            status=502,
        )
    return claims
