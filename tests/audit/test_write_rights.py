"""Every write service checks its actor and records its write, without HTTP.

One row a service: an actor who lacks the right is refused (nothing written, no audit entry);
one who holds it gets the write and exactly one audit entry naming them, the action and the
target. A meta test fails when a service taking an actor joins without a row here.
"""

import datetime
import inspect
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from alignment import services as alignment_services
from api import services as api_services
from audit.models import AuditEntry
from checkins import services as checkin_services
from checkins.services import DEFAULT_SCHEDULES
from closing import services as closing_services
from closing.models import PeriodClosing
from conversations import services as conversation_services
from dependencies import services as dependency_services
from dependencies.models import Dependency
from objectives import services as objective_services
from objectives.models import Objective
from organizations import config_services
from organizations import services as org_services
from organizations.clock import company_today
from organizations.models import Membership
from tests.factories import (
    CheckInFactory,
    InvitationFactory,
    KeyResultFactory,
    MembershipFactory,
    ObjectiveFactory,
    PeriodFactory,
    ReminderScheduleFactory,
    StrategicThemeFactory,
    TeamFactory,
    TeamMembershipFactory,
)

pytestmark = pytest.mark.django_db


class World:
    """Acme with an admin, a manager of Marketing, Mia (in Marketing, owns an objective and
    its KR) and Sam (in no team: may change none of it)."""

    def __init__(self, org, period, team, admin, manager, member):
        self.org, self.period, self.team = org, period, team
        self.admin, self.manager, self.member = admin, manager, member
        self.stranger = MembershipFactory(org=org, user__full_name="Sam Stranger")
        self.objective = ObjectiveFactory(org=org, period=period, owner=member, title="Mine")
        self.kr = KeyResultFactory(objective=self.objective)
        self.team_objective = ObjectiveFactory(
            org=org, period=period, level=Objective.Level.TEAM, team=team, owner=None
        )


@dataclass
class Case:
    service: str  # module.function, as the meta test names it
    call: Callable  # (world, actor) -> target of the write
    lacks: str  # the world's person who may not
    holds: str  # the world's person who may
    action: str
    refused: type = PermissionDenied


def _granted(w, co_owner=False):
    objective_services.objective_share(
        objective=w.objective, actor=w.member, membership=w.admin, co_owner=co_owner
    )


def _contributor(w):
    objective_services.key_result_add_contributor(kr=w.kr, actor=w.member, membership=w.admin)


def _gone(target, write):
    """Run a delete, handing back its target with the id it had."""
    pk = target.pk
    write()
    target.pk = pk
    return target


def _draft(w):
    if not hasattr(w, "draft"):
        w.draft = ObjectiveFactory(
            org=w.org, period=w.period, owner=w.member, status=Objective.Status.DRAFT
        )
    return w.draft


def _submitted(w):
    if not hasattr(w, "submitted"):
        from objectives.models import ReviewStep

        w.submitted = ObjectiveFactory(
            org=w.org, period=w.period, owner=w.member, status=Objective.Status.SUBMITTED
        )
        ReviewStep.objects.create(
            org=w.org, objective=w.submitted, kind=ReviewStep.Kind.SUBMITTED, actor=w.member
        )
    return w.submitted


def _reviewed(w, actor):
    OB.objective_review(objective=_submitted(w), actor=actor, approve=True)
    return w.submitted


def _second_kr(w):
    KeyResultFactory(objective=w.objective)
    return w.kr


def _checkin_of(w, author):
    return CheckInFactory(key_result=w.kr, author=author)


OB, AL, CH, OR, CFG = (
    objective_services,
    alignment_services,
    checkin_services,
    org_services,
    config_services,
)

