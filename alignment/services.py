"""The alignment service: the only code that writes ``Objective.parent``.

``objective_align`` aligns, re-aligns and unlinks, enforces every rule of ``alignment.rules``
plus visibility, edit rights and "no cycles", and records the change in the audit trail
(``audit.record``: "objective.align", "objective.realign" or "objective.unlink", with the
parent before and after).

Concurrency: two re-alignments that are each fine alone can close a cycle together
(A under B while B goes under A). On PostgreSQL every alignment change of a company takes a
transaction-level advisory lock for that company first, so the cycle check and the write of
one change happen before the next change reads the chain. (SQLite serialises writers anyway.)
"""

from collections.abc import Callable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from audit.services import record
from objectives.models import Objective
from objectives.permissions import (
    can_edit_objective,
    can_triage_objective,
    can_view_objective,
    ensure_period_open,
)
from objectives.rollups import lock_okr_writes, refresh_rollups
from organizations.models import Membership, Team, note_data_change

from . import rules
from .chain import ancestor_ids
from .models import DuplicateDismissal

# Test seam: called between the checks and the write, to widen a race window in tests.
_before_write: Callable[[], None] | None = None

MSG_CANNOT_EDIT = "You may not change the alignment of this objective."


def _lock_company_alignments(org_id: int) -> None:
    # The company's OKR write lock: alignment changes also move stored progress.
    lock_okr_writes(org_id)


def team_parent_map(org_id: int) -> dict[int, int | None]:
    return dict(Team.objects.filter(org_id=org_id).values_list("id", "parent_id"))


@transaction.atomic
def objective_align(
    *, objective: Objective, parent: Objective | None, actor: Membership | None
) -> Objective:
    """Align ``objective`` to ``parent`` (``None`` unlinks) on behalf of ``actor``.

    ``actor=None`` is the system (demo seeding, imports): rules apply, permissions do not.
    Raises ``ValidationError`` with a message fit for the person when the link is refused.
    """
    if parent is not None and parent.org_id != objective.org_id:
        raise ValidationError(rules.MSG_OTHER_COMPANY, code="alignment")
    if actor is not None and actor.org_id != objective.org_id:
        raise ValidationError(MSG_CANNOT_EDIT, code="permission")

    _lock_company_alignments(objective.org_id)
    child = (
        Objective.objects.select_for_update(no_key=True, of=("self",))
        .select_related("period", "team")
        .get(pk=objective.pk)
    )
    ensure_period_open(actor, child.period)  # a closed period's links are read-only
    if actor is not None and not can_edit_objective(actor, child):
        raise ValidationError(MSG_CANNOT_EDIT, code="permission")

    if parent is not None:
        parent = Objective.objects.select_related("period", "team").get(pk=parent.pk)
        if actor is not None and not can_view_objective(actor, parent):
            raise ValidationError(rules.MSG_NOT_VISIBLE, code="alignment")

    new_parent_id = parent.pk if parent is not None else None
    if new_parent_id == child.parent_id:
        objective.parent = parent
        return child

    if parent is not None:
        rules.check_alignment(child, parent, team_parents=team_parent_map(child.org_id))
        # Read under the company lock: no other alignment change can interleave.
        if child.pk in ancestor_ids(parent.pk, child.org_id):
            raise ValidationError(
                rules.MSG_CYCLE.format(parent=parent.title), code="alignment_cycle"
            )

    if _before_write is not None:
        _before_write()

    from_parent_id = child.parent_id
    child.parent = parent
    # "Aligns to" is on the objective's edit form: a form opened before this is stale now.
    child.version += 1  # the row is locked above
    child.save(update_fields=["parent", "version", "updated_at"])
    # Both chains' aligned progress change: the one it left and the one it joined.
    refresh_rollups([from_parent_id, child.pk], org_id=child.org_id)
    if parent is None:
        action = "objective.unlink"
    else:
        action = "objective.realign" if from_parent_id else "objective.align"
    record(actor, action, child, {"parent": [from_parent_id, new_parent_id]})
    objective.parent = parent
    objective.updated_at = child.updated_at
    return child


MSG_NOT_YOURS_TO_TRIAGE = (
    "Only an admin or a manager of one of these objectives' teams may do that."
)
MSG_NOT_A_PAIR = "These two objectives are not listed as look-alikes."


@transaction.atomic
def duplicate_dismiss(
    *, first: Objective, second: Objective, actor: Membership
) -> DuplicateDismissal:
    """Remember, for the company, that two look-alike objectives are not duplicated work:
    dashboards stop listing and counting the pair. Dismissing it twice is harmless."""
    if first.org_id != second.org_id or actor.org_id != first.org_id:
        raise ValidationError(rules.MSG_OTHER_COMPANY, code="alignment")
    if first.pk == second.pk:
        raise ValidationError(MSG_NOT_A_PAIR, code="pair")
    if not (can_triage_objective(actor, first) or can_triage_objective(actor, second)):
        raise PermissionDenied(MSG_NOT_YOURS_TO_TRIAGE)
    a, b = sorted((first, second), key=lambda o: o.pk)
    dismissal, created = DuplicateDismissal.objects.get_or_create(
        org_id=a.org_id, objective_a=a, objective_b=b, defaults={"dismissed_by": actor}
    )
    if created:
        record(actor, "objective.dismiss_duplicate", a, {"not_duplicate_of": [None, b.pk]})
        note_data_change(a.org_id)  # the dashboards' stored figures no longer hold
    return dismissal
