"""The components draw what users need to read: words beside every colour."""

import pytest

from components import component
from objectives.models import KeyResult

STATUSES = [value for value, _ in KeyResult.Confidence.choices]


@pytest.mark.parametrize("status", STATUSES)
def test_progress_bar_names_its_status_in_words(status):
    """Colour is never the only signal: a bar coloured by a status says the status."""
    label = dict(KeyResult.Confidence.choices)[status]
    html = str(component("progress_bar")(percent=45, status=status, label="Reach"))
    assert f"progress-{status}" in html  # the colour (components.css)
    assert f">{label}</span>" in html.replace("</span> ", "</span>")  # the words
    assert "45%" in html and 'aria-label="Reach: 45%"' in html


def test_progress_bar_badges_agree_with_the_model_labels():
    for status, label in KeyResult.Confidence.choices:
        html = str(component("badges.confidence_badge")(confidence=status))
        assert label in html and f"conf-{status}" in html


def test_progress_bar_without_status_has_no_status_colour():
    html = str(component("progress_bar")(percent=30))
    assert "progress-on_track" not in html and "30%" in html and "badge" not in html


def test_unmeasured_progress_says_so_the_same_way_everywhere():
    html = str(component("progress_bar")(percent=None, status="at_risk", caption="own"))
    assert "own: No KRs yet" in html and "bar-fg" not in html and "progress-at_risk" not in html


@pytest.mark.parametrize("percent,filled", [(0, "0"), (50, "60"), (100, "120"), (130, "120")])
def test_progress_bar_fills_its_share_and_no_more(percent, filled):
    html = str(component("progress_bar")(percent=percent))
    assert f'class="bar-fg" width="{filled}"' in html


def test_components_escape_what_they_print():
    html = str(component("chips.person_chip")(name="<b>Eve</b>", url="/p/1/?a=1&b=2"))
    assert "&lt;b&gt;Eve&lt;/b&gt;" in html and 'href="/p/1/?a=1&amp;b=2"' in html


def test_select_marks_the_chosen_option_and_groups():
    html = str(
        component("fields.select")(
            name="team",
            attrs={"id": "t", "required": True, "disabled": False},
            choices=[("", "Any"), ("Year", [(1, "Q1 <x>"), (2, "Q2")])],
            chosen={"2"},
        )
    )
    assert html.startswith('<select name="team" id="t" required>')
    assert '<optgroup label="Year"><option value="1">Q1 &lt;x&gt;</option>' in html
    assert '<option value="2" selected>Q2</option>' in html