CASES = [
    # --- objectives ---------------------------------------------------------------------
    Case(
        "objectives.objective_create",
        lambda w, a: OB.objective_create(
            org=w.org, actor=a, period=w.period, level="team", title="Ours", team=w.team
        ),
        "member",
        "manager",
        "objective.create",
    ),
    Case(
        "objectives.objective_update",
        lambda w, a: OB.objective_update(objective=w.objective, actor=a, title="Renamed"),
        "stranger",
        "member",
        "objective.update",
    ),
    Case(
        "objectives.objective_publish",
        # Her manager sees her draft but may not publish it: only who may edit it.
        lambda w, a: OB.objective_publish(objective=_draft(w), actor=a),
        "manager",
        "member",
        "objective.publish",
    ),
    Case(
        "objectives.objective_review",
        # Her manager decides; the stranger (no manager of hers) may not.
        lambda w, a: _reviewed(w, a),
        "stranger",
        "manager",
        "objective.approve",
    ),
    Case(
        "objectives.objective_delete",
        lambda w, a: _gone(
            w.objective, lambda: OB.objective_delete(objective=w.objective, actor=a)
        ),
        "stranger",
        "member",
        "objective.delete",
    ),
    Case(
        "objectives.objective_share",
        lambda w, a: (
            OB.objective_share(objective=w.objective, actor=a, membership=w.manager),
            w.objective,
        )[1],
        "stranger",
        "member",
        "objective.share",
    ),
    Case(
        "objectives.objective_unshare",
        lambda w, a: (
            OB.objective_unshare(objective=w.objective, actor=a, membership=w.admin),
            w.objective,
        )[1],
        "stranger",
        "member",
        "objective.unshare",
    ),
    Case(
        "objectives.key_result_add_contributor",
        lambda w, a: (
            OB.key_result_add_contributor(kr=w.kr, actor=a, membership=w.manager),
            w.kr,
        )[1],
        "stranger",
        "member",
        "key_result.add_contributor",
    ),
    Case(
        "objectives.key_result_remove_contributor",
        lambda w, a: (
            OB.key_result_remove_contributor(kr=w.kr, actor=a, membership=w.admin),
            w.kr,
        )[1],
        "stranger",
        "member",
        "key_result.remove_contributor",
    ),
    Case(
        "objectives.key_result_create",
        lambda w, a: OB.key_result_create(objective=w.objective, actor=a, title="More"),
        "stranger",
        "member",
        "key_result.create",
    ),
    Case(
        "objectives.key_result_update",
        lambda w, a: OB.key_result_update(kr=w.kr, actor=a, title="Sharper"),
        "stranger",
        "member",
        "key_result.update",
    ),
    Case(
        "objectives.key_result_set_confidence",
        lambda w, a: OB.key_result_set_confidence(kr=w.kr, actor=a, confidence="at_risk"),
        "stranger",
        "member",
        "key_result.set_confidence",
    ),
    Case(
        "objectives.key_result_delete",
        lambda w, a: _gone(w.kr, lambda: OB.key_result_delete(kr=w.kr, actor=a)),
        "stranger",
        "member",
        "key_result.delete",
    ),
    Case(
        "objectives.key_result_reorder",
        lambda w, a: OB.key_result_reorder(kr=_second_kr(w), actor=a, direction="down"),
        "stranger",
        "member",
        "key_result.move",
    ),
    # --- alignment ----------------------------------------------------------------------
    Case(
        "alignment.objective_align",
        lambda w, a: AL.objective_align(objective=w.objective, parent=w.team_objective, actor=a),
        "stranger",
        "member",
        "objective.align",
        refused=ValidationError,  # the alignment form shows it beside the parent field
    ),
    Case(
        "alignment.duplicate_dismiss",
        lambda w, a: (
            AL.duplicate_dismiss(first=w.objective, second=w.team_objective, actor=a),
            w.objective,
        )[1],
        "stranger",
        "admin",
        "objective.dismiss_duplicate",
    ),
    # --- check-ins and reminders --------------------------------------------------------
    Case(
        "checkins.checkin_submit",
        lambda w, a: (
            CH.checkin_submit(kr=w.kr, author=a, value="40", confidence="on_track"),
            w.kr,
        )[1],
        "stranger",
        "member",
        "checkin.create",
    ),
    Case(
        "checkins.checkin_delete",
        lambda w, a: CH.checkin_delete(checkin=_checkin_of(w, w.member), actor=a),
        "stranger",
        "member",
        "checkin.delete",
    ),
    Case(
        "checkins.schedule_save",
        lambda w, a: CH.schedule_save(org=w.org, actor=a, data=dict(DEFAULT_SCHEDULES[0])),
        "manager",
        "admin",
        "schedule.create",
    ),
    Case(
        "checkins.schedule_delete",
        lambda w, a: _gone(w.schedule, lambda: CH.schedule_delete(schedule=w.schedule, actor=a)),
        "manager",
        "admin",
        "schedule.delete",
    ),
    Case(
        "checkins.kr_nudge",
        lambda w, a: (CH.kr_nudge(kr=w.kr, actor=a), w.kr)[1],
        "stranger",
        "manager",
        "key_result.nudge",
    ),
    # --- people, invitations, teams -----------------------------------------------------
    Case(
        "organizations.membership_set_role",
        lambda w, a: OR.membership_set_role(membership=w.stranger, actor=a, role="manager"),
        "manager",
        "admin",
        "membership.set_role",
    ),
    Case(
        "organizations.membership_deactivate",
        lambda w, a: OR.membership_deactivate(membership=w.stranger, actor=a),
        "manager",
        "admin",
        "membership.deactivate",
    ),
    Case(
        "organizations.membership_reactivate",
        lambda w, a: OR.membership_reactivate(membership=w.gone, actor=a),
        "manager",
        "admin",
        "membership.reactivate",
    ),
    Case(
        "organizations.invitation_create",
        lambda w, a: OR.invitation_create(org=w.org, email="new@example.com", actor=a),
        "manager",
        "admin",
        "invitation.create",
    ),
    Case(
        "organizations.invitation_resend",
        lambda w, a: OR.invitation_resend(invitation=w.invitation, actor=a),
        "manager",
        "admin",
        "invitation.resend",
    ),
    Case(
        "organizations.invitation_revoke",
        lambda w, a: OR.invitation_revoke(invitation=w.invitation, actor=a),
        "manager",
        "admin",
        "invitation.revoke",
    ),
    Case(
        "organizations.team_create",
        lambda w, a: OR.team_create(org=w.org, actor=a, name="Sales"),
        "manager",
        "admin",
        "team.create",
    ),
    Case(
        "organizations.team_update",
        lambda w, a: OR.team_update(team=w.team, actor=a, name="Brand"),
        "manager",
        "admin",
        "team.update",
    ),
    Case(
        "organizations.team_delete",
        lambda w, a: _gone(w.empty_team, lambda: OR.team_delete(team=w.empty_team, actor=a)),
        "manager",
        "admin",
        "team.delete",
    ),
    Case(
        "organizations.team_add_member",
        lambda w, a: OR.team_add_member(team=w.team, membership=w.stranger, actor=a).team,
        "manager",
        "admin",
        "team.add_member",
    ),
    Case(
        "organizations.team_remove_member",
        lambda w, a: (OR.team_remove_member(team=w.team, membership=w.member, actor=a), w.team)[1],
        "manager",
        "admin",
        "team.remove_member",
    ),
    Case(
        "organizations.team_set_manager",
        lambda w, a: (
            OR.team_set_manager(team=w.team, membership=w.member, actor=a, is_manager=True).team
        ),
        "manager",
        "admin",
        "team.set_manager",
    ),
    Case(
        "objectives.membership_offboard",
        lambda w, a: (OB.membership_offboard(membership=w.stranger, actor=a), w.stranger)[1],
        "manager",
        "admin",
        "membership.offboard",
    ),
    Case(
        "objectives.publish_gates_update",
        lambda w, a: (OB.publish_gates_update(org=w.org, actor=a, gates=["not_aligned"]), w.org)[1],
        "manager",
        "admin",
        "company.publish_gates",
    ),
    # --- company configuration ----------------------------------------------------------
    Case(
        "config.strategy_update",
        lambda w, a: CFG.strategy_update(
            org=w.org, actor=a, vision="Be loved", mission="", strategy=""
        ),
        "manager",
        "admin",
        "company.strategy",
    ),
    Case(
        "config.company_settings_update",
        lambda w, a: CFG.company_settings_update(
            org=w.org,
            actor=a,
            name="Acme Ltd",
            time_zone="Europe/Paris",
            fiscal_year_start_month=1,
            week_start=0,
        ),
        "manager",
        "admin",
        "company.settings",
    ),
    Case(
        "config.getting_started_hide",
        lambda w, a: (CFG.getting_started_hide(org=w.org, actor=a), w.org)[1],
        "manager",
        "admin",
        "company.hide_getting_started",
    ),
    Case(
        "config.theme_create",
        lambda w, a: CFG.theme_create(org=w.org, actor=a, name="Growth", colour="#4f46e5"),
        "manager",
        "admin",
        "theme.create",
    ),
    Case(
        "config.theme_update",
        lambda w, a: CFG.theme_update(theme=w.theme, actor=a, name="Reach"),
        "manager",
        "admin",
        "theme.update",
    ),
    Case(
        "config.theme_delete",
        lambda w, a: _gone(w.theme, lambda: CFG.theme_delete(theme=w.theme, actor=a)),
        "manager",
        "admin",
        "theme.delete",
    ),
    Case(
        "config.fiscal_year_generate",
        lambda w, a: CFG.fiscal_year_generate(org=w.org, actor=a, fiscal_year=2031)[0],
        "manager",
        "admin",
        "period.generate_year",
    ),
    Case(
        "config.next_quarter_create",
        lambda w, a: CFG.next_quarter_create(org=w.org, actor=a),
        "manager",
        "admin",
        "period.create",
    ),
    Case(
        "config.period_create",
        lambda w, a: CFG.period_create(
            org=w.org,
            actor=a,
            kind="month",
            name="Jan 2040",
            start=datetime.date(2040, 1, 1),
            end=datetime.date(2040, 1, 31),
        ),
        "manager",
        "admin",
        "period.create",
    ),
    Case(
        "config.period_update",
        lambda w, a: CFG.period_update(
            period=w.period, actor=a, name="Renamed", start=w.period.start, end=w.period.end
        ),
        "manager",
        "admin",
        "period.update",
    ),
    Case(
        "config.period_make_current",
        lambda w, a: CFG.period_make_current(period=w.later, actor=a),
        "manager",
        "admin",
        "period.make_current",
    ),
    Case(
        "config.period_set_closed",
        lambda w, a: CFG.period_set_closed(period=w.later, actor=a, closed=True),
        "manager",
        "admin",
        "period.close",
    ),
]


