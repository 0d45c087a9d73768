"""Alignment requests: answer one (its parent's owner), see or withdraw yours, and the list of
what waits (admins also see what has waited more than a week)."""

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from objectives.models import Objective
from objectives.permissions import can_edit_objective, can_view_objective, visible_objectives
from organizations.tenancy import get_org_object_or_404

from . import services
from .models import AlignmentRequest

NO_REQUEST = "No such alignment request."
STALE_AFTER = datetime.timedelta(days=7)


def _visible_request_or_404(request, request_id) -> AlignmentRequest:
    """A request whose two objectives the person may see; anything else is not found."""
    found = get_org_object_or_404(
        request,
        AlignmentRequest.objects.select_related(
            "child__owner__user", "child__period", "parent__owner__user", "parent__period",
            "requested_by__user", "answered_by__user", "parent_key_result",
        ),
        pk=request_id,
    )  # fmt: skip
    viewer = request.membership
    if not (can_view_objective(viewer, found.child) and can_view_objective(viewer, found.parent)):
        raise Http404(NO_REQUEST)
    return found


@require_http_methods(["GET", "POST"])
def request_detail(request, request_id):
    found = _visible_request_or_404(request, request_id)
    viewer = request.membership
    may_answer = services.may_answer(viewer, found)
    may_withdraw = can_edit_objective(viewer, found.child)
    error = ""
    if request.method == "POST":
        action = request.POST.get("action")
        if action not in {"accept", "decline", "withdraw"}:
            error = "Choose accept, decline or withdraw."
        elif action == "withdraw" and not may_withdraw:
            raise PermissionDenied(services.MSG_CANNOT_EDIT)
        elif action != "withdraw" and not may_answer:
            raise PermissionDenied(services.MSG_NOT_YOUR_PARENT)
        else:
            try:
                if action == "withdraw":
                    services.alignment_request_withdraw(request=found, actor=viewer)
                    text = "Request withdrawn."
                else:
                    services.alignment_request_answer(
                        request=found,
                        actor=viewer,
                        accept=action == "accept",
                        comment=request.POST.get("comment", ""),
                    )
                    text = (
                        f"“{found.child.title}” now aligns to “{found.parent.title}”."
                        if action == "accept"
                        else "Declined; they have been told."
                    )
            except ValidationError as exc:
                error = " ".join(exc.messages)
            else:
                messages.success(request, text)
                return HttpResponseRedirect(request.path)
    pending = found.status == AlignmentRequest.Status.PENDING
    return render(
        request,
        "alignment/request.html",
        {
            "found": found,
            "may_answer": may_answer and pending,
            "may_withdraw": may_withdraw and pending,
            "error": error,
            "comment": request.POST.get("comment", "") if error else "",
        },
        status=400 if error else 200,
    )


@require_GET
def request_list(request):
    """Waiting for you, your own, and (admins) what has waited more than a week."""
    viewer = request.membership
    visible = visible_objectives(Objective.objects.for_org(request.org), viewer).values("pk")
    pending = (
        AlignmentRequest.objects.for_org(request.org)
        .filter(status=AlignmentRequest.Status.PENDING, child__in=visible, parent__in=visible)
        .select_related("child", "parent__owner__user", "requested_by__user", "parent_key_result")
        .order_by("created_at", "id")
    )
    if viewer.is_admin:
        rows = list(pending)
    else:
        rows = list(pending.filter(Q(parent__owner=viewer) | Q(requested_by=viewer)))
    week_ago = timezone.now() - STALE_AFTER
    return render(
        request,
        "alignment/requests.html",
        {
            "for_me": [r for r in rows if r.parent.owner_id == viewer.pk],
            "mine": [r for r in rows if r.requested_by_id == viewer.pk],
            "stale": [r for r in rows if r.created_at < week_ago] if viewer.is_admin else [],
            "others": [r for r in rows if viewer.pk not in (r.parent.owner_id, r.requested_by_id)],
        },
    )
