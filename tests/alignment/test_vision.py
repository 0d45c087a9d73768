"""The company's vision where it is quoted: whole, or cut at a word with "…" and a link to it."""

import html as html_lib

import pytest
from django.urls import reverse

from alignment.selectors import VISION_LIMIT, cut_at_word, vision_excerpt
from organizations.models import Organization

pytestmark = pytest.mark.django_db

# Words of varied length, so a cut at any character count can fall inside one.
LONG_VISION = (
    "Every operations team in the world runs on **Acme**: calm, measurable work\n"
    "that people are proud of. "
    + " ".join(
        f"Sentence {i} says extraordinarily considered things about teamwork." for i in range(12)
    )
    + " The very last words."
)


@pytest.mark.parametrize(
    ("text", "limit", "expected", "cut"),
    [
        ("Short and whole.", 40, "Short and whole.", False),
        ("exactly ten", 11, "exactly ten", False),
        ("alpha beta gamma", 12, "alpha beta…", True),  # "gamma" would be cut: left out
        ("alpha beta gamma", 11, "alpha beta…", True),  # the cut falls on the space
        ("alpha beta, gamma", 13, "alpha beta…", True),  # no dangling comma before "…"
        ("Supercalifragilistic", 8, "Superca…", True),  # one endless word: cut anyway
    ],
)
def test_cut_at_word(text, limit, expected, cut):
    excerpt = cut_at_word(text, limit)
    assert (excerpt.text, excerpt.cut) == (expected, cut)
    assert len(excerpt.text) <= limit


def test_a_vision_over_several_lines_is_quoted_whole():
    org = Organization(
        name="X", slug="x", vision="Every team runs on **Acme**: calm work\nthat people love."
    )
    excerpt = vision_excerpt(org)
    assert excerpt.text == "Every team runs on Acme: calm work that people love."
    assert not excerpt.cut


def test_a_heading_reads_as_the_start_of_the_sentence():
    org = Organization(name="X", slug="x", vision="# Our vision\n\nBe the most loved brand.")
    assert vision_excerpt(org).text == "Our vision: Be the most loved brand."


def test_a_long_vision_is_cut_at_a_word():
    excerpt = vision_excerpt(Organization(name="X", slug="x", vision=LONG_VISION))
    assert excerpt.cut and excerpt.text.endswith("…")
    assert len(excerpt.text) <= VISION_LIMIT
    kept = excerpt.text[:-1].split()
    # Every word kept is a whole word of the vision, in order.
    words = (
        "Every operations team in the world runs on Acme: calm, measurable work that people "
        "are proud of. "
        + " ".join(
            f"Sentence {i} says extraordinarily considered things about teamwork."
            for i in range(12)
        )
    ).split()
    assert words[: len(kept)] == kept


def _text(response):
    return " ".join(html_lib.unescape(response.content.decode()).split())


def _objective(org, period, membership):
    from tests.factories import ObjectiveFactory

    company = ObjectiveFactory(
        org=org, period=period, level="company", owner=None, title="Brand value"
    )
    return ObjectiveFactory(
        org=org, period=period, level="individual", owner=membership, parent=company
    )


def test_tree_and_contribution_path_quote_a_two_line_vision_whole(
    org, period, member, member_membership
):
    org.vision = "Every operations team runs on **Acme**: calm, measurable work\nthat people love."
    org.save()
    mine = _objective(org, period, member_membership)
    whole = "Every operations team runs on Acme: calm, measurable work that people love."
    tree = member.get(reverse("alignment:tree", kwargs={"org_slug": org.slug}))
    page = member.get(
        reverse("objectives:objective", kwargs={"org_slug": org.slug, "objective_id": mine.pk})
    )
    for response in (tree, page):
        assert whole in _text(response)
        assert "Read the whole vision" not in _text(response)


def test_tree_and_contribution_path_cut_a_long_vision_and_link_to_it(
    org, period, member, member_membership
):
    org.vision = LONG_VISION
    org.save()
    mine = _objective(org, period, member_membership)
    company_url = reverse("objectives:company", kwargs={"org_slug": org.slug})
    tree = member.get(reverse("alignment:tree", kwargs={"org_slug": org.slug}))
    page = member.get(
        reverse("objectives:objective", kwargs={"org_slug": org.slug, "objective_id": mine.pk})
    )
    for response in (tree, page):
        text = _text(response)
        assert "measurable work that people are proud of." in text
        assert "The very last words." not in text
        assert f'href="{company_url}#vision"' in response.content.decode()
        assert "Read the whole vision" in text
    company = member.get(company_url)
    assert "The very last words." in _text(company)
    assert 'id="vision"' in company.content.decode()
