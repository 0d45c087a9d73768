"""Writes for objectives and key results. Views call these; nothing else writes OKRs.

(``Objective.parent`` is the exception: only ``alignment.services.objective_align`` writes it.)

Each write takes the company's OKR write lock first and refreshes the stored progress of
what it touched (``objectives.rollups``). Each refuses a closed period's OKRs to everyone but
admins (``permissions.ensure_period_open``), and grants go through
``permissions.ensure_may_grant``: nobody gives a right they do not hold, nor to themselves.
Every other write checks its actor too (``ensure_may_create``, ``ensure_may_edit``,
``ensure_may_checkin``: ``PermissionDenied``, 403), so no caller can skip a view's check, and
every write is recorded (``audit.record``). ``actor=None`` is the system (seeding, imports).
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Model
from django.utils import timezone
from guardian.shortcuts import assign_perm, remove_perm

from audit.services import changes_between, record, snapshot, stored
from organizations.models import Membership, TeamMembership
from organizations.permissions import ensure_admin
from organizations.services import ensure_not_last_admin

from .models import (
    KeyResult,
    KeyResultUserObjectPermission,
    Objective,
    ObjectiveUserObjectPermission,
    ReviewStep,
)
from .permissions import (
    Grant,
    ensure_may_checkin,
    ensure_may_create,
    ensure_may_edit,
    ensure_may_grant,
    ensure_may_review,
    ensure_period_open,
    review_applies,
)
from .rollups import lock_okr_writes, refresh_rollups

OBJECTIVE_FIELDS = (
    "period",
    "level",
    "team",
    "owner",
    "title",
    "description",
    "theme",
    "visibility",
    "status",
    "commitment",
)
KR_FIELDS = (
    "title",
    "owner",
    "kind",
    "unit",
    "currency_code",
    "start_value",
    "target_value",
    "current_value",
    "weight",
    "confidence",
)
# Check-ins are the only writers of a key result's value and confidence once it exists
# (checkins.services); an edit form, possibly opened before the latest check-in, never is.
KR_CHECKIN_FIELDS = ("current_value", "confidence")
KR_EDIT_FIELDS = tuple(name for name in KR_FIELDS if name not in KR_CHECKIN_FIELDS)


class EditConflict(Exception):
    """The object was saved by someone else after the form was opened; nothing was written.
    ``current`` is the stored object, to show the person what changed."""

    def __init__(self, current: Model):
        super().__init__("Saved by someone else since this form was opened.")
        self.current = current


def _save_if_unchanged(instance: Model, names, *, before: dict, expected_version) -> None:
    """Write the fields in ``names``, plus any that normalising changed (compared to
    ``before``), with one ``UPDATE ... WHERE version = expected_version`` that moves the
    version on; raise ``EditConflict`` when the stored version is another (the form is stale).
    ``expected_version=None`` (a caller without a form) writes whatever is stored."""
    model = type(instance)
    fields = {model._meta.get_field(name) for name in names}
    fields |= {
        field
        for field in map(model._meta.get_field, before)
        if getattr(instance, field.attname) != before[field.name]
    }
    values = {field.attname: getattr(instance, field.attname) for field in fields}
    instance.updated_at = values["updated_at"] = timezone.now()
    rows = model.objects.filter(pk=instance.pk)
    if expected_version is not None:
        rows = rows.filter(version=expected_version)
    if rows.update(**values, version=F("version") + 1) != 1:
        raise EditConflict(model.objects.get(pk=instance.pk))
    if expected_version is None:
        instance.refresh_from_db(fields=["version"])
    else:
        instance.version = expected_version + 1


def _normalise_objective(objective: Objective) -> None:
    if objective.level == Objective.Level.COMPANY:
        objective.team = None
    if objective.level == Objective.Level.INDIVIDUAL:
        objective.team = None


def _normalise_kr(kr: KeyResult) -> None:
    if kr.kind == KeyResult.Kind.MILESTONE:
        kr.start_value = Decimal(0)
        kr.target_value = Decimal(1)
        kr.current_value = Decimal(1) if (kr.current_value or 0) >= 1 else Decimal(0)
    if kr.unit != KeyResult.Unit.CURRENCY:
        kr.currency_code = ""
    else:
        kr.currency_code = (kr.currency_code or "").upper()


@transaction.atomic
def objective_create(
    *, org, actor, period, level: str, title: str, key_results: list[dict] | None = None, **fields
) -> Objective:
    """Create an objective (and optionally its first key results) in one transaction: a
    draft, seen only by who sees a private objective and counted nowhere, unless ``status``
    says otherwise (``objective_publish`` publishes a draft)."""
    unknown = set(fields) - set(OBJECTIVE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown objective fields: {sorted(unknown)}")
    ensure_may_create(actor, level=level, team=fields.get("team"), owner=fields.get("owner"))
    ensure_period_open(actor, period)
    lock_okr_writes(org.pk)
    fields.setdefault("status", Objective.Status.DRAFT)  # published by objective_publish
    objective = Objective(
        org=org, period=period, level=level, title=title, created_by=actor, **fields
    )
    if level == Objective.Level.INDIVIDUAL and objective.owner_id is None:
        objective.owner = actor
    _normalise_objective(objective)
    objective.full_clean()
    objective.save()
    record(actor, "objective.create", objective, org_id=org.pk)
    for data in key_results or []:
        key_result_create(objective=objective, actor=actor, **data)
    return objective


@transaction.atomic
def objective_update(
    *, objective: Objective, actor, expected_version: int | None = None, **fields
) -> Objective:
    """Change ``fields`` (only those: what the form changed) of an objective. With the
    ``expected_version`` its edit form was opened at, refuses (``EditConflict``) when someone
    saved it since, so a second editor never silently undoes the first."""
    unknown = set(fields) - set(OBJECTIVE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown objective fields: {sorted(unknown)}")
    ensure_may_edit(actor, objective)
    ensure_period_open(actor, objective.period)
    if "period" in fields:  # nor moved into a closed one
        ensure_period_open(actor, fields["period"])
    lock_okr_writes(objective.org_id)
    before = stored(objective, fields)
    for name, value in fields.items():
        setattr(objective, name, value)
    pre_normalise = {"team": objective.team_id}
    _normalise_objective(objective)
    if ("level" in fields or "team" in fields) and (
        (before.get("level"), before.get("team")) != (objective.level, objective.team_id)
    ):  # moving it to another level or team needs the right to create it there
        ensure_may_create(actor, level=objective.level, team=objective.team, owner=objective.owner)
    objective.full_clean()
    _save_if_unchanged(objective, fields, before=pre_normalise, expected_version=expected_version)
    record(
        actor, "objective.update", objective, changes_between(before, snapshot(objective, fields))
    )
    # Visibility and status decide whether it counts in its parent's aligned progress.
    refresh_rollups([objective.pk], org_id=objective.org_id)
    return objective


MSG_ALREADY_PUBLISHED = "“%(title)s” is already published."


def publish_blockers_for(objective: Objective) -> list[str]:
    """What stops ``objective`` from being published: the writing coach's rules the company
    made required to publish (``objectives.coach.publish_blockers``), as messages."""
    from .coach import publish_blockers  # reads the rules' table only when called

    hints = publish_blockers(objective.org, objective)
    return [getattr(hint, "message", str(hint)) for hint in hints]


MSG_AWAITING_REVIEW = "“%(title)s” is already waiting for review."
MSG_NOT_SUBMITTED = "“%(title)s” is not waiting for review."
MSG_SAY_WHAT_TO_CHANGE = "Say what should change, so its owner knows what to do."


def _set_status(objective: Objective, status: str) -> str:
    before = objective.status
    objective.status = status
    objective.updated_at = timezone.now()
    Objective.objects.filter(pk=objective.pk).update(status=status, updated_at=objective.updated_at)
    return before


@transaction.atomic
def objective_publish(*, actor, objective: Objective) -> Objective:
    """Publish a draft: from now on everyone who may see a published objective of its
    visibility sees it, and it counts in roll-ups, dashboards, reminders and feeds. Needs
    the right to edit it and an open period; refused (``ValidationError``) while a required
    publish gate is not met, or when it is already published.

    When the company asks for review (``permissions.review_applies``), publishing a team or
    individual objective submits it instead: it stays unpublished, "submitted", until a
    manager approves it (``objective_review``)."""
    ensure_may_edit(actor, objective)
    ensure_period_open(actor, objective.period)
    lock_okr_writes(objective.org_id)
    stored_status = (
        Objective.objects.filter(pk=objective.pk).values_list("status", flat=True).first()
    )
    if stored_status not in Objective.UNPUBLISHED:
        raise ValidationError(
            MSG_ALREADY_PUBLISHED % {"title": objective.title}, code="already_published"
        )
    blockers = publish_blockers_for(objective)
    if blockers:
        raise ValidationError(blockers, code="publish_gate")
    if review_applies(actor, objective, objective.org):
        if stored_status == Objective.Status.SUBMITTED:
            raise ValidationError(
                MSG_AWAITING_REVIEW % {"title": objective.title}, code="awaiting_review"
            )
        before = _set_status(objective, Objective.Status.SUBMITTED)
        ReviewStep.objects.create(
            org_id=objective.org_id,
            objective=objective,
            kind=ReviewStep.Kind.SUBMITTED,
            actor=actor,
        )
        record(actor, "objective.submit", objective, {"status": [before, objective.status]})
        return objective
    before = _set_status(objective, Objective.Status.ACTIVE)
    record(actor, "objective.publish", objective, {"status": [before, objective.status]})
    # From now on it counts in its parent's aligned progress (and the dashboards).
    refresh_rollups([objective.pk], org_id=objective.org_id)
    return objective


@transaction.atomic
def objective_review(
    *, actor, objective: Objective, approve: bool, comment: str = ""
) -> ReviewStep:
    """A manager's decision on a submitted objective: approving publishes it, asking for
    changes (with a comment saying what) makes it a draft again. The submitter is told by
    e-mail once the decision is committed."""
    ensure_period_open(actor, objective.period)
    ensure_may_review(actor, objective)
    lock_okr_writes(objective.org_id)
    if not Objective.objects.filter(pk=objective.pk, status=Objective.Status.SUBMITTED).exists():
        raise ValidationError(MSG_NOT_SUBMITTED % {"title": objective.title}, code="not_submitted")
    comment = (comment or "").strip()
    if not approve and not comment:
        raise ValidationError({"comment": MSG_SAY_WHAT_TO_CHANGE})
    step = ReviewStep(
        org_id=objective.org_id,
        objective=objective,
        kind=ReviewStep.Kind.APPROVED if approve else ReviewStep.Kind.CHANGES_REQUESTED,
        actor=actor,
        comment=comment,
    )
    step.full_clean()
    step.save()
    target = Objective.Status.ACTIVE if approve else Objective.Status.DRAFT
    before = _set_status(objective, target)
    changes = {"status": [before, target]}
    if comment:
        changes["comment"] = [None, comment]
    record(
        actor, "objective.approve" if approve else "objective.request_changes", objective, changes
    )
    if approve:
        refresh_rollups([objective.pk], org_id=objective.org_id)
    from .emails import send_review_decision

    step_id = step.pk
    transaction.on_commit(lambda: send_review_decision(step_id=step_id), robust=True)
    return step


@transaction.atomic
def objective_delete(*, objective: Objective, actor) -> None:
    """Delete an objective with its key results; objectives aligned to it become unaligned."""
    ensure_may_edit(actor, objective)
    ensure_period_open(actor, objective.period)
    lock_okr_writes(objective.org_id)
    record(actor, "objective.delete", objective)
    parent_id = objective.parent_id
    objective.delete()
    refresh_rollups([parent_id], org_id=objective.org_id)


@transaction.atomic
def objective_share(*, objective: Objective, actor, membership, co_owner: bool = False) -> None:
    """Let ``membership`` read a (private) objective, or co-own it (edit it and its KRs)."""
    ensure_may_grant(actor, objective, Grant.CO_OWNER if co_owner else Grant.READ, membership)
    assign_perm("objectives.share_objective", membership.user, objective)
    if co_owner:
        assign_perm("objectives.change_objective", membership.user, objective)
    grant = Grant.CO_OWNER if co_owner else Grant.READ
    record(actor, "objective.share", objective, {grant: [None, membership.pk]})


@transaction.atomic
def objective_unshare(*, objective: Objective, actor, membership) -> None:
    """Take back ``membership``'s access: taking back co-ownership needs the right to give it."""
    co_owner = ObjectiveUserObjectPermission.objects.filter(
        content_object=objective,
        user_id=membership.user_id,
        permission__codename="change_objective",
    ).exists()
    ensure_may_grant(actor, objective, Grant.CO_OWNER if co_owner else Grant.READ, membership)
    remove_perm("objectives.share_objective", membership.user, objective)
    remove_perm("objectives.change_objective", membership.user, objective)
    grant = Grant.CO_OWNER if co_owner else Grant.READ
    record(actor, "objective.unshare", objective, {grant: [membership.pk, None]})


