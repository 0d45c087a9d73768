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
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from audit.services import changes_between, record
from objectives.models import KeyResult, Objective
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


CENTS = Decimal("0.01")


class _Keep:
    """``objective_align(key_result=KEEP)``: keep the key result it serves when the parent
    stays the same (the objective form names only the parent objective)."""

    def __repr__(self):
        return "KEEP"


KEEP = _Keep()


def _load_parent_key_result(parent: Objective, key_result) -> KeyResult | None:
    """The key result, reloaded, when it is one of ``parent``'s (else refused)."""
    if key_result is None:
        return None
    if key_result.objective_id != parent.pk or key_result.org_id != parent.org_id:
        raise ValidationError(rules.MSG_KR_NOT_OF_PARENT, code="alignment")
    return KeyResult.objects.get(pk=key_result.pk, org_id=parent.org_id)


def _link_state(objective: Objective) -> dict:
    return {
        "parent": objective.parent_id,
        "parent_key_result": objective.parent_key_result_id,
        "contribution_weight": str(Decimal(objective.contribution_weight).quantize(CENTS)),
    }


@transaction.atomic
def objective_align(
    *,
    objective: Objective,
    parent: Objective | None,
    actor: Membership | None,
    key_result: KeyResult | None | _Keep = KEEP,
) -> Objective:
    """Align ``objective`` to ``parent`` (``None`` unlinks) on behalf of ``actor``; with
    ``key_result`` (one of ``parent``'s), it contributes to that key result.

    ``actor=None`` is the system (demo seeding, imports): rules apply, permissions do not.
    Raises ``ValidationError`` with a message fit for the person when the link is refused.
    A new parent starts at weight 1: the weight is the parent's owner's to choose.
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
    if isinstance(key_result, _Keep):
        same_parent = new_parent_id is not None and new_parent_id == child.parent_id
        key_result = child.parent_key_result if same_parent else None
    if parent is None:
        key_result = None
    key_result = _load_parent_key_result(parent, key_result) if parent is not None else None
    new_kr_id = key_result.pk if key_result is not None else None
    if (new_parent_id, new_kr_id) == (child.parent_id, child.parent_key_result_id):
        objective.parent = parent
        return child

    if parent is not None:
        rules.check_alignment(child, parent, team_parents=team_parent_map(child.org_id))
        # Read under the company lock: no other alignment change can interleave. A key
        # result's chain is its objective's, so a cycle through a key result is found too.
        if child.pk in ancestor_ids(parent.pk, child.org_id):
            title = key_result.title if key_result is not None else parent.title
            raise ValidationError(rules.MSG_CYCLE.format(parent=title), code="alignment_cycle")

    if _before_write is not None:
        _before_write()

    before = _link_state(child)
    from_parent_id = child.parent_id
    child.parent = parent
    child.parent_key_result = key_result
    if new_parent_id != from_parent_id:
        child.contribution_weight = Decimal(1)
    # "Aligns to" is on the objective's edit form: a form opened before this is stale now.
    child.version += 1  # the row is locked above
    child.save(
        update_fields=[
            "parent", "parent_key_result", "contribution_weight", "version", "updated_at",
        ]
    )  # fmt: skip
    # Both chains' aligned progress change: the one it left and the one it joined.
    refresh_rollups([from_parent_id, child.pk], org_id=child.org_id)
    if parent is None:
        action = "objective.unlink"
    else:
        action = "objective.realign" if from_parent_id else "objective.align"
    record(actor, action, child, changes_between(before, _link_state(child)))
    objective.parent = parent
    objective.parent_key_result = key_result
    objective.contribution_weight = child.contribution_weight
    objective.updated_at = child.updated_at
    return child


# --- weights, how a key result is measured, "also supports" ----------------------------------

MSG_WEIGHT_NOT_YOURS = (
    "Only whoever may change the objective it contributes to sets how much it weighs there."
)
MSG_WEIGHT_RANGE = "Enter a weight between 0.01 and 100 (1 counts like one key result)."
MSG_NOT_ALIGNED = "This objective does not contribute to anything: align it first."
MSG_MEASURE_NOT_YOURS = "Only whoever may change this key result chooses how it is measured."
MSG_MILESTONE_MEASURE = (
    "A milestone is done or not done: it cannot be measured from contributing objectives."
)
MAX_WEIGHT = Decimal(100)


def parse_weight(raw) -> Decimal:
    """A contribution weight typed by a person, or ``ValidationError`` saying what is wanted."""
    try:
        weight = Decimal(str(raw).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        raise ValidationError({"weight": MSG_WEIGHT_RANGE}) from None
    if not weight.is_finite() or not Decimal("0.01") <= weight <= MAX_WEIGHT:
        raise ValidationError({"weight": MSG_WEIGHT_RANGE})
    return weight.quantize(CENTS)


def may_weigh(actor: Membership, child: Objective) -> bool:
    """The weight belongs to the parent's owner (whoever may change the parent objective or
    key result), never to the child's: a right is not raised by its holder."""
    return child.parent is not None and can_edit_objective(actor, child.parent)


