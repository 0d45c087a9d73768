"""The demo company's check-in history and reminder schedules (idempotent, bulk inserts).

Every KR of a period that has started gets a few months of weekly-ish check-ins along a
believable curve: some ahead of pace, most a little behind, a few far behind while their
owner still says "on track" (the pace flag has something true to find), and some that
stopped being checked in weeks ago (stale).
"""

import datetime
import random
from decimal import Decimal

from django.utils import timezone

from checkins.models import CheckIn
from checkins.services import schedules_ensure_defaults
from objectives.models import KeyResult

HISTORY_DAYS = 120
NOTES = [
    "Steady week.",
    "Campaign went live on Tuesday; first numbers look promising.",
    "Slower than planned: two people out sick.",
    "Big jump after the webinar.",
    "Blocked on the vendor contract, escalated.",
    "Back on track after the launch.",
    "Holiday week, little movement.",
    "New process is paying off.",
    "",
    "",
]
# (performance vs pace, optimistic: keeps saying on track whatever happens, stale)
PROFILES = [
    (Decimal("1.15"), False, False),
    (Decimal("0.92"), False, False),
    (Decimal("0.55"), True, False),
    (Decimal("1.0"), False, False),
    (Decimal("0.8"), False, True),
    (Decimal("0.7"), False, False),
]


def _quantum(kr) -> Decimal:
    span = abs(kr.target_value - kr.start_value)
    if kr.unit == "percent" or span <= 20:
        return Decimal("0.1")
    return Decimal(1)


def _confidence(progress: Decimal, expected: Decimal, optimistic: bool) -> str:
    if optimistic:
        return KeyResult.Confidence.ON_TRACK
    gap = progress - expected
    if gap >= Decimal("-0.1"):
        return KeyResult.Confidence.ON_TRACK
    if gap >= Decimal("-0.25"):
        return KeyResult.Confidence.AT_RISK
    return KeyResult.Confidence.OFF_TRACK


def _history(kr, period, *, now, index, author_id):
    rng = random.Random(kr.pk * 7919)
    performance, optimistic, stale = PROFILES[index % len(PROFILES)]
    tz = timezone.get_current_timezone()
    today = timezone.localdate(now)
    # Fortnightly early in a long period, weekly-ish over the last few months.
    weekly_from = today - datetime.timedelta(days=HISTORY_DAYS)
    first_day = period.start
    last_day = min(period.end, today - datetime.timedelta(days=1))  # never in the future
    if stale:
        last_day = min(last_day, today - datetime.timedelta(days=rng.randint(42, 60)))
    span_days = max((period.end - period.start).days, 1)
    quantum = _quantum(kr)
    value = kr.start_value
    confidence = KeyResult.Confidence.ON_TRACK
    rows = []
    day = first_day + datetime.timedelta(days=rng.randint(2, 6))
    while day <= last_day:
        expected = Decimal((day - period.start).days) / Decimal(span_days)
        noise = Decimal(rng.uniform(-0.05, 0.05)).quantize(Decimal("0.001"))
        fraction = min(Decimal(1), max(Decimal(0), expected * performance + noise))
        if kr.kind == KeyResult.Kind.MILESTONE:
            new_value = Decimal(1) if fraction >= Decimal("0.9") else Decimal(0)
        else:
            target = kr.start_value + (kr.target_value - kr.start_value) * fraction
            new_value = target.quantize(quantum)
            # Increases rarely go backwards; keep the curve monotone but for small dips.
            if (kr.target_value - kr.start_value) * (new_value - value) < 0 and rng.random() < 0.7:
                new_value = value
        new_confidence = _confidence(min(fraction, Decimal(1)), expected, optimistic)
        moment = datetime.datetime.combine(
            day, datetime.time(rng.randint(8, 17), rng.randint(0, 59)), tzinfo=tz
        )
        rows.append(
            CheckIn(
                org_id=kr.org_id,
                key_result_id=kr.pk,
                author_id=author_id,
                value=new_value,
                previous_value=value,
                confidence=new_confidence,
                previous_confidence=confidence,
                note=rng.choice(NOTES),
                created_at=moment,
            )
        )
        value, confidence = new_value, new_confidence
        if day < weekly_from:
            day += datetime.timedelta(days=rng.choice([14, 14, 21]))
        else:
            day += datetime.timedelta(days=rng.choice([7, 7, 7, 10, 14]))
    return rows


def seed_checkins(org, *, people: dict) -> None:
    schedules_ensure_defaults(org=org)
    if CheckIn.objects.for_org(org).exists():
        return
    now = timezone.now()
    today = timezone.localdate(now)
    fallback = people.get("admin") if people else None
    krs = list(
        KeyResult.objects.for_org(org)
        .select_related("objective__period")
        .filter(objective__period__start__lte=today)
        .order_by("id")
    )
    all_rows, changed = [], []
    for index, kr in enumerate(krs):
        author = kr.owner_id or kr.objective.owner_id or (fallback.pk if fallback else None)
        rows = _history(kr, kr.objective.period, now=now, index=index, author_id=author)
        if not rows:
            continue
        all_rows.extend(rows)
        last = rows[-1]
        kr.current_value, kr.confidence, kr.last_checkin_at = (
            last.value,
            last.confidence,
            last.created_at,
        )
        changed.append(kr)
    CheckIn.objects.bulk_create(all_rows, batch_size=1000)
    KeyResult.objects.bulk_update(
        changed, ["current_value", "confidence", "last_checkin_at"], batch_size=500
    )
