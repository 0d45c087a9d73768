"""Who may do what with comments. Seeing one is seeing its objective
(``objectives.access``); these answer only what someone who sees it may change."""

from objectives.permissions import can_view_objective


def can_comment(membership, objective) -> bool:
    """Whoever may see an objective may talk about it (also in a closed period)."""
    return membership.is_active and can_view_objective(membership, objective)


def can_edit_comment(membership, comment) -> bool:
    return membership.is_active and comment.author_id == membership.pk


def can_remove_comment(membership, comment) -> bool:
    return membership.is_active and (comment.author_id == membership.pk or membership.is_admin)
