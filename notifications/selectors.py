"""The inbox: a person's notifications about objectives they may see now."""

from objectives.selectors import visible

from .models import Notification

INBOX_MAX = 50


def mine(org, viewer):
    """A person's notifications about objectives they may see now."""
    return Notification.objects.filter(
        org=org,
        recipient=viewer,
        objective__in=visible(org, viewer).order_by().values("pk"),
    )


def unread_count(org, viewer) -> int:
    return mine(org, viewer).filter(read_at__isnull=True).count()


def inbox(org, viewer) -> list[Notification]:
    """The newest ``INBOX_MAX``, with who, on what and the comment's text (one query)."""
    return list(
        mine(org, viewer)
        .select_related(
            "actor__user", "objective", "key_result", "comment", "alignment_request__parent"
        )
        .order_by("-created_at", "-id")[:INBOX_MAX]
    )