@transaction.atomic
def key_result_add_contributor(*, kr: KeyResult, actor, membership) -> None:
    """Let ``membership`` check in on ``kr`` (and read its objective, to reach it)."""
    ensure_may_grant(actor, kr.objective, Grant.CONTRIBUTOR, membership)
    assign_perm("objectives.share_objective", membership.user, kr.objective)
    assign_perm("objectives.checkin_keyresult", membership.user, kr)
    record(actor, "key_result.add_contributor", kr, {"contributor": [None, membership.pk]})


@transaction.atomic
def key_result_remove_contributor(*, kr: KeyResult, actor, membership) -> None:
    """Take back ``membership``'s check-ins on ``kr`` (their read access stays, listed apart)."""
    ensure_may_grant(actor, kr.objective, Grant.CONTRIBUTOR, membership)
    remove_perm("objectives.checkin_keyresult", membership.user, kr)
    record(actor, "key_result.remove_contributor", kr, {"contributor": [membership.pk, None]})


@transaction.atomic
def key_result_create(*, objective: Objective, actor, title: str, **fields) -> KeyResult:
    unknown = set(fields) - set(KR_FIELDS)
    if unknown:
        raise TypeError(f"Unknown key result fields: {sorted(unknown)}")
    ensure_may_edit(actor, objective)
    ensure_period_open(actor, objective.period)
    lock_okr_writes(objective.org_id)
    fields.setdefault("owner", objective.owner)
    if fields["owner"] is None:
        fields["owner"] = objective.owner
    last = (
        KeyResult.objects.filter(objective=objective)
        .order_by("-position")
        .values_list("position", flat=True)
        .first()
    )
    kr = KeyResult(
        org_id=objective.org_id,
        objective=objective,
        title=title,
        position=0 if last is None else last + 1,
        **fields,
    )
    _normalise_kr(kr)
    kr.full_clean()
    kr.save()
    record(actor, "key_result.create", kr)
    refresh_rollups([objective.pk], org_id=objective.org_id)
    return kr


