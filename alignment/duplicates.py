"""Possible duplicated work: pairs of objectives of different teams with similar text.

Texts ("title + description", lower-cased) are compared with pg_trgm's ``similarity()``.
Comparing every pair of a period on each dashboard visit grows with the square of the
company, so pairs are found when an objective is saved (``refresh_similar``: one lookup in
the trigram index) and stored in ``SimilarObjectives``; dashboards read them
(``stored_pairs``). ``refresh_similar_for_org`` rebuilds a company's pairs in one statement
after bulk loads. Without PostgreSQL (SQLite, the embedded default) the same trigram
similarity is computed in Python, so both find the same pairs.
"""

import re
from typing import NamedTuple

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q

from objectives.models import Objective

from .models import DuplicateDismissal, SimilarObjectives

THRESHOLD = 0.4

# The look-alikes of one objective among the company's non-company objectives whose period
# overlaps its own; ``%`` uses the trigram index and pg_trgm.similarity_threshold.
_SIMILAR_TO_ONE_SQL = """
SELECT b.id, similarity(lower(b.title || ' ' || b.description), %(text)s)
FROM objectives_objective b
JOIN organizations_period p ON p.id = b.period_id
WHERE b.org_id = %(org)s AND b.id <> %(id)s AND b.level <> 'company'
  AND p.start <= %(end)s AND p."end" >= %(start)s
  AND lower(b.title || ' ' || b.description) %% %(text)s
"""

_ALL_PAIRS_SQL = """
INSERT INTO alignment_similarobjectives (org_id, first_id, second_id, score)
SELECT a.org_id, a.id, b.id,
       similarity(lower(a.title || ' ' || a.description), lower(b.title || ' ' || b.description))
FROM objectives_objective a
JOIN organizations_period pa ON pa.id = a.period_id
JOIN objectives_objective b
  ON b.org_id = a.org_id AND b.id > a.id AND b.level <> 'company'
 AND lower(b.title || ' ' || b.description) %% lower(a.title || ' ' || a.description)
JOIN organizations_period pb
  ON pb.id = b.period_id AND pb.start <= pa."end" AND pb."end" >= pa.start
WHERE a.org_id = %(org)s AND a.level <> 'company'
ON CONFLICT DO NOTHING
"""


# The same search for a text being written (the writing coach): no stored row yet, so the
# text is matched as typed; most similar first.
_SIMILAR_TO_TEXT_SQL = """
SELECT b.id, similarity(lower(b.title || ' ' || b.description), %(text)s) AS score
FROM objectives_objective b
JOIN organizations_period p ON p.id = b.period_id
WHERE b.org_id = %(org)s AND b.id <> %(id)s AND b.level <> 'company'
  AND p.start <= %(end)s AND p."end" >= %(start)s
  AND lower(b.title || ' ' || b.description) %% %(text)s
ORDER BY score DESC, b.id
LIMIT %(limit)s
"""


class SimilarPair(NamedTuple):  # a named tuple: dashboards read thousands of these
    first_id: int
    second_id: int
    score: float


def _text(objective: Objective) -> str:
    return f"{objective.title} {objective.description}".lower()


def trigrams(text: str) -> frozenset[str]:
    """pg_trgm's trigrams: each alphanumeric word padded with two spaces before, one after."""
    grams = set()
    for word in re.findall(r"[^\W_]+", text.lower()):
        padded = f"  {word} "
        grams.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return frozenset(grams)


def overlap(a: frozenset[str], b: frozenset[str]) -> float:
    """pg_trgm's ``similarity()`` of two trigram sets: shared over all distinct trigrams."""
    union = len(a | b)
    return len(a & b) / union if union else 0.0


def trigram_similarity(a: str, b: str) -> float:
    return overlap(trigrams(a), trigrams(b))


def _use_trigram_index() -> bool:
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('pg_trgm.similarity_threshold', %s, true)", [str(THRESHOLD)]
        )
    return True


def _overlapping_candidates(org_id, period, *, exclude_id=None):
    queryset = (
        Objective.objects.for_org(org_id)
        .exclude(level=Objective.Level.COMPANY)
        .filter(period__start__lte=period.end, period__end__gte=period.start)
        .only("id", "title", "description")
    )
    return queryset.exclude(pk=exclude_id) if exclude_id else queryset


