"""Search: what the navigation's box and the results page find, and what they never show."""

import datetime

import pytest
from django.urls import reverse

from objectives.models import Objective
from search import selectors
from search.views import DROPDOWN_LIMIT, PAGE_LIMIT
from tests.factories import (
    KeyResultFactory,
    MembershipFactory,
    ObjectiveFactory,
    PeriodFactory,
    TeamFactory,
)

DROPDOWN = {"HX-Request": "true", "HX-Target": "nav-search-results"}


def search_url(org):
    return reverse("search:results", kwargs={"org_slug": org.slug})


@pytest.fixture(params=["private", "draft"])
def secret(org, period, admin_membership, request):
    """A private objective of the admin's (and, the second time, a public draft), with a key
    result, both with a findable word."""
    hiding = {
        "private": {"visibility": Objective.Visibility.PRIVATE},
        "draft": {"status": Objective.Status.DRAFT},
    }[request.param]
    objective = ObjectiveFactory(
        org=org,
        period=period,
        owner=admin_membership,
        title="Quietly acquire Zanzibar Corp",
        **hiding,
    )
    KeyResultFactory(objective=objective, title="Sign the Zanzibar term sheet")
    return objective


def test_finds_objectives_key_results_people_and_teams(member, org, period, member_membership):
    objective = ObjectiveFactory(
        org=org, period=period, owner=member_membership, title="Grow the Walrus community"
    )
    kr = KeyResultFactory(objective=objective, title="Reach 500 walrus fans")
    person = MembershipFactory(org=org, user__full_name="Wally Walrus", job_title="Keeper")
    team = TeamFactory(org=org, name="Walrus Team")
    page = member.get(search_url(org), {"q": "walrus"}).content.decode()
    assert f'href="/acme/objectives/{objective.pk}/"' in page
    assert f'href="/acme/krs/{kr.pk}/"' in page
    assert f'href="/acme/people/{person.pk}/"' in page
    assert f'href="/acme/teams/{team.pk}/"' in page
    assert "Keeper" in page and "in Grow the Walrus community" in page


def test_matching_ignores_case_and_finds_words_inside_titles_and_descriptions(
    member, org, period, member_membership
):
    ObjectiveFactory(org=org, period=period, owner=member_membership, title="Delight CUSTOMERS")
    ObjectiveFactory(
        org=org, period=period, owner=member_membership, title="Ship", description="for customers"
    )
    ObjectiveFactory(org=org, period=period, owner=member_membership, title="Unrelated")
    page = member.get(search_url(org), {"q": "  Custom "}).content.decode()
    assert "Delight CUSTOMERS" in page and ">Ship<" in page
    assert "Unrelated" not in page


@pytest.mark.parametrize("headers", [{}, DROPDOWN], ids=["page", "dropdown"])
def test_private_objective_and_its_key_results_never_show_to_those_who_may_not_see_them(
    member, admin, org, secret, headers
):
    hidden = member.get(search_url(org), {"q": "zanzibar"}, headers=headers).content.decode()
    assert "Zanzibar" not in hidden.replace("zanzibar", "")  # only the query echoed back
    assert f"/objectives/{secret.pk}/" not in hidden
    assert "Nothing found" in hidden
    # The owner (here an admin, who sees everything) finds both.
    shown = admin.get(search_url(org), {"q": "zanzibar"}, headers=headers).content.decode()
    assert "Quietly acquire Zanzibar Corp" in shown
    assert "Sign the Zanzibar term sheet" in shown


def test_a_private_objective_is_found_by_its_owner(member, org, period, member_membership):
    ObjectiveFactory(
        org=org,
        period=period,
        owner=member_membership,
        title="My private plan",
        visibility=Objective.Visibility.PRIVATE,
    )
    assert "My private plan" in member.get(search_url(org), {"q": "private"}).content.decode()


def test_people_are_active_members_of_this_company_only(member, org, other_org):
    MembershipFactory(org=org, user__full_name="Petra Present")
    MembershipFactory(org=org, user__full_name="Peter Past", is_active=False)
    MembershipFactory(org=other_org, user__full_name="Pia Elsewhere")
    TeamFactory(org=other_org, name="Pe Team Elsewhere")
    page = member.get(search_url(org), {"q": "pe"}).content.decode()
    assert "Petra Present" in page
    assert "Peter Past" not in page and "Pia Elsewhere" not in page
    assert "Pe Team Elsewhere" not in page


def test_empty_query_shows_a_hint_and_the_dropdown_nothing(member, org):
    response = member.get(search_url(org))
    assert response.status_code == 200
    assert "Type a few letters" in response.content.decode()
    dropdown = member.get(search_url(org), {"q": "   "}, headers=DROPDOWN).content.decode()
    assert "search-dropdown" not in dropdown and "Nothing found" not in dropdown


