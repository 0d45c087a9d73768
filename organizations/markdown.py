"""Safe Markdown: the company's vision and strategy are written by admins, read by everyone.

Markdown passes raw HTML through, so its output is always cleaned by nh3 (an allow-list
sanitiser): no script, no event handlers, no ``javascript:`` links survive.
"""

import html as html_lib

import markdown as markdown_lib
import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "em", "h1", "h2", "h3", "h4", "h5", "h6",
    "hr", "i", "li", "ol", "p", "pre", "strong", "table", "tbody", "td", "th", "thead", "tr",
    "ul", "del",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"align"}, "td": {"align"}}


def render_markdown(text: str | None) -> SafeString:
    html = markdown_lib.markdown(text or "", extensions=["extra", "sane_lists"])
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(cleaned)  # noqa: S308 - cleaned by nh3 just above


def markdown_to_text(text: str | None) -> str:
    """Plain text of a Markdown snippet (for one-line excerpts such as the vision)."""
    html = markdown_lib.markdown(text or "", extensions=["extra", "sane_lists"])
    return html_lib.unescape(" ".join(nh3.clean(html, tags=set()).split()))
