"""The objective page's link actions: a contributor's weight, "also supports" links, and how a
key result is measured. Each is a real form POST (htmx swaps the alignment panel; without
JavaScript the page reloads with a message), and each write goes through
``alignment.services``."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from objectives.access import visible_key_result_or_404, visible_objective_or_404
from objectives.models import KeyResult, Objective
from objectives.permissions import visible_objectives
from organizations.tenancy import get_org_object_or_404

from .links import objective_url
from .models import AlsoSupports
from .selectors import OBJECTIVE_RELATED
from .services import (
    MSG_WEIGHT_NOT_YOURS,
    also_supports_add,
    also_supports_remove,
    contribution_weight_set,
    key_result_measure,
    may_weigh,
)


def _panel(request, objective: Objective, *, text: str = "", errors: dict | None = None):
    """The alignment panel of ``objective`` again (htmx), or its page with a message."""
    if request.htmx:
        from .templatetags.alignment_tags import alignment_panel_context

        context = alignment_panel_context(request, objective, errors=errors)
        context["done"] = text
        return render(request, "alignment/_objective_alignment.html", context)
    if errors:
        messages.error(request, " ".join(str(v) for k, v in errors.items() if k != "weight_for"))
    elif text:
        messages.success(request, text)
    return HttpResponseRedirect(objective_url(request.org, objective))


def _messages(error: ValidationError, field: str) -> str:
    if hasattr(error, "message_dict"):
        return " ".join(error.message_dict.get(field) or error.messages)
    return " ".join(error.messages)


@require_POST
def weight(request, objective_id):
    """Set how much ``objective`` weighs in what it contributes to (its parent's owner)."""
    child = visible_objective_or_404(request, objective_id, related=("parent__period",))
    parent = child.parent
    # Whoever may change the parent sees it: the refusal says nothing about a hidden one.
    if not may_weigh(request.membership, child):
        raise PermissionDenied(MSG_WEIGHT_NOT_YOURS)
    raw = request.POST.get("weight", "")
    panel_of = visible_objective_or_404(request, parent.pk, related=OBJECTIVE_RELATED)
    try:
        contribution_weight_set(objective=child, weight=raw, actor=request.membership)
    except ValidationError as exc:
        errors = {"weight": _messages(exc, "weight"), "weight_for": child.pk}
        errors["weight_posted"] = raw[:20]
        return _panel(request, panel_of, errors=errors)
    text = f"“{child.title}” now weighs {child.contribution_weight.normalize():f}."
    return _panel(request, panel_of, text=text)


@require_POST
def also_supports_new(request, objective_id):
    objective = visible_objective_or_404(request, objective_id, related=OBJECTIVE_RELATED)
    raw = (request.POST.get("supported") or "").strip()
    supported = None
    if raw.isdigit() and int(raw) <= 2**63 - 1:
        supported = (
            visible_objectives(Objective.objects.for_org(request.org), request.membership)
            .filter(pk=int(raw))
            .first()
        )
    if supported is None:
        errors = {"supported": "Choose an objective from the list."}
        return _panel(request, objective, errors=errors)
    try:
        also_supports_add(objective=objective, supported=supported, actor=request.membership)
    except ValidationError as exc:
        return _panel(request, objective, errors={"supported": " ".join(exc.messages)})
    return _panel(request, objective, text=f"Also supports “{supported.title}” now.")


@require_POST
def also_supports_delete(request, link_id):
    """Take an "also supports" link away, from either of its objectives' pages."""
    link = get_org_object_or_404(request, AlsoSupports, pk=link_id)
    # Both ends must be visible: a link to a hidden objective is as good as missing.
    objective = visible_objective_or_404(request, link.objective_id, related=OBJECTIVE_RELATED)
    other = visible_objective_or_404(request, link.supported_id, related=OBJECTIVE_RELATED)
    also_supports_remove(link=link, actor=request.membership)
    shown = other if str(other.pk) == request.POST.get("objective") else objective
    return _panel(request, shown, text="The “also supports” link is removed.")


@require_POST
def kr_measure(request, kr_id):
    """The key result's owner chooses: its check-ins, or its contributing objectives."""
    kr = visible_key_result_or_404(request, kr_id)
    target = reverse("objectives:kr", kwargs={"org_slug": request.org.slug, "kr_id": kr.pk})
    try:
        key_result_measure(
            kr=kr, measured_by=request.POST.get("measured_by", ""), actor=request.membership
        )
    except ValidationError as exc:
        messages.error(request, _messages(exc, "measured_by"))
    else:
        if kr.measured_by == KeyResult.MeasuredBy.CONTRIBUTORS:
            messages.success(
                request, "Measured from its contributing objectives: it moves when they do."
            )
        else:
            messages.success(request, "Measured by its own check-ins again.")
    return HttpResponseRedirect(target)
