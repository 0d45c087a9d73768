"""Single sign-on pages: the admin's configuration (a company page), and the sign-in itself,
which lives under /accounts/sso/ because the person is not yet a member of any company
(the tenancy middleware would answer 404) and the provider returns to one fixed address."""

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.crypto import get_random_string
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_GET, require_http_methods
from mozilla_django_oidc.utils import (
    add_state_and_verifier_and_nonce_to_session,
    generate_code_challenge,
)

from organizations.forms import add_service_error
from organizations.permissions import admin_required

from . import services
from .domains import domain_of
from .forms import SsoConfigForm, SsoFindForm
from .models import SingleSignOn
from .oidc import SCOPES, person_claims, unreadable_secret
from .provider import callback_url

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
PENDING = "sso_pending"  # state -> {"org": id, "next": path}: which company a return is for


# --- the admin's page ------------------------------------------------------------------------


@admin_required
@require_http_methods(["GET", "POST"])
def config(request):
    current = services.sso_of(request.org)
    initial = {"enabled": True, "email_domain": domain_of(request.user.email)}
    if current is not None:
        initial = {name: getattr(current, name) for name in services.AUDITED}
    form = SsoConfigForm(request.POST or None, initial=initial, has_secret=current is not None)
    if request.method == "POST" and form.is_valid():
        try:
            services.sso_configure(org=request.org, actor=request.membership, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request,
                "Single sign-on saved: the provider answered and accepted the client id and "
                "secret.",
            )
            return redirect("sso-admin:config", org_slug=request.org.slug)
    context = {
        "form": form,
        "config": current,
        "secret_unreadable": current is not None and not services.secret_is_readable(current),
        "callback_url": callback_url(),
        "own_domain": domain_of(request.user.email),
        "own_email_confirmed": request.user.email_verified,
    }
    return render(request, "sso/config.html", context)


# --- signing in -------------------------------------------------------------------------------


def _refused(request, message, *, status=400, form=None):
    form = form or SsoFindForm()
    return render(request, "sso/find.html", {"form": form, "problem": message}, status=status)


def _config_for(text: str) -> SingleSignOn | None:
    configs = SingleSignOn.objects.select_related("org").filter(enabled=True)
    if "@" in text:
        return configs.filter(email_domain=domain_of(text)).first()
    return configs.filter(org__slug=text).first()


@require_http_methods(["GET", "POST"])
def find(request):
    """ "Sign in with SSO": the person names their company, or gives their work e-mail."""
    form = SsoFindForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        text = form.cleaned_data["company_or_email"]
        config = _config_for(text)
        if config is not None:
            query = {"login_hint": text} if "@" in text else {}
            if request.POST.get("next"):
                query["next"] = request.POST["next"]
            url = redirect("sso:start", company=config.org.slug).url
            return redirect(f"{url}?{urlencode(query)}" if query else url)
        form.add_error(
            "company_or_email",
            f"No company on Aligned signs in with single sign-on for “{text}”. Check the "
            "spelling, or sign in with your e-mail and password.",
        )
    return render(request, "sso/find.html", {"form": form, "next": request.GET.get("next", "")})


@require_GET
def start(request, company):
    """Send the person on to their company's provider (authorization code flow, PKCE)."""
    config = SingleSignOn.objects.select_related("org").filter(org__slug=company).first()
    if config is None or not config.enabled:
        form = SsoFindForm(initial={"company_or_email": company})
        return _refused(request, f"No company signs in with SSO at “{company}”.", form=form)
    if not services.secret_is_readable(config):
        refusal = unreadable_secret(config)
        return _refused(request, refusal.message, status=refusal.status)
    state = get_random_string(32)
    nonce = get_random_string(32)
    verifier = get_random_string(64)
    params = {
        "response_type": "code",
        "client_id": config.client_id,
        "scope": SCOPES,
        "redirect_uri": callback_url(),
        "state": state,
        "nonce": nonce,
        "code_challenge": generate_code_challenge(verifier, "S256"),
        "code_challenge_method": "S256",
    }
    hint = request.GET.get("login_hint", "")
    if "@" in hint:
        params["login_hint"] = hint[:254]
    add_state_and_verifier_and_nonce_to_session(request, state, params, verifier)
    next_url = request.GET.get("next", "")
    pending = request.session.get(PENDING, {})
    pending = dict(list(pending.items())[-9:])  # a few tabs at once, never an ever-growing list
    pending[state] = {"org": config.org_id, "next": next_url}
    request.session[PENDING] = pending
    # A page that moves on at once, not a 302: the sign-in form's own origin is all the CSP's
    # form-action allows, and browsers check it on every redirect after a form is sent.
    authorization_url = f"{config.authorization_endpoint}?{urlencode(params)}"
    context = {"company": config.org, "authorization_url": authorization_url}
    return render(request, "sso/leaving.html", context)


@require_GET
def callback(request):
    """The provider sends the person back here with a code (or an error)."""
    state = request.GET.get("state", "")
    pending = request.session.get(PENDING, {}).get(state)
    oidc_state = request.session.get("oidc_states", {}).get(state)
    if pending is None or oidc_state is None:
        return _refused(
            request,
            "This sign-in has expired or was started in another browser: start it again.",
        )
    # One use per state, whatever happens next.
    request.session[PENDING].pop(state, None)
    request.session["oidc_states"].pop(state, None)
    request.session.modified = True
    config = SingleSignOn.objects.select_related("org").filter(org_id=pending["org"]).first()
    if config is None or not config.enabled:
        return _refused(request, "Single sign-on was turned off for this company meanwhile.")
    org = config.org
    if request.GET.get("error"):
        description = request.GET.get("error_description") or request.GET["error"]
        return _refused(
            request, f"{org.name}'s identity provider did not sign you in: {description[:200]}."
        )
    try:
        claims = person_claims(
            config, request, nonce=oidc_state["nonce"], code_verifier=oidc_state["code_verifier"]
        )
        signed_in = services.sso_sign_in(config=config, claims=claims)
    except services.SignInRefused as refusal:
        return _refused(request, refusal.message, status=refusal.status)
    login(request, signed_in.membership.user, backend=MODEL_BACKEND)
    if signed_in.joined:
        messages.success(request, f"Welcome to {org.name}: you joined as a member.")
    next_url = pending.get("next") or ""
    if next_url and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(next_url)
    return redirect("objectives:my", org_slug=org.slug)
