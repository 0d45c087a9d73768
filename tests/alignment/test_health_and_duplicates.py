"""The health score formula and the duplicate detector."""

import pytest
from django import forms
from django.db import connection
from django.template import Context, Template

from alignment import duplicates
from alignment.health import alignment_health
from objectives.models import Objective


@pytest.mark.parametrize(
    ("coverage", "aligned", "support", "duplicated", "expected"),
    [
        (1, 1, 1, 0, 100),
        (0, 0, 0, 1, 0),
        (0.5, 0.5, 0.5, 0.5, 50),
        (1, 0, 0, 0, 45),  # (30 + 15) / 100
        (0.8, 0.6, 0.5, 0.1, 68),  # 24 + 18 + 12.5 + 13.5
        (None, 1, None, 0, 100),  # unmeasurable parts are left out
        (None, 0.5, None, None, 50),
        (None, None, None, None, None),
        (1.7, -1, 1, 0, 70),  # out-of-range inputs are clamped: (30 + 0 + 25 + 15) / 100
    ],
)
def test_health_formula(coverage, aligned, support, duplicated, expected):
    assert (
        alignment_health(
            coverage=coverage,
            aligned_share=aligned,
            support_share=support,
            duplicate_share=duplicated,
        )
        == expected
    )


@pytest.fixture
def near_pair_and_noise(make_objective):
    a = make_objective(
        "team:marketing",
        "q2",
        title="Launch a partner programme in Japan",
        description="Sign resellers in Tokyo and Osaka",
    )
    b = make_objective(
        "team:sales",
        "q2",
        title="Launch the partner program in Japan",
        description="Sign resellers in Osaka and Tokyo",
    )
    c = make_objective(
        "team:sales", "q2", title="Cut cloud costs by a fifth", description="Rightsize servers"
    )
    d = make_objective(
        "team:growth", "q2", title="Hire two senior engineers", description="Backend and mobile"
    )
    return a, b, c, d


@pytest.mark.django_db
def test_trigram_similarity_finds_the_near_duplicate_only(org, near_pair_and_noise):
    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("SELECT extname FROM pg_extension WHERE extname = 'pg_trgm'")
        assert cursor.fetchone() is not None  # enabled by the alignment migration
    a, b, c, d = near_pair_and_noise
    # Saving the objectives stored their look-alikes (through the trigram index).
    pairs = duplicates.stored_pairs(org.pk, [a.pk, b.pk, c.pk, d.pk])
    assert [(p.first_id, p.second_id) for p in pairs] == [(a.pk, b.pk)]
    assert pairs[0].score >= duplicates.THRESHOLD
    # Rebuilding the whole company in one statement finds the same.
    duplicates.refresh_similar_for_org(org.pk)
    rebuilt = duplicates.stored_pairs(org.pk, [a.pk, b.pk, c.pk, d.pk])
    assert [(p.first_id, p.second_id) for p in rebuilt] == [(a.pk, b.pk)]
    assert rebuilt[0].score == pytest.approx(pairs[0].score, abs=1e-6)


@pytest.mark.django_db
def test_fallback_without_postgresql_finds_the_same_pair(org, near_pair_and_noise, monkeypatch):
    a, b, c, d = near_pair_and_noise
    ids = [a.pk, b.pk, c.pk, d.pk]
    on_postgres = duplicates.stored_pairs(org.pk, ids)
    monkeypatch.setattr(connection, "vendor", "sqlite")
    duplicates.refresh_similar(a)
    pairs = duplicates.stored_pairs(org.pk, ids)
    assert [(p.first_id, p.second_id) for p in pairs] == [(a.pk, b.pk)]
    assert pairs[0].score == pytest.approx(on_postgres[0].score, abs=1e-6)
    duplicates.refresh_similar_for_org(org.pk)
    assert [(p.first_id, p.second_id) for p in duplicates.stored_pairs(org.pk, ids)] == [
        (a.pk, b.pk)
    ]


@pytest.mark.django_db
def test_editing_an_objectives_text_updates_its_look_alikes(org, near_pair_and_noise):
    a, b, c, d = near_pair_and_noise
    b.title = "Hire a head of people"
    b.description = "Someone to lead recruiting"
    b.save()
    assert duplicates.stored_pairs(org.pk, [a.pk, b.pk, c.pk, d.pk]) == []


@pytest.mark.django_db
def test_same_team_lookalikes_are_not_duplicates(admin, make_objective, periods):
    for title in ("Publish the monthly product newsletter", "Publish a monthly product newsletter"):
        make_objective("team:marketing", "q2", title=title)
    body = admin.get(f"/acme/alignment/dashboard/?period={periods['q2'].pk}").content.decode()
    section = body[body.index("Possible duplicated") : body.index("At risk")]
    assert "newsletter" not in section


class _ParentForm(forms.Form):
    parent = forms.ModelChoiceField(queryset=Objective.objects.none(), required=False)


@pytest.mark.django_db
def test_parent_picker_include_keeps_the_plain_select(org):
    html = Template('{% include "alignment/_parent_picker.html" with field=form.parent %}').render(
        Context({"form": _ParentForm(), "org": org})
    )
    assert '<select name="parent"' in html and 'id="id_parent"' in html
    assert 'hx-get="/acme/alignment/picker/?field_id=id_parent&amp;krs=1"' in html
    assert 'hx-target="#id_parent-picker"' in html


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Cut customer onboarding time in half", "Halve the time it takes to onboard a customer"),
        ("Grow brand value in APAC", "Grow our APAC brand value"),
        ("Hire 5 engineers", "Close the books in five working days"),
        ("Ship v2.0 — faster!", "ship V2 faster"),
    ],
)
def test_python_trigram_similarity_matches_postgresql(db, a, b):
    """The SQLite fallback scores exactly like pg_trgm, so both find the same pairs."""
    from django.db import connection

    from alignment.duplicates import trigram_similarity

    with connection.cursor() as cursor:
        cursor.execute("SELECT similarity(lower(%s), lower(%s))", [a, b])
        expected = cursor.fetchone()[0]
    assert trigram_similarity(a, b) == pytest.approx(expected, abs=1e-6)
