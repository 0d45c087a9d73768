from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from okr_site import health

from . import services
from .confirm import Confirmation, confirmation_page
from .forms import (
    AcceptInvitationForm,
    InviteForm,
    RoleForm,
    TeamForm,
    TeamMemberAddForm,
    TeamMemberChangeForm,
    add_service_error,
)
from .models import Invitation, Membership, Team
from .permissions import admin_required
from .selectors import (
    invitations_for_admin,
    people_for_admin,
    people_not_in_team,
    team_members,
    team_tree,
)
from .tenancy import get_org_object_or_404

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


@require_GET
def home(request):
    """Signed-in people land on My OKRs of their (last used) company."""
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    memberships = request.user.memberships.filter(is_active=True).select_related("org")
    first = memberships.order_by("created_at").first()
    if first is None:
        return render(request, "organizations/no_company.html")
    return redirect("objectives:my", org_slug=first.org.slug)


@require_GET
@never_cache
def healthz(request):
    """Each dependency's state as JSON; 503 when any is down (see ``okr_site.health``)."""
    healthy, body = health.report()
    return JsonResponse(body, status=200 if healthy else 503)


# --- people and invitations (admins) -------------------------------------------------------


def _render_people(request, *, invite_form=None, notice=None, error=None):
    org = request.org
    context = {
        "people": people_for_admin(org),
        "invitations": invitations_for_admin(org),
        "invite_form": invite_form or InviteForm(org=org),
        "roles": Membership.Role.choices,
        "notice": notice,
        "action_error": error,
    }
    template = "organizations/people.html"
    if request.htmx:
        template += "#admin-panel"
    return render(request, template, context)


def _people_url(request) -> str:
    return reverse("organizations:people", kwargs={"org_slug": request.org.slug})


def _people_done(request, notice):
    """After a successful write: htmx gets the refreshed panel, a plain POST a redirect."""
    if request.htmx:
        return _render_people(request, notice=notice)
    messages.success(request, notice)
    return redirect("organizations:people", org_slug=request.org.slug)


def _people_action(request, action, notice):
    try:
        action()
    except ValidationError as exc:
        return _render_people(request, error=" ".join(exc.messages))
    return _people_done(request, notice)


@admin_required
@require_GET
def people(request):
    return _render_people(request)


