"""Thin tags and filters for the OKR pages: each draws a component (templates/components/)
or formats a value. What a page's rows print is shaped in ``objectives.presenters``."""

from django import template

from components import component
from objectives import presenters
from objectives.progress import as_percent as _as_percent
from organizations.markdown import markdown_to_text, render_markdown

register = template.Library()


@register.simple_tag(takes_context=True)
def period_options(context, periods, selected=None):
    """``{% period_options periods period %}``: ``presenters.period_options``."""
    request = context.get("request")
    org = getattr(request, "org", None) or context.get("org")
    return presenters.period_options(org, periods, selected)


@register.simple_tag
def progress_bar(percent_value, label="", *, caption="", status=None, size="md"):
    """``{% progress_bar percent "label" %}``: the progress bar component (a percentage, or
    None for nothing measured; pass a stored progress through ``|as_percent``)."""
    return component("progress_bar")(
        percent=percent_value, label=label, caption=caption, status=status, size=size
    )


@register.simple_tag
def confidence_badge(confidence):
    return component("badges.confidence_badge")(confidence=confidence)


@register.simple_tag
def commitment_badge(objective):
    """``{% commitment_badge objective %}``: committed or aspirational, as a small badge."""
    return component("badges.commitment_badge")(
        commitment=objective.commitment, label=objective.get_commitment_display()
    )


@register.simple_tag(takes_context=True)
def publish_label(context, objective):
    """ "Publish", or "Submit for review" where publishing submits it (no query: the request's
    company and membership decide, ``permissions.review_applies``)."""
    from objectives.permissions import review_applies

    request = context.get("request")
    org = getattr(request, "org", None)
    actor = getattr(request, "membership", None)
    if org is not None and review_applies(actor, objective, org):
        return "Submit for review"
    return "Publish"


@register.simple_tag
def summary_rows(objectives):
    """The ``<tr>``s of objectives shaped by ``presenters.prepare_summaries``."""
    return presenters.summary_rows(objectives)


@register.simple_tag
def theme_swatch(colour, size=10):
    """``{% theme_swatch theme.colour 12 %}``: a theme's colour dot (chips.jinja)."""
    return component("chips.theme_swatch")(colour=colour, size=size)


@register.filter
def as_percent(progress):
    """A stored progress (0-1) as a whole percentage, or None."""
    return _as_percent(progress)


@register.filter
def markdown(text):
    """Markdown rendered and sanitised (nh3): safe to show whatever an admin typed."""
    return render_markdown(text)


@register.filter
def markdown_text(text):
    """The plain words of Markdown (no ``**`` or ``[]()``): for one-line excerpts."""
    return markdown_to_text(text)


@register.filter
def percent(progress):
    return presenters.percent_text(progress)


@register.filter
def num(value):
    """A decimal without trailing zeros, with thousands separators: 1000.0000 -> 1,000."""
    return presenters.num(value)


@register.simple_tag
def kr_value(kr, value):
    """A KR value with its unit: "1,000", "45%", "EUR 12,000", or done / not done."""
    return presenters.value_text(kr, value)
