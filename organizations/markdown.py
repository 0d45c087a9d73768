"""Safe Markdown: the company's vision and strategy are written by admins, read by everyone.

Markdown passes raw HTML through, so its output is always cleaned by nh3 (an allow-list
sanitiser): no script, no event handlers, no ``javascript:`` links survive.
"""

import functools
import html as html_lib
import threading

import markdown as markdown_lib
import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "em", "h1", "h2", "h3", "h4", "h5", "h6",
    "hr", "i", "li", "ol", "p", "pre", "strong", "table", "tbody", "td", "th", "thead", "tr",
    "ul", "del",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"align"}, "td": {"align"}}


EXTENSIONS = ["extra", "sane_lists"]
_converters = threading.local()


def _to_html(text: str) -> str:
    """Markdown to (unsanitised) HTML. Building a converter and its extensions costs more
    than converting a vision, so each thread keeps one and resets it between texts."""
    converter = getattr(_converters, "markdown", None)
    if converter is None:
        converter = _converters.markdown = markdown_lib.Markdown(extensions=EXTENSIONS)
    return converter.reset().convert(text)


# The same texts (a company's vision, mission and strategy; an objective's description) are
# shown on every visit: their rendering, a pure function of the text, is kept for the most
# recent few hundred texts, so an edited text is simply a new key.
@functools.lru_cache(maxsize=256)
def _render(text: str) -> str:
    return nh3.clean(
        _to_html(text),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


def render_markdown(text: str | None) -> SafeString:
    return mark_safe(_render(text or ""))  # noqa: S308 - cleaned by nh3 in _render


@functools.lru_cache(maxsize=256)
def markdown_to_text(text: str | None) -> str:
    """Plain text of a Markdown snippet (for one-line excerpts such as the vision)."""
    html = _to_html(text or "")
    return html_lib.unescape(" ".join(nh3.clean(html, tags=set()).split()))
