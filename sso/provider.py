"""Talking to a company's OpenID Connect provider while an admin configures it: read its
discovery document and check the client id and secret, so a mistake is said beside the field
when it is made, not to the first person who tries to sign in."""

from dataclasses import dataclass

import requests
from django.conf import settings
from django.urls import reverse

# In the order we prefer them; mozilla-django-oidc verifies one algorithm per company.
SIGNING_ALGS = ("RS256", "ES256", "RS384", "RS512", "ES384", "ES512")
# The token endpoint must tell a bad client apart from a bad code before trying the code
# (RFC 6749, section 5.2): a made-up code shows whether the client id and secret are right.
PROBE_CODE = "aligned-configuration-check"


class ProviderProblem(Exception):
    def __init__(self, message: str, field: str = "issuer"):
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class Endpoints:
    authorization_endpoint: str
    token_endpoint: str
    userinfo_endpoint: str
    jwks_uri: str
    signing_alg: str


def callback_url() -> str:
    """The one redirect URI every company registers at its provider."""
    return settings.SITE_URL + reverse("sso:callback")


def _unreachable(issuer: str, exc: Exception) -> ProviderProblem:
    if isinstance(exc, requests.Timeout):
        return ProviderProblem(
            f"{issuer} did not answer within {settings.SSO_HTTP_TIMEOUT} seconds. "
            "Check the address, and that this server may reach it."
        )
    return ProviderProblem(
        f"Could not reach {issuer}: nothing answered there. Check the address (it is the "
        "provider's issuer URL, e.g. https://login.example.com/realms/acme)."
    )


def discover(issuer: str) -> Endpoints:
    issuer = issuer.rstrip("/")
    url = f"{issuer}/.well-known/openid-configuration"
    try:
        response = requests.get(url, timeout=settings.SSO_HTTP_TIMEOUT)
    except requests.RequestException as exc:
        raise _unreachable(issuer, exc) from exc
    if response.status_code != 200:
        raise ProviderProblem(
            f"{url} answered {response.status_code}: is {issuer} the provider's issuer URL?"
        )
    try:
        document = response.json()
    except ValueError:
        document = None
    if not isinstance(document, dict):
        raise ProviderProblem(
            f"{url} is not an OpenID Connect discovery document: is {issuer} the issuer URL?"
        )
    named = str(document.get("issuer", "")).rstrip("/")
    if named != issuer:
        raise ProviderProblem(
            f"The provider there calls itself “{named or 'nothing'}”: enter exactly its issuer."
        )
    names = ("authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri")
    missing = [name for name in names if not document.get(name)]
    if missing:
        raise ProviderProblem(f"The provider's discovery document lacks {', '.join(missing)}.")
    offered = document.get("id_token_signing_alg_values_supported") or ["RS256"]
    alg = next((alg for alg in SIGNING_ALGS if alg in offered), None)
    if alg is None:
        raise ProviderProblem(
            f"The provider signs ID tokens with {', '.join(offered)}; Aligned needs one of "
            f"{', '.join(SIGNING_ALGS)}."
        )
    return Endpoints(*(str(document[name]) for name in names), signing_alg=alg)


def check_client(endpoints: Endpoints, *, issuer: str, client_id: str, client_secret: str):
    """Raise ProviderProblem when the provider refuses this client id and secret."""
    try:
        response = requests.post(
            endpoints.token_endpoint,
            data={
                "grant_type": "authorization_code",
                "code": PROBE_CODE,
                "redirect_uri": callback_url(),
            },
            auth=(client_id, client_secret),
            timeout=settings.SSO_HTTP_TIMEOUT,
        )
    except requests.RequestException as exc:
        raise _unreachable(issuer, exc) from exc
    try:
        error = response.json().get("error")
    except (ValueError, AttributeError):
        error = None
    if response.status_code == 401 or error == "invalid_client":
        raise ProviderProblem(
            "The provider refused this client id and secret. Copy both again from the "
            "application you registered there.",
            field="client_secret",
        )
