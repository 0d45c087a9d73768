"""Dashboards agree with themselves: each figure counts the same set of objectives as the
list beside it, every figure and list names its period, and company objectives are never
called unaligned."""

import re

import pytest
from django.urls import reverse

from objectives.models import Objective
from tests.factories import KeyResultFactory, ObjectiveFactory

pytestmark = pytest.mark.django_db

ABANDONED = Objective.Status.ABANDONED
PRIVATE = Objective.Visibility.PRIVATE


def url(name, **kwargs):
    return reverse(f"alignment:{name}", kwargs={"org_slug": "acme", **kwargs})


def section(html: str, list_id: str) -> str:
    found = re.search(rf'<section[^>]*id="{list_id}"[^>]*>(.*?)</section>', html, re.S)
    assert found, f"no {list_id} on the page"
    return found.group(1)


def listed(html: str, list_id: str) -> list[str]:
    """The titles a dashboard list shows (its rows' first links)."""
    rows = re.findall(r"<li[^>]*>(.*?)</li>", section(html, list_id), re.S)
    return [re.search(r"<a [^>]*>([^<]*)</a>", row).group(1) for row in rows]


def list_total(html: str, list_id: str) -> int:
    return int(re.search(r'class="badge list-total">(\d+)<', section(html, list_id)).group(1))


def figure(html: str, container: str) -> tuple[int, int]:
    """The "N of M" of a figure card or a list's own figure line."""
    found = re.search(
        rf'id="{container}".*?fig-part">(\d+)</span> of <span class="fig-whole">(\d+)<', html, re.S
    )
    assert found, f"no figure in {container}"
    return int(found.group(1)), int(found.group(2))


@pytest.fixture
def company(org, periods, teams, make_objective, member_membership):
    """The year's company objectives, seen from Q3:
    supported by Q2 work (another period), by abandoned work only, by nothing, by private
    work only, and one abandoned company objective (not counted anywhere)."""
    by_q2 = make_objective("company", "year", title="Grow in APAC")
    make_objective("team:marketing", "q2", parent=by_q2, title="Q2 campaign")
    by_abandoned = make_objective("company", "year", title="Cut churn")
    make_objective("team:sales", "q3", parent=by_abandoned, status=ABANDONED, title="Old try")
    nobody = make_objective("company", "year", title="Carbon neutral")
    by_private = make_objective("company", "year", title="Hire well")
    make_objective("individual", "q3", owner=member_membership, parent=by_private, title="Me")
    Objective.objects.filter(title="Me").update(visibility=PRIVATE)
    make_objective("company", "year", status=ABANDONED, title="Dropped goal")
    # Marketing's own objectives in Q3: one supported, one not; one aligns to nothing.
    supported = make_objective("team:marketing", "q3", parent=by_q2, title="Team supported")
    make_objective(
        "individual", "q3", owner=member_membership, parent=supported, title="Mine for team"
    )
    make_objective("team:marketing", "q3", title="Team alone")
    KeyResultFactory(objective=supported, current_value=37)  # a third of the way: 37%
    return {"nobody": nobody, "by_abandoned": by_abandoned}


def test_company_supported_figure_counts_the_nobody_supports_list(admin, periods, company):
    html = admin.get(url("dashboard"), {"period": periods["q3"].pk}).content.decode()
    supported, top = figure(html, "fig-supported")
    # Supported from another period (Q2) and by private work count; abandoned work does not.
    assert (supported, top) == (2, 4)
    unsupported = listed(html, "list-unsupported")
    assert sorted(unsupported) == ["Carbon neutral", "Cut churn"]
    assert len(unsupported) == top - supported == list_total(html, "list-unsupported")
    assert "Dropped goal" not in html


def test_aligned_figure_counts_the_not_aligned_list(admin, periods, company):
    html = admin.get(url("dashboard"), {"period": periods["q3"].pk}).content.decode()
    aligned, alignable = figure(html, "fig-aligned")
    unaligned = listed(html, "list-unaligned")
    assert unaligned == ["Team alone"]  # company objectives are never "not aligned"
    assert len(unaligned) == alignable - aligned == list_total(html, "list-unaligned")


