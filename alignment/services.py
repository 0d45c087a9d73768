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
from django.utils import timezone

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


# --- alignment requests (when the company asks first) ---------------------------------------

MSG_REQUEST_INVISIBLE = (
    "Its owner cannot see this objective, so they could not answer: make it visible to them "
    "first, or ask them in person."
)
MSG_NOT_YOUR_PARENT = "Only the owner of the objective asked (or an admin) may answer."
MSG_NOT_PENDING = "This request has been answered already."


def needs_request(actor: Membership | None, parent: Objective | None) -> bool:
    """Whether aligning to ``parent`` must ask its owner first: the company asks first, and
    ``actor`` may not change ``parent`` themselves (it is not theirs, their team's, an admin's)."""
    if actor is None or parent is None or not actor.org.alignment_requests:
        return False
    return not can_edit_objective(actor, parent)


@transaction.atomic
def alignment_request(*, objective: Objective, parent: Objective, actor: Membership):
    """Ask the owner of ``parent`` to accept ``objective`` aligning to it. The same rules as a
    link apply now (period, levels, no cycle), so an accepted request always links."""
    from notifications.services import notify_alignment_request

    from .models import AlignmentRequest

    if parent.org_id != objective.org_id or actor.org_id != objective.org_id:
        raise ValidationError(rules.MSG_OTHER_COMPANY, code="alignment")
    _lock_company_alignments(objective.org_id)
    child = Objective.objects.select_related("period", "team").get(pk=objective.pk)
    ensure_period_open(actor, child.period)
    if not can_edit_objective(actor, child):
        raise ValidationError(MSG_CANNOT_EDIT, code="permission")
    parent = Objective.objects.select_related("period", "team", "owner").get(pk=parent.pk)
    if not can_view_objective(actor, parent):
        raise ValidationError(rules.MSG_NOT_VISIBLE, code="alignment")
    rules.check_alignment(child, parent, team_parents=team_parent_map(child.org_id))
    if child.pk in ancestor_ids(parent.pk, child.org_id):
        raise ValidationError(rules.MSG_CYCLE.format(parent=parent.title), code="alignment_cycle")
    if parent.owner is None or not can_view_objective(parent.owner, child):
        raise ValidationError(MSG_REQUEST_INVISIBLE, code="alignment")
    # A new request replaces the one waiting (one pending request per objective).
    AlignmentRequest.objects.filter(child=child, status=AlignmentRequest.Status.PENDING).update(
        status=AlignmentRequest.Status.WITHDRAWN
    )
    request = AlignmentRequest.objects.create(
        org_id=child.org_id, child=child, parent=parent, requested_by=actor
    )
    record(actor, "alignment.request", child, {"parent": [child.parent_id, parent.pk]})
    notify_alignment_request(request)
    return request


def may_answer(actor: Membership, request) -> bool:
    return can_edit_objective(actor, request.parent)


@transaction.atomic
def alignment_request_answer(*, request, actor: Membership, accept: bool, comment: str = ""):
    """The parent's owner (or whoever may change it) accepts, which links the objectives as
    if its owner had, or declines, with an optional comment; the requester is told."""
    from notifications.services import notify_alignment_answer

    from .models import AlignmentRequest

    request = (
        AlignmentRequest.objects.select_for_update(of=("self",))
        .select_related("child__period", "parent__period", "requested_by")
        .get(pk=request.pk, org_id=actor.org_id)
    )
    if not may_answer(actor, request):
        raise PermissionDenied(MSG_NOT_YOUR_PARENT)
    if request.status != AlignmentRequest.Status.PENDING:
        raise ValidationError(MSG_NOT_PENDING, code="answered")
    ensure_period_open(actor, request.child.period)
    if accept:
        # Linked by the rules alone (the system): the owner of the parent may not edit the
        # child, and need not; the audit entry below says who accepted.
        objective_align(objective=request.child, parent=request.parent, actor=None)
    request.status = (
        AlignmentRequest.Status.ACCEPTED if accept else AlignmentRequest.Status.DECLINED
    )
    request.comment = (comment or "").strip()[:500]
    request.answered_by = actor
    request.answered_at = timezone.now()
    request.save(update_fields=["status", "comment", "answered_by", "answered_at"])
    record(
        actor,
        "alignment.request_accept" if accept else "alignment.request_decline",
        request.child,
        {"parent": [None, request.parent_id], "comment": [None, request.comment or None]},
    )
    notify_alignment_answer(request)
    return request


@transaction.atomic
def alignment_request_withdraw(*, request, actor: Membership):
    """The requester (or whoever may edit the child) takes a waiting request back."""
    from .models import AlignmentRequest

    if not can_edit_objective(actor, request.child):
        raise PermissionDenied(MSG_CANNOT_EDIT)
    updated = AlignmentRequest.objects.filter(
        pk=request.pk, status=AlignmentRequest.Status.PENDING
    ).update(status=AlignmentRequest.Status.WITHDRAWN)
    if not updated:
        raise ValidationError(MSG_NOT_PENDING, code="answered")
    changes = {"parent": [request.parent_id, None]}
    record(actor, "alignment.request_withdraw", request.child, changes)
    return request


def align_or_request(*, objective: Objective, parent: Objective | None, actor: Membership):
    """What the pages call: link at once, or, when the company asks first and ``parent`` is
    not ``actor``'s to change, ask its owner. Returns the request made, or ``None`` when
    linked (or unlinked)."""
    if needs_request(actor, parent):
        return alignment_request(objective=objective, parent=parent, actor=actor)
    objective_align(objective=objective, parent=parent, actor=actor)
    return None
