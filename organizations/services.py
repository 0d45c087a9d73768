"""Writes for companies, people, teams and invitations. Views call these; nothing else writes.

Every function is keyword-only, atomic and validates before saving; a rule that is broken
raises ``ValidationError`` (with a field name where one fits) that views turn into a form
error. Each write takes the acting membership (``actor``), checks it through
``organizations.permissions`` (``PermissionDenied``: 403) and is recorded by ``audit.record``.
E-mails leave only after the transaction commits.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from audit.services import changes_of, record, snapshot

from .clock import company_today
from .deletion import CompanyDeleted, delete_company
from .models import (
    Invitation,
    Membership,
    Organization,
    Team,
    TeamMembership,
    note_data_change,
)
from .periods import fiscal_year_of, fiscal_year_periods
from .permissions import ensure_admin

User = get_user_model()
logger = logging.getLogger(__name__)


# --- companies ---------------------------------------------------------------------------


@transaction.atomic
def organization_create(
    *,
    name: str,
    slug: str,
    creator,
    time_zone: str = "UTC",
    fiscal_year_start_month: int = 1,
    with_periods: bool = False,
) -> Organization:
    """Create a company; its creator becomes its first admin.

    ``with_periods`` (sign-up) also creates the fiscal year that contains the company's today
    and its quarters, so the first objective has a period to go in.
    """
    org = Organization(
        name=name,
        slug=slug.lower(),
        time_zone=time_zone,
        fiscal_year_start_month=fiscal_year_start_month,
    )
    org.full_clean()
    try:
        with transaction.atomic():
            org.save()
    except IntegrityError as exc:  # a concurrent sign-up took the slug after full_clean()
        raise ValidationError({"slug": "This company address is already taken."}) from exc
    founder = Membership.objects.create(org=org, user=creator, role=Membership.Role.ADMIN)
    record(founder, "organization.create", org)
    if with_periods:
        fiscal_year_periods(org, fiscal_year_of(org, company_today(org)))
    return org


def organization_delete(
    *, org: Organization, actor: Membership, confirm_name: str
) -> CompanyDeleted:
    """Delete the company: every row that carries its id (its audit trail too), and the
    accounts that belong to no other company, with their sessions (``deletion``). One
    transaction: a failure leaves the company whole. Any active admin may, once they typed
    the company's name exactly; a line in the log is what remains."""
    ensure_admin(actor, org.pk)
    if (confirm_name or "").strip() != org.name:
        raise ValidationError(
            {"confirm_name": f"Type the company's name, {org.name}, exactly to delete it."}
        )
    who = User.objects.filter(pk=actor.user_id).values_list("email", flat=True).first()
    with transaction.atomic():
        # Lock the company row: a second deletion, or a sign-up's membership, waits for us.
        locked = Organization.objects.select_for_update().filter(pk=org.pk).first()
        if locked is None:  # another admin's deletion went first
            raise ValidationError("This company was deleted already.")
        deleted = delete_company(locked)
    logger.warning(
        "Company %r (id %s, %s) deleted by %s (membership %s): %s rows, %s accounts, %s sessions",
        deleted.name,
        deleted.org_id,
        locked.slug,
        who,
        actor.pk,
        sum(deleted.rows.values()),
        len(deleted.deleted_user_ids),
        deleted.sessions,
    )
    return deleted


# --- people --------------------------------------------------------------------------------