def _closing(w, period=None):
    """``period`` (the world's, by default) being closed, and the objective reloaded."""
    period = period or w.period
    PeriodClosing.objects.get_or_create(
        org=w.org, period=period, defaults={"started_at": timezone.now()}
    )
    return Objective.objects.select_related("period__closing", "owner__user").get(pk=w.objective.pk)


CL = closing_services
CASES += [
    # --- closing a period ---------------------------------------------------------------
    Case(
        "closing.period_closing_start",
        lambda w, a: CL.period_closing_start(period=w.later, actor=a).period,
        "manager",
        "admin",
        "period.closing_start",
    ),
    Case(
        "closing.period_close",
        lambda w, a: (
            _closing(w, w.later),
            CL.period_close(period=w.later, actor=a, force=True),
        )[1],
        "manager",
        "admin",
        "period.close",
    ),
    Case(
        "closing.reflection_questions_set",
        lambda w, a: (
            CL.reflection_questions_set(org=w.org, actor=a, texts=["What went well?"]),
            w.org,
        )[1],
        "manager",
        "admin",
        "reflection_questions.set",
    ),
    Case(
        "closing.objective_grade",
        lambda w, a: CL.objective_grade(
            objective=_closing(w),
            actor=a,
            grades={w.kr.pk: CL.GradeInput(score=0.5, reason="Half")},
            outcome="partly",
        ),
        "stranger",
        "member",
        "objective.grade",
    ),
    Case(
        "closing.objective_grading_nudge",
        lambda w, a: (CL.objective_grading_nudge(objective=_closing(w), actor=a), w.objective)[1],
        "stranger",
        "manager",
        "objective.grading_nudge",
    ),
    Case(
        "closing.objective_carry_over",
        lambda w, a: CL.objective_carry_over(
            actor=a, objective=_closing(w), into_period=w.later, start_from="reset"
        ),
        "stranger",
        "member",
        "objective.carry_over",
    ),
]


