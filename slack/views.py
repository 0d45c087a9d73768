from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from organizations.confirm import Confirmation, confirmation_page
from organizations.forms import add_service_error
from organizations.models import Team
from organizations.tenancy import get_org_object_or_404

from . import selectors, services
from .forms import WebhookForm
from .models import SlackPost


def _managed_team(request, team_id) -> Team:
    team = get_org_object_or_404(request, Team, pk=team_id)
    if not services.can_manage_slack(request.membership, team):
        raise PermissionDenied(services.MSG_MANAGERS_ONLY)
    return team


@require_http_methods(["GET", "POST"])
def team_settings(request, team_id):
    """A team's Slack channel: connect it, see how it is doing, test or disconnect it."""
    team = _managed_team(request, team_id)
    form = WebhookForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.slack_hook_set(
                team=team, actor=request.membership, url=form.cleaned_data["url"]
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, f"Saved: {team.name}'s check-ins now go to this channel.")
            return redirect("slack:team", org_slug=request.org.slug, team_id=team.pk)
    context = {
        "team": team,
        "form": form,
        "hook": selectors.hook_of(team),
        "posts": selectors.recent_posts(team),
        "Status": SlackPost.Status,
    }
    return render(request, "slack/team_settings.html", context, status=400 if form.errors else 200)


@require_POST
def send_test(request, team_id):
    team = _managed_team(request, team_id)
    try:
        services.slack_test_send(team=team, actor=request.membership)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "A test message is on its way; its result shows below.")
    return redirect("slack:team", org_slug=request.org.slug, team_id=team.pk)


@require_http_methods(["GET", "POST"])
def disconnect(request, team_id):
    """Without JavaScript a GET asks first; the page's button posts straight after a confirm."""
    team = _managed_team(request, team_id)
    if request.method == "GET":
        return confirmation_page(
            request,
            Confirmation(
                title=f"Disconnect {team.name} from Slack?",
                message="Nothing more is posted to the channel; the saved URL is deleted.",
                button="Disconnect",
                cancel_url=reverse("slack:team", args=[request.org.slug, team.pk]),
            ),
        )
    services.slack_hook_remove(team=team, actor=request.membership)
    messages.success(request, f"{team.name} no longer posts to Slack.")
    return redirect("slack:team", org_slug=request.org.slug, team_id=team.pk)
