"""A check-in shows its effect at once: the htmx answer re-sends, out of band, every region of
the page that the check-in changed (checkins.effects), drawn from the page's own partials."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from objectives.models import Objective
from tests.factories import KeyResultFactory, MembershipFactory, ObjectiveFactory

HX = {"HTTP_HX_REQUEST": "true"}


def _live_regions(html: str) -> str:
    """What static/js/checkins.js sends: the ids of the page's data-live regions."""
    return " ".join(re.findall(r'<[^>]*\bid="([^"]+)"[^>]*\bdata-live\b', html))


def _post(client, kr, page_html="", value="40", confidence="at_risk", **extra):
    url = reverse("checkins:create", kwargs={"org_slug": "acme", "kr_id": kr.pk})
    headers = {**HX, "HTTP_X_LIVE_REGIONS": _live_regions(page_html), **extra}
    payload = {"value": value, "confidence": confidence, "note": ""}
    return client.post(url, payload, **headers)


def _fragment(body: str, element_id: str) -> str:
    """The out-of-band element with this id in the answer (its opening tag to the next one)."""
    match = re.search(rf'<[^>]*\bid="{re.escape(element_id)}"[^>]*hx-swap-oob="true"', body)
    assert match, f"no out-of-band #{element_id} in the answer"
    following = body.find('hx-swap-oob="true"', match.end())
    return body[match.start() : following if following != -1 else len(body)]


def _my_page(client):
    return client.get(reverse("objectives:my", kwargs={"org_slug": "acme"})).content.decode()


@pytest.fixture
def family(org, period, member_membership):
    """On My OKRs: "Parent" (one KR at 0 of 100) and "Child" aligned to it with two KRs."""
    parent = ObjectiveFactory(org=org, period=period, owner=member_membership, title="Parent")
    KeyResultFactory(objective=parent, title="Parent KR")
    child = ObjectiveFactory(
        org=org, period=period, owner=member_membership, title="Child", parent=parent
    )
    kr = KeyResultFactory(objective=child, title="Followers", target_value=100)
    KeyResultFactory(objective=child, title="Posts", target_value=10)
    return parent, child, kr


def test_my_okrs_gets_the_kr_row_and_both_objectives_progress(member, family):
    parent, child, kr = family
    body = _post(member, kr, _my_page(member)).content.decode()

    assert f'id="checkin-{kr.pk}"' in body and "Checked in" in body  # the form itself
    values = _fragment(body, f"kr-{kr.pk}-values")
    assert "0 → 100 (now 40)" in values
    status = _fragment(body, f"kr-{kr.pk}-status")
    assert "40%" in status and "At risk" in status
    confidence = _fragment(body, f"conf-{kr.pk}")
    assert '<option value="at_risk" selected>' in confidence
    # The child's own progress: (40% + 0%) / 2.
    assert 'aria-label="Objective progress: 20%"' in _fragment(
        body, f"objective-{child.pk}-progress"
    )
    # The parent's own progress is unchanged, its aligned progress moved: (0% + 20%) / 2.
    parent_region = _fragment(body, f"objective-{parent.pk}-progress")
    assert 'aria-label="Objective progress: 0%"' in parent_region
    assert "With what aligns to it: 10%" in parent_region


def test_the_page_after_a_plain_post_shows_the_same_numbers(member, family):
    parent, child, kr = family
    url = reverse("checkins:create", kwargs={"org_slug": "acme", "kr_id": kr.pk})
    response = member.post(url, {"value": "40", "confidence": "at_risk", "next": "/acme/my/"})
    assert response.status_code == 302 and response["Location"] == "/acme/my/"
    page = _my_page(member)
    assert "0 → 100 (now 40)" in page
    assert 'aria-label="Objective progress: 20%"' in page
    assert "With what aligns to it: 10%" in page