def _admins_objective(w):
    if not hasattr(w, "admins_objective"):
        w.admins_objective = ObjectiveFactory(
            org=w.org, period=w.period, level=Objective.Level.COMPANY, owner=w.admin, title="Ours"
        )
    return w.admins_objective


def _pending_request(w):
    if not hasattr(w, "pending_request"):
        w.pending_request = AL.alignment_request(
            objective=w.objective, parent=_admins_objective(w), actor=w.member
        )
    return w.pending_request


CASES += [
    # --- alignment requests -------------------------------------------------------------
    Case(
        "alignment.alignment_request",
        lambda w, a: (
            AL.alignment_request(objective=w.objective, parent=_admins_objective(w), actor=a).child
        ),
        "stranger",
        "member",
        "alignment.request",
        refused=ValidationError,
    ),
    Case(
        "alignment.alignment_request_answer",
        lambda w, a: (
            AL.alignment_request_answer(
                request=w.request_made, actor=a, accept=False, comment="Not this quarter"
            ).child
        ),
        "member",
        "admin",
        "alignment.request_decline",
    ),
    Case(
        "alignment.alignment_request_withdraw",
        lambda w, a: AL.alignment_request_withdraw(request=w.request_made, actor=a).child,
        "stranger",
        "member",
        "alignment.request_withdraw",
    ),
    Case(
        "alignment.align_or_request",
        lambda w, a: (
            AL.align_or_request(objective=w.objective, parent=w.team_objective, actor=a),
            w.objective,
        )[1],
        "stranger",
        "member",
        "objective.align",
        refused=ValidationError,
    ),
]


