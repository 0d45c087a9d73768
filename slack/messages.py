"""What each Slack post says, decided when it is posted (not when it was queued): an
objective made private or taken back to draft since is not posted at all.

Only objectives everyone in the company sees (public and published, ``seen_by_everyone_q``)
appear: a channel is read by people who may not be in the company at all. The words live in
``templates/slack/*.txt`` (Slack's mrkdwn; people's text through the ``slack`` filter); a
message is Block Kit sections with the same text as its notification fallback.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from checkins.models import CheckIn
from objectives.models import KeyResult, Objective, seen_by_everyone_q
from organizations.clock import company_timezone, company_zone, current_period

from .models import SlackPost
from .templatetags.slack_text import slack

CONFIDENCE = dict(KeyResult.Confidence.choices)

DIGEST_OBJECTIVES = 15
DIGEST_CHECKINS = 20
SECTION_LIMIT = 3000  # characters of one Block Kit section's text
BLOCK_LIMIT = 50


def objective_url(org, objective_id: int) -> str:
    path = reverse(
        "objectives:objective", kwargs={"org_slug": org.slug, "objective_id": objective_id}
    )
    return f"{settings.SITE_URL}{path}"


def team_url(org, team_id: int) -> str:
    path = reverse("objectives:team", kwargs={"org_slug": org.slug, "team_id": team_id})
    return f"{settings.SITE_URL}{path}"


def _blocks(text: str) -> list[dict]:
    """One section per paragraph, each within Slack's limits."""
    paragraphs = [p.strip() for p in text.split("\n\n") if p.strip()]
    return [
        {"type": "section", "text": {"type": "mrkdwn", "text": p[:SECTION_LIMIT]}}
        for p in paragraphs[:BLOCK_LIMIT]
    ]


def _payload(template: str, context: dict) -> dict:
    text = render_to_string(f"slack/{template}.txt", context).strip()
    return {"text": text, "blocks": _blocks(text)}


def _checkin_payload(post: SlackPost) -> dict | None:
    checkin = (
        CheckIn.objects.filter(pk=post.checkin_id)
        .select_related("author__user", "key_result__objective")
        .filter(seen_by_everyone_q("key_result__objective__"))
        .first()
    )
    if checkin is None or checkin.key_result.objective.team_id != post.team_id:
        return None
    objective = checkin.key_result.objective
    return _payload(
        "checkin",
        {
            "checkin": checkin,
            "kr": checkin.key_result,
            "objective": objective,
            "team": post.team,
            "objective_url": objective_url(post.org, objective.pk),
            "note_quote": _quote(checkin.note),
        },
    )


def _quote(note: str) -> str:
    """A note as a Slack quote: every line marked, people's text made inert."""
    if len(note) > 500:
        note = note[:499] + "…"
    return "\n".join(f">{slack(line)}" for line in note.splitlines())


def week_bounds(org, week: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    start = datetime.datetime.combine(week, datetime.time(), tzinfo=company_zone(org))
    return start, start + datetime.timedelta(days=7)


def _digest_payload(post: SlackPost) -> dict | None:
    org, team = post.org, post.team
    period = current_period(org)
    objectives = list(
        Objective.objects.for_org(org)
        .filter(seen_by_everyone_q(), team=team, period=period)
        .order_by("title", "id")
        .values("id", "title", "progress", "confidence")[: DIGEST_OBJECTIVES + 1]
    )
    start, end = week_bounds(org, post.week)
    week_checkins = (
        CheckIn.objects.for_org(org)
        .filter(
            seen_by_everyone_q("key_result__objective__"),
            key_result__objective__team=team,
            created_at__gte=start,
            created_at__lt=end,
        )
        .select_related("author__user", "key_result__objective")
        .order_by("created_at", "id")
    )
    checkins = list(week_checkins[: DIGEST_CHECKINS + 1])
    more_checkins = (
        week_checkins.count() - DIGEST_CHECKINS if len(checkins) > DIGEST_CHECKINS else 0
    )
    if not objectives and not checkins:
        return None  # a quiet week of a team without public objectives: nothing to post
    for row in objectives:
        row["url"] = objective_url(org, row["id"])
        row["confidence_label"] = CONFIDENCE.get(row["confidence"], "").lower()
    return _payload(
        "digest",
        {
            "team": team,
            "period": period,
            "week_start": start,
            "week_end": end - datetime.timedelta(days=1),
            "objectives": objectives[:DIGEST_OBJECTIVES],
            "more_objectives": len(objectives) > DIGEST_OBJECTIVES,
            "checkins": [
                (c, objective_url(org, c.key_result.objective_id))
                for c in checkins[:DIGEST_CHECKINS]
            ],
            "more_checkins": more_checkins,
            "team_url": team_url(org, team.pk),
        },
    )


def payload_for(post: SlackPost) -> dict | None:
    """The JSON to post, or ``None`` when there is nothing that may be said any more."""
    with company_timezone(post.org):
        if post.kind == SlackPost.Kind.CHECKIN:
            return _checkin_payload(post)
        if post.kind == SlackPost.Kind.DIGEST:
            return _digest_payload(post)
        return _payload(
            "test",
            {
                "team": post.team,
                "org": post.org,
                "by": post.requested_by,
                "url": team_url(post.org, post.team_id),
            },
        )