@admin_required
@require_POST
def invite(request):
    form = InviteForm(request.POST, org=request.org)
    if form.is_valid():
        try:
            invitation = services.invitation_create(
                org=request.org,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                teams=form.cleaned_data["teams"],
                actor=request.membership,
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            return _people_done(request, f"Invitation sent to {invitation.email}.")
    return _render_people(request, invite_form=form)


@require_POST
def person_role(request, membership_id):
    # No role decorator: the service refuses a non-admin (403) before anything is shown, so
    # this page and any other caller of the service cannot disagree.
    membership = get_org_object_or_404(
        request, Membership.objects.select_related("user", "org"), pk=membership_id
    )
    form = RoleForm(request.POST)
    role = form.cleaned_data["role"] if form.is_valid() else ""
    label = Membership.Role(role).label.lower() if role else ""
    return _people_action(
        request,
        lambda: services.membership_set_role(
            membership=membership, actor=request.membership, role=role
        ),
        f"{membership.name} is now {label}.",
    )


@admin_required
@require_http_methods(["GET", "POST"])
def person_deactivate(request, membership_id):
    membership = get_org_object_or_404(
        request, Membership.objects.select_related("user", "org"), pk=membership_id
    )
    if request.method == "GET":  # where the button leads without JavaScript
        return confirmation_page(
            request,
            Confirmation(
                title=f"Deactivate {membership.name}?",
                message="They lose access at once; their OKRs and check-ins stay. You can "
                "reactivate them later.",
                button="Deactivate",
                cancel_url=_people_url(request),
            ),
        )
    return _people_action(
        request,
        lambda: services.membership_deactivate(membership=membership, actor=request.membership),
        f"{membership.name} was deactivated; their OKRs and check-ins stay.",
    )


@admin_required
@require_POST
def person_reactivate(request, membership_id):
    membership = get_org_object_or_404(
        request, Membership.objects.select_related("user", "org"), pk=membership_id
    )
    return _people_action(
        request,
        lambda: services.membership_reactivate(membership=membership, actor=request.membership),
        f"{membership.name} was reactivated.",
    )


@admin_required
@require_POST
def invitation_resend(request, invitation_id):
    invitation = get_org_object_or_404(request, Invitation, pk=invitation_id)
    return _people_action(
        request,
        lambda: services.invitation_resend(invitation=invitation, actor=request.membership),
        f"A new invitation link was sent to {invitation.email}.",
    )


@admin_required
@require_http_methods(["GET", "POST"])
def invitation_revoke(request, invitation_id):
    invitation = get_org_object_or_404(request, Invitation, pk=invitation_id)
    if request.method == "GET":  # where the button leads without JavaScript
        return confirmation_page(
            request,
            Confirmation(
                title=f"Revoke the invitation of {invitation.email}?",
                message="Its link stops working at once. You can invite them again later.",
                button="Revoke",
                cancel_url=_people_url(request),
            ),
        )
    return _people_action(
        request,
        lambda: services.invitation_revoke(invitation=invitation, actor=request.membership),
        f"The invitation of {invitation.email} was revoked.",
    )


# --- teams (admins) ------------------------------------------------------------------------


@admin_required
@require_http_methods(["GET", "POST"])
def teams(request):
    form = TeamForm(request.POST or None, org=request.org)
    notice = None
    if request.method == "POST" and form.is_valid():
        try:
            team = services.team_create(
                org=request.org, actor=request.membership, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            notice = f"Team {team.name} was created."
            if not request.htmx:
                messages.success(request, notice)
                return redirect("organizations:teams", org_slug=request.org.slug)
            form = TeamForm(org=request.org)
    template = "organizations/teams.html"
    if request.htmx:
        template += "#team-panel"
    return render(
        request, template, {"tree": team_tree(request.org), "form": form, "notice": notice}
    )


@admin_required
@require_http_methods(["GET", "POST"])
def team_edit(request, team_id):
    team = get_org_object_or_404(request, Team, pk=team_id)
    initial = {"name": team.name, "description": team.description, "parent": team.parent_id}
    action = request.POST.get("action") if request.method == "POST" else request.GET.get("action")
    delete_error = None
    if action == "delete":
        delete_error = services.team_delete_refusal(team)
        if request.method == "POST" and delete_error is None:
            name = team.name
            try:
                services.team_delete(team=team, actor=request.membership)
            except ValidationError as exc:
                delete_error = " ".join(exc.messages)
            else:
                messages.success(request, f"Team {name} was deleted; its people stay.")
                return redirect("organizations:teams", org_slug=request.org.slug)
        elif request.method == "GET" and delete_error is None:  # without JavaScript
            return confirmation_page(
                request,
                Confirmation(
                    title=f"Delete the team {team.name}?",
                    message="Its people stay in the company; they are no longer in this team.",
                    button="Delete team",
                    cancel_url=request.path,
                    fields=(("action", "delete"),),
                ),
            )
        form = TeamForm(org=request.org, team=team, initial=initial)
        context = {"team": team, "form": form, "delete_error": delete_error}
        return render(request, "organizations/team_edit.html", context)
    form = TeamForm(request.POST or None, org=request.org, team=team, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.team_update(team=team, actor=request.membership, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
            team.refresh_from_db()
        else:
            messages.success(request, f"Team {team.name} was saved.")
            return redirect("organizations:teams", org_slug=request.org.slug)
    return render(request, "organizations/team_edit.html", {"team": team, "form": form})


def _render_team_members(request, team, *, add_form=None, notice=None, error=None):
    candidates = people_not_in_team(team)
    context = {
        "team": team,
        "links": team_members(team),
        "add_form": add_form or TeamMemberAddForm(candidates=candidates),
        "notice": notice,
        "action_error": error,
    }
    template = "organizations/team_members.html"
    if request.htmx:
        template += "#members-panel"
    return render(request, template, context)


@admin_required
@require_http_methods(["GET", "POST"])
def team_members_view(request, team_id):
    team = get_org_object_or_404(request, Team.objects.select_related("parent"), pk=team_id)
    if request.method == "GET":
        if request.GET.get("action") == "remove":  # without JavaScript, Remove asks here first
            form = TeamMemberChangeForm(request.GET, org=request.org)
            if form.is_valid():
                person = form.cleaned_data["membership"]
                return confirmation_page(
                    request,
                    Confirmation(
                        title=f"Remove {person.name} from {team.name}?",
                        message=f"{person.name} stays in the company; their objectives stay "
                        f"theirs, but no longer count among {team.name}'s people.",
                        button="Remove",
                        cancel_url=request.path,
                        fields=(("membership", str(person.pk)), ("action", "remove")),
                    ),
                )
        return _render_team_members(request, team)

    if request.POST.get("action", "add") == "add":
        form = TeamMemberAddForm(request.POST, candidates=people_not_in_team(team))
        if not form.is_valid():
            return _render_team_members(request, team, add_form=form)
        membership = form.cleaned_data["membership"]
        try:
            services.team_add_member(
                team=team,
                membership=membership,
                actor=request.membership,
                is_manager=form.cleaned_data["is_manager"],
            )
        except ValidationError as exc:
            add_service_error(form, exc)
            return _render_team_members(request, team, add_form=form)
        notice = f"{membership.name} joined {team.name}."
    else:
        form = TeamMemberChangeForm(request.POST, org=request.org)
        if not form.is_valid():
            return _render_team_members(request, team, error="Choose a person of this team.")
        membership, action = form.cleaned_data["membership"], form.cleaned_data["action"]
        try:
            if action == "remove":
                services.team_remove_member(
                    team=team, membership=membership, actor=request.membership
                )
                notice = f"{membership.name} left {team.name}."
            else:
                is_manager = action == "manager"
                services.team_set_manager(
                    team=team,
                    membership=membership,
                    actor=request.membership,
                    is_manager=is_manager,
                )
                notice = f"{membership.name} is {'now' if is_manager else 'no longer'} a manager."
        except ValidationError as exc:
            return _render_team_members(request, team, error=" ".join(exc.messages))
    if request.htmx:
        return _render_team_members(request, team, notice=notice)
    messages.success(request, notice)
    return redirect("organizations:team-members", org_slug=request.org.slug, team_id=team.pk)


# --- accepting an invitation (public link) -------------------------------------------------


def _unavailable(request, reason, status):
    return render(
        request, "organizations/invitation_unavailable.html", {"reason": reason}, status=status
    )


@require_http_methods(["GET", "POST"])
def invitation_accept(request, token):
    """Open to anyone holding the link. New people choose a name and password; people with
    an account sign in first (and come back here); the signed-in e-mail must match."""
    invitation = (
        Invitation.objects.select_related("org", "invited_by__user")
        .prefetch_related("teams")
        .filter(token=token[:64])
        .first()
    )
    reason = services.invitation_unavailable_reason(invitation)
    if reason:
        return _unavailable(request, reason, 404 if invitation is None else 410)

    user = request.user
    has_account = (  # an unconfirmed sign-up is not an account yet (accounts/signup.py)
        get_user_model()
        .objects.filter(email__iexact=invitation.email, email_verified=True)
        .exists()
    )
    context = {"invitation": invitation, "invited_org": invitation.org, "has_account": has_account}

    if user.is_authenticated:
        if user.email.lower() != invitation.email.lower():
            context["wrong_user"] = True
            status = 403 if request.method == "POST" else 200
            return render(request, "organizations/invitation_accept.html", context, status=status)
        if request.method == "POST":
            return _accept(request, lambda: services.invitation_accept(token=token, user=user))
        return render(request, "organizations/invitation_accept.html", context)

    if has_account:
        # They sign in with their existing password, then land back on this page.
        if request.method == "POST":
            return redirect_to_login(request.get_full_path())
        return render(request, "organizations/invitation_accept.html", context)

    form = AcceptInvitationForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.invitation_accept_as_new_user(
                token=token,
                full_name=form.cleaned_data["full_name"],
                password=form.cleaned_data["password"],
            )
        except services.InvitationUnavailable as exc:
            return _unavailable(request, exc.messages[0], 410)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            login(request, membership.user, backend=MODEL_BACKEND)
            return _joined(request, membership)
    context["form"] = form
    return render(request, "organizations/invitation_accept.html", context)


def _accept(request, action):
    try:
        membership = action()
    except services.InvitationUnavailable as exc:
        return _unavailable(request, exc.messages[0], 410)
    except ValidationError as exc:
        return _unavailable(request, " ".join(exc.messages), 403)
    return _joined(request, membership)


def _joined(request, membership):
    messages.success(request, f"Welcome to {membership.org.name}.")
    return redirect("objectives:my", org_slug=membership.org.slug)
