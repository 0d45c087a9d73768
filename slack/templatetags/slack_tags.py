from django import template

from components import component

from ..models import SlackPost, TeamSlackHook

register = template.Library()


@register.simple_tag
def post_status_badge(item):
    """A post's state (or a channel's: working or broken) as the shared status badge."""
    if isinstance(item, TeamSlackHook):
        status, label = ("failed", "Broken") if item.broken_at else ("sent", "Working")
    else:
        status, label = item.status, SlackPost.Status(item.status).label
    return component("badges.status_badge")(status=status, label=label)