def _weighed_child(w):
    """Mia's objective aligned (by the system) to Marketing's: its weight is Marketing's."""
    if not hasattr(w, "weighed_child"):
        w.weighed_child = ObjectiveFactory(org=w.org, period=w.period, owner=w.member)
        AL.objective_align(objective=w.weighed_child, parent=w.team_objective, actor=None)
    return w.weighed_child


CASES += [
    # --- key-result links, weights, "also supports" ---------------------------------------
    Case(
        "alignment.contribution_weight_set",
        # The child's own owner may not raise what their objective weighs in Marketing's.
        lambda w, a: AL.contribution_weight_set(objective=w.weighed_child, weight="2", actor=a),
        "member",
        "manager",
        "objective.weight",
    ),
    Case(
        "alignment.key_result_measure",
        lambda w, a: AL.key_result_measure(kr=w.kr, measured_by="contributors", actor=a),
        "stranger",
        "member",
        "key_result.measure",
    ),
    Case(
        "alignment.also_supports_add",
        lambda w, a: (
            AL.also_supports_add(
                objective=w.objective, supported=w.team_objective, actor=a
            ).objective
        ),
        "stranger",
        "member",
        "objective.also_supports",
    ),
    Case(
        "alignment.also_supports_remove",
        lambda w, a: (AL.also_supports_remove(link=w.support, actor=a), w.objective)[1],
        "stranger",
        "member",
        "objective.also_supports_remove",
    ),
]


# Writes whose right is not a role: a founder creates their company; a token holder accepts.
NOT_ROLE_CHECKED = {
    "organizations.organization_create",
    "organizations.invitation_accept",
    "organizations.invitation_accept_as_new_user",
    "checkins.schedules_ensure_defaults",  # the system's defaults, no actor
    "checkins.can_delete_checkin",  # a question, not a write
    "alignment.needs_request",  # a question, not a write
    "alignment.may_answer",  # a question, not a write
    "alignment.may_weigh",  # a question, not a write
    "alignment.may_remove_support",  # a question, not a write
    # Role-checked, but its audit entries go with the company: the refusals (a manager, an
    # admin of another company) are in tests/organizations/test_leaving.py.
    "organizations.organization_delete",
    # Anyone makes tokens, always their own (the actor is the token's membership): it gives
    # no right its maker lacks. Revoking is in the table.
    "api.api_token_create",
}


def _private_objective(w):
    if not hasattr(w, "private"):
        w.private = ObjectiveFactory(
            org=w.org,
            period=w.period,
            owner=w.admin,
            visibility=Objective.Visibility.PRIVATE,
            title="Private talk",
        )
    return w.private


def _private_checkin(w):
    """A check-in on the private objective's key result: commenting on it is as private."""
    if not hasattr(w, "private_checkin"):
        kr = KeyResultFactory(org=w.org, objective=_private_objective(w), owner=w.admin)
        w.private_checkin = CheckInFactory(key_result=kr, author=w.admin)
    return w.private_checkin


def _comment_by(w, author):
    return TALK.comment_create(actor=author, objective=w.objective, body="Hello")