@transaction.atomic
def key_result_update(
    *, kr: KeyResult, actor, expected_version: int | None = None, **fields
) -> KeyResult:
    """Change ``fields`` of a key result, refusing a stale form like ``objective_update``.
    Its value and confidence are not among them: only check-ins write those."""
    refused = set(fields) & set(KR_CHECKIN_FIELDS)
    if refused:
        raise TypeError(f"Only check-ins change a key result's {' and '.join(sorted(refused))}.")
    unknown = set(fields) - set(KR_EDIT_FIELDS)
    if unknown:
        raise TypeError(f"Unknown key result fields: {sorted(unknown)}")
    ensure_may_edit(actor, kr.objective)
    ensure_period_open(actor, kr.objective.period)
    lock_okr_writes(kr.org_id)
    before = stored(kr, fields)
    for name, value in fields.items():
        setattr(kr, name, value)
    if "owner" in fields and kr.owner is None:
        kr.owner = kr.objective.owner
    normalised = ("start_value", "target_value", "current_value", "currency_code")
    pre_normalise = {name: getattr(kr, name) for name in normalised}  # milestones, currencies
    _normalise_kr(kr)
    kr.full_clean()
    _save_if_unchanged(kr, fields, before=pre_normalise, expected_version=expected_version)
    record(actor, "key_result.update", kr, changes_between(before, snapshot(kr, fields)))
    refresh_rollups([kr.objective_id], org_id=kr.org_id)
    return kr


