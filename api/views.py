"""The person's API tokens page (``/<org_slug>/settings/api-tokens/``): make one (shown
once), see when each was last used, revoke one."""

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods
from django_htmx.http import HttpResponseClientRedirect

from organizations.confirm import Confirmation, confirmation_page
from organizations.tenancy import get_org_object_or_404

from . import services
from .forms import TokenForm
from .models import ApiToken


def _list_url(request):
    return reverse("api-tokens:list", args=[request.org.slug])


@require_http_methods(["GET", "POST"])
def tokens(request):
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token, plain = services.api_token_create(actor=request.membership, **form.cleaned_data)
        # Shown in this answer only (never stored, never in a session): not cached anywhere.
        response = render(
            request,
            "api/token_created.html",
            {"token": token, "plain": plain, "list_url": _list_url(request)},
        )
        response["Cache-Control"] = "no-store"
        return response
    rows = ApiToken.objects.for_org(request.org).filter(membership=request.membership)
    context = {
        "form": form,
        "tokens": list(rows),
        "docs_url": reverse("api:docs", args=[request.org.slug]),
    }
    return render(request, "api/tokens.html", context)


@require_http_methods(["GET", "POST"])
def token_revoke(request, token_id):
    # Only the person's own tokens exist here: anyone else's is "not found".
    token = get_org_object_or_404(
        request, ApiToken.objects.filter(membership=request.membership), pk=token_id
    )
    if request.method == "GET":  # where the Revoke button leads without JavaScript
        return confirmation_page(
            request,
            Confirmation(
                title=f"Revoke “{token.name}”?",
                message="Whatever uses this token is refused from now on. This cannot be undone.",
                button="Revoke token",
                cancel_url=_list_url(request),
            ),
        )
    services.api_token_revoke(actor=request.membership, token=token)
    messages.success(request, f"Revoked “{token.name}”.")
    if request.htmx:
        return HttpResponseClientRedirect(_list_url(request))
    return HttpResponseRedirect(_list_url(request))
