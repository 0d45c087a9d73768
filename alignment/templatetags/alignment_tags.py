from django import template

register = template.Library()


@register.inclusion_tag("alignment/_objective_alignment.html", takes_context=True)
def objective_alignment(context, objective):
    """Contribution path and children of one objective (placeholder until the alignment issue)."""
    return {"objective": objective, "request": context.get("request")}