def test_only_the_regions_the_page_shows_are_sent(member, family, django_assert_max_num_queries):
    parent, child, kr = family
    without = _post(member, kr, "").content.decode()
    assert "hx-swap-oob" not in without
    just_the_row = f'<span id="kr-{kr.pk}-values" data-live></span>'
    body = _post(member, kr, just_the_row, value="50").content.decode()
    assert "(now 50)" in _fragment(body, f"kr-{kr.pk}-values")
    assert body.count("hx-swap-oob") == 1


def test_a_private_ancestor_the_page_names_is_not_sent(org, period, member, member_membership):
    secret = ObjectiveFactory(
        org=org,
        period=period,
        title="Secret plan",
        visibility=Objective.Visibility.PRIVATE,
        owner=MembershipFactory(org=org),
    )
    KeyResultFactory(objective=secret, title="Secret KR")
    mine = ObjectiveFactory(org=org, period=period, owner=member_membership, parent=secret)
    kr = KeyResultFactory(objective=mine)
    claimed = f'<div id="objective-{secret.pk}-progress" data-live></div>'
    body = _post(member, kr, claimed).content.decode()
    assert "Secret" not in body
    assert "hx-swap-oob" not in body


def test_the_kr_page_gets_its_header_card_and_history(member, my_kr):
    page = member.get(reverse("objectives:kr", kwargs={"org_slug": "acme", "kr_id": my_kr.pk}))
    html = page.content.decode()
    assert f'id="kr-{my_kr.pk}-card"' in html and f'id="kr-history-{my_kr.pk}"' in html
    body = _post(member, my_kr, html, value="65").content.decode()
    card = _fragment(body, f"kr-{my_kr.pk}-card")
    assert "<dt>Current</dt><dd>65</dd>" in card
    assert "65%" in card and "At risk" in card
    history = _fragment(body, f"kr-history-{my_kr.pk}")
    assert "65 <span" in history and "(was 0)" in history
    assert history.count("<circle") == 2  # the chart: the start and the check-in


def test_the_objective_page_gets_the_card_and_its_chart(member, family):
    parent, child, kr = family
    url = reverse("objectives:objective", kwargs={"org_slug": "acme", "objective_id": child.pk})
    html = member.get(url).content.decode()
    body = _post(member, kr, html).content.decode()
    assert 'aria-label="Objective progress: 20%"' in _fragment(
        body, f"objective-{child.pk}-progress"
    )
    assert "(now 40)" in _fragment(body, f"kr-{kr.pk}-values")
    assert "<svg" in _fragment(body, f"objchart-{child.pk}-card")
    # The alignment panel's "This objective" step: its own progress (nothing aligns to it).
    own = _fragment(body, f"objective-{child.pk}-own")
    assert "own</span> 20%" in own and "aligned" not in own


def test_the_alignment_panel_of_an_objective_with_children_gets_own_and_aligned(member, family):
    parent, child, kr = family
    parent_kr = parent.key_results.get()
    url = reverse("objectives:objective", kwargs={"org_slug": "acme", "objective_id": parent.pk})
    html = member.get(url).content.decode()
    assert f'id="objective-{parent.pk}-own-aligned"' in html
    body = _post(member, parent_kr, html, value="50").content.decode()
    panel_step = _fragment(body, f"objective-{parent.pk}-own-aligned")
    # Own: 50%; aligned: (50% + the child's 0%) / 2.
    assert "own</span> 50%" in panel_step and "aligned</span> 25%" in panel_step
    card = _fragment(body, f"objective-{parent.pk}-progress")
    assert "With what aligns to it: 25%" in card


def test_the_form_shows_the_stored_state_labelled_and_what_the_preview_needs(member, my_kr):
    url = reverse("checkins:create", kwargs={"org_slug": "acme", "kr_id": my_kr.pk})
    my_kr.current_value = Decimal(25)
    my_kr.save()
    body = member.get(url, **HX).content.decode()
    assert "Currently 25 (25%)" in body
    assert 'data-kind="increase"' in body or 'data-kind="' in body
    assert 'data-start="0' in body and 'data-target="100' in body
    assert "Now 25" not in body


