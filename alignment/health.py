"""The alignment health score, defined once.

health = 100 x weighted mean of the parts that can be measured:
  coverage       (weight 30): share of people with at least one objective in the period
  alignment      (weight 30): share of non-company objectives aligned upward
  support        (weight 25): share of top objectives (company ones for the company, the team's
                              own for a team) that something aligns to
  no duplication (weight 15): 1 - share of objectives in a possible duplicate pair
A part that cannot be measured (nobody to count) is left out and the others re-weighted;
with nothing measurable the score is None.
"""

from decimal import ROUND_HALF_UP, Decimal

WEIGHTS = {"coverage": 30, "alignment": 30, "support": 25, "no_duplication": 15}
FORMULA = (
    "Health = (30 × coverage + 30 × aligned share + 25 × support share "
    "+ 15 × (1 − duplicated share)) ÷ (sum of the weights of the measurable parts), "
    "as a score from 0 to 100."
)


def share(part: int, whole: int) -> float | None:
    return None if whole <= 0 else part / whole


def alignment_health(
    *,
    coverage: float | None,
    aligned_share: float | None,
    support_share: float | None,
    duplicate_share: float | None,
) -> int | None:
    parts = {
        "coverage": coverage,
        "alignment": aligned_share,
        "support": support_share,
        "no_duplication": None if duplicate_share is None else 1 - duplicate_share,
    }
    total = weight_sum = 0.0
    for name, value in parts.items():
        if value is None:
            continue
        value = min(1.0, max(0.0, float(value)))
        total += WEIGHTS[name] * value
        weight_sum += WEIGHTS[name]
    if weight_sum == 0:
        return None
    return int(Decimal(100 * total / weight_sum).quantize(Decimal(1), rounding=ROUND_HALF_UP))
