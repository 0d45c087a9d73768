"""Possible duplicated work: pairs of objectives of different teams with similar text.

PostgreSQL compares with pg_trgm's ``similarity()`` in one query; SQLite falls back to
``difflib``. Both score "title + description", lower-cased, between 0 and 1.
"""

from dataclasses import dataclass
from difflib import SequenceMatcher

from django.db import connection

from objectives.models import Objective

THRESHOLD = 0.4
# difflib's ratio runs higher than trigram similarity on unrelated text.
FALLBACK_THRESHOLD = 0.65
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
    ordered = sorted(objectives, key=lambda o: o.pk)[:MAX_FALLBACK_OBJECTIVES]
    texts = [(o.pk, _text(o)) for o in ordered]
    pairs = []
    for i, (a_id, a_text) in enumerate(texts):
        for b_id, b_text in texts[i + 1 :]:
            score = SequenceMatcher(None, a_text, b_text).ratio()
            if score >= max(threshold, FALLBACK_THRESHOLD):
                pairs.append(SimilarPair(a_id, b_id, score))
    return sorted(pairs, key=lambda p: -p.score)
