from .models import SlackPost, TeamSlackHook

RECENT_POSTS = 10


def hook_of(team) -> TeamSlackHook | None:
    return TeamSlackHook.objects.filter(team=team).select_related("set_by__user").first()


def recent_posts(team) -> list[SlackPost]:
    """The team's latest posts, newest first (what the settings page lists)."""
    return list(
        SlackPost.objects.filter(team=team).only(
            "kind", "status", "created_at", "sent_at", "retry_at", "last_error", "attempts"
        )[:RECENT_POSTS]
    )
