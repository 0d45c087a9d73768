"""The alignment map: its layered layout, what it shows to whom, and its query budgets."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from alignment import map_layout as ml
from alignment.nodes import Node
from objectives.models import Objective
from organizations.models import Organization, Period, Team
from tests.alignment.test_pages import build_company
from tests.factories import KeyResultFactory, MembershipFactory

PRIVATE = Objective.Visibility.PRIVATE


def url(name, **kwargs):
    return reverse(f"alignment:{name}", kwargs={"org_slug": "acme", **kwargs})


# Layout (no database) ---------------------------------------------------------------------------

ORG = Organization(slug="acme", name="Acme")
QUARTER = Period(name="Q2 2031", start=datetime.date(2031, 4, 1), end=datetime.date(2031, 6, 30))
TEAM = Team(pk=1, name="Marketing")
_ids = iter(range(1, 10_000))


def node(title="Objective", level="team", children=0, confidence="on_track", progress=None):
    objective = Objective(
        pk=next(_ids),
        level=level,
        title=title,
        period=QUARTER,
        team=TEAM if level == "team" else None,
        status="active",
        visibility="public",
        confidence=confidence,
        progress=progress,
        aligned_progress=progress,
    )
    return Node(objective=objective, child_count=children)


def overlaps(a, b):
    return not (
        a.x + ml.NODE_W <= b.x
        or b.x + ml.NODE_W <= a.x
        or a.y + ml.NODE_H <= b.y
        or b.y + ml.NODE_H <= a.y
    )


def test_titles_wrap_on_two_lines_and_long_ones_are_cut_with_an_ellipsis():
    assert ml.wrap_title("Grow brand value in APAC") == ["Grow brand value in APAC"]
    lines = ml.wrap_title("Build a stronger social-media presence across the whole APAC region")
    assert len(lines) == 2 and lines[1].endswith("…")
    assert all(len(line) <= ml.TITLE_CHARS for line in lines)
    assert lines[0] == "Build a stronger"
    assert ml.wrap_title("x" * 80)[0].endswith("…")
    assert ml.truncate("Short", 10) == "Short"


def test_company_objectives_on_top_their_children_below_and_the_unaligned_at_the_side():
    small = ml.Branch(
        node=node("A", "company", 3), children=[node(f"a{i}") for i in range(3)], total=3
    )
    wide = ml.Branch(
        node=node("B", "company", 7), children=[node(f"b{i}") for i in range(7)], total=7
    )
    alone = ml.Branch(node=node("C", "company", 0), children=[], total=0)
    others = [node(f"loose {i}", "individual") for i in range(3)]
    layout = ml.layout_map(ORG, [small, wide, alone], others, others_label="Not aligned")
    by_title = {box.title: box for box in layout.boxes + layout.side.boxes}
    tops = [by_title[t] for t in "ABC"]
    assert len({box.y for box in tops}) == 1  # one layer for the company
    for branch in (small, wide):
        parent = by_title[branch.node.objective.title]
        kids = [by_title[c.objective.title] for c in branch.children]
        assert all(k.y >= parent.bottom + ml.ROW_GAP for k in kids)
        first_row = [k for k in kids if k.y == kids[0].y]
        centre = (first_row[0].x + first_row[-1].x + ml.NODE_W) / 2
        assert abs(centre - parent.cx) <= 1  # the parent sits above the middle of its block
        for kid in kids:  # an edge reaches down to each child's top
            assert f"M{kid.cx} {kid.y - ml.BUS_DROP}V{kid.y}" in layout.edges
    assert len({by_title[f"b{i}"].y for i in range(7)}) == 2  # seven children wrap at five
    side = [by_title[f"loose {i}"] for i in range(3)]
    main_right = max(b.x for b in layout.boxes) + ml.NODE_W
    assert all(box.x >= main_right + ml.SIDE_GAP for box in side)
    assert layout.side.labels[0].text == "Not aligned"
    boxes = layout.boxes + layout.side.boxes
    assert not [(a.title, b.title) for a in boxes for b in boxes if a is not b and overlaps(a, b)]
    assert all(b.x + ml.NODE_W <= layout.width and b.bottom <= layout.height for b in boxes)
    # Company boxes show their children already: no open button; the children have theirs.
    assert not by_title["A"].children_url
    assert by_title["a0"].children_url == ""  # nothing aligns to it


def test_a_band_hangs_centred_below_its_origin_and_links_to_what_it_leaves_out():
    parent = node("Parent", "team", 30)
    children = [node(f"c{i}", "individual", children=i % 2) for i in range(ml.CHILD_LIMIT)]
    band = ml.layout_band(ORG, ml.Branch(node=parent, children=children, total=30))
    assert len(band.boxes) == ml.CHILD_LIMIT and len(band.more) == 1
    assert band.more[0].text == "6 more in the list"
    assert band.more[0].url == f"/acme/alignment/objectives/{parent.pk}/"
    xs = [b.x for b in band.boxes] + [band.more[0].x]
    assert min(xs) == -(max(xs) + ml.NODE_W)  # centred on the parent's edge
    assert f"M0 0V{min(b.y for b in band.boxes) - ml.BUS_DROP}" in band.edges
    assert band.labels[0].text == "Aligned to “Parent”"
    opened = [b for b in band.boxes if b.children_url]
    assert opened and all(b.child_count for b in opened)
    assert opened[0].children_url == f"/acme/alignment/map/objectives/{opened[0].pk}/"


def test_a_box_says_its_progress_and_confidence_in_words():
    on = ml.box_for(ORG, node("Ship it", progress=Decimal("0.42")), 0, 0)
    assert on.percent == 42 and on.bar == round(ml.BAR_W * 0.42)
    assert on.confidence == "on_track" and "progress 42%, On track" in on.label
    none = ml.box_for(ORG, node("Nothing yet", confidence=""), 0, 0)
    assert none.confidence == "none" and none.confidence_label == "No data"
    assert none.percent is None and "no progress" in none.label
    assert none.kicker == "Marketing · Q2 2031"


# Pages --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_map_draws_the_first_levels_and_links_views_both_ways(admin, org, periods, teams):
    build_company(org, periods, teams, 2)
    q2 = periods["q2"].pk
    body = admin.get(url("map"), {"period": q2}).content.decode()
    assert "Company goal 0" in body and "marketing plan 0" in body  # two layers drawn
    assert "Task 0.0" not in body  # the third opens on demand
    plan = Objective.objects.get(title="marketing plan 0")
    assert f'href="{url("map-children", objective_id=plan.pk)}"' in body
    assert 'aria-expanded="false"' in body and "Show the 2 objectives aligned to" in body
    assert f'href="/acme/objectives/{plan.pk}/"' in body  # click through
    assert 'role="group" aria-labelledby="map-heading"' in body
    assert f'href="{url("tree")}?period={q2}">List view' in body
    assert 'id="map-period"' in body and "style=" not in body and "<script>" not in body
    tree = admin.get(url("tree"), {"period": q2}).content.decode()
    assert f'href="{url("map")}?period={q2}"' in tree


@pytest.mark.django_db
def test_map_gathers_the_unaligned_at_the_side_and_links_to_the_rest(
    member, periods, make_objective
):
    make_objective("company", "q2", title="Big goal")
    for n in range(12):
        make_objective("individual", "q2", title=f"Loose {n:02}")
    body = member.get(url("map"), {"period": periods["q2"].pk}).content.decode()
    side = body[body.index("Not aligned to any objective you can see") :]
    assert side.count("<title>Loose ") == 10 and "2 more in Explore" in side
    assert "Big goal" not in side


@pytest.mark.django_db
def test_children_arrive_as_a_band_or_as_a_page_of_their_own(admin, org, periods, teams):
    build_company(org, periods, teams, 2)
    plan = Objective.objects.get(title="marketing plan 1")
    band = admin.get(url("map-children", objective_id=plan.pk), HTTP_HX_REQUEST="true")
    text = band.content.decode()
    assert text.startswith(f'<g class="map-band" data-parent="{plan.pk}"') and "<html" not in text
    assert "Task 1.0" in text and "Task 1.1" in text and "Aligned to “marketing plan 1”" in text
    page = admin.get(url("map-children", objective_id=plan.pk)).content.decode()
    assert "<html" in page and "Map: what aligns to “marketing plan 1”" in page
    assert "Task 1.1" in page and f'href="{url("subtree", objective_id=plan.pk)}"' in page


@pytest.mark.django_db
def test_private_objective_is_on_the_map_only_for_those_who_may_see_it(
    admin, member, make_objective, periods
):
    parent = make_objective("company", "q2", title="Company plan")
    team_goal = make_objective("team:marketing", "q2", title="Team goal", parent=parent)
    stranger = MembershipFactory(org=parent.org)
    hidden = make_objective(
        "individual", "q2", owner=stranger, parent=team_goal, visibility=PRIVATE, title="Quiet work"
    )
    make_objective("individual", "q2", parent=team_goal, title="Open work")
    secret_top = make_objective(
        "team:sales", "q2", owner=stranger, visibility=PRIVATE, title="Secret side"
    )
    mine = make_objective(
        "individual",
        "q2",
        owner=member.membership,
        parent=team_goal,
        visibility=PRIVATE,
        title="My quiet work",
    )
    q2 = {"period": periods["q2"].pk}
    children = url("map-children", objective_id=team_goal.pk)

    top = member.get(url("map"), q2).content.decode()
    assert "Secret side" not in top and "Show the 2 objectives aligned to “Team goal”" in top
    band = member.get(children, HTTP_HX_REQUEST="true").content.decode()
    assert "Quiet work" not in band.replace("My quiet work", "")
    assert "My quiet work" in band and "Open work" in band  # the owner sees their own
    assert member.get(url("map-children", objective_id=hidden.pk)).status_code == 404
    assert member.get(url("map-children", objective_id=secret_top.pk)).status_code == 404
    assert member.get(url("map-children", objective_id=mine.pk)).status_code == 200

    everything = admin.get(url("map"), q2).content.decode()
    assert "Secret side" in everything
    assert "Show the 3 objectives aligned to “Team goal”" in everything
    assert "Quiet work" in admin.get(children, HTTP_HX_REQUEST="true").content.decode()


@pytest.mark.django_db
def test_map_without_periods_or_objectives_says_what_to_do(admin, org):
    assert "No periods yet" in admin.get(url("map")).content.decode()


@pytest.mark.django_db
def test_many_children_are_capped_with_a_link_to_the_list(admin, make_objective, periods):
    goal = make_objective("company", "q2", title="Crowded goal")
    for n in range(ml.CHILD_LIMIT + 3):
        make_objective("individual", "q2", parent=goal, title=f"Helper {n:02}")
    body = admin.get(url("map"), {"period": periods["q2"].pk}).content.decode()
    assert len(re.findall(r"<title>Helper \d\d</title>", body)) == ml.CHILD_LIMIT
    assert "3 more in the list" in body and f'href="{url("subtree", objective_id=goal.pk)}"' in body


# Query budgets ------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("size", [1, 4])
def test_map_query_budget(admin, member, org, periods, teams, size, django_assert_max_num_queries):
    build_company(org, periods, teams, size)
    for client in (admin, member):
        # One query is the "also supports" links between the boxes drawn (dashed edges).
        with django_assert_max_num_queries(12):
            response = client.get(url("map"), {"period": periods["q2"].pk})
        assert response.status_code == 200
        assert f"sales plan {size - 1}" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("size", [1, 4])
def test_map_children_query_budget(
    member, org, periods, teams, size, django_assert_max_num_queries
):
    build_company(org, periods, teams, size)
    KeyResultFactory(objective=Objective.objects.get(title="Task 0.0"))
    plan = Objective.objects.get(title="marketing plan 0")
    with django_assert_max_num_queries(9):
        band = member.get(url("map-children", objective_id=plan.pk), HTTP_HX_REQUEST="true")
    assert f"Task 0.{size - 1}" in band.content.decode()
    with django_assert_max_num_queries(10):
        assert member.get(url("map-children", objective_id=plan.pk)).status_code == 200
