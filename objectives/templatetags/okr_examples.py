from django import template

from objectives.examples import EXAMPLES

register = template.Library()


@register.simple_tag
def okr_examples():
    """The example OKRs by function (``objectives.examples``) for a page's empty state."""
    return EXAMPLES
