"""The UI's components, defined once each in ``templates/components/``.

Two kinds live there side by side:

* ``*.html``: Django includes, for components a page draws a few times (action menu, empty
  state...). Pages ``{% include %}`` them.
* ``*.jinja``: Jinja2 macros, for the fragments a page draws tens or hundreds of times (progress
  bar, badges, chips, summary rows, tree nodes, chart SVGs, long selects). A Django include or
  inclusion tag costs tens of microseconds a call before it prints anything; a compiled Jinja2
  macro costs a few (docs/performance.md has the figures). Thin template tags and presenters
  call them through ``component``; nothing else in Python writes markup or colours.

Both engines escape by default. A macro returns ``markupsafe.Markup``, which Django's
templates and ``format_html`` treat as safe (it has ``__html__``); Django's ``SafeString``
passed into a macro is likewise not escaped twice.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import jinja2
from django.conf import settings

COMPONENTS_DIR = Path(settings.BASE_DIR) / "templates" / "components"

environment = jinja2.Environment(
    loader=jinja2.FileSystemLoader(COMPONENTS_DIR),
    autoescape=True,
    undefined=jinja2.StrictUndefined,  # a misspelt parameter fails a test, not a page silently
    trim_blocks=True,
    lstrip_blocks=True,
    auto_reload=False,
)
# A confidence's shape and words, beside its colour (badges.jinja: never colour alone). The
# words are the model's choices' (a test checks they agree).
environment.globals["CONFIDENCE_ICONS"] = {"on_track": "●", "at_risk": "▲", "off_track": "■"}
environment.globals["CONFIDENCE_LABELS"] = {
    "on_track": "On track",
    "at_risk": "At risk",
    "off_track": "Off track",
}
# How a committed or an aspirational objective is judged (the commitment badge's title).
environment.globals["COMMITMENT_MEANINGS"] = {
    "committed": "Committed: expected to be met in full",
    "aspirational": "Aspirational: about 70% is success",
}
# A select's ``(label, [(value, label), ...])`` choice is an ``<optgroup>`` (Django's rule).
environment.tests["group"] = lambda value: isinstance(value, list | tuple)


@cache
def _macro(name: str):
    file, _, macro = name.partition(".")
    return getattr(environment.get_template(f"{file}.jinja").module, macro or file)


def component(name: str):
    """The macro ``name`` (``"progress_bar"``: the macro of ``progress_bar.jinja`` named like
    its file; ``"badges.confidence_badge"``: one of several in ``badges.jinja``). Looked up
    once per process; call it with keyword arguments."""
    if settings.DEBUG:  # edits to a component show without a restart
        environment.cache.clear()
        return _macro.__wrapped__(name)
    return _macro(name)


def render(name: str, **parameters):
    """``component(name)(**parameters)``: markup ready for a template or ``format_html``."""
    return component(name)(**parameters)
