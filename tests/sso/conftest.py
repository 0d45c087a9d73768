import pytest
from django.conf import settings

from sso import services
from tests.oidc_provider import running_provider


@pytest.fixture(scope="session")
def provider():
    """The real OpenID provider, its client registered with Aligned's callback address."""
    with running_provider([f"{settings.SITE_URL}/accounts/sso/callback/"]) as running:
        yield running


@pytest.fixture
def ada(admin):
    """acme's admin, whose confirmed address is on acme.example."""
    admin.user.email = "ada@acme.example"
    admin.user.save(update_fields=["email"])
    return admin


@pytest.fixture
def sso(org, ada, provider):
    """acme signs in with the test provider; people on acme.example join."""
    return services.sso_configure(
        org=org,
        actor=ada.membership,
        issuer=provider.issuer,
        client_id=provider.client_id,
        client_secret=provider.client_secret,
        email_domain="acme.example",
        enabled=True,
        sso_only=False,
    )
