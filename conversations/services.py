"""The only writers of comments and reactions: each takes the acting membership, checks its
right (``permissions``), and records what it did (``audit.record``)."""

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone

from audit.services import record
from notifications.services import notify_comment
from objectives.models import KeyResult, Objective
from organizations.models import Membership

from .models import Comment, Mention, Reaction
from .permissions import can_comment, can_edit_comment, can_remove_comment

# "@Mara Lindqvist": an @ and up to four words of a name (the longest one that is a person's).
MENTION = re.compile(r"(?<![\w@])@(\w[\w.'’-]*(?:[ \t]+\w[\w.'’-]*){0,3})")


def _clean_body(body: str) -> str:
    text = (body or "").replace("\x00", "").strip()
    if not text:
        raise ValidationError({"body": "Write something first."})
    if len(text) > Comment.BODY_MAX:
        raise ValidationError(
            {"body": f"Keep a comment under {Comment.BODY_MAX:,} characters ({len(text):,} now)."}
        )
    return text


def mentioned_people(org_id: int, body: str) -> list[Membership]:
    """The company's active people named after an ``@`` in ``body`` (one query): for each
    ``@``, the longest run of its following words that is someone's full name."""
    candidates: list[list[str]] = []
    for match in MENTION.finditer(body):
        words = match.group(1).split()
        candidates.append([" ".join(words[:n]).lower() for n in range(len(words), 0, -1)])
    names = {name for options in candidates for name in options}
    if not names:
        return []
    people = {
        membership.name_key: membership
        for membership in Membership.objects.filter(org_id=org_id, is_active=True)
        .select_related("user")
        .annotate(name_key=Lower("user__full_name"))
        .filter(name_key__in=names)
    }
    found: dict[int, Membership] = {}
    for options in candidates:
        for name in options:  # longest first
            if name in people:
                found.setdefault(people[name].pk, people[name])
                break
    return list(found.values())


def _set_mentions(comment: Comment) -> list[Membership]:
    """Store whom the comment mentions now; returns them."""
    people = mentioned_people(comment.org_id, comment.body)
    Mention.objects.filter(comment=comment).exclude(membership__in=people).delete()
    Mention.objects.bulk_create(
        [Mention(org_id=comment.org_id, comment=comment, membership=p) for p in people],
        ignore_conflicts=True,
    )
    return people


@transaction.atomic
def comment_create(
    *,
    actor: Membership,
    objective: Objective,
    body: str,
    key_result: KeyResult | None = None,
    checkin=None,
) -> Comment:
    """A comment on ``objective`` (or on its ``key_result``, or on one ``checkin`` of that
    key result) by ``actor``."""
    if objective.org_id != actor.org_id or (
        key_result is not None and key_result.objective_id != objective.pk
    ):
        raise PermissionDenied("Not a key result of this objective.")
    if checkin is not None and (key_result is None or checkin.key_result_id != key_result.pk):
        raise PermissionDenied("Not a check-in of this key result.")
    if not can_comment(actor, objective):
        raise PermissionDenied("You may not comment here.")
    comment = Comment.objects.create(
        org_id=actor.org_id,
        objective=objective,
        key_result=key_result,
        checkin=checkin,
        author=actor,
        body=_clean_body(body),
    )
    notify_comment(comment, mentioned=_set_mentions(comment))
    record(actor, "comment.create", comment, {"body": [None, comment.body]})
    return comment


def checkin_comment_create(*, actor: Membership, checkin, body: str) -> Comment:
    """A comment on one check-in: it belongs to the check-in's key result and objective, and
    is exactly as private as that objective."""
    kr = checkin.key_result
    return comment_create(
        actor=actor, objective=kr.objective, key_result=kr, checkin=checkin, body=body
    )


@transaction.atomic
def comment_edit(*, actor: Membership, comment: Comment, body: str) -> Comment:
    """Its author rewrites a comment; the mentions follow the new text."""
    if not can_edit_comment(actor, comment):
        raise PermissionDenied("Only its author can edit a comment.")
    before, comment.body = comment.body, _clean_body(body)
    comment.edited_at = timezone.now()
    comment.save(update_fields=["body", "edited_at"])
    already = list(comment.mentions.all())
    notify_comment(
        comment, mentioned=_set_mentions(comment), already_mentioned=already, edited=True
    )
    record(actor, "comment.edit", comment, {"body": [before, comment.body]})
    return comment


@transaction.atomic
def comment_delete(*, actor: Membership, comment: Comment) -> None:
    """Its author, or an admin, removes a comment (and its reactions and mentions)."""
    if not can_remove_comment(actor, comment):
        raise PermissionDenied("Only its author or an admin can delete a comment.")
    record(actor, "comment.delete", comment, {"body": [comment.body, None]})
    comment.delete()


@transaction.atomic
def reaction_toggle(*, actor: Membership, comment: Comment, emoji: str) -> bool:
    """Add ``actor``'s ``emoji`` to a comment, or take it back; True when it is now there."""
    if emoji not in Reaction.Emoji.values:
        raise ValidationError({"emoji": "Pick one of the reactions offered."})
    if not can_comment(actor, comment.objective):
        raise PermissionDenied("You may not react here.")
    deleted, _ = Reaction.objects.filter(comment=comment, membership=actor, emoji=emoji).delete()
    if deleted:
        record(actor, "reaction.remove", comment, {"emoji": [emoji, None]})
        return False
    Reaction.objects.create(org_id=actor.org_id, comment=comment, membership=actor, emoji=emoji)
    record(actor, "reaction.add", comment, {"emoji": [None, emoji]})
    return True
