"""Making notifications (a side effect of another person's write, so no audit entry of its
own: the write that caused it has one) and marking them read (the reader's own business)."""

from django.utils import timezone

from audit.services import record
from objectives.access import who_sees
from outbox.dispatch import publish_on_commit

from . import tasks
from .delivery import deliveries
from .models import Delivery, Notification, NotificationSetting


def notify_comment(comment, *, mentioned, already_mentioned=(), edited=False) -> list[Notification]:
    """Tell the people ``comment`` mentions (after an edit, only those it did not mention
    before) and, for a new comment, the owners of what it is on (for a comment on a check-in,
    the check-in's author first); only those who may see its objective, never its author, one
    notification each (a mention first)."""
    objective, kr = comment.objective, comment.key_result
    wanted: dict[int, str] = {}
    already = {membership.pk for membership in already_mentioned}
    for membership in mentioned:
        if membership.pk not in already:
            wanted.setdefault(membership.pk, Notification.Kind.MENTION)
    if not edited:  # a new comment: its check-in's author, its objective's and KR's owners
        checkin_author = comment.checkin.author_id if comment.checkin_id else None
        for owner_id in (checkin_author, objective.owner_id, kr.owner_id if kr else None):
            if owner_id:
                wanted.setdefault(owner_id, Notification.Kind.COMMENT)
    wanted.pop(comment.author_id, None)
    if not wanted:
        return []
    return _notify(
        comment.org_id,
        objective,
        wanted,
        actor_id=comment.author_id,
        key_result=kr,
        comment=comment,
    )


def _notify(org_id, objective, wanted: dict[int, str], **fields) -> list[Notification]:
    """One notification of ``wanted[person]`` kind about ``objective`` for each person who
    may see it; those who chose it e-mailed at once once this transaction commits."""
    seen = who_sees(org_id, ((person, objective) for person in wanted))
    made = Notification.objects.bulk_create(
        Notification(org_id=org_id, recipient_id=person, kind=kind, objective=objective, **fields)
        for person, kind in wanted.items()
        if (person, objective.pk) in seen
    )
    chosen = deliveries(org_id, [n.recipient_id for n in made])
    for notification in made:
        if chosen[(notification.recipient_id, notification.kind)] == Delivery.NOW:
            publish_on_commit(tasks.send_notification_email, notification.pk)
    return made


def notify_alignment_request(request) -> list[Notification]:
    """The parent's owner is asked (about the objective that wants to align)."""
    owner_id = request.parent.owner_id
    if owner_id is None or owner_id == request.requested_by_id:
        return []
    return _notify(
        request.org_id,
        request.child,
        {owner_id: Notification.Kind.ALIGNMENT_REQUEST},
        actor_id=request.requested_by_id,
        alignment_request=request,
    )


def notify_alignment_answer(request) -> list[Notification]:
    """The requester hears the answer."""
    if request.requested_by_id == request.answered_by_id:
        return []
    return _notify(
        request.org_id,
        request.child,
        {request.requested_by_id: Notification.Kind.ALIGNMENT_ANSWER},
        actor_id=request.answered_by_id,
        alignment_request=request,
    )


def notifications_mark_read(*, actor, notification=None) -> int:
    """Mark one of ``actor``'s notifications read, or all of them."""
    unread = Notification.objects.filter(recipient=actor, read_at__isnull=True)
    if notification is not None:
        unread = unread.filter(pk=notification.pk)
    return unread.update(read_at=timezone.now())


def notification_settings_save(*, actor, choices: dict[str, str]) -> None:
    """``actor`` chooses how they hear of each kind (their own business, but recorded)."""
    before = deliveries(actor.org_id, [actor.pk])
    for kind, delivery in choices.items():
        if kind not in Notification.Kind.values or delivery not in Delivery.values:
            raise ValueError(f"Unknown choice {kind}={delivery}")
        NotificationSetting.objects.update_or_create(
            org_id=actor.org_id, membership=actor, kind=kind, defaults={"delivery": delivery}
        )
    changes = {
        kind: [before[(actor.pk, kind)], delivery]
        for kind, delivery in choices.items()
        if before[(actor.pk, kind)] != delivery
    }
    if changes:
        record(actor, "notifications.settings", actor, changes)


def notify_dependency(dependency, *, actor, people, kind) -> list[Notification]:
    """Tell ``people`` (membership ids) of a dependency's request or answer: only those who
    may see its objective, never ``actor``, one notification each."""
    wanted = {person: kind for person in sorted(set(people) - {actor.pk})}
    if not wanted:
        return []
    return _notify(
        dependency.org_id,
        dependency.objective,
        wanted,
        actor_id=actor.pk,
        key_result=dependency.key_result,
    )


def notify_missed_checkin(*, person, told: dict) -> list[Notification]:
    """Tell managers (``told``: manager id -> the key result to name) that ``person`` has not
    checked in after a reminder and a follow-up (``checkins.escalation``); only those who may
    see the key result's objective."""
    by_kr: dict = {}
    for manager_id, kr in told.items():
        by_kr.setdefault(kr.pk, (kr, {}))[1][manager_id] = Notification.Kind.MISSED_CHECKIN
    made = []
    for kr, wanted in by_kr.values():
        made += _notify(person.org_id, kr.objective, wanted, actor_id=person.pk, key_result=kr)
    return made