@transaction.atomic
def refresh_similar(objective: Objective) -> None:
    """Store the look-alikes of one objective (after it was created or its text changed)."""
    SimilarObjectives.objects.filter(Q(first=objective) | Q(second=objective)).delete()
    if objective.level == Objective.Level.COMPANY:
        return
    text, period = _text(objective), objective.period
    if _use_trigram_index():
        with connection.cursor() as cursor:
            cursor.execute(
                _SIMILAR_TO_ONE_SQL,
                {
                    "text": text,
                    "org": objective.org_id,
                    "id": objective.pk,
                    "start": period.start,
                    "end": period.end,
                },
            )
            found = cursor.fetchall()
    else:
        grams = trigrams(text)
        found = [
            (other.pk, score)
            for other in _overlapping_candidates(objective.org_id, period, exclude_id=objective.pk)
            if (score := overlap(grams, trigrams(_text(other)))) >= THRESHOLD
        ]
    SimilarObjectives.objects.bulk_create(
        [
            SimilarObjectives(
                org_id=objective.org_id,
                first_id=min(objective.pk, other_id),
                second_id=max(objective.pk, other_id),
                score=score,
            )
            for other_id, score in found
        ],
        ignore_conflicts=True,
    )


@transaction.atomic  # pg_trgm's threshold is set for the transaction
def similar_to_text(
    org_id: int, text: str, period, *, exclude_id: int | None = None, limit: int = 20
) -> list[tuple[int, float]]:
    """``(id, score)`` of the company's non-company objectives whose period overlaps
    ``period`` and whose text looks like ``text`` (an objective being written), most similar
    first: the search ``refresh_similar`` stores pairs with, before anything is saved. Rows
    the person may not see are among them: the caller filters."""
    text = " ".join(text.lower().split())
    if len(text) < 4:
        return []
    if _use_trigram_index():
        with connection.cursor() as cursor:
            cursor.execute(
                _SIMILAR_TO_TEXT_SQL,
                {
                    "text": text,
                    "org": org_id,
                    "id": exclude_id or 0,
                    "start": period.start,
                    "end": period.end,
                    "limit": limit,
                },
            )
            return [(pk, float(score)) for pk, score in cursor.fetchall()]
    grams = trigrams(text)
    found = [
        (other.pk, score)
        for other in _overlapping_candidates(org_id, period, exclude_id=exclude_id)
        if (score := overlap(grams, trigrams(_text(other)))) >= THRESHOLD
    ]
    return sorted(found, key=lambda row: (-row[1], row[0]))[:limit]


@transaction.atomic
def refresh_similar_for_org(org_id: int) -> int:
    """Rebuild every stored pair of a company in one pass (after bulk inserts)."""
    SimilarObjectives.objects.for_org(org_id).delete()
    if _use_trigram_index():
        with connection.cursor() as cursor:
            cursor.execute(_ALL_PAIRS_SQL, {"org": org_id})
    else:
        objectives = list(
            Objective.objects.for_org(org_id)
            .exclude(level=Objective.Level.COMPANY)
            .select_related("period")
            .only("id", "title", "description", "period__start", "period__end")
            .order_by("id")
        )
        grams = [trigrams(_text(o)) for o in objectives]
        pairs = []
        for i, a in enumerate(objectives):
            for j in range(i + 1, len(objectives)):
                b = objectives[j]
                if b.period.start > a.period.end or b.period.end < a.period.start:
                    continue
                score = overlap(grams[i], grams[j])
                if score >= THRESHOLD:
                    pairs.append(
                        SimilarObjectives(org_id=org_id, first_id=a.pk, second_id=b.pk, score=score)
                    )
        SimilarObjectives.objects.bulk_create(pairs, batch_size=1000)
    return SimilarObjectives.objects.for_org(org_id).count()


def stored_pairs(org_id: int, objective_ids, *, without_dismissed=False) -> list[SimilarPair]:
    """Stored look-alike pairs among ``objective_ids`` (ids, or a ``values("pk")`` queryset
    used as a subquery), most similar first (one query); ``without_dismissed`` leaves out the
    pairs someone marked "not a duplicate" (``DuplicateDismissal``)."""
    ids = objective_ids if hasattr(objective_ids, "query") else list(objective_ids)
    rows = SimilarObjectives.objects.for_org(org_id).filter(first_id__in=ids, second_id__in=ids)
    if without_dismissed:
        rows = rows.exclude(
            Exists(
                DuplicateDismissal.objects.filter(
                    org_id=org_id, objective_a=OuterRef("first"), objective_b=OuterRef("second")
                )
            )
        )
    rows = rows.order_by("-score", "first_id", "second_id").values_list(
        "first_id", "second_id", "score"
    )
    return [SimilarPair(*row) for row in rows]