TALK = conversation_services
CASES += [
    # --- conversations ------------------------------------------------------------------
    Case(
        "conversations.comment_create",
        lambda w, a: TALK.comment_create(actor=a, objective=_private_objective(w), body="Hi"),
        "member",
        "admin",
        "comment.create",
    ),
    Case(
        "conversations.checkin_comment_create",
        lambda w, a: TALK.checkin_comment_create(actor=a, checkin=_private_checkin(w), body="Hi"),
        "member",
        "admin",
        "comment.create",
    ),
    Case(
        "conversations.comment_edit",
        lambda w, a: TALK.comment_edit(actor=a, comment=_member_comment(w), body="Edited"),
        "admin",
        "member",
        "comment.edit",
    ),
    Case(
        "conversations.comment_delete",
        lambda w, a: _gone(
            _member_comment(w), lambda: TALK.comment_delete(actor=a, comment=_member_comment(w))
        ),
        "manager",
        "admin",
        "comment.delete",
    ),
    Case(
        "conversations.reaction_toggle",
        lambda w, a: _reacted(w, a),
        "gone",
        "manager",
        "reaction.add",
    ),
]


def _member_comment(w):
    return w.comment  # built by the world fixture, before the entries are counted


def _reacted(w, actor):
    comment = _member_comment(w)
    TALK.reaction_toggle(actor=actor, comment=comment, emoji="👍")
    return comment


def _soon(w):
    return company_today(w.org) + datetime.timedelta(days=7)


def _asked_of_manager(w, **fields):
    """Mia's objective needs something of Max (Marketing's manager, who may not edit it)."""
    return Dependency.objects.create(
        org=w.org,
        objective=w.objective,
        requested_by=w.member,
        from_person=w.manager,
        what="Numbers",
        needed_by=_soon(w),
        **fields,
    )


DEP = dependency_services
CASES += [
    # --- dependencies -------------------------------------------------------------------
    Case(
        "dependencies.dependency_request",
        lambda w, a: DEP.dependency_request(
            actor=a, objective=w.objective, what="Data", needed_by=_soon(w), from_person=w.manager
        ),
        "stranger",
        "member",
        "dependency.request",
    ),
    Case(
        "dependencies.dependency_acknowledge",
        lambda w, a: DEP.dependency_acknowledge(actor=a, dependency=w.dependency),
        "member",
        "manager",
        "dependency.acknowledge",
    ),
    Case(
        "dependencies.dependency_decline",
        lambda w, a: DEP.dependency_decline(actor=a, dependency=w.dependency, answer="No"),
        "stranger",
        "admin",
        "dependency.decline",
    ),
    Case(
        "dependencies.dependency_propose_date",
        lambda w, a: DEP.dependency_propose_date(
            actor=a, dependency=w.dependency, proposed_date=_soon(w) + datetime.timedelta(days=1)
        ),
        "member",
        "manager",
        "dependency.propose_date",
    ),
    Case(
        "dependencies.dependency_accept_date",
        lambda w, a: DEP.dependency_accept_date(actor=a, dependency=w.proposed),
        "manager",
        "member",
        "dependency.accept_date",
    ),
    Case(
        "dependencies.dependency_mark_done",
        lambda w, a: DEP.dependency_mark_done(actor=a, dependency=w.dependency),
        "stranger",
        "member",
        "dependency.done",
    ),
    Case(
        "dependencies.dependency_withdraw",
        lambda w, a: _gone(
            w.dependency, lambda: DEP.dependency_withdraw(actor=a, dependency=w.dependency)
        ),
        "stranger",
        "member",
        "dependency.withdraw",
    ),
]


CASES += [
    # --- API tokens: only their own person revokes them, not even an admin -------------------
    Case(
        "api.api_token_revoke",
        lambda w, a: api_services.api_token_revoke(token=w.token, actor=a),
        "admin",
        "member",
        "api_token.revoke",
    ),
]

MODULES = {
    "api": api_services,
    "objectives": objective_services,
    "alignment": alignment_services,
    "checkins": checkin_services,
    "organizations": org_services,
    "config": config_services,
    "closing": closing_services,
    "conversations": conversation_services,
    "dependencies": dependency_services,
}