def test_one_letter_asks_for_another_instead_of_listing_everything(
    member, org, period, member_membership
):
    ObjectiveFactory(org=org, period=period, owner=member_membership, title="Grow")
    page = member.get(search_url(org), {"q": "g"}).content.decode()
    assert "Type at least two letters" in page and ">Grow<" not in page
    dropdown = member.get(search_url(org), {"q": "g"}, headers=DROPDOWN).content.decode()
    assert "Type one more letter" in dropdown and ">Grow<" not in dropdown
    assert ">Grow<" in member.get(search_url(org), {"q": "gr"}).content.decode()


@pytest.mark.parametrize(
    "junk",
    ["%", "%_", "\\\\", "'; drop table x; --", "<script>alert(1)</script>", "a\x00b", "é" * 500],
)
def test_junk_queries_answer_a_page(member, org, junk):
    response = member.get(search_url(org), {"q": junk})
    assert response.status_code == 200
    assert "<script>alert" not in response.content.decode()


def test_percent_and_underscore_match_literally(member, org, period, member_membership):
    ObjectiveFactory(org=org, period=period, owner=member_membership, title="Cut churn by 5%")
    ObjectiveFactory(org=org, period=period, owner=member_membership, title="Cut churn by half")
    page = member.get(search_url(org), {"q": "5%"}).content.decode()
    assert "Cut churn by 5%" in page and "Cut churn by half" not in page


def test_dropdown_lists_a_few_of_each_kind_and_links_to_all_results(
    member, org, period, member_membership
):
    for i in range(DROPDOWN_LIMIT + 2):
        ObjectiveFactory(org=org, period=period, owner=member_membership, title=f"Grow line {i}")
    response = member.get(search_url(org), {"q": "grow"}, headers=DROPDOWN)
    html = response.content.decode()
    assert "<html" not in html  # a fragment, not the page
    assert html.count("Grow line") == DROPDOWN_LIMIT
    assert "All results for “grow”" in html and "/acme/search/?q=grow" in html
    assert "5 results and more" in html  # said to screen readers (role=status)
    page = member.get(search_url(org), {"q": "grow"}).content.decode()
    assert page.count("Grow line") == DROPDOWN_LIMIT + 2


def test_titles_starting_with_the_query_come_first(member, org, period, member_membership):
    ObjectiveFactory(org=org, period=period, owner=member_membership, title="Aa: we grow")
    ObjectiveFactory(org=org, period=period, owner=member_membership, title="Grow revenue")
    page = member.get(search_url(org), {"q": "grow"}).content.decode()
    assert page.index("Grow revenue") < page.index("Aa: we grow")


def test_every_company_page_has_the_search_box(member, org):
    page = member.get(reverse("objectives:my", kwargs={"org_slug": org.slug})).content.decode()
    assert 'id="nav-search-q"' in page
    assert 'hx-trigger="input changed delay:250ms, search"' in page
    assert 'action="/acme/search/"' in page
    assert "js/search.js" in page


@pytest.mark.parametrize("size", [3, 40])
@pytest.mark.parametrize("headers", [{}, DROPDOWN], ids=["page", "dropdown"])
def test_search_has_bounded_queries(
    django_assert_max_num_queries, member, org, period, team, member_membership, size, headers
):
    for i in range(size):
        objective = ObjectiveFactory(
            org=org, period=period, owner=member_membership, title=f"Grow part {i}", team=team
        )
        KeyResultFactory(objective=objective, title=f"Grow measure {i}")
        MembershipFactory(org=org, user__full_name=f"Grow Person {i}")
        TeamFactory(org=org, name=f"Grow Team {i}")
    # Session, membership, permission facts, one query per kind, the navigation's companies.
    with django_assert_max_num_queries(9):
        response = member.get(search_url(org), {"q": "grow"}, headers=headers)
    limit = DROPDOWN_LIMIT if headers else PAGE_LIMIT
    html = response.content.decode()
    for label in ("Grow part", "Grow measure", "Grow Person", "Grow Team"):
        assert html.count(f">{label} ") == min(size, limit), label


