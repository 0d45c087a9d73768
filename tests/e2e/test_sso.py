"""Single sign-on in Chromium, against a real OpenID provider on 127.0.0.1 (panva's
oidc-provider, its own sign-in and consent pages): the admin configures it, a newcomer on the
domain joins, someone from elsewhere is refused, and with "only through SSO" a member's
password is refused with the way to SSO."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from organizations.models import Membership
from tests.oidc_provider import running_provider

from .conftest import csp_violations, sign_in
from .test_accessibility import BLOCKING, _describe

pytestmark = pytest.mark.e2e
User = get_user_model()


@pytest.fixture
def provider(live_server, settings):
    # Links and the redirect URI are built on SITE_URL: here, the live server.
    settings.SITE_URL = live_server.url
    with running_provider([f"{live_server.url}/accounts/sso/callback/"]) as running:
        yield running


def _page(journey, **size):
    page = journey.new_page(**size)
    # The provider's development pages load a web font; this machine has no internet.
    page.context.route("https://fonts.googleapis.com/**", lambda route: route.abort())
    return page


def _checked(page, label, problems):
    """axe and the CSP on the page as it is now."""
    for violation in Axe().run(page).response["violations"]:
        if violation["impact"] in BLOCKING:
            problems.append(f"{label}: {_describe(violation)}")
    problems += [f"{label}: {line}" for line in csp_violations(page)]


def _sso_at_provider(page, login):
    """On the provider's own pages: sign in as ``login``, then allow Aligned."""
    page.locator("input[name=login]").fill(login)
    page.locator("input[name=password]").fill("secret at the provider")
    page.get_by_role("button", name="Sign-in").click()
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state("networkidle")


def test_admin_configures_sso_a_newcomer_joins_others_are_refused(journey, demo, provider):
    problems = []
    admin = _page(journey)
    sign_in(admin, "admin@acme.example")
    admin.goto("/acme/manage/people/")
    admin.get_by_role("link", name="Single sign-on").click()
    expect(admin.get_by_role("heading", name="Single sign-on", exact=True)).to_be_visible()
    expect(admin.get_by_label("Company e-mail domain")).to_have_value("acme.example")
    expect(admin.locator("main")).to_contain_text("/accounts/sso/callback/")

    # A typo in the secret: the provider refuses it, said beside the field; the rest stays.
    admin.get_by_label("Issuer URL").fill(provider.issuer)
    admin.get_by_label("Client ID").fill(provider.client_id)
    admin.get_by_label("Client secret").fill("typo")
    admin.get_by_role("button", name="Check and save").click()
    expect(admin.locator("main")).to_contain_text("The provider refused this client id and secret")
    expect(admin.get_by_label("Issuer URL")).to_have_value(provider.issuer)
    journey.shot(admin, "wrong secret")
    _checked(admin, "config with an error", problems)

    admin.get_by_label("Client secret").fill(provider.client_secret)
    admin.get_by_role("button", name="Check and save").click()
    expect(admin.locator(".flash-success")).to_contain_text("Single sign-on saved")
    journey.shot(admin, "sso saved")
    _checked(admin, "config saved", problems)

    # A newcomer on acme.example: sign-in page → "Sign in with SSO" → the provider → Acme.
    nora = _page(journey)
    nora.goto("/accounts/login/")
    nora.get_by_role("link", name="Sign in with SSO").click()
    _checked(nora, "find sso", problems)
    nora.get_by_label("Your work e-mail or your company's address").fill("nora.new@acme.example")
    nora.get_by_role("button", name="Continue").click()
    expect(nora.locator("input[name=login]")).to_be_visible()
    assert nora.url.startswith(provider.issuer)
    journey.shot(nora, "provider sign-in")
    _sso_at_provider(nora, "nora.new@acme.example")
    expect(nora).to_have_url(f"{journey.base_url}/acme/my/")
    expect(nora.locator(".flash-success")).to_contain_text("Welcome to Acme: you joined")
    journey.shot(nora, "nora joined")
    membership = Membership.objects.get(org__slug="acme", user__email="nora.new@acme.example")
    assert membership.role == Membership.Role.MEMBER

    # Someone from another domain signs in at the same provider: Aligned refuses them.
    eve = _page(journey)
    eve.goto("/accounts/sso/")
    eve.get_by_label("Your work e-mail or your company's address").fill("acme")
    eve.get_by_role("button", name="Continue").click()
    _sso_at_provider(eve, "eve@elsewhere.example")
    expect(eve.get_by_role("alert")).to_contain_text(
        "You signed in as eve@elsewhere.example, but Acme lets in only addresses on acme.example"
    )
    journey.shot(eve, "eve refused")
    _checked(eve, "refused", problems)
    assert not User.objects.filter(email="eve@elsewhere.example").exists()

    # Only through SSO: Mia's password no longer works, and she is shown the way.
    admin.get_by_label("Only through single sign-on").check()
    admin.get_by_role("button", name="Check and save").click()  # the secret stays stored
    expect(admin.locator(".flash-success")).to_contain_text("Single sign-on saved")
    mia = _page(journey)
    sign_in(mia, "mia@acme.example")
    expect(mia.get_by_role("alert")).to_contain_text(
        "Acme signs in through its identity provider only"
    )
    journey.shot(mia, "mia refused a password")
    _checked(mia, "password refused", problems)
    mia.get_by_role("link", name="Sign in with Acme's SSO").click()
    _sso_at_provider(mia, "mia@acme.example")
    expect(mia).to_have_url(f"{journey.base_url}/acme/my/")
    # The admin keeps the password (break glass).
    again = _page(journey)
    sign_in(again, "admin@acme.example")
    expect(again).not_to_have_url(f"{journey.base_url}/accounts/login/")
    assert not problems, "\n".join(problems)