@transaction.atomic
def contribution_weight_set(*, objective: Objective, weight, actor: Membership) -> Objective:
    """How much ``objective`` weighs among what contributes to its parent (objective or key
    result): the weighted means of the roll-ups use it."""
    weight = parse_weight(weight)
    if actor.org_id != objective.org_id:
        raise PermissionDenied(MSG_WEIGHT_NOT_YOURS)
    _lock_company_alignments(objective.org_id)
    child = (
        Objective.objects.select_for_update(no_key=True, of=("self",))
        .select_related("parent__period", "parent__team")
        .get(pk=objective.pk, org_id=objective.org_id)
    )
    if child.parent is None:
        raise ValidationError({"weight": MSG_NOT_ALIGNED})
    ensure_period_open(actor, child.parent.period)
    if not may_weigh(actor, child):
        raise PermissionDenied(MSG_WEIGHT_NOT_YOURS)
    if child.contribution_weight == weight:
        return child
    before = str(child.contribution_weight)
    child.contribution_weight = weight
    child.save(update_fields=["contribution_weight", "updated_at"])
    refresh_rollups([child.pk], org_id=child.org_id)
    record(actor, "objective.weight", child, {"contribution_weight": [before, str(weight)]})
    objective.contribution_weight = weight
    return child


@transaction.atomic
def key_result_measure(*, kr: KeyResult, measured_by: str, actor: Membership) -> KeyResult:
    """The key result's owner chooses: its own check-ins move it, or its contributing
    objectives do (then the roll-ups write its value and check-ins are refused)."""
    if measured_by not in KeyResult.MeasuredBy.values:
        raise ValidationError({"measured_by": "Choose how this key result is measured."})
    if actor.org_id != kr.org_id:
        raise PermissionDenied(MSG_MEASURE_NOT_YOURS)
    _lock_company_alignments(kr.org_id)
    locked = (
        KeyResult.objects.select_for_update(of=("self",))
        .select_related("objective__period")
        .get(pk=kr.pk, org_id=kr.org_id)
    )
    ensure_period_open(actor, locked.objective.period)
    if not can_edit_objective(actor, locked.objective):
        raise PermissionDenied(MSG_MEASURE_NOT_YOURS)
    if measured_by == KeyResult.MeasuredBy.CONTRIBUTORS and locked.kind == KeyResult.Kind.MILESTONE:
        raise ValidationError({"measured_by": MSG_MILESTONE_MEASURE})
    if locked.measured_by == measured_by:
        return locked
    before = locked.measured_by
    locked.measured_by = measured_by
    locked.save(update_fields=["measured_by", "updated_at"])
    refresh_rollups([locked.objective_id], org_id=locked.org_id)
    record(actor, "key_result.measure", locked, {"measured_by": [before, measured_by]})
    locked.refresh_from_db(fields=["current_value"])
    kr.measured_by, kr.current_value = locked.measured_by, locked.current_value
    return locked


MSG_SUPPORTS_SELF = "An objective cannot also support itself."
MSG_SUPPORTS_PARENT = "It already contributes to that objective: no need to say it twice."
MSG_SUPPORTS_TWICE = "It already says it also supports that objective."
MSG_SUPPORTS_NOT_YOURS = "You may not change what this objective supports."


