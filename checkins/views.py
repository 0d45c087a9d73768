import copy

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import HttpResponseClientRedirect, trigger_client_event

from objectives.access import visible_checkin_or_404, visible_key_result_or_404
from objectives.models import KeyResult
from objectives.permissions import can_checkin, period_open_for
from organizations.clock import company_zone
from organizations.confirm import Confirmation, confirmation_page
from organizations.models import Team
from organizations.permissions import admin_required
from organizations.tenancy import get_org_object_or_404

from . import selectors, services
from .effects import checkin_effects, live_regions
from .forms import CheckInForm, ReminderScheduleForm
from .models import ReminderSchedule
from .pace import team_and_subteam_ids
from .templatetags.checkin_tags import checkin_form_context, history_context

CLOSED_MESSAGE = "“%(period)s” is closed: its key results can no longer be checked in."
CLOSED_DELETE_MESSAGE = "“%(period)s” is closed: its check-ins can no longer be deleted."


def _kr_url(request, kr) -> str:
    return reverse("objectives:kr", kwargs={"org_slug": request.org.slug, "kr_id": kr.pk})


def _safe_url(request, candidate) -> str | None:
    """``candidate`` if it is a URL of this site, else None."""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return None


def _back(request, fallback: str):
    for candidate in (request.POST.get("next"), request.headers.get("Referer")):
        if _safe_url(request, candidate):
            return redirect(candidate)
    return redirect(fallback)


def _load_kr(request, kr_id) -> KeyResult:
    return visible_key_result_or_404(request, kr_id)


@require_http_methods(["GET", "POST"])
def checkin_create(request, kr_id):
    kr = _load_kr(request, kr_id)
    if request.method == "GET":
        return _checkin_form_on_demand(request, kr)
    form = CheckInForm(request.POST, kr=kr, auto_id=f"kr{kr.pk}-%s")
    checkin = None
    if not period_open_for(request.membership, kr.objective.period):
        form.is_valid()
        form.add_error(None, CLOSED_MESSAGE % {"period": kr.objective.period.name})
    elif not can_checkin(request.membership, kr):
        raise PermissionDenied("You may not check in on this key result.")
    elif form.is_valid():
        try:
            checkin = services.checkin_submit(
                kr=kr,
                author=request.membership,
                value=form.cleaned_data["value"],
                confidence=form.cleaned_data["confidence"],
                note=form.cleaned_data["note"],
            )
        except services.PeriodClosed as exc:
            form.add_error(None, exc.messages[0])
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
    out_of_range = checkin is not None and _outside_range(kr, checkin.value)
    if request.htmx:
        context = checkin_form_context(request, kr, form=None if checkin else form)
        context.update(just_saved=checkin, out_of_range=out_of_range)
        template = "checkins/_checkin_form.html"
        if checkin:  # and out of band, what it changed on the page
            context["effects"] = checkin_effects(request, kr, main=f"checkin-{kr.pk}")
            template = "checkins/_checkin_saved.html"
        response = render(request, template, context)
        if checkin:
            trigger_client_event(response, "checkin-saved", {"kr_id": kr.pk})
        return response
    if checkin:
        messages.success(request, f"Checked in on “{kr.title}”.")
        if out_of_range:
            messages.warning(request, _range_text(kr))
        return _back(request, _kr_url(request, kr))
    # Plain POST with errors: a page of its own keeps what was typed beside the messages.
    context = checkin_form_context(request, kr, form=form)
    context["next"] = request.POST.get("next", "")
    return render(request, "checkins/checkin_page.html", context, status=400)


def _checkin_form_on_demand(request, kr):
    """The check-in form of one KR, opened from a list (htmx swaps it in place of the
    "Check in" link). Lists do not render a form per KR; without JavaScript the link leads to
    the KR's page, where the form is open, and so does a plain GET here."""
    if not request.htmx:
        return redirect(_kr_url(request, kr) + "#checkin")
    closed = not period_open_for(request.membership, kr.objective.period)
    if not closed and not can_checkin(request.membership, kr):
        raise PermissionDenied("You may not check in on this key result.")
    context = checkin_form_context(request, kr)
    context.update(opened=True, next=request.htmx.current_url_abs_path or "")
    if closed:
        context["notice"] = CLOSED_MESSAGE % {"period": kr.objective.period.name}
    return render(request, "checkins/_checkin_form.html", context)


def _outside_range(kr, value) -> bool:
    if kr.kind == KeyResult.Kind.MILESTONE:
        return False
    low, high = sorted((kr.start_value, kr.target_value))
    return value < low or value > high


def _range_text(kr) -> str:
    return (
        f"The value is outside the key result's range ({kr.start_value.normalize():f} to "
        f"{kr.target_value.normalize():f}); it was recorded anyway."
    )


