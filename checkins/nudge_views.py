"""The dashboards' "Nudge the owner" button (``checkins.services.kr_nudge``)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from objectives.access import visible_key_result_or_404

from .services import kr_nudge


def _back(request) -> str:
    target = request.POST.get("next", "")
    if target.startswith(f"/{request.org.slug}/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}
    ):
        return target
    return reverse("alignment:dashboard", kwargs={"org_slug": request.org.slug})


@require_POST
def kr_nudge_view(request, kr_id):
    """Send the key result's owner a nudge; htmx swaps the button for "nudged today"."""
    kr = visible_key_result_or_404(request, kr_id)
    error, already = "", False
    try:
        nudge = kr_nudge(kr=kr, actor=request.membership)
    except ValidationError as exc:
        error = " ".join(exc.messages)
        already = getattr(exc, "code", None) == "nudged_today"
    if request.htmx:
        context = {
            "kr_id": kr.pk,
            "nudged_days": 0 if already or not error else None,
            "error": error,
            "next": request.POST.get("next", ""),
            "can_nudge": True,
        }
        return render(request, "checkins/_nudge.html", context)
    if error:
        messages.error(request, error)
    else:
        messages.success(
            request, f"Nudged {nudge.recipient.user.get_full_name()} about “{kr.title}”."
        )
    return HttpResponseRedirect(_back(request))
