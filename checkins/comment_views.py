"""Comments on one check-in (``conversations`` stores and writes them): listed under the
check-in in its key result's check-in history, where this form adds one with htmx; without
JavaScript, the check-in's own page. Editing and deleting go through ``conversations``."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from conversations import selectors as conversation_selectors
from conversations import services as conversation_services
from conversations.forms import CommentForm
from conversations.permissions import can_comment
from objectives.permissions import can_view_objective
from objectives.presenters import value_text
from organizations.tenancy import get_org_object_or_404

from .models import CheckIn


def _visible_checkin_or_404(request, checkin_id) -> CheckIn:
    """A check-in of an objective the person may see; anything else is not found."""
    checkin = get_org_object_or_404(
        request,
        CheckIn.objects.select_related("key_result__objective", "author__user"),
        pk=checkin_id,
    )
    if not can_view_objective(request.membership, checkin.key_result.objective):
        raise Http404("No such check-in.")
    return checkin


def comment_form(checkin_id: int, data=None) -> CommentForm:
    """One form per check-in on the history, so each needs ids of its own (the text box's is
    ``CheckinThread.box_id``)."""
    return CommentForm(data, auto_id=f"checkin{checkin_id}-%s")


@require_http_methods(["GET", "POST"])
def checkin_comments(request, checkin_id):
    """GET: the check-in's comments (the partial the history swaps for htmx, a page
    otherwise); POST: add one."""
    checkin = _visible_checkin_or_404(request, checkin_id)
    objective = checkin.key_result.objective
    slug = request.org.slug
    form = comment_form(checkin.pk, request.POST or None)
    if request.method == "POST":
        if not can_comment(request.membership, objective):
            raise PermissionDenied("You may not comment here.")
        if form.is_valid():
            try:
                conversation_services.checkin_comment_create(
                    actor=request.membership, checkin=checkin, body=form.cleaned_data["body"]
                )
            except ValidationError as error:
                form.add_error("body", error.message_dict.get("body", error.messages))
            else:
                if not request.htmx:
                    return HttpResponseRedirect(
                        conversation_selectors.checkin_thread_url(slug, checkin.pk)
                    )
                form = comment_form(checkin.pk)
    talk = conversation_selectors.checkin_comments(request.membership, slug, [checkin.pk])
    kr_url = reverse("objectives:kr", kwargs={"org_slug": slug, "kr_id": checkin.key_result_id})
    context = {
        "checkin": checkin,
        "key_result": checkin.key_result,
        "objective": objective,
        "talk": talk[checkin.pk],
        "value_text": value_text(checkin.key_result, checkin.value),
        "previous_text": value_text(checkin.key_result, checkin.previous_value),
        "comment_form": form,
        "may_comment": can_comment(request.membership, objective),
        "expanded": True,  # someone is writing here: keep the form open
        "page_url": f"{kr_url}#checkin-{checkin.pk}",
    }
    template = (
        "checkins/_checkin_comments.html" if request.htmx else "checkins/checkin_comments.html"
    )
    return render(request, template, context)
