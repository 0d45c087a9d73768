"""A conversation under an objective or a key result. The objective and KR pages load it
with htmx when it scrolls into view (their own query budgets stay as they were); without
JavaScript their link opens the same thread as a page. Comments on a check-in are listed
under it in the key result's check-in history (``checkins.comment_views``); editing and
deleting any comment happens here."""

import contextlib

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from objectives.access import visible_key_result_or_404, visible_objective_or_404
from objectives.permissions import can_view_objective
from organizations.confirm import Confirmation, confirmation_page
from organizations.tenancy import get_org_object_or_404

from . import selectors, services
from .forms import CommentForm
from .models import Comment
from .permissions import can_comment, can_edit_comment, can_remove_comment

NO_COMMENT = "No such comment."


def _visible_comment_or_404(request, comment_id) -> Comment:
    comment = get_org_object_or_404(
        request, Comment.objects.select_related("objective", "key_result"), pk=comment_id
    )
    if not can_view_objective(request.membership, comment.objective):
        raise Http404(NO_COMMENT)
    return comment


def _page_of(request, objective, key_result=None) -> str:
    slug = request.org.slug
    if key_result is not None:
        return reverse("objectives:kr", kwargs={"org_slug": slug, "kr_id": key_result.pk})
    return reverse("objectives:objective", kwargs={"org_slug": slug, "objective_id": objective.pk})


def _thread(request, objective, key_result=None):
    """GET: the thread (a partial for htmx, a page otherwise); POST: add a comment."""
    form = CommentForm(request.POST or None)
    if request.method == "POST":
        if not can_comment(request.membership, objective):
            raise PermissionDenied("You may not comment here.")
        if form.is_valid():
            try:
                services.comment_create(
                    actor=request.membership,
                    objective=objective,
                    key_result=key_result,
                    body=form.cleaned_data["body"],
                )
            except ValidationError as error:
                form.add_error("body", error.message_dict.get("body", error.messages))
            else:
                if not request.htmx:
                    return HttpResponseRedirect(
                        selectors.thread_url(request.org.slug, objective, key_result)
                    )
                form = CommentForm()
    return _render_thread(request, objective, key_result, form)


def _render_thread(request, objective, key_result, form):
    comments, older = selectors.thread(request.membership, request.org.slug, objective, key_result)
    context = {
        "objective": objective,
        "key_result": key_result,
        "comments": comments,
        "older": older,
        "form": form,
        "may_comment": can_comment(request.membership, objective),
        "thread_url": selectors.thread_url(request.org.slug, objective, key_result),
        "page_url": _page_of(request, objective, key_result),
    }
    template = "conversations/thread.html"
    if request.htmx:
        template += "#thread"
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
def objective_thread(request, objective_id):
    return _thread(request, visible_objective_or_404(request, objective_id))


@require_http_methods(["GET", "POST"])
def kr_thread(request, kr_id):
    kr = visible_key_result_or_404(request, kr_id)
    return _thread(request, kr.objective, kr)


def _back_to_thread(request, comment):
    return HttpResponseRedirect(selectors.comment_home_url(request.org.slug, comment))


@require_http_methods(["GET", "POST"])
def comment_edit(request, comment_id):
    comment = _visible_comment_or_404(request, comment_id)
    if not can_edit_comment(request.membership, comment):
        raise PermissionDenied("Only its author can edit a comment.")
    form = CommentForm(request.POST or None, initial={"body": comment.body})
    if request.method == "POST" and form.is_valid():
        try:
            services.comment_edit(
                actor=request.membership, comment=comment, body=form.cleaned_data["body"]
            )
        except ValidationError as error:
            form.add_error("body", error.message_dict.get("body", error.messages))
        else:
            return _back_to_thread(request, comment)
    return render(
        request,
        "conversations/edit.html",
        {
            "form": form,
            "comment": comment,
            "thread_url": selectors.comment_home_url(request.org.slug, comment),
        },
    )


@require_http_methods(["GET", "POST"])
def comment_delete(request, comment_id):
    comment = _visible_comment_or_404(request, comment_id)
    if not can_remove_comment(request.membership, comment):
        raise PermissionDenied("Only its author or an admin can delete a comment.")
    back = selectors.comment_home_url(request.org.slug, comment)
    if request.method == "GET":
        return confirmation_page(
            request,
            Confirmation(
                title="Delete this comment?",
                message="It goes for everyone, with its reactions.",
                button="Delete comment",
                cancel_url=back,
            ),
        )
    services.comment_delete(actor=request.membership, comment=comment)
    return HttpResponseRedirect(back)


@require_POST
def react(request, comment_id):
    comment = _visible_comment_or_404(request, comment_id)
    # Not one of the offered reactions: the thread shows as it was.
    with contextlib.suppress(ValidationError):
        services.reaction_toggle(
            actor=request.membership, comment=comment, emoji=request.POST.get("emoji", "")
        )
    if request.htmx:  # the thread again, with the reaction counted
        return _render_thread(request, comment.objective, comment.key_result, CommentForm())
    return _back_to_thread(request, comment)


@require_GET
def people(request):
    """The ``@`` picker's choices for what follows the ``@`` (``q``): a listbox's options
    (htmx, static/js/mentions.js). Everyone in the company may be mentioned; only those who
    may see the objective are told (``notifications``)."""
    query = request.GET.get("q", "")
    return render(
        request,
        "conversations/_people.html",
        {"people": selectors.people_to_mention(request.org, query), "query": query.strip()},
    )
