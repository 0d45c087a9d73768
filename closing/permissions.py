"""Who may grade, close and carry over: the checks ``closing.services`` makes and pages ask.

Grading opens when an admin starts closing the period and stays open until it closes. The
objective's owner, its co-owners and whoever may edit it (its team's managers, admins)
grade it. Once the period is closed grades, outcomes and reflections are locked for everyone
but admins, like every other OKR of a closed period (``objectives.permissions``).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError

from objectives.permissions import (
    can_create_objective,
    manages_people_or_team,
    would_edit_if_open,
)
from organizations.permissions import can_administer

OPEN, CLOSING, CLOSED = "open", "closing", "closed"

MSG_NOT_CLOSING = "Grading opens when an admin starts closing “%(period)s”."
MSG_CLOSED = "“%(period)s” is closed: its grades are read-only. Ask an admin."
MSG_CANNOT_GRADE = "Only the objective's owners (and admins) grade it."
MSG_CANNOT_NUDGE = "Only an admin or a manager of this objective's team or owner may nudge."
MSG_CANNOT_CARRY = (
    "Only someone who may edit this objective and write one in “%(period)s” may carry it over."
)


def period_state(period) -> str:
    """``open``, ``closing`` or ``closed``. Reads ``period.closing`` (select it with the
    period: ``select_related("closing")``) only when the period is not closed."""
    if period.is_closed:
        return CLOSED
    try:
        period.closing  # noqa: B018 (the reverse one-to-one: a row or DoesNotExist)
    except period._meta.get_field("closing").related_model.DoesNotExist:
        return OPEN
    return CLOSING


def is_objective_owner(membership, objective) -> bool:
    """The owner, a co-owner, or anyone with the edit right (team managers, admins)."""
    if objective.org_id != membership.org_id:
        return False
    return objective.owner_id == membership.pk or would_edit_if_open(membership, objective)


def grading_refusal(membership, objective) -> str | None:
    """Why ``membership`` may not grade ``objective`` now (``None``: they may)."""
    state = period_state(objective.period)
    if not is_objective_owner(membership, objective):
        return MSG_CANNOT_GRADE
    if state == OPEN:
        return MSG_NOT_CLOSING % {"period": objective.period.name}
    if state == CLOSED and not membership.is_admin:
        return MSG_CLOSED % {"period": objective.period.name}
    return None


def can_grade(membership, objective) -> bool:
    return grading_refusal(membership, objective) is None


def ensure_may_grade(actor, objective) -> None:
    """``PermissionDenied`` for someone who does not own the objective; ``ValidationError``
    (said on the page) while grading is not open."""
    if not is_objective_owner(actor, objective):
        raise PermissionDenied(MSG_CANNOT_GRADE)
    refusal = grading_refusal(actor, objective)
    if refusal:
        raise ValidationError(refusal, code="grading_closed")


def can_nudge_grader(membership, objective) -> bool:
    """Admins and the managers of the objective's team or its owner's teams."""
    if objective.org_id != membership.org_id:
        return False
    if membership.is_admin:
        return True
    return manages_people_or_team(
        membership, team_id=objective.team_id, people=[objective.owner_id]
    )


def ensure_may_nudge_grader(actor, objective) -> None:
    if not can_nudge_grader(actor, objective):
        raise PermissionDenied(MSG_CANNOT_NUDGE)


def can_see_grading_progress(membership) -> bool:
    """Admins, and managers (each sees the teams they manage)."""
    from objectives.permissions import managed_team_ids

    return can_administer(membership, membership.org_id) or bool(managed_team_ids(membership))


def can_carry_over(membership, objective, into_period) -> bool:
    return is_objective_owner(membership, objective) and can_create_objective(
        membership, level=objective.level, team=objective.team, owner=objective.owner
    )


def ensure_may_carry_over(actor, objective, into_period) -> None:
    if not can_carry_over(actor, objective, into_period):
        raise PermissionDenied(MSG_CANNOT_CARRY % {"period": into_period.name})
