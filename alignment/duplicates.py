"""Possible duplicated work: pairs of objectives of different teams with similar text.

PostgreSQL compares with pg_trgm's ``similarity()`` in one query; elsewhere (SQLite, the
embedded default) the same trigram similarity is computed in Python, so both find the same
pairs. Both score "title + description", lower-cased, between 0 and 1.
"""

import re
from dataclasses import dataclass

from django.db import connection

from objectives.models import Objective

THRESHOLD = 0.4
MAX_FALLBACK_OBJECTIVES = 400  # the Python fallback is quadratic

_PAIRS_SQL = """
SELECT a.id, b.id, similarity(a.txt, b.txt) AS score
FROM (SELECT id, lower(title || ' ' || description) AS txt FROM {table}
      WHERE org_id = %s AND id = ANY(%s)) a
JOIN (SELECT id, lower(title || ' ' || description) AS txt FROM {table}
      WHERE org_id = %s AND id = ANY(%s)) b ON a.id < b.id
WHERE similarity(a.txt, b.txt) >= %s
ORDER BY score DESC
"""


@dataclass(frozen=True)
class SimilarPair:
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


def similar_pairs(
    org_id: int, objectives: list[Objective], *, threshold: float = THRESHOLD
) -> list[SimilarPair]:
    """Pairs (lower id first) among ``objectives`` whose texts are at least ``threshold``
    similar, best first. Team checks are the caller's."""
    ids = [o.pk for o in objectives]
    if len(ids) < 2:
        return []
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                _PAIRS_SQL.format(table=Objective._meta.db_table),
                [org_id, ids, org_id, ids, threshold],
            )
            return [SimilarPair(a, b, float(score)) for a, b, score in cursor.fetchall()]
    return python_similar_pairs(objectives, threshold=threshold)


def python_similar_pairs(objectives: list[Objective], *, threshold: float = THRESHOLD):
    """The same pairs as the PostgreSQL query, computed in Python (SQLite fallback)."""
    ordered = sorted(objectives, key=lambda o: o.pk)[:MAX_FALLBACK_OBJECTIVES]
    grams = [(o.pk, trigrams(_text(o))) for o in ordered]
    pairs = []
    for i, (a_id, a_grams) in enumerate(grams):
        for b_id, b_grams in grams[i + 1 :]:
            score = overlap(a_grams, b_grams)
            if score >= threshold:
                pairs.append(SimilarPair(a_id, b_id, score))
    return sorted(pairs, key=lambda p: -p.score)
