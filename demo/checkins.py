"""The demo company's check-in history and reminder schedules (idempotent, bulk inserts).

Every KR of a period that has started gets weekly-ish check-ins along a believable curve
that ends at the value and confidence the OKR story gave it (so a KR the story left far
behind while its owner says "on track" is flagged truthfully), and some KRs stopped being
checked in weeks ago (stale).
"""

import datetime
import random
from decimal import Decimal

from django.utils import timezone

from checkins.models import CheckIn
from checkins.services import schedules_ensure_defaults
from objectives.models import KeyResult
from organizations.clock import company_today, company_zone

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
# One KR in STALE_EVERY stopped being checked in weeks ago (the stale flag has something to find).
STALE_EVERY = 5


def _quantum(kr) -> Decimal:
    span = abs(kr.target_value - kr.start_value)
    if kr.unit == "percent" or span <= 20:
        return Decimal("0.1")
    return Decimal(1)


def _checkin_days(period, *, today, stale, rng) -> list[datetime.date]:
    """Fortnightly early in a long period, weekly-ish over the last few months."""
    weekly_from = today - datetime.timedelta(days=HISTORY_DAYS)
    last_day = min(period.end, today - datetime.timedelta(days=1))  # never in the future
    if stale:
        last_day = min(last_day, today - datetime.timedelta(days=rng.randint(42, 60)))
    days = []
    day = period.start + datetime.timedelta(days=rng.randint(2, 6))
    while day <= last_day:
        days.append(day)
        if day < weekly_from:
            day += datetime.timedelta(days=rng.choice([14, 14, 21]))
        else:
            day += datetime.timedelta(days=rng.choice([7, 7, 7, 10, 14]))
    return days


def _history(kr, period, *, now, index, author_id, tz):
    """A believable curve from the KR's start to the value and confidence the story gave it,
    so the story's numbers (and its confidence states) stay as written."""
    rng = random.Random(kr.pk * 7919)
    today = now.astimezone(tz).date()
    days = _checkin_days(period, today=today, stale=index % STALE_EVERY == 4, rng=rng)
    quantum = _quantum(kr)
    span = kr.current_value - kr.start_value
    value, confidence = kr.start_value, KeyResult.Confidence.ON_TRACK
    rows = []
    for i, day in enumerate(days, start=1):
        last = i == len(days)
        if last:
            new_value, new_confidence = kr.current_value, kr.confidence
        elif kr.kind == KeyResult.Kind.MILESTONE:
            new_value, new_confidence = kr.start_value, KeyResult.Confidence.ON_TRACK
        else:
            share = Decimal(i) / Decimal(len(days))
            noise = Decimal(rng.uniform(-0.06, 0.06))
            new_value = (kr.start_value + span * min(Decimal(1), share + noise)).quantize(quantum)
            if span * (new_value - value) < 0 and rng.random() < 0.7:
                new_value = value  # rarely backwards
            # People notice trouble part-way through: early check-ins sound confident.
            new_confidence = kr.confidence if i > len(days) / 2 else KeyResult.Confidence.ON_TRACK
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
    return rows


def seed_checkins(org, *, people: dict) -> None:
    schedules_ensure_defaults(org=org)
    if CheckIn.objects.for_org(org).exists():
        return
    now = timezone.now()
    tz = company_zone(org)
    today = company_today(org, now)
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
        period = kr.objective.period
        rows = _history(kr, period, now=now, index=index, author_id=author, tz=tz)
        # In the story the KR was written when its period began (the pace line starts then).
        begun = datetime.datetime.combine(period.start, datetime.time(8), tzinfo=tz)
        kr.created_at = min(kr.created_at, begun)
        changed.append(kr)
        if not rows:
            continue
        all_rows.extend(rows)
        kr.last_checkin_at = rows[-1].created_at
        kr.last_checkin_note = rows[-1].note
    CheckIn.objects.bulk_create(all_rows, batch_size=1000)
    KeyResult.objects.bulk_update(
        changed, ["last_checkin_at", "last_checkin_note", "created_at"], batch_size=500
    )
