"""Declaring what an objective needs from others, and answering it. Real forms that work
without JavaScript; a dependency whose objective the viewer may not see answers 404, exactly
like one that does not exist; 403 only for what they see but may not change."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from objectives.access import visible_objective_or_404
from objectives.permissions import CLOSED_MESSAGE, can_view_objective, period_open_for
from organizations.confirm import Confirmation, confirmation_page
from organizations.forms import add_service_error
from organizations.tenancy import get_org_object_or_404

from . import selectors, services
from .forms import AnswerForm, DeclareForm
from .models import Dependency
from .permissions import may_answer, may_change_request, may_declare, may_mark_done

NO_DEPENDENCY = "No such dependency."


def _visible_dependency_or_404(request, dependency_id) -> Dependency:
    dependency = get_org_object_or_404(
        request,
        Dependency.objects.select_related(*selectors._RELATED, "answered_by__user"),
        pk=dependency_id,
    )
    if not can_view_objective(request.membership, dependency.objective):
        raise Http404(NO_DEPENDENCY)
    return dependency


def _objective_page(request, objective_id) -> str:
    url = reverse(
        "objectives:objective", kwargs={"org_slug": request.org.slug, "objective_id": objective_id}
    )
    return f"{url}#dependencies"


def _detail_page(request, dependency) -> str:
    return reverse(
        "dependencies:detail",
        kwargs={"org_slug": request.org.slug, "dependency_id": dependency.pk},
    )


def _refuse_closed(request, objective):
    if not period_open_for(request.membership, objective.period):
        raise PermissionDenied(CLOSED_MESSAGE % {"period": objective.period.name})


@require_http_methods(["GET", "POST"])
def declare(request, objective_id):
    objective = visible_objective_or_404(request, objective_id)
    if not may_declare(request.membership, objective):
        raise PermissionDenied(services.MSG_CANNOT_DECLARE)
    _refuse_closed(request, objective)
    form = DeclareForm(request.POST or None, org=request.org, objective=objective)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.dependency_request(
                actor=request.membership,
                objective=objective,
                what=data["what"],
                needed_by=data["needed_by"],
                from_team=data["from_team"],
                from_person=data["from_person"],
                key_result=data["key_result"],
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, "Asked. They will see it on their page and in their inbox.")
            return HttpResponseRedirect(_objective_page(request, objective.pk))
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request,
        "dependencies/declare.html",
        {"form": form, "objective": objective},
        status=status,
    )


_REPLIES = {
    AnswerForm.ACKNOWLEDGE: lambda actor, d, data: services.dependency_acknowledge(
        actor=actor, dependency=d, answer=data["answer"]
    ),
    AnswerForm.DECLINE: lambda actor, d, data: services.dependency_decline(
        actor=actor, dependency=d, answer=data["answer"]
    ),
    AnswerForm.PROPOSE: lambda actor, d, data: services.dependency_propose_date(
        actor=actor, dependency=d, proposed_date=data["proposed_date"], answer=data["answer"]
    ),
}


@require_http_methods(["GET", "POST"])
def detail(request, dependency_id):
    """The dependency; for the asked side (and admins) the answer form, posted here."""
    dependency = _visible_dependency_or_404(request, dependency_id)
    me = request.membership
    open_period = period_open_for(me, dependency.objective.period)
    answering = may_answer(me, dependency) and dependency.status != Dependency.Status.DONE
    if request.method == "POST" and not (answering and open_period):
        raise PermissionDenied(services.MSG_CANNOT_ANSWER)
    form = AnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            _REPLIES[form.cleaned_data["reply"]](me, dependency, form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, "Answered. They will see it on their objective's page.")
            return HttpResponseRedirect(_detail_page(request, dependency))
    (row,) = selectors.rows(request.org, [dependency])
    context = {
        "row": row,
        "dependency": dependency,
        "form": form if answering and open_period else None,
        "open_period": open_period,
        "may_change": open_period and may_change_request(me, dependency),
        "may_mark_done": open_period
        and may_mark_done(me, dependency)
        and dependency.status not in (Dependency.Status.DONE, Dependency.Status.DECLINED),
    }
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "dependencies/detail.html", context, status=status)


def _requester_write(request, dependency_id, write, done_message):
    dependency = _visible_dependency_or_404(request, dependency_id)
    try:
        write(request.membership, dependency)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done_message)
    return HttpResponseRedirect(_detail_page(request, dependency))


@require_POST
def accept_date(request, dependency_id):
    return _requester_write(
        request,
        dependency_id,
        lambda actor, d: services.dependency_accept_date(actor=actor, dependency=d),
        "Date accepted: it is now needed by then.",
    )


@require_POST
def mark_done(request, dependency_id):
    return _requester_write(
        request,
        dependency_id,
        lambda actor, d: services.dependency_mark_done(actor=actor, dependency=d),
        "Marked delivered.",
    )


@require_http_methods(["GET", "POST"])
def withdraw(request, dependency_id):
    dependency = _visible_dependency_or_404(request, dependency_id)
    if not may_change_request(request.membership, dependency):
        raise PermissionDenied(services.MSG_CANNOT_CHANGE)
    _refuse_closed(request, dependency.objective)
    if request.method == "GET":
        return confirmation_page(
            request,
            Confirmation(
                title="Withdraw this request?",
                message=f"“{dependency.what}” is no longer asked of {dependency.asked_name}.",
                button="Withdraw request",
                cancel_url=_detail_page(request, dependency),
            ),
        )
    objective_id = dependency.objective_id
    services.dependency_withdraw(actor=request.membership, dependency=dependency)
    messages.success(request, "Request withdrawn.")
    return HttpResponseRedirect(_objective_page(request, objective_id))


@require_http_methods(["GET"])
def objective_panel(request, objective_id):
    """An objective's "Needs from others": the partial htmx swaps into the objective page,
    or a page of its own without JavaScript."""
    from .templatetags.dependency_tags import objective_panel_context

    objective = visible_objective_or_404(request, objective_id)
    template = "dependencies/_objective_panel.html"
    if not request.htmx:
        template = "dependencies/objective.html"
    return render(request, template, objective_panel_context(request, objective))