@transaction.atomic
def also_supports_add(*, objective: Objective, supported: Objective, actor: Membership | None):
    """Say ``objective`` also supports ``supported`` (display only: counted nowhere). The
    same rules as aligning apply (period, levels), so it names something it could serve."""
    from .models import AlsoSupports

    if supported.org_id != objective.org_id or (actor and actor.org_id != objective.org_id):
        raise ValidationError(rules.MSG_OTHER_COMPANY, code="alignment")
    _lock_company_alignments(objective.org_id)
    child = Objective.objects.select_related("period", "team").get(pk=objective.pk)
    ensure_period_open(actor, child.period)
    if actor is not None and not can_edit_objective(actor, child):
        raise PermissionDenied(MSG_SUPPORTS_NOT_YOURS)
    target = Objective.objects.select_related("period", "team").get(pk=supported.pk)
    if actor is not None and not can_view_objective(actor, target):
        raise ValidationError(rules.MSG_NOT_VISIBLE, code="alignment")
    if target.pk == child.pk:
        raise ValidationError(MSG_SUPPORTS_SELF, code="alignment")
    if target.pk == child.parent_id:
        raise ValidationError(MSG_SUPPORTS_PARENT, code="alignment")
    rules.check_alignment(child, target, team_parents=team_parent_map(child.org_id))
    link, created = AlsoSupports.objects.get_or_create(
        org_id=child.org_id, objective=child, supported=target, defaults={"created_by": actor}
    )
    if not created:
        raise ValidationError(MSG_SUPPORTS_TWICE, code="alignment")
    record(actor, "objective.also_supports", child, {"also_supports": [None, target.pk]})
    return link


def may_remove_support(actor: Membership, link) -> bool:
    """Whoever may change either end takes the link away (a team may refuse to be named)."""
    return can_edit_objective(actor, link.objective) or can_edit_objective(actor, link.supported)


@transaction.atomic
def also_supports_remove(*, link, actor: Membership) -> None:
    from .models import AlsoSupports

    _lock_company_alignments(link.org_id)
    link = (
        AlsoSupports.objects.select_related("objective__period", "supported__period")
        .filter(pk=link.pk, org_id=actor.org_id)
        .first()
    )
    if link is None:
        return  # removed already
    ensure_period_open(actor, link.objective.period)
    if not may_remove_support(actor, link):
        raise PermissionDenied(MSG_SUPPORTS_NOT_YOURS)
    supported_id = link.supported_id
    link.delete()
    changes = {"also_supports": [supported_id, None]}
    record(actor, "objective.also_supports_remove", link.objective, changes)


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
def alignment_request(
    *,
    objective: Objective,
    parent: Objective,
    actor: Membership,
    key_result: KeyResult | None = None,
):
    """Ask the owner of ``parent`` to accept ``objective`` aligning to it (to its key result
    ``key_result``, when given). The same rules as a link apply now (period, levels, no
    cycle), so an accepted request always links."""
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
    key_result = _load_parent_key_result(parent, key_result)
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
        org_id=child.org_id,
        child=child,
        parent=parent,
        parent_key_result=key_result,
        requested_by=actor,
    )
    changes = {"parent": [child.parent_id, parent.pk]}
    if key_result is not None:
        changes["parent_key_result"] = [child.parent_key_result_id, key_result.pk]
    record(actor, "alignment.request", child, changes)
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
        objective_align(
            objective=request.child,
            parent=request.parent,
            key_result=request.parent_key_result,
            actor=None,
        )
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


def align_or_request(
    *,
    objective: Objective,
    parent: Objective | None,
    actor: Membership,
    key_result: KeyResult | None | _Keep = KEEP,
):
    """What the pages call: link at once, or, when the company asks first and ``parent`` is
    not ``actor``'s to change, ask its owner. Returns the request made, or ``None`` when
    linked (or unlinked). ``key_result``: one of ``parent``'s, to contribute to it."""
    if needs_request(actor, parent):
        asked_kr = None if isinstance(key_result, _Keep) else key_result
        return alignment_request(
            objective=objective, parent=parent, actor=actor, key_result=asked_kr
        )
    objective_align(objective=objective, parent=parent, actor=actor, key_result=key_result)
    return None