@pytest.fixture
def world(org, period, team, admin_membership, manager_membership, member_membership):
    w = World(org, period, team, admin_membership, manager_membership, member_membership)
    w.gone = MembershipFactory(org=org, is_active=False)
    w.token, _ = api_services.api_token_create(
        actor=w.member, name="Script", access="read", expires_in_days=30
    )
    w.invitation = InvitationFactory(org=org)
    w.schedule = ReminderScheduleFactory(org=org)
    w.theme = StrategicThemeFactory(org=org)
    w.empty_team = TeamFactory(org=org, name="Empty")
    w.later = PeriodFactory(
        org=org,
        name="Later",
        start=datetime.date(2033, 1, 1),
        end=datetime.date(2033, 3, 31),
        kind=period.kind,
    )
    w.comment = _comment_by(w, member_membership)  # for the conversation's services
    w.request_made = _pending_request(w)  # for answering and withdrawing alignment requests
    _weighed_child(w)  # for setting a contribution weight
    w.support = AL.also_supports_add(  # for removing an "also supports" link
        objective=w.objective, supported=_admins_objective(w), actor=None
    )
    w.dependency = _asked_of_manager(w)  # for the dependencies' services
    w.proposed = _asked_of_manager(
        w, status=Dependency.Status.PROPOSED, proposed_date=_soon(w) + datetime.timedelta(days=3)
    )
    _granted(w)  # for objective_unshare
    _contributor(w)  # for key_result_remove_contributor
    return w


@pytest.mark.parametrize("case", CASES, ids=[c.service for c in CASES])
def test_a_write_service_refuses_who_lacks_the_right_and_records_who_has_it(world, case):
    before = AuditEntry.objects.count()
    with pytest.raises(case.refused):
        case.call(world, getattr(world, case.lacks))
    assert AuditEntry.objects.count() == before, "a refused write leaves no entry"

    actor = getattr(world, case.holds)
    target = case.call(world, actor)
    entries = list(AuditEntry.objects.order_by("id")[before:])
    assert len(entries) == 1, [e.action for e in entries]
    entry = entries[0]
    assert (entry.actor_id, entry.action, entry.org_id) == (actor.pk, case.action, world.org.pk)
    assert entry.target_type == target._meta.label_lower
    assert entry.target_id == target.pk


def test_the_table_covers_every_service_that_takes_an_actor():
    found = set()
    for prefix, module in MODULES.items():
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if function.__module__ != module.__name__ or name.startswith("_"):
                continue
            params = inspect.signature(function).parameters
            if {"actor", "author", "creator", "user"} & set(params) or name in {
                "schedules_ensure_defaults"
            }:
                found.add(f"{prefix}.{name}")
    covered = {case.service for case in CASES}
    assert found - NOT_ROLE_CHECKED - covered == set()
    assert covered <= found


def test_a_refused_write_changes_nothing(world):
    with pytest.raises(PermissionDenied):
        org_services.membership_set_role(
            membership=world.stranger, actor=world.manager, role="admin"
        )
    world.stranger.refresh_from_db()
    assert world.stranger.role == Membership.Role.MEMBER
    with pytest.raises(PermissionDenied):
        objective_services.objective_update(
            objective=world.objective, actor=world.stranger, title="Hijacked"
        )
    assert Objective.objects.get(pk=world.objective.pk).title == "Mine"


def test_an_update_records_the_fields_before_and_after(world):
    objective_services.objective_update(objective=world.objective, actor=world.member, title="New")
    entry = AuditEntry.objects.get(action="objective.update")
    assert entry.changes == {"title": ["Mine", "New"]}
    org_services.membership_set_role(membership=world.stranger, actor=world.admin, role="manager")
    assert AuditEntry.objects.get(action="membership.set_role").changes == {
        "role": ["member", "manager"]
    }


def test_moving_an_objective_to_a_team_one_does_not_manage_is_refused(world):
    other_team = TeamFactory(org=world.org, name="Sales")
    mine = ObjectiveFactory(
        org=world.org, period=world.period, level="team", team=world.team, owner=None
    )
    with pytest.raises(PermissionDenied):
        objective_services.objective_update(objective=mine, actor=world.manager, team=other_team)
    TeamMembershipFactory(team=other_team, membership=world.manager, is_manager=True)
    world.manager._permission_facts = world.manager._managed_team_ids = None
    del world.manager._permission_facts, world.manager._managed_team_ids
    objective_services.objective_update(objective=mine, actor=world.manager, team=other_team)
    assert Objective.objects.get(pk=mine.pk).team_id == other_team.pk