def _lock_active_admins(org: Organization) -> list[int]:
    """Lock the company's active admin rows so two admins demoting each other at the same
    moment cannot leave the company without one."""
    return list(
        Membership.objects.select_for_update()
        .filter(org=org, role=Membership.Role.ADMIN, is_active=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def ensure_not_last_admin(membership: Membership, action: str) -> None:
    """Refuse (``ValidationError``) when ``membership`` is the company's only active admin;
    locks the admin rows first (``objectives.services.membership_offboard`` asks it too)."""
    admin_ids = _lock_active_admins(membership.org)
    if admin_ids == [membership.pk]:
        raise ValidationError(
            f"{membership.name} is the only active admin; make someone else an admin before "
            f"you {action}."
        )


@transaction.atomic
def membership_set_role(*, membership: Membership, actor: Membership, role: str) -> Membership:
    ensure_admin(actor, membership.org_id)
    if role not in Membership.Role.values:
        raise ValidationError({"role": "Choose admin, manager or member."})
    if role == membership.role:
        return membership
    if membership.role == Membership.Role.ADMIN and membership.is_active:
        ensure_not_last_admin(membership, "change this role")
    before = membership.role
    membership.role = role
    membership.full_clean()
    membership.save(update_fields=["role"])
    record(actor, "membership.set_role", membership, {"role": [before, role]})
    note_data_change(membership.org_id)
    return membership


@transaction.atomic
def membership_deactivate(*, membership: Membership, actor: Membership) -> Membership:
    """Take away access at once; everything the person wrote stays."""
    ensure_admin(actor, membership.org_id)
    if not membership.is_active:
        return membership
    if membership.role == Membership.Role.ADMIN:
        ensure_not_last_admin(membership, "deactivate them")
    membership.is_active = False
    membership.save(update_fields=["is_active"])
    record(actor, "membership.deactivate", membership, {"is_active": [True, False]})
    note_data_change(membership.org_id)
    return membership


@transaction.atomic
def membership_reactivate(*, membership: Membership, actor: Membership) -> Membership:
    ensure_admin(actor, membership.org_id)
    if membership.is_active:
        return membership
    membership.is_active = True
    membership.save(update_fields=["is_active"])
    record(actor, "membership.reactivate", membership, {"is_active": [False, True]})
    note_data_change(membership.org_id)
    return membership


# --- invitations ---------------------------------------------------------------------------


def _send_invitation_after_commit(invitation: Invitation) -> None:
    from .emails import send_invitation_email

    invitation_id = invitation.pk
    # robust: a mail server hiccup is logged, not turned into an error page after the
    # invitation was saved; the admin can press Resend.
    transaction.on_commit(lambda: send_invitation_email(invitation_id=invitation_id), robust=True)


def _check_teams(org: Organization, teams: Iterable[Team]) -> list[Team]:
    teams = list(teams)
    if any(team.org_id != org.pk for team in teams):
        raise ValidationError({"teams": "Choose teams of this company."})
    return teams


@transaction.atomic
def invitation_create(
    *,
    org: Organization,
    email: str,
    role: str = Membership.Role.MEMBER,
    teams: Iterable[Team] = (),
    actor: Membership,
) -> Invitation:
    """Invite a person by e-mail on behalf of ``actor`` (an admin). A second invitation while
    one is pending is refused (resend the pending one instead); an expired pending one is
    retired and replaced."""
    ensure_admin(actor, org.pk)
    email = (email or "").strip().lower()
    teams = _check_teams(org, teams)
    if Membership.objects.filter(org=org, user__email__iexact=email, is_active=True).exists():
        raise ValidationError({"email": "This person is already a member of the company."})
    pending = (
        Invitation.objects.select_for_update().for_org(org).pending().filter(email__iexact=email)
    )
    for existing in pending:
        if not existing.is_expired:
            raise ValidationError(
                {
                    "email": "This person already has a pending invitation; "
                    "resend it from the list below instead."
                }
            )
        existing.revoked_at = timezone.now()
        existing.save(update_fields=["revoked_at"])
    invitation = Invitation(
        org=org,
        email=email,
        role=role,
        invited_by=actor,
        expires_at=Invitation.default_expiry(),
        sent_at=timezone.now(),
    )
    # The one-pending-per-address rule was checked above (and the database enforces it).
    invitation.full_clean(exclude=["teams"], validate_constraints=False)
    try:
        with transaction.atomic():
            invitation.save()
    except IntegrityError as exc:  # a concurrent request invited the same address
        raise ValidationError({"email": "This person already has a pending invitation."}) from exc
    invitation.teams.set(teams)
    record(
        actor,
        "invitation.create",
        invitation,
        {"role": [None, role], "teams": [None, sorted(team.pk for team in teams)]},
    )
    _send_invitation_after_commit(invitation)
    return invitation


def _lock_invitation(invitation: Invitation) -> Invitation:
    return Invitation.objects.select_for_update().get(pk=invitation.pk)


@transaction.atomic
def invitation_resend(*, invitation: Invitation, actor: Membership) -> Invitation:
    """A fresh token (the old link stops working) and a fresh expiry; the e-mail goes again."""
    ensure_admin(actor, invitation.org_id)
    invitation = _lock_invitation(invitation)
    if invitation.accepted_at or invitation.revoked_at:
        raise ValidationError(f"This invitation was already {invitation.status}.")
    invitation.token = Invitation._meta.get_field("token").get_default()
    invitation.expires_at = Invitation.default_expiry()
    invitation.sent_at = timezone.now()
    invitation.save(update_fields=["token", "expires_at", "sent_at"])
    record(actor, "invitation.resend", invitation)
    _send_invitation_after_commit(invitation)
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, actor: Membership) -> Invitation:
    ensure_admin(actor, invitation.org_id)
    invitation = _lock_invitation(invitation)
    if invitation.accepted_at or invitation.revoked_at:
        raise ValidationError(f"This invitation was already {invitation.status}.")
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    record(actor, "invitation.revoke", invitation)
    return invitation


class InvitationUnavailable(ValidationError):
    """The token is unknown, expired, revoked or already used."""


def invitation_unavailable_reason(invitation: Invitation | None) -> str | None:
    if invitation is None:
        return "This invitation link is not valid. Check that you copied the whole link."
    if invitation.accepted_at:
        return "This invitation was already used. Sign in to reach the company."
    if invitation.revoked_at:
        return "This invitation was withdrawn. Ask the company's admin for a new one."
    if invitation.is_expired:
        return "This invitation has expired. Ask the company's admin to send it again."
    return None


@transaction.atomic
def invitation_accept(*, token: str, user) -> Membership:
    """The invited person joins: membership created (or re-activated), teams joined, the
    token used up. The signed-in user's e-mail must be the invited address."""
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("org")
        .filter(token=token)
        .first()
    )
    reason = invitation_unavailable_reason(invitation)
    if reason:
        raise InvitationUnavailable(reason)
    if user.email.lower() != invitation.email.lower():
        raise ValidationError(
            f"This invitation is for {invitation.email}, but you are signed in as {user.email}."
        )
    membership, created = Membership.objects.get_or_create(
        org=invitation.org, user=user, defaults={"role": invitation.role}
    )
    if not created and not membership.is_active:
        membership.is_active = True
        membership.role = invitation.role
        membership.save(update_fields=["is_active", "role"])
    existing_team_ids = set(
        TeamMembership.objects.filter(membership=membership).values_list("team_id", flat=True)
    )
    TeamMembership.objects.bulk_create(
        [
            TeamMembership(org=invitation.org, team=team, membership=membership)
            for team in invitation.teams.filter(org=invitation.org)
            if team.pk not in existing_team_ids
        ]
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    # The invited person acts on the token they were sent: the invitation is the right.
    record(membership, "invitation.accept", invitation)
    note_data_change(invitation.org_id)
    return membership


@transaction.atomic
def invitation_accept_as_new_user(*, token: str, full_name: str, password: str) -> Membership:
    """Create the invited person's account and accept in one transaction."""
    invitation = Invitation.objects.filter(token=token).first()
    reason = invitation_unavailable_reason(invitation)
    if reason:
        raise InvitationUnavailable(reason)
    existing = User.objects.filter(email__iexact=invitation.email).first()
    if existing is not None and existing.email_verified:
        raise ValidationError("An account with this e-mail exists; sign in to accept.")
    # A sign-up still waiting for its confirmation link: the invitation proves the address,
    # so the account is theirs with the password chosen now (the old link stops working).
    user = existing or User(email=invitation.email.lower())
    user.full_name = full_name.strip()
    user.is_active = user.email_verified = True
    user.set_password(password)
    user.full_clean(exclude=["password"])
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:
        raise ValidationError("An account with this e-mail exists; sign in to accept.") from exc
    return invitation_accept(token=token, user=user)


# --- teams ---------------------------------------------------------------------------------


def _check_parent(team: Team, parent: Team | None) -> None:
    if parent is None:
        return
    if parent.org_id != team.org_id:
        raise ValidationError({"parent": "Choose a parent team of this company."})
    if team.pk is None:
        return
    # Walk up from the proposed parent; meeting the team itself would close a loop.
    parent_of = dict(Team.objects.filter(org_id=team.org_id).values_list("pk", "parent_id"))
    node, seen = parent.pk, set()
    while node is not None and node not in seen:
        if node == team.pk:
            raise ValidationError(
                {"parent": "A team cannot sit under itself or under one of its own sub-teams."}
            )
        seen.add(node)
        node = parent_of.get(node)


def _save_team(team: Team) -> Team:
    team.full_clean(validate_constraints=False)
    clash = Team.objects.filter(org_id=team.org_id, name__iexact=team.name).exclude(pk=team.pk)
    if team.name and clash.exists():
        raise ValidationError({"name": "A team with this name already exists."})
    try:
        with transaction.atomic():
            team.save()
    except IntegrityError as exc:
        raise ValidationError({"name": "A team with this name already exists."}) from exc
    note_data_change(team.org_id)
    return team


@transaction.atomic
def team_create(
    *,
    org: Organization,
    actor: Membership,
    name: str,
    description: str = "",
    parent: Team | None = None,
) -> Team:
    ensure_admin(actor, org.pk)
    team = Team(org=org, name=(name or "").strip(), description=description, parent=parent)
    _check_parent(team, parent)
    _save_team(team)
    record(actor, "team.create", team)
    return team


@transaction.atomic
def team_update(
    *,
    team: Team,
    actor: Membership,
    name: str,
    description: str = "",
    parent: Team | None = None,
) -> Team:
    ensure_admin(actor, team.org_id)
    # Lock the company's team rows: two concurrent re-parentings could otherwise make a loop.
    list(Team.objects.select_for_update().filter(org_id=team.org_id).values_list("pk"))
    _check_parent(team, parent)
    before = snapshot(team, ["name", "description", "parent"])
    team.name = (name or "").strip()
    team.description = description
    team.parent = parent
    _save_team(team)
    record(actor, "team.update", team, changes_of(team, before))
    return team


def team_delete_refusal(team: Team) -> str | None:
    """Why the team cannot be deleted (its objectives, of any period, and its sub-teams hold
    it: ``PROTECT`` keys), or None when nothing does."""
    objectives = team.objectives.count()
    children = team.children.count()
    held = [
        f"{n} {word}{'' if n == 1 else 's'}"
        for n, word in ((objectives, "objective"), (children, "sub-team"))
        if n
    ]
    if not held:
        return None
    return (
        f"{team.name} cannot be deleted while it has {' and '.join(held)} (closed periods "
        "included): move its objectives to another team and its sub-teams under another "
        "parent first."
    )


@transaction.atomic
def team_delete(*, team: Team, actor: Membership) -> None:
    """Delete a team that holds no objectives and no sub-teams (``team_delete_refusal`` says
    why not otherwise); its memberships and its place in pending invitations go with it."""
    ensure_admin(actor, team.org_id)
    # Lock the company's team rows: a concurrent re-parenting under this team waits.
    list(Team.objects.select_for_update().filter(org_id=team.org_id).values_list("pk"))
    refusal = team_delete_refusal(team)
    if refusal:
        raise ValidationError(refusal)
    record(actor, "team.delete", team)
    try:
        with transaction.atomic():
            team.delete()
    except ProtectedError as exc:  # an objective was written for it since the count
        raise ValidationError(team_delete_refusal(team) or str(exc)) from exc
    note_data_change(team.org_id)


def _check_team_person(team: Team, membership: Membership) -> None:
    if membership.org_id != team.org_id:
        raise ValidationError({"membership": "Choose a person of this company."})


@transaction.atomic
def team_add_member(
    *, team: Team, membership: Membership, actor: Membership, is_manager: bool = False
) -> TeamMembership:
    ensure_admin(actor, team.org_id)
    _check_team_person(team, membership)
    if not membership.is_active:
        raise ValidationError({"membership": "This person is deactivated."})
    link, created = TeamMembership.objects.get_or_create(
        team=team, membership=membership, defaults={"org_id": team.org_id, "is_manager": is_manager}
    )
    if not created:
        raise ValidationError({"membership": f"{membership.name} is already in {team.name}."})
    record(actor, "team.add_member", team, {"member": [None, membership.pk]})
    note_data_change(team.org_id)
    return link


def _team_link(team: Team, membership: Membership) -> TeamMembership:
    _check_team_person(team, membership)
    link = (
        TeamMembership.objects.select_for_update().filter(team=team, membership=membership).first()
    )
    if link is None:
        raise ValidationError({"membership": f"{membership.name} is not in {team.name}."})
    return link


@transaction.atomic
def team_remove_member(*, team: Team, membership: Membership, actor: Membership) -> None:
    ensure_admin(actor, team.org_id)
    _team_link(team, membership).delete()
    record(actor, "team.remove_member", team, {"member": [membership.pk, None]})
    note_data_change(team.org_id)


@transaction.atomic
def team_set_manager(
    *, team: Team, membership: Membership, actor: Membership, is_manager: bool
) -> TeamMembership:
    ensure_admin(actor, team.org_id)
    link = _team_link(team, membership)
    if link.is_manager != is_manager:
        link.is_manager = is_manager
        link.save(update_fields=["is_manager"])
        record(
            actor,
            "team.set_manager",
            team,
            {"manager": [membership.pk, None] if not is_manager else [None, membership.pk]},
        )
        note_data_change(team.org_id)
    return link
