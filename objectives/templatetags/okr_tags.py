from decimal import Decimal

from django import template

from objectives.progress import as_percent
from organizations.markdown import render_markdown

register = template.Library()

BAR_WIDTH = 120


@register.filter
def markdown(text):
    """Markdown rendered and sanitised (nh3): safe to show whatever an admin typed."""
    return render_markdown(text)


@register.filter
def percent(progress):
    value = as_percent(progress)
    return "–" if value is None else f"{value}%"


@register.filter
def num(value):
    """A decimal without trailing zeros, with thousands separators: 1000.0000 -> 1,000."""
    if value is None:
        return ""
    value = Decimal(value).normalize()
    return f"{value:,f}"


@register.simple_tag
def kr_value(kr, value):
    """A KR value with its unit: "1,000", "45%", "EUR 12,000", or done / not done."""
    if kr.kind == "milestone":
        return "done" if value >= 1 else "not done"
    text = num(value)
    if kr.unit == "percent":
        return f"{text}%"
    if kr.unit == "currency":
        return f"{kr.currency_code} {text}".strip()
    return text


@register.inclusion_tag("objectives/_progress_bar.html")
def progress_bar(percent_value, label=""):
    """An inline SVG bar (attributes only: the CSP forbids style=) with the number beside it."""
    if percent_value is None:
        return {"none": True, "width": BAR_WIDTH, "label": label}
    filled = round(BAR_WIDTH * max(0, min(100, percent_value)) / 100)
    return {
        "none": False,
        "width": BAR_WIDTH,
        "filled": filled,
        "percent": percent_value,
        "label": label,
    }