@require_http_methods(["GET", "POST"])
def checkin_delete(request, checkin_id):
    checkin = visible_checkin_or_404(request, checkin_id)
    kr = checkin.key_result
    period = kr.objective.period
    if not period_open_for(request.membership, period):
        # Read-only: deleting would roll the closed period's key result back.
        messages.error(request, CLOSED_DELETE_MESSAGE % {"period": period.name})
        if request.htmx:
            return HttpResponseClientRedirect(_kr_url(request, kr))
        return _back(request, _kr_url(request, kr))
    if request.method == "GET":  # where the Delete button leads without JavaScript
        if not services.can_delete_checkin(checkin, request.membership, period=period):
            raise PermissionDenied(
                "Only its author can delete a check-in, within 15 minutes of making it."
            )
        back = _safe_url(request, request.GET.get("next")) or _kr_url(request, kr)
        return confirmation_page(
            request,
            Confirmation(
                title="Delete this check-in?",
                message=f"Your check-in on “{kr.title}” will be deleted. If it was the latest, "
                "the key result goes back to the value and confidence it had before.",
                button="Delete check-in",
                cancel_url=back,
                fields=(("next", back),),
            ),
        )
    services.checkin_delete(checkin=checkin, actor=request.membership)
    if request.htmx:  # from the KR page's history: it, and what the deletion changed
        kr = _load_kr(request, kr.pk)
        context = {
            **checkin_form_context(request, kr),
            # Still every row if the page listed them all (it says so: ``effects``).
            **history_context(
                request, kr, show_all=f"kr-history-{kr.pk}-all" in live_regions(request)
            ),
            "is_kr_page": True,
            "next": _kr_url(request, kr),
        }
        context["effects"] = checkin_effects(request, kr, main=f"kr-history-{kr.pk}")
        return render(request, "checkins/_checkin_deleted.html", context)
    messages.success(request, "The check-in was deleted.")
    return _back(request, _kr_url(request, kr))


@require_GET
def kr_history(request, kr_id):
    kr = _load_kr(request, kr_id)
    return render(request, "checkins/_kr_history.html", history_context(request, kr))


@require_GET
def company_feed(request):
    feed = selectors.feed(request.org, request.membership)
    return render(request, "checkins/feed.html", {"feed": feed, "team": None})


@require_GET
def team_feed(request, team_id):
    team = get_org_object_or_404(request, Team, pk=team_id)
    team_ids = team_and_subteam_ids(request.org, [team.pk])
    feed = selectors.feed(request.org, request.membership, team_ids=team_ids)
    return render(request, "checkins/feed.html", {"feed": feed, "team": team})


@admin_required
@require_http_methods(["GET", "POST"])
def schedules(request):
    form = ReminderScheduleForm(request.POST or None, org=request.org)
    if request.method == "POST" and form.is_valid():
        try:
            schedule = services.schedule_save(
                org=request.org, actor=request.membership, data=form.cleaned_data
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, f"Reminder “{schedule.name}” created.")
            return redirect("checkins:schedules", org_slug=request.org.slug)
    context = {
        "overview": selectors.schedules_overview(request.org),
        "form": form,
        "zone": company_zone(request.org),
    }
    return render(request, "checkins/schedules.html", context, status=400 if form.errors else 200)


@admin_required
@require_http_methods(["GET", "POST"])
def schedule_edit(request, schedule_id):
    schedule = get_org_object_or_404(request, ReminderSchedule, pk=schedule_id)
    if request.method == "POST" and request.POST.get("action") == "delete":
        services.schedule_delete(schedule=schedule, actor=request.membership)
        messages.success(request, f"Reminder “{schedule.name}” deleted.")
        return redirect("checkins:schedules", org_slug=request.org.slug)
    if request.method == "GET" and request.GET.get("action") == "delete":
        return confirmation_page(
            request,
            Confirmation(
                title=f"Delete the reminder “{schedule.name}”?",
                message="Its delivery records are deleted with it. To pause it instead, untick "
                "“Enabled”.",
                button="Delete reminder",
                cancel_url=request.path,
                fields=(("action", "delete"),),
            ),
        )
    schedule.org = request.org
    # The page's heading and next sends show the schedule as saved, before the form edits it.
    saved = copy.copy(schedule)
    next_sends = selectors.schedule_next_sends(schedule)
    form = ReminderScheduleForm(request.POST or None, instance=schedule, org=request.org)
    if request.method == "POST" and form.is_valid():
        try:
            services.schedule_save(
                org=request.org,
                actor=request.membership,
                data=form.cleaned_data,
                schedule=schedule,
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, f"Reminder “{schedule.name}” saved.")
            return redirect("checkins:schedules", org_slug=request.org.slug)
    return render(
        request,
        "checkins/schedule_edit.html",
        {
            "form": form,
            "schedule": saved,
            "next_sends": next_sends,
            "zone": company_zone(request.org),
        },
        status=400 if form.errors else 200,
    )


def _add_errors(form, exc: ValidationError):
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)
