"""Review, when the company asks for it: the managers' inbox of submitted objectives and
their decision (``services.objective_review``: approve, or ask for changes)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from organizations.forms import add_service_error

from . import access, selectors, services
from .forms import ReviewForm
from .permissions import PeriodClosed, ensure_may_review


def _inbox_url(request) -> str:
    return reverse("objectives:reviews", kwargs={"org_slug": request.org.slug})


def _back(request) -> str:
    target = request.POST.get("next", "")
    if target.startswith(f"/{request.org.slug}/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}
    ):
        return target
    return _inbox_url(request)


def _inbox(request, *, failed=None, status=200):
    items, total = selectors.review_inbox(request.org, request.membership)
    shown = False
    for item in items:
        bound = failed is not None and failed[0] == item.objective.pk
        shown |= bound
        item.form = failed[1] if bound else ReviewForm(prefix=f"review-{item.objective.pk}")
    if failed is not None and not shown:  # not in this inbox: say what went wrong on top
        for errors in failed[1].errors.values():
            messages.error(request, " ".join(errors))
    context = {"items": items, "total": total, "review_required": request.org.review_required}
    return render(request, "objectives/reviews.html", context, status=status)


@require_GET
def reviews(request):
    """Objectives waiting for this person's decision, oldest first."""
    return _inbox(request)


@require_POST
def objective_review(request, objective_id):
    objective = access.visible_objective_or_404(request, objective_id)
    ensure_may_review(request.membership, objective)  # 403 before any word about the form
    objective.org = request.org
    form = ReviewForm(request.POST, prefix=f"review-{objective.pk}")
    if form.is_valid():
        approve = form.cleaned_data["decision"] == ReviewForm.APPROVE
        try:
            services.objective_review(
                actor=request.membership,
                objective=objective,
                approve=approve,
                comment=form.cleaned_data["comment"],
            )
        except PeriodClosed as closed:
            messages.error(request, " ".join(closed.messages))
            return redirect(_back(request))
        except ValidationError as refused:
            if not hasattr(refused, "error_dict"):  # about the objective, not the form
                messages.error(request, " ".join(refused.messages))
                return redirect(_back(request))
            add_service_error(form, refused)
        else:
            done = "approved and published" if approve else "sent back with your comment"
            messages.success(request, f"“{objective.title}” {done}; its submitter is told.")
            return redirect(_back(request))
    return _inbox(request, failed=(objective.pk, form), status=400)
