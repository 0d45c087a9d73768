from django import template

from organizations.onboarding import getting_started

register = template.Library()


@register.simple_tag(takes_context=True)
def getting_started_checklist(context):
    """The signed-in admin's getting-started checklist (``None`` once the company is set
    up, or for anyone but an admin)."""
    request = context.get("request")
    membership = getattr(request, "membership", None)
    if membership is None:
        return None
    return getting_started(request.org, membership)
