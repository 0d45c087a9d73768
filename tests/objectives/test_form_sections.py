"""The objective and key result forms in sections, with the fields that apply to one choice
marked to appear with it (static/js/show_when.js; tests/e2e/test_form_choices.py drives it).
Without JavaScript every field shows, and the server says which choice a field needs."""

import re

import pytest

from objectives.models import KeyResult, Objective
from tests.factories import KeyResultFactory, ObjectiveFactory
from tests.objectives.test_forms import objective_data, url


def _part(html, control, value):
    """The markup of the part shown while ``control`` has ``value`` (up to its own </div>)."""
    start = html.index(f'<div data-show-when="{control}" data-show-value="{value}"')
    depth, at = 0, start
    for tag in re.finditer(r"<(/?)div\b", html[start:]):
        depth += -1 if tag.group(1) else 1
        if depth == 0:
            at = start + tag.end()
            break
    return html[start:at]


def _legends(html):
    return re.findall(r'<fieldset class="form-section">\s*<legend>([^<]+)</legend>', html)


def test_objective_form_groups_its_fields_and_shows_the_team_with_the_team_level(admin, org):
    html = admin.get(url(org, "objective-new")).content.decode()
    assert _legends(html) == [
        "What you want to achieve",
        "When and whose",
        "Alignment and visibility",
    ]
    team_part = _part(html, "level", "team")
    assert 'name="team"' in team_part and 'name="owner"' not in team_part
    assert "For team objectives only" in team_part  # said without JavaScript too
    assert 'name="owner"' in html and "hidden" not in team_part.split(">")[0]
    for name in ("title", "description", "period", "level", "parent", "theme", "visibility"):
        assert html.count(f'name="{name}"') == 1, name


def test_a_team_on_another_level_is_refused_beside_the_team_field(admin, org, period, team):
    data = objective_data(period, level="company", team=team.pk, title="Be the calmest tool")
    response = admin.post(url(org, "objective-new"), data)
    html = response.content.decode()
    assert response.status_code == 200 and not Objective.objects.exists()
    errors = re.search(r'id="id_team_error">(.*?)</div>', html, re.S).group(1)
    assert "Only team objectives belong to a team" in errors
    assert "no team for a company objective" in errors
    assert 'value="Be the calmest tool"' in html  # what was typed is kept
    data = objective_data(period, level="individual", team=team.pk)
    errors = admin.post(url(org, "objective-new"), data).context["form"].errors["team"]
    assert "no team for an individual objective" in errors[0]


def test_a_team_objective_still_needs_its_team(admin, org, period, team):
    response = admin.post(url(org, "objective-new"), objective_data(period, level="team"))
    assert "Pick the team" in response.content.decode()
    admin.post(url(org, "objective-new"), objective_data(period, level="team", team=team.pk))
    assert Objective.objects.get().team == team


@pytest.fixture
def objective(org, period, member_membership):
    return ObjectiveFactory(org=org, period=period, owner=member_membership)


def kr_data(**overrides):
    data = {
        "title": "Ship the portal",
        "owner": "",
        "kind": "increase",
        "unit": "number",
        "currency_code": "",
        "start_value": "0",
        "target_value": "10",
        "current_value": "0",
        "weight": "1",
        "confidence": "on_track",
    }
    data.update(overrides)
    return data


def test_kr_form_shows_unit_start_and_target_with_the_measured_kinds(member, org, objective):
    html = member.get(url(org, "kr-new", objective_id=objective.pk)).content.decode()
    assert _legends(html) == ["What you will measure", "How it is measured", "Where it stands"]
    measured = _part(html, "kind", "increase decrease")
    for name in ("unit", "currency_code", "start_value", "target_value"):
        assert f'name="{name}"' in measured, name
    assert 'name="kind"' not in measured and 'name="current_value"' not in measured
    assert 'name="currency_code"' in _part(html, "unit", "currency")
    assert 'placeholder="EUR"' in html


def test_a_milestone_needs_no_currency_code_but_an_amount_of_money_does(member, org, objective):
    new = url(org, "kr-new", objective_id=objective.pk)
    # A unit chosen before switching to a milestone is hidden in the browser, not refused.
    member.post(new, kr_data(kind="milestone", unit="currency", title="Launch"))
    assert KeyResult.objects.get(title="Launch").kind == KeyResult.Kind.MILESTONE
    response = member.post(new, kr_data(unit="currency", title="Raise revenue"))
    html = response.content.decode()
    errors = re.search(r'id="id_currency_code_error">(.*?)</div>', html, re.S).group(1)
    assert "three-letter currency code" in errors
    assert 'value="Raise revenue"' in html
    assert not KeyResult.objects.filter(title="Raise revenue").exists()


def test_kr_edit_form_has_the_same_sections(member, org, objective):
    kr = KeyResultFactory(objective=objective, kind=KeyResult.Kind.MILESTONE, target_value=1)
    html = member.get(url(org, "kr-edit", kr_id=kr.pk)).content.decode()
    assert _legends(html) == ["What you will measure", "How it is measured", "Where it stands"]
