from django import template

from components import component

register = template.Library()


@register.simple_tag
def search_hits(kind, prefix):
    """``{% search_hits kind "page" %}``: one kind's hits (``search.presenters.Kind``) as links,
    drawn by a Jinja2 macro: the results page shows up to a hundred."""
    return component("search_hits")(kind=kind, prefix=prefix)
