"""Who may do what with a dependency. Seeing one is seeing its objective
(``objectives.access``); these answer only what someone who sees it may change."""

from objectives.permissions import (
    can_view_objective,
    managed_team_ids,
    period_open_for,
    would_edit_if_open,
)


def may_declare(membership, objective) -> bool:
    """Whoever may edit an objective says what it needs from others (closed periods aside)."""
    return membership.is_active and would_edit_if_open(membership, objective)


def is_asked(membership, dependency) -> bool:
    """The person asked, or a manager of the team asked (or of a team above it)."""
    if dependency.from_person_id is not None:
        return dependency.from_person_id == membership.pk
    return dependency.from_team_id in managed_team_ids(membership)


def may_answer(membership, dependency) -> bool:
    """The asked side and admins acknowledge, decline or propose another date."""
    return (
        membership.is_active
        and can_view_objective(membership, dependency.objective)
        and (membership.is_admin or is_asked(membership, dependency))
    )


def may_change_request(membership, dependency) -> bool:
    """The requesting side (whoever may edit the objective) accepts a proposed date,
    withdraws the request or marks it delivered."""
    return may_declare(membership, dependency.objective)


def may_mark_done(membership, dependency) -> bool:
    """Either side says it was delivered."""
    return may_change_request(membership, dependency) or may_answer(membership, dependency)


def open_for(membership, dependency) -> bool:
    """A closed period's dependencies are read-only for everyone but admins."""
    return period_open_for(membership, dependency.objective.period)
