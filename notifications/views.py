from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from checkins.reminders import FOLLOW_UP_DAYS, NUDGES_PER_WEEK
from checkins.selectors import reminder_reasons
from organizations.tenancy import get_org_object_or_404

from . import selectors, services
from .forms import SettingsForm
from .models import Notification

DEPENDENCY_KINDS = {Notification.Kind.DEPENDENCY_REQUEST, Notification.Kind.DEPENDENCY_ANSWER}


@require_GET
def inbox(request):
    return render(
        request,
        "notifications/inbox.html",
        {"notifications": selectors.inbox(request.org, request.membership)},
    )


@require_GET
def count(request):
    """The bell's number, polled by htmx (the pages themselves do not count)."""
    return render(
        request,
        "notifications/_count.html",
        {"unread": selectors.unread_count(request.org, request.membership)},
    )


@require_POST
def mark_all_read(request):
    services.notifications_mark_read(actor=request.membership)
    return HttpResponseRedirect(reverse("notifications:inbox", args=[request.org.slug]))


@require_GET
def open_notification(request, notification_id):
    """Mark it read and go to the conversation (or the dependencies) it is about. Someone
    else's notification, or one about an objective the person may no longer see, is not
    found."""
    notification = get_org_object_or_404(
        request, selectors.mine(request.org, request.membership), pk=notification_id
    )
    services.notifications_mark_read(actor=request.membership, notification=notification)
    slug = request.org.slug
    objective_page = reverse("objectives:objective", args=[slug, notification.objective_id])
    if notification.kind in DEPENDENCY_KINDS:  # the objective's "Needs from others"
        return HttpResponseRedirect(f"{objective_page}#dependencies")
    if notification.kind == Notification.Kind.MISSED_CHECKIN:  # the KR and its check-ins
        return HttpResponseRedirect(
            reverse("objectives:kr", args=[slug, notification.key_result_id])
        )
    if notification.kind == Notification.Kind.ALIGNMENT_REQUEST:
        return HttpResponseRedirect(
            reverse("alignment:request", args=[slug, notification.alignment_request_id])
        )
    if notification.key_result_id:
        page = reverse("objectives:kr", args=[slug, notification.key_result_id])
    else:
        page = objective_page
    checkin_id = notification.comment.checkin_id if notification.comment_id else None
    if checkin_id:  # a comment on a check-in: under it, in the KR's check-in history
        return HttpResponseRedirect(f"{page}#checkin-{checkin_id}")
    return HttpResponseRedirect(f"{page}#conversation")


@require_http_methods(["GET", "POST"])
def settings(request):
    """How this person hears of each kind of notification in this company."""
    form = SettingsForm(request.POST or None, membership=request.membership)
    if request.method == "POST" and form.is_valid():
        services.notification_settings_save(actor=request.membership, choices=form.cleaned_data)
        messages.success(request, "Saved: this is how you hear of things from now on.")
        return HttpResponseRedirect(reverse("notifications:inbox", args=[request.org.slug]))
    reasons = reminder_reasons(request.org, request.membership)
    context = {
        "form": form,
        "reasons": reasons,
        "follow_up_days": FOLLOW_UP_DAYS,
        "nudges_per_week": NUDGES_PER_WEEK,
    }
    return render(request, "notifications/settings.html", context)
