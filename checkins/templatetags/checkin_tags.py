from django import template

register = template.Library()


@register.inclusion_tag("checkins/_kr_history.html", takes_context=True)
def kr_history(context, kr):
    """Check-in history and chart of one key result (placeholder until the check-in issue)."""
    return {"kr": kr, "request": context.get("request")}


@register.inclusion_tag("checkins/_checkin_form.html", takes_context=True)
def kr_checkin_form(context, kr):
    """Inline check-in form for one key result (placeholder until the check-in issue)."""
    return {"kr": kr, "request": context.get("request")}