@transaction.atomic
def key_result_set_confidence(*, kr: KeyResult, actor, confidence: str) -> KeyResult:
    if confidence not in KeyResult.Confidence.values:
        raise ValidationError({"confidence": "Choose on track, at risk or off track."})
    ensure_may_checkin(actor, kr)
    ensure_period_open(actor, kr.objective.period)
    lock_okr_writes(kr.org_id)
    before = kr.confidence
    kr.confidence = confidence
    kr.save(update_fields=["confidence", "updated_at"])
    record(actor, "key_result.set_confidence", kr, {"confidence": [before, confidence]})
    refresh_rollups([kr.objective_id], org_id=kr.org_id)
    return kr


@transaction.atomic
def key_result_delete(*, kr: KeyResult, actor) -> None:
    ensure_may_edit(actor, kr.objective)
    ensure_period_open(actor, kr.objective.period)
    lock_okr_writes(kr.org_id)
    record(actor, "key_result.delete", kr)
    objective_id = kr.objective_id
    kr.delete()
    refresh_rollups([objective_id], org_id=kr.org_id)


@transaction.atomic
def key_result_reorder(*, kr: KeyResult, actor, direction: str) -> KeyResult:
    """Move a key result one place up or down among its objective's key results."""
    if direction not in ("up", "down"):
        raise ValidationError("Move a key result up or down.")
    ensure_may_edit(actor, kr.objective)
    ensure_period_open(actor, kr.objective.period)
    siblings = list(
        KeyResult.objects.select_for_update()
        .filter(objective_id=kr.objective_id)
        .order_by("position", "id")
    )
    index = next(i for i, sibling in enumerate(siblings) if sibling.pk == kr.pk)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(siblings):
        siblings[index], siblings[other] = siblings[other], siblings[index]
    changed = []
    for position, sibling in enumerate(siblings):
        if sibling.position != position:
            sibling.position = position
            changed.append(sibling)
    KeyResult.objects.bulk_update(changed, ["position"])
    if changed:
        record(actor, "key_result.move", kr, {"direction": [None, direction]})
    return kr