@pytest.mark.parametrize("krs", [2, 30])
def test_the_answer_costs_no_query_per_kr(
    org, period, member, member_membership, krs, django_assert_max_num_queries
):
    parent = ObjectiveFactory(org=org, period=period, owner=member_membership)
    for _ in range(krs):
        KeyResultFactory(objective=parent)
    child = ObjectiveFactory(org=org, period=period, owner=member_membership, parent=parent)
    kr = KeyResultFactory(objective=child)
    for _ in range(krs - 1):
        KeyResultFactory(objective=child)
    html = _my_page(member)
    with CaptureQueriesContext(connection) as without_regions:
        _post(member, kr, "", value="10")
    # The regions cost three queries: the objective's ancestors, the objectives, their KRs.
    assert len(without_regions) <= 18
    with django_assert_max_num_queries(len(without_regions) + 3):
        body = _post(member, kr, html).content.decode()
    assert body.count('hx-swap-oob="true"') == 5  # values, status, confidence, 2 objectives


def test_deleting_a_checkin_on_the_kr_page_puts_the_header_card_and_form_back(member, my_kr):
    kr_page = reverse("objectives:kr", kwargs={"org_slug": "acme", "kr_id": my_kr.pk})
    _post(member, my_kr, value="30")
    _post(member, my_kr, value="65")
    html = member.get(kr_page).content.decode()
    assert "<dt>Current</dt><dd>65</dd>" in html
    latest = my_kr.checkins.order_by("-created_at", "-id").first()
    delete = reverse("checkins:delete", kwargs={"org_slug": "acme", "checkin_id": latest.pk})
    response = member.post(delete, HTTP_X_LIVE_REGIONS=_live_regions(html), **HX)
    body = response.content.decode()
    # The history itself (the answer's target), without the deleted row.
    history = re.search(rf'<section[^>]*id="kr-history-{my_kr.pk}"[^>]*>', body).group(0)
    assert "hx-swap-oob" not in history
    assert "(was 30)" not in body and "(was 0)" in body
    assert "<dt>Current</dt><dd>30</dd>" in _fragment(body, f"kr-{my_kr.pk}-card")
    form = _fragment(body, f"checkin-{my_kr.pk}")
    assert "Currently 30 (30%)" in form and 'id="checkin" open' in form
    assert f'name="next" value="{kr_page}"' in form


def test_the_team_page_gets_the_team_objectives_card_regions(
    org, period, team, manager, manager_membership
):
    objective = ObjectiveFactory(
        org=org, period=period, level=Objective.Level.TEAM, team=team, owner=None, title="Team"
    )
    kr = KeyResultFactory(objective=objective, owner=manager_membership, target_value=200)
    page = reverse("objectives:team", kwargs={"org_slug": "acme", "team_id": team.pk})
    html = manager.get(page, {"period": period.pk}).content.decode()
    assert f'id="objective-{objective.pk}-progress"' in html
    body = _post(manager, kr, html, value="50").content.decode()
    assert "(now 50)" in _fragment(body, f"kr-{kr.pk}-values")
    progress = _fragment(body, f"objective-{objective.pk}-progress")
    assert 'aria-label="Objective progress: 25%"' in progress


def test_a_kr_on_someone_elses_objective_gets_its_row_on_my_okrs(
    org, period, member, member_membership, admin_membership
):
    theirs = ObjectiveFactory(org=org, period=period, owner=admin_membership, title="Theirs")
    kr = KeyResultFactory(objective=theirs, owner=member_membership, title="Mine on theirs")
    html = _my_page(member)
    assert f'id="kr-{kr.pk}-status"' in html
    assert f'id="objective-{theirs.pk}-progress"' not in html  # listed as a row, no card
    body = _post(member, kr, html, value="35").content.decode()
    assert "35%" in _fragment(body, f"kr-{kr.pk}-status")
    assert body.count('hx-swap-oob="true"') == 1
