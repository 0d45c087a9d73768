from django import template

register = template.Library()


@register.filter
def slack(text) -> str:
    """Text people typed, made inert in a Slack message: Slack reads ``<...>`` as links and
    mentions (``<!channel>``) and decodes only these three entities."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