# --- the writing coach's publish gates ----------------------------------------------------

MSG_GATES = "Only the company's admins choose what is required to publish."


@transaction.atomic
def publish_gates_update(*, org, actor, gates) -> list[str]:
    """Which of the writing coach's rules an objective must pass to be published (admins);
    the others only advise. Unknown keys and the rules that cannot gate are refused."""
    from .coach import GATEABLE

    ensure_admin(actor, org.pk, MSG_GATES)
    unknown = sorted(set(gates) - set(GATEABLE))
    if unknown:
        raise ValidationError(f"Not a rule that can be required: {', '.join(unknown)}.")
    chosen = [key for key in GATEABLE if key in set(gates)]  # the table's order
    company = type(org).objects.select_for_update().get(pk=org.pk)
    before = list(company.publish_gates or [])
    if before != chosen:
        company.publish_gates = chosen
        company.save(update_fields=["publish_gates"])
        record(actor, "company.publish_gates", company, {"publish_gates": [before, chosen]})
    org.publish_gates = chosen
    return chosen


# --- a person leaves the company ---------------------------------------------------------


@dataclass
class Offboarded:
    """What ``membership_offboard`` did, for the page's message."""

    reassigned_to: Membership | None
    objectives: list[int] = field(default_factory=list)  # changed owner or status
    key_results: list[int] = field(default_factory=list)  # changed owner
    teams_left: list[int] = field(default_factory=list)
    grants_removed: int = 0


def _check_successor(membership: Membership, reassign_to: Membership | None) -> None:
    if reassign_to is None:
        return
    if reassign_to.org_id != membership.org_id or not reassign_to.is_active:
        raise ValidationError({"reassign_to": "Choose an active person of this company."})
    if reassign_to.pk == membership.pk:
        raise ValidationError({"reassign_to": "Choose someone other than the person leaving."})


def _set_owners(model, rows: list, owner_of, actor, offboarded_ids: list[int]) -> None:
    """Give each row its new owner (``owner_of(row)``), moving its version on so an edit
    form opened before fails instead of writing the old owner back; one entry each."""
    now = timezone.now()
    for row in rows:
        new_owner_id = owner_of(row)
        if new_owner_id == row.owner_id:
            continue
        model.objects.filter(pk=row.pk).update(
            owner_id=new_owner_id, version=F("version") + 1, updated_at=now
        )
        action = "objective.update" if model is Objective else "key_result.update"
        record(actor, action, row, {"owner": [row.owner_id, new_owner_id]})
        offboarded_ids.append(row.pk)