def test_team_dashboard_lists_what_its_figures_count(manager, periods, company):
    html = manager.get(url("dashboard"), {"period": periods["q3"].pk}).content.decode()
    supported, top = figure(html, "fig-supported")
    team_list = listed(html, "list-unsupported-team")
    assert team_list == ["Team alone"]
    assert len(team_list) == top - supported == list_total(html, "list-unsupported-team")
    # The company objectives' panel carries its own figure, which its list matches.
    company_supported, company_top = figure(html, "list-unsupported")
    company_list = listed(html, "list-unsupported")
    assert len(company_list) == company_top - company_supported
    assert sorted(company_list) == ["Carbon neutral", "Cut churn"]


def test_every_list_total_is_its_length_and_names_the_period(admin, manager, periods, company):
    for client in (admin, manager):
        html = client.get(url("dashboard"), {"period": periods["q3"].pk}).content.decode()
        for list_id in re.findall(r'<section[^>]*id="(list-[\w-]+)"', html):
            assert list_total(html, list_id) == len(listed(html, list_id)), list_id
            assert "in Q3 2031" in section(html, list_id), list_id
        for card in ("fig-coverage", "fig-aligned", "fig-supported"):
            card_html = re.search(rf'id="{card}".*?</div>', html, re.S).group(0)
            assert "in Q3 2031" in card_html, card
        assert "counts <strong>Q3 2031</strong>" in html
        assert not re.search(r"\d\.\d{3,}%", html)  # progress as percent, not a raw fraction
        assert "2031" in html  # the overlapping year is named beside it


def test_unsupported_rows_link_to_a_supporting_objective_form(admin, periods, company):
    html = admin.get(url("dashboard"), {"period": periods["q3"].pk}).content.decode()
    new = reverse("objectives:objective-new", kwargs={"org_slug": "acme"})
    rows = section(html, "list-unsupported")
    for objective in (company["nobody"], company["by_abandoned"]):
        assert f'href="{new}?parent={objective.pk}"' in rows
    assert "Write a supporting objective" in rows


def test_a_company_objective_page_says_what_it_serves(admin, member, org, periods, company):
    page = reverse(
        "objectives:objective", kwargs={"org_slug": "acme", "objective_id": company["nobody"].pk}
    )
    for client in (admin, member):
        body = client.get(page).content.decode()
        assert "Not aligned to anything yet" not in body
        assert "A company objective: it serves" in body
        assert "people align to it" in body
        assert '<option value="">Not aligned</option>' not in body  # nor in the picker
    assert (
        '<option value="">None: a company objective serves the vision</option>'
        in admin.get(page).content.decode()
    )


def test_an_individual_objective_still_says_it_is_not_aligned(member, member_membership, periods):
    mine = ObjectiveFactory(
        org=member_membership.org, period=periods["q3"], owner=member_membership
    )
    KeyResultFactory(objective=mine)
    page = reverse("objectives:objective", kwargs={"org_slug": "acme", "objective_id": mine.pk})
    assert "Not aligned to anything yet" in member.get(page).content.decode()


def test_without_company_objectives_the_dashboard_says_so_and_offers_the_first(
    admin, manager, periods, make_objective
):
    make_objective("team:marketing", "q3", title="Team work without a company goal")
    html = admin.get(url("dashboard"), {"period": periods["q3"].pk}).content.decode()
    unsupported = section(html, "list-unsupported")
    # Not "every company objective has something aligned to it" when there are none.
    assert "Every company objective" not in unsupported
    assert "No company objective in Q3 2031 yet" in unsupported
    assert f"?level=company&amp;period={periods['q3'].pk}" in unsupported
    # Managers are told the same, without the admin's link.
    html = manager.get(url("dashboard"), {"period": periods["q3"].pk}).content.decode()
    unsupported = section(html, "list-unsupported")
    assert "No company objective in Q3 2031 yet" in unsupported
    assert "level=company" not in unsupported


def test_the_histogram_mentions_objectives_without_key_results_only_when_there_are_some(
    admin, periods, make_objective
):
    make_objective("team:marketing", "q3", title="No KRs yet")
    html = admin.get(url("dashboard"), {"period": periods["q3"].pk}).content.decode()
    assert "Not shown: 1 objective without key results yet." in html
    html = admin.get(url("dashboard"), {"period": periods["q2"].pk}).content.decode()
    assert "without key results" not in html  # not "0 objectives without key results"