def test_each_kind_is_matched_through_a_trigram_index(org, member_membership):
    """On PostgreSQL every kind's statement, as the search runs it, can use its pg_trgm
    index (not a scan of the table)."""
    from django.db import connection

    indexes = {
        "objectives": "objective_text_trgm_idx",
        "key_results": "search_kr_title_trgm_idx",
        # People are matched on their user's row: the index is on ``accounts_user``.
        "people": "search_user_name_email_trgm_idx",
        "teams": "search_team_name_trgm_idx",
    }
    statements = selectors.statements(org, member_membership, "grow", limit=25)
    with connection.cursor() as cursor:
        # Only bitmap scans left: a GIN index, or nothing (a full scan of some other index is
        # no longer an option the planner may prefer on tiny tables).
        for setting in ("enable_seqscan", "enable_indexscan", "enable_indexonlyscan"):
            cursor.execute(f"SET LOCAL {setting} = off")
        # On tables this small a bitmap of the company's btree index would do as well; drop
        # those (inside the test's transaction, rolled back after it) to see the trigram one.
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename IN ('objectives_objective', "
            "'objectives_keyresult', 'organizations_membership', 'organizations_team', "
            "'accounts_user') AND indexdef NOT LIKE '%%gin_trgm_ops%%' AND indexname NOT IN "
            "(SELECT conname FROM pg_constraint)"
        )
        for (name,) in cursor.fetchall():
            cursor.execute(f'DROP INDEX "{name}"')
        # People: a tiny company's plan starts from its memberships, whatever the indexes;
        # the statement's expression on the user row is the indexed one (5,000 people use it,
        # docs/performance.md).
        sql, params = statements.pop("people")
        expression = "lower(u.full_name || ' ' || u.email)"
        assert expression in sql
        cursor.execute(
            f"EXPLAIN SELECT u.id FROM accounts_user u WHERE {expression} LIKE %s", ["%grow%"]
        )
        assert indexes["people"] in "\n".join(row[0] for row in cursor.fetchall())
        for kind, (sql, params) in statements.items():
            cursor.execute("EXPLAIN " + sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert indexes[kind] in plan, (kind, plan)


def test_the_cross_company_walkers_cover_the_search_page():
    from tests.test_tenancy_walker import company_patterns

    assert "search:results" in {name for _, name in company_patterns()}


@pytest.fixture
def next_quarter(org, period):
    """A later quarter, planned already (not current)."""
    start = period.end + datetime.timedelta(days=1)
    return PeriodFactory(
        org=org, name="Next quarter", start=start, end=start + datetime.timedelta(days=89)
    )


def test_the_current_period_comes_before_a_later_one(
    member, org, period, next_quarter, member_membership
):
    later = ObjectiveFactory(
        org=org, period=next_quarter, owner=member_membership, title="Grow next"
    )
    now = ObjectiveFactory(org=org, period=period, owner=member_membership, title="Grow now")
    KeyResultFactory(objective=later, title="Grow later signups")
    KeyResultFactory(objective=now, title="Grow current signups")
    page = member.get(search_url(org), {"q": "grow"}).content.decode()
    assert page.index(">Grow now<") < page.index(">Grow next<")
    assert page.index(">Grow current signups<") < page.index(">Grow later signups<")


def _krs(objective, titles):
    return [KeyResultFactory(objective=objective, title=title) for title in titles]


def test_beyond_the_ranked_candidates_a_more_specific_query_still_finds_it(
    monkeypatch, member, org, period, member_membership
):
    monkeypatch.setattr(selectors, "CANDIDATES", 3)
    objective = ObjectiveFactory(org=org, period=period, owner=member_membership, title="Plan")
    (old,) = _krs(objective, ["Regrow the walrus herd"])  # contains "grow", oldest
    _krs(objective, [f"Grow leads {i}" for i in range(4)])  # newer and starting with it
    page = member.get(search_url(org), {"q": "grow"}).content.decode()
    assert page.count(">Grow leads ") == 3 and "Regrow the walrus herd" not in page
    page = member.get(search_url(org), {"q": "walrus"}).content.decode()
    assert f'href="/acme/krs/{old.pk}/"' in page


def test_the_candidate_bound_keeps_starts_with_matches_and_counts_only_visible_ones(
    monkeypatch, member, org, period, member_membership, admin_membership
):
    """Ranked first are the key results starting with the query, however old, and only
    those the viewer may see fill the bound."""
    monkeypatch.setattr(selectors, "CANDIDATES", 3)
    mine = ObjectiveFactory(org=org, period=period, owner=member_membership, title="Plan")
    secret = ObjectiveFactory(
        org=org,
        period=period,
        owner=admin_membership,
        title="Secret plan",
        visibility=Objective.Visibility.PRIVATE,
    )
    _krs(mine, ["Grow early", "Grow second"])  # oldest
    _krs(secret, [f"Grow in secret {i}" for i in range(5)])  # newer, not the member's to see
    _krs(mine, [f"We grow {i}" for i in range(5)])  # newest, merely containing "grow"
    page = member.get(search_url(org), {"q": "grow"}).content.decode()
    assert "Grow in secret" not in page
    assert page.index(">Grow early<") < page.index(">We grow ")
    assert ">Grow second<" in page and page.count(">We grow ") == 1