@transaction.atomic
def membership_offboard(
    *, membership: Membership, actor, reassign_to: Membership | None = None
) -> Offboarded:
    """A person leaves the company (admins only; not oneself; never its last admin).

    Their objectives and key results of open periods go to ``reassign_to``, or, without one,
    are archived: their individual objectives are marked abandoned (still theirs), their team
    and company objectives lose their owner and stay the team's and the company's, and key
    results they own on other people's objectives go to that objective's owner. Closed
    periods keep every OKR as it was (read-only history). Their team memberships and manager
    roles end, grants on the company's objectives are taken back, and the membership is
    deactivated, never deleted: their check-ins, audit entries and the invitations they sent
    keep their name. One audit entry a changed OKR, one for the person.
    """
    ensure_admin(actor, membership.org_id)
    if membership.pk == actor.pk:
        raise ValidationError("You cannot take yourself out of the company; ask another admin.")
    _check_successor(membership, reassign_to)
    if membership.is_active and membership.role == Membership.Role.ADMIN:
        ensure_not_last_admin(membership, "they leave")
    org_id = membership.org_id
    lock_okr_writes(org_id)
    result = Offboarded(reassigned_to=reassign_to)
    open_objectives = list(
        Objective.objects.filter(org_id=org_id, owner=membership, period__is_closed=False)
        .only("pk", "title", "owner", "level", "status", "org")
        .order_by("pk")
    )
    open_krs = list(
        KeyResult.objects.filter(
            org_id=org_id, owner=membership, objective__period__is_closed=False
        )
        .select_related("objective")
        .order_by("pk")
    )
    archived_ids: set[int] = set()
    if reassign_to is not None:
        _set_owners(Objective, open_objectives, lambda o: reassign_to.pk, actor, result.objectives)
        _set_owners(KeyResult, open_krs, lambda kr: reassign_to.pk, actor, result.key_results)
    else:
        individual = [o for o in open_objectives if o.level == Objective.Level.INDIVIDUAL]
        for objective in individual:
            archived_ids.add(objective.pk)
            if objective.status in (Objective.Status.ACTIVE, Objective.Status.DRAFT):
                Objective.objects.filter(pk=objective.pk).update(
                    status=Objective.Status.ABANDONED,
                    version=F("version") + 1,
                    updated_at=timezone.now(),
                )
                record(
                    actor,
                    "objective.update",
                    objective,
                    {"status": [objective.status, Objective.Status.ABANDONED]},
                )
                result.objectives.append(objective.pk)
        shared = [o for o in open_objectives if o.pk not in archived_ids]
        _set_owners(Objective, shared, lambda o: None, actor, result.objectives)
        others = [kr for kr in open_krs if kr.objective_id not in archived_ids]
        unowned = {o.pk for o in shared}
        _set_owners(
            KeyResult,
            others,
            lambda kr: None if kr.objective_id in unowned else kr.objective.owner_id,
            actor,
            result.key_results,
        )
    links = TeamMembership.objects.filter(membership=membership)
    result.teams_left = sorted(links.values_list("team_id", flat=True))
    managed = sorted(links.filter(is_manager=True).values_list("team_id", flat=True))
    links.delete()
    user_id = membership.user_id
    result.grants_removed = (
        ObjectiveUserObjectPermission.objects.filter(
            user_id=user_id, content_object__org_id=org_id
        ).delete()[0]
        + KeyResultUserObjectPermission.objects.filter(
            user_id=user_id, content_object__org_id=org_id
        ).delete()[0]
    )
    was_active = membership.is_active
    if was_active:
        membership.is_active = False
        membership.save(update_fields=["is_active"])
    changes = {
        "is_active": [was_active, False],
        "teams": [result.teams_left, []],
        "managed_teams": [managed, []],
        "okrs": ["reassigned" if reassign_to else "archived", reassign_to and reassign_to.pk],
    }
    record(actor, "membership.offboard", membership, changes)
    refresh_rollups(result.objectives, org_id=org_id)
    return result
